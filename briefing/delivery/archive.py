"""``--archive DIR``: keep each source's text and metadata, so every citation stays checkable.

For source N the folder gets ``N-slug.txt``, the text the citation offsets index
(for a web page or feed entry, the extracted text; for a text file, its decoded
text), written as UTF-8, and ``N-slug.toml``, its metadata in the sidecar format
``ingest`` reads. ``briefing build DIR --offline`` rebuilds the same brief from
the archive alone.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError
from ..models import Source
from .output import write_output

__all__ = ["archive_stem", "write_archive"]

logger = logging.getLogger(__name__)

SLUG_WORDS = 8  # enough of the title to tell files apart in a listing
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def write_archive(sources: Iterable[Source], folder: str | Path) -> list[Path]:
    """Write the text and metadata files of *sources* into *folder* (created if needed)."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{folder}: cannot create the archive folder ({error.strerror}); "
                          "pick another --archive") from None
    before = {p for p in target.iterdir() if p.suffix in (".txt", ".toml")}
    written: list[Path] = []
    for source in sources:
        stem = archive_stem(source)
        text = target / f"{stem}.txt"
        written.append(write_output(source.text.encode("utf-8"), text) or text)
        metadata = target / f"{stem}.toml"
        written.append(write_output(_sidecar(source).encode("utf-8"), metadata) or metadata)
    others = before - set(written)
    if others:
        logger.warning("%s: also holds %d text or metadata files of an earlier run; a brief "
                       "rebuilt from the folder reads them too", folder, len(others))
    logger.info("archived %d sources in %s", len(written) // 2, target)
    return written


def archive_stem(source: Source) -> str:
    """The name of *source*'s files in an archive, less the suffix: "2-talks-in-geneva"."""
    return f"{source.id}-{_slug(source)}"


def _sidecar(source: Source) -> str:
    # The path goes in quoted too: a comment may hold no line break or control either.
    lines = [f"# Metadata of source [{source.id}], read from {_toml_string(source.path)}"]
    for key in ("outlet", "title", "url", "author"):
        value = getattr(source, key)
        if value:
            lines.append(f"{key} = {_toml_string(value)}")
    if source.published:
        lines.append(f"published = {source.published.isoformat()}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """*value* as a TOML basic string, read back as it is whatever it holds.

    TOML basic strings take JSON's escapes, and json.dumps escapes every control
    character TOML forbids but DEL, which TOML forbids too.
    """
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _slug(source: Source) -> str:
    name = source.title or source.label
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = _NOT_SLUG.sub(" ", ascii_name.lower()).split()[:SLUG_WORDS]
    return "-".join(words) or "source"
