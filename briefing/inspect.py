"""`briefing inspect`: each article's lines and facts as the pipeline sees them.

For each line of an article (for a web page, URL or feed entry: of the extracted
text): kept as article body or dropped, and why; then each fact of the kept text
with its speaker, kind, theme and the terms that put it there. Every article the
inputs hold is shown: each file of a folder, each entry of a feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .facts.extract import load_model
from .facts.extraction import extract
from .facts.group import group
from .facts.modelinfo import DEFAULT_MODEL, model_language
from .facts.themes import load_themes
from .models import Failure, Source
from .sources.inputs import gather_sources

__all__ = ["Inspection", "describe_sources"]

logger = logging.getLogger(__name__)

_PREVIEW = 90  # characters of a line shown; the offsets locate the rest


@dataclass
class Inspection:
    """The report on some inputs: iterate for its lines; ``failures``: inputs that gave
    no article (each already logged as a warning)."""

    sources: list[Source]
    failures: list[Failure]
    model: str
    themes: str | Path | None

    def __iter__(self) -> Iterator[str]:
        theme_set = load_themes(self.themes)
        facts = extract(self.sources, theme_set, nlp=load_model(self.model))
        placements = group(facts, theme_set)
        for number, source in enumerate(self.sources, start=1):
            if number > 1:
                yield ""
            count = f"[{number} of {len(self.sources)}] " if len(self.sources) > 1 else ""
            yield (
                f"{count}{source.path}: {len(source.text)} characters; "
                f"outlet {source.outlet or '-'}; title {source.title or '-'}; "
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
            yield ""
            yield "Facts (offsets; kind; speaker; date; theme and why; entities):"
            for placement in placements:
                fact = placement.fact
                if fact.source_id != source.id:
                    continue
                reason = ", ".join(placement.reason) or "matches no theme"
                yield (
                    f"  {fact.start:>6}-{fact.end:<6} {fact.kind:<8} "
                    f"speaker: {fact.speaker or 'unattributed'}; date: {fact.date or '-'}; "
                    f"theme: {placement.theme} ({reason})"
                )
                yield f"      {_preview(fact.text)}"
                if fact.entities:
                    yield "      entities: " + "; ".join(
                        f"{t} ({label})" for t, label in fact.entities
                    )


def describe_sources(
    inputs: Sequence[str | Path], *, model: str = DEFAULT_MODEL,
    themes: str | Path | None = None, offline: bool = False,
) -> Inspection:
    """A human-readable report on every article of *inputs* (files, folders, feeds,
    URLs), those a build reads: inputs that fail, and articles in another language
    than the model's, are warned about; none usable is an InputError."""
    sources, failures = gather_sources(inputs, offline=offline, language=model_language(model))
    if not sources and len(failures) == 1 and len(inputs) == 1:
        raise InputError(failures[0].message)  # the one input's own reason, said once
    for failure in failures:
        logger.warning("%s", failure.message)
    if not sources:
        raise InputError(f"no article found in {', '.join(map(str, inputs))}"
                         + (f" ({len(failures)} failed, see the warnings above)"
                            if failures else ""))
    return Inspection(sources, failures, model, themes)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"
