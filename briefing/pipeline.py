"""The whole job as a library call: inputs in, a one-page Brief and its outputs out.

``build_brief`` runs the stages in order: sources (read, fetch, clean) -> facts
(extract with spaCy, group by theme) -> brief (select, fit one page); its options
are one ``BuildOptions``. ``render_output`` turns the finished build into the bytes
of one format, and ``delivery.output.write_output`` writes them atomically.

The job also splits in two halves: ``extract_facts`` runs the first (sources ->
facts) over as many articles as come and writes every source and fact to a
facts file (``facts.factfile``); ``build_from_facts`` runs the second from such
files, without parsing, and gives the brief ``build_brief`` gives from the same
articles.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .brief.select import select
from .delivery.output import write_output
from .desk.edits import check_id, load_edits, merge_choices
from .desk.history import History, LastBrief, options_record
from .desk.news import Choices, mark_news, unknown_choices
from .errors import BriefingError, InputError
from .facts.cache import FactCache, default_cache_dir
from .facts.engine import EngineOptions
from .facts.extraction import Extraction
from .facts.group import group, unmatched_themes
from .facts.modelinfo import DEFAULT_MODEL, model_identity, model_language, model_version
from .facts.themes import load_themes
from .models import (
    Brief,
    Fact,
    Failure,
    FetchLimits,
    Source,
    Theme,
    Themes,
    unsafe_character,
)
from .sources.inputs import gather_sources

if TYPE_CHECKING:
    from .delivery.mail import MailSettings
    from .facts.extraction import ParserPool

__all__ = [
    "FORMATS",
    "PAPERS",
    "Build",
    "BuildOptions",
    "Extracted",
    "build_brief",
    "build_from_facts",
    "extract_facts",
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
    engine: str = "processes"  # who parses: "processes" of this machine, or "dask"
    scheduler: str | None = None  # dask: its scheduler; None: $DASK_SCHEDULER_ADDRESS,
    # else a LocalCluster of `jobs` processes
    # The desk (briefing/desk/): the history file the brief is compared with and
    # recorded in (None: none), whether lines already briefed are kept (marked
    # "repeat"), the line ids pinned and dropped, and an edits file holding more.
    history: str | Path | None = None
    repeat_old: bool = False
    pins: frozenset[str] = frozenset()
    drops: frozenset[str] = frozenset()
    edits: str | Path | None = None

    def __post_init__(self) -> None:
        self.engine_options  # noqa: B018  (checks engine and scheduler now)
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

    @property
    def engine_options(self) -> EngineOptions:
        return EngineOptions(self.engine, self.scheduler)


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
    themes: tuple[str, ...] = ()  # the keys of its themes file's themes, for the history
    other: str = "other"  # and of its section for the rest


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
    options' model, jobs and engine), its workers parse, and keep the model
    loaded for the next build.
    """
    options = options if options is not None else BuildOptions()
    if pool is not None and (pool.model, pool.jobs, pool.engine) != (
            options.model, options.jobs, options.engine_options):
        raise ValueError(f"the pool parses with {pool.model} in {pool.jobs} processes "
                         f"({pool.engine}), not {options.model} in {options.jobs} "
                         f"({options.engine_options})")
    laps = _Laps()
    theme_set = load_themes(options.themes)
    desk = _Desk.of(options, theme_set)
    with _extraction(options, theme_set, progress, pool) as (extraction, counter):
        sources, failures = gather_sources(inputs, offline=options.offline, since=options.since,
                                           max_items=options.max_items, limits=options.limits,
                                           language=model_language(options.model))
        _report_failures(sources, failures, len(inputs))
        laps("ingest")
        counter.total = len(sources)
        extraction.submit(sources)
        laps("cache")
        from .brief import render  # WeasyPrint is slow to import: only when a brief is laid out

        laps("load renderer")
        if extraction.parsing:  # the workers are at it: ready fonts and stylesheet meanwhile
            render.warm_up(options.paper)
            laps("warm up renderer")
        facts = extraction.facts()
        laps("wait for parse")
    return _brief(sources, facts, theme_set, options, laps, desk,
                  inputs=inputs, failures=failures, worker_timings=dict(extraction.timings))


def build_from_facts(files: Sequence[str | Path], options: BuildOptions | None = None) -> Build:
    """The brief of the sources and facts in *files* (written by ``extract_facts``),
    without parsing: the brief ``build_brief`` makes of the same articles.

    The files may come from several runs: a source given in two is counted once,
    and sources are numbered in file order. Their facts must have been matched
    against the options' themes (a ThemesError otherwise). Options that say how
    to read or parse articles do not apply.
    """
    options = options if options is not None else BuildOptions()
    laps = _Laps()
    theme_set = load_themes(options.themes)
    desk = _Desk.of(options, theme_set)
    from .facts.factfile import read_fact_files

    sources, facts = read_fact_files(files, theme_set)
    if not sources:
        raise InputError(f"no source in {', '.join(map(str, files))}: the extract found no "
                         "article; extract from other inputs")
    laps("read facts")
    from .brief import render  # noqa: F401  (WeasyPrint: imported for the layout below)

    laps("load renderer")
    return _brief(sources, facts, theme_set, options, laps, desk, inputs=files)


def _brief(sources: list[Source], facts: list[Fact], theme_set: Themes, options: BuildOptions,
           laps: _Laps, desk: _Desk, *, inputs: Sequence[str | Path],
           failures: Sequence[Failure] = (),
           worker_timings: dict[str, float] | None = None) -> Build:
    """The one-page brief of *facts*: grouped, selected, compared with the history,
    laid out."""
    from .brief import render

    _report_undated(sources, facts)
    _warn_unmatched(unmatched_themes(facts, theme_set), options.themes, len(sources))
    placements = group(facts, theme_set)
    brief = select(
        placements,
        sources,
        theme_set,
        title=options.title,
        date=desk.date,
        paper=options.paper,
    )
    laps("group and select")
    last = desk.last
    brief = mark_news(brief, last, choices=desk.choices, repeat_old=options.repeat_old)
    for line in unknown_choices(brief, options.pins | options.drops):
        logger.warning("--pin/--drop %s: no line of this brief has that id; "
                       "`briefing inspect BRIEF.json` lists the ids", line)
    laps("history and news")
    brief, document = render.fit_to_page(brief)
    laps("layout")
    timings = laps.timings
    passes = brief.extra.get("layout_seconds", ())
    if passes:  # the layout lap, pass by pass, and the measuring between passes
        fitting = timings.pop("layout") - sum(passes)
        timings.update({f"layout {n}": seconds for n, seconds in enumerate(passes, 1)})
        timings["fit measure"] = fitting
    build = Build(brief, document, timings, brief.extra.get("layouts", 0), tuple(failures),
                  dict(worker_timings or {}), inputs=tuple(str(i) for i in inputs),
                  options=options, last=last.id if last is not None else None,
                  themes=_theme_keys(theme_set), other=theme_set.other.key)
    logger.info(
        "built %d lines in %d themes (%d left out to fit one page, %d layouts)",
        len(brief.items), len(brief.themes), brief.dropped, build.layouts,
    )
    lost = Counter(item.theme for item, _ in brief.left_out)
    for theme in brief.themes:
        logger.info("theme %r: %d line%s on the page, %d left out", theme.key,
                    len(theme.items), "" if len(theme.items) == 1 else "s", lost[theme.key])
    return build


@dataclass(frozen=True)
class _Desk:
    """What the desk brings to a build: its pins and drops, the brief's date, and the
    desk's last brief before that date (None: no history, or none yet)."""

    choices: Choices
    date: dt.date
    last: LastBrief | None

    @classmethod
    def of(cls, options: BuildOptions, themes: Themes) -> _Desk:
        """Read at the start, so a damaged edits or history file fails before any
        article is read or parsed; the history is opened once. The last brief is the
        desk's latest with one of *themes*: not another story's under the same title."""
        choices = _choices(options)
        date = options.date or dt.date.today()
        last = None
        if options.history is not None and Path(options.history).exists():  # made by a record
            with History(options.history) as history:
                last = history.last_before(options.title, date, _theme_keys(themes),
                                           themes.other.key)
        return cls(choices, date, last)


@dataclass
class Extracted:
    """A finished extract: where its facts file went, what it holds, what failed."""

    target: Path | None  # None: written to standard output
    sources: int
    facts: int
    parsed: int  # sources parsed (the rest came from the fact cache)
    failures: tuple[Failure, ...] = ()
    worker_timings: dict[str, float] = field(default_factory=dict)


def extract_facts(
    inputs: Sequence[str | Path],
    output: str | Path,
    options: BuildOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Extracted:
    """Read *inputs*, extract their facts, and write every source and fact to the
    facts file *output* ("-": JSON Lines on standard output) as they come.

    The first half of ``build_brief``, with its reading, cache, model, themes,
    jobs and engine options, for as many articles as come; ``build_from_facts``
    builds from the file. Failed inputs are logged and listed, as for a build;
    no usable source is an InputError, and nothing is written. The file's
    format follows its name: .jsonl, .jsonl.gz or .parquet (``facts.factfile``).
    """
    from .facts.factfile import FactWriter

    options = options if options is not None else BuildOptions()
    theme_set = load_themes(options.themes)
    writer = FactWriter(output, model=options.model, model_version=model_version(options.model),
                        themes=theme_set)  # a bad file name fails before any input is read
    with _extraction(options, theme_set, progress, None) as (extraction, counter):
        sources, failures = gather_sources(inputs, offline=options.offline, since=options.since,
                                           max_items=options.max_items, limits=options.limits,
                                           language=model_language(options.model))
        _report_failures(sources, failures, len(inputs))
        counter.total = len(sources)
        extraction.submit(sources)
        parsed = extraction.parsing
        with writer:
            for source, facts in extraction.stream():
                writer.add(source, group(facts, theme_set))  # per source as for all: a
                # paragraph's context never carries from one source to the next
    target = None if str(output) == "-" else Path(output)
    logger.info("wrote %d facts of %d sources to %s", writer.facts, writer.sources,
                target or "standard output")
    return Extracted(target, writer.sources, writer.facts, parsed, tuple(failures),
                     dict(extraction.timings))


class _Laps:
    """Stage timings: each call names the stage that ran since the last one."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._clock
        self._clock = now


@dataclass
class _Counter:
    """Articles done of *total*, told to a progress callback."""

    progress: Callable[[int, int], None] | None
    total: int = 0
    done: int = 0

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)


@contextlib.contextmanager
def _extraction(options: BuildOptions, theme_set: Themes,
                progress: Callable[[int, int], None] | None,
                pool: ParserPool | None) -> Iterator[tuple[Extraction, _Counter]]:
    """The build's Extraction: the options' engine, model and jobs, the fact cache."""
    identity = model_identity(options.model) if options.cache else None
    fact_cache = None
    if identity is not None:
        folder = options.cache_dir if options.cache_dir is not None else default_cache_dir()
        fact_cache = FactCache(folder, model=identity, themes=theme_set)
    # Workers import spaCy and load the model while this process reads the inputs
    # and then loads the renderer. Without a cache they will surely be needed; with
    # one, they start anyway where a spare core has nothing else to do, and stop if
    # every article turns out to be cached. A LocalCluster of Dask takes seconds to
    # start and to stop: it starts only once articles are known to need parsing.
    engine = options.engine_options
    early = fact_cache is None or (os.cpu_count() or 1) > 1
    if engine.kind == "dask" and engine.address is None:
        early = fact_cache is None
    counter = _Counter(progress)
    with Extraction(theme_set, model=options.model, jobs=options.jobs, cache=fact_cache,
                    progress=counter.advance, early=early, pool=pool,
                    engine=engine) as extraction:
        yield extraction, counter


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


def _theme_keys(themes: Themes) -> tuple[str, ...]:
    """The keys a brief of *themes* shares with its desk's others: its themes', not
    the section for the rest, which every story has."""
    return tuple(theme.key for theme in themes.themes)


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
                                  options=options_record(options), since_brief=build.last,
                                  themes=build.themes, other=build.other)
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
