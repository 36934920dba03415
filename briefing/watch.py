"""What ``briefing build --watch`` watches, and the changes that start a rebuild.

The local inputs (files, and folders of them) and the themes file are watched
with watchfiles, which listens to the operating system's change notices. A
change to anything a build reads starts a rebuild: an article file a folder
yields, a sidecar ``.toml``, an input file, the themes or mail config. What the
build itself writes (the brief, the archive) and hidden or temporary files do
not, so writing the brief into the articles' folder starts no loop. URLs and
feeds cannot be watched: each rebuild reads them again, and ``--every`` polls
them, building again at an interval whether or not a local file changed. A watched
folder removed (or replaced by another of the same name) is said so on stderr and
starts a rebuild; the watch listens to it again as soon as it is back.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import stat
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, InputError
from .sources.inputs import INPUT_SUFFIXES, is_url

__all__ = ["Watched", "Watcher", "describe_interval", "parse_interval"]

logger = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".toml"  # an article's metadata beside it (briefing/sources/ingest.py)
LISTENING_MS = 500  # watchfiles' idle wake-up; the first one says it is listening
WAIT_SECONDS = 0.5  # the longest wait for a change that Ctrl-C cannot interrupt
MIN_INTERVAL = 1.0  # seconds: --every below this would rebuild without a pause
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str, *, option: str = "--every") -> float:
    """Seconds of an interval such as "30m", "1h30m", "90s" or "1d"."""
    text = value.strip().replace(" ", "")
    parts = _INTERVAL.findall(text)
    if not parts or "".join(f"{n}{u}" for n, u in parts).lower() != text.lower():
        raise BriefingError(f"{option} {value!r} is not an interval; use a number and a "
                            "unit (s, m, h or d), such as 30m, 1h30m or 90s")
    seconds = sum(float(number) * _UNITS[unit.lower()] for number, unit in parts)
    if seconds < MIN_INTERVAL:
        raise BriefingError(f"{option} {value!r} is under {MIN_INTERVAL:g} second; give a "
                            "longer interval")
    return seconds


def describe_interval(seconds: float) -> str:
    """ "30m", "1h30m", "90s": an interval as --every takes it."""
    whole = round(seconds)
    if whole % 60 or whole < 60:
        return f"{seconds:g}s"
    minutes = whole // 60
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")


def _absolute(path: str | Path) -> Path:
    return Path(os.path.abspath(path))


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at *folder* now (device and inode), or None if none is."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if stat.S_ISDIR(status.st_mode) else None


@dataclass(frozen=True)
class Watched:
    """The files and folders a build reads, and those it writes, as absolute paths."""

    folders: frozenset[Path]  # input folders: the article files and sidecars in them
    files: frozenset[Path]  # input files, the themes file, the mail config
    written: frozenset[Path]  # the brief and the archive folder: never a cause

    @classmethod
    def of(
        cls,
        inputs: Sequence[str | Path],
        *,
        also: Sequence[str | Path | None] = (),
        written: Sequence[str | Path | None] = (),
        polled: bool = False,
    ) -> Watched:
        """What to watch for a build of *inputs* that also reads the files *also*
        and writes *written* (None entries are skipped). *polled*: the build also
        runs at an interval, so inputs that are all URLs are fine."""
        folders: set[Path] = set()
        files: set[Path] = set()
        for given in inputs:
            if is_url(str(given)):
                continue
            path = _absolute(given)
            if path.is_dir():
                folders.add(path)
            elif path.parent.is_dir():  # a file (or one still to come), and its sidecar
                files.update((path, path.with_suffix(SIDECAR_SUFFIX)))
            else:
                raise InputError(f"{given}: no such file or folder to watch; check the path")
        if not folders and not files and not polled:
            raise InputError("--watch needs a local file or folder among the inputs; "
                             "URLs and feeds are read again only when one of those changes, "
                             "or give --every 15m to fetch them again at an interval")
        if not folders and not files:
            return cls(frozenset(), frozenset(), frozenset())  # polled only: nothing local
        files.update(_absolute(path) for path in also if path is not None)
        return cls(frozenset(folders), frozenset(files),
                   frozenset(_absolute(path) for path in written if path is not None))

    @property
    def roots(self) -> list[Path]:
        """The folders to listen to: the input folders and those holding the files."""
        return sorted(self.folders | {file.parent for file in self.files})

    def __call__(self, _change: object, name: str) -> bool:
        """Does a change to the path *name* concern the build? (watchfiles' filter)"""
        path = _absolute(name)
        if path in self.written or any(folder in self.written for folder in path.parents):
            return False
        if path in self.files:
            return True
        if (path.parent not in self.folders or path.name.startswith(".")
                or path.name.lower() == "readme.md"):
            return False
        suffix = path.suffix.lower()
        if suffix == SIDECAR_SUFFIX:  # the metadata of an article beside it
            return any(path.with_suffix(other).exists() for other in INPUT_SUFFIXES)
        return suffix in INPUT_SUFFIXES

    def describe(self, shown: int = 3) -> str:
        """The folders listened to, for the line that says what is watched."""
        roots = [str(root) for root in self.roots]
        more = len(roots) - shown
        return ", ".join(roots[:shown]) + (f" and {more} more folders" if more > 0 else "")


class Watcher:
    """The changes that concern a build, batch by batch, listened for from the moment
    the watcher is made: a change made while a build runs starts the next one.

    watchfiles listens in a thread of its own; ``for paths in watcher`` waits in
    this one (Ctrl-C gets through) and merges the batches that came meanwhile.
    A batch gathers the changes made in quick succession (files copied in
    together). Use it as a context manager, so that the thread stops.
    """

    def __init__(self, watched: Watched, *, every: float | None = None) -> None:
        # Imported here, never in the listening thread: a module half imported there
        # when a worker process is forked holds its import lock in the worker for
        # ever, and the worker hangs as it imports the same module (shlex, which
        # watchfiles and spaCy both import). watchfiles.watch imports platform as it
        # starts (to tell WSL, which it polls); spaCy imports it too.
        import platform  # noqa: F401

        import watchfiles

        self._watch = watchfiles.watch
        self.watched = watched
        self.every = every  # seconds: an empty batch at each interval (a tick)
        self._stop = threading.Event()
        self._ready = threading.Event()  # listening: set at the first batch or timeout
        self._batches: queue.Queue[set[Path] | Exception] = queue.Queue()
        self._thread = threading.Thread(target=self._listen, name="briefing-watch", daemon=True)
        if watched.roots:
            self._thread.start()
        else:
            self._ready.set()  # nothing local: only the ticks

    def _listen(self) -> None:
        try:
            while not self._stop.is_set():
                before = {root: _identity(root) for root in self.watched.roots}
                live = [root for root, identity in before.items() if identity is not None]
                if not live:  # every folder is gone: look again until one is back
                    self._ready.set()
                    self._stop.wait(LISTENING_MS / 1000)
                    self._restarted(before)
                    continue
                for batch in self._watch(
                    *live, watch_filter=self._concerns, recursive=False,
                    stop_event=self._stop, rust_timeout=LISTENING_MS, yield_on_timeout=True,
                    raise_interrupt=False,
                ):
                    self._ready.set()
                    paths = {_absolute(name) for _, name in batch} - set(live)
                    if paths:
                        self._batches.put(paths)
                    if self._restarted(before, events={_absolute(name) for _, name in batch}):
                        break  # listen again, to the folders as they are now
        except Exception as error:  # the system's watch limit hit, a folder unreadable
            self._batches.put(error)
        finally:
            self._ready.set()

    def _concerns(self, change: object, name: str) -> bool:
        """A change the build cares about, or one to a watched folder itself."""
        return _absolute(name) in self.watched.roots or self.watched(change, name)

    def _restarted(self, before: dict[Path, tuple[int, int] | None],
                   events: Collection[Path] = ()) -> bool:
        """Has a watched folder been removed, made again or replaced since *before*? Its
        notices stop with the folder it was (inotify watches an inode): say so, start a
        rebuild (which reports a missing folder in its one line), and listen anew."""
        moved = {root for root, identity in before.items()
                 if _identity(root) != identity or root in events}
        for root in sorted(moved):
            if _identity(root) is None:
                logger.warning("%s was removed; watching for it to come back", root)
            else:
                logger.warning("%s is there again; watching it anew", root)
        if moved:
            self._batches.put(moved)
        return bool(moved)

    def __iter__(self) -> Iterator[list[Path]]:
        """Batches of changed paths; with *every*, an empty one at each interval
        (counted from the end of the last batch's build, so builds never pile up)."""
        self._ready.wait()
        due = time.monotonic() + self.every if self.every is not None else None
        while True:
            try:
                batch = self._batches.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if due is not None and time.monotonic() >= due:
                    yield []
                    due = time.monotonic() + (self.every or 0.0)
                continue
            paths: set[Path] = set()
            while True:
                if isinstance(batch, Exception):
                    raise InputError(f"cannot watch {self.watched.describe()} any more "
                                     f"({batch}); start the watch again") from None
                paths |= batch
                try:
                    batch = self._batches.get_nowait()
                except queue.Empty:
                    break
            yield sorted(paths)
            if due is not None:
                due = time.monotonic() + self.every if self.every is not None else None

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
