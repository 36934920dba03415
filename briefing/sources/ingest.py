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
import functools
import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import LIMITS, Segment, Source
from .clean import segment_article
from .encoding import decode_text
from .files import load_toml, read_file

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
    offset = front.end() if front else 0
    if front:
        found.update(_front_matter(path, front.group(1), front.group(2)))
    if file is not None:
        found.update(_read_metadata(file, missing=None if front or metadata
                                    else missing_metadata))
    body = segment_article(text[offset:], title=found.get("title"))
    segments = tuple(Segment(s.start + offset, s.end + offset, s.kept, s.reason) for s in body)
    if front:
        segments = (Segment(0, len(front.group().rstrip()), False, "front matter (metadata)"),
                    *segments)
    if not any(segment.kept for segment in segments):
        raise InputError(
            f"{path}: no article text found (no paragraph of full sentences); "
            "check that it is an article, not a list of headlines"
        )
    return Source(id=source_id, path=path, text=text, segments=segments, **found)


def read_bytes(file: Path, *, limit: int | None = None) -> bytes:
    """The bytes of *file*, a regular file of at most *limit* bytes (by default
    ``LIMITS.max_file_bytes``); anything else is an InputError naming it."""
    try:
        return read_file(file, limit=LIMITS.max_file_bytes if limit is None else limit)
    except FileNotFoundError:
        raise InputError(f"{file}: no such file or folder; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{file}: permission denied; make the file readable") from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror or error})") from None


def _read_metadata(file: Path, *, missing: Callable[[Path], None] | None) -> dict[str, Any]:
    sidecar = file.with_suffix(".toml")
    if not sidecar.exists():  # a FIFO or folder there is read, and refused, not skipped
        if missing is not None:
            missing(file)
        return {}
    raw = read_bytes(sidecar, limit=LIMITS.max_settings_bytes)
    try:
        data = load_toml(raw.decode("utf-8"), depth=LIMITS.max_settings_depth)
    except UnicodeDecodeError as error:
        raise InputError(f"{sidecar}: cannot read metadata ({error})") from None
    except (tomllib.TOMLDecodeError, ValueError) as error:
        raise InputError(f"{sidecar}: metadata is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(METADATA_KEYS))
    if unknown:
        raise InputError(
            f"{sidecar}: unknown metadata key {unknown[0]!r}; "
            f"use {', '.join(METADATA_KEYS)}"
        )
    return _metadata(str(sidecar), data)


def _front_matter(path: str, fence: str, block: str) -> dict[str, Any]:
    """Metadata keys of a front matter block; other keys (tags, layout...) are ignored.

    ``date`` (Jekyll, Hugo and most note apps) and Hugo's ``publishDate`` are the
    publication date, when ``published`` is not given. Front matter over
    ``LIMITS.max_front_matter_bytes`` or nested deeper than
    ``max_front_matter_depth`` is refused before it is parsed.
    """
    kind = "TOML" if fence == "+++" else "YAML"
    limit = LIMITS.max_front_matter_bytes
    if len(block.encode("utf-8", "surrogatepass")) > limit:
        raise InputError(f"{path}: front matter is over {limit // 1024} KiB, more than "
                         "metadata takes (see docs/limits.md); close it with a "
                         f"'{fence}' line or move the text below it")
    try:
        data = (load_toml(block, depth=LIMITS.max_front_matter_depth) if kind == "TOML"
                else _load_yaml(block, depth=LIMITS.max_front_matter_depth))
    except ValueError as error:  # TOMLDecodeError and YAMLError are ValueErrors here
        problem = " ".join(str(error).split())
        raise InputError(f"{path}: front matter is not valid {kind} ({problem}); "
                         "fix it or move the metadata to a sidecar .toml") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: front matter is not a table of keys; "
                         f"write one 'key: value' per line ({', '.join(METADATA_KEYS)})")
    found = {k: v for k, v in data.items() if k in METADATA_KEYS}
    metadata = _metadata(f"{path} front matter", found)
    alias = next((key for key in _PUBLISHED_ALIASES if key in data), None)
    if "published" not in found and alias is not None:
        metadata["published"] = _parse_published(f"{path} front matter", data[alias],
                                                 key=alias)
    return metadata


# Other names of the publication date in front matter, the first found wins: Hugo's
# publishDate, then the date Hugo, Jekyll, Eleventy and note apps all write.
_PUBLISHED_ALIASES = ("publishDate", "publishdate", "date")


def _load_yaml(block: str, *, depth: int) -> Any:
    """The YAML document *block*, its dates left as text (``_parse_published`` reads
    them, so an impossible date is a message, not a crash), after checking its
    nesting on the event stream (the composer recurses once per level)."""
    import yaml  # imported late: only files with YAML front matter need it

    try:
        level = 0
        loader = _metadata_loader()
        for event in yaml.parse(block, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                level += 1
                if level > depth:
                    raise ValueError(f"nested more than {depth} levels deep, deeper than "
                                     "metadata goes")
            elif isinstance(event, yaml.CollectionEndEvent):
                level -= 1
        return yaml.load(block, Loader=loader)  # a SafeLoader: builds no objects
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None


@functools.cache
def _metadata_loader() -> Any:
    """PyYAML's SafeLoader without the timestamp type: dates stay strings."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _metadata(origin: str, data: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key in ("outlet", "title", "url", "author"):
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise InputError(f"{origin}: {key} must be a string, not {_kind(value)}")
            metadata[key] = " ".join(value.split()) or None
    if "published" in data:
        metadata["published"] = _parse_published(origin, data["published"])
    return metadata


_DATE_START = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]|\Z)")


def _parse_published(origin: str, value: Any, *, key: str = "published") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
        start = _DATE_START.match(text)  # "2025-05-27 10:30:00 +0200", as Jekyll writes
        if start:
            try:
                return dt.date.fromisoformat(start.group(1))
            except ValueError:
                pass
    raise InputError(f"{origin}: {key} {_kind(value)} is not a date; write it as YYYY-MM-DD")


def _kind(value: Any) -> str:
    """A value named in a message: short text as it is, anything else by its type (an
    alias bomb's list would print for ever)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


def describe(sources: Iterable[Source]) -> str:
    """A short list of the sources for log lines."""
    return ", ".join(f"[{s.id}] {s.label}" for s in sources)
