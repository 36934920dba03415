"""Read a local file that must be a regular file of bounded size.

Every file briefing reads on a user's behalf (articles, sidecars, the themes file,
the mail config, a saved message) goes through ``read_file``. It opens the file
without blocking, so a FIFO or a device cannot stall the build before it is
looked at; anything but a regular file is refused, and so is a file over the
limit, before a byte is read (a 2 GB sparse file is not read to find it is
binary). The read itself stops one byte past the limit, for files whose size
the system does not know in advance.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from ..errors import BriefingError, InputError

__all__ = ["describe_size", "load_toml", "read_file"]

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))
_KINDS = (  # what a path can be besides a regular file, in words a user knows
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_file(
    path: str | Path,
    *,
    limit: int,
    name: str | None = None,
    what: str = "an input file",
    error: type[BriefingError] = InputError,
) -> bytes:
    """The bytes of the regular file *path*, if it holds at most *limit* of them.

    A path that is not a regular file, or a file over *limit*, raises *error*
    with one line naming it (*name*, else the path) and the limit of *what* it
    is ("an input file", "a themes file").
    Missing files, folders and permission problems raise the usual OSError
    subclasses (FileNotFoundError, IsADirectoryError, PermissionError), for the
    caller to word as it words them.
    """
    shown = name if name is not None else str(path)
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(status.st_mode):
            kind = next((kind for test, kind in _KINDS if test(status.st_mode)),
                        "not a regular file")
            raise error(f"{shown}: is {kind}, not a regular file; give a file saved on disk")
        if status.st_size > limit:
            raise error(_too_big(shown, status.st_size, limit, what))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew meanwhile, or the system gave no size
            raise error(_too_big(shown, size, limit, what, more=True))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def load_toml(text: str, *, depth: int) -> dict[str, Any]:
    """The TOML document *text*, nested at most *depth* arrays and tables deep.

    tomllib recurses once per level and runs out of stack at a few hundred: that,
    and anything nested deeper than *depth*, is a ValueError (as TOMLDecodeError is).
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ValueError(f"nested more than {depth} levels deep") from None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if level > depth:
            raise ValueError(f"nested more than {depth} levels deep")
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return data


def describe_size(size: int) -> str:
    """A size as a person reads it: "2.0 GB", "512 KB", "310 bytes"."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _too_big(shown: str, size: int, limit: int, what: str, *, more: bool = False) -> str:
    actual = f"over {describe_size(limit)}" if more else describe_size(size)
    return (f"{shown}: is {actual}, larger than {what} may be ({_mib(limit)}; see "
            "docs/limits.md); give a smaller file")


def _mib(limit: int) -> str:
    if limit >= 2**20:
        return f"{limit / 2**20:g} MiB"
    return f"{limit / 2**10:g} KiB"
