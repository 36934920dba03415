"""The desk's history: every brief it built, in one SQLite file.

Each build records its brief: title, date, sections, inputs and options; its
lines with their stable ids and statuses (those printed, and those left out as
already briefed or dropped by the desk, all of which the next brief compares
with); their citations; and the sources with their text, so a past brief can
be shown exactly as it was and checked again (``briefing verify``).

One brief is one transaction: a build killed while writing leaves the history
as it was. The file is in WAL mode, and a writer takes the lock before it reads
(``BEGIN IMMEDIATE``), so builds at the same time wait for each other (up to
``BUSY_SECONDS``) instead of failing. The schema carries its version in
``PRAGMA user_version``; opening a file of an older version migrates it, one
step per version, each in its own transaction. A brief of a desk (its title,
case and spacing aside) and date replaces any earlier one of that desk and
date: building twice on one day never empties the brief.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import os
import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from ..errors import BriefingError
from ..models import Brief, BriefTheme, Citation, Item, Source
from .lines import keys_of, source_identity
from .news import LastBrief

__all__ = ["HISTORY_ENV", "SCHEMA_VERSION", "History", "HistoryError", "StoredBrief",
           "Summary", "default_history_path", "desk_key"]

logger = logging.getLogger(__name__)

HISTORY_ENV = "BRIEFING_HISTORY"
BUSY_SECONDS = 60.0  # a brief is written in milliseconds; a build waiting longer than
# this is behind a stuck process, not a busy one
_APPLICATION = "briefing-history"  # in the meta table: tells our file from another database

# Each step takes the schema from version N to N + 1; a file at version N runs
# the steps after it. Never edit a released step: add one.
MIGRATIONS: tuple[str, ...] = (
    # 1: briefs, their lines, citations and sources (each with its text)
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('application', 'briefing-history');
    CREATE TABLE briefs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an id names one brief
        desk TEXT NOT NULL,           -- the title, case folded: briefs of one desk
        title TEXT NOT NULL,
        date TEXT NOT NULL,           -- YYYY-MM-DD
        built TEXT NOT NULL,          -- when, UTC, ISO 8601
        since TEXT,                   -- the date of the brief it was compared with
        since_brief INTEGER REFERENCES briefs(id) ON DELETE SET NULL,
        coverage TEXT NOT NULL,
        dropped INTEGER NOT NULL,     -- lines left out to fit one page
        body_size REAL NOT NULL,
        paper TEXT NOT NULL,
        sections TEXT NOT NULL,       -- JSON [[key, title], ...], empty sections too
        inputs TEXT NOT NULL,         -- JSON, as given
        options TEXT NOT NULL,        -- JSON
        version TEXT NOT NULL,        -- of briefing
        UNIQUE (desk, date)
    );
    CREATE TABLE sources (
        brief INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        number TEXT NOT NULL,
        identity TEXT NOT NULL,       -- url:CANONICAL or text:HASH (desk/lines.py)
        path TEXT NOT NULL,
        url TEXT, outlet TEXT, title TEXT, published TEXT, author TEXT,
        text_hash TEXT NOT NULL,      -- sha256 of the text
        text TEXT NOT NULL,
        PRIMARY KEY (brief, number)
    );
    CREATE TABLE lines (
        brief INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,      -- order in the brief, printed lines first
        fate TEXT NOT NULL,           -- printed, not repeated, dropped
        section INTEGER,              -- printed lines: index into briefs.sections
        id TEXT NOT NULL,
        status TEXT NOT NULL,         -- new, update, repeat
        updates TEXT,
        pinned INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT, date TEXT,
        theme TEXT NOT NULL,
        score REAL NOT NULL,
        reason TEXT NOT NULL,         -- JSON
        conflict TEXT NOT NULL,       -- JSON
        PRIMARY KEY (brief, number)
    );
    CREATE INDEX lines_by_id ON lines (id);
    CREATE TABLE citations (
        brief INTEGER NOT NULL,
        line INTEGER NOT NULL,
        number INTEGER NOT NULL,
        source TEXT NOT NULL,
        quote TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        PRIMARY KEY (brief, line, number),
        FOREIGN KEY (brief, line) REFERENCES lines(brief, number) ON DELETE CASCADE
    );
    """,
    # 2: each text once, however many briefs cite it (a story running for weeks cites
    # the same articles day after day: 30 briefs of 4 articles took 30 kB each, 17 kB so)
    """
    CREATE TABLE texts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);  -- a rowid table:
    -- WITHOUT ROWID would put every text over about 1 kB on an overflow page of its own
    INSERT OR IGNORE INTO texts SELECT text_hash, text FROM sources;
    ALTER TABLE sources DROP COLUMN text;
    CREATE INDEX sources_by_text ON sources (text_hash);
    """,
    # 3: a source's news agency (brief/origins.py), and why a candidate line was left
    # out (another line told its event; it ranked below the page's end)
    """
    ALTER TABLE sources ADD COLUMN origin TEXT;
    ALTER TABLE lines ADD COLUMN why TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
FATES = ("printed", "not repeated", "dropped", "left out")


class HistoryError(BriefingError):
    """The history file cannot be opened, is damaged, or is not a briefing history."""


def default_history_path() -> Path:
    """``$BRIEFING_HISTORY``, else ``history.sqlite`` in the user's data folder
    (``~/.local/share/briefing`` on Linux)."""
    configured = os.environ.get(HISTORY_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("briefing", appauthor=False)) / "history.sqlite"


def desk_key(title: str) -> str:
    """The desk a title names: the same words, case and spacing aside."""
    return " ".join(title.casefold().split())


@dataclass(frozen=True)
class Summary:
    """One brief of the history, as ``briefing history`` lists it."""

    id: int
    date: dt.date
    title: str
    built: dt.datetime
    lines: int  # printed
    new: int
    updates: int
    not_repeated: int
    sources: int
    since: dt.date | None


@dataclass(frozen=True)
class StoredBrief:
    """A past brief as it was recorded, with what it was built from."""

    id: int
    brief: Brief
    built: dt.datetime
    inputs: tuple[str, ...]
    options: Mapping[str, Any]


class History:
    """A history file, opened (created, migrated) for reading and recording briefs.

    Use as a context manager, or call ``close``. Every fault of the file is a
    HistoryError of one line saying what to do.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise HistoryError(f"{path}: no history there; build a brief first, or give "
                               "--history the file your builds use")
        if not self.path.parent.is_dir():
            if Path(path) != default_history_path():
                raise HistoryError(f"{path}: folder {self.path.parent} does not exist; "
                                   "create it, or give --history another file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._guard("open"):
            self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None,
                                       check_same_thread=False)
        try:
            with self._guard("open"):
                self._db.execute("PRAGMA foreign_keys = ON")
                self._check()  # before WAL mode: a file that is not ours stays as it was
                if self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                    logger.warning("%s: WAL mode unavailable (a network share?); concurrent "
                                   "builds may wait longer", self.path)
                self._db.execute("PRAGMA synchronous = NORMAL")  # WAL: safe against a crash
                self._migrate()
        except BaseException:
            self._db.close()
            raise

    # -- the file ------------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise HistoryError(self._explain(error, doing)) from None

    def _explain(self, error: sqlite3.Error, doing: str) -> str:
        message = str(error)
        if "locked" in message or "busy" in message:
            return (f"{self.path}: still locked by another build after {BUSY_SECONDS:.0f} s "
                    f"({doing}); try again when it ends, or give --history another file")
        if "unable to open" in message or "readonly" in message or "read-only" in message:
            return (f"{self.path}: cannot {doing} the history ({message}); give --history a "
                    "writable file, or --no-history")
        return (f"{self.path}: the history is damaged ({message}); move the file aside "
                "(keep it: `sqlite3 FILE .recover` may save its briefs) and build again to "
                "start a new history, or give --history another file")

    def _check(self) -> None:
        """A file of a newer schema, or another application's database, is refused."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{self.path}: made by a newer briefing (history schema "
                               f"{version}, this one knows up to {SCHEMA_VERSION}); upgrade "
                               "briefing, or give --history another file")
        if (version == 0 and self._foreign()) or (version > 0 and self._db.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'meta'").fetchone() == (0,)):
            raise HistoryError(f"{self.path}: a database, but not a briefing history; give "
                               "--history another file")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            with self._transaction("migrate"):
                # another process may have migrated since we looked
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    break
                for statement in _statements(MIGRATIONS[version]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {version + 1}")
            if version:
                logger.info("%s: history migrated from schema %d to %d", self.path, version,
                            version + 1)
            version += 1
        if self._db.execute("SELECT value FROM meta WHERE key = 'application'").fetchone() != (
            _APPLICATION,
        ):
            raise HistoryError(f"{self.path}: a database, but not a briefing history; give "
                               "--history another file")

    def _foreign(self) -> bool:
        return bool(self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """One write transaction, the lock taken first (a reader that later writes
        could not wait for it: SQLite would refuse it at once)."""
        with self._guard(doing):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------

    def last_before(self, title: str, date: dt.date, themes: Collection[str] | None = None,
                    other: str = "other") -> LastBrief | None:
        """The desk's last brief of a date before *date*: every line it saw.

        With *themes* (the theme keys of the brief to come; *other*, its section for
        the rest, which every story has, is not one), a brief with none of them is
        another story's under the same title (two stories built with the default
        title, each with its own themes file), and the one before it is looked at
        instead: a brief is never compared with an unrelated one.
        """
        with self._guard("read"):
            rows = self._db.execute(
                "SELECT id, date, sections FROM briefs WHERE desk = ? AND date < ? "
                "ORDER BY date DESC", (desk_key(title), date.isoformat()),
            )
            row = next((r for r in rows
                        if themes is None or _shares_a_theme(r[2], themes, other)), None)
            if row is None:
                return None
            brief_id, day, _ = row
            cited: dict[int, list[tuple[str, str]]] = {}
            for line, identity, quote in self._db.execute(
                "SELECT c.line, s.identity, c.quote FROM citations c JOIN sources s "
                "ON s.brief = c.brief AND s.number = c.source WHERE c.brief = ? "
                "ORDER BY c.line, c.number", (brief_id,),
            ):
                cited.setdefault(line, []).append((identity, quote))
            lines = [
                keys_of(text, cited.get(number, ()))
                for number, text in self._db.execute(
                    "SELECT number, text FROM lines WHERE brief = ? AND fate != 'left out' "
                    "ORDER BY number", (brief_id,))  # a line left out was never briefed
            ]
        return LastBrief(brief_id, dt.date.fromisoformat(day), tuple(lines))

    def briefs(self, title: str | None = None) -> list[Summary]:
        """The briefs recorded (of the desk *title*, if given), newest date first."""
        where, arguments = ("WHERE b.desk = ?", (desk_key(title),)) if title else ("", ())
        with self._guard("read"):
            rows = self._db.execute(
                "SELECT b.id, b.date, b.title, b.built, b.since, "
                "(SELECT count(*) FROM sources s WHERE s.brief = b.id), "
                "sum(l.fate = 'printed'), sum(l.fate = 'printed' AND l.status = 'new'), "
                "sum(l.fate = 'printed' AND l.status = 'update'), "
                "sum(l.fate = 'not repeated') "
                f"FROM briefs b LEFT JOIN lines l ON l.brief = b.id {where} "
                "GROUP BY b.id ORDER BY b.date DESC, b.desk", arguments,
            ).fetchall()
        return [
            Summary(id=r[0], date=dt.date.fromisoformat(r[1]), title=r[2],
                    built=dt.datetime.fromisoformat(r[3]),
                    since=dt.date.fromisoformat(r[4]) if r[4] else None, sources=r[5],
                    lines=r[6] or 0, new=r[7] or 0, updates=r[8] or 0, not_repeated=r[9] or 0)
            for r in rows
        ]

    def find(self, title: str, date: dt.date) -> int | None:
        """The id of the desk's brief of *date*, if there is one."""
        with self._guard("read"):
            row = self._db.execute("SELECT id FROM briefs WHERE desk = ? AND date = ?",
                                   (desk_key(title), date.isoformat())).fetchone()
        return row[0] if row else None

    def load(self, brief_id: int) -> StoredBrief:
        """The brief *brief_id* as it was recorded: every format renders it as it was."""
        with self._guard("read"):
            row = self._db.execute(
                "SELECT title, date, built, since, coverage, dropped, body_size, paper, "
                "sections, inputs, options FROM briefs WHERE id = ?", (brief_id,)).fetchone()
            if row is None:
                raise HistoryError(f"{self.path}: no brief {brief_id} in the history; "
                                   "`briefing history` lists them")
            sources = tuple(self._sources(brief_id))
            citations: dict[int, list[Citation]] = {}
            for line, source, quote, start, end in self._db.execute(
                'SELECT line, source, quote, start, "end" FROM citations WHERE brief = ? '
                "ORDER BY line, number", (brief_id,),
            ):
                citations.setdefault(line, []).append(Citation(source, quote, start, end))
            lines = self._db.execute(
                "SELECT number, fate, section, id, status, updates, pinned, text, speaker, "
                "date, theme, score, reason, conflict, why FROM lines WHERE brief = ? "
                "ORDER BY number", (brief_id,)).fetchall()
            origins = dict(self._db.execute(
                "SELECT number, origin FROM sources WHERE brief = ? AND origin IS NOT NULL",
                (brief_id,)).fetchall())
        sections = json.loads(row[8])
        items: dict[str, list[Item]] = {fate: [] for fate in FATES}
        placed: list[list[Item]] = [[] for _ in sections]
        left_out: list[tuple[Item, str]] = []
        for (number, fate, section, line_id, status, updates, pinned, text, speaker, date,
             theme, score, reason, conflict, why) in lines:
            item = Item(
                text=text, citations=tuple(citations.get(number, ())), speaker=speaker,
                reason=tuple(json.loads(reason)), score=score,
                date=dt.date.fromisoformat(date) if date else None, theme=theme,
                conflict=tuple(tuple(pair) for pair in json.loads(conflict)),
                id=line_id, status=status, updates=updates, pinned=bool(pinned),
            )
            if fate == "printed":
                placed[section].append(item)
            elif fate == "left out":
                left_out.append((item, why or ""))
            else:
                items[fate].append(item)
        brief = Brief(
            title=row[0], date=dt.date.fromisoformat(row[1]), sources=sources,
            themes=tuple(BriefTheme(key, title, tuple(placed[n]))
                         for n, (key, title) in enumerate(sections)),
            coverage=row[4], dropped=row[5], body_size=row[6], paper=row[7],
            since=dt.date.fromisoformat(row[3]) if row[3] else None,
            not_repeated=tuple(items["not repeated"]), struck=tuple(items["dropped"]),
            left_out=tuple(left_out), origins=origins,
        )
        return StoredBrief(brief_id, brief, dt.datetime.fromisoformat(row[2]),
                           tuple(json.loads(row[9])), json.loads(row[10]))

    def _sources(self, brief_id: int) -> Iterator[Source]:
        for number, path, url, outlet, title, published, author, text in self._db.execute(
            "SELECT s.number, s.path, s.url, s.outlet, s.title, s.published, s.author, t.text "
            "FROM sources s JOIN texts t ON t.hash = s.text_hash WHERE s.brief = ? "
            "ORDER BY s.rowid", (brief_id,),
        ):
            yield Source(id=number, path=path, text=text, url=url, outlet=outlet, title=title,
                         published=dt.date.fromisoformat(published) if published else None,
                         author=author)

    # -- recording -----------------------------------------------------------------

    def record(
        self,
        brief: Brief,
        *,
        inputs: Sequence[str] = (),
        options: Mapping[str, Any] | None = None,
        built: dt.datetime | None = None,
        since_brief: int | None = None,
        themes: Collection[str] = (),
        other: str = "other",
    ) -> int:
        """Record *brief* (as printed) in one transaction, replacing the desk's brief of
        that date; returns its id. *themes*: its themes file's keys (*other* aside, as
        for `last_before`); a brief replaced that had none of them was another
        story's, and a warning says so."""
        built = built or dt.datetime.now(dt.UTC)
        sections = [[theme.key, theme.title] for theme in brief.themes]
        lines: list[tuple[str, int | None, Item]] = [
            ("printed", section, item)
            for section, theme in enumerate(brief.themes) for item in theme.items
        ]
        lines += [("not repeated", None, item) for item in brief.not_repeated]
        lines += [("dropped", None, item) for item in brief.struck]
        why = {id(item): reason for item, reason in brief.left_out}
        lines += [("left out", None, item) for item, _ in brief.left_out]
        with self._transaction("record"):
            earlier = self._db.execute("SELECT sections FROM briefs WHERE desk = ? AND date = ?",
                                       (desk_key(brief.title), brief.date.isoformat())).fetchone()
            if earlier is not None and themes and not _shares_a_theme(earlier[0], themes, other):
                logger.warning(
                    "%s: this brief replaces the brief of %r of %s, which had none of its "
                    "themes (another story?); give each story its own --title to keep both",
                    self.path, brief.title, brief.date.isoformat())
            replaced = self._db.execute("DELETE FROM briefs WHERE desk = ? AND date = ?",
                                        (desk_key(brief.title), brief.date.isoformat()))
            if replaced.rowcount:  # the texts only the replaced brief cited
                self._db.execute("DELETE FROM texts WHERE hash NOT IN "
                                 "(SELECT text_hash FROM sources)")
            brief_id = self._db.execute(
                "INSERT INTO briefs (desk, title, date, built, since, since_brief, coverage, "
                "dropped, body_size, paper, sections, inputs, options, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (desk_key(brief.title), brief.title, brief.date.isoformat(), built.isoformat(),
                 brief.since.isoformat() if brief.since else None, since_brief, brief.coverage,
                 brief.dropped, brief.body_size, brief.paper, _json(sections),
                 _json(list(inputs)), _json(dict(options or {})), _briefing_version()),
            ).lastrowid
            self._db.executemany("INSERT OR IGNORE INTO texts (hash, text) VALUES (?, ?)",
                                 [(_hash(s.text), s.text) for s in brief.sources])
            self._db.executemany(
                "INSERT INTO sources (brief, number, identity, path, url, outlet, title, "
                "published, author, text_hash, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(brief_id, s.id, source_identity(s), s.path, s.url, s.outlet, s.title,
                  s.published.isoformat() if s.published else None, s.author, _hash(s.text),
                  brief.origins.get(s.id))
                 for s in brief.sources],
            )
            self._db.executemany(
                "INSERT INTO lines (brief, number, fate, section, id, status, updates, pinned, "
                "text, speaker, date, theme, score, reason, conflict, why) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(brief_id, number, fate, section, item.id, item.status, item.updates,
                  int(item.pinned), item.text, item.speaker,
                  item.date.isoformat() if item.date else None, item.theme, item.score,
                  _json(list(item.reason)), _json([list(pair) for pair in item.conflict]),
                  why.get(id(item)) if fate == "left out" else None)
                 for number, (fate, section, item) in enumerate(lines)],
            )
            self._db.executemany(
                'INSERT INTO citations (brief, line, number, source, quote, start, "end") '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(brief_id, number, position, c.source_id, c.quote, c.start, c.end)
                 for number, (_, _, item) in enumerate(lines)
                 for position, c in enumerate(item.citations)],
            )
        assert brief_id is not None
        logger.info("%s: recorded brief %d (%s, %s): %d lines", self.path, brief_id,
                    brief.title, brief.date, len(lines))
        return brief_id


def _shares_a_theme(sections: str, themes: Collection[str], other: str) -> bool:
    """Do a recorded brief's sections (JSON) hold one of *themes*? A brief with no
    sections but *other* (every line left out, or no theme matched: a themes file
    being written) could be of any story, so it does."""
    keys = {key for key, _ in json.loads(sections)} - {other}
    return not keys or bool(keys & set(themes))


def _briefing_version() -> str:
    try:
        return importlib.metadata.version("briefing")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown"


def _statements(script: str) -> list[str]:
    """The statements of a migration step, to run one by one inside its transaction
    (``executescript`` would commit first)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def options_record(options: object) -> dict[str, Any]:
    """A frozen options dataclass as a JSON-ready dict (paths and dates as text)."""
    record: dict[str, Any] = {}
    for field in dataclasses.fields(options):  # type: ignore[arg-type]
        value = getattr(options, field.name)
        if value is None or isinstance(value, bool | int | float | str):
            record[field.name] = value
        elif isinstance(value, list | tuple | frozenset | set):
            record[field.name] = sorted(str(v) for v in value)
        else:
            record[field.name] = str(value)
    return record
