"""Briefs as data: a JSON brief read back into a Brief, and a brief's lines listed.

``read_brief`` takes what ``render_json`` wrote (schema ``briefing/1``, any
version of it: fields added later may be missing) and checks it as it goes, so
a damaged or hand-edited file is one clear error. ``describe_lines`` is what
``briefing inspect BRIEF.json`` and ``briefing history ID`` print: every line's
id, so the desk officer can pin or drop it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import LIMITS, Brief, BriefTheme, Citation, Item, Source
from ..sources.files import read_file

__all__ = ["SCHEMA", "describe_lines", "looks_like_brief", "read_brief"]

SCHEMA = "briefing/1"
_PREVIEW = 80  # characters of a line's text shown beside its id


def looks_like_brief(path: str | Path) -> bool:
    """Is *path* a JSON file (by its name) that may hold a brief?"""
    return str(path).lower().endswith(".json") and Path(path).is_file()


def read_brief(path: str | Path) -> Brief:
    """The brief a ``--format json`` file holds; an InputError when it holds none."""
    try:
        data = json.loads(read_file(path, limit=LIMITS.max_brief_bytes, what="a JSON brief"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give a brief written with --format json"
                         ) from None
    except RecursionError:
        raise InputError(f"{path}: not a JSON brief (nested too deep); give a brief written "
                         "with --format json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a JSON brief ({error}); give a brief written with "
                         "--format json") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a brief of schema {SCHEMA}; give a brief written "
                         "with --format json")
    try:
        return _brief(data)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{path}: the brief is damaged ({type(error).__name__}: {error}); "
                         "write it again with --format json, or use `briefing show ID`") from None


def _brief(data: Mapping[str, Any]) -> Brief:
    sources = tuple(
        Source(id=str(s["id"]), path=str(s["path"]), text=str(s.get("text") or ""),
               outlet=s.get("outlet"), title=s.get("title"), url=s.get("url"),
               author=s.get("author"), published=_date(s.get("published")))
        for s in data["sources"]
    )
    themes = tuple(
        BriefTheme(str(t["key"]), str(t["title"]), tuple(_item(i, t["key"]) for i in t["items"]))
        for t in data["themes"]
    )
    left_out = data.get("left_out") or []
    since = data.get("since") or {}
    desk = {"not repeated", "dropped"}
    return Brief(
        title=str(data["title"]), date=dt.date.fromisoformat(data["date"]), sources=sources,
        themes=themes, since=_date(since.get("date")),
        not_repeated=tuple(_item(i, i.get("theme", "")) for i in left_out
                           if i.get("why") == "not repeated"),
        struck=tuple(_item(i, i.get("theme", "")) for i in left_out if i.get("why") == "dropped"),
        left_out=tuple((_item(i, i.get("theme", "")), str(i["why"])) for i in left_out
                       if i.get("why") not in desk),
        origins={str(s["id"]): str(s["origin"]) for s in data["sources"] if s.get("origin")},
    )


def _item(record: Mapping[str, Any], theme: str) -> Item:
    citations = tuple(
        Citation(str(c["source"]), str(c["quote"]), int(c["start"]), int(c["end"]))
        for c in record["citations"]
    )
    return Item(
        text=str(record["text"]), citations=citations, speaker=record.get("speaker"),
        reason=tuple(record.get("reason") or ()), date=_date(record.get("date")), theme=theme,
        conflict=tuple((str(c["source"]), str(c["figures"])) for c in record.get("conflict") or ()),
        id=str(record.get("id") or ""), status=str(record.get("status") or "new"),
        updates=record.get("updates"), pinned=bool(record.get("pinned")),
        score=float(record.get("score") or 0.0),
    )


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def describe_lines(brief: Brief) -> Iterator[str]:
    """The brief's lines, printed and left out, each with its id and status."""
    from ..brief.render import since_line

    yield (f"{brief.title}, {brief.date.isoformat()}: {len(brief.items)} lines printed"
           + (f"; s{since_line(brief)[1:]}" if brief.since else ""))
    yield ""
    yield "Printed (id; status; theme; line; sources):"
    for item in brief.items:
        yield _row(item, item.status + ("+pin" if item.pinned else ""))
    for title, items in (("Not repeated (already briefed, nothing new)", brief.not_repeated),
                         ("Dropped by the desk", brief.struck)):
        if items:
            yield ""
            yield f"{title}:"
            for item in items:
                yield _row(item, item.status)


def _row(item: Item, status: str) -> str:
    text = " ".join(item.text.split())
    if item.speaker:
        text = f"{item.speaker}: {text}"
    if len(text) > _PREVIEW:
        text = text[: _PREVIEW - 1] + "…"
    marks = "".join(f"[{n}]" for n in dict.fromkeys(c.source_id for c in item.citations))
    return f"  {item.id or '-':<10}  {status:<10}  {item.theme:<22.22}  {text} {marks}"
