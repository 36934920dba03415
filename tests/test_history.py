"""The desk's history in a real SQLite file: a brief recorded and read back whole, two
builds at once, a build killed while writing, an old schema migrated, damaged files."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.desk.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError
from briefing.models import Brief, BriefTheme, Citation, Item, Source

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "desk"
THEMES = STORY / "themes.toml"
TEXT = "At least 12 people died. “We have not given up hope,” Aalders said."


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _brief(day: dt.date, title: str = "Marren ferry") -> Brief:
    source = Source("1", "reuters.txt", TEXT, outlet="Reuters", title="Ferry capsizes",
                    published=dt.date(2025, 6, 3), url="https://www.reuters.com/ferry",
                    author="Tomas Lind")
    toll = Item("At least 12 people died.", (Citation("1", "At least 12 people died.", 0, 24),),
                reason=("dead",), score=3.5, date=dt.date(2025, 6, 3), theme="rescue",
                id="0123456789", status="update", updates="9876543210", pinned=True)
    hope = Item(TEXT[25:], (Citation("1", TEXT[25:], 25, len(TEXT)),), speaker="Piet Aalders",
                score=1.0, theme="rescue", id="abcdefabcd", status="repeat",
                conflict=(("1", "12"),))
    return Brief(title, day, (source,), (BriefTheme("rescue", "Rescue", (toll,)),
                                         BriefTheme("inquiry", "Inquiry", ())),
                 coverage="Covers 1 article.", dropped=2, body_size=9.5, paper="letter",
                 since=day - dt.timedelta(days=1), not_repeated=(hope,))


def test_a_brief_is_read_back_exactly_as_it_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        first = history.record(_brief(dt.date(2025, 6, 4)), inputs=["desk/"],
                               options={"title": "Marren ferry"})
        stored = history.load(first)
        assert stored.brief == _brief(dt.date(2025, 6, 4))
        assert stored.inputs == ("desk/",) and stored.options == {"title": "Marren ferry"}
        # the same desk (title case and spacing aside) and date: replaced, not added
        again = history.record(_brief(dt.date(2025, 6, 4), title="marren  FERRY"))
        assert [s.id for s in history.briefs()] == [again] and again != first
        history.record(_brief(dt.date(2025, 6, 5)))
        last = history.last_before("Marren Ferry", dt.date(2025, 6, 5))
        assert last is not None and last.date == dt.date(2025, 6, 4)
        # what it saw: the printed line and the one it left out as not repeated
        assert {line.text for line in last.lines} == {
            "at least 12 people died.", "\"we have not given up hope,\" aalders said."}
        assert history.last_before("Marren ferry", dt.date(2025, 6, 4)) is None
        assert history.last_before("Another desk", dt.date(2025, 7, 1)) is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("SELECT count(*) FROM texts").fetchone() == (1,)  # one text, two briefs


def test_another_storys_brief_under_the_same_title_is_not_the_desks_last(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Two stories built with one title (the default), each with its own themes file:
    # the ferry's next brief is compared with the ferry's, not the dam's of the day before.
    def of(day: dt.date, key: str) -> Brief:
        brief = _brief(day)
        return Brief(brief.title, day, brief.sources,
                     (BriefTheme(key, key.title(), brief.themes[0].items),), paper="a4")

    with History(tmp_path / "history.sqlite") as history:
        history.record(of(dt.date(2025, 6, 3), "rescue"), themes=("rescue", "inquiry"))
        history.record(of(dt.date(2025, 6, 4), "dam"), themes=("dam",))
        last = history.last_before("Marren ferry", dt.date(2025, 6, 5), ("rescue", "inquiry"))
        assert last is not None and last.date == dt.date(2025, 6, 3)
        assert history.last_before("Marren ferry", dt.date(2025, 6, 5), ("dam",)).date == \
            dt.date(2025, 6, 4)
        assert history.last_before("Marren ferry", dt.date(2025, 6, 5), ("fire",)) is None
        # the dam's brief replaced by the fire's of the same day: said, not silent
        with caplog.at_level("WARNING"):
            history.record(of(dt.date(2025, 6, 4), "fire"), themes=("fire",))
        assert "which had none of its themes (another story?)" in caplog.text
        caplog.clear()
        with caplog.at_level("WARNING"):
            history.record(of(dt.date(2025, 6, 4), "fire"), themes=("fire",))
            # a themes file being written: its first try matched no theme, only the rest
            history.record(of(dt.date(2025, 6, 6), "other"), themes=("flood",))
            history.record(of(dt.date(2025, 6, 6), "flood"), themes=("flood",))
        assert not caplog.text


# -- two at once ---------------------------------------------------------------------

_RECORDER = textwrap.dedent("""
    import datetime as dt, sys
    sys.path.insert(0, sys.argv[1])
    from test_history import _brief
    from briefing.desk.history import History
    for n in range(int(sys.argv[4])):
        with History(sys.argv[2]) as history:
            history.record(_brief(dt.date(2025, 1, 1) + dt.timedelta(days=n), sys.argv[3]))
""")


def test_two_writers_at_once_both_record_everything(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    History(path).close()
    writers = [subprocess.Popen([sys.executable, "-c", _RECORDER, str(Path(__file__).parent),
                                 str(path), desk, "40"], stderr=subprocess.PIPE, text=True)
               for desk in ("Desk A", "Desk B")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with History(path) as history:
        assert len(history.briefs("Desk A")) == len(history.briefs("Desk B")) == 40
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _story(folder: Path, *days: int) -> Path:
    folder.mkdir(exist_ok=True)
    for day in days:
        for file in (STORY / f"day{day}").iterdir():
            shutil.copyfile(file, folder / file.name)
    return folder


def _build_command(folder: Path, history: Path, day: str, output: Path) -> list[str]:
    return [sys.executable, "-m", "briefing", "build", str(folder), "--themes", str(THEMES),
            "--title", "Marren ferry", "--date", day, "--history", str(history), "-f", "json",
            "-o", str(output)]


def test_a_build_waits_for_another_that_holds_the_history(tmp_path: Path) -> None:
    folder, path = _story(tmp_path / "desk", 1), tmp_path / "history.sqlite"
    History(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another build, in the middle of recording its brief
    output = tmp_path / "brief.json"
    build = subprocess.Popen(_build_command(folder, path, "2025-06-03", output),
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not output.exists():  # written, then recorded: it is at the history now
            assert build.poll() is None and time.monotonic() < deadline, build.stderr
            time.sleep(0.05)
        time.sleep(0.5)
        assert build.poll() is None  # waiting, not failed
    finally:
        other.execute("COMMIT")
    _, err = build.communicate(timeout=60)
    assert build.returncode == 0, err
    with History(path) as history:
        assert [s.date for s in history.briefs()] == [dt.date(2025, 6, 3)]


# -- killed while writing ------------------------------------------------------------

# A build whose SQLite connection stops, forever, at its first line of the brief:
# inside the transaction, after the desk's earlier brief of that date was deleted.
_STALLED = textwrap.dedent("""
    import sqlite3, sys, time
    connect = sqlite3.connect
    def stalling(*args, **kwargs):
        db = connect(*args, **kwargs)
        def trace(statement):
            if statement.startswith("INSERT INTO lines"):
                sys.stderr.write("STALLED\\n"); sys.stderr.flush(); time.sleep(600)
        db.set_trace_callback(trace)
        return db
    sqlite3.connect = stalling
    from briefing.cli import main
    sys.argv = ["briefing", *sys.argv[1:]]
    main()
""")


def test_a_build_killed_while_recording_leaves_the_history_as_it_was(tmp_path: Path) -> None:
    folder, path = _story(tmp_path / "desk", 1), tmp_path / "history.sqlite"
    first = tmp_path / "first.json"
    done = subprocess.run(_build_command(folder, path, "2025-06-03", first),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with History(path) as history:
        (before,) = history.briefs()
        kept = history.load(before.id).brief
    # The same day built again from day 2's articles, killed mid-write.
    _story(folder, 2)
    killed = subprocess.Popen(
        [sys.executable, "-c", _STALLED,
         *_build_command(folder, path, "2025-06-03", tmp_path / "killed.json")[3:]],
        stderr=subprocess.PIPE, text=True)
    assert killed.stderr is not None
    lines = []
    for line in killed.stderr:
        lines.append(line)
        if line.startswith("STALLED"):
            break
    assert lines and lines[-1].startswith("STALLED"), "".join(lines)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with History(path) as history:
        assert [s.id for s in history.briefs()] == [before.id]
        assert history.load(before.id).brief == kept  # deleted and half-replaced: rolled back
    # and the next build works, and replaces it
    code, _, err = run("build", str(folder), "--themes", str(THEMES), "--title", "Marren ferry",
                       "--date", "2025-06-03", "--history", str(path), "-f", "json",
                       "-o", str(tmp_path / "next.json"))
    assert code == 0, err
    with History(path) as history:
        (after,) = history.briefs()
        assert after.id != before.id and after.sources == 3


# -- an old schema -------------------------------------------------------------------


def test_a_history_of_schema_1_is_migrated_and_keeps_its_briefs(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute(  # a brief as schema 1 wrote it: each source with its text
        "INSERT INTO briefs VALUES (1, 'marren ferry', 'Marren ferry', '2025-06-03', "
        "'2025-06-03T06:00:00+00:00', NULL, NULL, 'Covers 1 article.', 0, 9.5, 'a4', "
        "'[[\"rescue\",\"Rescue\"]]', '[\"desk\"]', '{}', '0.1.0')")
    old.execute("INSERT INTO sources VALUES (1, '1', 'url:reuters.com/ferry', 'r.txt', "
                "'https://www.reuters.com/ferry', 'Reuters', NULL, NULL, NULL, 'h1', ?)", (TEXT,))
    old.execute("INSERT INTO lines VALUES (1, 0, 'printed', 0, '0123456789', 'new', NULL, 0, "
                "'At least 12 people died.', NULL, NULL, 'rescue', 1.0, '[]', '[]')")
    old.execute("INSERT INTO citations VALUES (1, 0, 0, '1', 'At least 12 people died.', 0, 24)")
    old.close()
    with History(path) as history:
        stored = history.load(1).brief
        assert stored.sources[0].text == TEXT
        assert [item.text for item in stored.items] == ["At least 12 people died."]
        last = history.last_before("Marren ferry", dt.date(2025, 6, 4))
        assert last is not None and last.lines[0].sources == {"url:reuters.com/ferry"}
        history.record(_brief(dt.date(2025, 6, 4)))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    columns = [row[1] for row in db.execute("PRAGMA table_info(sources)")]
    assert "text" not in columns  # moved into texts, once per text
    assert db.execute("SELECT count(*) FROM texts").fetchone() == (2,)


# -- damaged and foreign files -------------------------------------------------------


def _damaged(path: Path, kind: str) -> str:
    """Make *path* a history damaged in the way *kind* says; the error's expected words."""
    if kind == "garbage":
        path.write_bytes(b"these are not the bytes of a database\n" * 200)
        return "the history is damaged (file is not a database); move the file aside"
    if kind == "newer":
        History(path).close()
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.close()  # the last connection: its write-ahead log is folded into the file
        return (f"made by a newer briefing (history schema {SCHEMA_VERSION + 1}, this one "
                f"knows up to {SCHEMA_VERSION}); upgrade briefing")
    if kind == "foreign":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE orders (id INTEGER)")
        db.commit()
        return "a database, but not a briefing history; give --history another file"
    if kind == "torn":  # a real history with its pages after the first few overwritten
        with History(path) as history:
            for n in range(30):
                history.record(_brief(dt.date(2025, 1, 1) + dt.timedelta(days=n)))
        sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = bytearray(path.read_bytes())
        data[4096 * 2:] = b"\xff" * (len(data) - 4096 * 2)
        path.write_bytes(bytes(data))
        return "the history is damaged (database disk image is malformed); move the file aside"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["garbage", "newer", "foreign", "torn"])
def test_a_damaged_or_foreign_history_is_one_clear_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "history.sqlite"
    expected = _damaged(path, kind)
    before = path.read_bytes()
    output = tmp_path / "brief.json"
    code, _, err = run("build", str(_story(tmp_path / "desk", 1)), "--themes", str(THEMES),
                       "--title", "Marren ferry", "--date", "2025-06-03", "--history",
                       str(path), "-f", "json", "-o", str(output))
    assert code == 1
    assert err.startswith(f"briefing: error: {path}: ") and expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not output.exists()  # no brief from a build whose history failed
    assert path.read_bytes() == before  # the damaged file is left for recovery
    code, _, err = run("history", "--history", str(path))
    assert code == 1 and expected in err and err.count("\n") == 1


def test_history_commands_name_a_missing_file_and_folder(tmp_path: Path) -> None:
    code, _, err = run("history", "--history", str(tmp_path / "none.sqlite"))
    assert (code, err) == (1, f"briefing: error: {tmp_path / 'none.sqlite'}: no history "
                              "there; build a brief first, or give --history the file your "
                              "builds use\n")
    with pytest.raises(HistoryError, match="folder .* does not exist; create it"):
        History(tmp_path / "no" / "such" / "history.sqlite")


def test_no_history_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    code, _, err = run("build", str(_story(tmp_path / "desk", 1)), "--themes", str(THEMES),
                       "--history", str(path), "--no-history", "-f", "json",
                       "-o", str(tmp_path / "b.json"))
    assert code == 0, err
    assert not path.exists()
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["since"] is None
