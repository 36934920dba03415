"""Quality of briefs on the real-news corpus, against analysts' gold (bench/realnews/).

    .venv/bin/python bench/quality.py [--stories A,B] [--show] [--no-baselines]

For each story with its articles present (bench/realnews/README.md says how to get
them), builds the brief as a user would (the story's folder, its themes file, the
gold's date) and scores every line against the gold sentences its citations quote:

- recall: share of the gold's `must` facts that some line on the page reports;
- links: share of all citations whose quoted sentence reports the line's fact
  (a line's own sentence counts); merged: the same for the citations a line adds
  to its own (what merging got right or wrong);
- conflicts: share of "Sources differ" marks whose line reports a fact the gold
  lists as a real disagreement;
- speakers: share of lines with a speaker where it is the gold's (a wrong name
  counts against; no speaker where the gold has one does not);
- dates: share of dated lines whose date is the gold's;
- junk: lines whose sentence is not article (furniture, promo, teaser, another
  language) or that quote no gold sentence at all;
- repeats: lines reporting a fact another line on the page already reports;
- and, below the table, speakers on every extracted sentence the gold annotates, on
  the page or not: how many named speakers are wrong.

Beside the brief, two baselines at the same number of lines, scored for recall on
the same gold: `lead` takes each article's first sentences in turn (round robin,
from the same extracted sentences), and `textrank` is pytextrank's extractive
summary over all articles (the same spaCy model). A benchmark, not a test: it
prints figures and passes or fails nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "realnews"
sys.path.insert(0, str(ROOT))

from briefing.facts.cache import FactCache, default_cache_dir  # noqa: E402
from briefing.facts.extraction import extract  # noqa: E402
from briefing.facts.lexicon import one_person  # noqa: E402
from briefing.facts.modelinfo import DEFAULT_MODEL, model_identity  # noqa: E402
from briefing.facts.themes import load_themes  # noqa: E402
from briefing.models import Brief, Fact, Item, Source  # noqa: E402
from briefing.pipeline import BuildOptions, build_brief  # noqa: E402
from briefing.sources.inputs import gather_sources  # noqa: E402

MIN_OVERLAP = 0.5  # share of a gold sentence (or of the quote) a citation must cover


@dataclass(frozen=True)
class GoldSentence:
    file: str
    start: int
    end: int
    fact: str  # the fact id, or "file:start" for a fact no other sentence reports
    speaker: str | None  # None: not annotated
    date: dt.date | None
    junk: str | None


@dataclass
class Gold:
    story: str
    date: dt.date
    sentences: dict[str, list[GoldSentence]]  # by file stem
    must: dict[str, str]  # fact id -> claim
    disagreements: set[str]
    facts: dict[str, dict[str, Any]]
    by_fact: dict[str, list[GoldSentence]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for sentences in self.sentences.values():
            for sentence in sentences:
                self.by_fact.setdefault(sentence.fact, []).append(sentence)

    @classmethod
    def load(cls, path: Path) -> Gold:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        sentences: dict[str, list[GoldSentence]] = defaultdict(list)
        for s in data.get("sentence", []):
            start, end = s["span"]
            sentences[s["file"]].append(GoldSentence(
                s["file"], start, end, s.get("fact") or f"{s['file']}:{start}",
                s.get("speaker"), s.get("date"), s.get("junk"),
            ))
        facts = {f["id"]: f for f in data.get("fact", [])}
        return cls(
            story=data["story"],
            date=data["date"],
            sentences=dict(sentences),
            must={k: f.get("claim", k) for k, f in facts.items() if f.get("must")},
            disagreements={d["fact"] for d in data.get("disagreement", [])},
            facts=facts,
        )

    folder: Path | None = None

    def text_of(self, file: str, start: int, end: int) -> str:
        """The article text at those offsets (for --show: never stored anywhere)."""
        if self.folder is None:
            return ""
        return (self.folder / "articles" / f"{file}.txt").read_text(encoding="utf-8")[start:end]

    def starts_late(self, file: str, start: int, end: int) -> bool:
        """Does the first gold sentence from *start* to *end* begin well after *start*?"""
        first = min((s.start for s in self.sentences.get(file, ()) if s.end > start
                     and s.start < end), default=start)
        return first - start > 2

    def quoted(self, file: str, start: int, end: int) -> list[GoldSentence]:
        """The gold sentences a quote of *file* from *start* to *end* covers, most first."""
        found = []
        for s in self.sentences.get(file, ()):
            overlap = min(end, s.end) - max(start, s.start)
            if overlap > 0 and overlap >= MIN_OVERLAP * min(s.end - s.start, end - start):
                found.append((overlap, s))
        return [s for _, s in sorted(found, key=lambda pair: -pair[0])]


@dataclass
class Line:
    """A brief or baseline line: its sentence and the other sentences it cites."""

    own: tuple[str, int, int]
    others: list[tuple[str, int, int]] = field(default_factory=list)
    shown_at: int | None = None  # where the line's own text starts in its source
    text: str = ""
    speaker: str | None = None
    date: dt.date | None = None
    conflict: bool = False


@dataclass
class Score:
    lines: int = 0
    must: int = 0
    found: int = 0
    links: int = 0
    links_ok: int = 0
    merged: int = 0
    merged_ok: int = 0
    marks: int = 0
    marks_ok: int = 0
    attributed: int = 0
    attributed_ok: int = 0
    dated: int = 0
    dated_ok: int = 0
    junk: int = 0
    repeats: int = 0
    candidates: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)


def facts_of(gold: Gold, sentences: list[GoldSentence]) -> set[str]:
    return {s.fact for s in sentences if not s.junk}


def same_person(name: str, gold: str) -> bool:
    """One person's two spellings: the same surname or a part of the name, with or
    without diacritics or hyphens (a source writes "Šutaj Eštok", the gold "Sutaj
    Estok"; "Majed Al Ansari" and "Majed Al-Ansari"), or a surname spelled alike,
    unless both give a first name and the two differ (a widow's and a mother's)."""
    said, want = _plain(name).split(), _plain(gold).split()
    if not (said and want):
        return False
    if set(said) <= set(want) or set(want) <= set(said) or len(set(said) & set(want)) >= 2:
        return True  # "Waqar-uz-Zaman" and "Waker-Uz-Zaman", two transliterations
    if not (said[-1] == want[-1] or _spelled_alike(said[-1], want[-1])):
        return False
    # one surname, two given names: "Lyudmila Navalnaya" is not "Yulia Navalnaya"
    return one_person(" ".join([*said[:-1], want[-1]]), " ".join(want))


def _spelled_alike(one: str, other: str) -> bool:
    """Two outlets' spellings of one surname ("Zelenskyy" and "Zelensky", "Kalinyak"
    and "Kalinak", "Woods" and "Wood"): the tool prints the source's, the gold one."""
    return min(len(one), len(other)) >= 4 and SequenceMatcher(None, one, other).ratio() >= 0.8


def _plain(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", name.casefold())
                   if not unicodedata.combining(ch)).replace("-", " ")


def score(gold: Gold, lines: list[Line], *, full: bool) -> Score:
    result = Score(lines=len(lines), must=len(gold.must))
    on_page: dict[str, int] = defaultdict(int)
    for line in lines:
        own = gold.quoted(*line.own)
        facts = facts_of(gold, own)
        label = f"{line.own[0]}@{line.own[1]}: {line.text[:90]}"
        if not facts:
            result.junk += 1
            kind = own[0].junk if own else "not in the gold"
            result.problems.append(f"junk ({kind}): {label}")
            continue
        if line.shown_at is not None and gold.starts_late(line.own[0], line.shown_at,
                                                          line.own[2]):
            # the line shows what comes before its sentence: a stamp, a dateline
            result.junk += 1
            result.problems.append(f"junk (text before the sentence): {label}")
        for fact in facts:
            on_page[fact] += 1
        if not full:
            continue
        result.links += 1 + len(line.others)
        result.links_ok += 1
        for other in line.others:
            result.merged += 1
            theirs = facts_of(gold, gold.quoted(*other))
            if theirs & facts:
                result.merged_ok += 1
                result.links_ok += 1
            else:
                result.problems.append(f"wrong link {other[0]}@{other[1]} on: {label}\n"
                                       f"      linked: {gold.text_of(*other)[:150]}")
        if line.conflict:
            result.marks += 1
            if facts & gold.disagreements:
                result.marks_ok += 1
            else:
                result.problems.append(f"false conflict mark: {label}")
        # A merged line's speaker and date may come from another source's telling
        # of the same fact: any of the fact's gold sentences can vouch for them.
        group = [g for fact in facts for g in gold.by_fact.get(fact, ())] or own
        speakers = {g.speaker for g in group if g.speaker is not None}
        if line.speaker is not None and speakers:
            result.attributed += 1
            if any(g not in ("", "unnamed") and same_person(line.speaker, g) for g in speakers):
                result.attributed_ok += 1
            else:
                result.problems.append(
                    f"speaker {line.speaker!r}, gold {sorted(speakers)}: {label}")
        if line.date is not None:
            result.dated += 1
            dates = {g.date for g in group}
            if line.date in dates:
                result.dated_ok += 1
            else:
                shown = sorted(str(d) for d in dates)
                result.problems.append(f"date {line.date}, gold {shown}: {label}")
    result.found = sum(1 for fact in gold.must if on_page.get(fact))
    result.repeats = sum(n - 1 for n in on_page.values() if n > 1)
    if full:
        for fact, n in on_page.items():
            if n > 1:
                texts = [line.text[:70] for line in lines
                         if fact in facts_of(gold, gold.quoted(*line.own))]
                result.problems.append(f"repeat x{n} {fact}: " + " || ".join(texts))
    if full:
        for fact, claim in gold.must.items():
            if not on_page.get(fact):
                result.problems.append(f"missing: {fact}: {claim}")
    return result


def brief_lines(brief: Brief) -> list[Line]:
    stems = {s.id: Path(s.path).stem for s in brief.sources}
    lines = []
    for item in brief.items:
        own = _own_citation(item)
        lines.append(Line(
            own=(stems[own.source_id], own.start, own.end),
            shown_at=own.start + max(own.quote.find(item.text), 0),
            others=[(stems[c.source_id], c.start, c.end) for c in item.citations if c is not own],
            text=item.text, speaker=item.speaker, date=item.date, conflict=bool(item.conflict),
        ))
    return lines


def _own_citation(item: Item) -> Any:
    return next((c for c in item.citations if item.text in c.quote), item.citations[0])


def lead_lines(facts: list[Fact], sources: list[Source], count: int) -> list[Line]:
    """Each article's first sentences in turn: the first of every article, then the second..."""
    stems = {s.id: Path(s.path).stem for s in sources}
    by_source: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_source[fact.source_id].append(fact)
    queues = [sorted(fs, key=lambda f: f.start) for _, fs in sorted(by_source.items(),
                                                                       key=lambda kv: int(kv[0]))]
    lines: list[Line] = []
    depth = 0
    while len(lines) < count and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(lines) < count:
                f = queue[depth]
                lines.append(Line(own=(stems[f.source_id], f.start, f.end), text=f.text))
        depth += 1
    return lines


def textrank_lines(sources: list[Source], count: int, nlp: Any) -> list[Line]:
    """pytextrank's top sentences over every article's body, read as one document."""
    parts: list[tuple[int, str, int]] = []  # (offset in the joined text, stem, source offset)
    chunks: list[str] = []
    offset = 0
    for source in sources:
        for segment in source.body:
            text = source.text[segment.start : segment.end]
            parts.append((offset, Path(source.path).stem, segment.start))
            chunks.append(text)
            offset += len(text) + 2
    doc = nlp("\n\n".join(chunks))
    lines = []
    for sent in doc._.textrank.summary(limit_phrases=30, limit_sentences=count,
                                       preserve_order=False):
        base, stem, start = max((p for p in parts if p[0] <= sent.start_char),
                                key=lambda p: p[0])
        shift = start - base
        lines.append(Line(own=(stem, sent.start_char + shift, sent.end_char + shift),
                          text=sent.text))
    return lines


def every_speaker(gold: Gold, facts: list[Fact], sources: list[Source],
                  wrongs: list[str] | None = None) -> tuple[int, int]:
    """Of every extracted fact with a named speaker whose sentence the gold annotates,
    how many name the gold's speaker and how many another (or one where the gold has
    none): the speaker rules measured on all sentences, not only the page's few. Each
    wrong one is described in *wrongs*, when given."""
    stems = {s.id: Path(s.path).stem for s in sources}
    right = wrong = 0
    for fact in facts:
        found = gold.quoted(stems[fact.source_id], fact.start, fact.end)
        if not fact.speaker or not found or found[0].speaker is None:
            continue
        want = found[0].speaker
        if want not in ("", "unnamed") and same_person(fact.speaker, want):
            right += 1
        else:
            wrong += 1
            if wrongs is not None:
                wrongs.append(f"speaker (any fact) {fact.speaker!r}, gold {want!r}: "
                              f"{stems[fact.source_id]}@{fact.start}: {fact.text[:70]}")
    return right, wrong


def percent(ok: int, total: int) -> str:
    return f"{ok / total:6.1%}" if total else "     -"


def arguments(description: str, show: str) -> argparse.ArgumentParser:
    """The options of the corpus benchmarks (this one, bench/misses.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--stories", help="comma-separated story folders (default: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--show", action="store_true", help=show)
    return parser


def story_folders(args: argparse.Namespace) -> list[Path]:
    """The stories of ``--corpus`` (those of ``--stories``) that have their articles."""
    import logging

    logging.getLogger("briefing").setLevel(logging.ERROR)  # the table, not the warnings
    wanted = set(args.stories.split(",")) if args.stories else None
    stories = []
    for gold_file in sorted(args.corpus.glob("*/gold.toml")):
        folder = gold_file.parent
        if wanted and folder.name not in wanted:
            continue
        if not list((folder / "articles").glob("*.txt")):
            print(f"{folder.name}: no articles in {folder / 'articles'}; "
                  f"see {args.corpus / 'README.md'} to get them")
            continue
        stories.append(folder)
    return stories


def main() -> int:
    parser = arguments(__doc__.split("\n\n")[0], "print each problem line")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    stories = story_folders(args)
    if not stories:
        print(f"no story with its articles under {args.corpus}; "
              f"bench/realnews/README.md says how to get them")
        return 1
    textrank_nlp = None
    if not args.no_baselines:
        import contextlib
        import io

        import spacy

        with contextlib.redirect_stdout(io.StringIO()):  # it prints its folder on import
            import pytextrank  # noqa: F401  (registers the "textrank" factory)

        textrank_nlp = spacy.load(args.model)
        textrank_nlp.add_pipe("textrank")
    header = (f"{'story':28} {'lines':>5} {'recall':>6} {'lead':>6} {'txtrk':>6} "
              f"{'links':>6} {'merged':>6} {'confl':>6} {'speak':>6} {'dates':>6} "
              f"{'junk':>4} {'rep':>3}")
    print(header)
    total, total_lead, total_rank = Score(), Score(), Score()
    every_right = every_wrong = 0
    details = []
    for folder in stories:
        gold = Gold.load(folder / "gold.toml")
        gold.folder = folder
        themes = folder / "themes.toml"
        options = BuildOptions(themes=themes, date=gold.date, model=args.model,
                               title=f"Brief: {gold.story}")
        build = build_brief([folder / "articles"], options)
        brief = build.brief
        mine = score(gold, brief_lines(brief), full=True)
        mine.candidates = len(brief.items) + brief.dropped
        lead = rank = Score()
        sources, _ = gather_sources([folder / "articles"])
        theme_set = load_themes(themes)
        cache = FactCache(default_cache_dir(), model=model_identity(args.model),
                          themes=theme_set)
        facts = extract(sources, theme_set, nlp=args.model, cache=cache)  # cached by the build
        right, wrong = every_speaker(gold, facts, sources, mine.problems if args.show else None)
        every_right, every_wrong = every_right + right, every_wrong + wrong
        if textrank_nlp is not None:
            lead = score(gold, lead_lines(facts, sources, len(brief.items)), full=False)
            rank = score(gold, textrank_lines(sources, len(brief.items), textrank_nlp),
                         full=False)
        total.add(mine)
        total_lead.add(lead)
        total_rank.add(rank)
        print(_row(folder.name, mine, lead, rank))
        details.append((folder.name, mine))
    print(_row("all", total, total_lead, total_rank))
    print(f"\nin all: recall {total.found}/{total.must} (lead {total_lead.found}, textrank "
          f"{total_rank.found}); links {total.links_ok}/{total.links}, merged "
          f"{total.merged_ok}/{total.merged}; conflict marks {total.marks_ok}/{total.marks}; "
          f"speakers {total.attributed_ok}/{total.attributed}; dates "
          f"{total.dated_ok}/{total.dated}; junk {total.junk}; repeats {total.repeats}; "
          f"{total.lines} lines; speakers on every fact, on the page or not: "
          f"{every_wrong} wrong of {every_right + every_wrong} named")
    if args.show:
        for name, result in details:
            print(f"\n== {name}")
            for problem in result.problems:
                print("  " + problem)
    return 0


def _row(name: str, s: Score, lead: Score, rank: Score) -> str:
    return (f"{name:28} {s.lines:5d} {percent(s.found, s.must)} {percent(lead.found, lead.must)} "
            f"{percent(rank.found, rank.must)} {percent(s.links_ok, s.links)} "
            f"{percent(s.merged_ok, s.merged)} {percent(s.marks_ok, s.marks)} "
            f"{percent(s.attributed_ok, s.attributed)} {percent(s.dated_ok, s.dated)} "
            f"{s.junk:4d} {s.repeats:3d}")


if __name__ == "__main__":
    sys.exit(main())
