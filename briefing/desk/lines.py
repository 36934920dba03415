"""Stable ids of brief lines, and the keys that match a line with yesterday's.

A line's id is made from what the line says and where it comes from, never from
the source numbers of one day's brief (those change with the inputs): its text,
normalised, and the identities of the sources it cites. A source's identity is
its canonical URL when it has one (an article updated in place keeps its
identity), else a hash of its text. So the same statement from the same sources
gets the same id tomorrow, and a line that gains a source or changes a figure
gets a new one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..models import Item, Source
from ..sources.inputs import canonical_url

__all__ = ["ID_LENGTH", "LineKeys", "figures", "keys_of", "line_id", "line_keys", "masked",
           "normalise", "source_identity"]

ID_LENGTH = 10  # hex digits: 40 bits, no collision among a desk's few thousand lines
_ID_FORMAT = "briefing-line/1"  # hashed first: a change of the recipe changes every id
_FIGURE = re.compile(r"\d+(?:[.,:]\d+)*")
_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u00a0": " ",
})


def normalise(text: str) -> str:
    """*text* as compared across days: Unicode-normalised, curly quotes and dashes
    made plain, case folded, white space collapsed."""
    plain = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return " ".join(plain.casefold().split())


def masked(text: str) -> str:
    """The normalised text with every figure replaced by '#': "12 dead" and "19 dead"
    are the same sentence with a changed figure."""
    return _FIGURE.sub("#", normalise(text))


def figures(text: str) -> tuple[str, ...]:
    """The figures of *text* in order, as written."""
    return tuple(_FIGURE.findall(normalise(text)))


def source_identity(source: Source) -> str:
    """What names *source* from day to day: ``url:`` and its canonical URL, or
    ``text:`` and a hash of its text when it has no URL."""
    if source.url:
        return "url:" + canonical_url(source.url)
    return "text:" + hashlib.sha256(source.text.encode("utf-8")).hexdigest()[:32]


def line_id(text: str, identities: Iterable[str]) -> str:
    """The id of a line saying *text*, citing the sources of those *identities*."""
    recipe = "\n".join([_ID_FORMAT, normalise(text), *sorted(set(identities))])
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:ID_LENGTH]


@dataclass(frozen=True)
class LineKeys:
    """What the desk compares of a line: its id, and what makes two lines one statement."""

    id: str
    text: str  # normalised
    masked: str  # normalised, figures masked
    figures: tuple[str, ...]
    sources: frozenset[str]  # identities of the cited sources
    quotes: frozenset[tuple[str, str]]  # (source identity, normalised quote)
    masked_quotes: frozenset[tuple[str, str]]  # (source identity, quote with figures masked)


def line_keys(item: Item, identities: Mapping[str, str]) -> LineKeys:
    """The keys of *item*; *identities* maps the brief's source numbers to identities."""
    return keys_of(item.text, [(identities[c.source_id], c.quote) for c in item.citations])


def keys_of(text: str, cited: Iterable[tuple[str, str]]) -> LineKeys:
    """The keys of a line saying *text*, citing these (source identity, quote)."""
    cited = list(cited)
    sources = frozenset(identity for identity, _ in cited)
    return LineKeys(
        id=line_id(text, sources),
        text=normalise(text),
        masked=masked(text),
        figures=figures(text),
        sources=sources,
        quotes=frozenset((identity, normalise(quote)) for identity, quote in cited),
        masked_quotes=frozenset((identity, masked(quote)) for identity, quote in cited),
    )
