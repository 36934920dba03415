"""Merge what several sources report alike, rank the lines, and assemble the Brief.

The same statement reported by several sources becomes one line citing all of
them, in its fullest wording. Statements that differ in a number, a negation or
a speaker are never merged. Lines are ranked by what a reader needs first; the
page fit (``render.fit_to_page``) then drops from the bottom of that ranking.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from itertools import chain

from ..models import (
    NUMERIC_LABELS,
    Brief,
    BriefTheme,
    Citation,
    Fact,
    Item,
    Placement,
    Source,
    Themes,
)

__all__ = ["merge", "rank", "select"]

logger = logging.getLogger(__name__)

# Ranking weights. A line's score is their sum; each says why it counts.
NAMED_SPEAKER = 3.0  # a named official's stated position is what a desk officer reads first
DIRECT_QUOTE = 1.5  # the speaker's own words carry their framing, beyond a paraphrase
CORROBORATION = 2.0  # per extra source: reported by several outlets, surer and more salient
SPECIFICITY = 0.4  # per distinct name or figure: concrete lines beat generalities...
SPECIFICITY_CAP = 2.0  # ...up to a point, so a list of names does not win on its own
POSITION = 2.0  # news is written top-down: the first paragraph gets all of it, the last none
ANAPHORIC = -1.5  # a line opening with "He ..." or "However" reads worse out of context
RELEVANCE = 0.3  # per unit of matched theme weight: lines squarely on their theme first...
RELEVANCE_CAP = 2.0  # ...capped, so a keyword-stuffed line does not outrank a named official
STANCE = -2.0  # "underlined the value of ...": a tone, not an event (rhetoric.toml)
LEDE = 2.0  # an article's first sentence says what the story is; it is never mere context
SHORT_LINE_WORDS = 20  # about one printed line of the brief; longer lines take more room...
SPACE = -0.4  # ...per further 10 words, so a three-line sentence must say more to stay

OTHER_SECTION = -2.5  # lines matching no theme are context, not what the reader asked for
THEME_SATURATION = 0.6  # per line a theme already has: a brief covers every theme it can,
# scaled by sqrt(mean theme size / this theme's size): a theme the sources report at
# length earns more lines than one they mention in passing
REDUNDANCY = 4.0  # times the share of a line's words already said by a line above it
NOVEL_TERM = 0.5  # per unit of weight of a theme pattern no line above in the theme has
# matched: a theme about a pipeline and a power plant should mention both...
NOVEL_TERM_CAP = 2.0  # ...without a line that names every topic once winning on that alone

COVERAGE_OUTLETS = 5  # outlets the header names; beyond, the last place counts the rest
ORDERED_LINES = 200  # lines put in marginal order; a page holds 20 to 40, and the
# rest keep their last marginal score, so a thousand-line build stays fast
QUOTE_OVERLAP = 0.7  # share of the shorter quote's words the longer must hold to be the same
TERM_OVERLAP = 0.75  # the same for the content words of two paraphrases
MIN_SHARED_TERMS = 4  # and they must share this many, so short lines do not merge by chance
REPORT_OVERLAP = 0.45  # share of the shorter wording's rare-word weight two outlets share
# when they report one statement or event in their own words (see _same_report)
DATE_LABELS = frozenset({"DATE", "TIME"})
_WORD = re.compile(r"\w+")
_NUMERAL = re.compile(r"\d+")


@dataclass
class _Cluster:
    placements: list[Placement] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        return [p.fact for p in self.placements]

    @property
    def lead(self) -> Placement:
        """The fullest wording: the longest quotation, then the longest text."""
        return max(
            self.placements,
            key=lambda p: (sum(map(len, p.fact.quoted)), len(p.fact.text), -_num(p.fact)),
        )


@dataclass(frozen=True)
class _Traits:
    """What the merging rules compare of a fact, worked out once per fact."""

    fact: Fact
    terms: frozenset[str]
    quoted: frozenset[str]  # the words of its quotations
    speaker: str | None  # the speaker's surname, casefolded
    people: frozenset[str]  # the surnames of the people it names
    figures: frozenset[str]  # its figures other than dates, as written
    numerals: frozenset[str]  # the numerals its dates write
    date: dt.date | None  # the day it names, resolved

    @classmethod
    def of(cls, fact: Fact) -> _Traits:
        return cls(
            fact=fact,
            terms=frozenset(fact.terms),
            quoted=_words(" ".join(fact.quoted)),
            speaker=_surname(fact.speaker) if fact.speaker else None,
            people=frozenset(_surname(t) for t, label in fact.entities if label == "PERSON"),
            figures=frozenset(_written(fact, DATE_LABELS, keep=False)),
            numerals=frozenset(
                n for d in _written(fact, DATE_LABELS) for n in _NUMERAL.findall(d)
            ),
            date=fact.date,
        )

    def without_figures(self, figures: AbstractSet[str]) -> _Traits:
        """The same wording with no figure or date, nor the words *figures*."""
        nothing: frozenset[str] = frozenset()
        return _Traits(  # not dataclasses.replace: conflict checks make thousands
            self.fact, self.terms - figures, self.quoted, self.speaker, self.people,
            nothing, nothing, None,
        )


def select(
    placements: Sequence[Placement],
    sources: Sequence[Source],
    themes: Themes,
    *,
    title: str,
    date: dt.date,
    paper: str = "a4",
) -> Brief:
    """Build the ranked, themed Brief from placed facts; the page fit comes later."""
    names = _canonical_names([p.fact for p in placements])
    ledes = _ledes([p.fact for p in placements])
    traits = [_Traits.of(p.fact) for p in placements]
    weight = _term_weights([t.terms for t in traits])
    clusters = merge(placements, weight=weight, traits=traits)
    disputes = _conflicts(clusters, {id(t.fact): t for t in traits}, weight)
    items = [
        replace(_item(cluster, names, ledes), conflict=disputes.get(number, ()))
        for number, cluster in enumerate(clusters)
    ]
    items = [
        replace(item, score=item.score + OTHER_SECTION)
        if item.theme == themes.other.key and not any(f in ledes for f in cluster.facts)
        else item
        for item, cluster in zip(items, clusters, strict=True)
    ]
    terms = [{t for f in cluster.facts for t in f.terms} for cluster in clusters]
    topics = [
        _topics(cluster.facts, item.theme) for item, cluster in zip(items, clusters, strict=True)
    ]
    items_by_theme: dict[str, list[Item]] = {}
    for item in _marginal_order(items, terms, topics):
        items_by_theme.setdefault(item.theme, []).append(item)
    sections = []
    for theme in (*themes.themes, themes.other):
        items = _disputes_together(items_by_theme.get(theme.key, []))
        if items:
            sections.append(BriefTheme(theme.key, theme.title, tuple(items)))
    brief = Brief(
        title=title,
        date=date,
        sources=tuple(sources),
        themes=tuple(sections),
        coverage=_coverage(sources, sections, themes),
        paper=paper,
    )
    logger.info(
        "selected %d lines in %d themes from %d facts",
        len(brief.items), len(sections), len(placements),
    )
    return brief


def _disputes_together(items: list[Item]) -> list[Item]:
    """Move each line that disputes a line above it up to sit right below that line."""
    ordered: list[Item] = []
    for item in items:
        partner = next(
            (n for n in reversed(range(len(ordered))) if ordered[n].conflict == item.conflict),
            None,
        ) if item.conflict else None
        if partner is None:
            ordered.append(item)
        else:  # the same score, so the page fit keeps or drops the two together
            ordered.insert(partner + 1, replace(item, score=ordered[partner].score))
    return ordered


def _marginal_order(
    items: Sequence[Item], terms: Sequence[set[str]], topics: Sequence[dict[str, float]]
) -> list[Item]:
    """Order lines by what each adds to those above it (maximal marginal relevance).

    A line's worth falls with each line its theme already has and with how much it
    repeats a line already chosen, and rises with each of its theme's patterns it is
    the first to match, so the page fit, which drops from the bottom, keeps a spread
    of themes, topics and statements instead of five takes on one. Each item's score
    becomes its marginal score, falling down the order.
    """
    weight = _term_weights(terms)

    totals = [sum(weight[t] for t in line) for line in terms]  # as _weighted_share sums

    def repeated(i: int, j: int) -> float:
        """Share of line i's weighted words that line j already said."""
        shared = sum(weight[t] for t in terms[i] & terms[j])
        return shared / totals[i] if totals[i] else 0.0

    sizes = Counter(item.theme for item in items)
    mean_size = sum(sizes.values()) / max(len(sizes), 1)
    saturation = {t: THEME_SATURATION * math.sqrt(mean_size / n) for t, n in sizes.items()}
    per_theme: dict[str, int] = {}
    ordered: list[Item] = []
    chosen: list[int] = []
    overlap = [0.0] * len(items)  # each line's largest repeat of a line chosen...
    compared = [0] * len(items)  # ...among the first compared[i] chosen lines
    covered: dict[str, set[str]] = {}

    def penalty(theme: str) -> float:
        return saturation[theme] * per_theme.get(theme, 0)

    def worth(i: int) -> float:
        """Line i's marginal score but for its theme's penalty."""
        for j in chosen[compared[i] :]:
            overlap[i] = max(overlap[i], repeated(i, j))
        compared[i] = len(chosen)
        seen = covered.get(items[i].theme, set())
        novel = sum(w for topic, w in topics[i].items() if topic not in seen)
        return items[i].score - REDUNDANCY * overlap[i] + min(NOVEL_TERM * novel, NOVEL_TERM_CAP)

    # Lazy greedy, one heap per theme: a line's worth only falls as lines are
    # chosen (more repeated words, fewer new topics), so a stale worth is an upper
    # bound, and a line whose fresh worth still tops its heap is its theme's best.
    # The theme penalty, alike for all of a theme's lines, is applied across heaps,
    # so a line chosen does not make every bound in its theme stale. The same order
    # as recomputing every line each round, ties to the earlier line.
    heaps: dict[str, list[tuple[float, int]]] = {}
    for i, item in enumerate(items):
        heaps.setdefault(item.theme, []).append((-worth(i), i))
    for heap in heaps.values():
        heapq.heapify(heap)

    def theme_best(heap: list[tuple[float, int]]) -> tuple[float, int]:
        while True:
            _, top = heapq.heappop(heap)
            entry = (-worth(top), top)
            heapq.heappush(heap, entry)
            if heap[0] == entry:
                return entry

    ceiling = float("inf")
    while len(ordered) < ORDERED_LINES and any(heaps.values()):
        tops = [theme_best(heap) for heap in heaps.values() if heap]
        fresh, best = min((bound + penalty(items[i].theme), i) for bound, i in tops)
        heapq.heappop(heaps[items[best].theme])
        value = min(-fresh, ceiling)  # never above a line chosen before it
        ceiling = value
        ordered.append(replace(items[best], score=round(value, 3)))
        chosen.append(best)
        per_theme[items[best].theme] = per_theme.get(items[best].theme, 0) + 1
        covered.setdefault(items[best].theme, set()).update(topics[best])
    # Far below any page: by their last worth less their theme's penalty, no more comparing.
    rest = sorted(
        (bound + penalty(items[i].theme), i) for heap in heaps.values() for bound, i in heap
    )
    for bound, i in rest:
        ceiling = min(-bound, ceiling)
        ordered.append(replace(items[i], score=round(ceiling, 3)))
    return ordered


def merge(
    placements: Sequence[Placement],
    *,
    weight: dict[str, float] | None = None,
    traits: Sequence[_Traits] | None = None,
) -> list[_Cluster]:
    """Group placements that report the same statement, keeping input order.

    A fact joins the first cluster holding a fact it matches; only the facts the
    index says could match are compared, so hundreds of articles merge quickly.
    """
    if traits is None:
        traits = [_Traits.of(p.fact) for p in placements]
    if weight is None:
        weight = _term_weights([t.terms for t in traits])
    clusters: list[_Cluster] = []
    cluster_of: list[int] = []
    index = _Candidates()
    for i, (placement, b) in enumerate(zip(placements, traits, strict=True)):
        candidates = index.candidates(b) | ({i - 1} if i else set())
        # In cluster order, so the first match is the earliest cluster it matches.
        joined = next(
            (
                cluster_of[j]
                for j in sorted(candidates, key=lambda j: (cluster_of[j], j))
                if _same_statement(b, traits[j])
                or _same_report(b, traits[j], weight)
                or (j == i - 1 and _quote_backs_paraphrase(traits[j], b, weight))
            ),
            None,
        )
        if joined is not None:
            cluster_of.append(joined)
            clusters[joined].placements.append(placement)
        else:
            cluster_of.append(len(clusters))
            clusters.append(_Cluster([placement]))
        index.add(i, b)
    return clusters


class _Candidates:
    """An index of facts by what any merging rule needs two facts to share.

    Two facts can be one statement or one report only if they share a quoted word,
    MIN_SHARED_TERMS content words, the speaker, or two people (see _same_statement
    and _same_report), so only facts sharing one of these are ever compared.
    """

    def __init__(self) -> None:
        self._terms: dict[str, list[int]] = {}
        self._quoted: dict[str, list[int]] = {}
        self._speakers: dict[str | None, list[int]] = {}
        self._people: dict[str, list[int]] = {}

    def add(self, number: int, fact: _Traits) -> None:
        for table, keys in (
            (self._terms, fact.terms),
            (self._quoted, fact.quoted),
            (self._people, fact.people),
        ):
            for key in keys:
                table.setdefault(key, []).append(number)
        if fact.speaker:
            self._speakers.setdefault(fact.speaker, []).append(number)

    def candidates(self, fact: _Traits) -> set[int]:
        shared_terms = Counter(chain.from_iterable(self._terms.get(k, ()) for k in fact.terms))
        shared_people = Counter(chain.from_iterable(self._people.get(k, ()) for k in fact.people))
        found = {n for n, count in shared_terms.items() if count >= MIN_SHARED_TERMS}
        found.update(n for n, count in shared_people.items() if count >= 2)
        for key in fact.quoted:
            found.update(self._quoted.get(key, ()))
        if fact.speaker:
            found.update(self._speakers.get(fact.speaker, ()))
        return found


def rank(
    item_facts: Sequence[Fact],
    speaker: str | None,
    theme: str = "",
    *,
    ledes: frozenset[Fact] = frozenset(),
) -> float:
    """The score of a line made of these facts (several when sources agree)."""
    lead = max(item_facts, key=lambda f: len(f.text))
    score = 0.0
    if any(f in ledes for f in item_facts):
        score += LEDE
    if lead.stance:
        score += STANCE
    weight = sum({m.term.casefold(): m.weight for m in lead.matches if m.theme == theme}.values())
    score += min(RELEVANCE * weight, RELEVANCE_CAP)
    if speaker:
        score += NAMED_SPEAKER
    if any(f.kind == "quote" for f in item_facts):
        score += DIRECT_QUOTE
    score += CORROBORATION * (len({f.source_id for f in item_facts}) - 1)
    specifics = {text.casefold() for text, _ in lead.entities}
    score += min(SPECIFICITY * len(specifics), SPECIFICITY_CAP)
    score += POSITION * (1.0 - min(f.position for f in item_facts))
    if lead.anaphoric and not speaker:
        score += ANAPHORIC  # with a speaker, the brief's label supplies the missing subject
    score += SPACE * max(len(lead.text.split()) - SHORT_LINE_WORDS, 0) / 10
    return round(score, 3)


def _same_statement(a: _Traits, b: _Traits) -> bool:
    if a.fact.negated != b.fact.negated:
        return False  # "has been damaged" and "has not been damaged" are two facts
    if a.speaker and b.speaker and a.speaker != b.speaker:
        return False
    if not _same_figures(a, b):
        return False  # a figure or date differs: keep both, the reader must see it
    if a.quoted and b.quoted and _containment(a.quoted, b.quoted) >= QUOTE_OVERLAP:
        return True
    return (
        len(a.terms & b.terms) >= MIN_SHARED_TERMS
        and _containment(a.terms, b.terms) >= TERM_OVERLAP
    )


def _same_report(a: _Traits, b: _Traits, weight: dict[str, float]) -> bool:
    """Two outlets' wordings of one statement or one event.

    Both name the same speaker (or the same two or more people) and most of the
    rarer words of the shorter one recur in the other: "Roe said Geneva could host
    the next round" and "Roe said Paris would welcome a next round of talks in
    Geneva". Only across sources: one outlet's two sentences are two.
    """
    if a.fact.source_id == b.fact.source_id or a.fact.negated != b.fact.negated:
        return False
    if not _same_figures(a, b, partial=True):
        return False
    same_speaker = bool(a.speaker and a.speaker == b.speaker)
    if a.speaker and b.speaker and not same_speaker:
        return False
    if not same_speaker and len(a.people & b.people) < 2:
        return False
    return _share_rare_words(a, b, weight)


def _conflicts(
    clusters: Sequence[_Cluster], traits: dict[int, _Traits], weight: dict[str, float]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Lines that would be one report but for a figure or date their sources disagree on.

    *traits* holds each fact's traits by ``id(fact)``. Returns, per cluster number,
    every (source id, figures) of the disagreement, its own included, in source
    order: "600 [1] · 300 [2]".
    """
    facts = [(number, traits[id(f)]) for number, cluster in enumerate(clusters)
             for f in cluster.facts]
    found: dict[int, dict[tuple[str, str], None]] = {}
    index = _Candidates()  # a disagreement is a merge but for figures: the same index
    for i, (number_b, b) in enumerate(facts):
        if not b.fact.numbers:
            continue
        for j in sorted(index.candidates(b)):
            number_a, a = facts[j]
            if number_a == number_b or not _disagree(a, b, weight):
                continue
            shared = set(a.fact.numbers) & set(b.fact.numbers)
            claims = {(t.fact.source_id, _figures(t.fact, shared)): None for t in (a, b)}
            for number in (number_a, number_b):
                found.setdefault(number, {}).update(claims)
        index.add(i, b)
    return {
        number: tuple(sorted(claims, key=lambda c: (int(c[0]) if c[0].isdigit() else 0, c)))
        for number, claims in found.items()
    }


def _disagree(a: _Traits, b: _Traits, weight: dict[str, float]) -> bool:
    """Two sources' reports of one statement that differ in a figure or a date."""
    if a.fact.source_id == b.fact.source_id or _same_figures(a, b):
        return False
    figures = frozenset(_num_term(n) for n in (*a.fact.numbers, *b.fact.numbers))
    plain_a, plain_b = a.without_figures(figures), b.without_figures(figures)
    return _same_statement(plain_a, plain_b) or _same_report(plain_a, plain_b, weight)


def _same_figures(a: _Traits, b: _Traits, *, partial: bool = False) -> bool:
    """Do two facts agree on their figures and dates, where both give some?

    Dates compare as resolved days when both resolve ("on Tuesday" and "on May 27"
    can be one day), otherwise by the numerals they write ("March 2022" is not "March
    2023"; "the end of the month" may well be "the end of March"). *partial*: one
    wording may give more figures than the other, as long as they share one.
    """
    if a.figures and b.figures and (
        a.figures.isdisjoint(b.figures) if partial else a.figures != b.figures
    ):
        return False
    if a.date and b.date:
        return a.date == b.date
    unresolved = not (a.date or b.date)
    return not (
        unresolved and a.numerals and b.numerals and a.numerals.isdisjoint(b.numerals)
    )


def _written(fact: Fact, labels: frozenset[str], *, keep: bool = True) -> set[str]:
    """The numeric entities of *fact* with (keep) or without those labels, casefolded."""
    labelled = [(t, label) for t, label in fact.entities if label in NUMERIC_LABELS]
    if not labelled:  # figures given without their entities: count them as figures
        labelled = [(number, "CARDINAL") for number in fact.numbers]
    return {
        text.casefold().removeprefix("the ")
        for text, label in labelled
        if (label in labels) == keep
    }


def _num_term(number: str) -> str:
    return number.split()[-1] if number.split() else number


def _figures(fact: Fact, shared: set[str]) -> str:
    """The figures and dates of *fact* as written, leaving out those both sources give."""
    written = [
        text for text, label in fact.entities
        if label in NUMERIC_LABELS and text.casefold().removeprefix("the ") not in shared
    ]
    return ", ".join(dict.fromkeys(written)) or ", ".join(fact.numbers)


def _quote_backs_paraphrase(a: _Traits, b: _Traits, weight: dict[str, float]) -> bool:
    """A reported statement and the speaker's own words right after it (or before).

    News writes "Roe said Geneva could host the next round." then quotes Roe saying
    so: one statement, told twice by one outlet. Only for neighbouring sentences of
    one source, one speaker, one of them a quotation, sharing most rare words.
    """
    fa, fb = a.fact, b.fact
    if fa.source_id != fb.source_id or not fa.speaker or fa.speaker != fb.speaker:
        return False
    if (fa.kind == "quote") == (fb.kind == "quote") or fa.negated != fb.negated:
        return False
    return _share_rare_words(a, b, weight)


def _share_rare_words(a: _Traits, b: _Traits, weight: dict[str, float]) -> bool:
    """Does the other wording hold most of the rarer words of the shorter one?"""
    small, large = sorted((a.terms, b.terms), key=lambda t: sum(weight[x] for x in t))
    return _weighted_share(small, large, weight) >= REPORT_OVERLAP


def _term_weights(term_sets: Sequence[AbstractSet[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each content word over the sets.

    Words most lines share ("talks", a country) say little; rare ones say what a line is.
    """
    frequency = Counter(term for terms in term_sets for term in terms)
    return {t: math.log((1 + len(term_sets)) / (1 + n)) + 1.0 for t, n in frequency.items()}


def _weighted_share(
    part: AbstractSet[str], other: AbstractSet[str], weight: dict[str, float]
) -> float:
    """Share of *part*'s weighted words that *other* holds too."""
    total = sum(weight[t] for t in part)
    return sum(weight[t] for t in part & other) / total if total else 0.0


def _containment(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """How much of the smaller set the larger holds."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@functools.lru_cache(maxsize=8192)  # merge compares every pair: each text once, not n times
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.casefold()) if len(w) > 2)


def _ledes(facts: Sequence[Fact]) -> frozenset[Fact]:
    """The first fact of each source's body: its lede."""
    first: dict[str, Fact] = {}
    for fact in facts:
        if fact.source_id not in first or fact.start < first[fact.source_id].start:
            first[fact.source_id] = fact
    return frozenset(first.values())


def _topics(facts: Sequence[Fact], theme: str) -> dict[str, float]:
    """The theme patterns a line matches, spelling-blind ("e-mail" = "email")."""
    return {
        "".join(ch for ch in m.term.casefold() if ch.isalnum()): m.weight
        for f in facts
        for m in f.matches
        if m.theme == theme
    }


def _item(cluster: _Cluster, names: dict[str, str], ledes: frozenset[Fact]) -> Item:
    lead = cluster.lead
    facts = cluster.facts
    speakers = [f.speaker for f in facts if f.speaker]
    speaker = names.get(_surname(speakers[0]), speakers[0]) if speakers else None
    # Sources may place the same statement differently (one names the topic, one
    # does not): the placement with the most matched terms decides.
    best = max(cluster.placements, key=lambda p: (len(p.reason), p is lead))
    theme, reason = best.theme, best.reason
    citations = sorted(
        {
            (f.source_id, f.start, f.end): Citation(f.source_id, f.text, f.start, f.end)
            for f in facts
        }.values(),
        key=lambda c: (int(c.source_id) if c.source_id.isdigit() else 0, c.source_id, c.start),
    )
    return Item(
        text=lead.fact.text,
        citations=tuple(citations),
        speaker=speaker,
        reason=reason,
        score=rank(facts, speaker, theme, ledes=ledes),
        date=_agreed_date(facts),
        theme=theme,
    )


def _agreed_date(facts: Sequence[Fact]) -> dt.date | None:
    """The date the merged reports give, if they give one and do not disagree."""
    dates = {f.date for f in facts if f.date is not None}
    return dates.pop() if len(dates) == 1 else None


def _canonical_names(facts: Sequence[Fact]) -> dict[str, str]:
    """One name per person: "Jon Roe" and "John Roe" share a surname."""
    by_surname: dict[str, Counter[str]] = {}
    for fact in facts:
        if fact.speaker:
            by_surname.setdefault(_surname(fact.speaker), Counter())[fact.speaker] += 1
    return {
        surname: max(counts, key=lambda n: (len(n.split()), counts[n]))
        for surname, counts in by_surname.items()
    }


def _surname(name: str) -> str:
    return name.split()[-1].casefold()


def _num(fact: Fact) -> int:
    return int(fact.source_id) if fact.source_id.isdigit() else 0


def _coverage(sources: Sequence[Source], sections: Sequence[BriefTheme], themes: Themes) -> str:
    outlets = _outlets(sources)
    dates = sorted({s.published for s in sources if s.published})
    count = f"{len(sources)} article{'s' if len(sources) != 1 else ''}"
    when = ""
    if dates:
        first, last = dates[0], dates[-1]
        when = f", published {_day(first)}" if first == last else (
            f", published {_day(first)} to {_day(last)}"
        )
    titles = [s.title for s in sections if s.key != themes.other.key]
    covers = f"; themes: {', '.join(titles)}" if titles else ""
    return f"Covers {count} from {_join(outlets)}{when}{covers}."


def _outlets(sources: Sequence[Source]) -> list[str]:
    """The outlets, most articles first (then as given), the tail counted, not named:
    with hundreds of articles the header would otherwise fill the page."""
    counts = Counter(s.label for s in sources)
    named = sorted(counts, key=lambda label: -counts[label])  # stable: ties as given
    if len(named) <= COVERAGE_OUTLETS:
        return named
    rest = len(named) - COVERAGE_OUTLETS + 1
    return [*named[: COVERAGE_OUTLETS - 1], f"{rest} other outlets"]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
