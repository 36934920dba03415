"""Bulk extraction through --jobs 2, through a 2-worker Dask LocalCluster, and bare spaCy.

Run by bench/run.py (``--only cluster``); its parts also run on their own:

    python bench/cluster.py bare FOLDER [--jobs 2]     # read, load, nlp.pipe: the floor
    python bench/cluster.py overhead FACTS.jsonl FOLDER  # what Dask adds per article

For each corpus size (1,000 and 10,000 Lee articles, bench/corpus.py), three runs
from a fresh process each, timed from outside (wall clock: start-up, reading,
model load, parsing and writing alike):

- bare: read the articles (``read_sources``), load the model, run ``nlp.pipe``
  over their paragraphs with ``n_process=2``, Docs dropped (``bare`` below);
- ``briefing extract --jobs 2 --no-cache``: two worker processes;
- ``briefing extract --engine dask --jobs 2 --no-cache``: a LocalCluster of two
  worker processes, started by the run (its start-up counted);

with the peak resident memory of each worker process (sampled from /proc every
0.2 s) and whether the two extracts wrote the same file. Then, on the facts of
1,000 articles, what the Dask path costs beyond parsing (``overhead`` below):
tasks of 16 sources sent to a 2-worker cluster that does nothing with them,
with and without their facts sent back, and this process's own work per
article (records read back into facts, dated, placed, written).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
BRIEFING = str(Path(PYTHON).parent / "briefing")
SAMPLE_SECONDS = 0.2


# -- the parts run by run.py ------------------------------------------------------------


def run_cluster(work: Path, counts: list[int], repeat: int) -> None:
    sys.path.insert(0, str(HERE))
    from corpus import write_corpus

    print("\n4. Bulk extract: --jobs 2, a 2-worker Dask LocalCluster, bare nlp.pipe with 2 "
          "processes (bench/cluster.py)")
    print("   wall clock of a fresh process each, start-up, reading, model load and writing "
          "included")
    print(f"   {'articles':>9}  {'what':<34}{'s':>8}{'art/s':>8}{'worker peak MB':>17}")
    facts_1000, parse_ms = None, float("nan")
    for count in counts:
        folder = work / f"cluster-corpus-{count}"
        if not folder.exists():
            write_corpus(folder, count)
        runs = repeat if count <= 1000 else 1
        results: dict[str, list[dict[str, Any]]] = {"bare": [], "jobs": [], "dask": []}
        for number in range(runs):  # alternating, so a busy spell hits all alike
            outputs = {}
            for mode in ("bare", "jobs", "dask"):
                target = work / f"cluster-{mode}-{count}.jsonl"
                results[mode].append(_timed(mode, folder, target))
                outputs[mode] = target
            same = outputs["jobs"].read_bytes() == outputs["dask"].read_bytes()
            results["dask"][-1]["same"] = same
            if count == 1000 and number == runs - 1:
                facts_1000 = outputs["jobs"]
                parse_ms = results["jobs"][-1].get("stages", {}).get("parse", 0) / count * 1000
        medians = {}
        for mode, label in (("bare", "bare nlp.pipe, n_process=2"),
                            ("jobs", "briefing extract --jobs 2"),
                            ("dask", "briefing extract --engine dask -j 2")):
            done = sorted(results[mode], key=lambda r: r["seconds"])
            median = done[len(done) // 2]
            medians[mode] = median
            peaks = " ".join(f"{mb:.0f}" for mb in median["worker_peaks_mb"]) or "-"
            print(f"   {count:>9}  {label:<34}{median['seconds']:>8.1f}"
                  f"{count / median['seconds']:>8.1f}{peaks:>17}")
        runs_text = "; ".join(
            f"{mode} " + " ".join(f"{r['seconds']:.1f}" for r in results[mode])
            for mode in results)
        print(f"   {'':>9}  runs (s): {runs_text}")
        print(f"   {'':>9}  dask / --jobs 2 = "
              f"{medians['jobs']['seconds'] / medians['dask']['seconds']:.2f} (goal >= 0.9); "
              f"extract --jobs 2 / bare = "
              f"{medians['bare']['seconds'] / medians['jobs']['seconds']:.2f} per process "
              f"(goal >= 0.9); the two extracts wrote the same file: "
              f"{'yes' if all(r['same'] for r in results['dask']) else 'NO'}")
        for mode in ("jobs", "dask"):
            stages = medians[mode].get("stages", {})
            if stages:
                print(f"   {'':>9}  {mode} run, in its workers (summed): "
                      + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items()))
        print(f"   {'':>9}  load average after: "
              + " ".join(f"{load:.1f}" for load in os.getloadavg())
              + " (other work on the machine slows every run alike, or not)")
    if facts_1000 is not None:
        _wall, out, err = _run([PYTHON, str(HERE / "cluster.py"), "overhead", str(facts_1000),
                                str(work / "cluster-corpus-1000")])
        _print_overhead({**json.loads(out), "parse_ms": parse_ms})


def _timed(mode: str, folder: Path, target: Path) -> dict[str, Any]:
    if mode == "bare":
        command = [PYTHON, str(HERE / "cluster.py"), "bare", str(folder), "--jobs", "2"]
    else:
        command = [BRIEFING, "extract", str(folder), "-o", str(target), "--no-cache", "-v",
                   "--jobs", "2", *(["--engine", "dask"] if mode == "dask" else [])]
    env = dict(os.environ)
    env.pop("DASK_SCHEDULER_ADDRESS", None)  # its own LocalCluster, whatever the shell says
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env=env)
    peaks: dict[int, float] = {}
    sampler = threading.Thread(target=_sample, args=(process, peaks), daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{err}")
    workers = sorted(peaks.values(), reverse=True)[:2]  # the two parsing processes
    result: dict[str, Any] = {"seconds": seconds, "worker_peaks_mb": workers}
    for line in err.splitlines():
        if line.startswith("briefing: info: in the workers: "):
            result["stages"] = {
                name: float(value.removesuffix("s"))
                for part in line.removeprefix("briefing: info: in the workers: ").split(", ")
                for name, _, value in [part.rpartition(" ")]
            }
    if mode == "bare":
        result.update(json.loads(out))
    return result


def _sample(process: subprocess.Popen[str], peaks: dict[int, float]) -> None:
    """The peak resident memory of each child of *process* (its workers), in MB."""
    while process.poll() is None:
        for pid, mb in _children_mb(process.pid).items():
            peaks[pid] = max(peaks.get(pid, 0.0), mb)
        time.sleep(SAMPLE_SECONDS)


def _children_mb(parent: int) -> dict[int, float]:
    from procs import processes

    return {pid: mb for pid, (ppid, mb) in processes().items() if ppid == parent}


def _run(command: list[str]) -> tuple[float, str, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    return time.perf_counter() - started, done.stdout, done.stderr


def _print_overhead(figures: dict[str, float]) -> None:
    print(f"   What the Dask path costs beyond parsing, per article ({figures['articles']:.0f} "
          f"articles in tasks of {figures['task_sources']:.0f}, 2 workers on loopback):")
    print(f"     a task scheduled, its sources sent, nothing returned: "
          f"{figures['send_ms']:.2f} ms per article (wall, both workers busy)")
    print(f"     the same, its facts records sent back too: {figures['echo_ms']:.2f} ms; "
          f"so the result transfer costs about {figures['result_ms']:.2f} ms")
    print(f"     bytes per article: source {figures['source_kb']:.1f} kB pickled, facts "
          f"records {figures['records_kb']:.1f} kB pickled")
    print(f"     in the client, per article: records -> facts {figures['decode_ms']:.3f} ms, "
          f"dates {figures['dates_ms']:.3f} ms, placing {figures['group_ms']:.3f} ms, "
          f"writing JSONL {figures['write_ms']:.3f} ms")
    print(f"     parse, for comparison: {figures['parse_ms']:.1f} ms per article per worker "
          "(the jobs 2 run above)")


# -- in a process of its own --------------------------------------------------------------


def bare(folder: str, jobs: int) -> None:
    """Read the articles, load the model, nlp.pipe their paragraphs: the floor."""
    started = time.perf_counter()
    import spacy

    from briefing.facts.modelinfo import DEFAULT_MODEL
    from briefing.sources.ingest import read_sources

    sources = read_sources([folder])
    texts = [s.text[g.start:g.end] for s in sources for g in s.body]
    nlp = spacy.load(DEFAULT_MODEL)
    loaded = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=64, n_process=jobs):
        pass
    done = time.perf_counter()
    print(json.dumps({"read_and_load": loaded - started, "pipe": done - loaded,
                      "paragraphs": len(texts)}))


def overhead(facts_file: str, folder: str) -> None:
    """What the Dask path adds per article, beside parsing (see the module's docstring)."""
    import distributed

    from briefing.facts.dates import warm_up, with_dates
    from briefing.facts.factfile import FactWriter
    from briefing.facts.group import group
    from briefing.facts.modelinfo import DEFAULT_MODEL, model_version
    from briefing.facts.themes import load_themes
    from briefing.facts.workers import TASK_SOURCES, tasks_of
    from briefing.models import FACT_FIELDS, fact_from_record
    from briefing.sources.inputs import gather_sources

    sources, _failures = gather_sources([folder])  # as the extract had them
    per_source: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []
    with open(facts_file, encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            if record["record"] == "source":
                order.append(record["id"])
                per_source[record["id"]] = []
            elif record["record"] == "fact":
                per_source[record["source_id"]].append(
                    {k: v for k, v in record.items() if k in FACT_FIELDS})
    records = [per_source[key] for key in order]
    assert len(records) == len(sources), "the facts file is of other articles"
    tasks = tasks_of(sources)
    task_records = [records[i:i + TASK_SOURCES] for i in range(0, len(records), TASK_SOURCES)]
    figures: dict[str, float] = {"articles": len(sources), "task_sources": TASK_SOURCES}
    figures["source_kb"] = statistics.mean(len(pickle.dumps(s)) for s in sources) / 1024
    figures["records_kb"] = statistics.mean(len(pickle.dumps(r)) for r in records) / 1024
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as local, \
            distributed.Client(local) as client:
        client.submit(len, [1]).result()  # everything warm
        for name, payloads in (("send_ms", [None] * len(tasks)), ("echo_ms", task_records)):
            best = None
            for _ in range(3):
                started = time.perf_counter()
                _windowed(client, tasks, payloads)
                seconds = time.perf_counter() - started
                best = seconds if best is None else min(best, seconds)
            assert best is not None
            figures[name] = best / len(sources) * 1000
    # the echo sends the records there and back: half the difference is one way
    figures["result_ms"] = max(figures["echo_ms"] - figures["send_ms"], 0.0) / 2
    started = time.perf_counter()
    facts = [[fact_from_record(r) for r in rs] for rs in records]
    figures["decode_ms"] = (time.perf_counter() - started) / len(sources) * 1000
    warm_up()
    started = time.perf_counter()
    dated = [with_dates(fs, s.published) for fs, s in zip(facts, sources, strict=True)]
    figures["dates_ms"] = (time.perf_counter() - started) / len(sources) * 1000
    themes = load_themes()
    started = time.perf_counter()
    placed = [group(fs, themes) for fs in dated]
    figures["group_ms"] = (time.perf_counter() - started) / len(sources) * 1000
    target = Path(facts_file).with_suffix(".again.jsonl")
    started = time.perf_counter()
    with FactWriter(target, model=DEFAULT_MODEL, model_version=model_version(DEFAULT_MODEL),
                    themes=themes) as writer:
        for source, placements in zip(sources, placed, strict=True):
            writer.add(source, placements)
    figures["write_ms"] = (time.perf_counter() - started) / len(sources) * 1000
    target.unlink()
    print(json.dumps(figures))


def _windowed(client: Any, tasks: list[Any], payloads: list[Any], window: int = 8) -> None:
    """Tasks handed out as the engine does: a window of them, results in order."""
    pending: deque[Any] = deque()
    submitted = 0
    for _ in range(len(tasks)):
        while submitted < len(tasks) and len(pending) < window:
            pending.append(client.submit(_echo, list(tasks[submitted]), payloads[submitted],
                                         pure=False))
            submitted += 1
        pending.popleft().result()


def _echo(sources: list[Any], payload: Any) -> Any:
    """A task that parses nothing: it returns what it is given to send back."""
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("bare", "overhead"))
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if args.mode == "bare":
        bare(args.paths[0], args.jobs)
    else:
        overhead(args.paths[0], args.paths[1])


if __name__ == "__main__":
    main()
