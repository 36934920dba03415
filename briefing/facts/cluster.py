"""The Dask engine: articles parsed by the workers of a Dask distributed cluster.

``--engine dask`` hands the tasks that ``extraction`` made (the sources the fact
cache lacks, a few to a task) to a Dask cluster: the one whose scheduler is at
``--scheduler`` or ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of
``--jobs`` worker processes started on this machine for the run. Each worker
loads the spaCy model once, in a worker plugin (``_Parser``), and parses each task
with ``nlp.pipe`` inside a memory zone, as the process engine does; it sends back
facts as plain records (``models.fact_record``), never ``Doc``s. Dates are
resolved and facts cached here, by ``extraction``, as for any engine, so the
facts are the same whichever engine made them.

Before any article is sent, every worker is asked whether it can parse as this
machine would: briefing importable, the same extraction code and library
versions, the same model. A worker that cannot is named in a one-line error
with the install command. A worker that dies mid-task has its task run again
elsewhere by the scheduler; a task that kills several in turn, a scheduler that
cannot be reached, has no workers or is lost, are one-line errors. Stopping
(Ctrl-C, a failed build) cancels the tasks still on the cluster.

At most ``WINDOW_PER_THREAD`` tasks per worker thread are on the cluster at
once, so a run of a million articles keeps only a little of them on the
scheduler, and results come back in task order as they are ready.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import dask.config
import distributed
from dask.utils import parse_timedelta
from distributed.diagnostics.plugin import WorkerPlugin

from ..errors import BriefingError, ModelError
from ..models import Source, Themes, fact_from_record, fact_record
from .cache import extraction_versions
from .engine import SCHEDULER_ENV, TaskResult, relay
from .modelinfo import MODEL_INSTALL_HINT, model_identity, model_version

if TYPE_CHECKING:
    from .extract import Parser

__all__ = ["INSTALL_WORKER", "DaskEngine", "Expected", "expected_of", "worker_problem"]

logger = logging.getLogger(__name__)

INSTALL_WORKER = "pip install 'briefing[dask]'"  # all a worker needs (the default model too)
WINDOW_PER_THREAD = 4  # tasks on the cluster per worker thread: each has its next at hand
# when it finishes one, and a run of any size keeps few articles on the scheduler
WINDOW_RECOUNT = 32  # results between two counts of the cluster's threads
POLL_SECONDS = 1.0  # how often a wait for a task looks whether the cluster still has workers
NO_WORKERS_SECONDS = 60.0  # a cluster without workers this long fails the run: a nanny
# restarts a killed worker in seconds, so a minute without any means none is coming back
CLOSE_SECONDS = 10.0  # for the client and a LocalCluster to shut down
# A Dask worker samples its threads' stacks every 10 ms and keeps an hour of the
# profiles: on spaCy's deep stacks that held 12 KB an article parsed (a 2-worker run
# of 10,000 articles: 311 MB a worker against 220 for --jobs 2) and took parse time.
# Off for the LocalCluster's workers; docs/cluster.md says how for one's own.
_LOCAL_WORKERS = {"distributed.worker.profile.enabled": False}
PROFILER_OFF = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False"


class DaskEngine:
    """Parsing on a Dask cluster, with the model loaded once per worker (``engine.Engine``).

    *address*: the scheduler's, or None for a ``LocalCluster`` of *processes*
    worker processes (one thread each) on 127.0.0.1, stopped with the engine.
    ``start`` connects and has the workers load the model in a background thread,
    so the caller reads its inputs meanwhile; ``parse`` waits for that.
    """

    def __init__(
        self,
        model: str,
        themes: Themes,
        batch_size: int,
        *,
        address: str | None,
        processes: int = 1,
    ) -> None:
        if not isinstance(model, str):
            raise BriefingError("the Dask engine loads its model by name on each worker; "
                                "give a model name or folder, not a loaded pipeline")
        self.model, self.themes, self.batch_size = model, themes, batch_size
        self.address, self.processes = address, processes
        self._expected = expected_of(model)
        self.plugin = "briefing-parser-" + hashlib.sha256(
            repr((model, self._expected, themes, batch_size)).encode("utf-8", "surrogatepass")
        ).hexdigest()[:16]  # one per model and themes: clients that share a cluster
        # with other themes never use each other's matcher
        self._connecting: concurrent.futures.Future[distributed.Client] | None = None
        self._cluster: distributed.LocalCluster | None = None
        self._client: distributed.Client | None = None
        self._futures: set[distributed.Future] = set()
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return (f"the Dask scheduler at {self.address}" if self.address is not None
                else f"a LocalCluster of {self.processes} worker process(es)")

    def _start_workers(self) -> str:
        if self.address is None:
            return "check this machine's memory, or use --engine processes"
        return f"start some with `dask worker {self.address} --nthreads 1`"

    def start(self) -> None:
        if self._connecting is None:
            runner = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="dask-connect")
            self._connecting = runner.submit(self._connect)
            runner.shutdown(wait=False)

    def parse(self, tasks: Sequence[Sequence[Source]]) -> Iterator[TaskResult]:
        self.start()
        assert self._connecting is not None
        client = self._connecting.result()  # its BriefingError, if it could not connect
        return self._results(client, tasks)

    def stop(self) -> None:
        """Cancel the tasks still on the cluster and disconnect (a LocalCluster stops).

        A connection still under way (a slow network, a LocalCluster starting) is
        not waited for: it is closed by its own thread once made, so Ctrl-C does
        not wait out a connect timeout."""
        connecting, self._connecting = self._connecting, None
        if connecting is not None and not connecting.done():
            connecting.add_done_callback(lambda _done: self._disconnect())
            return
        self._disconnect()

    def _disconnect(self) -> None:
        with self._lock:
            client, cluster, futures = self._client, self._cluster, list(self._futures)
            self._client, self._cluster, self._futures = None, None, set()
        if client is not None:
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(futures, force=True)
                logger.info("cancelled %d task(s) on %s", len(futures), self.where)
            with contextlib.suppress(Exception):
                client.close(timeout=CLOSE_SECONDS)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=CLOSE_SECONDS)

    # -- connecting ---------------------------------------------------------------

    def _connect(self) -> distributed.Client:
        timeout = _connect_timeout()
        started = time.perf_counter()
        if self.address is None:
            try:
                with dask.config.set(_LOCAL_WORKERS):  # kept by each nanny, for restarts too
                    cluster = distributed.LocalCluster(
                        n_workers=self.processes, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=":0",
                    )
            except Exception as error:
                raise BriefingError(f"cannot start a Dask LocalCluster on this machine "
                                    f"({_reason(error)}); give --scheduler, or use "
                                    "--engine processes") from None
            with self._lock:
                self._cluster = cluster
            client = distributed.Client(cluster, set_as_default=False)
            client.register_plugin(_LeaveInterruptToClient(), name="briefing-local-workers")
        else:
            try:
                client = distributed.Client(self.address, timeout=timeout, set_as_default=False)
            except Exception as error:  # OSError, TimeoutError, ValueError of a bad address
                raise BriefingError(
                    f"cannot reach the Dask scheduler at {self.address} ({_reason(error)}); "
                    f"check the address given with --scheduler or {SCHEDULER_ENV}, and that "
                    "`dask scheduler` runs there"
                ) from None
        with self._lock:
            self._client = client
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise BriefingError(
                f"{self.where} has no workers (none joined in {timeout:.0f} s); "
                + self._start_workers()
            ) from None
        self._check_workers(client)
        client.register_plugin(
            _Parser(self.model, self.themes, self.batch_size, self._expected),
            name=self.plugin,
        )
        logger.info("parsing on %s: %d worker(s) ready in %.1f s", self.where,
                    len(client.nthreads()), time.perf_counter() - started)
        return client

    def _check_workers(self, client: distributed.Client) -> None:
        """Every worker can parse as this machine would, or a one-line error naming one."""
        answers = client.run(worker_problem, self.model, self._expected, on_error="return")
        for address, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                raise BriefingError(
                    f"Dask worker {address} cannot run briefing ({_reason(answer)}); install "
                    f"it there with `{INSTALL_WORKER}`"
                )
            if answer is not None:
                kind, problem = answer
                raise (ModelError if kind == "model" else BriefingError)(
                    f"Dask worker {address} {problem}")
        profiling = client.run(_profiling)
        if any(profiling.values()):
            logger.info("%d of the %d Dask workers run Dask's profiler, which holds about 12 KB "
                        "an article parsed for an hour; start them with %s to keep their "
                        "memory flat", sum(profiling.values()), len(profiling), PROFILER_OFF)
        if self._expected.identity is None:  # no model here to compare with: they must agree
            identities = client.run(model_identity, self.model)
            first, *others = sorted(identities.items())
            for address, identity in others:
                if identity != first[1]:
                    raise ModelError(
                        f"Dask worker {address} has another version of the spaCy model "
                        f"{self.model!r} than worker {first[0]}; install the same on every "
                        "worker"
                    )

    # -- parsing ------------------------------------------------------------------

    def _results(self, client: distributed.Client,
                 tasks: Sequence[Sequence[Source]]) -> Iterator[TaskResult]:
        level = logging.getLogger("briefing").getEffectiveLevel()
        run = uuid.uuid4().hex[:12]
        pending: deque[tuple[distributed.Future, Sequence[Source]]] = deque()
        submitted = 0
        window = 0
        for done in range(len(tasks)):
            if done % WINDOW_RECOUNT == 0:  # workers come and go (an adaptive cluster)
                window = WINDOW_PER_THREAD * max(sum(client.nthreads().values()), 1)
            while submitted < len(tasks) and len(pending) < window:
                future = client.submit(_parse_task, self.plugin, list(tasks[submitted]), level,
                                       key=f"briefing-parse-{run}-{submitted}", pure=False)
                with self._lock:
                    self._futures.add(future)
                pending.append((future, tasks[submitted]))
                submitted += 1
            future, task = pending.popleft()
            answer = self._wait(client, future, task)
            with self._lock:
                self._futures.discard(future)
            future.release()
            yield _task_result(answer)

    def _wait(self, client: distributed.Client, future: distributed.Future,
              task: Sequence[Source]) -> dict[str, Any]:
        """The task's answer; a one-line error if the cluster cannot give it."""
        alone_since: float | None = None
        while True:
            try:
                answer: dict[str, Any] = future.result(timeout=POLL_SECONDS)
                return answer
            except TimeoutError:
                pass
            except distributed.KilledWorker as error:
                deaths = error.allowed_failures + 1
                raise BriefingError(
                    f"the Dask workers that parsed {_names(task)} died, {deaths} in turn, "
                    "killed perhaps for lack of memory; give the workers more memory "
                    "(dask worker --memory-limit) or split the articles"
                ) from None
            except concurrent.futures.CancelledError:
                raise BriefingError(
                    f"lost {self.where} while it parsed (the scheduler stopped or the network "
                    "failed); run again when it is back"
                ) from None
            try:
                workers = len(client.nthreads())
            except Exception:
                workers = 0
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKERS_SECONDS:
                raise BriefingError(
                    f"{self.where} has had no workers for {NO_WORKERS_SECONDS:.0f} s; "
                    + self._start_workers()
                )


def _task_result(answer: dict[str, Any]) -> TaskResult:
    records = [logging.makeLogRecord({"name": name, "levelno": level,
                                      "levelname": logging.getLevelName(level), "msg": message})
               for name, level, message in answer["log"]]
    relay(records)
    if answer["error"] is not None:
        kind = ModelError if answer["error_kind"] == "model" else BriefingError
        raise kind(answer["error"])
    try:
        facts = [[fact_from_record(record) for record in per_source]
                 for per_source in answer["facts"]]
    except (ValueError, TypeError, KeyError) as error:
        raise BriefingError(f"Dask worker {answer['worker']} sent facts this machine cannot "
                            f"read ({error}); install the same briefing on every worker "
                            f"with `{INSTALL_WORKER}`") from None
    return TaskResult(facts, [], answer["timings"])


def _names(task: Sequence[Source]) -> str:
    shown = ", ".join(source.path for source in task[:2])
    return shown + (f" and {len(task) - 2} more" if len(task) > 2 else "")


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _connect_timeout() -> float:
    """Dask's own connect timeout (``distributed.comm.timeouts.connect``, 30 s unless
    set, e.g. with ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``)."""
    value = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s")
    return float(value or 30.0)


class Expected(NamedTuple):
    """What a worker must match to parse as this machine would."""

    identity: str | None  # the model's here (None: not installed here; workers need only agree)
    version: str | None  # its version, for the message when a worker's differs
    versions: tuple[tuple[str, str], ...]  # the extraction code's (``extraction_versions``)


def expected_of(model: str) -> Expected:
    """What a worker must match, read on this machine."""
    return Expected(model_identity(model), model_version(model),
                    tuple(extraction_versions().items()))


# -- on the worker --------------------------------------------------------------------


def worker_problem(model: str, expected: Expected) -> tuple[str, str] | None:
    """Why this process cannot parse as the client would: ("model" or "code", the
    rest of a sentence naming the worker); None when it can. Run on each worker
    before any article is sent."""
    mine = model_identity(model)
    hint = MODEL_INSTALL_HINT.get(model, f"python -m spacy download {model}")
    if mine is None:
        return "model", f"has no spaCy model {model!r}; install it on that worker with `{hint}`"
    if expected.identity is not None and mine != expected.identity:
        version = model_version(model)
        differs = (f"version {version} there, version {expected.version} here"
                   if version != expected.version
                   else f"version {version} on both, with other components")
        return "model", (f"has another version of the spaCy model {model!r} than this "
                         f"machine ({differs}); install the same on that worker with `{hint}`")
    ours = dict(expected.versions)
    for name, value in extraction_versions().items():
        if ours.get(name) != value:
            what = (f"{name} {value} where this machine has {ours.get(name)}" if len(value) < 40
                    else f"other code in briefing/{name} than this machine")
            return "code", (f"would parse unlike this machine: it has {what}; install the "
                            f"same briefing on every worker with `{INSTALL_WORKER}`")
    return None


def _profiling(dask_worker: distributed.Worker) -> bool:
    """Does this worker run Dask's statistical profiler?"""
    return "profile" in dask_worker.periodic_callbacks


_PARSING = threading.Lock()  # one parse at a time in a worker process: the pipeline and
# its memory zones are not for threads to share (`dask worker --nthreads 1` is the fit)


class _Parser(WorkerPlugin):
    """A worker's parser: the model loaded once when the plugin reaches the worker
    (or a worker joins later), then used for every task of these themes."""

    idempotent = True  # registered by every run: a worker that has it keeps it loaded

    def __init__(self, model: str, themes: Themes, batch_size: int,
                 expected: Expected) -> None:
        self.model, self.themes, self.batch_size = model, themes, batch_size
        self.expected = expected
        self.address = "?"
        self.error: tuple[str, str] | None = None  # (kind, message) of why it cannot parse
        self.log: list[tuple[str, int, str]] = []  # said while loading: sent with a task
        self.timings: dict[str, float] = {}
        self._parser: Parser | None = None

    async def setup(self, worker: distributed.Worker) -> None:
        self.address = worker.address
        await asyncio.get_running_loop().run_in_executor(None, self._load)  # off the event
        # loop, so the worker goes on answering the scheduler while spaCy loads

    def _load(self) -> None:
        started = time.perf_counter()
        with _PARSING, _Captured(logging.INFO) as log:
            problem = worker_problem(self.model, self.expected)
            if problem is not None:
                kind, text = problem
                self.error = (kind, f"Dask worker {self.address} {text}")
            else:
                try:
                    from .extract import Parser

                    self._parser = Parser(self.model, self.themes, self.batch_size)
                except BriefingError as error:
                    self.error = ("model", f"Dask worker {self.address}: {error}")
        self.log = log
        self.timings = {"spaCy and model load": time.perf_counter() - started}

    def teardown(self, worker: distributed.Worker) -> None:
        self._parser = None

    def parse(self, sources: Sequence[Source], level: int) -> dict[str, Any]:
        answer: dict[str, Any] = {"facts": [], "worker": self.address, "error": None,
                                  "error_kind": None}
        started = time.perf_counter()
        with _PARSING, _Captured(level) as log:
            if self.error is not None or self._parser is None:
                kind, message = self.error or ("code", f"Dask worker {self.address} has no "
                                               "parser loaded")
                answer.update(error=message, error_kind=kind)
            else:
                answer["facts"] = [[fact_record(fact) for fact in facts]
                                   for facts in self._parser.parse(sources)]
        answer["log"] = [*self.log, *log]
        answer["timings"] = {**self.timings, "parse": time.perf_counter() - started}
        self.log, self.timings = [], {}  # the model load is told once
        return answer


class _LeaveInterruptToClient(WorkerPlugin):
    """Ctrl-C reaches every process of the terminal's process group, the workers of
    a LocalCluster too: they leave it to the client, which cancels their tasks and
    stops them, as the process engine's workers do. (Never registered on a cluster
    of the user's own: their workers stop on Ctrl-C as they always do.)"""

    def setup(self, worker: distributed.Worker) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_task(plugin: str, sources: list[Source], level: int) -> dict[str, Any]:
    """A task on a worker: *sources* parsed by the worker's parser for *plugin*."""
    worker = distributed.get_worker()
    parser = worker.plugins.get(plugin)
    if not isinstance(parser, _Parser):
        return {"facts": [], "worker": worker.address, "log": [], "timings": {},
                "error_kind": "code",
                "error": f"Dask worker {worker.address} has not loaded briefing's parser "
                         f"(plugin {plugin}); restart it, with `{INSTALL_WORKER}` done"}
    return parser.parse(sources, level)


class _Captured(logging.Handler):
    """The records briefing logs in this thread meanwhile, as (logger, level, text)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[tuple[str, int, str]] = []
        self._thread = threading.get_ident()
        self._logger = logging.getLogger("briefing")
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:
            self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self) -> list[tuple[str, int, str]]:
        self._logger.addHandler(self)
        if not self._logger.level or self._logger.level > self.level:
            self._logger.setLevel(self.level)
        return self.records

    def __exit__(self, *_exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
