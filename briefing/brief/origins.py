"""Where each source's report comes from: its own newsroom, or a news agency's copy.

Three outlets printing one Reuters story are one report, not three confirmations
of it. A source's origin is the agency its credit names (the dateline's "(Reuters)",
"/TASS/", "ANKARA (AA)", a byline such as "By Associated Press"), or, when it
names none, the source itself; and two sources whose article bodies are mostly the
same sentences are copies of one report, of one origin. Corroboration counts
origins (``select.rank``); every copy is still cited, and the brief shows a line
resting on one agency's copies as "Reuters, via 3 outlets".
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..models import Source

__all__ = ["agency_named", "credited_agency", "origins"]

AGENCIES = Path(__file__).parent / "agencies.toml"
CREDIT_CHARS = 400  # a credit line stands at the top of a story: its dateline, its byline
COPY_SHARE = 0.5  # share of the shorter body's sentences two sources must print word for
# word to be one report: an outlet that rewrites an agency story keeps few of them
MIN_COPY_WORDS = 8  # sentences shorter than this ("He said no.") recur by chance

# "(Reuters) -", "(AP) —", "(AA):" after a dateline; "/TASS/." after one
_PARENTHESISED = re.compile(r"\(\s*([A-Z][\w.&' -]{0,40}?)\s*\)\s*[-–—:.]")
_SLASHED = re.compile(r"/\s*([A-Z][\w.&' -]{0,30}?)\s*/")
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


@functools.lru_cache(maxsize=1)
def _agencies() -> dict[str, str]:
    """Every name an agency goes by, casefolded, mapped to the name the brief shows."""
    data = tomllib.loads(AGENCIES.read_text(encoding="utf-8"))
    return {alias.casefold(): names[0] for names in data["agencies"] for alias in names}


def origins(sources: Sequence[Source]) -> dict[str, str]:
    """Each source's origin by source id: an agency's name, or for a source that
    credits none, its own id (so a source is its own origin), copies sharing one."""
    agency = {source.id: credited_agency(source) for source in sources}
    root = {source.id: source.id for source in sources}
    size: dict[str, int] = {}  # by a group's root: the sentences of its longest body

    def find(node: str) -> str:
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    # Each source is compared with the copies found before it, a copy once per group:
    # a sentence remembers one holder of each group it is in, so a thousand reprints
    # of one wire story cost a thousand comparisons, not a million pairs.
    holders: dict[str, list[str]] = {}  # a sentence: a source of each group holding it
    for source in sources:
        mine = _sentences(source)
        size[source.id] = len(mine)
        shared: Counter[str] = Counter()
        for sentence in mine:
            groups_holding = {find(h): h for h in holders.get(sentence, ())}
            holders[sentence] = list(groups_holding.values())
            shared.update(groups_holding.keys())
        for group, count in shared.items():
            theirs, ours = find(group), find(source.id)
            fewer = min(len(mine), size[theirs])
            if theirs != ours and fewer and count >= COPY_SHARE * fewer:
                root[theirs] = ours
                size[ours] = max(size[ours], size[theirs])
        ours = find(source.id)
        for sentence in mine:
            if all(find(h) != ours for h in holders.setdefault(sentence, [])):
                holders[sentence].append(source.id)
    groups: dict[str, list[str]] = {}
    for source in sources:
        groups.setdefault(find(source.id), []).append(source.id)
    found = {}
    for members in groups.values():
        named = next((agency[m] for m in members if agency[m]), None)
        for member in members:
            found[member] = agency[member] or named or members[0]
    return found


def agency_named(name: str) -> str | None:
    """The agency *name* is one of the names of ("Associated Press": "AP"), if any."""
    return _agencies().get(name.casefold().removeprefix("by ").strip())


def credited_agency(source: Source) -> str | None:
    """The news agency *source* credits for its story, if it credits one."""
    names = _agencies()
    for field in (source.author, source.outlet):
        agency = agency_named(field) if field else None
        if agency:
            return agency
    start = source.body[0].start if source.body else 0
    head = source.text[start : start + CREDIT_CHARS]
    for pattern in (_PARENTHESISED, _SLASHED):
        for found in pattern.finditer(head):
            name = found.group(1).strip().casefold()
            if name in names:
                return names[name]
    return None


def _sentences(source: Source) -> set[str]:
    """The article body's sentences of some length, as their words, lowercased."""
    body = " ".join(source.text[s.start : s.end] for s in source.body) or source.text
    found = set()
    for sentence in _SENTENCE.findall(body):
        words = _WORD.findall(sentence.casefold())
        if len(words) >= MIN_COPY_WORDS:
            found.add(" ".join(words))
    return found
