"""RSS and Atom feeds -> their entries, with feedparser; which entries a brief takes.

Each entry becomes a source (``inputs.py``): from its full content when the feed
carries it (Atom ``<content>``, RSS ``<content:encoded>``, or a description long
enough to be the article rather than a teaser), else from its link, fetched.
``--since`` keeps the entries published on or after a moment; ``--max-items``
the N most recent of each feed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

__all__ = ["FeedEntry", "read_feed", "select_entries", "looks_like_feed"]

logger = logging.getLogger(__name__)

FULL_TEXT_MIN_WORDS = 150  # a description this long is the article; a teaser is 1-3 sentences
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as much as the feed says about it."""

    index: int  # 1 for the feed's first entry
    outlet: str | None  # the feed's title
    title: str | None
    link: str | None
    author: str | None
    published: dt.datetime | None  # aware, UTC
    content: str | None  # HTML of the full article, when the feed carries it


def looks_like_feed(data: bytes) -> bool:
    """True when the document's root element is an RSS, Atom or RDF feed's."""
    return bool(_FEED_ROOT.search(data[:4096]))


def read_feed(
    data: bytes, *, path: str, content_type: str | None = None, base: str | None = None
) -> list[FeedEntry]:
    """The entries of a feed document; a broken feed is an InputError naming *path*.

    *base* is the feed's own address, against which relative entry links resolve.
    """
    headers = {"content-type": content_type} if content_type else {}
    if base:
        headers["content-location"] = base
    import feedparser  # imported late: only builds with feeds pay for it

    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    outlet = _clean(parsed.feed.get("title"))
    entries = [_entry(number, outlet, entry) for number, entry in
               enumerate(parsed.entries, start=1)]
    if parsed.bozo:
        # feedparser salvages what it can from a broken feed; keep it if it found articles.
        problem = " ".join(str(parsed.get("bozo_exception", "not a feed")).split())
        if not any(entry.link or entry.content for entry in entries):
            raise InputError(f"{path}: not a readable RSS or Atom feed ({problem}); "
                             "check the address, or give the feed's page instead")
        logger.info("%s: feed is not well-formed (%s); read what parsed", path, problem)
    return entries


def select_entries(
    entries: Sequence[FeedEntry], *, since: dt.datetime | None = None,
    max_items: int | None = None
) -> list[FeedEntry]:
    """Entries published at or after *since* (undated ones too only without it), the
    *max_items* most recent of them, in the feed's order."""
    kept = [e for e in entries if since is None or (e.published and e.published >= since)]
    if max_items is not None and len(kept) > max_items:
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        newest = sorted(kept, key=lambda e: e.published or oldest, reverse=True)[:max_items]
        chosen = {e.index for e in newest}
        kept = [e for e in kept if e.index in chosen]
    return kept


def _entry(index: int, outlet: str | None, entry: Any) -> FeedEntry:
    return FeedEntry(
        index=index,
        outlet=outlet,
        title=_clean(entry.get("title")),
        link=entry.get("link") or None,
        author=_clean(entry.get("author")),
        published=_published(entry),
        content=_content(entry),
    )


def _content(entry: Any) -> str | None:
    bodies = [part.get("value", "") for part in entry.get("content", [])]
    best = max(bodies, key=len, default="")
    if best.strip():
        return best
    summary = entry.get("summary", "")
    words = len(_TAG.sub(" ", summary).split())
    return summary if words >= FULL_TEXT_MIN_WORDS else None


def _published(entry: Any) -> dt.datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if not moment:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(moment), tz=dt.UTC)


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None
