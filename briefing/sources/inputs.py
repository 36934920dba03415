"""Every kind of input -> sources, the failures named, the same article counted once.

An input is a text file, a saved web page, a feed file, a folder of those, or an
``http``/``https`` URL (a page, a feed, or plain text, by the answer's content
type). Each input or feed entry that cannot be read becomes a
:class:`~briefing.models.Failure` with its one-line reason, and the rest go on.

The same article given twice (a file and its URL, a story in two feeds) counts
once: two sources are the same when their canonical URLs match (scheme, ``www.``,
a trailing slash, the fragment and ``utm_*`` tracking parameters aside) or their
article bodies match word for word. The first one given wins: it keeps its
number and its metadata; the later one is left out with a note in the log.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..errors import InputError
from ..models import Failure, FetchLimits, Source, without_credentials
from .encoding import decode_text
from .feeds import FeedEntry, looks_like_feed, read_feed, select_entries
from .ingest import (
    TEXT_SUFFIXES,
    expand_input,
    read_bytes,
    read_source,
    text_source,
    warn_missing_metadata,
)
from .language import language_name, written_in
from .webpage import read_page

if TYPE_CHECKING:  # httpx loads only when an input is a URL (about 0.1 s)
    from .fetch import Download, Session

__all__ = ["INPUT_SUFFIXES", "SeenArticles", "canonical_url", "gather_sources", "is_url"]

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
INPUT_SUFFIXES = TEXT_SUFFIXES + PAGE_SUFFIXES + FEED_SUFFIXES  # what a folder yields
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml")  # generic XML is a feed only by its root
TEXT_TYPES = ("text/plain", "text/markdown")
_HEAD_BYTES = 4096  # where a brief's generator mark sits: the top of its <head>
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)",
                         re.IGNORECASE | re.DOTALL)
# What briefing writes as HTML: a page with its generator meta, or a fragment whose one
# root is the scoped section (templates/brief.html, brief-fragment.html).
_BRIEF_MARK = re.compile(
    rb"""<meta\s+name=["']?generator["']?\s+content=["']?briefing\b"""
    rb"""|^\s*<section\s+class=["']?briefing-brief\b""",
    re.IGNORECASE,
)


def gather_sources(
    inputs: Sequence[str | Path],
    *,
    offline: bool = False,
    since: dt.datetime | None = None,
    max_items: int | None = None,
    limits: FetchLimits | None = None,
    language: str | None = None,
) -> tuple[list[Source], list[Failure]]:
    """Read every input; sources numbered from 1 in input order, and what failed.

    *since* (aware) and *max_items* select feed entries; *limits* bound each
    fetch; with *offline* nothing is fetched and every URL is a failure. With a
    *language* (an ISO 639-1 code, the model's), a source surely written in
    another is a failure too: a model reads only its own language.
    """
    with contextlib.ExitStack() as cleanup:
        gathering = _Gathering(offline=offline, since=since, max_items=max_items,
                               limits=limits or FetchLimits(), cleanup=cleanup)
        gathering.read(inputs)
    readable = gathering.sources
    if language is not None:
        readable = [s for s in readable if not _foreign(s, language, gathering.failures)]
    sources = [dataclasses.replace(source, id=str(number))
               for number, source in enumerate(readable, start=1)]
    cited = {source.path for source in sources}
    _warn_missing_metadata([file for file in gathering.unlabelled if str(file) in cited])
    return sources, gathering.failures


def _foreign(source: Source, language: str, failures: list[Failure]) -> bool:
    """Is *source* in another language than *language*? Then it joins *failures*."""
    body = "\n".join(source.text[s.start : s.end] for s in source.body)
    found = written_in(body, language)
    if found is None:
        return False
    failures.append(Failure(source.path, (
        f"{source.path}: written in {language_name(found)} ({found}), not in "
        f"{language_name(language)}, the language of the model; left out (a model of "
        f"{language_name(found)} reads it: --model)"
    )))
    return True


_NAMED = 3  # files named in the summary of those without metadata; the rest counted


def _warn_missing_metadata(files: Sequence[Path]) -> None:
    """One warning for every text file without metadata: a folder of 26 is one line."""
    if len(files) == 1:
        warn_missing_metadata(files[0])
    elif files:
        names = ", ".join(file.name for file in files[:_NAMED])
        more = f" and {len(files) - _NAMED} more" if len(files) > _NAMED else ""
        logger.warning(
            "%d text files have no metadata file (%s%s); their file names stand in for the "
            "outlet: add NAME.toml beside each, with outlet, title and published",
            len(files), names, more,
        )


def canonical_url(url: str) -> str:
    """*url* reduced to what names the article: host, path and meaningful query."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # not a URL Python can split ("http://[::1/x"): itself
        return url.strip()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode(sorted((key, value) for key, value in
                             parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(key)))
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{query}" if query else "")


@dataclass
class _Gathering:
    offline: bool
    since: dt.datetime | None
    max_items: int | None
    limits: FetchLimits
    cleanup: contextlib.ExitStack
    client: Session | None = None  # made at the first fetch, shared by the rest
    sources: list[Source] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seen: SeenArticles = field(default_factory=lambda: SeenArticles())
    unlabelled: list[Path] = field(default_factory=list)  # text files without metadata

    def read(self, inputs: Sequence[str | Path]) -> None:
        for given in inputs:
            name = str(given)
            if is_url(name):
                self.url(name)
                continue
            try:
                files = expand_input(given, suffixes=INPUT_SUFFIXES)
            except InputError as error:
                self.fail(name, error)
                continue
            for file in files:
                self.file(file)

    def fail(self, name: str, error: InputError) -> None:
        self.failures.append(Failure(name, str(error)))

    def file(self, file: Path) -> None:
        name = str(file)
        try:
            suffix = file.suffix.lower()
            if suffix in TEXT_SUFFIXES:
                self.add(read_source(file, missing_metadata=self.unlabelled.append))
                return
            data = read_bytes(file)
            if _BRIEF_MARK.search(data[:_HEAD_BYTES]):
                logger.info("%s: a brief made by briefing, not an article; left out", name)
            elif suffix in PAGE_SUFFIXES or (suffix not in FEED_SUFFIXES
                                             and _HTML_START.match(data)):
                self.add(read_page(data, path=name))
            elif suffix in FEED_SUFFIXES or looks_like_feed(data):
                self.feed(data, name=name)
            else:
                self.add(text_source(decode_text(data, name=name), path=name, file=file,
                                     missing_metadata=self.unlabelled.append))
        except InputError as error:
            self.fail(name, error)

    def url(self, url: str, *, name: str | None = None,
            entry: dict[str, Any] | None = None) -> None:
        """Fetch and read *url*; *name* labels it (a feed entry), *entry* fills metadata."""
        from .fetch import fetch, open_client

        name = without_credentials(name or url)  # fetched with them, never shown
        try:
            if self.client is None and not self.offline:
                self.client = self.cleanup.enter_context(open_client())
            download = fetch(url, limits=self.limits, offline=self.offline, client=self.client)
            kind = _kind(download)
            if kind == "feed" and entry is None:
                self.feed(download.data, name=name, content_type=download.content_type,
                          base=download.final_url)
            elif kind == "page":
                self.add(read_page(download.data, path=name, url=download.final_url,
                                   charset=download.charset, metadata=entry))
            elif kind == "text":
                text = decode_text(download.data, name=name, declared=download.charset)
                self.add(text_source(text, path=name,
                                     metadata={"url": download.final_url, **(entry or {})}))
            else:
                raise InputError(
                    f"{name}: content type {download.content_type or 'unknown'} is not a web "
                    "page, a feed or text; give the address of the article's page"
                )
        except InputError as error:
            self.fail(name, error)

    def feed(self, data: bytes, *, name: str, content_type: str | None = None,
             base: str | None = None) -> None:
        entries = read_feed(data, path=name, content_type=content_type, base=base)
        chosen = select_entries(entries, since=self.since, max_items=self.max_items)
        if not entries:
            logger.warning("%s: the feed has no entries", name)
        elif not chosen:
            logger.warning("%s: none of the feed's %d entries is dated %s or later",
                           name, len(entries), f"{self.since:%Y-%m-%d %H:%M} UTC")
        else:
            logger.info("%s: %d of %d entries taken", name, len(chosen), len(entries))
        for entry in chosen:
            self.entry(entry, feed=name)

    def entry(self, entry: FeedEntry, *, feed: str) -> None:
        name = without_credentials(entry.link) if entry.link else f"{feed} entry {entry.index}"
        metadata = {key: value for key, value in (
            ("outlet", entry.outlet), ("title", entry.title), ("author", entry.author),
            ("url", entry.link), ("published", entry.published and entry.published.date()),
        ) if value}
        if entry.link and self.seen.repeats(name, {"url": canonical_url(entry.link)}):
            return  # known before fetching it again
        count = len(self.sources)
        self.entry_source(entry, name=name, metadata=metadata)
        if entry.link and len(self.sources) > count:
            self.seen.urls.setdefault(canonical_url(entry.link), name)

    def entry_source(self, entry: FeedEntry, *, name: str, metadata: dict[str, Any]) -> None:
        if entry.content:
            try:
                page = read_page(f"<html><body><article>{entry.content}</article></body></html>",
                                 path=name, url=entry.link)
                # A fragment's own "metadata" is guesswork: the feed's entry says it.
                self.add(dataclasses.replace(page, **metadata))
                return
            except InputError as error:
                if not entry.link:
                    self.fail(name, error)
                    return
                logger.info("%s: feed content unusable (%s); fetching the link", name, error)
        if entry.link:
            self.url(entry.link, name=name, entry=metadata)
        else:
            self.fail(name, InputError(f"{name}: feed entry has neither content nor a link; "
                                       "nothing to read"))

    def add(self, source: Source) -> None:
        if self.seen.add(source):
            self.sources.append(source)


class SeenArticles:
    """The articles met so far, by canonical URL and by body text, each with the name
    of the source that brought it first: whether a new source repeats one."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}  # canonical URL -> who has it
        self.texts: dict[str, str] = {}  # body digest -> who has it

    def add(self, source: Source) -> bool:
        """Note *source*; False (and a note in the log) when it repeats an earlier one."""
        keys = {"text": _digest(source)}
        if source.url:
            keys["url"] = canonical_url(source.url)
        if self.repeats(source.path, keys):
            return False
        self.texts[keys["text"]] = source.path
        if source.url:
            self.urls[keys["url"]] = source.path
        return True

    def repeats(self, name: str, keys: dict[str, str]) -> bool:
        """Does the article of *keys* (``url``, ``text``) repeat one met before?"""
        for kind, table in (("url", self.urls), ("text", self.texts)):
            first = table.get(keys.get(kind, ""))
            if first is not None:
                logger.info("%s: same article as %s (same %s); counted once, as %s",
                            name, first, kind, first)
                return True
        return False


def is_url(value: str) -> bool:
    """True when *value* names a URL (any scheme) rather than a local path."""
    scheme = _SCHEME.match(value)  # not urlsplit: it refuses some URLs ("http://[::1/x")
    return scheme is not None and len(scheme.group(1)) > 1  # "C:\\x" is a drive


def _kind(download: Download) -> str:
    media = download.content_type
    if media in PAGE_TYPES:
        return "page"
    if media in FEED_TYPES or not media:
        if looks_like_feed(download.data):
            return "feed"
        if _HTML_START.match(download.data):
            return "page"
        return "text" if not media else "other"
    if media in TEXT_TYPES:
        return "text"
    return "other"


def _digest(source: Source) -> str:
    body = " ".join(" ".join(source.text[s.start:s.end].split()) for s in source.body)
    return hashlib.sha256(body.casefold().encode("utf-8")).hexdigest()
