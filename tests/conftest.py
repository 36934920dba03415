"""Shared pytest configuration for briefing's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# -- golden files (tests/golden/, used by test_render.py) ---------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the files in tests/golden/ from the current output instead of "
        "comparing against them; review the change with git diff",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when pytest runs with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


# -- end of golden files ------------------------------------------------------------



@pytest.fixture(autouse=True, scope="module")
def _module_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep a history of their own, never the user's: each test module one (for
    its module-scoped builds), each test another (below)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_HISTORY", str(tmp_path_factory.mktemp("history") / "h.sqlite"))
        yield


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's builds see no other test's brief of an earlier date as their desk's last
    (kept beside the test's tmp_path, not in it: tests look at what a build wrote)."""
    monkeypatch.setenv("BRIEFING_HISTORY",
                       str(tmp_path_factory.mktemp("history") / "history.sqlite"))


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every build caches its facts in a temporary folder, never in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield
