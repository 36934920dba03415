"""Load and validate a themes file.

A themes file is TOML. Each ``[[theme]]`` has a ``title``, a ``key`` (by default
made of the title) and ``patterns`` in the form spaCy's ``EntityRuler`` takes: a phrase
(``{pattern = "harbour strike"}``) or a list of token dicts
(``{pattern = [{LOWER = "trade"}, {ORTH = "-"}, {LOWER = "off"}]}``), each with an
optional ``weight``. An ``[other]`` table names the section for facts that match
no theme. The default file ships with the package (``briefing/facts/themes.toml``).
A mistake is reported at the line it is on, a misspelt key by name, with the
key it was probably meant to be.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ThemesError
from ..models import LIMITS, Pattern, Theme, Themes
from ..sources.files import load_toml, read_file

__all__ = ["DEFAULT_THEMES", "load_themes"]

logger = logging.getLogger(__name__)

DEFAULT_THEMES = Path(__file__).parent / "themes.toml"

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# What a phrase pattern is compared on: LOWER (any case), ORTH (exact case), NORM
# (spaCy's normalised form), or LEMMA: as LOWER, and also any form of the words
# that has the same dictionary form (extract.ThemeMatcher), so "bombing" finds
# "bombings".
_MATCH_ATTRS = ("LOWER", "ORTH", "NORM", "LEMMA")
_TOP_KEYS = ("theme", "other", "match_attr")
_THEME_KEYS = ("key", "title", "patterns")
_PATTERN_KEYS = ("pattern", "weight", "label", "id")
# Token-pattern keys spaCy's Matcher accepts; anything else is almost always a typo.
_TOKEN_KEYS = {
    "ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE", "SHAPE",
    "LENGTH", "IS_ALPHA", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
    "IS_SPACE", "IS_STOP", "LIKE_NUM", "OP", "MORPH", "ENT_IOB", "ENT_ID",
}
_FLAG_KEYS = {"IS_ALPHA", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
              "IS_SPACE", "IS_STOP", "LIKE_NUM"}
_OPERATOR = re.compile(r"^(?:[!?+*]|\{\d+\}|\{\d*,\d*\})$")
_LIST_CONDITIONS = {"IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS"}
_FUZZY = {"FUZZY", *(f"FUZZY{n}" for n in range(1, 10))}
_COMPARISONS = {"==", "!=", ">=", "<=", ">", "<"}


def load_themes(path: str | Path | None = None) -> Themes:
    """Read a themes file (the packaged default when *path* is None) and validate it."""
    file = Path(path) if path is not None else DEFAULT_THEMES
    name = str(path) if path is not None else file.name
    try:
        raw = read_file(file, limit=LIMITS.max_settings_bytes, name=name,
                        what="a themes file", error=ThemesError).decode("utf-8")
    except FileNotFoundError:
        raise ThemesError(f"{name}: themes file not found; check the --themes path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ThemesError(f"{name}: cannot read themes file ({_reason(error)})") from None
    try:
        data = load_toml(raw, depth=LIMITS.max_settings_depth)
    except ValueError as error:  # TOMLDecodeError is one
        raise ThemesError(f"{name}: not valid TOML: {error}") from None
    themes = _parse(data, name, raw)
    logger.debug("loaded %d themes from %s", len(themes.themes), name)
    return themes


def _parse(data: dict[str, Any], name: str, raw: str) -> Themes:
    unknown = set(data) - set(_TOP_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ThemesError(
            f"{name}:{_field_line(raw, key)}: unknown top-level key {key!r}"
            f"{_did_you_mean(key, _TOP_KEYS)}; expected [[theme]], [other] and match_attr"
        )
    match_attr = data.get("match_attr", "LOWER")
    if match_attr not in _MATCH_ATTRS:
        raise ThemesError(
            f"{name}:{_field_line(raw, 'match_attr')}: match_attr {match_attr!r} is not one of "
            f"{', '.join(_MATCH_ATTRS)}"
        )
    tables = data.get("theme")
    if not isinstance(tables, list) or not tables:
        raise ThemesError(f"{name}: no [[theme]] tables; add at least one theme")
    themes: list[Theme] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        theme = _parse_theme(table, name, raw, index, require_patterns=True)
        if theme.key in seen:
            raise ThemesError(
                f"{name}:{_key_line(raw, theme.key, index)}: theme key {theme.key!r} is used "
                "twice; keys must be unique"
            )
        seen.add(theme.key)
        themes.append(theme)
    other_table = data.get("other", {"key": "other", "title": "Other points"})
    other = _parse_theme(other_table, name, raw, 0, require_patterns=False)
    if other.key in seen:
        raise ThemesError(
            f"{name}:{_key_line(raw, other.key, 0)}: [other] key {other.key!r} is also a "
            "theme key; give it its own key"
        )
    return Themes(themes=tuple(themes), other=other, path=name, match_attr=match_attr)


def _parse_theme(
    table: Any, name: str, raw: str, index: int, *, require_patterns: bool
) -> Theme:
    where = f"theme #{index}" if index else "[other]"
    if not isinstance(table, dict):
        raise ThemesError(f"{name}: {where} is not a table")
    start = _table_line(raw, index)
    key = table.get("key")
    if key is None:  # the title names it: "Ships and cargo" is "ships-and-cargo"
        key = _slug(table.get("title"))
        if not key:
            raise ThemesError(f"{name}:{start}: {where} has no title; add title = \"...\"")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ThemesError(
            f"{name}:{_field_line(raw, 'key', start)}: {where} has key {key!r}; "
            "use lowercase letters, digits, '-' or '_'"
        )
    line = _key_line(raw, key, index)
    unknown = set(table) - set(_THEME_KEYS)
    if unknown:
        field = sorted(unknown)[0]
        raise ThemesError(
            f"{name}:{_field_line(raw, field, start)}: theme {key!r} has unknown field "
            f"{field!r}{_did_you_mean(field, _THEME_KEYS)}; expected key, title and patterns"
        )
    title = table.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ThemesError(f"{name}:{line}: theme {key!r} has no title; add title = \"...\"")
    patterns = table.get("patterns", [])
    if not isinstance(patterns, list):
        raise ThemesError(f"{name}:{line}: theme {key!r}: patterns must be a list")
    if require_patterns and not patterns:
        raise ThemesError(f"{name}:{line}: theme {key!r} has no patterns; add at least one")
    if not require_patterns and patterns:
        raise ThemesError(
            f"{name}:{line}: [other] takes no patterns; it holds what matches no theme"
        )
    parsed = tuple(_parse_pattern(p, name, raw, (start, line), key, n)
                   for n, p in enumerate(patterns, 1))
    return Theme(key=key, title=title.strip(), patterns=parsed)


def _parse_pattern(item: Any, name: str, raw: str, lines: tuple[int, int], key: str,
                   number: int) -> Pattern:
    """One pattern; *lines*: where its theme's table starts, and its key's line."""
    start, line = lines
    where = f"{name}:{line}: theme {key!r} pattern #{number}"
    if isinstance(item, str):  # a bare phrase is accepted as shorthand
        item = {"pattern": item}
    if not isinstance(item, dict):
        raise ThemesError(f"{where} is not of the form {{pattern = \"...\"}}")
    unknown = set(item) - set(_PATTERN_KEYS)
    if unknown:
        field = sorted(unknown)[0]
        raise ThemesError(
            f"{name}:{_field_line(raw, field, start)}: theme {key!r} pattern #{number} has "
            f"unknown field {field!r}{_did_you_mean(field, _PATTERN_KEYS)}; "
            "write it as {pattern = \"...\", weight = 2}"
        )
    if "pattern" not in item:
        raise ThemesError(f"{where} is not of the form {{pattern = \"...\"}}")
    weight = item.get("weight", 1.0)
    if (isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0
            or not math.isfinite(weight)):  # TOML has nan and inf: no ranking takes them
        raise ThemesError(f"{where}: weight {weight!r} must be a positive number")
    pattern = item["pattern"]
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ThemesError(f"{where} is empty; give a phrase")
        return Pattern(pattern=pattern.strip(), weight=float(weight))
    if not isinstance(pattern, list) or not pattern:
        raise ThemesError(f"{where} must be a phrase or a non-empty list of token dicts")
    for token in pattern:
        if not isinstance(token, dict) or not token:
            raise ThemesError(f"{where}: each token must be a table like {{LOWER = \"gas\"}}")
        bad = {k for k in token if k.upper() not in _TOKEN_KEYS}
        if bad:
            attribute = sorted(bad)[0]
            raise ThemesError(
                f"{name}:{_field_line(raw, attribute, start)}: theme {key!r} pattern "
                f"#{number}: unknown token attribute {attribute!r}"
                f"{_did_you_mean(attribute.upper(), sorted(_TOKEN_KEYS))}"
            )
        for attribute, value in token.items():
            problem = _token_value_problem(attribute.upper(), value)
            if problem:
                raise ThemesError(f"{where}: {attribute} {problem}")
    tokens = tuple({k.upper(): v for k, v in token.items()} for token in pattern)
    return Pattern(pattern=tokens, weight=float(weight))


def _token_value_problem(key: str, value: Any) -> str | None:
    """What is wrong with *value* for the token attribute *key*, as spaCy's Matcher
    takes them (its pattern schema); None when it is fine. Checked here, on load, so
    a mistake is named in the file rather than found by spaCy in a worker."""
    if key == "OP":
        if isinstance(value, str) and _OPERATOR.match(value):
            return None
        return f"{_shown(value)} is not an operator; use !, ?, +, *, {{n}}, {{n,m}}"
    if key in _FLAG_KEYS:
        return None if isinstance(value, bool) else f"{_shown(value)} must be true or false"
    numeric = key == "LENGTH"
    expected = "a number" if numeric else "text"
    if _plain_value(value, numeric=numeric):
        return None
    if not isinstance(value, dict) or not value:
        return f"{_shown(value)} must be {expected} or a table of conditions such as " \
               '{IN = ["a", "b"]}'
    for condition, argument in value.items():
        if condition in _LIST_CONDITIONS:
            if not isinstance(argument, list) or not all(
                    _plain_value(item, numeric=numeric) for item in argument):
                return f"{condition} takes a list of {expected}, not {_shown(argument)}"
        elif condition == "REGEX":
            if not isinstance(argument, str):
                return f"REGEX takes text, not {_shown(argument)}"
            try:
                re.compile(argument)
            except re.error as error:
                return f"REGEX {argument!r} is not a regular expression ({error})"
        elif condition in _FUZZY and not numeric:
            if not isinstance(argument, str):
                return f"{condition} takes text, not {_shown(argument)}"
        elif condition in _COMPARISONS and numeric:
            if isinstance(argument, bool) or not isinstance(argument, int | float):
                return f"{condition} takes a number, not {_shown(argument)}"
        else:
            return f"has unknown condition {condition!r}"
    return None


def _plain_value(value: Any, *, numeric: bool) -> bool:
    if numeric:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _slug(title: object) -> str:
    """A theme key made of *title*: ASCII letters and digits, '-' between words."""
    if not isinstance(title, str):
        return ""
    letters = unicodedata.normalize("NFKD", title.lower())  # "ü" is "u" and an accent
    plain = "".join(char for char in letters if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _table_line(raw: str, index: int) -> int:
    """The line of the *index*-th ``[[theme]]`` header (0: the ``[other]`` header)."""
    header = re.compile(r"^\s*\[\[\s*theme\s*\]\]" if index else r"^\s*\[\s*other\s*\]")
    seen = 0
    for number, text in enumerate(raw.splitlines(), start=1):
        if header.match(text):
            seen += 1
            if seen >= max(index, 1):
                return number
    return 1


def _field_line(raw: str, field: str, start: int = 1) -> int:
    """The first line, from line *start* on, where *field* is written as a key
    (``field =``, ``{field =``, ``[field]``, ``[[field]]``); else *start*."""
    key = re.compile(
        rf"""(?:^|[\s{{,])["']?{re.escape(field)}["']?\s*=|^\s*\[\[?\s*{re.escape(field)}\s*\]"""
    )
    lines = raw.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        if key.search(lines[number - 1]):
            return number
    return start


def _key_line(raw: str, key: str, index: int) -> int:
    """The line of the ``key = "..."`` that names the theme *key*."""
    start = _table_line(raw, index)
    named = re.compile(rf"""(?:^|[\s{{,])key\s*=\s*["']{re.escape(key)}["']""")
    for number, text in enumerate(raw.splitlines()[start - 1:], start=start):
        if named.search(text):
            return number
    return start


def _did_you_mean(word: str, known: Sequence[str]) -> str:
    """ " (did you mean 'x'?)" for a close known key, else nothing."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)
