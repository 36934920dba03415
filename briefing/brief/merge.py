"""Which facts of several sources are one statement, and where sources disagree.

The merge joins the facts that report the same act (what happened, done by whom,
when) in the same voice into one cluster, one line of the brief citing each of
them. It never chains: a fact joins a cluster only by matching a fact of every
source already in it. Statements that differ in a figure, a negation, a speaker,
a quotation's words or what happened are never merged. ``conflicts`` finds the
clusters that would be one report but for two values of one measure (two counts
of the dead, two days of one signing): both lines stay, each marked.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
import re
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import chain

from ..facts.lexicon import ROLE_WORDS, SPEECH_VERBS, one_person
from ..models import LIMITS, NUMERIC_LABELS, Fact, Placement

__all__ = ["Cluster", "Traits", "conflicts", "containment", "merge", "most_shared", "same_act",
           "same_actors", "same_figures", "surname", "term_weights", "weighted_share"]

QUOTE_OVERLAP = 0.7  # share of the shorter quote's words the longer must hold to be the same
QUOTE_PAIRS = 0.2  # share of the shorter quote's pairs of words in a row the longer must
# hold too: two quotations of one statement share phrases, not only scattered words
QUOTED_SHARE = 0.5  # of a sentence's words: less in its quotation, and it may report more
MIN_QUOTE_WORDS = 4  # words of three letters or more a quotation needs to be a statement
TELLING_LETTERS = 5  # a quoted word this long says what the quotation is about ("spoken",
# "people"); most shorter ones ("the", "have", "that") are in every quotation
TERM_OVERLAP = 0.75  # the same for the content words of two paraphrases
MIN_SHARED_TERMS = 4  # and they must share this many, so short lines do not merge by chance
PART_OF_TERMS = 0.35  # ...and the shorter must hold this share of the longer's count: "It
# was the biggest assault on Kenya's government in decades" tells one phrase of a lede
# on parliament set on fire, not the lede
REPORT_OVERLAP = 0.5  # share of the shorter wording's rare-word weight two outlets share
# when they report one statement or event in their own words (see _same_report)
SAME_OBJECTS = 0.6  # share of the fewer objects two wordings in other verbs must share
# to report one act: most of what was acted on, not one name the whole story shares...
MIN_SHARED_OBJECTS = 3  # ...and three of them: "border" and "Afghanistan" are the whole
# story's; "40 million euros to the repair fund" names one payment
DATE_LABELS = frozenset({"DATE", "TIME"})
_APART_VOICES = frozenset(
    frozenset(pair) for pair in (("quote", "reporter"), ("quote", "unnamed"),
                                 ("named", "unnamed"), ("unnamed", "reporter"))
)
_KINDS = {"CARDINAL": "count", "QUANTITY": "count", "MONEY": "money", "PERCENT": "percent",
          "DATE": "date", "TIME": "date"}
CONFLICT_CANDIDATES = 100  # facts compared with each for a disagreement, those sharing
# most: a story's disagreements are among a few; near-copies by the thousand must not
# make the check quadratic
CANDIDATES = 60  # facts a fact is compared with to merge, those sharing most with it: a
# story tells one thing in a few outlets, not in hundreds of different sentences
COMMON_TERM = 400  # a word this many facts hold ("said", the story's country) says too
# little to find a fact's matches by
_WORD = re.compile(r"\w+")


@dataclass
class Cluster:
    placements: list[Placement] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        return [p.fact for p in self.placements]

    @property
    def lead(self) -> Placement:
        """The fullest wording: the longest quotation, then the longest text."""
        return max(
            self.placements,
            key=lambda p: (sum(map(len, p.fact.quoted)), len(p.fact.text),
                           -(int(p.fact.source_id) if p.fact.source_id.isdigit() else 0)),
        )


@dataclass(frozen=True)
class Traits:
    """What the merging rules compare of a fact, worked out once per fact."""

    fact: Fact
    terms: frozenset[str]
    quoted: frozenset[str]  # the words of its quotations
    speaker: str | None  # the speaker's surname, casefolded
    people: frozenset[str]  # the surnames of the people it names
    # its figures and dates by what they measure: (kind, unit) -> the values written,
    # ("count", "people") -> {"at least 912"}; kind is count, money, percent or date
    measures: dict[tuple[str, str], frozenset[str]]
    date: dt.date | None  # the day it names, resolved
    # its content words but the speaker's name, titles and speech verbs: "Roe said"
    # in two sentences makes them no more alike in what they report
    content: frozenset[str] = frozenset()
    predicates: frozenset[str] = frozenset()  # what it says happened (Fact.predicates)
    objects: frozenset[str] = frozenset()  # and to what (Fact.objects)
    actors: frozenset[str] = frozenset()  # and who (Fact.actors)
    background: frozenset[str] = frozenset()  # what its subject did beside

    @classmethod
    def of(cls, fact: Fact) -> Traits:
        said = {w.casefold() for w in (fact.speaker or "").split()}
        terms = frozenset(fact.terms)
        return cls(
            fact=fact,
            terms=terms,
            quoted=_quoted_words(fact.quoted),
            speaker=surname(fact.speaker) if fact.speaker else None,
            people=frozenset(surname(t) for t, label in fact.entities if label == "PERSON"),
            measures=_measures(fact),
            date=fact.date,
            content=frozenset(t for t in terms if t not in said and t not in ROLE_WORDS
                              and t not in SPEECH_VERBS),
            predicates=frozenset(fact.predicates),
            objects=frozenset(fact.objects),
            actors=frozenset(fact.actors),
            background=frozenset(fact.background),
        )

    def without_figures(self, figures: AbstractSet[str]) -> Traits:
        """The same wording with no figure or date, nor the words *figures*."""
        return Traits(  # not dataclasses.replace: conflict checks make thousands
            self.fact, self.terms - figures, self.quoted, self.speaker, self.people,
            {}, None, self.content - figures, self.predicates, self.objects,
            self.actors, self.background,
        )


def merge(
    placements: Sequence[Placement],
    *,
    weight: dict[str, float] | None = None,
    traits: Sequence[Traits] | None = None,
) -> list[Cluster]:
    """Group placements that report the same statement, keeping input order.

    A fact joins the first cluster in which it matches a fact of every source
    (complete linkage, by source): one loose match can never chain two different
    reports into one line through a third. Only the facts the index says could match are
    compared, so hundreds of articles merge quickly.
    """
    if traits is None:
        traits = [Traits.of(p.fact) for p in placements]
    if weight is None:
        weight = term_weights([t.terms for t in traits])
    clusters: list[Cluster] = []
    members: list[list[int]] = []  # each cluster's facts, by index
    cluster_of: list[int] = []
    index = _Candidates()
    for i, (placement, b) in enumerate(zip(placements, traits, strict=True)):
        candidates = index.candidates(b) | ({i - 1} if i else set())
        joined = next(
            (
                number
                for number in sorted({cluster_of[j] for j in candidates})
                if _joins(members[number], i, traits, weight)
            ),
            None,
        )
        if joined is not None:
            cluster_of.append(joined)
            clusters[joined].placements.append(placement)
            members[joined].append(i)
        else:
            cluster_of.append(len(clusters))
            clusters.append(Cluster([placement]))
            members.append([i])
        index.add(i, b)
    return clusters


def _joins(
    cluster: Sequence[int], i: int, traits: Sequence[Traits], weight: dict[str, float]
) -> bool:
    """May fact *i* join *cluster*? It must match a fact of every source there (of its
    own source, the one before it): each source's telling is matched directly, never
    through another's. A source's paraphrase and the quotation backing it count as one."""
    by_source: dict[str, list[int]] = {}
    for j in cluster:
        by_source.setdefault(traits[j].fact.source_id, []).append(j)
    quote = bool(traits[i].quoted)

    def alike(facts: list[int]) -> list[int]:
        """Of a source's paraphrase and quotation, the one of i's kind: another outlet's
        quotation must match the quotation, never reach the line through the paraphrase."""
        if len(facts) == 1:
            return facts
        return [j for j in facts if bool(traits[j].quoted) == quote] or facts

    return all(
        any(_linked(j, i, traits, weight) for j in alike(facts))
        for facts in by_source.values()
    )


def _linked(j: int, i: int, traits: Sequence[Traits], weight: dict[str, float]) -> bool:
    """May fact *j* and the later fact *i* share a line? One source's two sentences
    are one statement only if the one says nothing the other does not (a lede told
    again further down): an order's items ("shall prevent acts of genocide;",
    "shall prevent and punish incitement to genocide;") share most words and are two."""
    a, b = traits[j], traits[i]
    if a.fact.source_id == b.fact.source_id and containment(a.terms, b.terms) < 1.0 and not (
        j == i - 1 and _quote_backs_paraphrase(a, b, weight)
    ):
        return False
    return (
        _same_statement(a, b, weight)
        or _same_report(a, b, weight)
        or (j == i - 1 and _quote_backs_paraphrase(a, b, weight))
    )


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

    def add(self, number: int, fact: Traits) -> None:
        for table, keys in (
            (self._terms, fact.terms),
            (self._quoted, fact.quoted),
            (self._people, fact.people),
        ):
            for key in keys:
                table.setdefault(key, []).append(number)
        if fact.speaker:
            self._speakers.setdefault(fact.speaker, []).append(number)

    def candidates(self, fact: Traits, limit: int = CANDIDATES) -> set[int]:
        """The facts that could match *fact*, at most *limit*: those sharing most."""
        shared_terms = Counter(chain.from_iterable(
            postings for k in fact.terms
            if len(postings := self._terms.get(k, ())) <= COMMON_TERM
        ))
        shared_people = Counter(chain.from_iterable(self._people.get(k, ()) for k in fact.people))
        strength: Counter[int] = Counter()
        for n, count in shared_terms.items():
            if count >= MIN_SHARED_TERMS:
                strength[n] += count
        for n, count in shared_people.items():
            if count >= 2:
                strength[n] += 2 * count
        for key in fact.quoted:
            for n in self._quoted.get(key, ())[-limit:]:
                strength[n] += 1
        if fact.speaker:
            for n in self._speakers.get(fact.speaker, ())[-limit:]:
                strength[n] += 2
        return {n for n, _ in most_shared(strength, limit)}


def _same_statement(a: Traits, b: Traits, weight: dict[str, float] | None = None) -> bool:
    if a.fact.negated != b.fact.negated:
        return False  # "has been damaged" and "has not been damaged" are two facts
    if a.speaker and b.speaker and not _one_person(a, b):
        return False
    if not _same_voice(a, b):
        return False
    if not same_figures(a, b):
        return False  # a figure or date differs: keep both, the reader must see it
    if a.quoted and b.quoted:  # two quotations are one statement only in the same words
        return same_quotation(a, b) and not (_tells_more(a, b) or _tells_more(b, a))
    fewer, more = sorted((len(a.terms), len(b.terms)))
    return (
        len(a.terms & b.terms) >= MIN_SHARED_TERMS
        and containment(a.terms, b.terms) >= TERM_OVERLAP
        and fewer >= PART_OF_TERMS * more
        and same_act(a, b, weight or {})
    )


def _one_person(a: Traits, b: Traits) -> bool:
    """Do the two speakers name one person (``lexicon.one_person``)?"""
    return one_person(a.fact.speaker or "", b.fact.speaker or "")


def _same_voice(a: Traits, b: Traits) -> bool:
    """Can the two tellings be one account? A speaker's own words are not the
    reporter's ('"Labour has won this election," Sunak said' and "Labour has won a
    landslide"), nor what someone unnamed said ("officials said") a named speaker's
    or the reporter's. A named speaker's reported statement may be the reporter's
    telling of it ("Roe rejected the plan" in one outlet, "Roe said she rejected it"
    in another)."""
    def voice(t: Traits) -> str:
        if t.quoted:
            return "quote"
        return "unnamed" if t.fact.hearsay else "named" if t.speaker else "reporter"

    return frozenset((voice(a), voice(b))) not in _APART_VOICES


def same_actors(a: Traits, b: Traits) -> bool:
    """Is who acts in one among who acts or is acted on in the other? ("Xi met Biden"
    and "Biden met Xi" agree; "China agreed to ..." and "Biden and Xi agreed to ..."
    do not.) A wording whose parse gave no actor cannot tell, and does not stand in
    the way."""
    return not (a.actors and b.actors) or bool(
        a.actors & (b.actors | b.objects) or b.actors & (a.actors | a.objects)
    )


def same_act(a: Traits, b: Traits, weight: dict[str, float]) -> bool:
    """Do two wordings say the same thing happened, done by the same people?

    Their main predicates meet ("met" and "held a meeting" do; "met" and "severed
    ties" do not; "the minister, who met Roe, reaffirmed ..." also met Roe), or, in
    other verbs, they act on the same things ("contribute 40 million euros to the
    fund" and "put 35 million euros into the fund"). And who acts in one is among
    who acts or is acted on in the other ("Xi met Biden" and "Biden met Xi" agree;
    "Starmer declared victory" and "Labour won" do not). A wording whose parse gave
    no predicate or no actor cannot tell, and does not stand in the way.
    """
    if not same_actors(a, b):
        return False
    if a.fact.clauses != b.fact.clauses and a.predicates != b.predicates:
        return False  # "the case was dropped and he will go to Belarus" tells two things
    if a.predicates < b.predicates or b.predicates < a.predicates:
        return False  # "Roe declared a day of mourning and named Doe interim head" tells
        # two acts, "Roe named Doe interim head" one of them: half of the other
    if not (a.predicates and b.predicates):
        return True
    if a.predicates & (b.predicates | b.background) or b.predicates & a.background:
        return True
    if (a.predicates | b.predicates) & SPEECH_VERBS:
        return False  # "declared victory" and "won": a statement and an event are two
    shared = a.objects & b.objects
    fewer = min((a.objects, b.objects), key=lambda o: sum(weight.get(x, 1.0) for x in o))
    total = sum(weight.get(x, 1.0) for x in fewer)
    return (len(shared) >= MIN_SHARED_OBJECTS
            and sum(weight.get(x, 1.0) for x in shared) >= SAME_OBJECTS * total)


def _same_report(a: Traits, b: Traits, weight: dict[str, float]) -> bool:
    """Two outlets' wordings of one statement or one event.

    Both name the same speaker (or the same two or more people) and most of the
    rarer words of the shorter one recur in the other: "Roe said Geneva could host
    the next round" and "Roe said Paris would welcome a next round of talks in
    Geneva". Only across sources: one outlet's two sentences are two.
    """
    if a.fact.source_id == b.fact.source_id or a.fact.negated != b.fact.negated:
        return False
    if not same_figures(a, b):
        return False
    same_speaker = bool(a.speaker and _one_person(a, b))
    if a.speaker and b.speaker and not same_speaker:
        return False
    if not _same_voice(a, b):
        return False
    if not same_speaker and len(a.people & b.people) < 2 and len(a.actors & b.actors) < 2:
        return False  # neither one speaker, nor the same two people, nor two subjects
    if a.fact.quoted and b.fact.quoted and not (a.quoted and b.quoted
                                                 and same_quotation(a, b)):
        return False  # one speaker's two quotations: two things said
    if (a.quoted or b.quoted) and (a.speaker is None) != (b.speaker is None):
        return False  # someone's own words and the reporter's account: two tellings
    fewer, more = sorted((len(a.terms), len(b.terms)))
    if fewer < PART_OF_TERMS * more:
        return False  # "Putin met Kim at the cosmodrome" is a part of the lede that
        # has them meet and says what they discussed: no citation of all of it
    return same_act(a, b, weight) and _share_rare_words(a, b, weight, content=True)


def conflicts(
    clusters: Sequence[Cluster],
    traits: dict[int, Traits],
    weight: dict[str, float],
    published: dict[str, dt.date | None] | None = None,
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Lines that would be one report but for a figure or date their sources disagree on.

    *traits* holds each fact's traits by ``id(fact)``; *published*, each source's
    publication date by id (a count can only disagree with one of the same time).
    Returns, per cluster number,
    the (source id, figures) of the disagreement, its own included, in source
    order: "600 drones [1] · 300 drones [2]"; at most ``Limits.max_conflict_entries``.
    """
    facts = [(number, traits[id(f)]) for number, cluster in enumerate(clusters)
             for f in cluster.facts]
    found: dict[int, dict[tuple[str, str], None]] = {}
    index = _Candidates()  # a disagreement is a merge but for figures: the same index
    for i, (number_b, b) in enumerate(facts):
        if not b.measures:
            continue
        for j in sorted(index.candidates(b, CONFLICT_CANDIDATES)):
            number_a, a = facts[j]
            if number_a == number_b:
                continue
            clash = _disagree(a, b, weight, published or {})
            if not clash:
                continue
            claims = {(t.fact.source_id, _shown(t, clash)): None for t in (a, b)}
            for number in (number_a, number_b):
                found.setdefault(number, {}).update(claims)
        index.add(i, b)
    return {
        number: tuple(sorted(claims, key=lambda c: (int(c[0]) if c[0].isdigit() else 0, c)))
        [:LIMITS.max_conflict_entries]
        for number, claims in found.items()
    }


def _disagree(
    a: Traits, b: Traits, weight: dict[str, float], published: dict[str, dt.date | None]
) -> set[tuple[str, str]]:
    """The measures (kind, unit) on which two sources' reports of one statement or
    event give different values; empty when they agree or report different things.

    Values differ only where both measure the same thing: two counts of people, two
    days of one signing. A date alone is a weaker sign of one event than a count (two
    declarations, two meetings on two days), so a clash of dates only also needs the
    same actors doing the same thing. And a count is of its time: a toll of 912 on
    Monday and of 8,574 on Wednesday is one toll rising, so counts disagree only
    when both sources ran on the same day or both date the count to one day.
    """
    if a.fact.source_id == b.fact.source_id:
        return set()
    clash = _clashes(a, b, strict=True)
    if not clash:
        return set()
    figures = frozenset(
        word for t in (a, b) for values in t.measures.values() for value in values
        for word in value.split()
    ) | frozenset(_num_term(n) for n in (*a.fact.numbers, *b.fact.numbers))
    plain_a, plain_b = a.without_figures(figures), b.without_figures(figures)
    if not (_same_statement(plain_a, plain_b, weight)
            or _same_report(plain_a, plain_b, weight)):
        return set()
    day_a, day_b = published.get(a.fact.source_id), published.get(b.fact.source_id)
    same_time = (day_a is not None and day_a == day_b) or (a.date is not None
                                                           and a.date == b.date)
    clash = {(kind, unit) for kind, unit in clash if kind == "date" or same_time}
    if not clash:
        return set()
    same_actors = bool(a.speaker and a.speaker == b.speaker) or bool(a.actors & b.actors)
    same_act = bool(a.predicates & b.predicates) or not (a.predicates or b.predicates)
    if all(kind == "date" for kind, _ in clash) and not (same_actors and same_act):
        return set()
    return clash


def same_figures(a: Traits, b: Traits) -> bool:
    """Do two facts agree on their figures and dates, where both give some?

    Figures compare by what they measure ("912 people" and "5,434 people" differ;
    "912 people" and "two days" are not of one thing), and where a parse left a
    figure's unit unknown, with every figure of its kind, so a merge errs on the
    side of two lines. Dates compare as resolved days when both resolve ("on
    Tuesday" and "on May 27" can be one day). One wording may give figures the
    other leaves out.
    """
    return not _clashes(a, b, strict=False)


def _clashes(a: Traits, b: Traits, *, strict: bool) -> set[tuple[str, str]]:
    """The measures both facts give with no value in common. *strict*: only where
    both know the unit alike; else an unknown unit compares with any."""
    found = set()
    for (kind, unit), values in a.measures.items():
        for (other_kind, other_unit), others in b.measures.items():
            if kind != other_kind or not (
                unit == other_unit or (not strict and "" in (unit, other_unit))
            ):
                continue
            if kind == "date" and a.date and b.date:
                differ = a.date != b.date
            elif kind == "date":
                continue  # unresolved dates ("the end of the month") compare by nothing sure
            else:
                differ = values.isdisjoint(others)
            if differ:
                found.add((kind, unit))
    return found


def _measures(fact: Fact) -> dict[tuple[str, str], frozenset[str]]:
    """A fact's figures and dates by (kind, unit); from its entities, unit unknown,
    when extraction gave no measures."""
    measured = list(fact.measures) or [
        (text.casefold().removeprefix("the "), label, "")
        for text, label in fact.entities if label in NUMERIC_LABELS
    ] or [(number, "CARDINAL", "") for number in fact.numbers]
    found: dict[tuple[str, str], set[str]] = {}
    for text, label, unit in measured:
        found.setdefault((_KINDS.get(label, "count"), unit), set()).add(text)
    return {key: frozenset(values) for key, values in found.items()}


def _num_term(number: str) -> str:
    return number.split()[-1] if number.split() else number


def _shown(t: Traits, clash: set[tuple[str, str]]) -> str:
    """The figures of *t* that clash, in its sentence's own words, each with the word
    after it when that is what it counts and the figure does not say it: "at least
    912 people", "May 27". Never a word the sentence does not hold."""
    text = t.fact.text
    shown = []
    for figure, label, unit in t.fact.measures or [
        (x.casefold().removeprefix("the "), label, "") for x, label in t.fact.entities
        if label in NUMERIC_LABELS
    ]:
        if (_KINDS.get(label, "count"), unit) not in clash:
            continue
        entity = next((x.casefold() for x, _ in t.fact.entities
                       if x.casefold().endswith(figure)), figure)
        written = _written(text, entity) or _written(text, figure)
        if written is None:
            continue
        start, end = written
        if unit and _KINDS.get(label) == "count" and unit not in text[start:end].casefold():
            after = _NEXT_WORD.match(text, end)
            if after and after.group(1).casefold().startswith(unit[:max(3, len(unit) - 1)]):
                end = after.end()
        shown.append(text[start:end])
    written_figures = [x for x, label in t.fact.entities if label in NUMERIC_LABELS]
    return ", ".join(dict.fromkeys(shown)) or ", ".join(dict.fromkeys(written_figures))


_NEXT_WORD = re.compile(r"\s+(\w[\w-]*)")


def _written(text: str, figure: str) -> tuple[int, int] | None:
    """Where *figure* (casefolded) stands in *text*, as the sentence writes it."""
    at = text.casefold().find(figure)
    if at < 0 or text[at:at + len(figure)].casefold() != figure:
        return None  # casefolding changed the length before it (rare: "ß"): not found
    return at, at + len(figure)


def _quote_backs_paraphrase(a: Traits, b: Traits, weight: dict[str, float]) -> bool:
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
    return same_act(a, b, weight) and _share_rare_words(a, b, weight, content=True)


def _share_rare_words(
    a: Traits, b: Traits, weight: dict[str, float], *, content: bool = False
) -> bool:
    """Does the other wording hold most of the rarer words of the shorter one? With
    *content*, the words of what they report, not of who reported it."""
    pair = (a.content, b.content) if content else (a.terms, b.terms)
    small, large = sorted(pair, key=lambda t: sum(weight.get(x, 1.0) for x in t))
    return weighted_share(small, large, weight) >= REPORT_OVERLAP


def term_weights(term_sets: Sequence[AbstractSet[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each content word over the sets.

    Words most lines share ("talks", a country) say little; rare ones say what a line is.
    """
    frequency = Counter(term for terms in term_sets for term in terms)
    return {t: math.log((1 + len(term_sets)) / (1 + n)) + 1.0 for t, n in frequency.items()}


def weighted_share(
    part: AbstractSet[str], other: AbstractSet[str], weight: dict[str, float]
) -> float:
    """Share of *part*'s weighted words that *other* holds too."""
    total = sum(weight.get(t, 1.0) for t in part)
    return sum(weight.get(t, 1.0) for t in part & other) / total if total else 0.0


def same_quotation(a: Traits, b: Traits) -> bool:
    """Do two facts quote the same words? Most of the fewer quoted words are in the
    other's quotations, and so is most of each quotation of that one: a sentence that
    quotes a statement's "remains somewhat elevated" and another of its phrases does
    not quote the two sentences that hold only the first. And some of those words
    come in the same pairs (``QUOTE_PAIRS``): "an energetic and immediate response"
    and "will spur an immediate and uncompromising response" are two threats, though
    three of the first's four words are in the second."""
    if containment(a.quoted, b.quoted) < QUOTE_OVERLAP:
        return False
    fewer, more = (a, b) if len(a.quoted) <= len(b.quoted) else (b, a)
    telling = {w for w in fewer.quoted if len(w) >= TELLING_LETTERS}
    if len(telling) >= 2 and len(telling & more.quoted) < QUOTE_OVERLAP * len(telling):
        return False  # "The people have spoken" is not in "... the people of Kenya have
        # canvassed ...": its "the" and "have" are, its "spoken" is not
    each = (_quoted_words((quote,)) for quote in fewer.fact.quoted)
    if not all(len(words & more.quoted) >= QUOTE_OVERLAP * len(words) for words in each if words):
        return False
    pairs = _pairs(fewer.fact.quoted)
    return len(pairs & _pairs(more.fact.quoted)) >= QUOTE_PAIRS * len(pairs)


def _tells_more(a: Traits, b: Traits) -> bool:
    """Is *a* mostly words of its own around its quotation, reporting an act there
    that *b* does not report? "Hours after Altman was fired, with the board saying
    it 'no longer has confidence ...', Brockman quit" quotes the board's statement,
    but what it reports is Brockman quitting: it is no citation of that statement."""
    quoted = sum(len(_WORD.findall(quote)) for quote in a.fact.quoted)
    if quoted >= QUOTED_SHARE * len(_WORD.findall(a.fact.text)):
        return False
    return bool(_acts_outside_quotes(a) - b.predicates)


def _acts_outside_quotes(t: Traits) -> set[str]:
    """The acts *t* reports in its own words, not in its quotations' (by the stem of
    each act's lemma: "concluded" in a quotation is the act "conclude" there, "cuts"
    the act "cut")."""
    return {act for act in t.predicates - SPEECH_VERBS
            if not any(word.startswith(act if len(act) <= 3 else act[:-1])
                       for word in t.quoted)}


def _pairs(quoted: Sequence[str]) -> frozenset[tuple[str, str]]:
    """Each two words in a row in the quotations."""
    return frozenset(pair for quote in quoted
                     for words in [_WORD.findall(quote.casefold())]
                     for pair in zip(words, words[1:], strict=False))


def most_shared(counts: Counter[int], limit: int) -> list[tuple[int, int]]:
    """The *limit* lines (or facts) counted most, with their counts, a tie going to
    the earlier line. Not ``Counter.most_common``, which breaks a tie by the order the
    counts were made in: counted over sets of words, whose order changes from one run
    to the next (Python salts the hashes of strings), the same articles would make
    a different brief now and then."""
    return heapq.nsmallest(limit, counts.items(), key=lambda pair: (-pair[1], pair[0]))


def containment(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """How much of the smaller set the larger holds."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _quoted_words(quoted: Sequence[str]) -> frozenset[str]:
    """The words of a fact's quotations, if they quote a statement: a scare quote of
    a word or two ("called Roe a 'dictator'") quotes no statement."""
    words = _words(" ".join(quoted))
    return words if len(words) >= MIN_QUOTE_WORDS else frozenset()


@functools.lru_cache(maxsize=8192)  # merge compares every pair: each text once, not n times
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.casefold()) if len(w) > 2)


def surname(name: str) -> str:
    return name.split()[-1].casefold()
