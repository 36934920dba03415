"""Processes of this machine, read from /proc (Linux): the tests of worker processes."""

from __future__ import annotations

import time
from pathlib import Path

HAS_PROC = Path("/proc/self/stat").exists()


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is *pid*."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def gone(pid: int) -> bool:
    """Has process *pid* ended (a zombie waiting to be reaped counts as ended)?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def left_running(pids: list[int], within: float = 5.0) -> list[str]:
    """The command lines of those of *pids* still running after *within* seconds: a
    process told to end takes a moment to (a spawned worker's resource tracker sees
    its parent's pipe close, then exits)."""
    deadline = time.monotonic() + within
    while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = []
    for pid in pids:
        if not gone(pid):
            try:
                left.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
            except OSError:
                continue
    return left
