"""Extract files: each source and each of its facts as one record, for building later.

``briefing extract`` writes them (``FactWriter``), ``briefing build --facts``
reads them back (``read_fact_files``) and builds without parsing. The schema,
"briefing-extract/2", is documented in docs/cluster.md. As JSON Lines
(``.jsonl``, or ``.jsonl.gz``), one object a line, each with a ``record`` key:

- ``header`` first: the schema, briefing's version and a digest of its
  extraction code, the model, and the themes the facts were matched against;
- ``source``: ``models.source_record`` (text, metadata, body segments), its
  ``id`` a stable digest of its text and metadata;
- ``fact``: ``models.fact_record`` (text, offsets, speaker, date, entities, theme
  matches...), its ``source_id`` the id of its source's record, with a stable
  ``id`` of its own and its theme placement (``theme``, ``reason``);
- ``end`` last, with the counts, so a file cut short is told from a whole one.

As Parquet (``.parquet``, with the ``pyarrow`` extra): the same records as rows
of one table, a column per field (null where a record has no such field), pairs
as two-field structs, and the header in the file's key-value metadata.

Files are written as records come (a long extract holds no more than a task's
facts) into a temporary file renamed at the end, so a failed run leaves no
half-written file. Reading checks every record's fields and types, and that each
fact's text is its source's text at its offsets: a damaged or edited file is an
error, never a brief quoting what no source says. Sources of several files are
told apart as inputs are (``sources.inputs.SeenArticles``: the first file's
copy wins) and numbered again from 1 in file order, so files of several runs
make the brief that building from all their inputs at once would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, OutputError, ThemesError
from ..models import (
    FACT_FIELDS,
    SOURCE_FIELDS,
    Fact,
    Placement,
    Source,
    Themes,
    fact_from_record,
    fact_record,
    source_from_record,
    source_record,
)
from ..sources.inputs import SeenArticles
from .cache import extraction_fingerprint, extraction_versions

__all__ = ["SCHEMA", "SUFFIXES", "FactWriter", "fact_id", "read_fact_files", "source_id",
           "themes_digest"]

logger = logging.getLogger(__name__)

SCHEMA = "briefing-extract/2"  # bump the number when a record's fields change
SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet")
PARQUET_ROWS = 4096  # records per Parquet row group: a few MB, written as they fill
_METADATA_KEY = b"briefing-extract"  # the header, in a Parquet file's metadata
_ID_HEX = 24  # 96 bits: no two of a billion facts share an id, by any odds that matter
_HEADER_KEYS = {"record", "schema", "briefing", "extraction", "model", "model_version",
                "themes"}


def source_id(source: Source) -> str:
    """A stable id of *source*: the same text and metadata give the same id, wherever
    and whenever extracted (its path and citation number are left out)."""
    record = source_record(source)
    del record["id"], record["path"]
    return _digest(json.dumps(record, ensure_ascii=False, sort_keys=True))


def fact_id(source_key: str, fact: Fact) -> str:
    """A stable id of *fact*: its source's id and its offsets in that source's text."""
    return _digest(f"{source_key}:{fact.start}:{fact.end}")


def themes_digest(themes: Themes) -> str:
    """What the theme matches of facts depend on: the themes, wherever their file is."""
    return _digest(repr(dataclasses.replace(themes, path="")))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_ID_HEX]


def _format(target: str | Path) -> str:
    name = str(target).lower()
    if name == "-":
        return ".jsonl"
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise OutputError(f"{target}: not a facts file name; end it in "
                      f"{', '.join(SUFFIXES)} (or give - for JSON Lines on standard output)")


# -- writing --------------------------------------------------------------------------


class FactWriter:
    """Records of sources and their facts, written as they come to *target* ("-":
    standard output, as JSON Lines) in the format its name ends in.

    ``add`` each source with its placed facts, in order; leaving the ``with``
    block normally completes the file (the end record, the rename); leaving it
    with an exception removes the unfinished file, and an earlier file at
    *target* survives.
    """

    def __init__(self, target: str | Path, *, model: str, model_version: str | None,
                 themes: Themes) -> None:
        self.target = target
        self.format = _format(target)
        self.sources = 0
        self.facts = 0
        self.header = {
            "record": "header",
            "schema": SCHEMA,
            "briefing": extraction_versions()["briefing"],
            "extraction": _digest(extraction_fingerprint()),
            "model": model,
            "model_version": model_version,
            "themes": {"path": themes.path, "digest": themes_digest(themes)},
        }
        self._temporary: Path | None = None
        self._stream: IO[str] | None = None
        self._parquet: _ParquetWriter | None = None
        if str(target) != "-":
            _check_target(Path(target))

    def __enter__(self) -> FactWriter:
        if str(self.target) == "-":
            self._stream = sys.stdout
        else:
            self._temporary = _temporary_beside(Path(self.target))
            try:
                if self.format == ".parquet":
                    self._parquet = _ParquetWriter(self._temporary, self.header)
                elif self.format == ".jsonl.gz":
                    self._stream = gzip.open(self._temporary, "wt", encoding="utf-8")
                else:
                    self._stream = open(self._temporary, "w", encoding="utf-8")  # noqa: SIM115
            except BaseException:
                self._temporary.unlink(missing_ok=True)
                raise
        self._write(self.header)
        return self

    def add(self, source: Source, placements: Sequence[Placement]) -> None:
        """Write *source* and its facts, each with the theme it was placed under."""
        key = source_id(source)
        self._write({"record": "source", **source_record(dataclasses.replace(source, id=key))})
        for placement in placements:
            fact = dataclasses.replace(placement.fact, source_id=key)
            self._write({"record": "fact", "id": fact_id(key, fact), "theme": placement.theme,
                         "reason": list(placement.reason), **fact_record(fact)})
        self.sources += 1
        self.facts += len(placements)

    def _write(self, record: dict[str, Any]) -> None:
        try:
            if self._parquet is not None:
                if record["record"] != "header":
                    self._parquet.write(record)
            else:
                assert self._stream is not None, "FactWriter used outside its with block"
                self._stream.write(json.dumps(record, ensure_ascii=False,
                                              separators=(",", ":")) + "\n")
        except OSError as error:
            raise OutputError(f"{self.target}: cannot write ({error.strerror}); "
                              "pick another --output") from None

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        temporary, self._temporary = self._temporary, None
        try:
            if kind is None:
                if self._parquet is None:
                    self._write({"record": "end", "sources": self.sources, "facts": self.facts})
                self._finish()
                if temporary is not None:
                    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600
                    os.replace(temporary, self.target)
            else:
                self._finish()
        except OSError as error:
            raise OutputError(f"{self.target}: cannot write ({error.strerror}); "
                              "pick another --output") from None
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)

    def _finish(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self._stream is sys.stdout:
            self._stream.flush()
        elif self._stream is not None:
            self._stream.close()


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name such as facts.jsonl")
    if not target.parent.is_dir():
        raise OutputError(f"{target}: folder {target.parent} does not exist; create it first")


def _temporary_beside(target: Path) -> Path:
    _check_target(target)
    folder = target.parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{target}: cannot write in {folder} ({error.strerror}); "
                          "pick another --output") from None
    os.close(handle)
    return Path(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- reading --------------------------------------------------------------------------


def read_fact_files(paths: Sequence[str | Path], themes: Themes) -> tuple[list[Source],
                                                                          list[Fact]]:
    """The sources and facts of extract files, as a build from their articles has them.

    Sources are numbered from 1 in file order, a source repeating an earlier
    one (same canonical URL or body) left out with its facts; facts come in
    source order. Files whose facts were matched against other *themes* are a
    ThemesError; a file that is missing, damaged or cut short is an InputError.
    """
    seen = SeenArticles()
    sources: list[Source] = []
    facts: list[tuple[int, int, Fact]] = []
    made_with: dict[tuple[Any, ...], str] = {}
    for path in paths:
        numbers: dict[str, Source | None] = {}  # record id -> the source, None if a repeat
        records = _records(Path(path))
        header = next(records)[1]
        _check_header(path, header, themes)
        made_with.setdefault((header["model"], header["model_version"], header["extraction"]),
                             str(path))
        counts = {"source": 0, "fact": 0}
        ended = False
        for line, record in records:
            kind = record.get("record")
            if ended or kind not in ("source", "fact", "end"):
                raise _damaged(path, line, "a record after the end record" if ended
                               else f"record kind {kind!r} is none of source, fact, end")
            if kind == "end":
                if record != {"record": "end", "sources": counts["source"],
                              "facts": counts["fact"]}:
                    raise _damaged(path, line, "the end record's counts differ from the file's")
                ended = True
                continue
            counts[kind] += 1
            if kind == "source":
                source = _source(path, line, record)
                if source.id in numbers:
                    raise _damaged(path, line, f"source {source.id} is there twice")
                if seen.add(source):
                    source = dataclasses.replace(source, id=str(len(sources) + 1))
                    sources.append(source)
                    numbers[record["id"]] = source
                else:
                    numbers[record["id"]] = None
                continue
            fact = _fact(path, line, record)
            if fact.source_id not in numbers:
                raise _damaged(path, line, f"the fact's source {fact.source_id} is not "
                               "before it in the file")
            owner = numbers[fact.source_id]
            if owner is None:
                continue  # the fact of a source given before, in this file or another
            if owner.text[fact.start:fact.end] != fact.text:
                raise _damaged(path, line, f"the fact's text is not its source's text at "
                               f"{fact.start}-{fact.end}")
            facts.append((int(owner.id), len(facts), dataclasses.replace(fact,
                                                                         source_id=owner.id)))
        if not ended and _suffix_of(Path(path)) != ".parquet":
            raise InputError(f"{path}: ends without its end record, cut short (an extract "
                             "stopped or still writing?); extract it again")
    if len(made_with) > 1:
        logger.warning("the facts files were made with different models or briefing versions "
                       "(%s); the brief mixes their facts", ", ".join(made_with.values()))
    facts.sort(key=lambda entry: entry[:2])  # source order; a source's own facts as written
    logger.info("read %d facts of %d sources from %d facts file(s)", len(facts), len(sources),
                len(paths))
    return sources, [fact for _, _, fact in facts]


def _check_header(path: str | Path, header: Mapping[str, Any], themes: Themes) -> None:
    if header.get("record") != "header" or not isinstance(header.get("schema"), str):
        raise InputError(f"{path}: not a facts file of briefing extract (no header record); "
                         "give a file that `briefing extract` wrote")
    if header["schema"] != SCHEMA:
        raise InputError(f"{path}: schema {header['schema']} is not {SCHEMA}, which this "
                         "briefing reads; extract it again with this version")
    if set(header) != _HEADER_KEYS or not isinstance(header["themes"], Mapping):
        raise _damaged(path, 1, "the header's fields differ from the schema's")
    if header["themes"].get("digest") != themes_digest(themes):
        raise ThemesError(
            f"{path}: its facts were matched against the themes of "
            f"{header['themes'].get('path')}, which differ from those of {themes.path}; "
            "build with the same --themes, or extract again with these"
        )


def _source(path: str | Path, line: int, record: Mapping[str, Any]) -> Source:
    fields = {key: value for key, value in record.items() if key != "record"}
    try:
        if set(fields) != SOURCE_FIELDS:
            raise ValueError("its fields differ from a source record's")
        return source_from_record(fields)
    except (ValueError, TypeError) as error:
        reason = str(error).removeprefix("not a source record: ")
        raise _damaged(path, line, f"not a source record ({reason})") from None


def _fact(path: str | Path, line: int, record: Mapping[str, Any]) -> Fact:
    try:
        extra = set(record) - FACT_FIELDS
        if extra != {"record", "id", "theme", "reason"}:
            raise ValueError("its fields differ from a fact record's")
        return fact_from_record({key: record[key] for key in FACT_FIELDS if key in record})
    except (ValueError, TypeError) as error:
        reason = str(error).removeprefix("not a fact record: ")
        raise _damaged(path, line, f"not a fact record ({reason})") from None


def _damaged(path: str | Path, line: int, problem: str) -> InputError:
    where = f"row {line}" if str(path).lower().endswith(".parquet") else f"line {line}"
    return InputError(f"{path} {where}: {problem}; the file is damaged or edited: extract "
                      "it again")


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, record) of the file; the header first (from the metadata
    of a Parquet file)."""
    suffix = _suffix_of(path)
    try:
        if suffix == ".parquet":
            yield from _ParquetReader(path).records()
            return
        opened: IO[str]
        if suffix == ".jsonl.gz":
            opened = gzip.open(path, "rt", encoding="utf-8")
        else:
            opened = open(path, encoding="utf-8")  # noqa: SIM115
        with opened as stream:
            any_line = False
            for number, text in enumerate(stream, start=1):
                any_line = True
                try:
                    record = json.loads(text)
                except ValueError:
                    raise _damaged(path, number, "not a JSON object") from None
                if not isinstance(record, dict):
                    raise _damaged(path, number, "not a JSON object")
                yield number, record
            if not any_line:
                raise InputError(f"{path}: is empty, not a facts file; give a file that "
                                 "`briefing extract` wrote")
    except FileNotFoundError:
        raise InputError(f"{path}: no such facts file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the facts files themselves") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, not a facts file; give a file that "
                         "`briefing extract` wrote") from None
    except (OSError, EOFError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"{path}: cannot read ({reason}); check the file") from None


def _suffix_of(path: Path) -> str:
    try:
        return _format(path)
    except OutputError:
        raise InputError(f"{path}: not a facts file name; facts files end in "
                         f"{', '.join(SUFFIXES)}") from None


# -- Parquet ------------------------------------------------------------------------


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutputError("facts files in Parquet need pyarrow; install it with "
                          "`pip install 'briefing[pyarrow]'`, or use .jsonl") from None
    return pyarrow


def _schema(pa: Any) -> Any:
    strings = pa.list_(pa.string())
    return pa.schema([
        ("record", pa.string()), ("id", pa.string()),
        ("path", pa.string()), ("text", pa.string()), ("outlet", pa.string()),
        ("title", pa.string()), ("published", pa.date32()), ("url", pa.string()),
        ("author", pa.string()),
        ("segments", pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64()),
                                         ("kept", pa.bool_()), ("reason", pa.string())]))),
        ("source_id", pa.string()), ("theme", pa.string()), ("reason", strings),
        ("start", pa.int64()), ("end", pa.int64()), ("paragraph", pa.int64()),
        ("position", pa.float64()), ("speaker", pa.string()), ("kind", pa.string()),
        ("entities", pa.list_(pa.struct([("text", pa.string()), ("label", pa.string())]))),
        ("numbers", strings), ("negated", pa.bool_()),
        ("matches", pa.list_(pa.struct([("theme", pa.string()), ("term", pa.string()),
                                        ("weight", pa.float64())]))),
        ("anaphoric", pa.bool_()), ("quoted", strings), ("terms", strings),
        ("dated", pa.list_(pa.struct([("text", pa.string()), ("future", pa.bool_())]))),
        ("date", pa.date32()), ("stance", pa.bool_()), ("hearsay", pa.bool_()),
        ("predicates", strings), ("objects", strings), ("actors", strings),
        ("measures", pa.list_(pa.struct([("text", pa.string()), ("label", pa.string()),
                                         ("of", pa.string())]))),
        ("background", strings), ("clauses", pa.int64()), ("future", pa.bool_()),
    ])


# Fields of tuples, each a struct in Parquet: their members' names.
_PAIRS = {"entities": ("text", "label"), "dated": ("text", "future"),
          "measures": ("text", "label", "of")}
_DATES = ("published", "date")
_SOURCE_COLUMNS = SOURCE_FIELDS | {"record"}
_FACT_COLUMNS = FACT_FIELDS | {"record", "id", "theme", "reason"}


class _ParquetWriter:
    def __init__(self, path: Path, header: Mapping[str, Any]) -> None:
        pa = _arrow()
        self._pa = pa
        self._schema = _schema(pa).with_metadata({_METADATA_KEY: json.dumps(header)})
        self._writer = pa.parquet.ParquetWriter(str(path), self._schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, record: Mapping[str, Any]) -> None:
        row = dict(record)
        for key, names in _PAIRS.items():
            if key in row:
                row[key] = [dict(zip(names, pair, strict=True)) for pair in row[key]]
        for key in _DATES:
            if row.get(key) is not None:
                row[key] = dt.date.fromisoformat(row[key])
        self._rows.append(row)
        if len(self._rows) >= PARQUET_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


class _ParquetReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        pa = _arrow()
        try:
            file = pa.parquet.ParquetFile(str(self.path))
            metadata = file.schema_arrow.metadata or {}
        except pa.ArrowException as error:
            raise InputError(f"{self.path}: not a Parquet file ({error}); give a file that "
                             "`briefing extract` wrote") from None
        try:
            header = json.loads(metadata.get(_METADATA_KEY, b"{}"))
        except ValueError:
            header = {}
        yield 0, header if isinstance(header, dict) else {}
        row = 0
        for batch in file.iter_batches(batch_size=PARQUET_ROWS):
            for values in batch.to_pylist():
                row += 1
                yield row, self._record(values)

    @staticmethod
    def _record(values: dict[str, Any]) -> dict[str, Any]:
        kind = values.get("record")
        columns = _SOURCE_COLUMNS if kind == "source" else _FACT_COLUMNS
        record = {key: value for key, value in values.items() if key in columns}
        for key, names in _PAIRS.items():
            if isinstance(record.get(key), list):
                record[key] = [[item[name] for name in names] if isinstance(item, dict) else item
                               for item in record[key]]
        for key in _DATES:
            if isinstance(record.get(key), dt.date):
                record[key] = record[key].isoformat()
        return record
