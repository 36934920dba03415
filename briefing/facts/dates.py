"""Resolve the dates a sentence names against its source's publication date.

dateparser does the parsing; the rules here only decide which expressions name a
day precisely enough to print beside a line. "On Tuesday" in a story published on
a Tuesday is that day; "Monday" is the Monday before; "May 16" is that day of the
publication year. Vague spans ("earlier this month", "over the weekend", "later
this week", "March 2022") name no single day and resolve to None: a brief shows no
date rather than a guessed one.

Extraction notes each fact's date expressions (``Fact.dated``); ``with_dates``
resolves them in the process that collects the facts, so the worker processes
parsing articles never wait for dateparser, and ``warm_up`` readies it there
while they parse.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import replace

from ..models import Fact

__all__ = ["resolve_date", "warm_up", "with_dates"]

logger = logging.getLogger(__name__)

_WEEKDAY = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)
_VAGUE = re.compile(r"\b(week|weekend|month|months|year|years|decade|era|season)\b", re.I)
_LEAD = re.compile(r"^(?:(?:earlier|later|late|early)\s+)?(?:on|by|from|until|since)\s+", re.I)
_YEAR = re.compile(r"\b\d{4}\b")
_DAY_NUMBER = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b")


def resolve_date(
    expression: str, published: dt.date | None, *, future: bool = False
) -> dt.date | None:
    """The day *expression* names, relative to *published*; None when not one day.

    *future* says the sentence speaks of what is to come ("will meet on Thursday"),
    so a weekday after the publication day is that week's, not the week before's.
    """
    text = _LEAD.sub("", " ".join(expression.split())).strip(" ,.")
    if not text or (_VAGUE.search(text) and not _DAY_NUMBER.search(text)):
        return None
    if published is None and _WEEKDAY.search(text):
        return None  # a weekday means nothing without the day the story ran
    base = dt.datetime.combine(published or dt.date.today(), dt.time(12))
    settings: dict[str, object] = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "current_period",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    weekday = _WEEKDAY.search(text) is not None
    if not weekday:
        settings["REQUIRE_PARTS"] = ["day", "month"]
    parsed = _parse(text, settings)
    if parsed is None:
        return None
    day = parsed.date()
    if published is None:
        return day
    if weekday:
        if day > published and not future:
            day -= dt.timedelta(days=7)  # "said on Friday" in Tuesday's paper: last Friday
        elif day < published and future:
            day += dt.timedelta(days=7)  # "will meet on Friday": the coming Friday
    elif not _YEAR.search(text) and day > published and not future:
        try:  # "on July 28" in a story from May, told in the past tense: last July
            day = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return None
    return day


def with_dates(facts: Sequence[Fact], published: dt.date | None) -> list[Fact]:
    """*facts* of one source, each dated by the first of its expressions that names a day."""
    return [_dated(fact, published) for fact in facts]


def _dated(fact: Fact, published: dt.date | None) -> Fact:
    for text, future in fact.dated:
        day = resolve_date(text, published, future=future)
        if day is not None:
            return replace(fact, date=day)
    return fact


def warm_up() -> None:
    """Load dateparser and its English data now (0.15 s), not at the first date."""
    resolve_date("on Monday 6 January 2025", dt.date(2025, 1, 6))


def _parse(text: str, settings: dict[str, object]) -> dt.datetime | None:
    import dateparser  # imported late: only sentences with a date need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about pytz/locale internals
        try:
            return dateparser.parse(text, languages=["en"], settings=settings)
        except (ValueError, OverflowError):  # out-of-range parts: no usable date
            logger.debug("dateparser could not read %r", text)
            return None
