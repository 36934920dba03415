"""Read input articles: text, metadata beside them, and which part is the article.

An input is a text file (``.txt``, ``.md``, ``.text``) or a folder of them, in
any encoding (see ``encoding.py``). Its metadata lives in a TOML file of the same
stem beside it (``story.txt`` -> ``story.toml``) with the keys ``outlet``,
``title``, ``published`` (a TOML date), ``url`` and ``author``, all optional, or
in front matter at the top of the file (YAML between ``---`` lines, or TOML
between ``+++`` lines, as static-site generators write it); the sidecar wins
where both set a key. A file without either still works: its file name stands
in for the outlet, and a warning says so. Web pages and feeds: ``inputs.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import Segment, Source
from .clean import segment_article
from .encoding import decode_text

__all__ = [
    "TEXT_SUFFIXES",
    "expand_input",
    "find_inputs",
    "read_bytes",
    "read_source",
    "read_sources",
    "text_source",
    "warn_missing_metadata",
]

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".text")
METADATA_KEYS = ("outlet", "title", "published", "url", "author")
# Front matter: YAML between "---" lines or TOML between "+++" lines, first thing in the file.
_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n(.*?)^\1[ \t]*(?:\r?\n|\Z)",
                           re.DOTALL | re.MULTILINE)


def find_inputs(
    inputs: Sequence[str | Path], *, suffixes: Sequence[str] = TEXT_SUFFIXES
) -> list[Path]:
    """Expand files and folders into the files to read, in a stable order."""
    paths = [path for given in inputs for path in expand_input(given, suffixes=suffixes)]
    if not paths:
        raise InputError("no input given; name article files or a folder of them")
    unique = list(dict.fromkeys(paths))
    return unique


def expand_input(given: str | Path, *, suffixes: Sequence[str] = TEXT_SUFFIXES) -> list[Path]:
    """One input: a file as it is, or a folder's files of *suffixes* in name order."""
    path = Path(given)
    if path.is_dir():
        found = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes
            and not p.name.startswith(".") and p.name.lower() != "readme.md"
        )
        if not found:
            raise InputError(
                f"{given}: folder holds no input files ({', '.join(suffixes)}); "
                "add articles or name the files directly"
            )
        return found
    if path.exists():
        return [path]
    raise InputError(f"{given}: no such file or folder; check the path")


def read_sources(inputs: Sequence[str | Path]) -> list[Source]:
    """Read every input into a :class:`Source`, numbered in input order from 1."""
    paths = find_inputs(inputs)
    return [read_source(path, source_id=str(number)) for number, path in
            enumerate(paths, start=1)]


def warn_missing_metadata(file: Path) -> None:
    """What a text file without metadata file or front matter is told, by default."""
    logger.warning("%s: no metadata file %s; the file name stands in for the outlet",
                   file, file.with_suffix(".toml").name)


def read_source(
    path: str | Path, *, source_id: str = "1",
    missing_metadata: Callable[[Path], None] = warn_missing_metadata,
) -> Source:
    """Read one text file and its metadata; find the article body in it.

    *missing_metadata* is called with the file when it has neither a metadata file
    nor front matter (by default: a warning).
    """
    file = Path(path)
    text = decode_text(read_bytes(file), name=str(path))
    return text_source(text, path=str(path), source_id=source_id, file=file,
                       missing_metadata=missing_metadata)


def text_source(
    text: str,
    *,
    path: str,
    source_id: str = "1",
    file: Path | None = None,
    metadata: dict[str, Any] | None = None,
    missing_metadata: Callable[[Path], None] = warn_missing_metadata,
) -> Source:
    """A Source of *text*; metadata: *metadata*, then front matter, then *file*'s sidecar.

    Offsets index *text* as given, front matter included, so a citation can be
    checked against the file itself.
    """
    if not text.strip():
        raise InputError(f"{path}: file is empty; give an article's text")
    found = dict(metadata or {})
    segments: tuple[Segment, ...]
    front = _FRONT_MATTER.match(text)
    if front:
        found.update(_front_matter(path, front.group(1), front.group(2)))
        offset = front.end()
        segments = (
            Segment(0, len(front.group().rstrip()), False, "front matter (metadata)"),
            *(Segment(s.start + offset, s.end + offset, s.kept, s.reason)
              for s in segment_article(text[offset:])),
        )
    else:
        segments = segment_article(text)
    if file is not None:
        found.update(_read_metadata(file, missing=None if front or metadata
                                    else missing_metadata))
    if not any(segment.kept for segment in segments):
        raise InputError(
            f"{path}: no article text found (no paragraph of full sentences); "
            "check that it is an article, not a list of headlines"
        )
    return Source(id=source_id, path=path, text=text, segments=segments, **found)


def read_bytes(file: Path) -> bytes:
    """The bytes of *file*; an unreadable file is an InputError naming it."""
    try:
        return file.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{file}: permission denied; make the file readable") from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror or error})") from None


def _read_metadata(file: Path, *, missing: Callable[[Path], None] | None) -> dict[str, Any]:
    sidecar = file.with_suffix(".toml")
    if not sidecar.is_file():
        if missing is not None:
            missing(file)
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
    return _metadata(str(sidecar), data)


def _front_matter(path: str, fence: str, block: str) -> dict[str, Any]:
    """Metadata keys of a front matter block; other keys (tags, layout...) are ignored."""
    import yaml  # imported late: only files with YAML front matter need it

    kind = "TOML" if fence == "+++" else "YAML"
    try:
        data = tomllib.loads(block) if kind == "TOML" else yaml.safe_load(block)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        problem = " ".join(str(error).split())
        raise InputError(f"{path}: front matter is not valid {kind} ({problem}); "
                         "fix it or move the metadata to a sidecar .toml") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: front matter is not a table of keys; "
                         f"write one 'key: value' per line ({', '.join(METADATA_KEYS)})")
    return _metadata(f"{path} front matter", {k: v for k, v in data.items()
                                              if k in METADATA_KEYS})


def _metadata(origin: str, data: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key in ("outlet", "title", "url", "author"):
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise InputError(f"{origin}: {key} must be a string, not {value!r}")
            metadata[key] = " ".join(value.split()) or None
    if "published" in data:
        metadata["published"] = _parse_published(origin, data["published"])
    return metadata


def _parse_published(origin: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise InputError(
        f"{origin}: published {value!r} is not a date; write it as YYYY-MM-DD"
    )


def describe(sources: Iterable[Source]) -> str:
    """A short list of the sources for log lines."""
    return ", ".join(f"[{s.id}] {s.label}" for s in sources)
