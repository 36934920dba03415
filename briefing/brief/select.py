"""Rank the merged lines and assemble the Brief.

The same statement reported by several sources is one line citing all of them,
in its fullest wording (``merge``). Lines are ranked by what a reader needs first;
the page fit (``render.fit_to_page``) then drops from the bottom of that ranking.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..facts.lexicon import SPEECH_VERBS, one_person
from ..models import (
    Brief,
    BriefTheme,
    Citation,
    Fact,
    Item,
    Placement,
    Source,
    Themes,
)
from .merge import (
    Cluster,
    Traits,
    conflicts,
    merge,
    most_shared,
    same_actors,
    same_figures,
    surname,
    term_weights,
    weighted_share,
)
from .origins import origins

__all__ = ["TOLD", "merge", "rank", "select"]

logger = logging.getLogger(__name__)

# Ranking weights. A line's score is their sum; each says why it counts. What each
# weighs against the others was set by a coordinate search (each weight halved or
# raised by half, kept when it found more of the analysts' facts) on the
# development stories of bench/realnews, with the seed and held-out gold tests
# still passing, then checked once on bench/realnews-holdout: DIRECT_QUOTE,
# CORROBORATION, ANAPHORIC and LEDE moved on nine stories, CORROBORATION and
# REDUNDANCY again on eleven, CORROBORATION again on sixteen (docs/development.md
# has the figures).
NAMED_SPEAKER = 2.0  # a named official's stated position is what a desk officer reads first
DIRECT_QUOTE = 0.5  # the speaker's own words carry their framing, beyond a paraphrase
CORROBORATION = 6.75  # per extra source: reported by several outlets, surer and more salient
SPECIFICITY = 0.4  # per distinct name or figure: concrete lines beat generalities...
SPECIFICITY_CAP = 2.0  # ...up to a point, so a list of names does not win on its own
POSITION = 2.0  # news is written top-down: the first paragraph gets all of it, the last none
# A line opening with "He ...", "In turn, ..." or "Of the 190 members, ..." leans on a
# sentence the page does not print: the reader cannot tell who or what it means. At
# -3 it gives way to a line that stands alone unless it is clearly better (on the 34
# development stories, -0.75 to -3 kept 338 must facts and cut repeats 146 to 143)
ANAPHORIC = -3.0
RELEVANCE = 0.3  # per unit of matched theme weight: lines squarely on their theme first...
RELEVANCE_CAP = 2.0  # ...capped, so a keyword-stuffed line does not outrank a named official
STANCE = -2.0  # "underlined the value of ...": a tone, not an event (rhetoric.toml)
LEDE = 1.0  # an article's first sentence says what the story is; it is never mere context
SHORT_LINE_WORDS = 20  # about one printed line of the brief; longer lines take more room...
SPACE = -0.4  # ...per further 10 words, so a three-line sentence must say more to stay

OTHER_SECTION = -2.5  # lines matching no theme are context, not what the reader asked for
THEME_SATURATION = 0.6  # per line a theme already has: a brief covers every theme it can,
# scaled by sqrt(mean theme size / this theme's size): a theme the sources report at
# length earns more lines than one they mention in passing
REDUNDANCY = 6.0  # times the share of a line's words already said by a line above it
NOVEL_TERM = 0.5  # per unit of weight of a theme pattern no line above in the theme has
# matched: a theme about a pipeline and a power plant should mention both...
NOVEL_TERM_CAP = 2.0  # ...without a line that names every topic once winning on that alone

RECENT = 1.5  # news of the day before the brief: the desk reads what is new first...
RECENT_DAYS = 3  # ...less each day, none after three
OLD = -1.5  # a line about something a month or more before the brief: context, not news
OLD_DAYS = 30
EVENT_SHARE = 0.45  # share of a line's rarer words a better line must hold to tell the same
# event: most of what it says, not a name the whole story shares...
EVENT_SHARE_SPEAKER = 0.4  # ...fewer for one speaker's two tellings of a point in a row
# (a paraphrase, then the quotation: "Istanbul could host the next round", "Istanbul
# is very good")
ACT_OBJECTS = 2  # things two reports of one act by one actor must both name ("rate" and
# "point"): one shared ("people") is how two strikes on two towns read too
EVENT_CORROBORATION = 1.0  # per further origin telling the line's event in its own words
EVENT_CANDIDATES = 50  # better lines a line is compared with: the story's own few...
EVENT_POSTINGS = 400  # ...found among the latest lines holding each of its words
COMMON_POSTINGS = 400  # lines holding a word beyond which it says nothing of centrality
CENTRALITY = 2.0  # per origin telling most of what a line says in its own words...
CENTRALITY_CAP = 4.0  # ...up to four: beyond, a story's every line says "the Fed"
CENTRAL_CANDIDATES = 60  # lines a line is compared with, those sharing most words

TOLD = "tells the same event as: "  # a left-out line's reason, then the line's opening
COVERAGE_OUTLETS = 5  # outlets the header names; beyond, the last place counts the rest
ORDERED_LINES = 200  # lines put in marginal order; a page holds 20 to 40, and the
# rest keep their last marginal score, so a thousand-line build stays fast


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
    traits = [Traits.of(p.fact) for p in placements]
    weight = term_weights([t.terms for t in traits])
    clusters = merge(placements, weight=weight, traits=traits)
    published = {source.id: source.published for source in sources}
    origin = origins(sources)
    traits_by_fact = {id(t.fact): t for t in traits}
    disputes = conflicts(clusters, traits_by_fact, weight, published)
    items = [
        replace(_item(cluster, names, ledes, origin), conflict=disputes.get(number, ()))
        for number, cluster in enumerate(clusters)
    ]
    items = [
        replace(item, score=item.score + OTHER_SECTION)
        if item.theme == themes.other.key and not any(f in ledes for f in cluster.facts)
        else item
        for item, cluster in zip(items, clusters, strict=True)
    ]
    items = [
        replace(item, score=round(item.score + _recency(cluster.facts, published, date), 3))
        for item, cluster in zip(items, clusters, strict=True)
    ]
    items = _with_centrality(items, clusters, weight, origin)
    leads, told = _one_line_per_event(
        items, clusters, [traits_by_fact[id(c.lead.fact)] for c in clusters],
        weight=weight, origin=origin, ledes=ledes)
    left_out = [(items[i], TOLD + _opening(items[j].text))
                for i, j in told.items()]
    kept = [i for i in range(len(items)) if i not in told]
    items = [leads.get(i, items[i]) for i in kept]
    clusters = [clusters[i] for i in kept]
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
        left_out=tuple(left_out),
        origins=origin,
    )
    logger.info(
        "selected %d lines in %d themes from %d facts (%d more told the same events)",
        len(brief.items), len(sections), len(placements), len(left_out),
    )
    return brief


def _one_line_per_event(
    items: Sequence[Item],
    clusters: Sequence[Cluster],
    traits: Sequence[Traits],  # of each cluster's lead
    *,
    weight: dict[str, float],
    origin: dict[str, str],
    ledes: frozenset[Fact],
) -> tuple[dict[int, Item], dict[int, int]]:
    """Each line that only tells again, in other words, what a better line tells
    (another outlet's wording, a speaker's paraphrase and quotation of one point),
    by the better line's number; and the better lines, their scores raised for the
    origins that told their event too, and for a lede among them.

    Those other tellings are not cited, since their sentences are not the line's
    own (merge.py cites only the same statement); they feed corroboration, not more
    lines. Lines are taken best first; a line joins the first better line that holds
    most of its rarer words and does not contradict it, or reports its act again with
    other figures (``_same_act_again``).
    """
    order = sorted(range(len(items)), key=lambda i: -items[i].score)
    leads = [t.fact for t in traits]
    # each fact's place among its source's facts, for "right after it"
    by_source: dict[str, list[Fact]] = {}
    for cluster in clusters:
        for fact in cluster.facts:
            by_source.setdefault(fact.source_id, []).append(fact)
    place = {id(f): n for facts in by_source.values()
             for n, f in enumerate(sorted(facts, key=lambda f: f.start))}

    def neighbours(a: Fact, b: Fact) -> bool:
        return a.source_id == b.source_id and abs(place[id(a)] - place[id(b)]) == 1

    told: dict[int, int] = {}
    heads: list[int] = []
    by_term: dict[str, list[int]] = {}
    rank_of: dict[int, int] = {}
    for i in order:
        shared = Counter(j for term in traits[i].content
                         for j in by_term.get(term, ())[-EVENT_POSTINGS:])
        candidates = sorted((j for j, count in most_shared(shared, EVENT_CANDIDATES)
                             if count >= 3), key=rank_of.__getitem__)
        head = next((j for j in candidates if _tells_again(
            traits[i], traits[j], weight, close=neighbours(leads[i], leads[j]))
            or (not (items[i].conflict or items[j].conflict)
                and _same_act_again(traits[i], traits[j]))), None)
        if head is None:
            rank_of[i] = len(heads)
            heads.append(i)
            for term in traits[i].content:
                by_term.setdefault(term, []).append(i)
        else:
            told[i] = head
    raised: dict[int, Item] = {}
    followers: dict[int, list[int]] = {}
    for i, j in told.items():
        followers.setdefault(j, []).append(i)
    for head, others in followers.items():
        tellings = [head, *others]
        own = {origin.get(c.source_id, c.source_id) for c in items[head].citations}
        every = {origin.get(c.source_id, c.source_id) for i in tellings
                 for c in items[i].citations}
        lede = any(f in ledes for i in tellings for f in clusters[i].facts)
        bonus = EVENT_CORROBORATION * len(every - own)
        if lede and not any(f in ledes for f in clusters[head].facts):
            bonus += LEDE
        raised[head] = replace(items[head], score=round(items[head].score + bonus, 3))
    return raised, told


def _same_act_again(line: Traits, better: Traits) -> bool:
    """Does *line* report the act *better* reports, with other figures? The same kind
    of act (acts.toml: "cut", "slashed" and "lowered" are one) by the same actor (or
    by one that a line leaves unnamed: "Fico was shot", "has been charged") on
    at least ``ACT_OBJECTS`` of the same things, both done or both to come, on the
    same day where both name one, by the same speaker, with no negation between
    them: "The Federal Reserve cut its benchmark rate a half point, to 4.75%-5%" and
    "The US Federal Reserve slashed its key rate ... by 50 basis points to
    4.75-5.00%". Figures that truly disagree are marked instead (``conflicts``),
    and the caller keeps both lines of a mark."""
    if line.fact.negated != better.fact.negated or line.fact.future != better.fact.future:
        return False
    if line.speaker != better.speaker:
        return False
    if line.date is not None and better.date is not None and line.date != better.date:
        return False  # the same act on two days is two events
    if not (line.predicates & better.predicates) - SPEECH_VERBS:
        return False
    if line.actors and better.actors and not line.actors & better.actors:
        return False  # two actors: two acts; a line that names none ("Roe was shot") may
        # tell again what the other says someone did
    return len(line.objects & better.objects) >= ACT_OBJECTS


def _tells_again(
    line: Traits, better: Traits, weight: dict[str, float], *, close: bool = False
) -> bool:
    """Does *line* tell what *better* tells, in other words, and nothing more? Most of
    its rarer content words are there, with no speaker, negation, figure or date
    between them, and no figure or date of its own that *better* lacks: a telling
    that adds "on April 1" is news of its own. *close*: the two are one source's
    sentences in a row by one speaker (a paraphrase, then the quotation backing it:
    "Istanbul could host the next round", then "Istanbul is very good"), and fewer
    shared words tell it, if they are fewer of *line*'s own: a short quotation does
    not tell again the fuller account before it ("stepped up security along the
    porous border to catch ...", then "We have huge borders")."""
    if line.fact.negated != better.fact.negated or line.fact.future != better.fact.future:
        return False  # "has been damaged" and "has not"; "will cut" and "cut"
    if line.speaker and better.speaker and line.speaker != better.speaker:
        return False
    if not same_figures(line, better):
        return False  # two values of one measure: both lines stay, marked
    values = {v for (kind, _), vs in better.measures.items() if kind != "date" for v in vs}
    if any(v not in values for (kind, _), vs in line.measures.items() if kind != "date"
           for v in vs):
        return False  # a count, a sum, a share of its own
    told = {v for (kind, _), vs in better.measures.items() if kind == "date" for v in vs}
    if line.date is not None and line.date != better.date and not {
        text.casefold().removeprefix("the ") for text, _ in line.fact.dated
    } <= told:
        return False  # a day of its own ("will reopen on April 1")
    shared = line.content & better.content
    if len(shared) < 3:
        return False
    if not same_actors(line, better):
        return False  # "China agreed to ..." and "Biden and Xi agreed to ...": two deals
    # one speaker's quotation backing the paraphrase says it in its own words: fewer count
    share = EVENT_SHARE_SPEAKER if close and line.speaker else EVENT_SHARE
    return weighted_share(line.content, better.content, weight) >= share


def _with_centrality(
    items: Sequence[Item], clusters: Sequence[Cluster], weight: dict[str, float],
    origin: dict[str, str],
) -> list[Item]:
    """Raise each line by how much of it the other origins also tell: for every
    origin that did not report it, the share of its rarer words that origin's
    closest sentence holds, summed. What many outlets tell in their own words is
    the story's core, though no two of them say it alike enough to cite together
    (the idea of LexRank, on this story's sentences)."""
    contents = [frozenset(t for f in c.facts for t in f.terms) for c in clusters]
    own = [{origin.get(f.source_id, f.source_id) for f in c.facts} for c in clusters]
    by_term: dict[str, list[int]] = {}
    for n, terms in enumerate(contents):
        for term in terms:
            by_term.setdefault(term, []).append(n)
    raised = []
    for n, item in enumerate(items):
        total = sum(weight.get(t, 1.0) for t in contents[n])
        best: dict[str, float] = {}
        if total:
            shared = Counter(m for t in contents[n] if len(by_term[t]) <= COMMON_POSTINGS
                             for m in by_term[t] if m != n)
            for m, count in most_shared(shared, CENTRAL_CANDIDATES):
                if count < 2:
                    break
                part = weighted_share(contents[n], contents[m], weight)
                for other in own[m] - own[n]:
                    best[other] = max(best.get(other, 0.0), part)
        centre = min(sum(best.values()), CENTRALITY_CAP)
        raised.append(replace(item, score=round(item.score + CENTRALITY * centre, 3)))
    return raised


def _recency(facts: Sequence[Fact], published: dict[str, dt.date | None],
             date: dt.date) -> float:
    """What the brief's date makes of a line's age: news of the days before it gains;
    what is weeks older than the brief is context, and loses. Its age is that of
    what it reports (its date), else of its newest source; unknown, nothing."""
    days = [
        (date - day).days for f in facts
        for day in [f.date or published.get(f.source_id)] if day is not None
    ]
    if not days:
        return 0.0
    age = max(min(days), 0)
    if age > OLD_DAYS:
        return OLD
    return RECENT * max(0.0, 1.0 - age / RECENT_DAYS)


def _opening(text: str, words: int = 8) -> str:
    head = text.split()
    return " ".join(head[:words]) + (" ..." if len(head) > words else "")


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
    weight = term_weights(terms)

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


def rank(
    item_facts: Sequence[Fact],
    speaker: str | None,
    theme: str = "",
    *,
    ledes: frozenset[Fact] = frozenset(),
    origins: dict[str, str] | None = None,
) -> float:
    """The score of a line made of these facts (several when sources agree); their
    sources corroborate it once per origin (copies of one agency's story are one)."""
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
    score += CORROBORATION * (len({(origins or {}).get(f.source_id, f.source_id)
                                   for f in item_facts}) - 1)
    specifics = {text.casefold() for text, _ in lead.entities}
    score += min(SPECIFICITY * len(specifics), SPECIFICITY_CAP)
    score += POSITION * (1.0 - min(f.position for f in item_facts))
    if lead.anaphoric and not speaker:
        score += ANAPHORIC  # with a speaker, the brief's label supplies the missing subject
    score += SPACE * max(len(lead.text.split()) - SHORT_LINE_WORDS, 0) / 10
    return round(score, 3)


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


def _item(cluster: Cluster, names: dict[str, str], ledes: frozenset[Fact],
          origin: dict[str, str] | None = None) -> Item:
    lead = cluster.lead
    facts = cluster.facts
    speakers = [f.speaker for f in facts if f.speaker]
    speaker = names.get(speakers[0], speakers[0]) if speakers else None
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
        score=rank(facts, speaker, theme, ledes=ledes, origins=origin),
        date=_agreed_date(facts),
        theme=theme,
    )


def _agreed_date(facts: Sequence[Fact]) -> dt.date | None:
    """The date the merged reports give, if they give one and do not disagree."""
    dates = {f.date for f in facts if f.date is not None}
    return dates.pop() if len(dates) == 1 else None


def _canonical_names(facts: Sequence[Fact]) -> dict[str, str]:
    """One name per person, each speaker's name to the fullest of its person's: "Roe"
    and "Jon Roe" to "John Roe". A name that may be either of two people ("Navalnaya",
    of Yulia and Lyudmila Navalnaya) stays as the source gives it."""
    by_surname: dict[str, Counter[str]] = {}
    for fact in facts:
        if fact.speaker:
            by_surname.setdefault(surname(fact.speaker), Counter())[fact.speaker] += 1
    names = {}
    for counts in by_surname.values():
        for name in counts:
            alike = [other for other in counts if one_person(name, other)]
            if all(one_person(one, other) for one in alike for other in alike):
                names[name] = max(alike, key=lambda n: (len(n.split()), counts[n]))
    return names


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
