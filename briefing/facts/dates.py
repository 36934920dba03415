"""Resolve the dates a sentence names against its source's publication date.

dateparser does the parsing; the rules here only decide which expressions name a
day precisely enough to print beside a line. "On Tuesday" in a story published on
a Tuesday is that day; "Monday" is the Monday before; "May 16" is that day of the
publication year. Only calendar expressions date a line: a weekday, a month with
its day, "yesterday", "today", "tomorrow", a numeric date. Durations ("after 15
years", "one day after he called", "three weeks") and vague spans ("earlier this
month", "over the weekend", "March 2022") name no day and resolve to None: a brief
shows no date rather than a guessed one. So does a day without a year that falls
far from the publication date (a teaser's "July 28" in a story from May), and any
relative expression of a source with no publication date: those are never
resolved against today.

Extraction notes each fact's date expressions (``Fact.dated``); ``with_dates``
resolves them in the process that collects the facts, so the worker processes
parsing articles never wait for dateparser, and ``warm_up`` readies it there
while they parse.
"""

from __future__ import annotations

import datetime as dt
import functools
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
_LEAD = re.compile(
    r"^(?:(?:earlier|later|late|early)\s+(?:on\s+)?|(?:on|by|from|until|since)\s+)", re.I
)  # "late Tuesday" is Tuesday
_YEAR = re.compile(r"\b\d{4}\b")
_DAY_NUMBER = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b")
# What makes an expression a calendar one: a weekday, a month, a day named by its
# relation to today, or a numeric date (2024-06-17, 17/06/2024, 6/17).
_CALENDAR = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?"
    r"|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?|yesterday|today|tomorrow|tonight)\b|\b\d{4}-\d{1,2}-\d{1,2}\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    re.IGNORECASE,
)
# A count of time units: "15 years", "one day after", "three weeks later". Even with a
# calendar word beside it ("Monday, three years on") it measures, it does not date.
_DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|"
    r"several|many|\w+teen|\w+ty)[\s-]+(?:hours?|days?|nights?|weeks?|months?|years?|"
    r"decades?)\b",
    re.IGNORECASE,
)
_RELATIVE_DAYS = re.compile(r"\b(?:yesterday|today|tomorrow|tonight)\b", re.IGNORECASE)
# A day named without its year is meant near the story's own date: news writes the
# year only for another year's day, so "on May 16" is of the months around
# publication ("December 28" in a January story: the December before). Beyond this
# many days either way it is another story's date (a teaser's "July 28" in a story
# from May): left out, not shown as a guess.
NEAR_DAYS = 183


def resolve_date(
    expression: str, published: dt.date | None, *, future: bool = False
) -> dt.date | None:
    """The day *expression* names, relative to *published*; None when not one day.

    *future* says the sentence speaks of what is to come ("will meet on Thursday"),
    so a weekday after the publication day is that week's, not the week before's.
    """
    if published is None:  # resolved against today, if at all: not remembered
        return _resolve(expression, None, future)
    return _resolve_published(expression, published, future)


@functools.lru_cache(maxsize=4096)
def _resolve_published(expression: str, published: dt.date, future: bool) -> dt.date | None:
    """``_resolve`` remembered: a day's stories write "on Monday" and "yesterday" again
    and again, and each dateparser call costs about half a millisecond."""
    return _resolve(expression, published, future)


def _resolve(expression: str, published: dt.date | None, future: bool) -> dt.date | None:
    text = _LEAD.sub("", " ".join(expression.split())).strip(" ,.")
    if not text or not _CALENDAR.search(text) or _DURATION.search(text):
        return None  # not a calendar expression: a duration or a span dates nothing
    if _VAGUE.search(text) and not _DAY_NUMBER.search(text):
        return None
    explicit_year = _YEAR.search(text) is not None
    if published is None and not explicit_year:
        return None  # "on Monday", "May 16": relative to a day the source does not give
    weekday = _WEEKDAY.search(text) is not None
    base = dt.datetime.combine(published or dt.date.today(), dt.time(12))
    settings: dict[str, object] = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "current_period",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if not weekday and not _RELATIVE_DAYS.search(text):
        settings["REQUIRE_PARTS"] = ["day", "month"]
    parsed = _parse(text, settings)
    if parsed is None:
        return None
    day = parsed.date()
    if published is None:
        return day
    if weekday:
        if not future and day.weekday() == (published.weekday() + 1) % 7:
            return None  # "voted early Wednesday" in Tuesday's paper: Wednesday where it
            # happened, a time zone ahead, or the Wednesday before? Not sure: not shown
        if day > published and not future:
            day -= dt.timedelta(days=7)  # "said on Friday" in Tuesday's paper: last Friday
        elif day < published and future:
            day += dt.timedelta(days=7)  # "will meet on Friday": the coming Friday
    elif not explicit_year and day > published and not future:
        try:  # a later day told in the past tense: last year's (so far off, dropped below)
            day = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return None
    if not explicit_year and abs((day - published).days) > NEAR_DAYS:
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
