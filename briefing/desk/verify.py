"""``briefing verify``: check every citation of a brief again, line by line.

Each citation quotes its source sentence and gives its offsets. Against the
texts stored with the brief (its JSON, or the history), an archive folder
written by ``--archive``, or the live pages fetched again, each line is:

- ``verified``: every quote stands in its source, at its offsets or (a page
  that was edited around it) elsewhere in the text;
- ``changed at source``: a source is there, but no longer says it;
- ``gone``: a source cannot be had (no archived file, the page answers 404 or
  not at all, or it has no address to fetch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..models import Brief, Citation, Source
from ..sources.inputs import canonical_url, gather_sources
from .lines import normalise

__all__ = ["VERDICTS", "LineCheck", "Verification", "archive_texts", "fetched_texts",
           "stored_texts", "verify_brief"]

logger = logging.getLogger(__name__)

VERDICTS = ("verified", "changed at source", "gone")


class Gone(Exception):
    """A source's text cannot be had; the message says why."""


# What a verification reads a source's text from: the text, or Gone.
Texts = Callable[[Source], str]


@dataclass(frozen=True)
class LineCheck:
    id: str
    text: str
    sources: tuple[str, ...]  # the source numbers cited
    verdict: str  # one of VERDICTS
    details: tuple[str, ...] = ()  # per failing or moved citation, what was found


@dataclass(frozen=True)
class Verification:
    against: str  # "the stored texts", "the archive DIR", "the live pages"
    lines: tuple[LineCheck, ...]

    @property
    def ok(self) -> bool:
        return all(line.verdict == "verified" for line in self.lines)

    def counts(self) -> dict[str, int]:
        return {verdict: sum(line.verdict == verdict for line in self.lines)
                for verdict in VERDICTS}


def verify_brief(brief: Brief, texts: Texts, *, against: str) -> Verification:
    """Check every printed line's citations against the *texts* of its sources."""
    sources = {source.id: source for source in brief.sources}
    found: dict[str, str | Gone] = {}
    checks = []
    for item in brief.items:
        verdict, details = "verified", []
        for citation in item.citations:
            source = sources.get(citation.source_id)
            if source is None:
                verdict = _worse(verdict, "gone")
                details.append(f"[{citation.source_id}] is not in the brief's sources")
                continue
            if source.id not in found:
                try:
                    found[source.id] = texts(source)
                except Gone as gone:
                    found[source.id] = gone
            text = found[source.id]
            if isinstance(text, Gone):
                verdict = _worse(verdict, "gone")
                details.append(f"[{source.id}] {source.label}: {text}")
                continue
            where = _locate(citation, text)
            if where is None:
                verdict = _worse(verdict, "changed at source")
                details.append(f"[{source.id}] {source.label}: the quote is no longer in "
                               "its text")
            elif where != citation.start:
                details.append(f"[{source.id}] moved from offset {citation.start} to {where}")
        checks.append(LineCheck(item.id, item.text,
                                tuple(dict.fromkeys(c.source_id for c in item.citations)),
                                verdict, tuple(details)))
    verification = Verification(against, tuple(checks))
    logger.info("verified %d lines against %s: %s", len(checks), against, verification.counts())
    return verification


def _worse(a: str, b: str) -> str:
    return max(a, b, key=VERDICTS.index)


def _locate(citation: Citation, text: str) -> int | None:
    """Where the quote stands in *text*: its offset, or None when it is not there.

    At its offsets exactly; else anywhere, exactly; else with typography and white
    space normalised (a page re-rendered with other quotes or line breaks), as the
    offset in the normalised text.
    """
    if text[citation.start:citation.end] == citation.quote:
        return citation.start
    exact = text.find(citation.quote)
    if exact >= 0:
        return exact
    loose = normalise(text).find(normalise(citation.quote))
    return loose if loose >= 0 else None


def stored_texts(stored: Mapping[str, str] | None = None) -> Texts:
    """The texts kept with the brief (its JSON's or the history's); *stored* maps a
    source number to a text kept elsewhere, which wins."""

    def text(source: Source) -> str:
        if stored is not None and source.id in stored:
            return stored[source.id]
        if not source.text:
            raise Gone("the brief keeps no text of it; verify with --archive or --fetch")
        return source.text

    return text


def archive_texts(folder: str | Path) -> Texts:
    """The texts of an ``--archive`` folder, matched to a source by its canonical URL,
    else by the archive's file name for it."""
    from ..delivery.archive import archive_stem
    from ..sources.ingest import read_sources

    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such archive folder; give the folder the build "
                         "wrote with --archive")
    archived = read_sources([folder])
    by_url = {canonical_url(s.url): s for s in archived if s.url}
    by_stem = {Path(s.path).stem: s for s in archived}

    def text(source: Source) -> str:
        match = by_url.get(canonical_url(source.url)) if source.url else None
        match = match or by_stem.get(archive_stem(source))
        if match is None:
            raise Gone(f"not in the archive {folder}")
        return match.text

    return text


def fetched_texts(*, offline: bool = False) -> Texts:
    """The live pages: each source's URL fetched and read as a build reads it."""

    def text(source: Source) -> str:
        if not source.url:
            raise Gone("it has no web address to fetch (a local file); verify it with "
                       "--archive")
        sources, failures = gather_sources([source.url], offline=offline)
        if not sources:
            raise Gone(failures[0].message if failures else f"{source.url}: no article there")
        return sources[0].text

    return text
