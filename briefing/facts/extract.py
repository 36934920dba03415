"""Turn the article body of each source into facts, with spaCy.

A fact is one sentence, or the sentences one quotation holds together. For each
we find who said it (direct quotes, "X said ...", "according to X", and "he
said" resolved to the last named person when that is unambiguous), the entities
and numbers it names, and which themes-file patterns it contains. The spaCy
``Doc`` never leaves this module: facts carry character offsets into the source.
"""

from __future__ import annotations

import configparser
import functools
import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token

from ..errors import ModelError, ThemesError
from ..models import LIMITS, NUMERIC_LABELS, Fact, Source, ThemeMatch, Themes
from .modelinfo import DEFAULT_MODEL, MODEL_INSTALL_HINT, model_data, model_identity

__all__ = [
    "DEFAULT_MODEL",
    "ThemeMatcher",
    "load_model",
    "model_identity",
    "parse_in_zones",
    "parse_sources",
]

logger = logging.getLogger(__name__)

# Verbs that report speech or a stated position, by lemma.
SPEECH_VERBS = frozenset(
    """
    say tell add note stress emphasize emphasise underscore underline highlight warn urge
    call confirm state announce insist argue claim pledge praise describe hail reaffirm
    welcome suggest reject propose vow deny acknowledge explain express reiterate accuse
    criticize criticise condemn declare admit promise predict mention voice caution
    remark reply respond answer comment assert maintain contend signal indicate
    """.split()
)
MIN_FACT_WORDS = 4  # "— TASS", "Reuters." and the like are credits, not statements
PRONOUNS = frozenset({"he", "she"})  # resolved to the last named person
CONNECTIVES = frozenset(
    "however meanwhile also moreover furthermore additionally but and still yet".split()
)
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
_DASH_ATTRIBUTION = re.compile(
    r"""["”]\s*[—–-]{1,2}\s*((?:[A-Z][\w'’.-]*\s*){1,4})[.]?\s*$"""
)
_COLON_ATTRIBUTION = re.compile(r"""^\s*((?:[A-Z][\w'’.-]*\s*){1,4}):\s*["“]""")
_TITLE_WORDS = frozenset(
    "president prime minister foreign mr mrs ms dr sir secretary general chancellor".split()
)


ALIASES = Path(__file__).parent / "aliases.toml"
RHETORIC = Path(__file__).parent / "rhetoric.toml"


@functools.lru_cache(maxsize=1)
def country_aliases() -> dict[str, str]:
    """Every alias and demonym of the aliases file, casefolded, -> the country's name."""
    data = tomllib.loads(ALIASES.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for country in data.get("country", []):
        for alias in (country["name"], *country.get("aliases", [])):
            table[alias.casefold()] = country["name"]
    return table


# spacy.load first makes the language's default tokenizer, adding its 1,300 special
# cases one by one (0.1 s), then resets every setting and reads the model's saved
# ones (Tokenizer.from_bytes). For a model that saves spaCy's standard tokenizer,
# start from an empty one: the same tokenizer comes out.
_SAVED_TOKENIZER = {"nlp": {"tokenizer": {"@tokenizers": "briefing.saved_tokenizer.v1"}}}


@spacy.registry.tokenizers("briefing.saved_tokenizer.v1")
def _empty_tokenizer() -> Callable[[Language], Tokenizer]:
    """A tokenizer without rules, for ``from_disk`` to set from the model's own."""

    def create(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return create


def _saves_its_tokenizer(name: str) -> bool:
    """Does the model *name* save spaCy's standard tokenizer (not a custom one)?"""
    folder = model_data(name)
    if folder is None or not (folder / "tokenizer").is_file():
        return False
    try:
        config = spacy.util.load_config(folder / "config.cfg", interpolate=False)
        return bool(config["nlp"]["tokenizer"]["@tokenizers"] == "spacy.Tokenizer.v1")
    except (OSError, KeyError, TypeError, ValueError, configparser.Error):
        return False  # spacy.load reports what is wrong with it


@dataclass(frozen=True)
class _Rhetoric:
    verbs: frozenset[str]
    nouns: frozenset[str]
    topic_verbs: frozenset[str]


@functools.lru_cache(maxsize=1)
def _rhetoric() -> _Rhetoric:
    """The rhetoric file's lemmas (see rhetoric.toml)."""
    data = tomllib.loads(RHETORIC.read_text(encoding="utf-8"))
    return _Rhetoric(
        *(frozenset(data.get(key, [])) for key in ("verbs", "nouns", "topic_verbs"))
    )


def load_model(name: str = DEFAULT_MODEL) -> Language:
    """Load a spaCy pipeline once per process; a clear error if it is not installed."""
    return _load_model(name)


@functools.lru_cache(maxsize=4)
def _load_model(name: str) -> Language:
    try:
        nlp = spacy.load(name, config=_SAVED_TOKENIZER if _saves_its_tokenizer(name) else {})
    except OSError:
        hint = MODEL_INSTALL_HINT.get(name, f"python -m spacy download {name}")
        raise ModelError(
            f"spaCy model {name!r} is not installed; install it with `{hint}` "
            f"or pick another with --model (default {DEFAULT_MODEL})"
        ) from None
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ModelError(
            f"spaCy model {name!r} has no {', '.join(sorted(missing))}; "
            "use a trained English pipeline such as en_core_web_sm"
        )
    logger.info("loaded spaCy model %s %s", name, nlp.meta.get("version", "?"))
    return nlp


class ThemeMatcher:
    """The themes file's patterns compiled into spaCy matchers for one pipeline."""

    def __init__(self, nlp: Language, themes: Themes) -> None:
        self._phrases = PhraseMatcher(nlp.vocab, attr=themes.match_attr)
        self._tokens = Matcher(nlp.vocab)
        self._weights: dict[int, tuple[str, float]] = {}
        for theme in themes.themes:
            for number, pattern in enumerate(theme.patterns):
                key = f"{theme.key}#{number}"
                self._weights[nlp.vocab.strings.add(key)] = (theme.key, pattern.weight)
                try:
                    if isinstance(pattern.pattern, str):
                        self._phrases.add(key, [nlp.make_doc(pattern.pattern)])
                    else:
                        self._tokens.add(key, [list(pattern.pattern)])
                except (ValueError, TypeError, KeyError) as error:  # spaCy's pattern errors
                    problem = " ".join(str(error).split())
                    raise ThemesError(
                        f"{themes.path}: theme {theme.key!r} pattern #{number + 1}: spaCy "
                        f"refused it ({problem}); fix the pattern"
                    ) from None

    def __call__(self, doc: Doc) -> list[tuple[int, int, ThemeMatch]]:
        """Every match in *doc*: (start_char, end_char, match)."""
        found = []
        # a matcher with no patterns warns (spaCy W036) on every call: skip it
        matchers = [m for m in (self._phrases, self._tokens) if len(m)]
        for match_id, start, end in [hit for matcher in matchers for hit in matcher(doc)]:
            theme, weight = self._weights[match_id]
            span = doc[start:end]
            found.append((span.start_char, span.end_char, ThemeMatch(theme, span.text, weight)))
        # "trade deal" and "deal" both match: count the longer one only, as
        # spaCy's filter_spans would, but per theme, since themes compete.
        return [
            (s, e, m) for s, e, m in found
            if not any(
                m2.theme == m.theme and s2 <= s and e <= e2 and (s2, e2) != (s, e)
                for s2, e2, m2 in found
            )
        ]


# Sources parsed per memory zone: the strings spaCy interns for them are freed at
# the end of each zone, so memory stays flat however many articles come in.
_ZONE_SOURCES = 250


def parse_in_zones(
    sources: Sequence[Source], nlp: Language, themes: Themes, batch_size: int
) -> Iterator[list[Fact]]:
    """The facts of each source in turn, parsed in this process."""
    matcher = ThemeMatcher(nlp, themes)  # outside the zones: its patterns must persist
    for first in range(0, len(sources), _ZONE_SOURCES):
        with nlp.memory_zone():
            zone = sources[first : first + _ZONE_SOURCES]
            yield from parse_sources(zone, nlp, matcher, batch_size)


def parse_sources(
    sources: Sequence[Source], nlp: Language, matcher: ThemeMatcher, batch_size: int,
    *, max_chars: int = LIMITS.max_paragraph_chars,
) -> Iterator[list[Fact]]:
    """The facts of each of *sources* in turn, from one ``nlp.pipe`` stream; their
    ``dated`` expressions are left for ``dates.with_dates`` to resolve.

    A paragraph longer than *max_chars* (a transcript with no breaks) is parsed in
    pieces cut at sentence ends, each with its own offset, so that every offset
    still indexes the source's text and spaCy is never handed more than it takes.
    A batch holds *batch_size* paragraphs or *max_chars* characters, whichever
    comes first: the model's memory grows with the characters of a batch (64
    pieces of 100,000 characters took 3 GB, one at a time 0.5 GB, and less time).
    """
    paragraphs = (
        (source.text[start:end], (position, start, index, total))
        for position, source in enumerate(sources)
        for total in [len(source.body)]
        for index, segment in enumerate(source.body)
        for start, end in _pieces(source.text, segment.start, segment.end, max_chars)
    )
    done = 0  # sources handed back so far
    facts: list[Fact] = []
    state: _SourceState | None = None
    for doc, (position, offset, index, total) in _parsed(nlp, paragraphs, batch_size,
                                                         max_chars):
        if state is None or position != done:
            if state is not None:
                yield facts
                done += 1
            for _ in range(done, position):  # sources with no article body
                yield []
            done, facts = position, []
            state = _SourceState(sources[position])
        state.learn_names(doc)
        facts.extend(_facts_of(doc, state, matcher, offset, index, index / max(total - 1, 1)))
    if state is not None:
        yield facts
        done += 1
    for _ in range(done, len(sources)):
        yield []


_T = TypeVar("_T")


def _parsed(
    nlp: Language, paragraphs: Iterable[tuple[str, _T]], batch_size: int, max_chars: int
) -> Iterator[tuple[Doc, _T]]:
    """``nlp.pipe`` over *paragraphs* (text, context), in batches of at most *batch_size*
    paragraphs and *max_chars* characters."""
    batch: list[tuple[str, _T]] = []
    size = 0
    for paragraph in paragraphs:
        if batch and (len(batch) >= batch_size or size + len(paragraph[0]) > max_chars):
            yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
            batch, size = [], 0
        batch.append(paragraph)
        size += len(paragraph[0])
    if batch:
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))


_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*\s+""")


def _pieces(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """*text[start:end]* in pieces of at most *limit* characters: each cut after the
    last sentence end in its second half, else after the last space, else at *limit*."""
    while end - start > limit:
        window = text[start + limit // 2 : start + limit]
        ends = [found.end() for found in _SENTENCE_END.finditer(window)]
        space = max(window.rfind(" "), window.rfind("\n")) + 1
        cut = start + limit // 2 + (ends[-1] if ends else space or len(window))
        yield start, cut
        start = cut
    yield start, end


@dataclass
class _SourceState:
    """What carries from one paragraph of a source to the next."""

    source: Source
    surnames: dict[str, str] = field(default_factory=dict)  # "roe" -> "Jane Roe"
    salient: str | None = None  # the person a "he said" refers to
    # "French Finance Minister Jane Roe" -> ("France", "minister"): {"finance"}, name
    roles: dict[tuple[str | None, str], dict[str, set[str]]] = field(default_factory=dict)

    def learn_names(self, doc: Doc) -> None:
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_name(ent)
            parts = name.split()
            if len(parts) < 2:
                continue  # one-word PERSON tags are often wrong; full names are not
            key = parts[-1].casefold()
            if len(name) > len(self.surnames.get(key, "")):
                self.surnames[key] = name
            self._learn_title(ent, self.surnames[key])

    def _learn_title(self, ent: Span, name: str) -> None:
        """Remember the title an article introduces a person with."""
        words = [t for t in ent if t.lower_ in _TITLE_WORDS]
        before = ent.doc[max(ent.start - 5, 0) : ent.start]
        for token in reversed(before):
            if token.is_punct or token.pos_ in {"DET", "ADP", "VERB", "AUX", "PRON", "CCONJ"}:
                break
            words.insert(0, token)
        country = next((c for t in words if (c := _country(t.text))), None)
        role = [t.lower_ for t in words if not _country(t.text) and t.lower_ not in {"'s", "’s"}]
        if not role:
            return
        self.roles.setdefault((country, role[-1]), {}).setdefault(name, set()).update(role)
        if country is not None:  # also findable with no country named
            self.roles.setdefault((None, role[-1]), {}).setdefault(name, set()).update(role)

    def person_by_role(self, noun: Token) -> str | None:
        """ "The French finance minister" -> the one person introduced with that title."""
        modifiers = [c for c in noun.children if c.dep_ in {"amod", "compound", "poss", "nmod"}]
        country = next((c for m in modifiers if (c := _country(m.text))), None)
        words = {m.lower_ for m in modifiers if not _country(m.text)}
        holders = self.roles.get((country, noun.lemma_.casefold()), {})
        fitting = [name for name, role in holders.items() if words <= role]
        if len(fitting) == 1:
            return fitting[0]
        if country is None and self.salient in fitting:
            return self.salient  # "the minister said", right after the minister spoke
        return None

    def person(self, token: Token) -> str | None:
        """The full name of the person *token* names, if it names one."""
        if token.pos_ != "PROPN":
            return None
        name = self.surnames.get(token.text.casefold())
        if name:
            return name
        compounds = [c for c in token.children if c.dep_ == "compound" and c.i < token.i]
        if any(c.lower_ in _TITLE_WORDS for c in compounds):  # "President Roe said"
            return " ".join(
                [c.text for c in compounds if c.lower_ not in _TITLE_WORDS] + [token.text]
            )
        if token.ent_type_ == "PERSON":  # the model's own word, in this very sentence
            ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
            if ent is not None and _clean_name(ent):
                return _clean_name(ent)
        return None


def _facts_of(
    doc: Doc,
    state: _SourceState,
    matcher: ThemeMatcher,
    offset: int,
    paragraph: int,
    position: float,
) -> Iterator[Fact]:
    matches = matcher(doc)
    author = (state.source.author or "").split()
    previous_speaker: str | None = None
    for unit in _units(doc):
        text = unit.text
        if sum(t.is_alpha for t in unit) < MIN_FACT_WORDS:
            logger.debug("dropped a fragment too short to be a fact: %r", text)
            continue
        if author and author[-1].casefold() in text.casefold():
            logger.debug("dropped a sentence about the author: %r", text[:60])
            continue
        quotes = [(m.start(), m.end(), m.group(1) or m.group(2)) for m in _QUOTED.finditer(text)]
        speaker, how = _speaker(unit, state, quotes)
        quoted_words = sum(len(q[2].split()) for q in quotes)
        is_quote = quoted_words >= 5 or (quotes and quoted_words * 2 >= len(text.split()))
        if speaker is None and is_quote and text.lstrip()[:1] in "\"“" and how == "":
            speaker = previous_speaker  # a quote that runs on from the speaker's last one
        _update_salience(unit, state, speaker)
        previous_speaker = speaker
        # Not the white space a unit may end or begin with (a run of spaces is a token of
        # its own): a line of the brief is the sentence, not the gap after it.
        start = offset + unit.start_char + len(text) - len(text.lstrip())
        end = offset + unit.end_char - (len(text) - len(text.rstrip()))
        inside = [(unit.start_char + s, unit.start_char + e) for s, e, _ in quotes]
        dated = sorted(
            (
                (_depth(verb), ent, _is_future(verb))
                for ent in unit.ents
                if ent.label_ == "DATE"
                and not any(s <= ent.start_char < e for s, e in inside)
                for verb in [_dated_verb(ent)]
                if verb is not None
            ),
            key=lambda pair: pair[0],
        )  # the date of the main verb first, not of a relative clause's
        yield Fact(
            source_id=state.source.id,
            start=start,
            end=end,
            text=state.source.text[start:end],
            paragraph=paragraph,
            position=position,
            speaker=speaker,
            kind="quote" if is_quote else ("reported" if speaker else "statement"),
            entities=tuple((e.text, e.label_) for e in unit.ents),
            numbers=tuple(
                sorted({e.text.casefold().removeprefix("the ") for e in unit.ents
                        if e.label_ in NUMERIC_LABELS})
            ),
            negated=any(t.dep_ == "neg" for t in unit),
            matches=tuple(
                m for s, e, m in matches if unit.start_char <= s and e <= unit.end_char
            ),
            anaphoric=_is_anaphoric(unit),
            quoted=tuple(q[2] for q in quotes),
            dated=tuple((ent.text, future) for _, ent, future in dated),
            stance=_is_stance(unit),
            terms=tuple(
                (_country(t.text) or t.lemma_).casefold() for t in unit
                if (t.is_alpha or t.like_num) and not t.is_stop
            ),
        )


def _units(doc: Doc) -> Iterator[Span]:
    """Sentences, joined where a quotation runs on into the next one."""
    bounds: list[tuple[int, int]] = []
    start: int | None = None
    for sent in doc.sents:
        if start is None:
            start = sent.start
        if _quote_open(doc[start : sent.end].text) and sent.end < len(doc):
            continue  # the quotation goes on: keep the sentences together
        if bounds and (
            not any(t.is_alpha for t in doc[start : sent.end])
            or _is_dash_credit(doc[start : sent.end])
        ):
            # a stray closing mark, or '— Roe' after a quotation: the last one's
            bounds[-1] = (bounds[-1][0], sent.end)
        else:
            bounds.append((start, sent.end))
        start = None
    for first, last in bounds:
        yield doc[first:last]


def _is_dash_credit(span: Span) -> bool:
    """'— Roe' or '- AGENCY' split off the quotation it credits."""
    words = [t for t in span if t.is_alpha]
    return (
        span.text.lstrip()[:1] in "—–-"
        and 0 < len(words) <= 4
        and (words[0].is_title or words[0].is_upper)
    )


def _quote_open(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _speaker(
    unit: Span, state: _SourceState, quotes: list[tuple[int, int, str]]
) -> tuple[str | None, str]:
    """Who the unit reports, and how we know: "verb", "according", or ""."""
    inside = [(unit.start_char + s, unit.start_char + e) for s, e, _ in quotes]

    def quoted(token: Token) -> bool:
        return any(s <= token.idx < e for s, e in inside)

    candidates = [
        t for t in unit if t.lemma_.casefold() in SPEECH_VERBS and t.pos_ == "VERB"
        and not quoted(t)
    ]
    candidates.sort(key=_depth)
    for verb in candidates:
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subjects and verb.dep_ in {"advcl", "xcomp", "conj"}:
            # "Roe cast doubt ..., arguing that ...": the speaker is the head's subject
            subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
        for subject in subjects:
            if subject.lower_ in PRONOUNS:
                return state.salient, "verb"
            if any(c.dep_ == "conj" for c in subject.children):
                continue  # "Roe and Doe said": no one speaker
            person = state.person(subject)
            if person is None and subject.pos_ == "NOUN":
                person = state.person_by_role(subject)
            if person:
                return person, "verb"
    for pattern, how in ((_DASH_ATTRIBUTION, "dash"), (_COLON_ATTRIBUTION, "colon")):
        found = pattern.search(unit.text)
        if found:  # '"The port is ready" — Roe' and 'Roe: "The port is ready"'
            start, end = unit.start_char + found.start(1), unit.start_char + found.end(1)
            # the model often tags a lone name before a colon as a common noun
            named = [t for t in unit if start <= t.idx < end and (t.pos_ == "PROPN" or t.is_title)]
            person = (
                state.person(named[-1]) or state.surnames.get(named[-1].lower_)
                if named else None
            )
            if person:
                return person, how
    for token in unit:
        if token.lower_ == "according" and not quoted(token):
            for to in token.children:
                for obj in to.children:
                    person = state.person(obj) if obj.dep_ == "pobj" else None
                    if person:
                        return person, "according"
    return None, ""


def _update_salience(unit: Span, state: _SourceState, speaker: str | None) -> None:
    """Track the person the next "he" refers to: the last named subject."""
    if speaker:
        state.salient = speaker
        return
    for sent in unit.sents:  # type: ignore[attr-defined]  # missing from spaCy's stubs
        for subject in (c for c in sent.root.children if c.dep_ == "nsubj"):
            people = [state.person(t) for t in (subject, *subject.conjuncts)]
            named = {p for p in people if p}
            if len(named) > 1 or (named and subject.conjuncts):
                state.salient = None  # "Roe and Doe ...": "he" is ambiguous next
            elif named:
                state.salient = named.pop()


def _is_stance(unit: Span) -> bool:
    """A tone or a topic, not an event: "underlined the value of ...", "discussed X"."""
    words = _rhetoric()
    for token in unit:
        if token.pos_ != "VERB":
            continue
        lemma = token.lemma_.casefold()
        if token.dep_ == "ROOT" and lemma in words.topic_verbs:
            return True
        if lemma in words.verbs and any(
            child.dep_ == "dobj" and child.lemma_.casefold() in words.nouns
            for child in token.children
        ):
            return True
    return False


def _dated_verb(ent: Span) -> Token | None:
    """The verb a date modifies ("said on May 19"); None for a noun's ("the May 16 talks")."""
    root = ent.root
    if root.dep_ == "pobj" and root.head.dep_ == "prep":
        head = root.head.head
    elif root.dep_ in {"npadvmod", "advmod", "tmod", "prep"}:  # "prep": "earlier on Tuesday"
        head = root.head
    else:
        return None
    if head.pos_ == "ADV" and head.head.pos_ in {"VERB", "AUX"}:  # "earlier on Tuesday"
        head = head.head
    return head if head.pos_ in {"VERB", "AUX"} else None


def _is_future(verb: Token) -> bool:
    """The verb speaks of what is to come: "will meet", "is expected to travel"."""
    for token in (verb, *verb.ancestors):
        if token.lemma_ == "expect" or any(
            c.dep_ == "aux" and c.lower_ in {"will", "'ll", "shall"} for c in token.children
        ):
            return True
        if token.dep_ not in {"xcomp", "conj", "aux", "auxpass"}:
            return False  # a reporting verb above it tells its own time
    return False


def _is_anaphoric(unit: Span) -> bool:
    first = next((t for t in unit if t.is_alpha), None)
    if first is None:
        return False
    if first.pos_ == "PRON" or first.lower_ in CONNECTIVES:
        return True
    return unit.text.casefold().startswith(("for his part", "for her part", "for their part"))


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token = token.head
        depth += 1
    return depth


def _country(word: str) -> str | None:
    return country_aliases().get(word.casefold().removesuffix("'s").removesuffix("’s"))


def _clean_name(ent: Span) -> str:
    words = [t.text for t in ent if t.lower_ not in _TITLE_WORDS and t.text not in {"'s", "’s"}]
    return " ".join(words).strip(" ,.'’")


def iter_units(doc: Doc) -> Iterable[Span]:
    """The units a paragraph splits into, for `briefing inspect`."""
    return _units(doc)
