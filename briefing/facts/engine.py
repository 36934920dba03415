"""Where articles are parsed: what every parsing engine does, and which one to use.

An engine takes tasks (a few sources each), parses them with the spaCy model it
loaded once per worker, and hands back each task's facts in task order. Two
engines do so: worker processes of this machine (``workers.Workers``, the
default) and the workers of a Dask cluster (``cluster.DaskEngine``, with the
``dask`` extra). ``extraction.Extraction`` looks the sources up in the fact cache
and hands only the rest to the engine, then dates and caches what comes back;
an engine never sees the cache, and nothing downstream knows which one parsed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import BriefingError
from ..models import Fact, Source

__all__ = ["ENGINES", "SCHEDULER_ENV", "Engine", "EngineOptions", "TaskResult", "relay"]

ENGINES = ("processes", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"  # Dask's own variable for its scheduler's address


@dataclass(frozen=True)
class EngineOptions:
    """Which engine parses, and for Dask, which cluster.

    *kind* "processes": ``jobs`` worker processes of this machine. "dask": the
    cluster whose scheduler is at *scheduler* (``tcp://HOST:8786``), else at
    ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``jobs`` worker
    processes started on this machine for the run.
    """

    kind: str = "processes"
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise BriefingError(f"engine {self.kind!r} is not one of {', '.join(ENGINES)}; "
                                "pick one")
        if self.scheduler is not None and self.kind != "dask":
            raise BriefingError(f"a scheduler ({self.scheduler}) is for --engine dask, not "
                                f"{self.kind}; add --engine dask or drop --scheduler")

    @property
    def address(self) -> str | None:
        """The Dask scheduler's address: given, from the environment, or None."""
        if self.kind != "dask":
            return None
        return self.scheduler or os.environ.get(SCHEDULER_ENV) or None


@dataclass
class TaskResult:
    """One task's facts, one list per source in task order, and what the worker said."""

    facts: list[list[Fact]]
    records: list[logging.LogRecord]  # the worker's log records, to log in this process
    timings: dict[str, float]  # seconds in the worker: model load (once), parse
    error: Exception | None = None  # a BriefingError (no model...), or a bug (RuntimeError)


class Engine(Protocol):
    """Parsing workers with their model loaded; ``extraction`` drives them."""

    def start(self) -> None:
        """Start the workers loading the model now, before there is a task."""

    def parse(self, tasks: Sequence[Sequence[Source]]) -> Iterator[TaskResult]:
        """Hand the workers *tasks*; their results in task order, as they come."""
        ...

    def stop(self) -> None:
        """Stop at once, even mid-task; what is still running is cancelled."""


def relay(records: Sequence[logging.LogRecord]) -> None:
    """Log a worker's records here, through this process's handlers."""
    for record in records:
        handler = logging.getLogger(record.name)
        if handler.isEnabledFor(record.levelno):
            handler.handle(record)
