"""A saved or fetched web page -> a Source: trafilatura finds the article and its metadata.

trafilatura extracts the main text (one line per paragraph) and the page's
metadata: title, site name (``og:site_name``), author, URL (the canonical link)
and publication date. The date comes from the page's own markup first
(``article:published_time``, JSON-LD, ``<time>``...) and only failing that from
a date guessed from the text, as htmldate orders them.

The extracted text is the source's text: citation offsets index it, the JSON
carries it and ``--archive`` keeps it. ``clean.py`` still runs on it, with the
same rules as on a text file: trafilatura removes the page's navigation, but
keeps the headline, subheadings and at times a caption or a "read more" line
inside the article; the line rules drop those, and a page and the same article
saved as text then give the same brief, as does an archive of it read back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError
from ..models import Source
from .encoding import decode_text
from .ingest import text_source

__all__ = ["read_page"]

logger = logging.getLogger(__name__)


def read_page(
    data: bytes | str,
    *,
    path: str,
    url: str | None = None,
    charset: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Source:
    """The article of an HTML page; *path* names it in messages, *url* is where it was.

    *metadata* fills what the page itself does not say (a feed entry's title...).
    """
    html = data if isinstance(data, str) else decode_text(data, name=path, declared=charset)
    import trafilatura  # imported late: text-only builds never pay its 65 ms

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=False,  # table cells are not sentences
    )
    text = (getattr(document, "text", None) or "").strip()
    if document is None or not text:
        raise InputError(f"{path}: no article text found in the page; "
                         "check that it is an article, not an index or a login page")
    found = {key: value for key, value in (metadata or {}).items() if value}
    found.update(_page_metadata(document, url))
    return text_source(text + "\n", path=path, metadata=found)


def _page_metadata(document: Any, url: str | None) -> dict[str, Any]:
    page_url = document.url or url
    found: dict[str, Any] = {
        "title": document.title,
        "outlet": document.sitename or _host(page_url),
        "author": document.author,
        "url": page_url,
        "published": _date(document.date),
    }
    return {key: " ".join(value.split()) if isinstance(value, str) else value
            for key, value in found.items() if value}


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        logger.debug("page date %r is not a date; ignored", value)
        return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
