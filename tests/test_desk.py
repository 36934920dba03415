"""The daily desk: stable line ids, what is new against the last brief, pins and drops,
the edits file, and three days of an unfolding story through the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.brief import render
from briefing.cli import app
from briefing.desk.edits import EditsError, load_edits, merge_choices, save_edits
from briefing.desk.lines import figures, keys_of, line_id, masked, normalise, source_identity
from briefing.desk.news import Choices, LastBrief, mark_news
from briefing.models import Brief, BriefTheme, Citation, Item, Source
from briefing.pipeline import BuildOptions, build_brief

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "desk"
THEMES = STORY / "themes.toml"
DESK = "Marren ferry"
REUTERS = "https://www.reuters.com/world/europe/ferry-capsizes-off-marren-island-2025-06-03/"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- line ids -----------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "same"), [
    ("“We have not given up hope,” Aalders said.", '"We have not given up hope," aalders  said.',
     True),  # typography, case and spacing aside
    ("At least 12 people died.", "At least 19 people died.", False),
    ("The toll rose – officials said.", "The toll rose - officials said.", True),
])
def test_the_id_follows_the_words_not_their_typography(a: str, b: str, same: bool) -> None:
    sources = ["url:reuters.com/ferry"]
    assert (line_id(a, sources) == line_id(b, sources)) is same


def test_the_id_follows_the_sources_identities_not_their_numbers() -> None:
    text = "At least 12 people died."
    assert line_id(text, ["url:a", "url:b"]) == line_id(text, ["url:b", "url:a", "url:a"])
    assert line_id(text, ["url:a"]) != line_id(text, ["url:a", "url:b"])
    # a source is its canonical URL: the same article by another link is the same source
    one = Source("1", "a.txt", "x", url="https://www.reuters.com/world/ferry/?utm_source=rss")
    two = Source("7", "b.html", "y", url="http://reuters.com/world/ferry")
    assert source_identity(one) == source_identity(two) == "url:reuters.com/world/ferry"
    # without a URL, its text: the same file renamed is the same source, an edited one not
    assert source_identity(Source("1", "a.txt", "text")) == source_identity(
        Source("2", "b.txt", "text"))
    assert source_identity(Source("1", "a.txt", "text")) != source_identity(
        Source("1", "a.txt", "text, edited"))


def test_figures_are_what_an_update_changes() -> None:
    assert figures("At least 19 people died and 31 are missing.") == ("19", "31")
    assert masked("At least 19 died, 1,200 saved") == masked("At least 12 died, 900 saved")
    assert normalise("  Dead\u00a0— 12 ") == "dead - 12"


# -- what is new --------------------------------------------------------------------

A = "url:reuters.com/ferry"
B = "url:apnews.com/ferry"
C = "url:bbc.co.uk/ferry"
TOLL = "At least 12 people died and 40 are missing."
QUOTE = '"We have not given up hope," Aalders said.'


def _brief(*lines: tuple[str, list[tuple[str, str]]]) -> Brief:
    """A brief of *lines*, each (text, [(source identity, quote)]), the sources
    numbered in order of first citation."""
    numbers: dict[str, str] = {}
    items = []
    for text, cited in lines:
        citations = []
        for identity, quote in cited:
            number = numbers.setdefault(identity, str(len(numbers) + 1))
            citations.append(Citation(number, quote, 0, len(quote)))
        items.append(Item(text, tuple(citations), score=1.0, theme="rescue"))
    sources = [Source(n, f"{n}.txt", "", url="https://" + identity.removeprefix("url:"))
               for identity, n in numbers.items()]
    return Brief("Marren", dt.date(2025, 6, 4), sources, [BriefTheme("rescue", "Rescue", items)])


LAST = LastBrief(1, dt.date(2025, 6, 3), (
    keys_of(TOLL, [(A, TOLL)]),
    keys_of(QUOTE, [(A, QUOTE)]),
    keys_of("The ferry left at 6 pm.", [(B, "The ferry left at 6 pm.")]),
))


@pytest.mark.parametrize(("text", "cited", "status"), [
    (TOLL, [(A, TOLL)], "repeat"),  # the same line
    (QUOTE, [(A, QUOTE), (C, QUOTE)], "update"),  # the same quote, and a new source
    ("At least 19 people died and 31 are missing.",
     [(A, "At least 19 people died and 31 are missing.")], "update"),  # a figure changed
    ("The ferry left at 6 pm.", [(B, "The ferry left at 6 pm."), (A, TOLL)],
     "repeat"),  # two briefed sentences merged into one line: nothing new
    ("Families gathered at the harbour.", [(C, "Families gathered at the harbour.")], "new"),
    ("At least 12 people died.", [(C, "At least 12 people died.")], "new"),  # another sentence
])
def test_a_line_is_new_an_update_or_a_repeat(text: str, cited: list[tuple[str, str]],
                                              status: str) -> None:
    marked = mark_news(_brief((text, cited)), LAST, repeat_old=True)
    (item,) = marked.items
    assert item.status == status
    assert item.id == keys_of(text, cited).id
    assert (item.updates is not None) is (status == "update")


def test_repeats_are_left_out_and_counted_and_pins_and_drops_hold() -> None:
    brief = _brief((TOLL, [(A, TOLL)]), (QUOTE, [(A, QUOTE), (C, QUOTE)]),
                   ("Families gathered.", [(C, "Families gathered.")]))
    marked = mark_news(brief, LAST)
    assert [i.status for i in marked.items] == ["update", "new"]
    assert [i.text for i in marked.not_repeated] == [TOLL]
    assert render.since_line(dataclasses.replace(marked)) == (
        "Since the brief of 3 June: 1 new, 1 update, 1 not repeated.")
    toll, quote, families = (keys_of(*line).id for line in (
        (TOLL, [(A, TOLL)]), (QUOTE, [(A, QUOTE), (C, QUOTE)]),
        ("Families gathered.", [(C, "Families gathered.")])))
    chosen = mark_news(brief, LAST, choices=Choices(pins={toll}, drops={families}))
    assert [(i.text, i.status, i.pinned) for i in chosen.items] == [
        (TOLL, "repeat", True), (QUOTE, "update", False)]
    assert [i.id for i in chosen.struck] == [families]
    # a pin follows its line's update: the quote pinned yesterday, updated today
    followed = mark_news(brief, LAST, choices=Choices(pins={keys_of(QUOTE, [(A, QUOTE)]).id}))
    assert [i.pinned for i in followed.items if i.text == QUOTE] == [True]
    assert quote not in {i.id for i in chosen.not_repeated}


def test_without_an_earlier_brief_every_line_is_new_and_nothing_is_compared() -> None:
    marked = mark_news(_brief((TOLL, [(A, TOLL)])), None)
    assert [i.status for i in marked.items] == ["new"] and marked.since is None
    assert render.since_line(marked) == ""


@pytest.mark.parametrize("pin", [False, True])
def test_the_page_fit_never_drops_a_pinned_line(pin: bool) -> None:
    base = build_brief([ROOT / "seeds"], BuildOptions(date=dt.date(2025, 5, 28))).brief
    first = base.themes[0]
    # Twice the page's lines again, scored lowest: the fit must drop many of them.
    extra = [dataclasses.replace(item, text=f"{item.text} (again, {n})", score=-10.0 - n,
                                 id=f"{n:010x}", pinned=pin and n == 2 * len(base.items) - 1)
             for n, item in enumerate(base.items * 2)]
    crowded = dataclasses.replace(
        base, dropped=0, themes=(dataclasses.replace(first, items=(*first.items, *extra)),
                                 *base.themes[1:]))
    fitted, document = render.fit_to_page(crowded)
    assert len(document.pages) == 1 and fitted.dropped >= len(extra) // 2
    assert (extra[-1].id in {item.id for item in fitted.items}) is pin  # the lowest of all


# -- the edits file -----------------------------------------------------------------


def test_the_edits_file_round_trips_with_each_line_as_a_comment(tmp_path: Path) -> None:
    edits = tmp_path / "desk.toml"
    assert load_edits(edits) == Choices()  # none yet
    brief = mark_news(_brief((TOLL, [(A, TOLL)]), ("Families.", [(C, "Families.")])), None)
    toll, families = (i.id for i in brief.items)
    save_edits(edits, merge_choices(Choices(), Choices(pins={toll}, drops={families})), brief)
    text = edits.read_text(encoding="utf-8")
    assert f'"{toll}",  # At least 12 people died' in text
    assert load_edits(edits) == Choices(pins={toll}, drops={families})
    # the last choice wins: dropping the pinned line unpins it
    assert merge_choices(load_edits(edits), Choices(drops={toll})) == Choices(
        drops={toll, families})


@pytest.mark.parametrize(("content", "message"), [
    ("pin = [", "not valid TOML"),
    ('pins = ["0123456789"]', "unknown key 'pins'; an edits file holds only `pin` and `drop`"),
    ('pin = "0123456789"', "`pin` must be a list of line ids"),
    ('pin = ["12"]', "'12' is not a line id (10 hex digits"),
    ('pin = ["0123456789"]\ndrop = ["0123456789"]', "line 0123456789 is both pinned and dropped"),
])
def test_a_bad_edits_file_is_one_clear_error(tmp_path: Path, content: str,
                                             message: str) -> None:
    edits = tmp_path / "desk.toml"
    edits.write_text(content, encoding="utf-8")
    with pytest.raises(EditsError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_edits(edits)
    code, _, err = run("build", str(ROOT / "seeds"), "--edits", str(edits), "-o",
                       str(tmp_path / "b.json"), "-f", "json")
    assert code == 1 and err.startswith(f"briefing: error: {edits}: ") and err.count("\n") == 1
    assert not (tmp_path / "b.json").exists()


# -- three days of a story ----------------------------------------------------------


def _day(folder: Path, day: int) -> None:
    for file in (STORY / f"day{day}").iterdir():
        shutil.copyfile(file, folder / file.name)


def _build(folder: Path, history: Path, day: int, *extra: str) -> tuple[dict, str]:
    target = folder.parent / f"day{day}.json"
    code, _, err = run("build", str(folder), "--themes", str(THEMES), "--title", DESK,
                       "--date", f"2025-06-0{day + 2}", "--history", str(history),
                       "-f", "json", "-o", str(target), *extra)
    assert code == 0, err
    return json.loads(target.read_text(encoding="utf-8")), err


def _lines(brief: dict) -> dict[str, dict]:
    return {item["text"]: item for theme in brief["themes"] for item in theme["items"]}


def _find(lines: dict[str, dict], start: str) -> dict:
    (found,) = [item for text, item in lines.items() if start in text]
    return found


def test_a_pin_follows_its_updated_line_into_the_edits_file(tmp_path: Path) -> None:
    from briefing.serve import Desk

    folder, history, edits = tmp_path / "desk", tmp_path / "history.sqlite", tmp_path / "e.toml"
    folder.mkdir()
    _day(folder, 1)
    toll = _find(_lines(_build(folder, history, 1)[0]),
                 "At least 12 people died and 40 are missing")["id"]
    edits.write_text(f'pin = ["{toll}"]  # written by hand\n', encoding="utf-8")
    _, err = _build(folder, history, 1, "--edits", str(edits))
    assert "kept" not in err and "written by hand" in edits.read_text(encoding="utf-8")

    # Day 2: Reuters updates the toll, a new line with a new id. The pin follows it,
    # and the edits file says so: the next build compares with day 2, not day 1.
    _day(folder, 2)
    second, err = _build(folder, history, 2, "--edits", str(edits))
    updated = _find(_lines(second), "At least 19 people died and 31 are missing")
    assert updated["pinned"] and updated["updates"] == toll
    assert load_edits(edits) == Choices(pins={updated["id"]})
    assert f"kept 1 pinned and 0 dropped lines in {edits}" in err
    _day(folder, 3)
    third, _ = _build(folder, history, 3, "--edits", str(edits))
    assert _find(_lines(third), "At least 19 people died")["pinned"] is True

    # A served desk keeps its edits file the same way.
    edits.write_text(f'pin = ["{toll}"]\n', encoding="utf-8")
    served = tmp_path / "served.sqlite"
    for day in (1, 2):
        shutil.rmtree(folder)
        folder.mkdir()
        for earlier in range(1, day + 1):
            _day(folder, earlier)
        Desk([str(folder)], BuildOptions(
            themes=THEMES, title=DESK, date=dt.date(2025, 6, 2 + day), history=served,
            edits=edits)).build()
    assert load_edits(edits) == Choices(pins={updated["id"]})


def test_three_days_of_a_story(tmp_path: Path) -> None:
    folder, history, edits = tmp_path / "desk", tmp_path / "history.sqlite", tmp_path / "e.toml"
    folder.mkdir()
    _day(folder, 1)
    first, err = _build(folder, history, 1)
    assert first["since"] is None and "since the brief" not in err
    day1 = _lines(first)
    assert {item["status"] for item in day1.values()} == {"new"}
    assert len(set(i["id"] for i in day1.values())) == len(day1)

    # Day 2: Reuters updates its story in place (same address, new figures); the BBC
    # reports, quoting the coast guard as Reuters did; AP's story is unchanged.
    _day(folder, 2)
    second, err = _build(folder, history, 2, "--edits", str(edits))
    day2 = _lines(second)
    since = second["since"]
    assert since["date"] == "2025-06-03"
    assert err.splitlines()[-1].endswith(
        f"; since the brief of 3 June: {since['new']} new, {since['updates']} updates, "
        f"{since['not_repeated']} not repeated")
    toll = _find(day2, "At least 19 people died and 31 are missing")
    assert toll["status"] == "update"  # the figure changed...
    assert toll["updates"] == _find(day1, "At least 12 people died and 40 are missing")["id"]
    hope = _find(day2, "we have not given up hope")
    assert hope["status"] == "update" and len({c["source"] for c in hope["citations"]}) == 2
    assert _find(day2, "Prosecutor Anton Berge")["status"] == "new"
    assert _find(day2, "three days of national mourning")["status"] == "new"
    # ...and what was briefed with nothing new is left out: AP's unchanged lines, and
    # Reuters' unchanged sentences of its updated story (the same source, by address)
    left = {item["text"]: item for item in second["left_out"]}
    assert all(item["why"] == "not repeated" and item["status"] == "repeat"
               for item in left.values())
    for start in ("I saw people jumping into the sea", "Rescuers pulled 160 survivors"):
        assert not any(start in text for text in day2)
        assert _find(left, start)["id"] == _find(day1, start)["id"]  # the same id, a day on
    assert since["not_repeated"] == len(left) > 0
    assert since["new"] == sum(i["status"] == "new" for i in day2.values()) > 0

    # The desk officer pins a line not repeated, and drops a new one.
    pinned = _find(left, "Rescuers pulled 160 survivors")["id"]
    dropped = _find(day2, "three days of national mourning")["id"]
    code, _, err = run("build", str(folder), "--themes", str(THEMES), "--title", DESK,
                       "--date", "2025-06-04", "--history", str(history), "-f", "json",
                       "-o", str(tmp_path / "day2.json"), "--edits", str(edits),
                       "--pin", pinned, "--drop", dropped)
    assert code == 0, err
    assert f"kept 1 pinned and 1 dropped lines in {edits}" in err
    assert load_edits(edits) == Choices(pins={pinned}, drops={dropped})
    again = json.loads((tmp_path / "day2.json").read_text(encoding="utf-8"))
    # built twice on one day: still compared with day 1, not with its own first build
    assert again["since"]["date"] == "2025-06-03"
    assert _find(_lines(again), "Rescuers pulled 160")["pinned"] is True
    assert not any("national mourning" in text for text in _lines(again))

    # Day 3: the Guardian. The edits file holds: the pin stays, the drop stays out,
    # even with --repeat-old, which keeps (and marks) every other line already briefed.
    _day(folder, 3)
    third, err = _build(folder, history, 3, "--edits", str(edits), "--repeat-old")
    day3 = _lines(third)
    assert third["since"]["date"] == "2025-06-04"
    assert _find(day3, "Rescuers pulled 160")["pinned"] is True
    assert not any("national mourning" in text for text in day3)
    assert [i["why"] for i in third["left_out"]] == ["dropped"]
    assert _find(day3, "independent inquiry")["status"] == "new"
    assert _find(day3, "At least 19 people died")["status"] == "repeat"
    third_plain, _ = _build(folder, history, 3, "--edits", str(edits))
    plain = _lines(third_plain)
    assert _find(plain, "Rescuers pulled 160")["status"] == "repeat"  # pinned: kept anyway
    assert not any("At least 19 people died" in text for text in plain)  # repeat: left out

    # The history lists the three days; `show` renders day 2 exactly as it was written.
    code, out, err = run("history", "--history", str(history))
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()[1:-1]]
    assert [(row[1], " ".join(row[7:])) for row in rows] == [
        ("2025-06-05", DESK), ("2025-06-04", DESK), ("2025-06-03", DESK)]
    shown = tmp_path / "shown.json"
    code, _, err = run("show", "2025-06-04", "--title", DESK, "--history", str(history),
                       "-f", "json", "-o", str(shown))
    assert code == 0, err
    assert shown.read_bytes() == (tmp_path / "day2.json").read_bytes()
    code, out, _ = run("inspect", str(tmp_path / "day2.json"))
    assert code == 0 and f"  {pinned}  repeat+pin" in out and f"  {dropped}  new" in out


def test_show_renders_a_past_brief_as_it_was_in_every_format(tmp_path: Path) -> None:
    folder, history = tmp_path / "desk", tmp_path / "history.sqlite"
    folder.mkdir()
    _day(folder, 1)
    _build(folder, history, 1)
    _day(folder, 2)
    outputs = {}
    for fmt in ("html", "pdf"):
        outputs[fmt] = tmp_path / f"built.{fmt}"
        code, _, err = run("build", str(folder), "--themes", str(THEMES), "--title", DESK,
                           "--date", "2025-06-04", "--history", str(history), "-f", fmt,
                           "-o", str(outputs[fmt]))
        assert code == 0, err
    for fmt in ("html", "pdf"):
        shown = tmp_path / f"shown.{fmt}"
        code, _, err = run("show", "2025-06-04", "--title", DESK, "--history", str(history),
                           "-f", fmt, "-o", str(shown))
        assert code == 0, err
        if fmt == "html":
            assert shown.read_bytes() == outputs["html"].read_bytes()
            assert 'class="status status-update">Update</span>' in shown.read_text("utf-8")
            assert '<p class="since">Since the brief of 3 June: ' in shown.read_text("utf-8")
    import io

    from pypdf import PdfReader
    pages = [PdfReader(io.BytesIO(p.read_bytes())).pages for p in
             (outputs["pdf"], tmp_path / "shown.pdf")]
    assert len(pages[0]) == len(pages[1]) == 1
    assert pages[0][0].extract_text() == pages[1][0].extract_text()
    code, _, err = run("show", "9", "--history", str(history), "-f", "json")
    assert code == 1 and "no brief 9 in the history" in err


@pytest.fixture
def alarm() -> object:
    """Fail, rather than hang, a read that blocks (a FIFO read the ordinary way)."""
    import signal

    def stuck(*_: object) -> None:
        raise AssertionError("the read blocked")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_an_edits_file_or_brief_that_is_a_fifo_is_one_error_not_a_hang(
    tmp_path: Path, alarm: object
) -> None:
    import os

    from briefing.desk.briefs import read_brief
    from briefing.errors import InputError

    fifo = tmp_path / "edits.toml"
    os.mkfifo(fifo)
    with pytest.raises(EditsError, match=r"edits.toml: is a FIFO \(named pipe\), not a regular"):
        load_edits(fifo)
    brief = tmp_path / "brief.json"
    os.mkfifo(brief)
    with pytest.raises(InputError, match=r"brief.json: is a FIFO \(named pipe\), not a regular"):
        read_brief(brief)


def test_an_edits_file_nested_thousands_deep_is_one_error(tmp_path: Path) -> None:
    edits = tmp_path / "edits.toml"
    edits.write_text("pin = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(EditsError, match="not valid TOML .nested more than 16 levels deep"):
        load_edits(edits)


def test_serve_without_input_where_there_is_no_seeds_folder_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--no-history"])
    assert result.exit_code == 1
    assert "no INPUT given, and the default folder seeds/ is not in" in result.output
    assert "briefing serve FOLDER_OR_FILE" in result.output
