"""Relative dates resolved against the publication date, or left unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.facts.dates import resolve_date

TUESDAY = dt.date(2025, 5, 27)


@pytest.mark.parametrize(
    "expression, future, expected",
    [
        ("Tuesday", False, dt.date(2025, 5, 27)),  # the day the story ran
        ("on Tuesday", False, dt.date(2025, 5, 27)),
        ("Earlier on Tuesday", False, dt.date(2025, 5, 27)),
        ("on Monday", False, dt.date(2025, 5, 26)),
        ("Thursday", False, dt.date(2025, 5, 22)),  # past tense: the Thursday before
        ("Thursday", True, dt.date(2025, 5, 29)),  # "will meet on Thursday": the coming one
        ("May 16", False, dt.date(2025, 5, 16)),
        ("March 10", False, dt.date(2025, 3, 10)),
        ("July 28", False, dt.date(2024, 7, 28)),  # past tense, later month: last year's
        ("27 May 2025", False, dt.date(2025, 5, 27)),
        ("yesterday", False, dt.date(2025, 5, 26)),
        ("earlier this month", False, None),  # a span, not a day
        ("over the weekend", False, None),
        ("later this week", True, None),
        ("March 2022", False, None),
        ("the past five months", False, None),
        ("two-day", False, None),
    ],
)
def test_resolve_date(expression: str, future: bool, expected: dt.date | None) -> None:
    assert resolve_date(expression, TUESDAY, future=future) == expected


def test_weekday_without_publication_date_is_unknown() -> None:
    assert resolve_date("on Monday", None) is None
