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
``multiprocessing`` code. They are spawned on Linux too while another thread
runs in this process (``start_method``): a fork copies the locks that thread
holds, and a worker forked mid-import hangs on that import's lock. A worker
returns facts, which are small and pickle cheaply, and sends its log records
back to be logged here. This is not spaCy's own ``n_process``: that sends every
``Doc`` back to be deserialised, and the extraction rules then run on one core
for all (0.76 of bare spaCy's speed with 2 processes, against 1.00 this way).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

from ..errors import BriefingError
from ..models import LIMITS, Fact, Source, Themes
from .engine import TaskResult, relay

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["TASK_SOURCES", "Workers", "parse_in_workers", "start_method", "tasks_of",
           "worker_count"]

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


def worker_count(requested: int) -> int:
    """*requested* worker processes, or as many as the cores this process may use
    when it asked for more (``Limits.jobs_per_core``): more would share the cores,
    no faster, each with its own copy of the model in memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    most = LIMITS.max_jobs(cores)
    if requested <= most:
        return requested
    if requested not in _capped:
        _capped.add(requested)
        logger.warning("--jobs %d is more than the %d core(s) here can run at once; parsing "
                       "in %d worker processes (docs/limits.md)", requested, cores or 1, most)
    return most


_capped: set[int] = set()  # --jobs values already warned about in this process


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
        self.processes = worker_count(processes)
        level = logging.getLogger("briefing").getEffectiveLevel()
        # Linux's parent-death signal is sent when the thread that forked a worker ends;
        # only the main thread ends with the process, so only its workers ask for it.
        main_thread = threading.current_thread() is threading.main_thread()
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes, mp_context=context or start_method(),
            initializer=_start_worker,
            initargs=(model, themes, batch_size, level, os.getpid(), main_thread),
        )

    def start(self) -> None:
        """Start every worker now, loading the model, before there is a task."""
        with _ctrl_c_held():
            for _ in range(self.processes):  # processes start as tasks come
                self._executor.submit(_ready)

    def parse(self, tasks: Sequence[Sequence[Source]]) -> Iterator[TaskResult]:
        """Hand the workers *tasks* now; their results in task order, as they come."""
        try:
            with _ctrl_c_held():
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


def start_method(*, prefer_fork: bool = False) -> BaseContext:
    """How to start workers: the platform's default (*prefer_fork*: fork wherever the
    platform has it), but never fork while another thread runs here (a watch's
    listener, a server's rebuilding thread). A lock that thread holds as it is
    forked, an import's above all, is held in the worker for ever, and the worker
    hangs; a spawned worker starts from nothing, a fraction of a second slower."""
    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() > 1:
        logger.debug("workers spawned, not forked: %s run here too",
                     ", ".join(t.name for t in threading.enumerate()
                               if t is not threading.current_thread()))
        return multiprocessing.get_context("spawn")
    if prefer_fork and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


_HELD = {signal.SIGINT, signal.SIGTERM}  # what a worker must not get before it is ready


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while workers may be forked. A worker starts with
    this process's handlers: a Ctrl-C (sent to the whole process group) or a watch's
    SIGTERM reaching it before it sets its own would raise KeyboardInterrupt in it, which
    would print a traceback and pass for a dead worker. It inherits the held signals and
    takes them once its handlers are set; this process gets them when the block ends."""
    held = (hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread())
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


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
    error: Exception | None = None


_worker: _Worker | None = None  # set in each worker process by _start_worker


class _Collect(logging.Handler):
    """Keeps the worker's log records to send back with its next result."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)


def _start_worker(model: Language | str, themes: Themes, batch_size: int, level: int,
                  parent: int, main_thread: bool) -> None:
    """Load the model once per worker. An error is kept for the first task to
    raise in the parent: an initializer that raises breaks the whole executor
    (which the parent would take for a worker killed). The worker ends when
    *parent* does, however it ends."""
    global _worker
    _die_with(parent, signal_on_exit=main_thread)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent stops us, whatever it set
    if hasattr(signal, "pthread_sigmask"):  # held back while this worker was forked
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    records: list[logging.LogRecord] = []
    root = logging.getLogger("briefing")
    root.handlers[:] = [_Collect(records)]
    root.setLevel(level)
    root.propagate = False
    started = time.perf_counter()
    try:
        from .extract import Parser

        parser = Parser(model, themes, batch_size)
    except BriefingError as error:
        _worker = _Worker(None, records, {}, error)
        return
    except Exception as error:  # a bug: the parent reports it as one, not as a dead worker
        bug = RuntimeError(f"a worker could not start: {type(error).__name__}: {error}")
        _worker = _Worker(None, records, {}, bug)
        return

    _worker = _Worker(parser.parse, records,
                      {"spaCy and model load": time.perf_counter() - started})


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends
PARENT_POLL_SECONDS = 1.0  # how often a worker checks its parent is alive (elsewhere)


def _die_with(parent: int, *, signal_on_exit: bool) -> None:
    """End this worker when *parent* ends, even by SIGKILL (which runs no clean-up).

    On Linux the kernel sends SIGKILL at once (prctl PR_SET_PDEATHSIG), when
    *signal_on_exit*; everywhere, a thread checks each second that the parent is
    still this process's parent, and ends the process when it is not (an orphan
    is adopted by another).
    """
    if signal_on_exit and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="briefing-parent-watch",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


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
