"""The whole job as a library call: inputs in, a one-page Brief and its outputs out.

``build_brief`` runs ingest -> extract -> group -> select -> fit; ``write_output``
writes one format atomically (a temporary file beside the target, then a rename),
so a failed run never leaves a half-written brief behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import FactCache, default_cache_dir
from .errors import BriefingError, InputError, OutputError
from .group import group
from .inputs import gather_sources
from .modelinfo import DEFAULT_MODEL, model_identity
from .models import Brief, Failure, FetchLimits, Source
from .select import select
from .themes import load_themes
from .workers import Extraction, ParserPool

if TYPE_CHECKING:
    from .mail import MailSettings

__all__ = ["FORMATS", "PAPERS", "Build", "build_brief", "render_output", "write_output"]

logger = logging.getLogger(__name__)

FORMATS = ("pdf", "html", "json", "eml")
PAPERS = ("a4", "letter")
DEFAULT_TITLE = "Briefing note"


@dataclass
class Build:
    """A finished build: the brief, its laid-out PDF document, and stage timings."""

    brief: Brief
    document: object  # weasyprint.Document, laid out once and reused for the PDF
    timings: dict[str, float] = field(default_factory=dict)
    layouts: int = 0
    failures: tuple[Failure, ...] = ()  # inputs that gave no source; the brief has the rest
    # Model load and parse, in the worker processes, beside the timings above (summed
    # over the workers); the timings above hold only this process's wait for them.
    worker_timings: dict[str, float] = field(default_factory=dict)


def build_brief(
    inputs: Sequence[str | Path],
    *,
    themes: str | Path | None = None,
    model: str = DEFAULT_MODEL,
    title: str = DEFAULT_TITLE,
    date: dt.date | None = None,
    paper: str = "a4",
    offline: bool = False,
    since: dt.datetime | None = None,
    max_items: int | None = None,
    limits: FetchLimits | None = None,
    jobs: int = 1,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    pool: ParserPool | None = None,
) -> Build:
    """Read *inputs*, extract and group their facts, and fit the brief to one page.

    An input that fails is logged as a warning and listed in ``Build.failures``;
    the brief is built from the rest. No usable source at all is an InputError.
    *jobs* processes parse the articles (the output is the same for any number).
    With *cache*, each article's facts are kept in *cache_dir* (default:
    ``cache.default_cache_dir()``) and a later build parses only what is new.
    *progress* is called as (articles done, articles in all) during extraction.
    With a *pool* (of the same *model* and *jobs*), its workers parse, and keep
    the model loaded for the next build.
    """
    if pool is not None and (pool.model, pool.jobs) != (model, jobs):
        raise ValueError(f"the pool parses with {pool.model} in {pool.jobs} processes, "
                         f"not {model} in {jobs}")
    if jobs < 1:
        raise BriefingError(f"jobs {jobs} is not a number of processes; give 1 or more")
    if paper not in PAPERS:
        raise BriefingError(f"paper {paper!r} is not one of {', '.join(PAPERS)}")
    if not title.strip():
        raise BriefingError("title is empty; give --title some text")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    theme_set = load_themes(themes)
    identity = model_identity(model) if cache else None
    fact_cache = None
    if identity is not None:
        folder = cache_dir if cache_dir is not None else default_cache_dir()
        fact_cache = FactCache(folder, model=identity, themes=theme_set)
    done = 0
    total = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    # Worker processes import spaCy and load the model while this one reads the
    # inputs and then loads the renderer. Without a cache they will surely be
    # needed; with one, they start anyway where a spare core has nothing else to
    # do, and stop if every article turns out to be cached.
    early = fact_cache is None or (os.cpu_count() or 1) > 1
    with Extraction(theme_set, model=model, jobs=jobs, cache=fact_cache, progress=advance,
                    early=early, pool=pool) as extraction:
        sources, failures = gather_sources(inputs, offline=offline, since=since,
                                           max_items=max_items, limits=limits)
        _report_failures(sources, failures, len(inputs))
        lap("ingest")
        total = len(sources)
        extraction.submit(sources)
        lap("cache")
        from . import render  # WeasyPrint is slow to import: only when a brief is laid out

        lap("load renderer")
        if extraction.parsing:  # the workers are at it: ready fonts and stylesheet meanwhile
            render.warm_up(paper)
            lap("warm up renderer")
        facts = extraction.facts()
        lap("wait for parse")
    placements = group(facts, theme_set)
    brief = select(
        placements,
        sources,
        theme_set,
        title=" ".join(title.split()),
        date=date or dt.date.today(),
        paper=paper,
    )
    lap("group and select")
    brief, document = render.fit_to_page(brief)
    lap("layout")
    passes = brief.extra.get("layout_seconds", ())
    if passes:  # the layout lap, pass by pass, and the measuring between passes
        fitting = timings.pop("layout") - sum(passes)
        timings.update({f"layout {n}": seconds for n, seconds in enumerate(passes, 1)})
        timings["fit measure"] = fitting
    build = Build(brief, document, timings, brief.extra.get("layouts", 0), tuple(failures),
                  dict(extraction.timings))
    logger.info(
        "built %d lines in %d themes (%d left out to fit one page, %d layouts)",
        len(brief.items), len(brief.themes), brief.dropped, build.layouts,
    )
    return build


def _report_failures(sources: list[Source], failures: list[Failure], inputs: int) -> None:
    if not sources and len(failures) == 1 and inputs == 1:
        raise InputError(failures[0].message)  # the one input's own reason, said once
    for failure in failures:
        logger.warning("%s", failure.message)
    if not sources:
        raise InputError(
            f"no usable source: none of the {inputs} input(s) gave an article"
            + (f" ({len(failures)} failed, see the warnings above)" if failures else "")
            + "; fix or replace them"
        )


def render_output(
    build: Build,
    fmt: str,
    *,
    fragment: bool = False,
    id_prefix: str | None = None,
    mail: MailSettings | None = None,
) -> bytes:
    """The bytes of *fmt* for a finished build (timed in ``build.timings``).

    html: a whole page, or with *fragment* a section to paste into a page (its ids
    prefixed with *id_prefix*). eml: a message to *mail*'s addresses, PDF attached.
    """
    from . import render

    started = time.perf_counter()
    if fmt == "pdf":
        data = render.write_pdf(build.document)
    elif fmt == "html" and fragment:
        from .embed import render_fragment

        data = render_fragment(build.brief, id_prefix=id_prefix).encode("utf-8")
    elif fmt == "html":
        data = render.render_html(build.brief).encode("utf-8")
    elif fmt == "eml":
        from .mail import MailSettings, compose

        message = compose(build.brief, render.write_pdf(build.document), mail or MailSettings())
        data = message.as_bytes()
    elif fmt == "json":
        data = render.render_json(build.brief).encode("utf-8")
    else:
        raise BriefingError(f"format {fmt!r} is not one of {', '.join(FORMATS)}; pick one")
    build.timings[f"write {fmt}"] = time.perf_counter() - started
    return data


def write_output(data: bytes, output: str | Path) -> Path | None:
    """Write *data* to *output* atomically; "-" writes to standard output."""
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"{output}: is a folder; give a file name such as brief.pdf")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{output}: folder {folder} does not exist; create it first")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(
            f"{output}: cannot write in {folder} ({error.strerror}); pick another --output"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; match a plain open()
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{output}: cannot write ({error.strerror}); pick another --output"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
