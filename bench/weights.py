"""Search the ranking weights of briefing/brief/select.py on the real-news gold.

A coordinate search: each weight in turn is halved, then raised by half, and a
change is kept when the briefs of the development stories (bench/realnews) hold
more of the analysts' must facts while the seed and held-out gold tests
(tests/test_gold.py) still pass; rounds go on until none helps. It prints what it
kept and the weights it ends with; it changes no file. Check what it finds once on
the held-out stories (``bench/quality.py --corpus bench/realnews-holdout``) before
writing it into select.py: the held-out stories are never searched on.

About a minute per round once the facts are cached (the first run parses).

``--half odd`` (or ``even``) searches on every other story by name (the first,
third, ... or the second, fourth, ...) and then prints what the weights it ends with
find on the other half: a gain there is one that carries to stories not searched on;
a gain on the searched half alone is noise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import quality  # noqa: E402  (bench/quality.py)
import test_gold  # noqa: E402  (tests/test_gold.py: the seed and held-out gold)

import briefing.brief.select as select  # noqa: E402
from briefing.pipeline import BuildOptions, build_brief  # noqa: E402

WEIGHTS = (
    "NAMED_SPEAKER", "DIRECT_QUOTE", "CORROBORATION", "SPECIFICITY", "POSITION", "ANAPHORIC",
    "RELEVANCE", "STANCE", "LEDE", "SPACE", "OTHER_SECTION", "THEME_SATURATION",
    "REDUNDANCY", "NOVEL_TERM", "CENTRALITY", "EVENT_CORROBORATION",
    "SPECIFICITY_CAP", "RELEVANCE_CAP", "CENTRALITY_CAP", "NOVEL_TERM_CAP", "RECENT", "OLD",
    "EVENT_SHARE",
)


def found(stories: list[tuple[Path, quality.Gold]], model: str) -> int:
    """Must facts on the pages of all *stories*."""
    total = 0
    for folder, gold in stories:
        options = BuildOptions(themes=folder / "themes.toml", date=gold.date, model=model,
                               title=f"Brief: {gold.story}")
        brief = build_brief([folder / "articles"], options).brief
        total += quality.score(gold, quality.brief_lines(brief), full=False).found
    return total


def gold_tests_pass() -> bool:
    """Do the briefs of tests/test_gold.py still meet their targets?"""
    for name, (_, inputs, themes, day) in test_gold.CASES.items():
        brief = build_brief(inputs, BuildOptions(themes=themes, date=day)).brief
        with contextlib.redirect_stdout(io.StringIO()):
            figures = test_gold.measure(test_gold.gold(name), brief)
        if not (figures["recall"] >= test_gold.RECALL_TARGET
                and figures["speaker"] >= test_gold.SPEAKER_TARGET
                and figures["placement"] >= test_gold.PLACEMENT_TARGET
                and figures["leaks"] == 0):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=quality.CORPUS)
    parser.add_argument("--model", default=quality.DEFAULT_MODEL)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", default="0.5,1.5",
                        help="factors each weight is tried at, comma-separated")
    parser.add_argument("--half", choices=("odd", "even"),
                        help="search on every other story, then check on the rest")
    args = parser.parse_args()
    logging.getLogger("briefing").setLevel(logging.ERROR)
    steps = [float(step) for step in args.steps.split(",")]
    stories = []
    for gold_file in sorted(args.corpus.glob("*/gold.toml")):
        if list((gold_file.parent / "articles").glob("*.txt")):
            gold = quality.Gold.load(gold_file)
            gold.folder = gold_file.parent
            stories.append((gold_file.parent, gold))
    if not stories:
        print(f"no story with its articles under {args.corpus}; "
              "bench/realnews/README.md says how to get them")
        return 1
    rest: list[tuple[Path, quality.Gold]] = []
    if args.half:
        searched = 0 if args.half == "odd" else 1
        rest = [story for n, story in enumerate(stories) if n % 2 != searched]
        stories = [story for n, story in enumerate(stories) if n % 2 == searched]
    rest_before = found(rest, args.model)
    must = sum(len(gold.must) for _, gold in stories)
    best = found(stories, args.model)
    print(f"now: {best}/{must} must facts on the pages of {len(stories)} stories; "
          f"gold tests {'pass' if gold_tests_pass() else 'FAIL'}")
    for round_ in range(1, args.rounds + 1):
        changed = False
        for name in WEIGHTS:
            value = getattr(select, name)
            for step in steps:
                setattr(select, name, value * step)
                tried = found(stories, args.model)
                if tried > best and gold_tests_pass():
                    best, value, changed = tried, value * step, True
                    print(f"round {round_}: {name} = {value:g} -> {best}/{must}")
                setattr(select, name, value)
        if not changed:
            break
    print("weights: " + ", ".join(f"{name} = {getattr(select, name):g}" for name in WEIGHTS))
    if rest:
        print(f"on the other {len(rest)} stories: {rest_before} must facts before, "
              f"{found(rest, args.model)} with these weights, of "
              f"{sum(len(gold.must) for _, gold in rest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
