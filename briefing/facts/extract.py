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
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token

from ..errors import ModelError, ThemesError
from ..models import LIMITS, NUMERIC_LABELS, Fact, Source, ThemeMatch, Themes
from ..sources.clean import DATELINE
from ..sources.clean import MONTH as _MONTH
from .lexicon import GENDERED_WORDS as _GENDERED
from .lexicon import GIVEN_NAME_TITLES, SPEECH_VERBS, one_person
from .lexicon import ROLE_WORDS as _ROLE_WORDS
from .lexicon import TITLE_WORDS as _TITLE_WORDS
from .modelinfo import DEFAULT_MODEL, MODEL_INSTALL_HINT, model_data, model_identity

__all__ = [
    "DEFAULT_MODEL",
    "Parser",
    "ThemeMatcher",
    "load_model",
    "model_identity",
    "parse_in_zones",
    "parse_sources",
]

logger = logging.getLogger(__name__)

MAX_OPEN_QUOTE_SENTENCES = 2  # a speaker's paragraph left open, as a run-together page shows it
MIN_FACT_WORDS = 4  # "— TASS", "Reuters." and the like are credits, not statements
PRONOUNS = frozenset({"he", "she"})  # resolved to the last named person
CONNECTIVES = frozenset(
    "however meanwhile also moreover furthermore additionally but and still yet".split()
)
# What a page puts before a sentence that is not the sentence: a date or time stamp
# ("date 2024-06-17", "Monday, February 20, 2023 –", "10:42 GMT -") and a dateline
# (``DATELINE``: "VIENNA, March 11 (Reuters) -"). The line starts after it.
_WEEKDAY = r"(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_STAMP = re.compile(
    rf"""\s*(?:(?:date\s+)?\d{{4}}-\d{{2}}-\d{{2}}(?:[T\s]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?
    |{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}
    |{_WEEKDAY}\d{{1,2}}\s+{_MONTH}\s+\d{{4}}
    |\d{{1,2}}:\d{{2}}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?
    )(?:\s*[-–—|•:]\s*|\s+)(?=\S)""",
    re.IGNORECASE | re.VERBOSE,
)
# A label before the sentence: "Flight cancellations: Nearly 3,000 flights ...", "What
# happened: ..."; not "Roe: "..."", whose colon gives a speaker her quotation
_LABEL = re.compile(r"""\s*(?:[A-Z][\w'’-]*)(?:\s+[\w'’-]+){0,2}\??:\s+(?=[A-Z])""")
_BULLET = re.compile(r"\s*[•·▪►*]\s+")  # a list's bullet before the sentence
# A programme promo: "Jane Roe is next up on Business Today", "X discusses the rate
# cut on Making Money": a broadcaster's furniture, not a report.
_PROGRAMME = re.compile(
    r"\b(?:is|are)\s+(?:next\s+up|up\s+next|coming\s+up)\b"
    r"|\b(?:discusses|weighs\s+in|breaks\s+down|previews|sits\s+down\s+with)\b.*"
    r"\bon\s+['‘\"“]?[A-Z][\w'’]*(?:\s+[A-Z&][\w'’]*)+['’\"”]?[.!]?\s*$"
)
# An HTML tag left in a text file ('<a href="..." target="_blank">', "</p>", "<br/>"):
# a page's source pasted as its text. A line must be the source's own words, so a
# sentence holding one cannot be printed as it stands, nor without its tags.
_MARKUP = re.compile(
    r"<\s*/?\s*(?:a|abbr|b|br|div|em|figure|h[1-6]|i|iframe|img|li|ol|p|script|span"
    r"|strong|sub|sup|table|td|tr|u|ul)\b[^<>]*>",
    re.IGNORECASE,
)
# A note on the page itself: "This post will be updated as new information is
# available", "This is a developing story", "Check back for updates".
_PAGE_NOTE = re.compile(
    r"^\W*(?:this\s+(?:is\s+an?\s+)?(?:post|story|article|page|report|blog|live\s+blog)"
    r"\s+(?:will\s+be|is\s+being|has\s+been|may\s+be|was)\s+(?:last\s+)?updated"
    r"|this\s+is\s+an?\s+(?:developing|breaking)\s+(?:news\s+)?story"
    r"|check\s+back\s+(?:later\s+)?for\s+(?:more\s+)?updates)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r'"([^"]+)"|“([^”"]+)[”"]')  # “... said," as some pages close it
_DASH_ATTRIBUTION = re.compile(
    r"""["”]\s*[—–-]{1,2}\s*((?:[A-Z][\w'’.-]*\s*){1,4})[.]?\s*$"""
)
_COLON_ATTRIBUTION = re.compile(r"""^\s*((?:[A-Z][\w'’.-]*\s*){1,4}):\s*["“]""")



ALIASES = Path(__file__).parent / "aliases.toml"
ACTS = Path(__file__).parent / "acts.toml"
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
    silence_verbs: frozenset[str]


@functools.lru_cache(maxsize=1)
def _act_names() -> dict[str, str]:
    """Each predicate lemma of acts.toml by the name of its group (its first word)."""
    groups = tomllib.loads(ACTS.read_text(encoding="utf-8")).get("groups", [])
    return {word: group[0] for group in groups for word in group}


@functools.lru_cache(maxsize=1)
def _rhetoric() -> _Rhetoric:
    """The rhetoric file's lemmas (see rhetoric.toml)."""
    data = tomllib.loads(RHETORIC.read_text(encoding="utf-8"))
    return _Rhetoric(
        *(frozenset(data.get(key, [])) for key in ("verbs", "nouns", "topic_verbs",
                                                    "silence_verbs"))
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
        # LEMMA: the phrase as written in any case (LOWER), and also any form whose
        # dictionary form is the phrase's ("bombings" for "bombing"). Lemmas need the
        # tagger, so those patterns go through the whole pipeline, not just the tokenizer.
        lemmas = themes.match_attr == "LEMMA"
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER" if lemmas else themes.match_attr)
        self._lemmas = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(nlp.vocab)
        self._weights: dict[int, tuple[str, float]] = {}
        phrases: list[tuple[str, str]] = []
        for theme in themes.themes:
            for number, pattern in enumerate(theme.patterns):
                key = f"{theme.key}#{number}"
                self._weights[nlp.vocab.strings.add(key)] = (theme.key, pattern.weight)
                try:
                    if isinstance(pattern.pattern, str):
                        self._phrases.add(key, [nlp.make_doc(pattern.pattern)])
                        phrases.append((key, pattern.pattern))
                    else:
                        self._tokens.add(key, [list(pattern.pattern)])
                except (ValueError, TypeError, KeyError) as error:  # spaCy's pattern errors
                    problem = " ".join(str(error).split())
                    raise ThemesError(
                        f"{themes.path}: theme {theme.key!r} pattern #{number + 1}: spaCy "
                        f"refused it ({problem}); fix the pattern"
                    ) from None
        if lemmas:
            for (key, _), parsed in zip(phrases, nlp.pipe(p for _, p in phrases), strict=True):
                self._lemmas.add(key, [parsed])

    def __call__(self, doc: Doc) -> list[tuple[int, int, ThemeMatch]]:
        """Every match in *doc*: (start_char, end_char, match)."""
        found = []
        # a matcher with no patterns warns (spaCy W036) on every call: skip it
        matchers = [m for m in (self._phrases, self._lemmas, self._tokens) if len(m)]
        hits = [hit for matcher in matchers for hit in matcher(doc)]
        for match_id, start, end in dict.fromkeys(hits):  # LEMMA finds LOWER's hits again
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


class Parser:
    """A model and a themes file's matcher, set up once (in this process, a worker
    process or a Dask worker), then used for every batch of sources."""

    def __init__(self, model: Language | str, themes: Themes, batch_size: int) -> None:
        self.nlp = load_model(model) if isinstance(model, str) else model
        self.matcher = ThemeMatcher(self.nlp, themes)  # outside the zones: it must persist
        self.batch_size = batch_size

    def parse(self, sources: Sequence[Source]) -> list[list[Fact]]:
        """The facts of each of *sources*, parsed in one memory zone."""
        with self.nlp.memory_zone():
            return list(parse_sources(sources, self.nlp, self.matcher, self.batch_size))


def parse_in_zones(
    sources: Sequence[Source], nlp: Language, themes: Themes, batch_size: int
) -> Iterator[list[Fact]]:
    """The facts of each source in turn, parsed in this process."""
    parser = Parser(nlp, themes, batch_size)
    for first in range(0, len(sources), _ZONE_SOURCES):
        yield from parser.parse(sources[first : first + _ZONE_SOURCES])


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
    # surnames of two people ("Yulia Navalnaya", "Lyudmila Navalnaya"): alone, either
    shared: set[str] = field(default_factory=set)
    salient: str | None = None  # the person a "he said" refers to
    # the last named person, whom "the minister said" may mean even after an
    # unnamed sayer ("fishermen protested, saying ...") made "he" ambiguous
    named: str | None = None
    # "French Finance Minister Jane Roe" -> ("France", "minister"): {"finance"}, name
    roles: dict[tuple[str | None, str], dict[str, set[str]]] = field(default_factory=dict)
    # "Jane Roe" -> {"f"}: what the article says of a person's sex ("Mrs Roe", "his
    # widow, Jane Roe", "Roe said she ..."); both, when its cues disagree
    genders: dict[str, set[str]] = field(default_factory=dict)
    # "Jane Roe" -> {"m"}: a pronoun before her name in a sentence that names her ("He
    # had planned to come, Jane Roe said") is someone else's, and so may the next be
    taken: dict[str, set[str]] = field(default_factory=dict)
    # the full names of the paragraphs before this one
    earlier: set[str] = field(default_factory=set)

    def learn_names(self, doc: Doc) -> None:
        self.earlier.update(self.surnames.values())
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_name(ent)
            parts = name.split()
            if len(parts) < 2:
                continue  # one-word PERSON tags are often wrong; full names are not
            key = parts[-1].casefold()
            known = self.surnames.get(key)
            if known is not None and not one_person(name, known):
                self.shared.add(key)
            if len(name) > len(known or ""):
                self.surnames[key] = name
            self._learn_title(ent, self.surnames[key]
                              if one_person(name, self.surnames[key]) else name)
        for sent in doc.sents:
            self._learn_genders(sent)

    def _learn_genders(self, sent: Span) -> None:
        """Note what *sent* says of the sex of the people it names: a word before the
        name or set beside it ("Mrs Roe", "spokeswoman Jane Roe", "his widow, Jane
        Roe"), and, when it names one person only, as its subject, the pronouns after
        the name ("Roe said she would ..."). A wrong cue can only make a later "he
        said" or "she said" go unattributed, never credit it to anyone."""
        people = [(ent, self.person(ent.root)) for ent in sent.ents if ent.label_ == "PERSON"]
        for ent, name in people:
            if name is None:
                continue
            cues = [*_title_before(ent), *ent]  # "Queen Jane Roe", "his wife Jane Roe"
            root = ent.root
            if root.dep_ == "appos":
                cues.append(root.head)  # "his widow, Jane Roe"
            cues.extend(c for c in root.children if c.dep_ == "appos")  # "Roe, his widow,"
            if len({n for _, n in people}) == 1 and root.dep_ in {"nsubj", "nsubjpass"}:
                cues.extend(t for t in sent[ent.end - sent.start :] if t.pos_ == "PRON")
            found = {_GENDERED[t.lower_] for t in cues if t.lower_ in _GENDERED}
            if found:
                self.genders.setdefault(name, set()).update(found)
            before = {_GENDERED[t.lower_] for t in sent[: ent.start - sent.start]
                      if t.pos_ == "PRON" and t.lower_ in _GENDERED}
            if before:
                self.taken.setdefault(name, set()).update(before)

    def may_be(self, name: str, pronoun: str) -> bool:
        """May *pronoun* ("he", "she") refer to *name*, by what the article says of them?"""
        known = self.genders.get(name, set())
        if not known:
            return _GENDERED[pronoun] not in self.taken.get(name, set())
        return len(known) != 1 or _GENDERED[pronoun] in known

    def _learn_title(self, ent: Span, name: str) -> None:
        """Remember the title an article introduces a person with."""
        words = [*_title_before(ent), *(t for t in ent if t.lower_ in _TITLE_WORDS)]
        if not words:  # "The President of Kenya, Jane Roe", "Jane Roe, Kenya's president,"
            words = _role_beside(ent)
        country = next((c for t in words if (c := _country(t.text))), None)
        role = [t.lower_ for t in words if not _country(t.text) and t.lower_ not in {"'s", "’s"}]
        if not role:
            return
        self.roles.setdefault((country, role[-1]), {}).setdefault(name, set()).update(role)
        if country is not None:  # also findable with no country named
            self.roles.setdefault((None, role[-1]), {}).setdefault(name, set()).update(role)

    def person_by_role(self, noun: Token) -> str | None:
        """ "The French finance minister" -> the one person introduced with that title;
        "the minister" is an interior minister, never the prime minister, nor "the
        president" the vice president. Not "another minister", "one minister" or
        "ministers": someone else, or many; and "a minister" only before the article
        names the minister ("A ministry spokesman said ... Spokesman Tom Roe said"),
        for after it, a minister is someone else."""
        determiners = {c.lower_ for c in noun.children if c.dep_ == "det"}
        if (noun.tag_ in {"NNS", "NNPS"} or "another" in determiners
                or any(c.dep_ == "nummod" for c in noun.children)):
            return None
        found = self._holder(noun)
        if found is not None and determiners & _INDEFINITE and self._named_before(found, noun):
            return None
        return found

    def _surname_known_before(self, token: Token) -> bool:
        """Was a full name of *token*'s surname written before it: in an earlier
        paragraph, or earlier in its own?"""
        key = token.text.casefold()
        return any(n.split()[-1].casefold() == key for n in self.earlier) or any(
            ent.label_ == "PERSON" and ent.end <= token.i and len(_clean_name(ent).split()) > 1
            and _clean_name(ent).split()[-1].casefold() == key for ent in token.doc.ents)

    def _named_before(self, name: str, token: Token) -> bool:
        """Has the article named *name* before *token*?"""
        return name in self.earlier or any(
            ent.label_ == "PERSON" and ent.end <= token.i and self.person(ent.root) == name
            for ent in token.doc.ents)

    def _holder(self, noun: Token) -> str | None:
        """The one person introduced with the title *noun* and its modifiers give."""
        modifiers = [c for c in noun.children if c.dep_ in {"amod", "compound", "poss", "nmod"}]
        country = next((c for m in modifiers if (c := _country(m.text))), None)
        words = {m.lower_ for m in modifiers if not _country(m.text)}
        holders = self.roles.get((country, noun.lemma_.casefold()), {})
        fitting = [name for name, role in holders.items()
                   if words <= role and role & _OTHER_OFFICE <= words]
        if len(fitting) == 1:
            return fitting[0]
        if country is None and self.named in fitting:
            return self.named  # "the minister said", right after the minister spoke
        return None

    def person(self, token: Token) -> str | None:
        """The full name of the person *token* names, if it names one."""
        if token.pos_ != "PROPN" or token.lower_ in _ROLE_WORDS:
            return None  # "the Minister said": a role, for person_by_role to resolve
        name = self.surnames.get(token.text.casefold())
        here = _full_name(token)
        if here is not None and not (name and set(here.split()) <= set(name.split())):
            return here  # "His wife, Helen Roe, said": not the Tom Roe named before
        if name and token.text.casefold() in self.shared:
            return token.text  # "Navalnaya said" of one of two: the name as written
        if name and here is None and not self._surname_known_before(token):
            # "Harlan said that he and his wife Maria Harlan ...": a full name first
            # written after the bare surname is someone else's: the name as written
            return token.text
        if name:
            return name
        compounds = _compounds(token)
        titles = [c.i for c in compounds if c.lower_ in _TITLE_WORDS]
        if titles:  # "President Roe said"; "Army Chief General Roe": Roe, not "Army Chief"
            named = [*(c for c in compounds if c.i > max(titles)), token]
            if len(named) == 1 and token.doc[max(titles)].lower_ in GIVEN_NAME_TITLES:
                # "Sir Keir said": a knight is called by his given name
                known = {n for n in self.surnames.values()
                         if n.split()[0].casefold() == token.lower_}
                if len(known) == 1:
                    return known.pop()
            return _spelled(_with_hyphened(named)) or None
        if token.ent_type_ == "PERSON":  # the model's own word, in this very sentence
            ent = _entity(token)
            if ent is not None and _clean_name(ent):
                return _clean_name(ent)
        return None


# Determiners of someone not yet named: "a minister said" is not the minister named before
_INDEFINITE = frozenset({"a", "an", "some", "any", "each", "every", "no"})


def _compounds(token: Token) -> list[Token]:
    """The words of a name before *token*, as the parse chains them: "President Ursula
    von der Leyen" may hang "President", "Ursula" and "von" on "der", not on "Leyen"."""
    words: list[Token] = []
    for child in token.children:
        if child.dep_ == "compound" and child.i < token.i:
            words.extend([*_compounds(child), child])
    return sorted(words, key=lambda t: t.i)


def _role_beside(ent: Span) -> list[Token]:
    """The words of a role set beside a name between commas, its country first: "The
    President of Kenya, Jane Roe" and "Jane Roe, Kenya's president," give "Kenya",
    "President"."""
    root, doc = ent.root, ent.doc
    nouns = [root.head] if root.dep_ == "appos" else []
    nouns += [c for c in root.children if c.dep_ == "appos"]
    if ent.start >= 2 and doc[ent.start - 1].text == ",":  # the parse may miss the pair
        noun = doc[ent.start - 2]
        while noun.head.i < ent.start - 1 and noun.head.i != noun.i:
            noun = noun.head  # up to the phrase's head: "President" of "... of Kenya"
        nouns.append(noun)
    for noun in nouns:
        if noun.lower_ in _ROLE_WORDS and noun.pos_ in {"NOUN", "PROPN"}:
            modifiers = [c for c in noun.children if c.dep_ in {"amod", "compound", "poss"}]
            places = [o for p in noun.children if p.dep_ == "prep" and p.lower_ == "of"
                      for o in p.children if o.dep_ == "pobj" and _country(o.text)]
            return [*places, *modifiers, noun]
    return []


def _title_before(ent: Span) -> list[Token]:
    """The words right before a name that introduce it ("French Finance Minister",
    "his widow"), up to a break: punctuation, an article, a preposition, a verb."""
    words: list[Token] = []
    for token in reversed(ent.doc[max(ent.start - 5, 0) : ent.start]):
        if token.is_punct or token.pos_ in {"DET", "ADP", "VERB", "AUX", "PRON", "CCONJ"}:
            break
        words.insert(0, token)
    return words


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
        if _MARKUP.search(text):
            logger.debug("dropped a sentence holding HTML markup: %r", text[:60])
            continue
        lead = _lead_length(text)  # a stamp or dateline before the sentence is not of it
        if _is_furniture(unit, lead):
            logger.debug("dropped page furniture (a promo, a call to the reader): %r", text[:60])
            continue
        acts = _acts(unit)
        quotes = _quotations(text)
        speaker, how = _speaker(unit, state, quotes, lead)
        if _is_own_question(unit, quotes, speaker):
            logger.debug("dropped the page's own question (a heading): %r", text[:60])
            continue
        quoted_words = sum(len(q[2].split()) for q in quotes)
        is_quote = quoted_words >= 5 or (quotes and quoted_words * 2 >= len(text.split()))
        if (speaker is None and is_quote and text.lstrip()[:1] in "\"“" and how == ""
                and not _words_outside(text, quotes) and not _runs_on_unclosed(unit)):
            speaker = previous_speaker  # a quote that runs on from the speaker's last one
        _update_salience(unit, state, speaker, how)
        previous_speaker = speaker
        # Not the stamp or dateline before the sentence, nor the white space a unit may
        # end or begin with (a run of spaces is a token of its own): a line of the brief
        # is the sentence, not the gap after it.
        start = offset + unit.start_char + max(lead, len(text) - len(text.lstrip()))
        end = offset + unit.end_char - (len(text) - len(text.rstrip()))
        inside = [(unit.start_char + s, unit.start_char + e) for s, e, _ in quotes]
        dated = sorted(
            (
                (_depth(verb), ent, _is_future(verb))
                for ent in unit.ents
                if ent.label_ in {"DATE", "TIME"}  # "on Sunday night": dates.py tells
                # a day ("Sunday night", "tonight") from a clock time, which dates nothing
                and not any(s <= ent.start_char < e for s, e in inside)
                for verb in [_dated_verb(ent)]
                if verb is not None and _in_main_clause(verb)
            ),
            key=lambda pair: pair[0],
        )  # the main verb's date first; a subordinate clause's ("after the quake hit on
        # Monday", "the talks that began on May 16") is not the day of what the line says
        yield Fact(
            source_id=state.source.id,
            start=start,
            end=end,
            text=state.source.text[start:end],
            paragraph=paragraph,
            position=position,
            speaker=speaker,
            kind="quote" if is_quote else ("reported" if speaker else "statement"),
            hearsay=speaker is None and how == "unnamed",
            entities=tuple((e.text, e.label_) for e in unit.ents),
            numbers=tuple(
                sorted({e.text.casefold().removeprefix("the ") for e in unit.ents
                        if e.label_ in NUMERIC_LABELS})
            ),
            measures=tuple(
                (e.text.casefold().removeprefix("the "), e.label_, _measured(e))
                for e in unit.ents if e.label_ in NUMERIC_LABELS
            ),
            negated=any(t.dep_ == "neg" for t in unit),
            matches=tuple(
                m for s, e, m in matches if unit.start_char <= s and e <= unit.end_char
            ),
            anaphoric=_is_anaphoric(unit),
            quoted=tuple(q[2] for q in quotes),
            dated=tuple((ent.text, future) for _, ent, future in dated),
            stance=_is_stance(unit),
            predicates=tuple(sorted(acts.predicates)),
            objects=tuple(sorted(acts.objects)),
            actors=tuple(sorted(acts.actors)),
            background=tuple(sorted(acts.background)),
            clauses=max(acts.clauses, 1),
            future=acts.future,
            terms=tuple(
                (_country(t.text) or t.lemma_).casefold() for t in unit
                if (t.is_alpha or t.like_num) and not t.is_stop
            ),
        )


# Verbs that say little of what happened without their object: "held talks", "made a
# deal", "took steps": the object's noun is the predicate.
_LIGHT_VERBS = frozenset("be have do get make take give hold reach".split())
_CLAUSE_LINKS = frozenset({"conj", "ccomp", "xcomp", "parataxis"})
_OBJECTS = frozenset({"dobj", "attr", "oprd", "dative", "nsubjpass"})
_WITHHOLD = frozenset({"decline", "refuse"})  # "declined to say": nothing was said
# Speech verbs that name an act done when they take a thing, not a clause: "declared a
# state of emergency", "declared himself head of the council" are decrees; "declared
# that ..." is a statement.
_DECREE_VERBS = frozenset({"declare"})
# Speech verbs whose object is what was spoken of, not what was said: "Roe explained
# the decision" is the reporter's account of an explanation
_TOPIC_VERBS = frozenset({"explain", "describe", "discuss", "outline", "detail"})
_WH_WORDS = frozenset({"why", "how", "what", "whether", "when", "where", "which", "who"})
_GREETING_VERBS = frozenset({"welcome"})  # "welcomed Doe": a greeting; "the deal": a stance
# Verbs of wanting, trying and going on: what happened is the verb they lead to ("will
# continue to defend" is about defending, "continue facilitating aid" about aid)
_ASPECT_VERBS = frozenset(
    "continue begin start try want wish like need seek plan hope keep remain seem "
    "appear intend aim attempt set".split()
)


# Words that make a title another office: "Prime Minister Roe" is not "the minister"
_OTHER_OFFICE = frozenset({"prime", "vice", "deputy", "former", "ex", "acting"})


@dataclass
class _Acts:
    """What a unit reports happened: see ``Fact.predicates`` and the fields after it."""

    predicates: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    background: set[str] = field(default_factory=set)
    clauses: int = 0
    future: bool = False  # every verb of what happened speaks of what is to come


def _acts(unit: Span) -> _Acts:
    """The unit's main verbs by lemma, what they act on and who acts; a speech act
    with nothing reported after it ("reaffirmed Ankara's readiness") stands for
    itself; a light verb stands for its noun ("held talks": "talk") and "be" for what
    it says is so ("are missing", "is stable"), so one speaker's statements of two
    states of things are two acts; and what the subjects' relative clauses say they
    did. Whether what happened is yet to come is read off the reporter's own verbs,
    not those of what someone said ("told parliament that a referendum would be
    held" is a promise made, as "promised a referendum" is)."""
    acts, said = _Acts(), _Acts()
    tenses: dict[bool, list[bool]] = {False: [], True: []}  # by "is a speech verb"
    for sent in unit.sents:  # type: ignore[attr-defined]  # missing from spaCy's stubs
        stack = [(sent.root, False)]  # each verb, and whether someone is said to say it
        while stack:
            verb, reported = stack.pop()
            lemma = verb.lemma_.casefold()
            speech = _is_speech(verb)
            if verb.pos_ in {"VERB", "AUX"} and lemma not in _ASPECT_VERBS:
                into = said if speech else acts
                if not reported:
                    tenses[into is said].append(_is_future(verb))
                if speech:
                    into.predicates.add(lemma)
                elif lemma in _LIGHT_VERBS:
                    into.predicates.update(
                        _verbal(c.lemma_.casefold()) for c in verb.children
                        if (c.dep_ in {"dobj", "attr"} and c.pos_ == "NOUN")
                        or (c.dep_ == "acomp" and c.pos_ in {"ADJ", "VERB"})
                    )
                else:
                    into.predicates.add(lemma)
                into.objects.update(_acted_on(verb))
                if into is acts and any(
                    c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children
                ):
                    acts.clauses += 1
                for subject in (c for c in verb.children if c.dep_ == "nsubj"):
                    into.actors.update(_names(subject))
                    acts.background.update(
                        r.lemma_.casefold() for r in subject.children
                        if r.dep_ == "relcl" and r.lemma_.casefold() not in SPEECH_VERBS
                    )
            elif verb.pos_ == "NOUN" and verb.dep_ == "ROOT":
                acts.predicates.add(lemma)  # a verbless line: its head noun
            stack.extend((c, reported or speech) for c in verb.children
                         if c.dep_ in _CLAUSE_LINKS and c.pos_ in {"VERB", "AUX"})
    if not acts.predicates:
        acts.predicates, acts.objects = said.predicates, acts.objects | said.objects
        acts.actors |= said.actors
    verbs = tenses[False] or tenses[True]
    acts.future = bool(verbs) and all(verbs)
    names = _act_names()
    acts.predicates = {names.get(p, p) for p in acts.predicates}
    acts.background = {names.get(p, p) for p in acts.background}
    return acts


def _measured(ent: Span) -> str:
    """What a figure counts or a date dates: "912 people" -> "people", "the toll rose
    to 912" -> "toll", "40 million euros" -> "euro", "signed on Monday" -> "sign"."""
    if ent.label_ in {"DATE", "TIME"}:
        verb = _dated_verb(ent)
        return verb.lemma_.casefold() if verb is not None else ""
    root = ent.root
    if root.dep_ in {"nummod", "quantmod", "compound"} and root.head.pos_ == "NOUN":
        return _verbal(root.head.lemma_.casefold())
    if root.pos_ == "NOUN" and not root.like_num:
        return root.lemma_.casefold()  # "40 million euros": the noun is in the figure
    head = root.head.head if root.dep_ == "pobj" else root.head
    if head.pos_ in {"VERB", "AUX"}:  # "rose to 912", "killed more than 900"
        subjects = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects and subjects[0].pos_ == "NOUN":
            return subjects[0].lemma_.casefold()
        return head.lemma_.casefold()
    return ""


def _acted_on(verb: Token) -> set[str]:
    """The nouns of a verb's objects and of its prepositions' objects."""
    acted_on = [c for c in verb.children if c.dep_ in _OBJECTS]
    acted_on += [o for c in verb.children if c.dep_ in {"prep", "agent"}
                 for o in c.children if o.dep_ == "pobj"]
    return {_verbal(t.lemma_.casefold()) for o in acted_on for t in o.subtree
            if t.pos_ in {"NOUN", "PROPN"}}


def _names(subject: Token) -> set[str]:
    """The names in a subject and those joined to it ("Biden and Xi"; a country by
    its name, "Turkish" as "Turkey"), without what a relative clause adds. Common
    nouns are not names: "her government" may well be "Hungary"."""
    words: set[str] = set()
    for head in (subject, *subject.conjuncts):
        for token in (head, *(c for c in head.children if c.dep_ in {"compound", "poss"})):
            country = _country(token.text)
            if country or token.pos_ == "PROPN":
                words.add(country or token.lemma_.casefold())
    return words


def _verbal(noun: str) -> str:
    """A gerund's verb: "meeting" -> "meet", so "held a meeting" and "met" agree."""
    return noun[:-3] if noun.endswith("ing") and len(noun) > 6 else noun


def _lead_length(text: str) -> int:
    """How many characters of *text* are a date stamp, a dateline or a label before
    its sentence."""
    position = 0
    for _ in range(3):  # "date 2024-06-17 GENEVA (Reuters) - ...": a stamp, then a dateline
        found = (_STAMP.match(text, position) or DATELINE.match(text, position)
                 or _LABEL.match(text, position) or _BULLET.match(text, position))
        if found is None or found.end() == position:
            break
        position = found.end()
    return position if len(text) - position >= 20 else 0  # what is left must be a sentence


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})  # a verb with a tense: every report has one
# A date naming one day: news tells a dated event in the past tense, a caption in the
# present ("Roe greets Doe in Woodside on Nov. 15")
_DAY = re.compile(rf"\b(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})\b")


def _finite(root: Token) -> bool:
    """Has this clause (or one joined to it) a verb with a tense: "said", "will go"?"""
    for verb in (root, *root.conjuncts):
        if verb.tag_ in _FINITE or any(
            c.dep_ in {"aux", "auxpass"} and c.tag_ in _FINITE for c in verb.children
        ):
            return True
    return False


def _is_furniture(unit: Span, lead: int = 0) -> bool:
    """A line the page addresses to its reader, not a report: a note on the page ("This
    post will be updated"), a call to act ("Download our app": an imperative, outside
    any quotation), a slogan with no finite verb
    ("Unlock stock picks and ...") or a programme promo ("... is next up on Business
    Today")."""
    if _PAGE_NOTE.match(unit.text[lead:]):
        return True  # "This post will be updated ...": of the page, not the news
    start = unit.start_char + lead  # after a stamp, a dateline, a label
    first = next((t for t in unit if not t.is_space and t.idx >= start), None)
    if first is None or first.is_quote or first.text in {"(", "["}:
        return False
    if first.is_alpha and first.text[0].islower():
        return True  # "that followed growing unease ...": the tail of a sentence cut in two
    root = unit.root
    if (
        first.tag_ == "VB" and root.i == first.i
        and not any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in root.children)
    ):
        return True
    quoting = any(mark in unit.text for mark in ('"', "“", "”"))
    if not quoting and not any(_finite(s.root) for s in unit.sents):  # type: ignore[attr-defined]
        return True  # no tensed main verb: a label or a slogan ("Unlock stock picks and
        # a newsfeed that powers Wall Street"), not a statement
    if root.tag_ == "VBZ" and root.lemma_ not in {"be", "have"} and any(
        e.label_ == "DATE" and _DAY.search(e.text) for e in unit.ents
    ):
        return True  # "Roe greets Doe at the summit on Nov. 15": a photo's caption
    return _PROGRAMME.search(unit.text) is not None


def _is_own_question(unit: Span, quotes: Sequence[object], speaker: str | None) -> bool:
    """Is the unit a question the page asks ("What Hamas said on the two-day truce?",
    "Will there be more exchanges?"): a heading or a teaser, which reports nothing?
    A question someone asks has its quotation marks, its sayer, or at least the
    person it is about ("Zakharova asked whether ...?"), and stays."""
    return (
        unit.text.rstrip().endswith("?") and not quotes and speaker is None
        and not any(e.label_ == "PERSON" for e in unit.ents)
    )


def _units(doc: Doc) -> Iterator[Span]:
    """Sentences, joined where a quotation runs on into the next one."""
    bounds: list[tuple[int, int]] = []
    start: int | None = None
    for sent in doc.sents:
        if start is not None and sent.text[:1] in _OPENING_MARKS and sent.start > start:
            # a quotation opens anew: the last was left open as a paragraph's is when
            # the speaker goes on in the next ('... like this. "Yes, it was ...'), and
            # the sentences up to here are one unit, not the start of a longer one
            bounds.append((start, sent.start))
            start = None
        if start is None:
            start = sent.start
        if _quote_open(doc[start : sent.end].text) and sent.end < len(doc):
            continue  # the quotation goes on: keep the sentences together
        if bounds and (
            not any(t.is_alpha for t in doc[start : sent.end])
            or _is_dash_credit(doc[start : sent.end])
            or (doc[bounds[-1][0] : bounds[-1][1]].text.rstrip()[-2:] in _ASKED
                and _is_attribution(doc[start : sent.end]))
        ):
            # a stray closing mark, '— Roe' after a quotation, or 'Roe asked.' after
            # '"Who gains from this?"', where the question mark ended the sentence: the last one's
            bounds[-1] = (bounds[-1][0], sent.end)
        else:
            bounds.append((start, sent.end))
        start = None
    for first, last in bounds:
        yield doc[first:last]


_OPENING_MARKS = frozenset({'"', "“"})
ATTRIBUTION_TOKENS = 30  # a sayer's tail, opening with the sayer: where, when, to whom
_ASKED = frozenset({'?"', "?”", '!"', "!”"})  # a quotation ending on a question or a cry
_ASKING = frozenset({"ask", "wonder", "shout", "exclaim", "demand"})


def _is_attribution(span: Span) -> bool:
    """'Roe asked reporters on Monday.', 'Roe wrote on his platform, Truth Social, after
    the pontiff's death.': a sayer and a speech verb opening it, saying nothing more."""
    root = span.root
    sayer = next((c for c in root.children if c.dep_ == "nsubj"), None)
    opening = next((t.i for t in span if not (t.is_punct or t.is_space)), span.start)
    return (
        (root.lemma_.casefold() in SPEECH_VERBS or root.lemma_.casefold() in _ASKING)
        and sayer is not None and sayer.left_edge.i <= opening
        and not any(c.dep_ in {"ccomp", "xcomp"} for c in root.children)
        and len(span) <= ATTRIBUTION_TOKENS
    )


def _is_dash_credit(span: Span) -> bool:
    """'— Roe' or '- AGENCY' split off the quotation it credits."""
    words = [t for t in span if t.is_alpha]
    return (
        span.text.lstrip()[:1] in "—–-"
        and 0 < len(words) <= 4
        and (words[0].is_title or words[0].is_upper)
    )


def _quotations(text: str) -> list[tuple[int, int, str]]:
    """The quotations of *text*: (start, end, words). One that opens and does not close
    runs to the end: news leaves a quotation open when it goes on in the next
    paragraph."""
    quotes = [(m.start(), m.end(), m.group(1) or m.group(2)) for m in _QUOTED.finditer(text)]
    rest = text[quotes[-1][1]:] if quotes else text
    opening = next((i for i, ch in enumerate(rest) if ch in "“\""), None)
    if opening is not None and _quote_open(rest):
        start = len(text) - len(rest) + opening
        words = text[start + 1 :].rstrip()
        if len(words.split()) >= 3:
            quotes.append((start, len(text), words))
    return quotes


def _runs_on_unclosed(unit: Span) -> bool:
    """Is *unit* a quotation that never closes, and stops before its paragraph ends,
    over more sentences than a paragraph's last few? News leaves a quotation open at a
    paragraph's end, for the speaker to go on in the next (a page that runs paragraphs
    together shows it mid-line); one open over many sentences mid-paragraph is a
    stray mark, and the sentences are the reporter's ('"Some officials hope ... Bin
    Laden was said to be ... A spokesman said ...')."""
    return (_quote_open(unit.text) and unit.end < len(unit.doc)
            and len(list(unit.sents)) > MAX_OPEN_QUOTE_SENTENCES)  # type: ignore[attr-defined]


def _quote_open(text: str) -> bool:
    """Is a quotation open at the end of *text*? A straight mark opens or closes, and
    closes one a curly mark opened ("“We are ready,\" she said")."""
    open_ = False
    for mark in _MARKS.findall(text):
        open_ = mark == "“" or (mark == '"' and not open_)
    return open_


_MARKS = re.compile('[“”"]')


def _speaker(
    unit: Span, state: _SourceState, quotes: list[tuple[int, int, str]], lead: int = 0
) -> tuple[str | None, str]:
    """Who the unit reports, and how we know: "verb", "according", "dash", "colon";
    "unnamed" when its sayer is someone it does not name ("officials said", "a
    witness told AP", "Roe and Doe said"), "" when it names no sayer at all. The sentence
    opens after its *lead* characters (a stamp, a dateline)."""
    inside = [(unit.start_char + s, unit.start_char + e) for s, e, _ in quotes]

    def quoted(token: Token) -> bool:
        return any(s <= token.idx < e for s, e in inside)

    candidates = [
        t for t in unit if _is_speech(t) and t.pos_ == "VERB"
        and not quoted(t) and not _in_relative_clause(t) and not _beside_an_act(t)
    ]
    if any(c.dep_ == "neg" for verb in candidates[:1] for c in verb.children) or any(
        t.lemma_ in _WITHHOLD for t in unit if t.dep_ == "ROOT"
    ) or any(_not_yet(verb) for verb in candidates[:1]):
        return None, ""  # "he did not say what ...", "she declined to comment", "Roe
        # has yet to comment": the reporter tells what someone did not say
    # The outermost sayer first; a reporting clause closing the sentence ("..., the
    # official told reporters.") frames all before it, whatever the parse's root.
    candidates.sort(key=lambda verb: (not _closes_sentence(verb), _depth(verb)))
    opening = unit.start_char + lead + len(unit.text[lead:]) - len(unit.text[lead:].lstrip())
    # after a stamp or dateline (in the sentence, or parsed as one of its own), the
    # tagger takes the first word for a name: "PARIS (AP) - Police said"
    stamped = bool(lead) or 0 < unit.start_char <= _lead_length(unit.doc.text)
    pronoun: Token | None = None  # a "he said", resolved once no name says who
    pronoun_word = ""  # and its word, "he" or "she"
    for verb in candidates:
        if (pronoun is not None and pronoun in verb.ancestors and pronoun.i < verb.i
                and not _closes_sentence(verb)):
            continue  # "He said Roe told him ...": Roe's words are what "he" reports; in
            # "Roe said ..., he said", "he" is Roe
        for subject in _sayers(verb):
            if subject.idx < opening:
                continue  # a dateline's place: "VIENNA (AP) - Roe said" is Roe's
            if subject.lower_ in PRONOUNS:
                if pronoun is None:  # "Roe said ..., he said": he is Roe
                    pronoun, pronoun_word = verb, subject.lower_
                continue
            if any(c.dep_ == "conj" or (c.dep_ == "appos" and c.conjuncts)
                   for c in subject.children) or _ends_a_list(subject):
                return None, "unnamed"  # "Roe and Doe said", "Roe, Doe and Poe said"
                # (the parse may hang the list on an apposition): no one speaker
            else:
                person = state.person(subject)
                if person is None and _is_role(subject):
                    person = _appositive(subject, state) or state.person_by_role(subject)
                if person is None and subject.pos_ == "PROPN" and not (
                        stamped and subject.idx == opening and not subject.ent_type_):
                    person = _named_body(subject)  # "CrowdStrike said", "Sunak said"; not
                    # a first word after a dateline that the model names nothing
            if person is None and subject.lower_ in _ROLE_WORDS:
                return None, "role"  # "Austria's transport minister said": someone the
                # article names elsewhere, perhaps; not the reporter, not anonymous
            if person is None:
                # the outermost sayer is someone unnamed ("the senior official told
                # reporters" over "Xi told Biden ..."): theirs, not a deeper name's
                return None, "unnamed"
            if _adds_own_account(unit, verb, quoted):
                return None, "unnamed"  # "He promised to ..., but few have been arrested"
            if _another_sayer(verb, person, state, quoted):
                return None, "unnamed"  # "Roe accused ..., while Doe warned ...": the
                # line names both, and one label would credit Doe's words to Roe
            told = None if inside else _told_by(verb, state, quoted)
            if told is not None:  # "Roe stressed ..., according to the embassy"
                return told
            return person, "verb"
    if pronoun is not None:
        if state.salient is None or not state.may_be(state.salient, pronoun_word):
            return None, "unnamed"  # "he", after an unnamed sayer or two named ones;
            # "she", after a man
        if _adds_own_account(unit, pronoun, quoted):
            return None, "unnamed"
        # "Roe said ... He added ...": Roe is a man, and a "she said" next is not his
        state.genders.setdefault(state.salient, set()).add(_GENDERED[pronoun_word])
        return state.salient, "verb"
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


def _told_by(verb: Token, state: _SourceState, quoted: Callable[[Token], bool]
             ) -> tuple[str | None, str] | None:
    """Whose account *verb*'s words are, when "according to" on the verb itself names
    a party, not the channel: "Roe stressed the need for talks, according to the
    embassy" is the embassy's readout of a meeting, not Roe's words: its person, or no
    one named (an office, a body). "Roe accused the opposition ..., according to
    Reuters" (an outlet, a translation, state media) is still Roe's, and so is a
    quotation, whoever passed it on: the caller asks only of sentences with none.
    None when the verb carries no "according to" or it names a channel."""
    for child in verb.children:
        if child.lower_ != "according" or quoted(child):
            continue
        sources = [obj for to in child.children for obj in to.children if obj.dep_ == "pobj"]
        if any(t.lower_ in _CHANNELS for obj in sources for t in obj.subtree):
            return None
        person = next((p for obj in sources if (p := state.person(obj))), None)
        return (person, "according") if person else (None, "unnamed")
    return None


# Words of a channel that passes someone's words on, not a party giving its account
_CHANNELS = frozenset("""reuters ap afp tass xinhua interfax anadolu bloomberg bbc cnn
    post times news newspaper journal telegraph guardian herald tribune gazette daily
    agency press media television tv radio broadcaster outlet outlets report reports
    reporting translation transcript video footage interview""".split())


# Lower-case words that begin names: "bin Laden", "al-Hayya", "de Gaulle", "van Dijk"
_PARTICLES = frozenset("bin ibn al el abu de da di du del van von le la".split())


def _as_name(speaker: str) -> str | None:
    """*speaker* as a name is written: without a lower-case word before it ("cofounder
    Sam Altman", the model's entity taking in the word before), and None when no word
    of it is one ("ministry", "defence ministry": a body the parse took for a name)."""
    words = speaker.split()
    while words and words[0][:1].islower() and (
            words[0].casefold().split("-")[0] not in _PARTICLES):
        words.pop(0)
    return " ".join(words) or None


def _entity(token: Token) -> Span | None:
    """The named entity *token* is part of, if any."""
    return next((e for e in token.doc.ents if e.start <= token.i < e.end), None)


def _full_name(token: Token) -> str | None:
    """The full name (two words or more, titles aside) of the person whose name *token*
    ends, as this very sentence spells it, if the model tags one there."""
    if token.ent_type_ != "PERSON":
        return None
    ent = _entity(token)
    name = _clean_name(ent) if ent is not None else ""
    parts = [word for word in name.split() if word.casefold() not in _ROLE_WORDS]
    name = " ".join(parts)
    return name if len(parts) >= 2 and parts[-1].casefold() == token.text.casefold() else None


def _appositive(noun: Token, state: _SourceState) -> str | None:
    """The person named between commas right after a sayer's role: "The city's mayor,
    Anna Keller, said ...". Not one after a longer phrase ("the father of the suspect,
    Tom Roe, said"), where the name may be the suspect's."""
    doc = noun.doc
    for name in noun.children:
        after = doc[name.right_edge.i + 1] if name.right_edge.i + 1 < len(doc) else None
        if (name.dep_ == "appos" and name.pos_ == "PROPN" and noun.i + 2 < len(doc)
                and doc[noun.i + 1].text == "," and name.left_edge.i == noun.i + 2
                and after is not None and (after.text == "," or after.i == noun.head.i or (
                    after.dep_ in {"aux", "auxpass"} and after.head.i == noun.head.i))):
            return state.person(name)  # the closing comma may be missing: "Iran's
            # Supreme Leader, Ayatollah Ali Khamenei has announced ..."
    return None


def _named_body(token: Token) -> str | None:
    """The name a proper-noun sayer the article never names in full goes by, as the
    sentence writes it ("Sunak said", the model tagging no person). None for an
    organisation, a country or a role ("CrowdStrike said", "Moscow said", "the
    Minister said"): a body's announcement is no one person's statement. Nor is a
    word the verb agrees with in the plural ("Mujaheddin returning from the mountains
    say ..."), or the tagger takes for a plural name ("BERLIN - Officials said"): many
    people, not one name. Nor is a web address ("Example.com said"): an outlet."""
    if (token.head.tag_ == "VBP" or token.tag_ == "NNPS" or token.like_url
            or token.lower_ in _ROLE_WORDS):
        return None  # nor is a role's title a name: "Iran's Supreme Leader" is not "Supreme"
    ent = _entity(token)
    if ent is not None:
        return (_clean_name(ent) or None) if ent.label_ == "PERSON" else None
    words = [c for c in token.children if c.dep_ == "compound" and c.i < token.i]
    name = _spelled([t for t in (*words, token) if t.lower_ not in _ROLE_WORDS])
    return name or None


def _ends_a_list(subject: Token) -> bool:
    """Is *subject* the last name of a list the parse broke up, "Roe and Vice President
    Doe shouted" giving only Doe to the verb? A name, "and", then the subject's titles,
    before it or among its own compounds."""
    start = min([c.i for c in subject.children if c.dep_ == "compound" and c.i < subject.i]
                + [subject.i])
    if any(t.lower_ in {"and", "&"} for t in subject.doc[start : subject.i]):
        return True  # "Roe and Vice President Doe" parsed as one name
    i = start - 1
    while i >= 0 and subject.doc[i].lower_ in _ROLE_WORDS:
        i -= 1
    return i > 0 and subject.doc[i].lower_ in {"and", "&"} and subject.doc[i - 1].pos_ == "PROPN"


def _sayers(verb: Token) -> list[Token]:
    """The subjects of a speech verb: "Roe said", the agent of "was hailed by Roe as",
    or for "Roe cast doubt ..., arguing that ..." the head verb's subject."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if len(subjects) > 1 and subjects[-1].left_edge.i > 0 and (
            verb.doc[subjects[-1].left_edge.i - 1].text == ","):
        # the parse gave two, the second set off by a comma ("Raisi, Putin said ...,
        # was", "Iran's Supreme Leader, Ayatollah Ali Khamenei has announced"): the
        # second is the sayer
        subjects.insert(0, subjects.pop())
    if not subjects:
        subjects = [
            obj for agent in verb.children if agent.dep_ == "agent"
            for obj in agent.children if obj.dep_ == "pobj"
        ]
    passive = any(c.dep_ == "auxpass" for c in verb.children)  # "but was accused of ...":
    # the head's subject is who is spoken of, not who speaks
    if (not subjects and verb.dep_ in {"advcl", "xcomp", "conj"} and not _after_a_name(verb)
            and not _reported(verb.head) and not passive):
        subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not subjects:  # "Roe, fresh off a visit to Paris, said": the parse gave Roe to "fresh"
        subjects = [c for clause in verb.children if clause.dep_ == "advcl" and clause.i < verb.i
                    and not any(m.dep_ == "mark" for m in clause.children)  # "While Roe ..."
                    for c in clause.children if c.dep_ == "nsubj" and c.i < clause.i
                    and c.pos_ == "PROPN"]
    return subjects


def _is_speech(verb: Token) -> bool:
    """Does *verb* report a statement (lexicon.SPEECH_VERBS), not an act in a speech
    verb's words: a decree, "Roe declared a state of emergency" (a thing declared),
    "Roe declared himself president", not "Roe declared that the port is open"; or a
    greeting, "Roe welcomed Doe" (a person welcomed), not "Roe welcomed the deal"? An
    act is the reporter's account, and no one's words."""
    lemma = verb.lemma_.casefold()
    if lemma not in SPEECH_VERBS:
        return False
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    clauses = [c for c in verb.children if c.dep_ in {"ccomp", "xcomp"}]
    if lemma in _DECREE_VERBS:
        if objects or _of_oneself(verb):
            return False  # a thing declared; a clause beside it is the parse's slip
            # ("declared a day of mourning ..., and more than 90 were injured")
        # "declared that the port is open" says; "declared the vote void" (no verb) acts
        return not clauses or any(c.pos_ in {"VERB", "AUX"} for c in clauses)
    if clauses:
        # "explained why he withdrew the bill", "told reporters how it happened": the
        # reporter names what was spoken of, the line says nothing in the speaker's words
        return not all(_asks(c) for c in clauses)
    if lemma in _TOPIC_VERBS and objects and not any(
            t.dep_ == "prep" and t.lower_ == "as" for t in verb.subtree):
        return False  # "explains the decision"; not "described the attack as an act of war"
    if lemma in _GREETING_VERBS:
        return not any(c.ent_type_ == "PERSON" for c in objects)
    return True


def _another_sayer(verb: Token, person: str, state: _SourceState,
                   quoted: Callable[[Token], bool]) -> bool:
    """Does a clause joined to *verb* report someone else's words ("..., while Doe
    warned that ...", "... and Doe said ...")?"""
    for other in verb.children:
        if other.dep_ not in {"advcl", "conj"} or quoted(other) or not _is_speech(other):
            continue
        for subject in (c for c in other.children if c.dep_ == "nsubj"):
            name = state.person(subject)
            if name is not None and not one_person(name, person):
                return True
    return False


def _asks(clause: Token) -> bool:
    """Does *clause* open with a question word of its own verb: "why he withdrew the
    bill"; not "what the city needed was a bridge", a statement of what it needs?"""
    first = clause.doc[clause.left_edge.i]
    return (first.lower_ in _WH_WORDS and not first.is_upper  # "WHO is ready", the body
            and first.tag_ in {"WRB", "WP", "WDT", "IN"}
            and (first.head.i == clause.i  # or hung on its auxiliary: "why it was closed"
                 or (first.head.dep_ in {"aux", "auxpass"} and first.head.head.i == clause.i)))


def _of_oneself(verb: Token) -> bool:
    """Does *verb* take its own subject as its object: "declared himself head of the
    council" (a post taken, however the parse hangs the words after it)?"""
    after = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    return after is not None and after.lower_ in _REFLEXIVES


_REFLEXIVES = frozenset({"himself", "herself", "itself", "themselves", "themself"})


def _beside_an_act(verb: Token) -> bool:
    """Is speech verb *verb* a participle or a second verb beside a decree, the
    sentence's main act ("declared martial law, citing a threat", "declared a day of
    mourning, urging unity", "declared martial law and accused the opposition ...")?
    The sentence reports what its subject did, in the reporter's words: why they said
    they did it does not make the decree their statement. (Beside words that are
    themselves a statement, "issued a statement, saying ...", they do.)"""
    head = verb.head
    while head.dep_ == "prep" and head.head.i != head.i:  # "after pledging to ..."
        head = head.head
    return (verb.dep_ in {"advcl", "conj", "pcomp"} and head.dep_ == "ROOT"
            and head.lemma_.casefold() in _DECREE_VERBS and not _is_speech(head))


def _not_yet(verb: Token) -> bool:
    """Is *verb* what someone has "yet to" do ("has yet to comment")?"""
    return [t.lower_ for t in verb.doc[max(verb.i - 2, 0) : verb.i]] == ["yet", "to"]


def _reported(verb: Token) -> bool:
    """Is *verb* in what someone is said to have said ("Woo said the president should
    lift the order, noting ...")? Its subject is not who speaks: "noting" is Woo's."""
    return any(t.dep_ == "ccomp" and t.head.lemma_.casefold() in SPEECH_VERBS
               for t in (verb, *verb.ancestors))


def _after_a_name(verb: Token) -> bool:
    """Does a name come right before *verb* (its auxiliaries and adverbs aside)? Then
    the parse has missed the verb's own subject ("Roe had been in Paris and the
    party's leader Doe vowed ..."), and the first clause's is not it."""
    before = verb.i - 1
    while before >= 0 and verb.doc[before].dep_ in {"aux", "auxpass", "neg", "advmod"}:
        before -= 1
    return before >= 0 and verb.doc[before].pos_ == "PROPN"


def _closes_sentence(verb: Token) -> bool:
    """Is *verb* a reporting clause at the end of its sentence, after a comma ("...,
    Roe told reporters." or "..., said Roe.")?"""
    sent = verb.sent
    last = max((t.i for t in sent if not t.is_punct), default=verb.i)
    if verb.right_edge.i < last:
        return False
    clause_start = min([verb.i, *(c.left_edge.i for c in verb.children if c.dep_ == "nsubj")])
    before = verb.doc[clause_start - 1] if clause_start > sent.start else None
    if before is not None and before.is_quote and before.i > sent.start:
        before = verb.doc[before.i - 1]  # '..., "quoted," the newspaper writes.'
    return before is not None and before.text in {",", "—", "–"} and verb.dep_ != "ROOT"


def _in_relative_clause(verb: Token) -> bool:
    """Is *verb* in a clause that tells of a noun ("the deal that Trump had suggested
    was a condition", "a mutiny which Putin said could have ...") or of a time ("While
    Roe urged ..., Doe and Poe accused him") or of the circumstances ("Putin spoke
    after a night of fighting, with Roe vowing ..."). Its sayer speaks of that, not
    the line's news."""
    return any(t.dep_ in {"relcl", "acl"}
               or (t.dep_ == "advcl" and any(c.dep_ == "mark" for c in t.children))
               or (t.dep_ in {"pcomp", "pobj"} and t.head.lower_ == "with"
                   and any(c.dep_ == "nsubj" for c in t.children))
               for t in (verb, *verb.ancestors))


def _words_outside(text: str, quotes: list[tuple[int, int, str]]) -> bool:
    """Has *text* words before its first quotation or after its last ('"..." Vance
    asked Zelensky.')? Between two, a page's stray quotation marks may leave some."""
    if not quotes:
        return any(ch.isalpha() for ch in text)
    outside = text[: quotes[0][0]] + text[quotes[-1][1] :]
    return any(ch.isalpha() for ch in outside)


def _in_main_clause(verb: Token) -> bool:
    """Is *verb* the sentence's main verb, or joined to it as what was said or done
    (a reported clause, a second main verb), rather than in a subordinate clause?"""
    token = verb
    for _ in range(50):
        if token.dep_ == "ROOT" or token.head.i == token.i:
            return True
        if token.dep_ not in {"ccomp", "conj", "xcomp", "parataxis", "aux", "auxpass", "acomp"}:
            return False  # advcl, relcl, acl, pcomp...: the date of something else
        token = token.head
    return False


def _adds_own_account(unit: Span, verb: Token, quoted: Callable[[Token], bool]) -> bool:
    """Does the sentence join to the speaker's words a clause of the reporter's own,
    with another subject ("..., but very few have been arrested", "Roe won the seat,
    while Doe said ...")? Then the line is not the speaker's statement, and a label
    would say it is."""
    sayers = {t.i for t in _sayers(verb)}
    if verb.dep_ in {"advcl", "conj"} and verb.head.lemma_.casefold() not in SPEECH_VERBS:
        head = verb.head
        subjects = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if head.pos_ in {"VERB", "AUX"} and not quoted(head) and any(
            s.i not in sayers and s.lower_ not in PRONOUNS for s in subjects
        ):
            return True
    main = verb if verb.dep_ == "ROOT" else verb.head if verb.dep_ in {"advcl", "xcomp"} else verb
    for clause in main.children:
        if clause.dep_ != "conj" or clause.pos_ not in {"VERB", "AUX"} or quoted(clause):
            continue
        if clause.lemma_.casefold() in SPEECH_VERBS:
            continue  # "said X and added Y": still the speaker's
        subjects = [c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass", "expl"}]
        if any(s.lower_ not in PRONOUNS and s.i not in sayers for s in subjects):
            return True
    return False


def _update_salience(
    unit: Span, state: _SourceState, speaker: str | None, how: str = ""
) -> None:
    """Track the person the next "he" refers to: the last named subject. After an
    unnamed sayer ("a militant told the crowd"), or a sentence naming someone else
    but not as its subject, "he" may be them: no one."""
    if speaker:
        state.salient = state.named = speaker
        return
    if how in {"unnamed", "role"}:
        state.salient = None
        return
    for sent in unit.sents:  # type: ignore[attr-defined]  # missing from spaCy's stubs
        named_subject = False
        for subject in (c for c in sent.root.children if c.dep_ == "nsubj"):
            people = [state.person(t) or _by_role(t, state) for t in (subject, *subject.conjuncts)]
            named = {p for p in people if p}
            named_subject = named_subject or bool(people[0])
            if len(named) > 1 or (named and subject.conjuncts):
                state.salient = None  # "Roe and Doe ...": "he" is ambiguous next
            elif named:
                state.salient = state.named = named.pop()
        if not named_subject:
            others = {state.person(e.root) for e in sent.ents if e.label_ == "PERSON"}
            if others - {state.salient, None}:
                state.salient = None  # "... opened with an address from X.", then "he
                # said": X, or the last named subject before; no one, then


def _by_role(subject: Token, state: _SourceState) -> str | None:
    """The person a role names as a subject ("The minister also spoke about ...")."""
    return state.person_by_role(subject) if _is_role(subject) else None


def _is_role(token: Token) -> bool:
    """May *token* be a role ("the minister", "the Minister") rather than a name?"""
    return token.pos_ == "NOUN" or token.lower_ in _ROLE_WORDS


def _is_stance(unit: Span) -> bool:
    """A tone or a topic, not an event: "underlined the value of ...", "discussed X",
    or a comment not given: "did not respond to a request for comment"."""
    words = _rhetoric()
    root = unit.root
    withheld = root.lemma_.casefold() in _WITHHOLD  # "declined to comment"
    if withheld:
        root = next((c for c in root.children if c.dep_ == "xcomp"), root)
    if (
        root.lemma_.casefold() in words.silence_verbs
        and (withheld or any(c.dep_ == "neg" for c in root.children))
        and any(t.lemma_.casefold() == "comment" for t in root.subtree)
        and not any(c.dep_ in {"conj", "ccomp"} for c in root.children)  # "..., but said"
    ):
        return True
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


# Prepositions that put a date at an end of a time, not on what happened: "will serve
# until March 1", "must be repaired by Friday", "had not been seen since May".
_BOUNDS = frozenset("until till through by before since after".split())


def _dated_verb(ent: Span) -> Token | None:
    """The verb a date modifies ("said on May 19"); None for a noun's ("the May 16 talks"),
    and for a present perfect's ("has risen"), which English never dates to one past
    day: such a date belongs to a clause the parse misplaced ("the quake that struck
    on Monday has killed ...")."""
    root = ent.root
    if root.dep_ == "compound" and root.head.lemma_.casefold() in _TIMES_OF_DAY:
        root = root.head  # "on Tuesday night": the night's verb is the day's
    if root.dep_ == "pobj" and root.head.lower_ in _BOUNDS:
        return None  # "appointed until March 1", "repaired by Friday": a period's end
    if root.dep_ == "pobj" and root.head.dep_ == "prep":
        head = root.head.head
    elif root.dep_ in {"npadvmod", "advmod", "tmod", "prep"}:  # "prep": "earlier on Tuesday"
        head = root.head
    else:
        return None
    if head.pos_ == "ADV" and head.head.pos_ in {"VERB", "AUX"}:  # "earlier on Tuesday"
        head = head.head
    if head.tag_ == "VBN" and any(
        c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in {"VBZ", "VBP"} for c in head.children
    ):
        return None
    return head if head.pos_ in {"VERB", "AUX"} else None


_TIMES_OF_DAY = frozenset("morning afternoon evening night".split())
_FUTURE_VERBS = frozenset("expect schedule plan intend aim prepare".split())  # "is
# scheduled to meet on Friday", "plans to travel on Monday"
_FUTURE_AUX = frozenset({"will", "'ll", "shall", "would", "'d"})  # "said he would visit
# on Friday": the Friday to come, seen from the saying
_FUTURE_HEADS = frozenset({"due", "set", "poised"})  # "is due to vote on Thursday"


def _is_future(verb: Token) -> bool:
    """The verb speaks of what is to come: "will meet", "is expected to travel", "is
    due to vote", "said he would visit"."""
    for token in (verb, *verb.ancestors):
        if token.lemma_ in _FUTURE_VERBS or token.lower_ in _FUTURE_HEADS or any(
            c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in token.children
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
    if first.lower_ in _DEMONSTRATIVES and first.dep_ == "det":
        return True  # "This decision comes ...", "Such attacks ...": which one?
    opening = unit.text[first.idx - unit.start_char :].casefold()
    return opening.startswith(_LEANING_OPENINGS)


# Openings that lean on the sentence before: the reader of one line cannot tell who or
# what they mean ("In turn, Israel released 39 ...", "Of the 190 members, 172 ...")
_DEMONSTRATIVES = frozenset({"this", "that", "these", "those", "such"})
_LEANING_OPENINGS = (
    "for his part", "for her part", "for their part", "in turn", "in return", "in response",
    "of the ", "of those", "of them", "among them", "the latter", "instead",
    "the two ", "both ",
)


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:  # Tokens are views: compare positions
        token = token.head
        depth += 1
    return depth


def _country(word: str) -> str | None:
    return country_aliases().get(word.casefold().removesuffix("'s").removesuffix("’s"))


def _clean_name(ent: Span) -> str:
    words = [t for t in ent if t.lower_ not in _TITLE_WORDS and t.text not in {"'s", "’s"}]
    if all(word.lower_ in _ROLE_WORDS for word in words):
        return ""  # "Deputy Minister": a role, not a name
    return _spelled(words).strip(" ,.'’")


_HYPHENS = frozenset("-‐‑")  # hyphen-minus, hyphen, non-breaking hyphen


def _with_hyphened(words: list[Token]) -> list[Token]:
    """A name's words with the parts hyphens join to them, as the parse leaves them
    out: "General Waker-Us-Zaman" is "Waker-Us-Zaman", not "Us Zaman"."""
    doc = words[-1].doc
    picked = {t.i for t in words}
    for word in words:
        i = word.i
        while (i >= 2 and doc[i - 1].text in _HYPHENS and not doc[i - 1].whitespace_
               and not doc[i - 2].whitespace_ and doc[i - 2].pos_ == "PROPN"):
            picked.update((i - 1, i - 2))
            i -= 2
    return [doc[i] for i in sorted(picked)]


def _spelled(words: Sequence[Token]) -> str:
    """A name's words as the text spaces them: "Khalil Al-Hayya", not "Al - Hayya";
    words the name leaves out between two ("Roe's Doe") part them with a space; and
    as names are written (``_as_name``): "" for words that are no name."""
    spelled = "".join(t.text + (" " if t.whitespace_ or after.i != t.i + 1 else "")
                      for t, after in pairwise(words)) + (words[-1].text if words else "")
    return _as_name(spelled) or ""
