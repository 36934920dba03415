"""Cost of telling copies of one story apart from their own reports (brief/origins.py).

    .venv/bin/python bench/copies.py [--sizes 1000,2000,10000]

For each size, that many sources of one agency text: all the same body, then each
with a sentence of its own (near-copies). Prints the seconds ``origins`` takes and
the origins found (one in both cases). A benchmark: it passes or fails nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.brief.origins import origins  # noqa: E402
from briefing.models import Segment, Source  # noqa: E402

WIRE = (
    "The central bank cut its main interest rate by half a percentage point on Wednesday. "
    "Officials said the decision was taken unanimously after two days of talks in the capital. "
    "Markets rose sharply after the announcement and the currency fell against the dollar. "
    "Analysts had expected a smaller cut of a quarter point given the recent inflation figures. "
)


def copies(count: int, *, own_sentence: bool) -> list[Source]:
    sources = []
    for n in range(count):
        text = WIRE + (f"Our correspondent number {n} added a line on how the market took the "
                       "news today. " if own_sentence else "")
        sources.append(Source(id=str(n), path=f"{n}.txt", text=text, outlet=f"Outlet {n}",
                              segments=(Segment(0, len(text), True, "article body"),)))
    return sources


def run(sizes: list[int]) -> None:
    print("copies of one story: seconds of origins(), origins found")
    for count in sizes:
        for own in (False, True):
            sources = copies(count, own_sentence=own)
            started = time.perf_counter()
            found = origins(sources)
            seconds = time.perf_counter() - started
            kind = "near-copies" if own else "copies"
            print(f"  {count:6d} {kind:12s} {seconds:7.3f} s  {len(set(found.values()))} origin(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,10000")
    run([int(n) for n in parser.parse_args().sizes.split(",")])


if __name__ == "__main__":
    main()
