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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .brief.select import select
from .delivery.output import write_output
from .desk.edits import check_id, load_edits, merge_choices
from .desk.history import History, options_record
from .desk.news import Choices, mark_news, unknown_choices
from .errors import BriefingError, InputError
from .facts.cache import FactCache, default_cache_dir
from .facts.extraction import Extraction
from .facts.group import group, unmatched_themes
from .facts.modelinfo import DEFAULT_MODEL, model_identity, model_language
from .facts.themes import load_themes
from .models import Brief, Fact, Failure, FetchLimits, Source, Theme, unsafe_character
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
    "record_brief",
    "render_output",
    "render_stored",
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
    # The desk (briefing/desk/): the history file the brief is compared with and
    # recorded in (None: none), whether lines already briefed are kept (marked
    # "repeat"), the line ids pinned and dropped, and an edits file holding more.
    history: str | Path | None = None
    repeat_old: bool = False
    pins: frozenset[str] = frozenset()
    drops: frozenset[str] = frozenset()
    edits: str | Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pins", frozenset(check_id(p, where="--pin") for p in self.pins))
        object.__setattr__(self, "drops",
                           frozenset(check_id(d, where="--drop") for d in self.drops))
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
    inputs: tuple[str, ...] = ()  # as given, for the history
    options: BuildOptions | None = None
    last: int | None = None  # the history's id of the brief this one was compared with


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
    choices = _choices(options)
    if options.history is not None and Path(options.history).exists():
        History(options.history).close()  # a damaged history fails now, before any parse
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
                                           max_items=options.max_items, limits=options.limits,
                                           language=model_language(options.model))
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
    _report_undated(sources, facts)
    _warn_unmatched(unmatched_themes(facts, theme_set), options.themes, len(sources))
    placements = group(facts, theme_set)
    date = options.date or dt.date.today()
    brief = select(
        placements,
        sources,
        theme_set,
        title=options.title,
        date=date,
        paper=options.paper,
    )
    lap("group and select")
    last = None
    if options.history is not None and Path(options.history).exists():  # made by a record
        with History(options.history) as history:
            last = history.last_before(options.title, date)
    brief = mark_news(brief, last, choices=choices, repeat_old=options.repeat_old)
    for line in unknown_choices(brief, options.pins | options.drops):
        logger.warning("--pin/--drop %s: no line of this brief has that id; "
                       "`briefing inspect BRIEF.json` lists the ids", line)
    lap("history and news")
    brief, document = render.fit_to_page(brief)
    lap("layout")
    passes = brief.extra.get("layout_seconds", ())
    if passes:  # the layout lap, pass by pass, and the measuring between passes
        fitting = timings.pop("layout") - sum(passes)
        timings.update({f"layout {n}": seconds for n, seconds in enumerate(passes, 1)})
        timings["fit measure"] = fitting
    build = Build(brief, document, timings, brief.extra.get("layouts", 0), tuple(failures),
                  dict(extraction.timings), inputs=tuple(str(i) for i in inputs),
                  options=options, last=last.id if last is not None else None)
    logger.info(
        "built %d lines in %d themes (%d left out to fit one page, %d layouts)",
        len(brief.items), len(brief.themes), brief.dropped, build.layouts,
    )
    lost = Counter(item.theme for item, _ in brief.left_out)
    for theme in brief.themes:
        logger.info("theme %r: %d line%s on the page, %d left out", theme.key,
                    len(theme.items), "" if len(theme.items) == 1 else "s", lost[theme.key])
    return build


def _report_undated(sources: Sequence[Source], facts: Sequence[Fact]) -> None:
    """Say once that sources without a publication date leave their relative dates
    ("on Monday", "May 16") unresolved: they are never resolved against today."""
    undated = {s.id: s for s in sources if s.published is None}
    affected = list(dict.fromkeys(
        f.source_id for f in facts if f.source_id in undated and f.dated and f.date is None
    ))
    if affected:
        first = undated[affected[0]]
        logger.warning(
            "%s without a publication date (%s%s): relative dates such as 'on Monday' "
            "are left unresolved there; give each a `published` date",
            f"{len(affected)} source{'' if len(affected) == 1 else 's'}", first.path,
            "" if len(affected) == 1 else " and others",
        )


def _warn_unmatched(themes: Sequence[Theme], path: str | Path | None, sources: int) -> None:
    """One warning naming every theme that matched nothing, and how to look into it."""
    if not themes:
        return
    keys = [repr(theme.key) for theme in themes]
    named = (f"theme {keys[0]}" if len(keys) == 1
             else f"themes {', '.join(keys[:-1])} and {keys[-1]}")
    origin = "the built-in themes" if path is None else str(path)
    option = "" if path is None else f" --themes {path}"
    logger.warning(
        "%s: %s matched no sentence of the %d source%s, so the brief has no such section; "
        "see what an article's sentences match with `briefing inspect FILE%s`",
        origin, named, sources, "" if sources == 1 else "s", option,
    )


def _choices(options: BuildOptions) -> Choices:
    """The pins and drops of the edits file, overridden by the options' own."""
    given = Choices(pins=options.pins, drops=options.drops)
    kept = load_edits(options.edits) if options.edits is not None else Choices()
    return merge_choices(kept, given)


def record_brief(build: Build) -> int | None:
    """Record the built brief in its options' history (after it is written, so a brief
    that never reached its reader is not counted as briefed); returns its id there,
    None without a history. The desk's brief of that date, if any, is replaced."""
    options = build.options
    if options is None or options.history is None:
        return None
    started = time.perf_counter()
    with History(options.history) as history:
        brief_id = history.record(build.brief, inputs=build.inputs,
                                  options=options_record(options), since_brief=build.last)
    build.timings["record history"] = time.perf_counter() - started
    return brief_id


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


def render_stored(
    brief: Brief,
    fmt: str,
    *,
    fragment: bool = False,
    id_prefix: str | None = None,
    mail: MailSettings | None = None,
) -> bytes:
    """The bytes of *fmt* for a brief as it was recorded (``briefing show``): laid out
    once for the PDF and the email, never fitted again."""
    from .brief import render

    document = render.layout_pdf(brief) if fmt in ("pdf", "eml") else None
    return render_output(Build(brief, document), fmt, fragment=fragment, id_prefix=id_prefix,
                         mail=mail)


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
