"""Corroboration counts origins: copies of one agency's story are one report."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.brief.origins import credited_agency, origins
from briefing.brief.render import via
from briefing.models import Citation, Item, Segment, Source

# One agency story (our own words, in a wire style) as three outlets print it, and an
# outlet's own report of the same day.
WIRE = (
    "Portugal's parliament approved the 2026 budget on Tuesday after a late deal with "
    "the opposition on pensions. The vote was 121 to 98, with two abstentions. Finance "
    "Minister Ana Sousa said the deal would keep the deficit under two percent of output."
)


def source(number: int, text: str, **metadata: str) -> Source:
    return Source(id=str(number), path=f"{number}.txt", text=text,
                  segments=(Segment(0, len(text), True, "article body"),),
                  published=dt.date(2025, 3, 11), **metadata)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, metadata, agency",
    [
        ("LISBON, March 11 (Reuters) - " + WIRE, {}, "Reuters"),
        ("LISBON (AP) — " + WIRE, {}, "AP"),
        ("MOSCOW, March 11. /TASS/. The Kremlin said on Tuesday it welcomed the vote.", {},
         "TASS"),
        ("ANKARA (AA) - Turkey's parliament approved the budget on Tuesday.", {},
         "Anadolu Agency"),
        (WIRE, {"author": "By Associated Press"}, "AP"),
        (WIRE, {"author": "Maria Silva"}, None),  # a reporter of its own
        ("The minister (pictured) said the vote was a relief. " + WIRE, {}, None),
    ],
)
def test_a_credit_line_names_the_agency(
    text: str, metadata: dict[str, str], agency: str | None
) -> None:
    assert credited_agency(source(1, text, **metadata)) == agency


def test_copies_of_one_story_are_one_origin_and_the_line_says_so() -> None:
    sources = [
        source(1, "LISBON, March 11 (Reuters) - " + WIRE, outlet="Newsmax"),
        source(2, WIRE, outlet="Yahoo News"),  # the same sentences, credit dropped
        source(3, "LISBON, March 11 (Reuters) - " + WIRE, outlet="Gulf Times"),
        source(4, "The budget passed after a night of talks, said our correspondent in "
                  "Lisbon, who counted 121 votes for it and 98 against in the chamber.",
               outlet="Diario Norte"),
    ]
    found = origins(sources)
    assert [found[s.id] for s in sources] == ["Reuters", "Reuters", "Reuters", "4"]
    line = Item(text="The vote was 121 to 98, with two abstentions.",
                citations=tuple(Citation(s.id, "x", 0, 1) for s in sources))
    assert via(line, found) == "Reuters, via 3 outlets"


def test_a_rewrite_keeping_few_of_the_wire_s_sentences_is_its_own_report() -> None:
    wire = [f"The minister said clause {n} of the budget would raise the tax on fuel by "
            f"{n} cents from June." for n in range(1, 7)]
    rewrite = wire[:2] + [f"Our reporter in Lisbon heard {n} deputies say in the chamber "
                          "that the fuel tax would hurt the farmers of the north." for n in
                          range(4)]
    sources = [source(1, " ".join(wire)), source(2, " ".join(wire[:5])),
               source(3, " ".join(rewrite)), source(4, " ".join(wire[1:]))]
    found = origins(sources)
    assert found["1"] == found["2"] == found["4"] != found["3"] == "3"


def test_a_flood_of_reprints_is_one_origin() -> None:
    sources = [source(n, WIRE + f" Page {n} of our print edition carries the full tables "
                             "of the vote.", outlet=f"Outlet {n}") for n in range(1, 2001)]
    assert len(set(origins(sources).values())) == 1
