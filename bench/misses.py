"""Why the brief misses the gold's must facts it misses, story by story.

    .venv/bin/python bench/misses.py [--stories A,B] [--corpus DIR] [--show]

For each must fact no line on the page reports (as `bench/quality.py` scores it),
says where it was lost:

- ``not extracted``: no extracted fact quotes a sentence of it (the sentence was
  filtered as furniture, or the article body lost it);
- ``told``: a candidate line, left out as telling the same event as a line on the
  page that reports some other gold fact (a merge that cost recall);
- ``ranked out``: a candidate line below the last line that fits the page, or told by
  a line that is itself below it;

and, of the extracted ones, how many match no theme's patterns (``unthemed``: their
lines are candidates under the themes file's ``[other]`` section only, which costs
them ``OTHER_SECTION`` unless a paragraph's context places them). Below the table:
how far below the page's end the best line of each fact ranked out was.

A benchmark: it prints counts, passes or fails nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import Gold, arguments, brief_lines, facts_of, story_folders  # noqa: E402

from briefing.brief.select import TOLD  # noqa: E402
from briefing.facts.cache import FactCache, default_cache_dir  # noqa: E402
from briefing.facts.extraction import extract  # noqa: E402
from briefing.facts.modelinfo import model_identity  # noqa: E402
from briefing.facts.themes import load_themes  # noqa: E402
from briefing.models import Brief, Item  # noqa: E402
from briefing.pipeline import BuildOptions, build_brief  # noqa: E402
from briefing.sources.inputs import gather_sources  # noqa: E402

KINDS = ("not extracted", "told", "ranked out", "unthemed")


def _told_by(why: str, brief: Brief) -> Item | None:
    """The line on the page a left-out line was told by, if it was left out as telling
    its event (and that line was not dropped by the page fit in turn)."""
    if not why.startswith(TOLD):
        return None
    opening = why.removeprefix(TOLD).removesuffix(" ...")
    words = len(opening.split())
    return next((item for item in brief.items
                 if " ".join(item.text.split()[:words]) == opening), None)


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], "print each missed fact").parse_args()
    total: Counter[str] = Counter()
    total_depths: list[int] = []
    print(f"{'story':28} {'missed':>6} " + " ".join(f"{k:>13}" for k in KINDS))
    for folder in story_folders(args):
        gold_file = folder / "gold.toml"
        gold = Gold.load(gold_file)
        gold.folder = folder
        themes = folder / "themes.toml"
        brief = build_brief([folder / "articles"], BuildOptions(
            themes=themes, date=gold.date, model=args.model,
            title=f"Brief: {gold.story}")).brief  # as bench/quality.py builds it
        on_page = {fact for line in brief_lines(brief)
                   for fact in facts_of(gold, gold.quoted(*line.own))}
        missed = [fact for fact in gold.must if fact not in on_page]
        sources, _ = gather_sources([folder / "articles"])
        stems = {s.id: Path(s.path).stem for s in sources}
        theme_set = load_themes(themes)
        cache = FactCache(default_cache_dir(), model=model_identity(args.model),
                          themes=theme_set)
        facts = extract(sources, theme_set, nlp=args.model, cache=cache)
        extracted: dict[str, bool] = {}  # gold fact -> some sentence of it matches a theme
        for fact in facts:
            for g in facts_of(gold, gold.quoted(stems[fact.source_id], fact.start, fact.end)):
                extracted[g] = extracted.get(g, False) or bool(fact.matches)
        stems_b = {s.id: Path(s.path).stem for s in brief.sources}
        lost: dict[str, str] = {}
        below = sorted((item for item, why in brief.left_out if not why.startswith(TOLD)),
                       key=lambda item: -item.score)
        depth: dict[str, int] = {}  # gold fact -> its best line's place below the page's end
        for n, item in enumerate(below):
            for c in item.citations:
                for g in facts_of(gold, gold.quoted(stems_b[c.source_id], c.start, c.end)):
                    depth.setdefault(g, n + 1)
        for item, why in brief.left_out:
            for c in item.citations:
                for g in facts_of(gold, gold.quoted(stems_b[c.source_id], c.start, c.end)):
                    if g in missed and not lost.get(g, "").startswith("told"):
                        by = _told_by(why, brief)
                        lost[g] = (f"told: {item.text[:160]}\n                by:   {by.text[:160]}"
                                   if by is not None else "ranked out")
        counts: Counter[str] = Counter()
        notes = []
        for fact in missed:
            if fact not in extracted:
                kind = "not extracted"
            else:
                kind = "told" if lost.get(fact, "ranked out").startswith("told") else "ranked out"
                counts["unthemed"] += not extracted[fact]
            counts[kind] += 1
            if kind == "ranked out" and fact in depth:
                total_depths.append(depth[fact])
            notes.append(f"  {kind:13} {fact}: {gold.must[fact][:80]}"
                         + (f" (line {depth[fact]} below)" if kind == "ranked out"
                            and fact in depth else "")
                         + (f"\n                {lost[fact]}" if kind == "told" else ""))
        total.update(counts)
        total["missed"] += len(missed)
        print(f"{folder.name:28} {len(missed):6d} " + " ".join(f"{counts[k]:13d}" for k in KINDS))
        if args.show:
            print("\n".join(notes))
    print(f"{'all':28} {total['missed']:6d} " + " ".join(f"{total[k]:13d}" for k in KINDS))
    if total_depths:
        bands = [(1, 5), (6, 10), (11, 20), (21, 50), (51, 10**9)]
        print("ranked out, by the place of the fact's best line below the page's end: "
              + ", ".join(f"{lo}-{hi if hi < 10**9 else ''}: "
                          f"{sum(lo <= d <= hi for d in total_depths)}" for lo, hi in bands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
