"""Render a Brief as HTML, a one-page PDF and JSON.

Every format is rendered from the same ``Brief``, so they never disagree. The
HTML comes from one Jinja template with its CSS inlined; the PDF is WeasyPrint's
layout of that HTML. ``fit_to_page`` enforces the one-page rule: it measures
how far the first layout overflows in WeasyPrint's box tree and drops enough
of the lowest-scored lines in one go, so a typical overflow costs two layouts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import (
    BlockLevelBox,
    LineBox,
    MarginBox,
)
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..errors import RenderError
from ..facts.lexicon import GIVEN_NAME_TITLES
from ..models import BIDI_CONTROL, Brief, BriefTheme, Item, Source
from .origins import agency_named

__all__ = [
    "MIN_BODY_SIZE",
    "SCHEMA",
    "fit_to_page",
    "layout_count",
    "layout_pdf",
    "render_html",
    "render_json",
    "render_template",
    "since_line",
    "templates_dir",
    "write_pdf",
]

logger = logging.getLogger(__name__)

SCHEMA = "briefing/1"
TEMPLATE = "brief.html"
MIN_BODY_SIZE = 9.0  # pt: below this a printed A4 brief is hard to read at arm's length
PAGE_SIZES = {"a4": "A4", "letter": "letter"}  # Brief.paper -> CSS @page size
# Tagged PDF for screen readers: structure tree, /Lang and the title from <html lang>
# and <title>. Passed to the layout too, so the one layout fit_to_page made is tagged.
PDF_VARIANT = "pdf/ua-1"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # spelled out here so the date never depends on the process locale

# What marks a line against the desk's last brief (briefing/desk/news.py).
STATUS_LABELS = {"new": "New", "update": "Update", "repeat": "Repeat"}

# Extra height (CSS px, 0.75 pt each) dropped beyond the measured overflow. The
# measure is exact up to sub-pixel line rounding; more slack would drop a line
# too many whenever the chosen lines cover the overflow with less to spare.
_FIT_SLACK_PX = 1.0
_ITEM_ID = re.compile(r"item-(\d+)\Z")
_SOURCE_ID = re.compile(r"source-(.+)\Z")
# The first layout is of the best lines about this many pages could hold, so that a
# brief of hundreds of articles is not laid out whole. The estimate counts characters:
# a line's text and speaker plus _LINE_CHARS for its date, markers and spacing; a
# cited source's entry, in smaller type, half its label, title and address plus
# _SOURCE_CHARS; _THEME_CHARS per theme heading; and the title and coverage line.
# A full A4 page measures about 5,200 such characters (the seed brief; a brief of 200
# articles citing 22 of them), a Letter page about 4,800. 1.3 pages overflow by 10 to
# 25% on those, room for a wrong guess; an estimate too low costs a third layout, one
# too high makes the first layout longer (0.25 s for 1.5 pages, 0.2 s for 1).
_PAGE_CHARS = 5000
_FIRST_LAYOUT_PAGES = 1.3
_LINE_CHARS = 40
_SOURCE_CHARS = 45  # a source entry: one short line, two to a line of the page
_DID_NOT_FIT = "ranked below the last line that fits the page"
_THEME_CHARS = 100

_layouts = 0  # WeasyPrint layouts done by this process; see layout_count()


def templates_dir() -> Path:
    """The folder holding brief.html and brief.css.

    Inside the installed package when built as a wheel, else the repository's
    top-level ``templates/`` (a source checkout or an editable install).
    """
    package = Path(__file__).resolve().parent.parent
    candidates = (package / "templates", package.parent / "templates")
    for candidate in candidates:
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise RenderError(
        f"{TEMPLATE} not found in {candidates[0]} or {candidates[1]}; reinstall briefing"
    )


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "j2"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def layout_count() -> int:
    """How many WeasyPrint layouts this process has done (for "N layouts")."""
    return _layouts


def render_html(brief: Brief) -> str:
    """The brief as a standalone HTML document: CSS inlined, no scripts, no fetches."""
    return render_template(TEMPLATE, brief)


def render_template(name: str, brief: Brief, **extra: Any) -> str:
    """Render template *name* of the templates folder with the brief's context.

    *extra* adds to or overrides the context (``ids``: a prefix for every id;
    ``title_level``: the title's heading level). Email and fragment use this.
    """
    context = {**_context(brief), **extra}
    try:
        return _environment().get_template(name).render(context)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise RenderError(
            f"template {name}: {where}{exc.message or type(exc).__name__}; "
            f"fix the template in {templates_dir()}"
        ) from exc


def layout_pdf(brief: Brief) -> Document:
    """Lay the brief out as pages with WeasyPrint (one layout pass, counted)."""
    global _layouts
    html = render_html(brief)
    folder = templates_dir()
    try:
        document = HTML(
            string=html,
            base_url=folder.as_uri() + "/",
            url_fetcher=_BundledFetcher(folder),
        ).render(pdf_variant=PDF_VARIANT, font_config=_font_config())
    except Exception as exc:  # WeasyPrint has no error base class of its own
        raise RenderError(
            f"PDF layout of {brief.title!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    _layouts += 1
    logger.debug("layout %d: %d lines, %d page(s)", _layouts, len(brief.items), len(document.pages))
    return document


@functools.cache
def _font_config() -> FontConfiguration:
    """One font configuration for every layout of this process. A layout given none
    makes its own, and the font libraries keep a part of each (about 0.3 MB a
    layout): a ``build --watch`` lays out briefs all day."""
    return FontConfiguration()


def warm_up(paper: str = "a4") -> None:
    """Lay out an empty page, so that WeasyPrint has read the stylesheet and loaded
    the fonts before the first layout of a brief (that one is then 0.07 s quicker).
    Worth it only while something else runs, such as workers parsing articles."""
    layout_pdf(Brief(title="warm-up", date=dt.date(2000, 1, 1), sources=(), themes=(),
                     paper=paper))


def fit_to_page(brief: Brief) -> tuple[Brief, Document]:
    """Drop the lowest-scored lines until the brief fits one page.

    Each theme keeps its first (best) line, and a pinned line always stays.
    Returns the brief as printed, its ``dropped`` raised by the lines removed,
    and the final layout to write from, so the PDF needs no further layout.
    Raises RenderError when even one line per theme (and the pins) does not fit.
    """
    first_layout = _layouts
    seconds: list[float] = []
    budget = _PAGE_CHARS * _FIRST_LAYOUT_PAGES
    while True:  # the first layout: of the lines that could fit, by their length
        current, cut = _estimated_cut(brief, budget)
        document = _timed_layout(current, seconds)
        if len(document.pages) > 1 or not cut:
            break
        budget *= 2  # everything fitted: lines cut by the estimate might fit too
    measured: dict[int, float] = {}  # by id() of the item: the height a layout gave it
    entry_heights: dict[str, float] = {}
    while len(document.pages) > 1:
        candidates = _drop_order(current)
        if not candidates:
            paper = PAGE_SIZES[brief.paper.lower()]
            pinned = [item.id for item in current.items if item.pinned]
            if pinned:
                raise RenderError(
                    f"brief {brief.title!r} does not fit one {paper} page with its "
                    f"{len(pinned)} pinned lines and one line for each theme; unpin some "
                    f"(pinned: {', '.join(pinned)})"
                )
            raise RenderError(
                f"brief {brief.title!r} does not fit one {paper} page even with one line "
                f"for each of its {len(current.items)} themes; use a themes file with "
                "fewer themes, or fewer input articles"
            )
        overflow = _overflow(document)
        heights = _item_heights(document)
        entries = _heights(document, _SOURCE_ID)
        measured.update((id(current.items[n]), height) for n, height in heights.items())
        entry_heights.update(entries)
        citing = Counter(source for item in current.items for source in _sources_of(item))
        needed = overflow + _FIT_SLACK_PX
        chosen: set[int] = set()
        saved = 0.0
        for index in candidates:
            chosen.add(index)
            freed = _uncite(citing, current.items[index])  # their entries go too
            saved += heights.get(index, 0.0) + sum(entries.get(source, 0.0) for source in freed)
            if saved >= needed:
                break
        logger.debug(
            "overflow %.1fpx over %d page(s): dropping %d line(s) saving %.1fpx",
            overflow,
            len(document.pages),
            len(chosen),
            saved,
        )
        current = _without(current, chosen)
        document = _timed_layout(current, seconds)
    if current.dropped > brief.dropped:
        current, document = _fill_room(brief, current, document, measured, entry_heights,
                                       seconds)
    current = dataclasses.replace(
        current,
        extra={
            **current.extra,
            "layouts": _layouts - first_layout,
            "layout_seconds": tuple(seconds),
        },
    )
    if current.dropped > brief.dropped:
        logger.info(
            "left out %d of %d lines to fit one page (%d layouts)",
            current.dropped - brief.dropped,
            len(brief.items),
            _layouts - first_layout,
        )
    return current, document


def _fill_room(brief: Brief, fitted: Brief, document: Document, measured: dict[int, float],
               entry_heights: dict[str, float], seconds: list[float]) -> tuple[Brief, Document]:
    """*fitted*, with the best lines it left out that fit the room at the page's foot.

    The fit drops whole lines from the bottom of the ranking, and the last one to go
    may free more room than the overflow took: a two-line sentence ranked below it
    then fits, and a page with room for it should not leave it out. Lines are
    taken best first, each if its height (and that of the source entries it adds)
    as a layout measured it fits what room is left; one more layout checks, and if
    the page then overflows, *fitted* stands. Only lines some layout measured are
    candidates: a line the first estimate cut was never near the page.
    """
    room = _room([page._page_box for page in document.pages]) - _FIT_SLACK_PX
    on_page = {id(item) for item in fitted.items}
    citing = Counter(source for item in fitted.items for source in _sources_of(item))
    back: set[int] = set()
    for item in sorted(brief.items, key=lambda item: -item.score):
        if id(item) in on_page or id(item) not in measured:
            continue
        new = {source for source in _sources_of(item) if not citing[source]}
        if not new <= entry_heights.keys():
            continue
        need = measured[id(item)] + sum(entry_heights[source] for source in new)
        if need <= room:
            back.add(id(item))
            room -= need
            citing.update(_sources_of(item))
    if not back:
        return fitted, document
    kept = on_page | back
    filled = _without(brief, {n for n, item in enumerate(brief.items) if id(item) not in kept})
    trial = _timed_layout(filled, seconds)
    if len(trial.pages) > 1:
        logger.debug("putting back %d line(s) overflowed the page: left out", len(back))
        return fitted, document
    logger.debug("put back %d line(s) that fit the room left on the page", len(back))
    return filled, trial


def _room(pages: list[Any], bottoms: list[float] | None = None) -> float:
    """How much room (CSS px) is left at the foot of the first page's content area;
    *bottoms*: the pages' ``_content_bottoms``, if measured already."""
    first = pages[0]
    bottom = (bottoms or _content_bottoms(pages))[0]
    return float(first.content_box_y() + first.height - bottom)


def _timed_layout(brief: Brief, seconds: list[float]) -> Document:
    started = time.perf_counter()
    document = layout_pdf(brief)
    seconds.append(time.perf_counter() - started)
    return document


def write_pdf(document: Document) -> bytes:
    """The PDF bytes of an already laid-out document (no new layout)."""
    try:
        pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    except Exception as exc:  # WeasyPrint has no error base class of its own
        raise RenderError(f"writing the PDF failed: {type(exc).__name__}: {exc}") from exc
    return pdf


def render_json(brief: Brief) -> str:
    """The brief as JSON, schema "briefing/1": stable keys, text as written.

    Fields are only ever added to the schema: the desk's ``id``, ``status``,
    ``updates`` and ``pinned`` of each line, ``since`` (the comparison with the
    desk's last brief, or null) and ``left_out`` (lines not repeated or dropped).
    """
    data = {
        "schema": SCHEMA,
        "title": brief.title,
        "date": brief.date.isoformat(),
        "sources": [
            {
                "id": source.id,
                "path": source.path,
                "outlet": source.outlet,
                "title": source.title,
                "published": _iso(source.published),
                "url": source.url,
                "author": source.author,
                "text": source.text,
                "origin": _agency(source, brief.origins),
            }
            for source in brief.sources
        ],
        "themes": [
            {
                "key": theme.key,
                "title": theme.title,
                "items": [_item_record(item) for item in theme.items],
            }
            for theme in brief.themes
        ],
        "since": _since_record(brief),
        "left_out": [
            {**_item_record(item), "theme": item.theme, "score": item.score, "why": why}
            for why, item in left_out(brief)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def left_out(brief: Brief) -> list[tuple[str, Item]]:
    """Every candidate line not on the page, best first within each reason, with why:
    the desk's ("not repeated", "dropped"), another line's event, the page's end."""
    desk = [("not repeated", item) for item in brief.not_repeated]
    desk += [("dropped", item) for item in brief.struck]
    ranked = sorted(brief.left_out, key=lambda pair: -pair[0].score)
    return desk + [(why, item) for item, why in ranked]


def _agency(source: Source, origins: dict[str, str]) -> str | None:
    """The news agency whose copy *source* prints, if brief/origins.py found one and
    it is not the outlet itself. A copy crediting no agency has a source's id as its
    origin (origins are keyed by source id): that names no agency."""
    origin = origins.get(source.id)
    if not origin or origin in origins or origin == agency_named(source.label):
        return None
    return origin


def _item_record(item: Item) -> dict[str, Any]:
    return {
        "text": item.text,
        "speaker": item.speaker,
        "date": _iso(item.date),
        "reason": list(item.reason),
        "conflict": [
            {"source": source_id, "figures": figures} for source_id, figures in item.conflict
        ],
        "citations": [
            {
                "source": citation.source_id,
                "quote": citation.quote,
                "start": citation.start,
                "end": citation.end,
            }
            for citation in item.citations
        ],
        "id": item.id,
        "status": item.status,
        "updates": item.updates,
        "pinned": item.pinned,
    }


def _since_record(brief: Brief) -> dict[str, Any] | None:
    if brief.since is None:
        return None
    return {"date": brief.since.isoformat(), **_news_counts(brief)}


def _news_counts(brief: Brief) -> dict[str, int]:
    """The lines of the printed brief by status, and those left out."""
    statuses = Counter(item.status for item in brief.items)
    return {
        "new": statuses["new"],
        "updates": statuses["update"],
        "repeated": statuses["repeat"],
        "not_repeated": len(brief.not_repeated),
        "dropped": len(brief.struck),
    }


def since_line(brief: Brief) -> str:
    """ "Since the brief of 27 May: 9 new, 3 updates, 14 not repeated.", or "" when the
    brief was not compared with an earlier one."""
    if brief.since is None:
        return ""
    counts = _news_counts(brief)
    parts = [f"{counts['new']} new",
             f"{counts['updates']} update{'s' if counts['updates'] != 1 else ''}"]
    if counts["repeated"]:
        parts.append(f"{counts['repeated']} repeated")
    parts.append(f"{counts['not_repeated']} not repeated")
    if counts["dropped"]:
        parts.append(f"{counts['dropped']} dropped")
    day = f"{brief.since.day} {MONTHS[brief.since.month - 1]}"
    if brief.since.year != brief.date.year:
        day += f" {brief.since.year}"
    return f"Since the brief of {day}: {', '.join(parts)}."


# -- template context --------------------------------------------------------------


def _context(brief: Brief) -> dict[str, Any]:
    page_size = PAGE_SIZES.get(brief.paper.lower())
    if page_size is None:
        raise RenderError(
            f"paper {brief.paper!r} is not supported; use one of: {', '.join(PAGE_SIZES)}"
        )
    body_size = brief.body_size
    if body_size < MIN_BODY_SIZE:
        logger.warning(
            "body size %.1fpt is below the %.0fpt minimum; using %.0fpt",
            body_size,
            MIN_BODY_SIZE,
            MIN_BODY_SIZE,
        )
        body_size = MIN_BODY_SIZE
    sources = {source.id: source for source in brief.sources}
    # The list holds the sources the lines cite: a brief of hundreds of articles
    # could not list them all on its one page. The note counts the others.
    cited = _cited(brief) & sources.keys()
    numbers = iter(range(1, len(brief.items) + 1))
    introduced: set[str] = set()  # speakers named in full once; by surname after that
    themes = [
        {
            "number": number,
            "title": theme.title,
            "lines": [
                _line(item, next(numbers), sources, introduced, brief.date, brief.origins)
                for item in theme.items
            ],
        }
        for number, theme in enumerate(brief.themes, start=1)
    ]
    return {
        "brief": brief,
        "date_iso": brief.date.isoformat(),
        "date_long": _long_date(brief.date),
        "page_size": page_size,
        "body_size": f"{body_size:g}",
        "themes": themes,
        "sources": [_source_entry(source, _agency(source, brief.origins))
                    for source in brief.sources if source.id in cited],
        "note": _note(brief.dropped, len(brief.sources) - len(cited)),
        "since": since_line(brief),
        "compared": brief.since is not None,  # status markers only against an earlier brief
        "ids": "",  # id prefix: the full page's ids are plain, fit_to_page finds item-N
        "title_level": 1,
    }


def _line(
    item: Item,
    number: int,
    sources: dict[str, Source],
    introduced: set[str],
    today: dt.date,
    origins: dict[str, str] | None = None,
) -> dict[str, Any]:
    citations: list[dict[str, str]] = []
    shown = set(shown_sources(item))
    for citation in item.citations:
        if citation.source_id not in shown:
            continue
        source = sources.get(citation.source_id)
        if source is None:
            raise RenderError(
                f"line {number} cites source {citation.source_id!r}, which is not in the "
                f"brief's source list ({', '.join(sources) or 'empty'}); a select-stage bug"
            )
        same_source = next((c for c in citations if c["source_id"] == citation.source_id), None)
        if same_source is not None:  # one marker per source; its tooltip quotes every sentence
            same_source["quote"] += " … " + citation.quote
            continue
        citations.append(
            {"source_id": citation.source_id, "quote": citation.quote, "label": source.label}
        )
    # A verbatim line may hold a bidi override: isolated (<bdi>, or FSI...PDI in plain
    # text), it reverses nothing around it, such as the line's own citation markers.
    isolate = BIDI_CONTROL.search(item.text) is not None
    flowing = " ".join(item.text.split())  # a hard-wrapped source's line breaks are not its
    return {
        "number": number,
        "text": item.text,
        "isolate": isolate,
        "plain_text": f"\u2068{flowing}\u2069" if isolate else flowing,
        "speaker": _speaker_label(item, introduced),
        "date_iso": item.date.isoformat() if item.date else None,
        "date_short": _short_date(item.date, today) if item.date else None,
        "citations": citations,
        "conflict": " · ".join(f"{figures} [{source_id}]" for source_id, figures in item.conflict),
        "id": item.id,
        "status": item.status,
        "status_label": STATUS_LABELS.get(item.status, ""),
        "pinned": item.pinned,
        "via": via(item, origins or {}),
        "more": len({c.source_id for c in item.citations}) - len(shown),
    }


def via(item: Item, origins: dict[str, str]) -> str | None:
    """ "Reuters, via 3 outlets" when the line's sources include copies of one agency's
    story: they are one report, however many outlets printed it."""
    printed: dict[str, set[str]] = {}
    for citation in item.citations:
        origin = origins.get(citation.source_id, citation.source_id)
        printed.setdefault(origin, set()).add(citation.source_id)
    # an origin that is a source's id: copies of one report crediting no agency
    shown = [f"{'same report' if origin in origins else origin}, via {len(ids)} outlets"
             for origin, ids in printed.items() if len(ids) > 1]
    return "; ".join(shown) or None


def _speaker_label(item: Item, introduced: set[str]) -> str | None:
    """The speaker's name, unless the line already names them by surname.

    The first label of a person gives the full name, later ones the surname, as a
    written brief would, unless another person of that surname was named before;
    a line that names the person in full introduces them too.
    """
    if not item.speaker or not item.speaker.split():
        return None
    surname = item.speaker.split()[-1]
    given = item.speaker.split()[0]
    titles = "|".join(title.title() for title in sorted(GIVEN_NAME_TITLES))
    in_text = re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", item.text) or re.search(
        rf"\b(?:{titles}) {re.escape(given)}(?!\w)", item.text)  # "Sir Keir said"
    first = item.speaker not in introduced
    shared = any(other != item.speaker and other.split()[-1] == surname for other in introduced)
    introduced.add(item.speaker)
    # The surname as a word of its own, possessive allowed: "Roe's", not "Libya" for "Li".
    if in_text:
        return None
    return item.speaker if first or shared else surname


def _short_date(day: dt.date, today: dt.date) -> str:
    """ "Tue 27 May", with the year only when it is not the brief's year."""
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def _source_entry(source: Source, origin: str | None = None) -> dict[str, Any]:
    url = source.url
    return {
        "id": source.id,
        "label": source.label,
        "title": source.title,
        "author": source.author,
        "published": _long_date(source.published) if source.published else None,
        "published_short": _entry_date(source.published) if source.published else None,
        "published_iso": _iso(source.published),
        "url": url,
        "host": _host(url),
        "via": origin,  # the agency whose copy it prints (_agency)
        # Only web addresses become links: a javascript: or file: URL from article
        # metadata is shown as text, never made clickable.
        "linkable": bool(url) and urlsplit(url or "").scheme.lower() in ("http", "https"),
    }


def _host(url: str | None) -> str | None:
    """The address's host without "www.": where a reader of the printed page finds it."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _entry_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _note(dropped: int, uncited: int = 0) -> str:
    note = "Every line quotes its source verbatim"
    if dropped > 0:
        lines = "line" if dropped == 1 else "lines"
        note += f"; {dropped} {lines} left out to fit one page"
    if uncited > 0:
        articles = "article" if uncited == 1 else "articles"
        note += f"; {uncited} more {articles} read, not cited"
    return note + "."


def _cited(brief: Brief) -> set[str]:
    return {source for item in brief.items for source in _sources_of(item)}


def _long_date(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


# -- fitting -----------------------------------------------------------------------


def _drop_order(brief: Brief) -> list[int]:
    """Indexes into brief.items that may go, lowest score first, later lines first on ties.

    A theme's first line never appears: every theme with lines keeps its best one;
    nor does a pinned line: the desk keeps it on the page.
    """
    droppable: list[tuple[float, int]] = []
    index = 0
    for theme in brief.themes:
        for position, item in enumerate(theme.items):
            if position > 0 and not item.pinned:
                droppable.append((item.score, -index))
            index += 1
    return [-negated for _, negated in sorted(droppable)]


def _without(brief: Brief, indexes: set[int]) -> Brief:
    themes: list[BriefTheme] = []
    gone: list[tuple[Item, str]] = []
    index = 0
    for theme in brief.themes:
        kept = []
        for item in theme.items:
            if index not in indexes:
                kept.append(item)
            else:
                gone.append((item, _DID_NOT_FIT))
            index += 1
        themes.append(dataclasses.replace(theme, items=tuple(kept)))
    return dataclasses.replace(brief, themes=tuple(themes), dropped=brief.dropped + len(indexes),
                               left_out=(*brief.left_out, *gone))


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in box.all_children() if hasattr(box, "all_children") else ():
        yield from _boxes(child)


def _item_heights(document: Document) -> dict[int, float]:
    """Height (CSS px) of each line's box, keyed by its index in brief.items."""
    return {int(number) - 1: height for number, height in _heights(document, _ITEM_ID).items()}


def _heights(document: Document, pattern: re.Pattern[str]) -> dict[str, float]:
    """Height (CSS px) of each element whose id *pattern* matches, by its group 1.

    An element split over two pages adds up its fragments.
    """
    heights: dict[str, float] = {}
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            match = pattern.match(element.get("id") or "") if element is not None else None
            if match and "::" not in (box.element_tag or ""):
                key = match.group(1)
                heights[key] = heights.get(key, 0.0) + box.margin_height()
                continue  # its line boxes carry the same element: do not count twice
            if hasattr(box, "all_children"):
                stack.extend(box.all_children())
    return heights


def _estimated_cut(brief: Brief, budget: float) -> tuple[Brief, int]:
    """*brief* less its lowest lines beyond *budget* characters, and how many went.

    Laying out a thousand lines to keep thirty costs seconds; a first layout of
    the best lines a few pages could hold measures the overflow just as well.
    The cut follows the fit's own order, so it only ever removes lines the fit
    would remove, unless everything left fits (then the caller cuts less).
    """
    items = brief.items
    lines = [len(item.text) + len(item.speaker or "") + _LINE_CHARS for item in items]
    entries = {
        s.id: _SOURCE_CHARS for s in brief.sources
    }
    citing = Counter(source for item in items for source in _sources_of(item))
    size = (
        len(brief.title) + len(brief.coverage) + _THEME_CHARS * len(brief.themes)
        + sum(lines) + sum(entries.get(source, 0) for source in citing)
    )
    cut: set[int] = set()
    for index in _drop_order(brief):
        if size <= budget:
            break
        cut.add(index)
        size -= lines[index]
        size -= sum(entries.get(source, 0) for source in _uncite(citing, items[index]))
    return (_without(brief, cut), len(cut)) if cut else (brief, 0)


def _sources_of(item: Item) -> set[str]:
    """The sources the printed line names: its markers, and those of its "Sources
    differ" mark, which the source list must hold too."""
    return set(shown_sources(item)) | {source for source, _ in item.conflict}


MARKERS_SHOWN = 6  # source markers a printed line shows: beyond six, "+N more sources";
# the JSON keeps every citation. A line a thousand near-copies tell must not put a
# thousand entries in the source list.


def shown_sources(item: Item) -> list[str]:
    """The sources whose markers *item* shows on the page, in citation order: the
    source of the line's own sentence always among them, whatever its number."""
    sources = list(dict.fromkeys(c.source_id for c in item.citations))
    own = next((c.source_id for c in item.citations if item.text in c.quote), None)
    if own is None or own in sources[:MARKERS_SHOWN]:
        return sources[:MARKERS_SHOWN]
    kept = {*sources[:MARKERS_SHOWN - 1], own}
    return [source for source in sources if source in kept]


def _uncite(citing: Counter[str], item: Item) -> list[str]:
    """Take *item* out of the lines *citing* each source; the sources it cited last,
    whose entries leave the source list with it."""
    for source in _sources_of(item):
        citing[source] -= 1
    return [source for source in _sources_of(item) if citing[source] == 0]


def _content_bottoms(pages: list[Any]) -> list[float]:
    """Per page, the lowest border edge of what is laid out on it.

    Every line counts, and every block that ends on the page; a block that
    continues on the next page does not: WeasyPrint stretches it to the foot
    of the page and drops its bottom padding, which returns once it ends here.
    """
    elements = [
        {id(box.element) for box in _boxes(page) if box.element is not None} for page in pages
    ]
    bottoms = []
    for number, page in enumerate(pages):
        continuing = elements[number + 1] if number + 1 < len(pages) else set()
        bottom = page.content_box_y()
        for box in _boxes(page):
            ends_here = isinstance(box, BlockLevelBox) and id(box.element) not in continuing
            if isinstance(box, LineBox) or (ends_here and box.element is not None):
                bottom = max(bottom, box.position_y + box.margin_top + box.border_height())
        bottoms.append(float(bottom))
    return bottoms


def _overflow(document: Document) -> float:
    """How much taller (CSS px) the content is than one page's content area.

    What spilled onto later pages, less the room left unused at the foot of
    the first page (a heading kept with its first line leaves a gap there).
    """
    pages = [page._page_box for page in document.pages]
    bottoms = _content_bottoms(pages)
    room = _room(pages, bottoms)
    spilled = sum(
        bottom - page.content_box_y() + _truncated_margin(page, before)
        for page, before, bottom in zip(pages[1:], pages, bottoms[1:], strict=False)
    )
    return float(max(spilled - max(room, 0.0), 0.0))


def _truncated_margin(page_box: Any, before: Any) -> float:
    """The top margin WeasyPrint dropped at the head of a continuation page.

    A theme heading that starts page 2 loses its margin there, but keeps it
    once everything is on page 1: count it, or the fit comes up that short.
    Margins of nested first children collapse, so the largest one is lost. A
    box continued from the page *before* lost nothing: its margin is there.
    """
    earlier = {id(box.element) for box in _boxes(before) if box.element is not None}
    lost = 0.0
    children = [child for child in page_box.children if not isinstance(child, MarginBox)]
    box = children[0] if children else None
    while box is not None:
        margin = box.style["margin_top"]
        starts_here = id(box.element) not in earlier
        if starts_here and getattr(margin, "unit", None) == "px" and box.margin_top == 0:
            lost = max(lost, float(margin.value))
        box = next(iter(getattr(box, "children", ())), None)
        if isinstance(box, LineBox):
            break
    return lost


class _BundledFetcher(URLFetcher):  # type: ignore[misc,unused-ignore]
    """Fetch data: URLs and files inside the templates folder; refuse everything else.

    The HTML carries article text, so it is untrusted: WeasyPrint must not read
    arbitrary file:// paths or reach the network on its behalf.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self._folder = folder.resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(self._folder):
                return super().fetch(url, headers)
        logger.warning("refused to fetch %s: briefing fetches only its own templates", url)
        raise ValueError(f"refused to fetch {url}: not a bundled asset")
