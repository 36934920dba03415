"""The desk's costs: history size per brief, what history adds to a build, serve latency.

Run by ``bench/run.py --only desk`` (``make bench`` runs it with the rest). Prints
figures; passes or fails nothing.

1. History size: a desk of 20 articles a day for DAYS days, half of them new each
   day (a story running on: yesterday's articles are still in the feed), built with
   the real pipeline and recorded; the file's size after each day, per brief.
2. Cost: the same build, facts cached, with the history (read the last brief,
   mark what is new, record) and without; with --repeat-old, so that both print the
   same lines and lay out alike; the in-process stages, and the CLI's wall.
3. Serve: ``briefing serve`` on a free loopback port; GETs of the page, the PDF,
   the fragment, a 304, and a past brief's PDF (first rendered, then kept).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

DAYS = 10
PER_DAY = 20
FRESH = 10  # new articles a day; the rest are yesterday's
_READY = re.compile(r"at (http://127\.0\.0\.1:\d+/)")


def history_size(work: Path) -> list[float]:
    from corpus import write_corpus

    from briefing.facts.extraction import ParserPool
    from briefing.facts.modelinfo import DEFAULT_MODEL
    from briefing.pipeline import BuildOptions, build_brief, record_brief

    history = work / "desk-history.sqlite"
    pool_folder = work / "desk-pool"
    write_corpus(pool_folder, FRESH * DAYS + PER_DAY)
    articles = sorted(pool_folder.glob("*.txt"))
    sizes: list[float] = []
    costs: list[tuple[float, float]] = []
    print(f"\n1. History size: {PER_DAY} articles a day, {FRESH} of them new, {DAYS} days "
          "(Lee corpus via bench/corpus.py)")
    print(f"   {'day':>4}{'lines':>7}{'left out':>10}{'file kB':>9}{'kB/brief':>10}"
          f"{'news ms':>9}{'record ms':>11}")
    # The built-in themes miss some days' Lee articles; their warnings are not figures.
    logging.getLogger("briefing").setLevel(logging.ERROR)
    with ParserPool(DEFAULT_MODEL) as pool:
        for day in range(DAYS):
            folder = work / f"desk-day-{day}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            for article in articles[day * FRESH: day * FRESH + PER_DAY]:
                for file in (article, article.with_suffix(".toml")):
                    shutil.copyfile(file, folder / file.name)
            options = BuildOptions(title="Lee desk", date=dt.date(2025, 3, 1) + dt.timedelta(day),
                                   history=history)
            build = build_brief([folder], options, pool=pool)
            record_brief(build)
            db = __import__("sqlite3").connect(history)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            size = history.stat().st_size / 1024
            sizes.append(size)
            costs.append((build.timings["history and news"], build.timings["record history"]))
            print(f"   {day + 1:>4}{len(build.brief.items):>7}"
                  f"{len(build.brief.not_repeated) + len(build.brief.struck):>10}"
                  f"{size:>9.0f}{size / (day + 1):>10.1f}{costs[-1][0] * 1000:>9.1f}"
                  f"{costs[-1][1] * 1000:>11.1f}")
    growth = (sizes[-1] - sizes[0]) / (DAYS - 1)
    print(f"   growth per brief after the first: {growth:.1f} kB "
          f"(the texts of {FRESH} new articles, the lines and citations)")
    return sizes


def build_cost(work: Path, repeat: int) -> None:
    from briefing.pipeline import BuildOptions, build_brief, record_brief

    print(f"\n2. What the history adds to a build (seeds and tests/heldout, facts cached, "
          f"--repeat-old); medians of {repeat}")
    seeds = [ROOT / "seeds", ROOT / "tests" / "heldout"]
    history = work / "cost-history.sqlite"
    day = dt.date(2025, 5, 28)
    build_brief(seeds, BuildOptions(date=day))  # warm the cache and the renderer
    with_history, without, laps, records = [], [], [], []
    for number in range(repeat):
        started = time.perf_counter()
        build_brief(seeds, BuildOptions(date=day))
        without.append(time.perf_counter() - started)
        started = time.perf_counter()
        build = build_brief(seeds, BuildOptions(date=day + dt.timedelta(number + 1),
                                                history=history, repeat_old=True))
        record_brief(build)
        with_history.append(time.perf_counter() - started)
        laps.append(build.timings["history and news"])
        records.append(build.timings["record history"])
    print(f"   in process: build {statistics.median(without):.3f} s without, "
          f"{statistics.median(with_history):.3f} s with history (+record); "
          f"read + what is new {statistics.median(laps) * 1000:.1f} ms, "
          f"record {statistics.median(records) * 1000:.1f} ms")
    briefing = [str(Path(sys.executable).parent / "briefing")]
    walls: dict[str, list[float]] = {"--no-history": [], "history": []}
    for number in range(repeat):
        for name in walls:
            flags = ["--no-history"] if name == "--no-history" else [
                "--history", str(work / "cli-history.sqlite"), "--repeat-old",
                "--date", (day + dt.timedelta(number + 1)).isoformat()]
            started = time.perf_counter()
            subprocess.run([*briefing, "build", *map(str, seeds), "-o", str(work / "c.pdf"),
                            *flags], check=True, capture_output=True, cwd=ROOT)
            walls[name].append(time.perf_counter() - started)
    print("   CLI wall: " + ", ".join(f"{name} {statistics.median(w):.2f} s" for name, w in
                                       walls.items())
          + f" (runs: {' '.join(f'{w:.2f}' for w in walls['history'])})")


def serve_latency(work: Path, requests: int) -> None:
    import httpx

    print(f"\n3. briefing serve (uvicorn, loopback): {requests} GETs each, one client")
    history = work / "serve-history.sqlite"
    briefing = [str(Path(sys.executable).parent / "briefing")]
    subprocess.run([*briefing, "build", "seeds", "-o", str(work / "p.pdf"), "--history",
                    str(history), "--date", "2025-05-27"], check=True, capture_output=True,
                   cwd=ROOT)
    process = subprocess.Popen([*briefing, "serve", "seeds", "--port", "0", "--history",
                                str(history)], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stderr is not None
        started = time.perf_counter()
        line = process.stderr.readline()
        ready = time.perf_counter() - started
        match = _READY.search(line)
        if match is None:
            raise SystemExit(f"serve did not start: {line}{process.stderr.read()}")
        print(f"   start to serving (first build included): {ready:.2f} s")
        print(f"   {'what':<34}{'median ms':>10}{'p95 ms':>8}{'kB':>7}")
        with httpx.Client(base_url=match.group(1)) as client:
            etag = client.get("/").headers["etag"]
            cases = [("/ (page)", "/", {}), ("/brief.pdf", "/brief.pdf", {}),
                     ("/fragment.html", "/fragment.html", {}),
                     ("/ with If-None-Match (304)", "/", {"If-None-Match": etag})]
            for label, path, headers in cases:
                times, size = [], 0
                for _ in range(requests):
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                    size = len(response.content)
                times.sort()
                print(f"   {label:<34}{statistics.median(times):>10.2f}"
                      f"{times[int(len(times) * 0.95) - 1]:>8.2f}{size / 1024:>7.1f}")
            started = time.perf_counter()
            client.get("/briefs/2025-05-27/brief.pdf")
            cold = (time.perf_counter() - started) * 1000
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get("/briefs/2025-05-27/brief.pdf")
                times.append((time.perf_counter() - started) * 1000)
            print(f"   past brief's PDF: first {cold:.0f} ms (laid out, rendered), then "
                  f"median {statistics.median(times):.2f} ms (kept)")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def run(work: Path, repeat: int) -> None:
    os.environ.setdefault("BRIEFING_HISTORY", str(work / "history.sqlite"))
    history_size(work)
    build_cost(work, max(repeat, 5))
    serve_latency(work, 200)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="briefing-bench-desk-") as folder:
        os.environ["BRIEFING_CACHE_DIR"] = str(Path(folder) / "cache")
        run(Path(folder), 5)
