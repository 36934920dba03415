"""`briefing inspect`: a file's lines and facts as the pipeline sees them.

For each line of the file (for a web page, URL or feed entry: of the extracted
text): kept as article body or dropped, and why; then each fact of the kept text
with its speaker, kind, theme and the terms that put it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .errors import InputError
from .facts.extract import load_model
from .facts.extraction import extract
from .facts.group import group
from .facts.modelinfo import DEFAULT_MODEL
from .facts.themes import load_themes
from .sources.inputs import gather_sources

__all__ = ["describe_source"]

_PREVIEW = 90  # characters of a line shown; the offsets locate the rest


def describe_source(
    path: str | Path, *, model: str = DEFAULT_MODEL, themes: str | Path | None = None,
    offline: bool = False,
) -> Iterator[str]:
    """Lines of a human-readable report on one input (a feed: its first entry)."""
    sources, failures = gather_sources([path], offline=offline)
    if not sources:
        raise InputError(failures[0].message if failures else f"{path}: no article found")
    source = sources[0]
    yield (
        f"{source.path}: {len(source.text)} characters; outlet {source.outlet or '-'}; "
        f"title {source.title or '-'}; "
        f"published {source.published or '-'}; author {source.author or '-'}"
    )
    yield ""
    yield "Lines (offsets; KEEP or drop; why):"
    for segment in source.segments:
        mark = "KEEP" if segment.kept else "drop"
        yield (
            f"  {segment.start:>6}-{segment.end:<6} {mark}  {segment.reason:<52} "
            f"{_preview(source.text[segment.start:segment.end])}"
        )
    theme_set = load_themes(themes)
    facts = extract([source], theme_set, nlp=load_model(model))
    yield ""
    yield "Facts (offsets; kind; speaker; date; theme and why; entities):"
    for placement in group(facts, theme_set):
        fact = placement.fact
        reason = ", ".join(placement.reason) or "matches no theme"
        yield (
            f"  {fact.start:>6}-{fact.end:<6} {fact.kind:<8} "
            f"speaker: {fact.speaker or 'unattributed'}; date: {fact.date or '-'}; "
            f"theme: {placement.theme} ({reason})"
        )
        yield f"      {_preview(fact.text)}"
        if fact.entities:
            yield "      entities: " + "; ".join(f"{t} ({label})" for t, label in fact.entities)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"
