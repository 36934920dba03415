"""Facts for a set of sources: the cached ones at once, the rest parsed.

The facts stage's library calls. ``Extraction`` is the build's and the bulk
extract's: it looks each source up in the fact cache and hands the rest to a
parsing engine (``engine``) that runs beside the caller: worker processes of this
machine (``workers``) or a Dask cluster (``cluster``), picked by ``open_engine``.
``ParserPool`` keeps an engine's workers for the next extraction. ``extract`` is
the simple call, in this process or forked ones, for scripts, ``briefing
inspect`` and the benchmarks. None imports spaCy unless a source must be
parsed; the spaCy side of parsing is ``extract.py``. Parsed facts are dated here
(``dates.with_dates``) and go into the cache, whichever engine parsed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import BriefingError
from ..models import Fact, Source, Themes
from .cache import FactCache
from .dates import warm_up, with_dates
from .engine import Engine, EngineOptions, TaskResult
from .workers import Workers, parse_in_workers, start_method, tasks_of

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["Extraction", "ParserPool", "collect", "extract", "from_cache", "open_engine"]

logger = logging.getLogger(__name__)

Pending = list[tuple[int, Source, str | None]]  # (position, source, cache key)


def from_cache(
    sources: Sequence[Source], cache: FactCache | None
) -> tuple[list[list[Fact] | None], Pending]:
    """The cached facts of each source (None where there are none), and the sources
    left to parse, with their positions and cache keys."""
    found: list[list[Fact] | None] = [None] * len(sources)
    pending: Pending = []
    for number, source in enumerate(sources):
        key = cache.key(source) if cache is not None else None
        cached = cache.get(key, source) if cache is not None and key is not None else None
        if cached is None:
            pending.append((number, source, key))
        else:
            found[number] = cached
    return found, pending


def collect(
    found: list[list[Fact] | None],
    pending: Pending,
    parsed: Iterable[list[Fact]],
    cache: FactCache | None,
    progress: Callable[[int], None] | None,
) -> list[Fact]:
    """Every fact in source order: *found* in the cache, and *parsed* (one list per
    *pending* source, in order), which are dated here and go into *cache*."""
    every = [fact for _, facts in in_order(found, pending, parsed, cache, progress)
             for fact in facts]
    logger.info(
        "extracted %d facts from %d sources (%d parsed, %d from the cache)",
        len(every), len(found), len(pending), len(found) - len(pending),
    )
    return every


def in_order(
    found: list[list[Fact] | None],
    pending: Pending,
    parsed: Iterable[list[Fact]],
    cache: FactCache | None,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[int, list[Fact]]]:
    """(position, facts) of each source in turn, as soon as its facts are at hand:
    *found* in the cache, or *parsed* (dated here and put in *cache*). Each list
    is handed on and forgotten, so a long run holds only what is yet to come."""
    parsed = iter(parsed)
    waiting = iter(pending)
    upcoming = next(waiting, None)
    for number in range(len(found)):
        if upcoming is not None and upcoming[0] == number:
            _, source, key = upcoming
            dated = with_dates(next(parsed), source.published)
            if cache is not None and key is not None:
                cache.put(key, dated)
            if progress is not None:
                progress(1)
            upcoming = next(waiting, None)
            yield number, dated
        else:
            facts, found[number] = found[number] or [], None
            yield number, facts
    if next(parsed, None) is not None:
        raise RuntimeError("the workers sent facts of more sources than they were given")


def open_engine(options: EngineOptions, model: str, themes: Themes, batch_size: int,
                jobs: int) -> Engine:
    """The parsing engine *options* name, not yet started: *jobs* worker processes of
    this machine, or a Dask cluster (its LocalCluster of *jobs* processes)."""
    if options.kind == "dask":
        try:
            from .cluster import DaskEngine
        except ImportError as error:
            raise BriefingError(f"--engine dask needs Dask here ({error}); install it with "
                                "`pip install 'briefing[dask]'`") from None
        return DaskEngine(model, themes, batch_size, address=options.address, processes=jobs)
    return Workers(model, themes, batch_size, jobs)


class Extraction:
    """Facts of sources: cached ones at once, the others parsed by an engine's
    workers (*jobs* processes of this machine, or a Dask cluster: *engine*) that
    run while the caller goes on.

    The workers start loading the model when the extraction is made (*early*),
    before the sources are known, or else only once ``submit`` finds sources
    the *cache* lacks; no source is sent to them before the cache is asked.
    ``submit`` hands the workers those sources, or stops them when there are
    none; ``facts()`` waits for them and returns every fact in source order,
    storing the newly parsed ones in *cache*; ``stream()`` hands on each source's
    facts in order as they come, for runs too large to hold. *progress* is called
    with the number of sources each step finished. Use it as a context manager,
    so that the workers stop (their tasks cancelled) however the caller leaves.

    With a *pool*, the workers are the pool's, kept with their model loaded for
    the next extraction; they are stopped only if this one fails or is interrupted.
    """

    def __init__(
        self,
        themes: Themes,
        *,
        model: str,
        jobs: int = 1,
        cache: FactCache | None = None,
        progress: Callable[[int], None] | None = None,
        batch_size: int = 64,
        early: bool = True,
        pool: ParserPool | None = None,
        engine: EngineOptions | None = None,
    ) -> None:
        self.themes, self.model, self.jobs, self.cache = themes, model, jobs, cache
        self.progress, self.batch_size = progress, batch_size
        self.engine = engine if engine is not None else EngineOptions()
        self.timings: dict[str, float] = {}  # in the workers, summed over them
        self._sources: Sequence[Source] = ()
        self._found: list[list[Fact] | None] = []
        self._pending: Pending = []
        self._results: Iterator[TaskResult] = iter(())
        self._workers: Engine | None = None
        self._pool = pool
        if pool is not None:
            self._workers = pool.workers(themes)
        elif early:
            self._workers = open_engine(self.engine, model, themes, batch_size, jobs)
            self._workers.start()

    def submit(self, sources: Sequence[Source]) -> None:
        """Look *sources* up in the cache and hand the workers the rest."""
        self._sources = sources
        self._found, self._pending = from_cache(sources, self.cache)
        if self._pending:
            tasks = tasks_of([source for _, source, _ in self._pending])
            if self._workers is None:
                self._workers = open_engine(self.engine, self.model, self.themes,
                                            self.batch_size, min(self.jobs, len(tasks)))
            self._results = self._workers.parse(tasks)
        else:
            self.close()  # every source is cached: no model to load
        if self.progress is not None:  # after the workers start, so none forks a drawing thread
            self.progress(len(sources) - len(self._pending))

    @property
    def parsing(self) -> int:
        """How many of the submitted sources the workers parse."""
        return len(self._pending)

    def facts(self) -> list[Fact]:
        """Every fact of the submitted sources, in source order, once the workers are done."""
        if self._pending:  # their dates are resolved here: ready dateparser while they parse
            warm_up()
        facts = collect(self._found, self._pending, self._parsed(), self.cache, self.progress)
        self.close()
        return facts

    def stream(self) -> Iterator[tuple[Source, list[Fact]]]:
        """Each submitted source with its facts, in source order, as they come."""
        if self._pending:
            warm_up()
        done = 0
        for number, facts in in_order(self._found, self._pending, self._parsed(), self.cache,
                                      self.progress):
            done += 1
            yield self._sources[number], facts
        logger.info("extracted the facts of %d sources (%d parsed, %d from the cache)",
                    done, len(self._pending), done - len(self._pending))
        self.close()

    def _parsed(self) -> Iterator[list[Fact]]:
        for result in self._results:
            for name, seconds in result.timings.items():
                self.timings[name] = self.timings.get(name, 0.0) + seconds
            yield from result.facts

    def close(self) -> None:
        """Stop the workers (at once, if they are still parsing); a pool's stay."""
        if self._workers is not None and self._pool is None:
            self._workers.stop()
        self._workers = None

    def __enter__(self) -> Extraction:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        if kind is not None and self._pool is not None and self._workers is not None:
            self._pool.close()  # they may be mid-task for nothing: the next build starts anew
        self.close()


class ParserPool:
    """An engine's workers, kept with their model loaded from one extraction to the next.

    For a process that builds again and again (``briefing build --watch``): the
    second build parses its new articles at once instead of loading spaCy and
    the model again (about a second). The workers start at the first
    ``workers()`` call and start anew when the themes change (their matcher is
    built from them) or after an extraction failed. ``close()`` stops them.
    """

    def __init__(self, model: str, *, jobs: int = 1, batch_size: int = 64,
                 engine: EngineOptions | None = None) -> None:
        self.model, self.jobs, self.batch_size = model, jobs, batch_size
        self.engine = engine if engine is not None else EngineOptions()
        self._themes: Themes | None = None
        self._workers: Engine | None = None

    def workers(self, themes: Themes) -> Engine:
        """The running workers for *themes*, started (or restarted) as needed."""
        if self._workers is not None and self._themes != themes:
            self.close()
        if self._workers is None:
            self._workers = open_engine(self.engine, self.model, themes, self.batch_size,
                                        self.jobs)
            self._workers.start()
            self._themes = themes
        return self._workers

    def close(self) -> None:
        if self._workers is not None:
            self._workers.stop()
            self._workers = None

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def extract(
    sources: Sequence[Source],
    themes: Themes,
    *,
    nlp: Language | str,
    batch_size: int = 64,
    n_process: int = 1,
    cache: FactCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Fact]:
    """The facts of every source, in source order, parsed in ``nlp.pipe`` streams.

    *nlp* is a loaded pipeline, or a model name loaded only if some source is
    not in *cache*. Sources found in *cache* are not parsed again. The others
    are parsed inside memory zones of a few hundred sources, so no ``Doc``
    outlives its source and the vocabulary does not grow with the corpus; with
    *n_process* > 1, by that many worker processes, each parsing and extracting
    a share of the sources (``workers.parse_in_workers``). *progress* is called
    with the number of sources each step finished.
    """
    from .extract import load_model, parse_in_zones  # spaCy: only when something is parsed

    found, pending = from_cache(sources, cache)
    if progress is not None:
        progress(len(sources) - len(pending))
    if pending:
        model = load_model(nlp) if isinstance(nlp, str) else nlp
        to_parse = [source for _, source, _ in pending]
        if n_process > 1 and len(to_parse) > 1:
            # Forked where the platform allows: the workers share the loaded model.
            context = start_method(prefer_fork=True)
            parsed = parse_in_workers(to_parse, model, themes, batch_size=batch_size,
                                      processes=n_process, context=context)
        else:
            parsed = parse_in_zones(to_parse, model, themes, batch_size)
    else:
        parsed = iter(())
    return collect(found, pending, parsed, cache, progress)
