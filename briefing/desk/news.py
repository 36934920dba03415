"""What is new: a brief set against its desk's last brief, and the desk's pins and drops.

Each line is given its stable id (``lines.line_id``) and a status against the
lines the last brief held (those it printed, left out as already briefed, or
had dropped: all of them the desk has seen):

- ``repeat``: the same line, or a line every sentence of which (each source's
  quote) the last brief held. Left out, counted as "not repeated", unless
  ``repeat_old`` or a pin keeps it;
- ``update``: the same statement (a quote or the line's wording shared) with a
  sentence the last brief did not have, from a new source or changed; or the same
  sentence with a figure changed ("12 dead" then "19 dead");
- ``new``: anything else, and every line when there is no earlier brief.

A line whose id is dropped is left out whatever its status (a line that changes
gets a new id, and comes back); a pinned line, or the update of one, stays on the
page (``render.fit_to_page`` never drops it). This runs after ``select`` and before
the page fit, so the fit fills the page with what is left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..models import Brief, Item
from .lines import LineKeys, line_keys, source_identity

__all__ = ["Choices", "LastBrief", "mark_news"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastBrief:
    """What the desk's last brief of an earlier date held: every line it saw."""

    id: int  # in the history
    date: dt.date
    lines: tuple[LineKeys, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))


@dataclass(frozen=True)
class Choices:
    """The desk officer's choices: line ids to keep on the page and to leave out."""

    pins: frozenset[str] = frozenset()
    drops: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "pins", frozenset(self.pins))
        object.__setattr__(self, "drops", frozenset(self.drops))


def mark_news(
    brief: Brief,
    last: LastBrief | None = None,
    *,
    choices: Choices = Choices(),
    repeat_old: bool = False,
) -> Brief:
    """*brief* with every line's id and status, less the lines not repeated or dropped.

    Lines keep their sections and order. Without *last* every line is new and
    nothing is left out but the dropped lines.
    """
    identities = {source.id: source_identity(source) for source in brief.sources}
    known = _Known.of(last.lines if last is not None else ())
    themes = []
    not_repeated: list[Item] = []
    struck: list[Item] = []
    for theme in brief.themes:
        kept = []
        for item in theme.items:
            keys = line_keys(item, identities)
            status, updates = _status(keys, known) if last is not None else ("new", None)
            pinned = keys.id in choices.pins or (updates is not None and updates in choices.pins)
            marked = dataclasses.replace(item, id=keys.id, status=status, updates=updates,
                                         pinned=pinned)
            if keys.id in choices.drops:
                struck.append(marked)
            elif status == "repeat" and not (repeat_old or pinned):
                not_repeated.append(marked)
            else:
                kept.append(marked)
        themes.append(dataclasses.replace(theme, items=tuple(kept)))
    if last is not None:
        counts = {s: sum(i.status == s for t in themes for i in t.items) for s in ("new", "update")}
        logger.info("since the brief of %s: %d new, %d updates, %d not repeated, %d dropped",
                    last.date, counts["new"], counts["update"], len(not_repeated), len(struck))
    return dataclasses.replace(
        brief, themes=tuple(themes), since=last.date if last is not None else None,
        not_repeated=tuple(not_repeated), struck=tuple(struck),
    )


@dataclass(frozen=True)
class _Known:
    """The last brief's lines, with their ids and every sentence they quoted, gathered
    once for all the lines compared with them."""

    lines: Sequence[LineKeys]
    ids: frozenset[str]
    quotes: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, lines: Sequence[LineKeys]) -> _Known:
        return cls(lines, frozenset(line.id for line in lines),
                   frozenset().union(*(line.quotes for line in lines)))


def _status(keys: LineKeys, known: _Known) -> tuple[str, str | None]:
    """How a line stands against the *known* lines, and the id of the one it updates."""
    if keys.id in known.ids:
        return "repeat", None
    if keys.quotes <= known.quotes:  # every source's sentence was briefed: lines merged anew
        return "repeat", None
    for line in known.lines:
        if keys.quotes & line.quotes or keys.text == line.text:  # one statement, a new source
            return "update", line.id
    for line in known.lines:
        same_sentence = keys.masked == line.masked or keys.masked_quotes & line.masked_quotes
        if same_sentence and keys.figures != line.figures:
            return "update", line.id
    return "new", None


def unknown_choices(brief: Brief, ids: Collection[str]) -> list[str]:
    """The ids among *ids* that no line of *brief* has (printed or left out)."""
    present = {item.id for item in (*brief.items, *brief.not_repeated, *brief.struck)}
    present |= {item.updates for item in brief.items if item.updates}
    return sorted(set(ids) - present)
