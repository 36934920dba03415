"""Read input articles: text, metadata beside them, and which part is the article.

An input is a text file (``.txt``, ``.md``, ``.text``) or a folder of them. Its
metadata lives in a TOML file of the same stem beside it (``story.txt`` ->
``story.toml``) with the keys ``outlet``, ``title``, ``published`` (a TOML date),
``url`` and ``author``, all optional. A file without one still works: its file
name stands in for the outlet, and a warning says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .clean import segment_article
from .errors import InputError
from .models import Source

__all__ = ["TEXT_SUFFIXES", "find_inputs", "read_source", "read_sources"]

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".text")
METADATA_KEYS = ("outlet", "title", "published", "url", "author")
_BINARY_SAMPLE = 8192  # bytes looked at to tell text from binary, as git does


def find_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders into the text files to read, in a stable order."""
    paths: list[Path] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                and not p.name.startswith(".") and p.name.lower() != "readme.md"
            )
            if not found:
                raise InputError(
                    f"{given}: folder holds no text files ({', '.join(TEXT_SUFFIXES)}); "
                    "add articles or name the files directly"
                )
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise InputError(f"{given}: no such file or folder; check the path")
    if not paths:
        raise InputError("no input given; name article files or a folder of them")
    unique = list(dict.fromkeys(paths))
    return unique


def read_sources(inputs: Sequence[str | Path]) -> list[Source]:
    """Read every input into a :class:`Source`, numbered in input order from 1."""
    paths = find_inputs(inputs)
    return [read_source(path, source_id=str(number)) for number, path in
            enumerate(paths, start=1)]


def read_source(path: str | Path, *, source_id: str = "1") -> Source:
    """Read one text file and its metadata; find the article body in it."""
    file = Path(path)
    text = _decode(file, _read_bytes(file))
    if not text.strip():
        raise InputError(f"{path}: file is empty; give an article's text")
    metadata = _read_metadata(file)
    segments = segment_article(text)
    if not any(segment.kept for segment in segments):
        raise InputError(
            f"{path}: no article text found (no paragraph of full sentences); "
            "check that it is an article, not a list of headlines"
        )
    return Source(
        id=source_id,
        path=str(path),
        text=text,
        segments=segments,
        **metadata,
    )


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{file}: permission denied; make the file readable") from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror or error})") from None


def _decode(file: Path, data: bytes) -> str:
    if b"\x00" in data[:_BINARY_SAMPLE]:
        raise InputError(f"{file}: is a binary file, not text; give a .txt or .md article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{file}: is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    # Offsets count characters of this text, with line ends as the file has them,
    # so a citation can be checked against the file itself.
    return text


def _read_metadata(file: Path) -> dict[str, Any]:
    sidecar = file.with_suffix(".toml")
    if not sidecar.is_file():
        logger.warning(
            "%s: no metadata file %s; the file name stands in for the outlet",
            file, sidecar.name,
        )
        return {}
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{sidecar}: cannot read metadata ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{sidecar}: metadata is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(METADATA_KEYS))
    if unknown:
        raise InputError(
            f"{sidecar}: unknown metadata key {unknown[0]!r}; "
            f"use {', '.join(METADATA_KEYS)}"
        )
    metadata: dict[str, Any] = {}
    for key in ("outlet", "title", "url", "author"):
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise InputError(f"{sidecar}: {key} must be a string, not {value!r}")
            metadata[key] = " ".join(value.split()) or None
    if "published" in data:
        metadata["published"] = _parse_published(sidecar, data["published"])
    return metadata


def _parse_published(sidecar: Path, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(
        f"{sidecar}: published {value!r} is not a date; write it as YYYY-MM-DD"
    )


def describe(sources: Iterable[Source]) -> str:
    """A short list of the sources for log lines."""
    return ", ".join(f"[{s.id}] {s.label}" for s in sources)
