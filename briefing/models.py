"""The plain data passed between the pipeline's stages.

Every stage after extraction works on these frozen dataclasses only: character
offsets into ``Source.text`` instead of spaCy spans, so nothing downstream of
``extract`` needs spaCy, and everything here pickles and compares cheaply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "NUMERIC_LABELS",
    "Brief",
    "BriefTheme",
    "Citation",
    "Fact",
    "Failure",
    "FetchLimits",
    "Item",
    "Pattern",
    "Placement",
    "Segment",
    "Source",
    "Theme",
    "ThemeMatch",
    "Themes",
    "FACT_FIELDS",
    "SOURCE_FIELDS",
    "fact_from_record",
    "fact_record",
    "source_from_record",
    "source_record",
]


# spaCy entity labels of figures and dates: facts differing in one are never merged
NUMERIC_LABELS = frozenset({"CARDINAL", "DATE", "MONEY", "PERCENT", "QUANTITY", "TIME"})


@dataclass(frozen=True)
class Segment:
    """A stretch of a source's text, kept as article or dropped as page chrome."""

    start: int
    end: int
    kept: bool
    reason: str  # why it was kept or dropped, shown by `briefing inspect`


@dataclass(frozen=True)
class Source:
    """One input article: its original text, metadata and what counts as body."""

    id: str  # the citation number shown in the brief, "1", "2", ...
    path: str  # the input path exactly as the user gave it
    text: str  # the decoded text; every citation offset points into it
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    author: str | None = None
    segments: tuple[Segment, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))

    @property
    def label(self) -> str:
        """How the source is named when it has no metadata: its file name."""
        return self.outlet or self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def body(self) -> tuple[Segment, ...]:
        return tuple(segment for segment in self.segments if segment.kept)


@dataclass(frozen=True)
class ThemeMatch:
    """A themes-file pattern found in a fact: the theme, the words, their weight."""

    theme: str
    term: str
    weight: float


@dataclass(frozen=True)
class Fact:
    """One statement of one source: a sentence, or sentences a quote holds together."""

    source_id: str
    start: int
    end: int
    text: str  # exactly source.text[start:end]
    paragraph: int  # index of the kept paragraph it sits in, 0 first
    position: float  # 0.0 at the top of the article body, 1.0 at its end
    speaker: str | None = None  # fullest name of who said it; None: unattributed
    kind: str = "statement"  # "quote", "reported" (X said ...) or "statement"
    entities: tuple[tuple[str, str], ...] = ()  # (text, spaCy label)
    numbers: tuple[str, ...] = ()  # numerals and dates, kept apart when merging
    negated: bool = False
    matches: tuple[ThemeMatch, ...] = ()
    anaphoric: bool = False  # opens with a pronoun or connective: needs context
    quoted: tuple[str, ...] = ()  # the passages inside quotation marks
    terms: tuple[str, ...] = ()  # content lemmas, lowercased, for merging
    # The date expressions of the verbs it reports, the main verb's first, each with
    # whether its verb speaks of the future; and the first of them that names one day.
    dated: tuple[tuple[str, bool], ...] = ()
    date: dt.date | None = None  # when what it reports happened, if known
    stance: bool = False  # states a tone ("underlined the value of"), not an event

    def __post_init__(self) -> None:
        object.__setattr__(self, "entities", tuple(self.entities))
        object.__setattr__(self, "numbers", tuple(self.numbers))
        object.__setattr__(self, "matches", tuple(self.matches))
        object.__setattr__(self, "quoted", tuple(self.quoted))
        object.__setattr__(self, "terms", tuple(self.terms))
        object.__setattr__(self, "dated", tuple(tuple(d) for d in self.dated))


@dataclass(frozen=True)
class Placement:
    """A fact put under a theme, with the matched terms that put it there."""

    fact: Fact
    theme: str
    reason: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", tuple(self.reason))


@dataclass(frozen=True)
class Pattern:
    """One themes-file pattern, in the form spaCy's EntityRuler takes."""

    pattern: str | tuple[dict[str, Any], ...]  # a phrase, or Matcher token dicts
    weight: float = 1.0

    @property
    def name(self) -> str:
        if isinstance(self.pattern, str):
            return self.pattern
        return " ".join(str(next(iter(token.values()), "")) for token in self.pattern)


@dataclass(frozen=True)
class Theme:
    key: str
    title: str
    patterns: tuple[Pattern, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(self.patterns))


@dataclass(frozen=True)
class Themes:
    """A loaded themes file: the themes in order, and the catch-all section."""

    themes: tuple[Theme, ...]
    other: Theme  # where facts that match no theme go
    path: str = "<default>"
    match_attr: str = "LOWER"  # the token attribute phrase patterns compare

    def __post_init__(self) -> None:
        object.__setattr__(self, "themes", tuple(self.themes))

    def get(self, key: str) -> Theme:
        for theme in (*self.themes, self.other):
            if theme.key == key:
                return theme
        raise KeyError(key)


@dataclass(frozen=True)
class Citation:
    source_id: str
    quote: str  # exactly the source text from start to end
    start: int
    end: int


@dataclass(frozen=True)
class Item:
    """One line of the brief: verbatim text, who said it, why it is here, where from."""

    text: str
    citations: tuple[Citation, ...]
    speaker: str | None = None
    reason: tuple[str, ...] = ()
    score: float = 0.0
    date: dt.date | None = None
    theme: str = ""
    # Where sources disagree on a figure or date in what is otherwise one report:
    # (source id, the figures as that source writes them), for this line and the
    # lines it disagrees with. Both lines stay; the brief marks the disagreement.
    conflict: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "citations", tuple(self.citations))
        object.__setattr__(self, "reason", tuple(self.reason))
        object.__setattr__(self, "conflict", tuple(self.conflict))
        if not self.citations:
            raise ValueError(f"brief line has no citation: {self.text[:60]!r}")


@dataclass(frozen=True)
class BriefTheme:
    key: str
    title: str
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class Brief:
    """What every output format renders: HTML, PDF and JSON never disagree."""

    title: str
    date: dt.date
    sources: tuple[Source, ...]
    themes: tuple[BriefTheme, ...]
    coverage: str = ""  # the line under the title saying what the brief covers
    dropped: int = 0  # lines left out to fit one page
    body_size: float = 9.5  # point size of the body text, never below 9
    paper: str = "a4"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "themes", tuple(self.themes))

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for theme in self.themes for item in theme.items)


@dataclass(frozen=True)
class Failure:
    """An input that gave no source, and why: the brief is built from the rest."""

    input: str  # the input as given: a path, a URL, or a feed entry's link
    message: str  # one line naming the input, what is wrong and how to fix it

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FetchLimits:
    """How far one URL fetch may go before it counts as failed."""

    timeout: float = 20.0  # seconds for the whole fetch, redirects included: a news
    # page that has not arrived in 20 s is down or throttled, and the brief waits on it
    max_bytes: int = 10 * 2**20  # after decompression; the heaviest news pages run to
    # 2-3 MB of HTML and feeds to less; beyond this it is not an article
    max_redirects: int = 5  # a news link takes 1-3 hops (http -> https, short link,
    # canonical address); more is a loop or a tracking chain


# -- facts and sources as plain records (JSON), for the fact cache and extract files --

FACT_FIELDS = frozenset(f.name for f in dataclasses.fields(Fact))
SOURCE_FIELDS = frozenset(f.name for f in dataclasses.fields(Source))
_SEGMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Segment))


def fact_record(fact: Fact) -> dict[str, Any]:
    """*fact* as a JSON-ready dict of its fields (``fact_from_record`` reads it back)."""
    record = dataclasses.asdict(fact)
    record["date"] = fact.date.isoformat() if fact.date is not None else None
    return record


def fact_from_record(record: Mapping[str, Any]) -> Fact:
    """The Fact a ``fact_record`` dict (parsed from JSON) describes.

    Every field is checked for its type, so a damaged or tampered record is a
    ValueError, never a wrong fact; reading one runs no code.
    """
    if not isinstance(record, Mapping) or set(record) != FACT_FIELDS:
        raise ValueError("not a fact record: its fields differ from Fact's")
    r = record
    return Fact(
        source_id=_text(r["source_id"]),
        start=_count(r["start"]),
        end=_count(r["end"]),
        text=_text(r["text"]),
        paragraph=_count(r["paragraph"]),
        position=_number(r["position"]),
        speaker=None if r["speaker"] is None else _text(r["speaker"]),
        kind=_text(r["kind"]),
        entities=tuple((_text(a), _text(b)) for a, b in _pairs(r["entities"])),
        numbers=tuple(_text(n) for n in _list(r["numbers"])),
        negated=_flag(r["negated"]),
        matches=tuple(_match(m) for m in _list(r["matches"])),
        anaphoric=_flag(r["anaphoric"]),
        quoted=tuple(_text(q) for q in _list(r["quoted"])),
        terms=tuple(_text(t) for t in _list(r["terms"])),
        dated=tuple((_text(a), _flag(b)) for a, b in _pairs(r["dated"])),
        date=None if r["date"] is None else dt.date.fromisoformat(_text(r["date"])),
        stance=_flag(r["stance"]),
    )


def source_record(source: Source) -> dict[str, Any]:
    """*source* as a JSON-ready dict of its fields (``source_from_record`` reads it back)."""
    record = dataclasses.asdict(source)
    record["published"] = source.published.isoformat() if source.published else None
    return record


def source_from_record(record: Mapping[str, Any]) -> Source:
    """The Source a ``source_record`` dict (parsed from JSON) describes, every field
    checked for its type and every segment for lying inside the text."""
    if not isinstance(record, Mapping) or set(record) != SOURCE_FIELDS:
        raise ValueError("not a source record: its fields differ from Source's")
    r = record
    text = _text(r["text"])
    segments = []
    for value in _list(r["segments"]):
        if not isinstance(value, Mapping) or set(value) != _SEGMENT_FIELDS:
            raise ValueError("not a segment")
        segment = Segment(_count(value["start"]), _count(value["end"]), _flag(value["kept"]),
                          _text(value["reason"]))
        if not segment.start <= segment.end <= len(text):
            raise ValueError(f"segment {segment.start}-{segment.end} lies outside the text")
        segments.append(segment)
    published = r["published"]
    return Source(
        id=_text(r["id"]),
        path=_text(r["path"]),
        text=text,
        outlet=_optional_text(r["outlet"]),
        title=_optional_text(r["title"]),
        published=None if published is None else dt.date.fromisoformat(_text(published)),
        url=_optional_text(r["url"]),
        author=_optional_text(r["author"]),
        segments=tuple(segments),
    )


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, not {type(value).__name__}")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a count, not {value!r:.40}")
    return value


def _number(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"expected a number, not {type(value).__name__}")
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, not {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list, not {type(value).__name__}")
    return value


def _pairs(value: Any) -> list[tuple[Any, Any]]:
    pairs = []
    for pair in _list(value):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError("expected a pair")
        pairs.append((pair[0], pair[1]))
    return pairs


def _match(value: Any) -> ThemeMatch:
    if not isinstance(value, Mapping) or set(value) != {"theme", "term", "weight"}:
        raise ValueError("not a theme match")
    return ThemeMatch(_text(value["theme"]), _text(value["term"]), _number(value["weight"]))
