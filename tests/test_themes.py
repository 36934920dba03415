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
        ("[[theme]\n", "t.toml: not valid TOML: "),
        *(('[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = "x", weight = '
           f"{value}}}]\n", f"t.toml:2: theme 'a' pattern #1: weight {value} must be a "
           "positive number") for value in ("nan", "inf", "-inf")),
        *(('[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = [' + token + "]}]\n",
           "t.toml:2: theme 'a' pattern #1: " + message) for token, message in (
            ("{LOWER = 5}", 'LOWER 5 must be text or a table of conditions such as {IN = '),
            ('{TEXT = {REGEX = "("}}', "TEXT REGEX '(' is not a regular expression (missing )"),
            ('{LOWER = {IN = "ab"}}', "LOWER IN takes a list of text, not 'ab'"),
            ('{LOWER = {BOGUS = "x"}}', "LOWER has unknown condition 'BOGUS'"),
            ("{IS_ALPHA = 1}", "IS_ALPHA 1 must be true or false"),
            ('{LOWER = "a", OP = "++"}', "OP '++' is not an operator"),
            ('{LENGTH = "3"}', "LENGTH '3' must be a number or a table of conditions"),
            ('{LENGTH = {">=" = "3"}}', "LENGTH >= takes a number, not '3'"),
        )),
        ("match_attr = " + "[" * 900 + "]" * 900 + "\n", "t.toml: not valid TOML: nested more"),
    ],
)
def test_bad_values_are_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, message: str
) -> None:
    """Token values spaCy would refuse, weights no ranking takes, TOML too deep: each
    one line naming the file (the rest of the line is the parser's or spaCy's own)."""
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ThemesError) as caught:
        load_themes("t.toml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


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
            '[[theme]]\npatterns = ["Syria"]\n',
            "t.toml:1: theme #1 has no title; add title = \"...\"",
        ),
        (  # two titles that make the same key
            '[[theme]]\ntitle = "Ships and cargo"\npatterns = ["x"]\n'
            '[[theme]]\ntitle = "Ships and Cargo"\npatterns = ["y"]\n',
            "t.toml:4: theme key 'ships-and-cargo' is used twice; keys must be unique",
        ),
        (
            '[[theme]]\nkey = "Bad Key"\ntitle = "x"\npatterns = ["x"]\n',
            "t.toml:2: theme #1 has key 'Bad Key'; use lowercase letters, digits, '-' or '_'",
        ),
        (  # the second use of the key is the mistake: its line is named
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n'
            '[[theme]]\nkey = "a"\ntitle = "B"\npatterns = ["y"]\n',
            "t.toml:6: theme key 'a' is used twice; keys must be unique",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = "x", weight = -1}]\n',
            "t.toml:2: theme 'a' pattern #1: weight -1 must be a positive number",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [\n  "x",\n'
            '  {pattern = [{LOWR = "x"}]},\n]\n',
            "t.toml:6: theme 'a' pattern #2: unknown token attribute 'LOWR' "
            "(did you mean 'LOWER'?)",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\ncolour = "red"\n',
            "t.toml:5: theme 'a' has unknown field 'colour'; expected key, title and patterns",
        ),
        (  # a misspelt key is named, at its own line, with what it was meant to be
            '[[theme]]\nkey = "gaza"\ntitle = "Gaza"\npatterns = [\n'
            '  {pattern = "Gaza", weight = 3},\n  {patern = "Rafah"},\n]\n',
            "t.toml:6: theme 'gaza' pattern #2 has unknown field 'patern' (did you mean "
            "'pattern'?); write it as {pattern = \"...\", weight = 2}",
        ),
        (
            '[[theme]]\nkey = "gaza"\ntitle = "Gaza"\npatern = ["Gaza"]\n',
            "t.toml:4: theme 'gaza' has unknown field 'patern' (did you mean 'patterns'?); "
            "expected key, title and patterns",
        ),
        (
            '[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n\n'
            '[[theme]]\nkey = "b"\ntitle = "B"\npatterns = [{pattern = "y", wieght = 2}]\n',
            "t.toml:9: theme 'b' pattern #1 has unknown field 'wieght' (did you mean "
            "'weight'?); write it as {pattern = \"...\", weight = 2}",
        ),
        (
            '[[themes]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n',
            "t.toml:1: unknown top-level key 'themes' (did you mean 'theme'?); "
            "expected [[theme]], [other] and match_attr",
        ),
        (
            'match_attr = "STEM"\n[[theme]]\nkey = "a"\ntitle = "A"\npatterns = ["x"]\n',
            "t.toml:1: match_attr 'STEM' is not one of LOWER, ORTH, NORM, LEMMA",
        ),

    ],
)
def test_invalid_themes_file_names_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ThemesError) as caught:
        load_themes("t.toml")
    assert str(caught.value) == message


def test_invalid_toml_is_one_line_naming_the_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text("[[theme]\n", encoding="utf-8")
    with pytest.raises(ThemesError) as caught:
        load_themes("t.toml")
    assert str(caught.value).startswith("t.toml: not valid TOML: ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("title, key", [
    ("Ships and cargo", "ships-and-cargo"),
    ("Russia–Ukraine talks", "russia-ukraine-talks"),
    ("Türkiye: energy (gas, oil)", "turkiye-energy-gas-oil"),
])
def test_a_theme_without_a_key_takes_it_from_its_title(tmp_path: Path, title: str,
                                                       key: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(f'[[theme]]\ntitle = "{title}"\npatterns = ["x"]\n', encoding="utf-8")
    assert [theme.key for theme in load_themes(path).themes] == [key]


def test_lemma_is_a_match_attr(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('match_attr = "LEMMA"\n[[theme]]\nkey = "a"\ntitle = "A"\n'
                    'patterns = ["bombing"]\n', encoding="utf-8")
    assert load_themes(path).match_attr == "LEMMA"


def test_missing_themes_file(tmp_path: Path) -> None:
    with pytest.raises(ThemesError, match="themes file not found; check the --themes path"):
        load_themes(tmp_path / "nope.toml")


def test_every_token_condition_the_matcher_takes_is_accepted(tmp_path: Path) -> None:
    tokens = ('{LOWER = {IN = ["gas", "oil"]}}, {TEXT = {REGEX = "^[A-Z]"}}, '
              '{LENGTH = {">=" = 3}}, {LOWER = {FUZZY = "pipeline"}}, {IS_TITLE = true}, '
              '{LOWER = "deal", OP = "{1,2}"}, {MORPH = {IS_SUPERSET = ["Number=Sing"]}}')
    path = tmp_path / "t.toml"
    path.write_text('[[theme]]\nkey = "a"\ntitle = "A"\npatterns = [{pattern = ['
                    f"{tokens}]}}]\n", encoding="utf-8")
    (pattern,) = load_themes(path).themes[0].patterns
    assert len(pattern.pattern) == 7


def test_a_themes_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "t.toml")
    with pytest.raises(ThemesError, match=r"t\.toml: is a FIFO \(named pipe\), not a regular"):
        load_themes(tmp_path / "t.toml")
