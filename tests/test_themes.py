"""The themes file: the default loads, and every mistake gets a one-line fix."""

from pathlib import Path

import pytest

from briefing.errors import ThemesError
from briefing.facts.themes import load_themes


def test_default_themes_hold_the_design_cards_themes() -> None:
    themes = load_themes()
    titles = [t.title for t in themes.themes]
    assert titles[:3] == ["Russia–Ukraine talks", "Syria", "Gaza"]
    assert titles[3].startswith("Energy")
    assert themes.other.key == "other"
    assert all(t.patterns for t in themes.themes)


def test_token_patterns_are_read_as_spacy_matcher_dicts() -> None:
    themes = load_themes()
    talks = themes.get("russia-ukraine-talks")
    token_patterns = [p.pattern for p in talks.patterns if not isinstance(p.pattern, str)]
    assert ({"LOWER": "cease"}, {"ORTH": "-"}, {"LOWER": "fire"}) in token_patterns


@pytest.mark.parametrize(
    "toml, message",
    [
        ("", "t.toml: no [[theme]] tables; add at least one theme"),
        (
            '[[theme]]\nkey = "syria"\ntitle = "Syria"\n',
            "t.toml:2: theme 'syria' has no patterns; add at least one",
        ),
        (
            '[[theme]]\nkey = "syria"\npatterns = ["Syria"]\n',
            "t.toml:2: theme 'syria' has no title; add title = \"...\"",
        ),
        (
            '[[theme]]\nkey = "Bad Key"\ntitle = "x"\npatterns = ["x"]\n',
            "t.toml:2: theme #1 has key 'Bad Key'; use lowercase letters, digits, '-' or '_'",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n'
            '[[theme]]\nkey = "a"\ntitle = "B"\npatterns = ["y"]\n',
            "t.toml:2: theme key 'a' is used twice; keys must be unique",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = "x", weight = -1}]\n',
            "t.toml:2: theme 'a' pattern #1: weight -1 must be a positive number",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = [{LOWR = "x"}]}]\n',
            "t.toml:2: theme 'a' pattern #1: unknown token attribute 'LOWR'",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\ncolour = "red"\n',
            "t.toml:2: theme 'a' has unknown field 'colour'; expected key, title and patterns",
        ),
        (
            'match_attr = "LEMMA"\n[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n',
            "t.toml:1: match_attr 'LEMMA' is not one of LOWER, ORTH, NORM",
        ),
        ("[[theme]\n", "t.toml: not valid TOML: "),
    ],
)
def test_invalid_themes_file_names_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ThemesError) as caught:
        load_themes("t.toml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_missing_themes_file(tmp_path: Path) -> None:
    with pytest.raises(ThemesError, match="themes file not found; check the --themes path"):
        load_themes(tmp_path / "nope.toml")
