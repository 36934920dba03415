"""The plain data passed between the pipeline's stages.

Every stage after extraction works on these frozen dataclasses only: character
offsets into ``Source.text`` instead of spaCy spans, so nothing downstream of
``extract`` needs spaCy, and everything here pickles and compares cheaply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BIDI_CONTROL",
    "FACT_KINDS",
    "NUMERIC_LABELS",
    "Brief",
    "BriefTheme",
    "Citation",
    "Fact",
    "Failure",
    "FetchLimits",
    "Item",
    "LIMITS",
    "Limits",
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
    "plain_text",
    "unsafe_character",
    "without_credentials",
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
        # Metadata is shown in the brief's header lines, source list and archive: no
        # control character, and no bidi override that would reverse the text around it
        # (the article's own text stays verbatim: citations quote it).
        for name in ("outlet", "title", "author", "url"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, plain_text(value) or None)
        if self.url is not None:
            object.__setattr__(self, "url", without_credentials(self.url))

    @property
    def label(self) -> str:
        """How the source is named when it has no metadata: its file name."""
        return self.outlet or plain_text(self.path.replace("\\", "/").rsplit("/", 1)[-1])

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
    # said by someone the text does not name ("officials said", "the company said"):
    # someone's account all the same, not the reporter's own
    hearsay: bool = False
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
    # What the line says happened, by the lemmas of its main verbs ("agree", "cut"),
    # those of what was said for a reported statement, and the noun a light verb
    # carries ("held talks": "talk"): two reports of one act share one.
    predicates: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()  # the nouns those verbs act on: "put 35 million euros
    # into the fund" and "contribute 40 million euros to the fund" name one act
    actors: tuple[str, ...] = ()  # who does it: the words of the verbs' subjects
    # Each figure and date with what it measures: (as written, casefolded; spaCy label;
    # the noun it counts or the verb it dates, by lemma, "" when the parse does not say):
    # ("at least 912", "CARDINAL", "people"), ("on monday", "DATE", "strike")
    measures: tuple[tuple[str, str, str], ...] = ()
    # what its subject is said to have done beside ("the minister, who met Roe, ...")
    background: tuple[str, ...] = ()
    clauses: int = 1  # main clauses, each with a subject of its own: "the case was
    # dropped and he will go to Belarus" reports two things
    # what it says happened is yet to come ("will cut", "plans to visit"): an act
    # announced is not the act done, whatever words the two share
    future: bool = False

    def __post_init__(self) -> None:
        for name in ("predicates", "objects", "actors", "background"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "measures", tuple(tuple(m) for m in self.measures))
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
    # The desk's view of the line (briefing/desk/): its stable id (the same statement
    # from the same sources has the same id every day), how it stands against the
    # desk's last brief ("new", "update" or "repeat"), the id of the line it
    # updates, and whether the desk pinned it (the page fit never drops it).
    id: str = ""
    status: str = "new"
    updates: str | None = None
    pinned: bool = False

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
    # Against the desk's last brief (briefing/desk/news.py): its date, the lines left
    # out as already briefed with nothing new, and those the desk dropped.
    since: dt.date | None = None
    not_repeated: tuple[Item, ...] = ()
    struck: tuple[Item, ...] = ()
    # The candidate lines not on the page, each with why it lost: another line tells
    # the same event, or it ranked below the last line that fits (brief/select.py,
    # brief/render.py). Every source's origin by id: an agency, or the source itself
    # (brief/origins.py).
    left_out: tuple[tuple[Item, str], ...] = ()
    origins: dict[str, str] = field(default_factory=dict, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "themes", tuple(self.themes))
        object.__setattr__(self, "not_repeated", tuple(self.not_repeated))
        object.__setattr__(self, "left_out", tuple(self.left_out))
        object.__setattr__(self, "struck", tuple(self.struck))

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
class Limits:
    """How much briefing takes of each kind of input, and how far it goes on one build.

    Past a limit an input fails with one line naming it, the limit and what to do
    (docs/limits.md lists them for users). ``LIMITS`` holds the values in force;
    URL fetches have their own, ``FetchLimits``.
    """

    max_file_bytes: int = 32 * 2**20  # one local input file. The longest articles and
    # transcripts run to 2-3 MB of text and saved pages with inline images to 10-20 MB;
    # beyond this it is not an article (and parsing it would take an hour)
    max_settings_bytes: int = 2**20  # a themes file, mail config, sidecar or model
    # meta.json: a themes file of thousands of patterns is a few hundred KB
    max_settings_depth: int = 16  # tables and arrays nested in those: a themes file's
    # deepest, [[theme]] > patterns > pattern > tokens > token > {IN = [...]}, is 7
    max_brief_bytes: int = 256 * 2**20  # a JSON brief (`verify`, `inspect`): it keeps
    # every source's text, a few MB for a day's brief of dozens of articles
    max_message_bytes: int = 32 * 2**20  # a saved message sent with `send --eml`: a
    # one-page PDF is well under 1 MB, and most mail servers refuse over 25-50 MB
    max_front_matter_bytes: int = 64 * 2**10  # front matter holds metadata: a few keys,
    # tags, at most a few KB; more is a document in the wrong place
    max_front_matter_depth: int = 16  # metadata is flat keys and lists of tags, two or
    # three levels deep; deeper nesting is never metadata, and parsers recurse on it
    max_paragraph_chars: int = 100_000  # spaCy parses at most this many characters as
    # one document: its parser and entity recogniser need about 1 GB of temporary
    # memory per 100,000 characters (spaCy's own guide) and refuse texts over
    # 1,000,000 (E088). No paragraph of prose is this long; a transcript without
    # breaks is split at sentence ends, its offsets unchanged
    jobs_per_core: int = 1  # worker processes per core: more share the cores without
    # parsing faster, and each loads its own copy of the model (160 MB for
    # en_core_web_sm, over 1 GB for _trf), so --jobs is capped at the cores
    max_conflict_entries: int = 6  # sources listed in one line's "Sources differ" mark:
    # six fit on one line of the A4 page; more disagreement than that is noise to a
    # reader (the JSON lists the same six)
    max_cache_entry_bytes: int = 256 * 2**20  # one article's facts in the fact cache, as
    # JSON: about five times the article's body, so a cached file at the size limit
    # fits; a bigger entry was not written by briefing and is not read
    max_send_timeout: float = 3600.0  # seconds, for `send --timeout`: a mail server that
    # has not answered in an hour never will, and the message is saved anyway

    def max_jobs(self, cores: int | None) -> int:
        """The most worker processes worth starting on a machine of *cores* cores."""
        return max(1, (cores or 1) * self.jobs_per_core)


LIMITS = Limits()


@dataclass(frozen=True)
class FetchLimits:
    """How far one URL fetch may go before it counts as failed."""

    timeout: float = 20.0  # seconds for the whole fetch, redirects included: a news
    # page that has not arrived in 20 s is down or throttled, and the brief waits on it
    max_bytes: int = 10 * 2**20  # after decompression; the heaviest news pages run to
    # 2-3 MB of HTML and feeds to less; beyond this it is not an article
    max_redirects: int = 5  # a news link takes 1-3 hops (http -> https, short link,
    # canonical address); more is a loop or a tracking chain
    max_encodings: int = 2  # content codings stacked on one answer ("gzip, gzip"):
    # servers apply one; each is decoded within max_bytes, never whole


# Characters that change how the text around them is shown rather than being text:
# C0 and C1 controls (DEL included) and the bidi embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NOT_TEXT = re.compile(f"{_CONTROL.pattern}|{BIDI_CONTROL.pattern}")


def plain_text(value: str) -> str:
    """*value* on one line as it would be read: controls and white space runs become one
    space, bidi overrides go (for metadata shown in a header line or a list)."""
    return " ".join(_CONTROL.sub(" ", BIDI_CONTROL.sub("", value)).split())


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def without_credentials(url: str) -> str:
    """*url* without the ``user:password@`` it may carry: a URL shown in a brief, a
    message or an archive never publishes a login."""
    return _USERINFO.sub(r"\1", url, count=1)


def unsafe_character(value: str) -> str | None:
    """The first control or bidi-override character of *value*, as U+XXXX; None if none."""
    found = _NOT_TEXT.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


# -- facts and sources as plain records (JSON), for the fact cache and extract files --

_FACT_FIELD_ORDER = tuple(f.name for f in dataclasses.fields(Fact))
FACT_FIELDS = frozenset(_FACT_FIELD_ORDER)
SOURCE_FIELDS = frozenset(f.name for f in dataclasses.fields(Source))
_SEGMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Segment))
FACT_KINDS = ("quote", "reported", "statement")  # Fact.kind


def fact_record(fact: Fact) -> dict[str, Any]:
    """*fact* as a JSON-ready dict of its fields (``fact_from_record`` reads it back)."""
    # Field by field, not dataclasses.asdict: that deep-copies every tuple, five times
    # the cost, and this runs for every fact parsed.
    record = {name: getattr(fact, name) for name in _FACT_FIELD_ORDER}
    record["matches"] = tuple(
        {"theme": m.theme, "term": m.term, "weight": m.weight} for m in fact.matches)
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
    if _count(r["end"]) < _count(r["start"]):
        raise ValueError("a fact ends before it starts")
    if r["kind"] not in FACT_KINDS:
        raise ValueError(f"expected a kind of fact, not {r['kind']!r:.40}")
    if not math.isfinite(_number(r["position"])):
        raise ValueError("a fact's position is not a number")
    return Fact(
        source_id=_text(r["source_id"]),
        start=_count(r["start"]),
        end=_count(r["end"]),
        text=_text(r["text"]),
        paragraph=_count(r["paragraph"]),
        position=_number(r["position"]),
        speaker=None if r["speaker"] is None else _text(r["speaker"]),
        hearsay=_flag(r["hearsay"]),
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
        predicates=tuple(_text(p) for p in _list(r["predicates"])),
        objects=tuple(_text(o) for o in _list(r["objects"])),
        actors=tuple(_text(a) for a in _list(r["actors"])),
        background=tuple(_text(b) for b in _list(r["background"])),
        measures=tuple(_measure(m) for m in _list(r["measures"])),
        clauses=_count(r["clauses"]),
        future=_flag(r["future"]),
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


def _measure(value: Any) -> tuple[str, str, str]:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValueError("expected a measure: figure, label, unit")
    return (_text(value[0]), _text(value[1]), _text(value[2]))


def _match(value: Any) -> ThemeMatch:
    if not isinstance(value, Mapping) or set(value) != {"theme", "term", "weight"}:
        raise ValueError("not a theme match")
    return ThemeMatch(_text(value["theme"]), _text(value["term"]), _number(value["weight"]))
