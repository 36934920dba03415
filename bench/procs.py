"""The processes of this machine and their resident memory, from Linux's /proc."""

from __future__ import annotations

from pathlib import Path


def processes() -> dict[int, tuple[int, float]]:
    """Each running process's id: its parent's id and its resident memory in MB. A
    process that ends while the table is read is left out."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        resident = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        found[int(status.parent.name)] = (int(fields.get("PPid", "0")), resident)
    return found
