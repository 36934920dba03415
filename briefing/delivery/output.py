"""Writing a brief's bytes: atomically to a file, or to standard output.

A temporary file beside the target, renamed at the end, so a failed run never
leaves a half-written brief behind and an earlier brief at that path survives.
A symbolic link is followed, as a shell's ``>`` follows it: the file it points
to is replaced and the link stays. Anything at the path that is not a regular
file (a FIFO, a device, a socket) is refused: renaming over it would replace it,
and writing into it could block or land anywhere. ``-`` is standard output.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from ..errors import OutputError

__all__ = ["check_output", "write_output"]

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_output(output: str | Path) -> None:
    """Raise the OutputError writing to *output* would raise for where it is (a
    folder, a FIFO, a missing folder), so a command can fail before its build."""
    if str(output) != "-":
        _target(output)


def write_output(data: bytes, output: str | Path) -> Path | None:
    """Write *data* to *output* atomically; "-" writes to standard output."""
    if str(output) == "-":
        _write_stdout(data)
        return None
    target, status = _target(output)
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(
            f"{output}: cannot write in {folder} ({error.strerror}); pick another --output"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes 0600: keep the mode of the file replaced, else match a plain open()
        os.chmod(temporary, stat.S_IMODE(status.st_mode) if status else 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{output}: cannot write ({error.strerror}); pick another --output"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(output)


def _target(output: str | Path) -> tuple[Path, os.stat_result | None]:
    """The file to replace for *output* (a link's target) and its status, if it exists."""
    target = _resolved(Path(output), output)
    try:
        status = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputError(f"{output}: cannot write ({error.strerror}); pick another --output"
                          ) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{output}: is a folder; give a file name such as brief.pdf")
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = next((kind for test, kind in _KINDS if test(status.st_mode)), "not a file")
        raise OutputError(f"{output}: is {kind}, not a regular file; give a file name, or "
                          "--output - to write to standard output")
    if not target.parent.is_dir():
        raise OutputError(f"{output}: folder {target.parent} does not exist; create it first")
    return target, status


def _resolved(path: Path, output: str | Path) -> Path:
    """The file *path* names once its symbolic links are followed (the link's target,
    existing or not, as ``>`` would create it); *path* itself when it is no link."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError) as error:  # a loop of links
        raise OutputError(f"{output}: a symbolic link that leads nowhere ({error}); "
                          "give a file name") from None


def _write_stdout(data: bytes) -> None:
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (`| head`): the CLI ends quietly
    except OSError as error:
        raise OutputError(f"standard output: cannot write ({error.strerror or error}); "
                          "write to a file with --output instead") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
