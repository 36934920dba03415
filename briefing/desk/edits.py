"""The desk officer's edits file (``--edits FILE``): the line ids to pin and to drop.

A small TOML file that a daily job passes to every build, so the officer's
choices survive the next build::

    # Edits of the desk "Ferry disaster" (briefing build --edits)
    pin = [
      "3f9a2c1b7d",  # Coast guard: At least 19 people died ...
    ]
    drop = [
      "0c9e1d22aa",  # The ferry was built in 1998 ...
    ]

``briefing build --edits FILE --pin ID --drop ID`` adds its choices to the file
(the last choice of an id wins: dropping a pinned line unpins it), each with its
line as a comment. Removing an id from the file undoes it. A pinned line that a
build finds updated (new figures, a new wording: a new id) is pinned in the file
under its new id by that build, whether or not it was given choices: otherwise
the pin would be lost once the update is itself the last brief.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import BriefingError
from ..models import LIMITS, Brief, Item
from ..sources.files import load_toml, read_file
from .lines import ID_LENGTH
from .news import Choices

__all__ = ["EditsError", "check_id", "keep_edits", "load_edits", "merge_choices",
           "save_edits"]

_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}\Z")
_KEYS = ("pin", "drop")
_COMMENT_CHARS = 70  # of a line's text beside its id, enough to recognise it


class EditsError(BriefingError):
    """The edits file cannot be read, does not validate, or cannot be written."""


def check_id(value: str, *, where: str) -> str:
    """*value* as a line id (lower case), or an EditsError naming *where* it was given."""
    line = value.strip().lower()
    if not _ID.match(line):
        raise EditsError(f"{where}: {value!r} is not a line id ({ID_LENGTH} hex digits, as "
                         "`briefing inspect BRIEF.json` and the JSON's `id` show them)")
    return line


def load_edits(path: str | Path) -> Choices:
    """The pins and drops of the edits file *path*; a missing file holds none."""
    try:
        raw = read_file(path, limit=LIMITS.max_settings_bytes, what="an edits file",
                        error=EditsError)
        data = load_toml(raw.decode("utf-8"), depth=LIMITS.max_settings_depth)
    except FileNotFoundError:
        return Choices()
    except (OSError, UnicodeDecodeError) as error:
        raise EditsError(f"{path}: cannot read the edits file ({error}); check the path "
                         "given to --edits") from None
    except ValueError as error:  # tomllib.TOMLDecodeError is one
        raise EditsError(f"{path}: not valid TOML ({error}); fix the file or remove it") from None
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise EditsError(f"{path}: unknown key {unknown[0]!r}; an edits file holds only "
                         "`pin` and `drop`, each a list of line ids")
    lists: dict[str, frozenset[str]] = {}
    for key in _KEYS:
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise EditsError(f"{path}: `{key}` must be a list of line ids in quotes, "
                             f'such as {key} = ["3f9a2c1b7d"]')
        lists[key] = frozenset(check_id(v, where=f"{path}: {key}") for v in values)
    both = sorted(lists["pin"] & lists["drop"])
    if both:
        raise EditsError(f"{path}: line {both[0]} is both pinned and dropped; keep it in one "
                         "of the two lists")
    return Choices(pins=lists["pin"], drops=lists["drop"])


def merge_choices(kept: Choices, given: Choices) -> Choices:
    """The choices *kept* (an edits file) with those *given* now, which win: a line
    pinned now is no longer dropped, and the other way round."""
    if given.pins & given.drops:
        line = sorted(given.pins & given.drops)[0]
        raise EditsError(f"--pin {line} and --drop {line}: a line is either pinned or "
                         "dropped; give one")
    return Choices(pins=(kept.pins - given.drops) | given.pins,
                   drops=(kept.drops - given.pins) | given.drops)


def save_edits(path: str | Path, choices: Choices, brief: Brief) -> Choices:
    """Write *choices* to the edits file *path*, each id with its line from *brief* as a
    comment; a pinned line that was updated is pinned under its new id. Returns what
    was written."""
    from ..delivery.output import write_output

    lines = {item.id: item for item in (*brief.items, *brief.not_repeated, *brief.struck)}
    kept = _followed(choices, brief)
    pins = sorted(kept.pins)
    text = "\n".join([
        f"# Edits of the desk {json.dumps(brief.title, ensure_ascii=False)} "
        "(briefing build --edits): lines pinned",
        "# to the page and lines dropped from it, by id. Remove an id to undo it.",
        _array("pin", pins, lines),
        _array("drop", sorted(kept.drops), lines),
    ]) + "\n"
    try:
        if Path(path).is_file() and read_file(
                path, limit=LIMITS.max_settings_bytes, what="an edits file",
                error=EditsError) == text.encode("utf-8"):
            return kept  # unchanged: a watch of the edits file is not set off again
        write_output(text.encode("utf-8"), path)
    except (OSError, UnicodeDecodeError) as error:
        raise EditsError(f"{path}: cannot read the edits file ({error})") from None
    except BriefingError as error:
        raise EditsError(f"edits file {error}") from None
    return kept


def keep_edits(path: str | Path, given: Choices, brief: Brief) -> Choices | None:
    """After a build of *brief*: the edits file's choices with *given* (the build's own
    --pin and --drop) added, written back when there were any or when a pinned line
    was updated. None when the file is left as it is (a file written by hand keeps
    its own layout until there is something to change)."""
    if not Path(path).is_file() and not (given.pins or given.drops):
        return None
    choices = merge_choices(load_edits(path), given)
    if not (given.pins or given.drops) and _followed(choices, brief) == choices:
        return None
    return save_edits(path, choices, brief)


def _followed(choices: Choices, brief: Brief) -> Choices:
    """*choices* with each pin of a line *brief* updates moved to the line's new id."""
    followed = {item.updates: item.id for item in brief.items
                if item.pinned and item.updates in choices.pins}
    pins = frozenset(followed.get(line, line) for line in choices.pins) - choices.drops
    return Choices(pins=pins, drops=choices.drops)


def _array(key: str, ids: Iterable[str], lines: Mapping[str, Item]) -> str:
    rows = [f"{key} = ["]
    for line in ids:
        item = lines.get(line)
        comment = f"  # {_preview(item)}" if item is not None else ""
        rows.append(f'  "{line}",{comment}')
    rows.append("]")
    return "\n".join(rows)


def _preview(item: Item) -> str:
    text = " ".join(item.text.split())
    if item.speaker:
        text = f"{item.speaker}: {text}"
    return text if len(text) <= _COMMENT_CHARS else text[: _COMMENT_CHARS - 1] + "…"
