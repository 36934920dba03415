"""Writing a brief's bytes: atomically to a file, or to standard output.

A temporary file beside the target, renamed at the end, so a failed run never
leaves a half-written brief behind and an earlier brief at that path survives.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import OutputError

__all__ = ["write_output"]


def write_output(data: bytes, output: str | Path) -> Path | None:
    """Write *data* to *output* atomically; "-" writes to standard output."""
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"{output}: is a folder; give a file name such as brief.pdf")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{output}: folder {folder} does not exist; create it first")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(
            f"{output}: cannot write in {folder} ({error.strerror}); pick another --output"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; match a plain open()
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{output}: cannot write ({error.strerror}); pick another --output"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
