"""Relative dates resolved against the publication date, or left unknown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.facts.dates import resolve_date

TUESDAY = dt.date(2025, 5, 27)


@pytest.mark.parametrize(
    "expression, future, expected",
    [
        ("Tuesday", False, dt.date(2025, 5, 27)),  # the day the story ran
        ("on Tuesday", False, dt.date(2025, 5, 27)),
        ("Earlier on Tuesday", False, dt.date(2025, 5, 27)),
        ("late Monday", False, dt.date(2025, 5, 26)),
        ("early on Monday", False, dt.date(2025, 5, 26)),
        ("on Monday", False, dt.date(2025, 5, 26)),
        ("Thursday", False, dt.date(2025, 5, 22)),  # past tense: the Thursday before
        # the day after the paper's, in the past tense: a time zone ahead's today, or
        # the week before's? Not sure, so not shown
        ("early Wednesday", False, None),
        ("Wednesday", True, dt.date(2025, 5, 28)),
        ("Thursday", True, dt.date(2025, 5, 29)),  # "will meet on Thursday": the coming one
        ("May 16", False, dt.date(2025, 5, 16)),
        ("March 10", False, dt.date(2025, 3, 10)),
        ("July 28", False, None),  # past tense, later month: last year's, too far to show
        ("November 20", False, None),  # six months back, no year: another story's date
        ("20 November 2024", False, dt.date(2024, 11, 20)),  # with its year: sure
        ("December 10", True, None),  # "will meet on December 10": too far ahead to trust
        ("27 May 2025", False, dt.date(2025, 5, 27)),
        ("yesterday", False, dt.date(2025, 5, 26)),
        ("earlier this month", False, None),  # a span, not a day
        ("over the weekend", False, None),
        ("later this week", True, None),
        ("March 2022", False, None),
        ("the past five months", False, None),
        ("two-day", False, None),
        # durations and counts of time never date a line
        ("15 years", False, None),  # "after 15 years at the zoo"
        ("one day", False, None),  # "one day after he called ..."
        ("three weeks", False, None),
        ("Monday, three years", False, None),
        ("the past decade", False, None),
        ("two days ago", False, None),
        ("10 days", False, None),
        ("today", False, dt.date(2025, 5, 27)),
        ("tomorrow", True, dt.date(2025, 5, 28)),
        ("2025-05-20", False, dt.date(2025, 5, 20)),
    ],
)
def test_resolve_date(expression: str, future: bool, expected: dt.date | None) -> None:
    assert resolve_date(expression, TUESDAY, future=future) == expected


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("on Monday", None),  # a weekday means nothing without the day the story ran
        ("May 16", None),  # nor a day without its year: never resolved against today
        ("yesterday", None),
        ("16 May 2024", dt.date(2024, 5, 16)),  # a whole date needs no publication date
    ],
)
def test_a_source_without_publication_date_resolves_only_whole_dates(
    expression: str, expected: dt.date | None
) -> None:
    assert resolve_date(expression, None) == expected


def test_sources_without_a_publication_date_are_named_once(tmp_path: Path) -> None:
    """Their "on Monday" is not resolved against today, and the build says so once."""
    for name, pier in (("a", "northern"), ("b", "southern")):  # two texts: not one article
        (tmp_path / f"{name}.txt").write_text(
            f"The harbour authority said on Monday that the {pier} pier would reopen "
            "after repairs. Ferry operators said on Tuesday that they would restore the "
            "winter timetable within a week of the reopening.\n", encoding="utf-8")
    target = tmp_path / "brief.json"
    result = CliRunner().invoke(app, ["build", str(tmp_path), "--format", "json", "--output",
                                      str(target), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "publication date" in line]
    assert lines == [
        f"briefing: warning: 2 sources without a publication date ({tmp_path / 'a.txt'} and "
        "others): relative dates such as 'on Monday' are left unresolved there; give each a "
        "`published` date"
    ]
    items = [i for t in json.loads(target.read_text())["themes"] for i in t["items"]]
    assert items and all(item["date"] is None for item in items)
