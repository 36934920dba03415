"""briefing's benchmarks: they print figures; they pass or fail nothing.

    make bench                     # = .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --articles 1000 --repeat 3 --only seed,throughput,rebuild
    .venv/bin/python bench/run.py --only cluster --cluster-articles 1000,10000
    .venv/bin/python bench/run.py --only copies

1. seed: cold build of the seed brief through the CLI (``--no-cache``), its split
   by stage and layout pass, beside the floor (bench/floor.py: import spaCy, load
   the model, ``nlp.pipe`` the same paragraphs, render the finished HTML once
   with WeasyPrint). Medians of --repeat runs, build and floor alternating.
2. throughput: extraction of --articles articles of news prose (bench/corpus.py)
   against bare ``nlp.pipe`` on the same paragraphs, with 1 and 2 processes, and
   peak memory for growing corpora (bench/throughput.py, one process each).
3. rebuild: a 200-article brief built with an empty cache, then again after
   one article is added; with the corpus's articles as they are, then with
   articles of seed length. Medians of --repeat pairs of runs. Then the same
   in one ``briefing build --watch`` process: --repeat new articles, one at a
   time, each timed from its file's copy to the brief written, and the memory of
   the watching process and its worker after each and over 30 more rebuilds.
4. desk: the history's size, its cost to a build, serve's latency (bench/desk.py);
   cluster: Dask against the process engine (bench/cluster.py).
5. copies: ``origins`` on 1,000 to 10,000 copies of one agency story, alike and
   each with a sentence of its own (bench/copies.py).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402

PYTHON = sys.executable
BRIEFING = [str(Path(PYTHON).parent / "briefing")]  # the console script users run
DATE = ["--date", "2025-05-28"]
_TIMINGS = re.compile(r"timings: (.*); total ([\d.]+)s; in worker processes, beside them: (.*)")
_LAYOUTS = re.compile(r"(\d+) layouts\)")
_PARSED = re.compile(r"\((\d+) parsed, (\d+) from the cache\)")
TOUCHES = 30  # rebuilds of a watch after its new articles, to see whether memory creeps


def run(command: list[str], **kwargs: object) -> tuple[float, str, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False,
                          **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    return wall, done.stdout, done.stderr


def stages(log: str) -> tuple[dict[str, float], float]:
    """The -v log's stage timings: this process's, then the workers' (marked so)."""
    match = _TIMINGS.search(log)
    if match is None:
        raise SystemExit(f"no timings line in the -v log:\n{log}")
    split = {}
    for part in match.group(1).split(", "):
        name, seconds = part.rsplit(" ", 1)
        split[name] = float(seconds.removesuffix("s"))
    for part in match.group(3).split(", "):
        name, _, seconds = part.rpartition(" ")
        if seconds.endswith("s") and name:
            split[f"(worker, beside) {name}"] = float(seconds.removesuffix("s"))
    return split, float(match.group(2))


def seed(repeat: int, work: Path) -> None:
    from briefing.brief.render import templates_dir
    from briefing.facts.modelinfo import DEFAULT_MODEL
    from briefing.sources.ingest import read_sources

    paragraphs = [s.text[g.start : g.end] for s in read_sources(["seeds"]) for g in s.body]
    texts = work / "paragraphs.json"
    texts.write_text(json.dumps(paragraphs), encoding="utf-8")
    html = work / "brief.html"
    run([*BRIEFING, "build", "seeds", "-f", "html", "-o", str(html), *DATE])
    build_cmd = [*BRIEFING, "build", "seeds", "-o", str(work / "brief.pdf"), "--no-cache",
                 "-v", *DATE]
    floor_cmd = [PYTHON, str(HERE / "floor.py"), str(texts), str(html), str(templates_dir()),
                 DEFAULT_MODEL, str(work / "floor.pdf")]
    run(build_cmd)  # warm the disk cache for both
    run(floor_cmd)
    builds, floors, splits, floor_splits, totals = [], [], [], [], []
    layouts: set[int] = set()
    for _ in range(repeat):
        wall, _out, err = run(build_cmd)
        builds.append(wall)
        split, total = stages(err)
        splits.append(split)
        totals.append(total)
        layouts.update(int(n) for n in _LAYOUTS.findall(err))
        wall, out, _err = run(floor_cmd)
        floors.append(wall)
        floor_splits.append(json.loads(out))
    imports = [run([PYTHON, "-c", "import briefing.cli, briefing.pipeline"])[0]
               for _ in range(repeat)]
    bare = [run([PYTHON, "-c", "pass"])[0] for _ in range(repeat)]
    build, floor = statistics.median(builds), statistics.median(floors)
    print("\n1. Seed brief, cold (--no-cache), through the CLI; medians of", repeat, "runs")
    print(f"   {'stage':<34}{'build s':>9}   {'floor stage':<24}{'floor s':>8}")
    rows = [("interpreter + imports (wall - rest)", build - statistics.median(totals))]
    rows += [(name, statistics.median(s[name] for s in splits)) for name in splits[0]]
    floor_rows = [(name, statistics.median(s[name] for s in floor_splits))
                  for name in floor_splits[0]]
    for number in range(max(len(rows), len(floor_rows))):
        left = f"{rows[number][0]:<34}{rows[number][1]:>9.2f}" if number < len(rows) else " " * 43
        right = (f"   {floor_rows[number][0]:<24}{floor_rows[number][1]:>8.2f}"
                 if number < len(floor_rows) else "")
        print("   " + left + right)
    print(f"   (python -c 'import briefing.cli, briefing.pipeline': "
          f"{statistics.median(imports):.2f} s; bare interpreter {statistics.median(bare):.2f} s)")
    print(f"   build wall {build:.2f} s (runs: {', '.join(f'{b:.2f}' for b in builds)}); "
          f"floor wall {floor:.2f} s (runs: {', '.join(f'{f:.2f}' for f in floors)})")
    print(f"   build / floor = {build / floor:.2f}   (goal <= 1.3); "
          f"PDF layouts per build: {', '.join(map(str, sorted(layouts)))} (goal <= 3)")


def throughput(count: int, repeat: int, work: Path) -> None:
    folder = work / f"corpus-{count}"
    write_corpus(folder, count)
    print(f"\n2. Throughput of extraction, {count} articles (Lee news corpus, bench/corpus.py)")
    print(f"   {'what':<22}{'jobs':>5}{'s':>8}{'art/s':>8}{'words/s':>9}{'peak MB':>9}"
          f"{'facts':>7}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for jobs in (1, 2):
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "extract": []}
        for _ in range(repeat):  # alternating, so a busy spell hits both alike
            for mode in ("bare", "extract"):
                _wall, out, _err = run([PYTHON, str(HERE / "throughput.py"), str(folder),
                                        "--mode", mode, "--jobs", str(jobs)])
                runs[mode].append(json.loads(out))
        for mode in ("bare", "extract"):
            result = sorted(runs[mode], key=lambda r: r["seconds"])[len(runs[mode]) // 2]
            results[mode, jobs] = result
            label = "bare nlp.pipe" if mode == "bare" else "briefing extract"
            print(f"   {label:<22}{jobs:>5}{result['seconds']:>8.2f}"
                  f"{result['articles'] / result['seconds']:>8.1f}"
                  f"{result['words'] / result['seconds']:>9.0f}{result['peak_mb']:>9.0f}"
                  f"{result['facts']:>7}"
                  + (f"  (workers' peak {result['workers_peak_mb']:.0f} MB)" if jobs > 1 else ""))
        ratio = results["bare", jobs]["seconds"] / results["extract", jobs]["seconds"]
        each = ", ".join(f"{b['seconds'] / e['seconds']:.2f}"
                         for b, e in zip(runs["bare"], runs["extract"], strict=True))
        print(f"   jobs {jobs}: extract speed / bare speed = {ratio:.2f}   (goal >= 0.8; "
              f"medians of {repeat} runs; run by run: {each})")
    words = results["bare", 1]["words"]
    print(f"   corpus: {count} articles, {results['bare', 1]['paragraphs']} paragraphs, "
          f"{words} words")
    print("   peak memory of extraction as the corpus grows (one process each, jobs 1):")
    print(f"   {'articles':>9}{'peak MB':>9}{'before MB':>11}{'growth MB':>11}{'facts MB':>10}"
          f"{'texts MB':>10}")
    sizes = sorted({count // 4, count // 2, count, count * 2})
    for size, zones in [*((size, True) for size in sizes), (count * 2, False)]:
        sub = work / f"corpus-{size}"
        if not sub.exists():
            write_corpus(sub, size)
        _wall, out, _err = run([PYTHON, str(HERE / "throughput.py"), str(sub),
                                "--mode", "extract", *([] if zones else ["--no-zone"])])
        result = json.loads(out)
        label = f"{size}" if zones else f"{size} no zone"
        print(f"   {label:>9}{result['peak_mb']:>9.0f}{result['peak_before_mb']:>11.0f}"
              f"{result['peak_mb'] - result['peak_before_mb']:>11.1f}"
              f"{result['facts_mb']:>10.1f}{result['texts_mb']:>10.1f}")


def rebuild(repeat: int, work: Path) -> None:
    print("\n3. Rebuild after adding one article to 200 (fact cache on disk);"
          f" medians of {repeat} runs, cold and rebuild alternating")
    for parts, label in ((1, "Lee articles as they are, about 200 words each"),
                         (3, "three Lee articles joined, about 600 words each, like the seeds")):
        before, after = work / f"rebuild-{parts}-200", work / f"rebuild-{parts}-201"
        write_corpus(before, 200, parts=parts)
        write_corpus(after, 201, parts=parts)
        runs: dict[str, list[tuple[float, str]]] = {"cold": [], "rebuild": []}
        for number in range(repeat):
            cache, warm = work / f"rebuild-cache-{parts}-{number}", work / f"rebuild-warm-{parts}"
            runs["cold"].append(_build(before, cache, work))  # an empty cache: every article parsed
            shutil.rmtree(warm, ignore_errors=True)
            shutil.copytree(cache, warm)  # the 200 cached, the new one not
            runs["rebuild"].append(_build(after, warm, work))
            if number < repeat - 1:
                shutil.rmtree(cache)  # the last is kept: the watch starts from it
        runs["--no-cache"] = [_build(after, None, work)]
        print(f"   {label}:")
        medians = {}
        for name, done in runs.items():
            walls = [wall for wall, _ in done]
            medians[name] = statistics.median(walls)
            wall, log = min(done, key=lambda run: abs(run[0] - medians[name]))  # the median run
            split, _total = stages(log)
            parsed = _PARSED.search(log)
            what = f"{parsed.group(1)} parsed, {parsed.group(2)} cached" if parsed else ""
            top = ", ".join(f"{k} {v:.2f}"
                            for k, v in sorted(split.items(), key=lambda kv: -kv[1])[:3])
            runs_text = " ".join(f"{w:.2f}" for w in walls)
            print(f"   {name:<11}{medians[name]:>7.2f} s  (runs {runs_text})  {what}")
            print(f"   {'':<11}largest in the median run: {top}")
        pairs = zip(runs["rebuild"], runs["cold"], strict=True)
        ratios = " ".join(f"{r / c:.2f}" for (r, _), (c, _) in pairs)
        print(f"   rebuild / cold = {medians['rebuild'] / medians['cold']:.2f} of the medians"
              f" (each pair: {ratios})   (goal <= 0.2)")
        extra = write_corpus(work / f"rebuild-{parts}-extra", repeat, start=200, parts=parts)
        watched, resident = _watched_rebuilds(before, extra, cache, work)
        walls = [wall for wall, _, _ in watched]
        wall, log, _ = min(watched, key=lambda run: abs(run[0] - statistics.median(walls)))
        split, _total = stages(log)
        top = ", ".join(f"{k} {v:.2f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1])[:4])
        print(f"   --watch, one new article at a time: {statistics.median(walls):.2f} s from "
              f"its copy to the brief written (runs {' '.join(f'{w:.2f}' for w in walls)})")
        print(f"   {'':<11}largest in the median run: {top}")
        print(f"   --watch rebuild / cold = {statistics.median(walls) / medians['cold']:.2f}; "
              f"memory (MB, watching process + worker) after each: "
              f"{' '.join(f'{rss:.0f}' for _, _, rss in watched)}")
        print(f"   {'':<11}memory (MB) over {TOUCHES} more rebuilds (an article touched), "
              f"every fifth: {' '.join(f'{rss:.0f}' for rss in resident[::5])}, "
              f"last {resident[-1]:.0f}")
        shutil.rmtree(cache)


def _watched_rebuilds(before: Path, extra: list[Path], cache: Path,
                      work: Path) -> tuple[list[tuple[float, str, float]], list[float]]:
    """A ``build --watch`` of a copy of *before* (its facts in *cache*), given the
    *extra* articles one at a time: per article, the seconds from its copy to the
    brief written, the -v log of that build, and the MB resident in the watching
    process and its workers; then that memory after each of TOUCHES more rebuilds."""
    folder, warm = work / "watched", work / "watched-cache"
    for old in (folder, warm):
        shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(before, folder)
    shutil.copytree(cache, warm)
    process = subprocess.Popen(
        [*BRIEFING, "build", str(folder), "--watch", "-o", str(work / "w.pdf"), "-v", *DATE,
         "--cache-dir", str(warm)], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()],
                     daemon=True).start()

    def until(start: str) -> str:
        got = []
        while True:
            try:
                got.append(lines.get(timeout=300))
            except queue.Empty:
                raise SystemExit(f"the watch said no {start!r}:\n{''.join(got)}") from None
            if got[-1].startswith(start):
                return "".join(got)

    results = []
    try:
        until("briefing: watching ")
        for article in extra:
            time.sleep(1.0)  # a quiet moment, as between a desk's articles
            started = time.perf_counter()
            shutil.copyfile(article.with_suffix(".toml"), folder / f"{article.stem}.toml")
            shutil.copyfile(article, folder / article.name)
            log = until("wrote ")
            results.append((time.perf_counter() - started, log, _resident_mb(process.pid)))
        resident = []
        for _ in range(TOUCHES):  # rebuilds with nothing new to parse: does memory creep?
            os.utime(folder / extra[0].name)
            until("wrote ")
            resident.append(_resident_mb(process.pid))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return results, resident


def _resident_mb(pid: int) -> float:
    """Resident memory of process *pid* and its children, in MB (Linux /proc)."""
    from procs import processes

    return sum(mb for each, (parent, mb) in processes().items() if pid in (each, parent))


def _build(folder: Path, cache: Path | None, work: Path) -> tuple[float, str]:
    """Wall time and -v log of a CLI build of *folder* with *cache* (None: --no-cache)."""
    where = ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    wall, _out, log = run([*BRIEFING, "build", str(folder), "-o", str(work / "r.pdf"),
                           *where, "-v", *DATE])
    return wall, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--only", default="seed,throughput,rebuild,desk,copies,cluster")
    parser.add_argument("--cluster-articles", default="1000,10000",
                        help="corpus sizes of the cluster part, comma-separated")
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    print(f"briefing benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as folder:
        work = Path(folder)
        os.environ["BRIEFING_CACHE_DIR"] = str(work / "cache")  # never the user's cache
        os.environ["BRIEFING_HISTORY"] = str(work / "history.sqlite")  # nor their history
        if "seed" in chosen:
            seed(args.repeat, work)
        if "throughput" in chosen:
            throughput(args.articles, args.repeat, work)
        if "rebuild" in chosen:
            rebuild(args.repeat, work)
        if "desk" in chosen:
            import desk  # bench/desk.py: history size, its cost to a build, serve latency

            desk.run(work, args.repeat)
        if "copies" in chosen:
            import copies  # bench/copies.py: telling copies of one story apart

            copies.run([1000, 2000, 10000])
        if "cluster" in chosen:
            from cluster import run_cluster

            run_cluster(work, [int(n) for n in args.cluster_articles.split(",")], args.repeat)


if __name__ == "__main__":
    main()
