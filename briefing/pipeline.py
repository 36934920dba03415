"""The whole job as a library call: inputs in, a one-page Brief and its outputs out.

``build_brief`` runs the stages in order: sources (read, fetch, clean) -> facts
(extract with spaCy, group by theme) -> brief (select, fit one page); its options
are one ``BuildOptions``. ``render_output`` turns the finished build into the bytes
of one format, and ``delivery.output.write_output`` writes them atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .brief.select import select
from .delivery.output import write_output
from .errors import BriefingError, InputError
from .facts.cache import FactCache, default_cache_dir
from .facts.extraction import Extraction
from .facts.group import group
from .facts.modelinfo import DEFAULT_MODEL, model_identity
from .facts.themes import load_themes
from .models import Brief, Failure, FetchLimits, Source, unsafe_character
from .sources.inputs import gather_sources

if TYPE_CHECKING:
    from .delivery.mail import MailSettings
    from .facts.workers import ParserPool

__all__ = [
    "FORMATS",
    "PAPERS",
    "Build",
    "BuildOptions",
    "build_brief",
    "render_output",
    "write_output",
]

logger = logging.getLogger(__name__)

FORMATS = ("pdf", "html", "json", "eml")
PAPERS = ("a4", "letter")
DEFAULT_TITLE = "Briefing note"


@dataclass(frozen=True)
class BuildOptions:
    """What a build reads and how: everything but the inputs themselves.

    Checked when made, so a bad value fails before any input is read; the title's
    runs of white space become single spaces. ``replace`` gives a copy with some
    options changed.
    """

    themes: str | Path | None = None  # a themes file; None: the built-in one
    model: str = DEFAULT_MODEL  # the spaCy pipeline's name
    title: str = DEFAULT_TITLE
    date: dt.date | None = None  # the brief's date; None: today
    paper: str = "a4"  # a4 or letter
    offline: bool = False  # fetch nothing: every URL fails
    since: dt.datetime | None = None  # feed entries published then or later
    max_items: int | None = None  # the newest entries of each feed
    limits: FetchLimits | None = None  # of URL fetches; None: FetchLimits()
    jobs: int = 1  # worker processes parsing the articles; the same brief for any number
    cache: bool = True  # keep each article's facts, so a later build parses only what is new
    cache_dir: str | Path | None = None  # None: cache.default_cache_dir()

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise BriefingError(f"jobs {self.jobs} is not a number of processes; give 1 or more")
        if self.paper not in PAPERS:
            raise BriefingError(f"paper {self.paper!r} is not one of {', '.join(PAPERS)}")
        if not self.title.strip():
            raise BriefingError("title is empty; give --title some text")
        object.__setattr__(self, "title", " ".join(self.title.split()))
        bad = unsafe_character(self.title)  # it heads the page and is the email's Subject
        if bad:
            raise BriefingError(f"title holds {bad}, a control or bidi-override character, "
                                "not text; remove it from --title")

    def replace(self, **changes: object) -> BuildOptions:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


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
    options: BuildOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    pool: ParserPool | None = None,
) -> Build:
    """Read *inputs*, extract and group their facts, and fit the brief to one page.

    An input that fails is logged as a warning and listed in ``Build.failures``;
    the brief is built from the rest. No usable source at all is an InputError.
    *options* say how (``BuildOptions()`` when None). *progress* is called as
    (articles done, articles in all) during extraction. With a *pool* (of the
    options' model and jobs), its workers parse, and keep the model loaded for
    the next build.
    """
    options = options if options is not None else BuildOptions()
    if pool is not None and (pool.model, pool.jobs) != (options.model, options.jobs):
        raise ValueError(f"the pool parses with {pool.model} in {pool.jobs} processes, "
                         f"not {options.model} in {options.jobs}")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    theme_set = load_themes(options.themes)
    identity = model_identity(options.model) if options.cache else None
    fact_cache = None
    if identity is not None:
        folder = options.cache_dir if options.cache_dir is not None else default_cache_dir()
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
    with Extraction(theme_set, model=options.model, jobs=options.jobs, cache=fact_cache,
                    progress=advance, early=early, pool=pool) as extraction:
        sources, failures = gather_sources(inputs, offline=options.offline, since=options.since,
                                           max_items=options.max_items, limits=options.limits)
        _report_failures(sources, failures, len(inputs))
        lap("ingest")
        total = len(sources)
        extraction.submit(sources)
        lap("cache")
        from .brief import render  # WeasyPrint is slow to import: only when a brief is laid out

        lap("load renderer")
        if extraction.parsing:  # the workers are at it: ready fonts and stylesheet meanwhile
            render.warm_up(options.paper)
            lap("warm up renderer")
        facts = extraction.facts()
        lap("wait for parse")
    placements = group(facts, theme_set)
    brief = select(
        placements,
        sources,
        theme_set,
        title=options.title,
        date=options.date or dt.date.today(),
        paper=options.paper,
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
    from .brief import render

    started = time.perf_counter()
    if fmt == "pdf":
        data = render.write_pdf(build.document)
    elif fmt == "html" and fragment:
        from .delivery.embed import render_fragment

        data = render_fragment(build.brief, id_prefix=id_prefix).encode("utf-8")
    elif fmt == "html":
        data = render.render_html(build.brief).encode("utf-8")
    elif fmt == "eml":
        from .delivery.mail import MailSettings, compose

        message = compose(build.brief, render.write_pdf(build.document), mail or MailSettings())
        data = message.as_bytes()
    elif fmt == "json":
        data = render.render_json(build.brief).encode("utf-8")
    else:
        raise BriefingError(f"format {fmt!r} is not one of {', '.join(FORMATS)}; pick one")
    build.timings[f"write {fmt}"] = time.perf_counter() - started
    return data
