"""The default engine: worker processes of this machine that load the spaCy model
and parse sources into facts (``engine.Engine``; ``cluster`` is the Dask one).

spaCy and the model load only in the workers, so this module never imports
spaCy, and a build whose articles are all cached never loads it. Parsing
starts when the workers are handed tasks (``extraction.Extraction`` does so as a
build starts) and runs beside whatever the caller does next (the pipeline loads
the PDF renderer meanwhile, about half a second).

Workers start with the platform's default method: forked on Linux (nothing to
re-import), spawned on macOS and Windows, where a script calling the library
must guard its entry point with ``if __name__ == "__main__":`` as for any
``multiprocessing`` code. A worker returns facts, which are small and pickle
cheaply, and sends its log records back to be logged here. This is not spaCy's
own ``n_process``: that sends every ``Doc`` back to be deserialised, and the
extraction rules then run on one core for all (0.76 of bare spaCy's speed with
2 processes, against 1.00 this way).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

from ..errors import BriefingError
from ..models import Fact, Source, Themes
from .engine import TaskResult, relay

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["TASK_SOURCES", "Workers", "parse_in_workers", "tasks_of"]

logger = logging.getLogger(__name__)

# Sources per task handed to a worker: small enough to share the work out evenly
# and report progress often, large enough that a task's pickling and nlp.pipe
# start-up cost little.
TASK_SOURCES = 16


def parse_in_workers(
    sources: Sequence[Source],
    model: Language | str,
    themes: Themes,
    *,
    batch_size: int,
    processes: int,
    context: BaseContext | None = None,
) -> Iterator[list[Fact]]:
    """The facts of each source in turn, parsed by *processes* worker processes.

    *model* is a loaded pipeline (shared with forked workers, pickled to spawned
    ones) or a model name each worker loads.
    """
    tasks = tasks_of(sources)
    workers = Workers(model, themes, batch_size, min(processes, len(tasks)), context)
    try:
        for result in workers.parse(tasks):
            yield from result.facts
    finally:
        workers.stop()


def tasks_of(sources: Sequence[Source]) -> list[Sequence[Source]]:
    return [sources[i : i + TASK_SOURCES] for i in range(0, len(sources), TASK_SOURCES)]


class Workers:
    """*processes* worker processes that load the model, then parse tasks of sources:
    the ``processes`` engine.

    ``concurrent.futures``, not ``multiprocessing.Pool``: a worker that dies (the
    kernel's out-of-memory killer takes the biggest process) breaks the executor,
    which this reports as an error, where a pool waits forever for the lost task.
    """

    def __init__(
        self,
        model: Language | str,
        themes: Themes,
        batch_size: int,
        processes: int,
        context: BaseContext | None = None,
    ) -> None:
        if processes < 1:
            raise BriefingError(f"jobs {processes} is not a number of processes; give 1 or more")
        self.processes = processes
        level = logging.getLogger("briefing").getEffectiveLevel()
        self._executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=context or multiprocessing.get_context(),
            initializer=_start_worker, initargs=(model, themes, batch_size, level),
        )

    def start(self) -> None:
        """Start every worker now, loading the model, before there is a task."""
        for _ in range(self.processes):  # processes start as tasks come
            self._executor.submit(_ready)

    def parse(self, tasks: Sequence[Sequence[Source]]) -> Iterator[TaskResult]:
        """Hand the workers *tasks* now; their results in task order, as they come."""
        try:
            futures = [self._executor.submit(_parse_task, task) for task in tasks]
        except BrokenProcessPool:  # a worker died while loading the model
            raise _died() from None
        return self._results(futures)

    def _results(self, futures: list[Future[TaskResult]]) -> Iterator[TaskResult]:
        for future in futures:
            try:
                result = future.result()
            except BrokenProcessPool:
                raise _died() from None
            relay(result.records)
            if result.error is not None:
                raise result.error
            yield result

    def stop(self) -> None:
        """Stop the workers at once, even in the middle of a task."""
        terminate = getattr(self._executor, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
        else:  # before 3.14 the executor can only wait for a running task to end
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                process.terminate()
        self._executor.shutdown(wait=True, cancel_futures=True)


def _died() -> BriefingError:
    return BriefingError(
        "a worker process parsing the articles stopped without finishing, killed perhaps "
        "for lack of memory; run again with fewer --jobs or a smaller --model"
    )


# -- in the worker process ----------------------------------------------------------


@dataclass
class _Worker:
    parse: Callable[[Sequence[Source]], list[list[Fact]]] | None
    records: list[logging.LogRecord]
    timings: dict[str, float]
    error: BriefingError | None = None


_worker: _Worker | None = None  # set in each worker process by _start_worker


class _Collect(logging.Handler):
    """Keeps the worker's log records to send back with its next result."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)


def _start_worker(model: Language | str, themes: Themes, batch_size: int, level: int) -> None:
    """Load the model once per worker. An error is kept for the first task to
    raise in the parent: an initializer that raises breaks the whole executor."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent stops us, whatever it set
    records: list[logging.LogRecord] = []
    root = logging.getLogger("briefing")
    root.handlers[:] = [_Collect(records)]
    root.setLevel(level)
    root.propagate = False
    started = time.perf_counter()
    try:
        from .extract import ThemeMatcher, load_model, parse_sources

        nlp = load_model(model) if isinstance(model, str) else model
        matcher = ThemeMatcher(nlp, themes)
    except BriefingError as error:
        _worker = _Worker(None, records, {}, error)
        return

    def parse(sources: Sequence[Source]) -> list[list[Fact]]:
        with nlp.memory_zone():
            return list(parse_sources(sources, nlp, matcher, batch_size))

    _worker = _Worker(parse, records, {"spaCy and model load": time.perf_counter() - started})


def _ready() -> None:
    """A task that only makes a worker start (and load the model)."""


def _parse_task(sources: Sequence[Source]) -> TaskResult:
    assert _worker is not None, "worker not started"
    started = time.perf_counter()
    facts = _worker.parse(sources) if _worker.parse is not None else []
    timings = {**_worker.timings, "parse": time.perf_counter() - started}
    _worker.timings.clear()  # the model load counts once
    result = TaskResult(facts, list(_worker.records), timings, _worker.error)
    _worker.records.clear()
    return result
