"""Grouping: a fact goes to the theme it matches best, with the terms as the reason."""

from __future__ import annotations

from briefing.facts.group import group
from briefing.facts.themes import load_themes
from briefing.models import Fact, ThemeMatch

THEMES = load_themes()


def fact(*matches: tuple[str, str, float], paragraph: int = 0, anaphoric: bool = False,
         text: str = "x") -> Fact:
    return Fact(
        source_id="1", start=0, end=len(text), text=text, paragraph=paragraph, position=0.0,
        matches=tuple(ThemeMatch(*m) for m in matches), anaphoric=anaphoric,
    )


def test_best_weighted_theme_wins_and_terms_are_the_reason() -> None:
    (placed,) = group(
        [fact(("russia-ukraine-talks", "talks", 1), ("energy", "TurkStream", 3),
              ("energy", "pipeline", 2))],
        THEMES,
    )
    assert (placed.theme, placed.reason) == ("energy", ("TurkStream", "pipeline"))


def test_repeated_term_counts_once() -> None:
    (placed,) = group(
        [fact(("gaza", "Gaza", 3), ("syria", "Syria", 3), ("syria", "syria", 3),
              ("gaza", "Israel", 2))],
        THEMES,
    )
    assert placed.theme == "gaza"


def test_tie_goes_to_the_term_the_sentence_names_first() -> None:
    (placed,) = group([fact(("gaza", "Gaza", 3), ("syria", "Syria", 3))], THEMES)
    assert placed.theme == "gaza"


def test_no_match_goes_to_other() -> None:
    (placed,) = group([fact()], THEMES)
    assert (placed.theme, placed.reason) == ("other", ())


def test_weak_terms_alone_do_not_claim_a_fact() -> None:
    (placed,) = group([fact(("russia-ukraine-talks", "Ukraine", 0.5))], THEMES)
    assert placed.theme == "other"


def test_anaphoric_sentence_inherits_its_paragraphs_theme() -> None:
    placements = group(
        [fact(("syria", "Syria", 3)), fact(anaphoric=True), fact(paragraph=1, anaphoric=True)],
        THEMES,
    )
    assert [(p.theme, p.reason) for p in placements] == [
        ("syria", ("Syria",)),
        ("syria", ("context: Syria",)),
        ("other", ()),  # a new paragraph does not inherit
    ]
