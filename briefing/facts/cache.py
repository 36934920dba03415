"""A cache on disk of each article's extracted facts, so a rebuild parses only new text.

What is cached is the facts of one source, not its spaCy parse: turning a cached
parse back into a ``Doc`` and running the extraction rules over it again costs a
good part of what parsing does, while the facts load in microseconds. Facts
depend on more than the text, so the key holds everything they are made from:

- the source's text and metadata (its body segments, the publication date that
  relative dates resolve against, the author whose sentences are skipped) and,
  for a source with no publication date, today's date, which stands in for it;
- the themes (their patterns decide each fact's matches);
- the model's name and version and its pipeline, spaCy's and dateparser's versions;
- briefing's version and a hash of the code and data extraction runs
  (``extract.py``, ``dates.py``, ``models.py``, ``aliases.toml``,
  ``rhetoric.toml``), so a changed rule never reads facts the old rule made.

An entry is one file of JSON records (``models.fact_record``), written
atomically (a temporary file, then a rename). Reading one runs no code, whatever
the file holds: a cache folder may be shared, synced or restored from a backup,
so it is data, never pickles. An entry that cannot be read, does not hold what
its key says, or holds a fact whose text is not its source's text at its
offsets, is ignored, logged and rewritten: the cache can only cost a parse,
never a wrong or failed build. Entries of the first format (pickles, ``.pickle``)
are never opened; ``briefing cache --clear`` deletes them. Deleting the folder
at any time is safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import platformdirs

from ..errors import InputError, OutputError
from ..models import LIMITS, Fact, Source, Themes, fact_from_record, fact_record
from ..sources.files import read_file

__all__ = ["CACHE_ENV", "CacheUsage", "FactCache", "cache_usage", "default_cache_dir",
           "extraction_fingerprint", "extraction_versions", "prune_cache"]

logger = logging.getLogger(__name__)

CACHE_ENV = "BRIEFING_CACHE_DIR"
# First bytes of every entry; bump when the layout changes. 1 was pickles (never read
# now: unpickling runs code); 2 is JSON records.
_FORMAT = b"briefing-facts/2\n"
_SUFFIX = ".json"
_OLD_SUFFIXES = (".pickle",)  # entries of earlier formats: left unread, deleted by --clear
_PACKAGE = Path(__file__).resolve().parent.parent
_EXTRACTION_FILES = ("facts/extract.py", "facts/lexicon.py", "facts/dates.py", "models.py",
                     "facts/aliases.toml", "facts/rhetoric.toml", "facts/acts.toml",
                     "sources/clean.py")  # its DATELINE marks where a line starts


def default_cache_dir() -> Path:
    """``$BRIEFING_CACHE_DIR``, else the user's cache folder (``~/.cache/briefing`` on Linux)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("briefing", appauthor=False))


class FactCache:
    """Facts per source, in a folder, keyed on everything they are made from."""

    def __init__(self, folder: str | Path, *, model: str, themes: Themes) -> None:
        self.folder = Path(folder) / "facts"
        self.hits = 0
        self.misses = 0
        self._context = _digest(
            _FORMAT.decode(),
            model,  # extract.model_identity: name, version and pipeline
            extraction_fingerprint(),
            repr(themes),  # frozen dataclasses: a stable, complete rendering of the patterns
        )
        self._writable = True

    def key(self, source: Source) -> str:
        """The entry name for *source*: the same text and metadata give the same key."""
        fields = [
            (field.name, getattr(source, field.name))
            for field in dataclasses.fields(source)
            if field.name not in {"id", "path"}  # numbering and naming change no fact
        ]
        today = dt.date.today().isoformat() if source.published is None else ""
        return _digest(self._context, repr(fields), today)

    def get(self, key: str, source: Source) -> list[Fact] | None:
        """The cached facts of *source*, renumbered to its id; None on a miss."""
        path = self._path(key)
        try:
            data = read_file(path, limit=LIMITS.max_cache_entry_bytes)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, InputError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not a cache entry"
            logger.warning("cache entry %s unreadable (%s); parsing again", path, reason)
            self.misses += 1
            return None
        facts = _decode(data, key, source)
        if facts is None:
            logger.warning("cache entry %s is damaged; parsing again and rewriting it", path)
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):  # its last use, for ``prune_cache(older_than=)``
            os.utime(path)
        return facts

    def put(self, key: str, facts: Sequence[Fact]) -> None:
        """Store *facts* under *key*; a cache that cannot be written only logs a warning."""
        if not self._writable:
            return
        path = self._path(key)
        records = json.dumps([fact_record(fact) for fact in facts], ensure_ascii=False,
                             separators=(",", ":"))
        payload = _FORMAT + key.encode() + b"\n" + records.encode("utf-8", "surrogatepass")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            self._writable = False  # say it once, not once per article
            logger.warning(
                "cannot write the cache in %s (%s); building without it. Set %s or "
                "--cache-dir to a writable folder, or use --no-cache",
                self.folder, error.strerror, CACHE_ENV,
            )

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{_SUFFIX}"


@dataclasses.dataclass(frozen=True)
class CacheUsage:
    """What a cache folder holds, or what a prune removed."""

    folder: Path
    entries: int
    size: int  # bytes

    def __str__(self) -> str:
        entries = "entry" if self.entries == 1 else "entries"
        return f"{self.entries} {entries}, {self.size / 1e6:.1f} MB"


def cache_usage(folder: str | Path) -> CacheUsage:
    """How many entries the cache in *folder* holds, and their size."""
    entries = [path.stat().st_size for path in _entries(Path(folder))]
    return CacheUsage(Path(folder), len(entries), sum(entries))


def prune_cache(folder: str | Path, *, older_than: dt.timedelta | None = None) -> CacheUsage:
    """Delete the cache's entries, or only those not used for *older_than*; returns
    what was removed. Entries are used when a build reads or writes them. The
    temporary files of builds killed while writing an entry go the same way (their
    size is counted, not as entries)."""
    now = dt.datetime.now().timestamp()
    cutoff = None if older_than is None else now - older_than.total_seconds()
    removed, size = 0, 0
    marked = [(path, 1) for path in _entries(Path(folder))]
    marked += [(path, 0) for path in _leftovers(Path(folder))]
    for path, entry in marked:
        try:
            status = path.stat()
            if cutoff is not None and status.st_mtime >= cutoff:
                continue
            path.unlink()
        except FileNotFoundError:  # another build removed or replaced it meanwhile
            continue
        except OSError as error:
            raise OutputError(f"{path}: cannot delete this cache entry ({error.strerror}); "
                              "check the folder's permissions") from None
        removed, size = removed + entry, size + status.st_size
    return CacheUsage(Path(folder), removed, size)


def _entries(folder: Path) -> list[Path]:
    facts = folder / "facts"
    return sorted(facts.glob(f"*/*{_SUFFIX}")) if facts.is_dir() else []


def _leftovers(folder: Path) -> list[Path]:
    """Temporary files of entries whose writing never finished (see FactCache.put), and
    entries of earlier formats, which are never read."""
    facts = folder / "facts"
    if not facts.is_dir():
        return []
    patterns = ("*/.*.tmp", *(f"*/*{suffix}" for suffix in _OLD_SUFFIXES))
    return sorted(path for pattern in patterns for path in facts.glob(pattern))


def _decode(data: bytes, key: str, source: Source) -> list[Fact] | None:
    """The facts an entry holds, numbered as *source*, if it is whole and every fact
    quotes *source*."""
    header = _FORMAT + key.encode() + b"\n"
    if not data.startswith(header):
        return None
    try:
        records = json.loads(data[len(header):].decode("utf-8", "surrogatepass"))
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return None
        for record in records:  # renumbered here: not a copy of each fact after
            record["source_id"] = source.id
        facts = [fact_from_record(record) for record in records]
    except (ValueError, TypeError, RecursionError):  # not JSON, or not fact records
        return None
    if any(source.text[fact.start:fact.end] != fact.text for fact in facts):
        return None  # a fact the source does not say: never into a brief
    return facts


@functools.cache
def extraction_versions() -> dict[str, str]:
    """What facts are made from, besides the model and themes: briefing's version, those
    of the libraries facts come from, and a hash of each file of extraction code."""
    parts = {name: _version(name) for name in ("briefing", "spacy", "dateparser")}
    for name in _EXTRACTION_FILES:
        parts[name] = hashlib.sha256((_PACKAGE / name).read_bytes()).hexdigest()
    return parts


def extraction_fingerprint() -> str:
    """``extraction_versions`` in one string: a change in any part changes it."""
    return "\n".join(f"{name} {value}" for name, value in extraction_versions().items())


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()
