"""Selection: merging across sources, its guards, and ranking."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from briefing.models import Fact, Placement, Source
from briefing.select import rank, select
from briefing.themes import load_themes

THEMES = load_themes()


def fact(source: str, text: str, *, speaker: str | None = None, quoted: tuple[str, ...] = (),
         numbers: tuple[str, ...] = (), negated: bool = False, position: float = 0.5,
         kind: str = "statement") -> Fact:
    terms = tuple(w.strip('.,"').casefold() for w in text.split() if len(w) > 3)
    return Fact(source_id=source, start=0, end=len(text), text=text, paragraph=0,
                position=position, speaker=speaker, kind=kind, quoted=quoted,
                numbers=numbers, negated=negated, terms=terms)


def sources() -> list[Source]:
    return [
        Source(id="1", path="a.txt", text="", outlet="A", published=dt.date(2025, 5, 27)),
        Source(id="2", path="b.txt", text="", outlet="B", published=dt.date(2025, 5, 27)),
    ]


def brief_of(*facts: Fact):
    placements = [Placement(f, "russia-ukraine-talks", ("talks",)) for f in facts]
    return select(placements, sources(), THEMES, title="T", date=dt.date(2025, 5, 28))


def test_same_quote_in_two_sources_is_one_line_citing_both_in_fullest_wording() -> None:
    short = fact("2", '"Istanbul is very good," Lavrov said.', speaker="Sergei Lavrov",
                 quoted=("Istanbul is very good,",), kind="quote")
    full = fact("1", '"I would turn to our Turkish friends. Istanbul is very good," Lavrov said.',
                speaker="Sergey Lavrov", kind="quote",
                quoted=("I would turn to our Turkish friends. Istanbul is very good,",))
    (item,) = brief_of(short, full).items
    assert item.text == full.text
    assert [c.source_id for c in item.citations] == ["1", "2"]
    assert item.speaker in {"Sergey Lavrov", "Sergei Lavrov"}


def test_statements_differing_in_a_number_are_not_merged() -> None:
    a = fact("1", "Russia launched more than 600 drones at Kyiv.", numbers=("600",))
    b = fact("2", "Russia launched more than 300 drones at Kyiv.", numbers=("300",))
    assert len(brief_of(a, b).items) == 2


def test_statements_differing_in_negation_are_not_merged() -> None:
    a = fact("1", "Fidan said the TurkStream pipeline has been damaged by drones.")
    b = fact("2", "Fidan said the TurkStream pipeline has not been damaged by drones.",
             negated=True)
    assert len(brief_of(a, b).items) == 2


def test_statements_of_different_speakers_are_not_merged() -> None:
    a = fact("1", "Istanbul could host the second round of direct talks.", speaker="Sergey Lavrov")
    b = fact("2", "Istanbul could host the second round of direct talks.", speaker="Hakan Fidan")
    assert len(brief_of(a, b).items) == 2


def test_named_official_and_corroboration_rank_first() -> None:
    plain = fact("1", "The proposal comes as diplomacy searches for a venue.", position=0.0)
    named = fact("1", "Fidan said Ankara wanted to host another round.", speaker="Hakan Fidan",
                 position=0.5)
    assert rank([named], "Hakan Fidan") > rank([plain], None)
    both = [named, fact("2", named.text, speaker="Hakan Fidan", position=0.5)]
    assert rank(both, "Hakan Fidan") > rank([named], "Hakan Fidan")


def test_coverage_line_names_count_outlets_date_and_themes() -> None:
    brief = brief_of(fact("1", "Talks resume in Istanbul next week, officials said."))
    assert brief.coverage == (
        "Covers 2 articles from A and B, published 27 May 2025; themes: Russia–Ukraine talks."
    )


def person_fact(source: str, text: str, people: tuple[str, ...]) -> Fact:
    return replace(fact(source, text), entities=tuple((p, "PERSON") for p in people))


def test_one_event_in_two_outlets_wordings_is_one_line() -> None:
    a = person_fact("1", "The minister met Vladimir Medinsky, adviser of President Vladimir "
                    "Putin, in Moscow.", ("Vladimir Medinsky", "Vladimir Putin"))
    b = person_fact("2", "The minister, who met President Vladimir Putin and adviser Vladimir "
                    "Medinsky in Moscow, reaffirmed readiness.",
                    ("Vladimir Putin", "Vladimir Medinsky"))
    (item,) = brief_of(a, b).items
    assert [c.source_id for c in item.citations] == ["1", "2"]


def test_one_outlets_two_sentences_are_never_merged_as_one_report() -> None:
    a = person_fact("1", "The minister met Vladimir Medinsky and Vladimir Putin in Moscow.",
                    ("Vladimir Medinsky", "Vladimir Putin"))
    b = person_fact("1", "Vladimir Putin thanked Vladimir Medinsky for the prisoner swap.",
                    ("Vladimir Putin", "Vladimir Medinsky"))
    assert len(brief_of(a, b).items) == 2
