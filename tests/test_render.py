"""Tests for briefing.brief.render: HTML, the one-page PDF and JSON of hand-built briefs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import jinja2
import pypdf
import pytest
import tinyhtml5

from briefing.brief import render
from briefing.errors import RenderError
from briefing.models import Brief, BriefTheme, Citation, Item, Source

GOLDEN = Path(__file__).parent / "golden" / "brief.html"

SABAH = Source(
    id="1",
    path="articles/daily-sabah.txt",
    text=(
        "Foreign Minister Hakan Fidan hailed Turkish-Russian ties during a joint news "
        "conference with his Russian counterpart, Sergey Lavrov, on Tuesday in Moscow. "
        "“We desire to deepen our ties with Russia in a way that will not be affected by "
        "geopolitical challenges,” he said.\n\n"
        "Answering a question on the Istanbul talks between Russia and Ukraine earlier "
        "this month, Fidan said Ankara wanted to host another round. "
        "He noted that talks on a second prisoner exchange are underway.\n\n"
        "Fidan praised recent U.S. and European Union decisions to lift sanctions on "
        "Syria as “extremely important.”\n"
    ),
    outlet="Daily Sabah",
    title="Türkiye ready to host Russia-Ukraine talks again for lasting peace",
    published=dt.date(2025, 5, 27),
    url="https://www.dailysabah.com/politics/diplomacy/turkiye-ready-to-host-russia-ukraine-talks",
)

KYIV = Source(
    id="2",
    path="articles/kyiv-independent.txt",
    text=(
        "Russian Foreign Minister Sergei Lavrov said on May 27 that Moscow would welcome "
        "a second round of peace talks with Ukraine in Istanbul.\n\n"
        "No official date or venue for a second round of talks has been agreed.\n\n"
        "Lavrov, however, cast doubt on the Vatican as a host, arguing that it would be "
        'an unsuitable platform for talks between "Orthodox countries."\n'
    ),
    outlet="The Kyiv Independent",
    title="'Istanbul is very good' — Lavrov backs Turkey again for next round of talks",
    published=dt.date(2025, 5, 27),
    url="https://kyivindependent.com/istanbul-is-very-good-lavrov-backs-turkey",
    author="Tim Zadorozhnyy",
)

NOTES = Source(id="3", path="inbox/desk notes.txt", text="The Vatican offered to host. <b>")


# -- helpers ----------------------------------------------------------------------------


def _cite(source: Source, quote: str) -> Citation:
    start = source.text.index(quote)
    return Citation(source_id=source.id, quote=quote, start=start, end=start + len(quote))


def _item(
    source: Source,
    quote: str,
    *,
    score: float = 1.0,
    speaker: str | None = None,
    also: Iterable[tuple[Source, str]] = (),
    reason: tuple[str, ...] = (),
) -> Item:
    """A line quoting `quote` from `source`, cited there and in every (source, quote) of `also`."""
    citations = (_cite(source, quote), *(_cite(other, text) for other, text in also))
    return Item(text=quote, citations=citations, speaker=speaker, score=score, reason=reason)


def _brief(
    *themes: tuple[str, list[Item]],
    sources: tuple[Source, ...] = (SABAH, KYIV),
    **options: Any,
) -> Brief:
    brief_themes = tuple(
        BriefTheme(key=title.lower().replace(" ", "-"), title=title, items=tuple(items))
        for title, items in themes
    )
    brief = Brief(
        title="Fidan–Lavrov talks in Moscow",
        date=dt.date(2025, 5, 27),
        sources=sources,
        themes=brief_themes,
        coverage="2 articles, 27 May 2025",
    )
    return dataclasses.replace(brief, **options)


def _golden_brief() -> Brief:
    """A small brief touching every template branch; any change to it changes the golden."""
    return _brief(
        (
            "Russia–Ukraine talks",
            [
                _item(
                    KYIV,
                    "Russian Foreign Minister Sergei Lavrov said on May 27 that Moscow would "
                    "welcome a second round of peace talks with Ukraine in Istanbul.",
                    speaker="Sergey Lavrov",  # named in the text: no label
                    also=[(SABAH, "Fidan said Ankara wanted to host another round.")],
                    reason=("talks", "istanbul"),
                    score=9.0,
                ),
                _item(
                    SABAH,
                    "He noted that talks on a second prisoner exchange are underway.",
                    speaker="Hakan Fidan",  # not named in the text: labelled
                    score=6.0,
                ),
                _item(NOTES, "The Vatican offered to host.", score=2.0),
            ],
        ),
        (
            "Syria",
            [
                _item(
                    SABAH,
                    "Fidan praised recent U.S. and European Union decisions to lift sanctions "
                    "on Syria as “extremely important.”",
                    speaker="Hakan Fidan",
                    score=7.0,
                )
            ],
        ),
        ("Gaza", []),
        sources=(SABAH, KYIV, NOTES),
        dropped=2,
    )


def _html_tree(html: str) -> Element:
    return tinyhtml5.parse(html, namespace_html_elements=False)


def _classes(element: Element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split())


# Sentences of about 70 characters: each prints as exactly one line on A4 at 9.5pt,
# so a brief of N such lines is N lines tall plus its fixed header and sources.
FILLER_TEXT = "".join(
    f"Line {number:03d}: the delegations met again in Geneva on the prisoner exchange. "
    for number in range(200)
)
FILLER = Source(id="1", path="filler.txt", text=FILLER_TEXT, outlet="Wire")


def _filler_brief(counts: list[int], *, first_score: float = 100.0) -> Brief:
    """Themes of one-line items; each theme's first scores first_score, the rest less."""
    sentences = iter(FILLER_TEXT.split(". "))
    # Distinct scores below 100, scattered so the lowest ones fall in every theme.
    scores = iter(float(number * 37 % 101) for number in range(1, 101))
    themes = []
    for theme_number, count in enumerate(counts):
        items = []
        for position in range(count):
            score = first_score if position == 0 else next(scores)
            items.append(_item(FILLER, next(sentences) + ".", score=score))
        themes.append((f"Theme {theme_number + 1}", items))
    return _brief(*themes, sources=(FILLER,))


@pytest.fixture(scope="module")
def lines_per_page() -> int:
    """How many one-line filler items fit one A4 page in three themes (calibrated, not guessed)."""
    fitted, document = render.fit_to_page(_filler_brief([30, 30, 30]))
    assert len(document.pages) == 1
    return len(fitted.items)


# -- HTML ---------------------------------------------------------------------------


def test_html_is_a_standalone_document_without_scripts_or_fetches() -> None:
    html = render.render_html(_golden_brief())
    root = _html_tree(html)
    assert html.startswith("<!DOCTYPE html>")
    assert root.get("lang") == "en"
    assert root.find("head/meta[@charset='utf-8']") is not None
    assert root.find("head/meta[@name='viewport']") is not None
    assert len(root.findall("head/style")) == 1
    assert not [element.tag for element in root.iter() if element.tag in ("script", "link")]
    assert not [element for element in root.iter() if element.get("src")]
    assert "url(" not in html and "@import" not in html


def test_html_shows_article_markup_as_text() -> None:
    quote = 'Officials said <script>alert("x")</script> & <b>left</b>.'
    source = Source(id="1", path="a.txt", text=f"Intro. {quote} Outro.")
    brief = _brief(("Talks", [_item(source, quote)]), sources=(source,))

    html = render.render_html(brief)
    root = _html_tree(html)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert root.find(".//script") is None and root.find(".//main//b") is None
    line = root.find(".//li[@id='item-1']")
    assert line is not None
    assert quote in _text(line)
    marker = line.find(".//a")
    assert marker is not None and marker.get("title") == quote


def test_every_line_has_one_marker_per_citation_linking_to_its_source() -> None:
    brief = _golden_brief()
    root = _html_tree(render.render_html(brief))
    entries = {
        entry.get("id", ""): entry for entry in root.iter("li") if "source" in _classes(entry)
    }
    assert sorted(entries) == ["source-1", "source-2", "source-3"]

    for number, item in enumerate(brief.items, start=1):
        line = root.find(f".//li[@id='item-{number}']")
        assert line is not None, f"item-{number} missing"
        markers = line.findall(".//a")
        assert [marker.text for marker in markers] == [
            f"[{citation.source_id}]" for citation in item.citations
        ]
        for marker, citation in zip(markers, item.citations, strict=True):
            target = marker.get("href", "").removeprefix("#")
            assert target in entries, f"{marker.get('href')} points at no source entry"
            assert marker.get("title") == citation.quote
            assert (marker.get("aria-label") or "").startswith(f"Source {citation.source_id}: ")


@pytest.mark.parametrize(
    "speaker, text, shown",
    [
        ("Hakan Fidan", "He noted that talks are underway.", True),
        ("Hakan Fidan", "Fidan said Ankara wanted to host another round.", False),
        ("Sergey Lavrov", "Lavrov's remarks drew a reply from Kyiv.", False),
        ("Recep Tayyip Erdoğan", "Erdoğan has pledged support.", False),
        ("Li Qiang", "Libya was not discussed.", True),  # "Li" is not a word in "Libya"
        ("Alan Whitcombe", "Sir Alan said the country had voted for change.", False),
        ("Alan Whitcombe", "Alan said the country had voted for change.", True),
        (None, "Talks continue.", False),
    ],
)
def test_speaker_label_only_when_the_line_does_not_name_them(
    speaker: str | None, text: str, shown: bool
) -> None:
    source = Source(id="1", path="a.txt", text=text)
    item = dataclasses.replace(_item(source, text), speaker=speaker)
    root = _html_tree(render.render_html(_brief(("Talks", [item]), sources=(source,))))
    labels = [_text(label) for label in root.iter("strong") if "speaker" in _classes(label)]
    assert labels == ([f"{speaker}:"] if shown else [])


def test_header_dates_and_source_entries_read_like_a_note() -> None:
    root = _html_tree(render.render_html(_golden_brief()))
    header = root.find(".//header")
    assert header is not None
    assert "27 May 2025" in _text(header) and "2 articles, 27 May 2025" in _text(header)
    entries = [_text(entry) for entry in root.iter("li") if "source" in _classes(entry)]
    # one short line each: outlet, date, the title (linking to the article), the host
    # for a paper copy; the author in the entry's tooltip
    assert entries[1] == (
        "[2] The Kyiv Independent, 27 May 2025: 'Istanbul is very good' — Lavrov backs "
        "Turkey again for next round of talks (kyivindependent.com)"
    )
    kyiv = next(e for e in root.iter("li") if e.get("id") == "source-2")
    assert kyiv.get("title") == "by Tim Zadorozhnyy"
    link = next(a for a in kyiv.iter("a"))
    assert link.get("href") == "https://kyivindependent.com/istanbul-is-very-good-lavrov-backs-turkey"
    assert entries[2] == "[3] desk notes.txt"  # no metadata: named by its file
    note = root.find(".//p[@class='note']")
    assert note is not None
    assert _text(note) == "Every line quotes its source verbatim; 2 lines left out to fit one page."


@pytest.mark.parametrize("title, kicker", [("Fidan in Moscow", True), ("Briefing note", False)])
def test_kicker_is_left_out_when_the_title_already_says_it(title: str, kicker: bool) -> None:
    root = _html_tree(render.render_html(dataclasses.replace(_golden_brief(), title=title)))
    assert (root.find(".//p[@class='kicker']") is not None) is kicker


def test_theme_without_lines_says_so() -> None:
    root = _html_tree(render.render_html(_golden_brief()))
    gaza = root.find(".//section[3]")
    assert gaza is not None
    assert _text(gaza) == "Gaza No lines on this theme in these sources."


def test_only_web_addresses_become_links() -> None:
    source = dataclasses.replace(SABAH, url="javascript:alert(1)")
    brief = _brief(
        (
            "Talks",
            [_item(source, "He noted that talks on a second prisoner exchange are underway.")],
        ),
        sources=(source,),
    )
    root = _html_tree(render.render_html(brief))
    assert not [a for a in root.iter("a") if "javascript" in (a.get("href") or "")]
    assert "javascript:alert(1)" in _text(root)


@pytest.mark.parametrize("body_size, printed", [(9.5, "9.5pt"), (11, "11pt"), (7.0, "9pt")])
def test_body_text_is_never_below_9pt(body_size: float, printed: str) -> None:
    html = render.render_html(dataclasses.replace(_golden_brief(), body_size=body_size))
    assert f"html {{ font-size: {printed}; }}" in html


def test_unknown_paper_is_a_render_error() -> None:
    with pytest.raises(RenderError, match=r"paper 'a5' is not supported; use one of: a4, letter"):
        render.render_html(dataclasses.replace(_golden_brief(), paper="a5"))


def test_citing_a_source_missing_from_the_brief_is_a_render_error() -> None:
    brief = _brief(
        (
            "Talks",
            [_item(KYIV, "No official date or venue for a second round of talks has been agreed.")],
        ),
        sources=(SABAH,),
    )
    with pytest.raises(RenderError, match=r"line 1 cites source '2'"):
        render.render_html(brief)


def test_template_errors_become_render_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = jinja2.Environment(
        loader=jinja2.DictLoader({"brief.html": "{{ brief.no_such_field }}"}),
        undefined=jinja2.StrictUndefined,
    )
    monkeypatch.setattr(render, "_environment", lambda: broken)
    with pytest.raises(RenderError, match=r"template brief.html: .*no_such_field"):
        render.render_html(_golden_brief())


def test_html_matches_golden_file(update_golden: bool) -> None:
    html = render.render_html(_golden_brief())
    if update_golden:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8", newline="")
        pytest.skip(f"rewrote {GOLDEN}; review it with git diff")
    assert GOLDEN.is_file(), "no golden file: run pytest --update-golden, then review it"
    assert html == GOLDEN.read_bytes().decode("utf-8"), (
        "render_html output changed: if intended, run pytest --update-golden and review the diff"
    )


# -- JSON ---------------------------------------------------------------------------


def test_json_has_exactly_the_schema() -> None:
    data = json.loads(render.render_json(_golden_brief()))

    # Fields are only ever added: since and left_out came with the desk (issue 16).
    assert list(data) == ["schema", "title", "date", "sources", "themes", "since", "left_out"]
    assert data["since"] is None and data["left_out"] == []  # compared with no earlier brief
    assert data["schema"] == "briefing/1"
    assert data["date"] == "2025-05-27"
    assert [list(source) for source in data["sources"]] == [
        ["id", "path", "outlet", "title", "published", "url", "author", "text", "origin"]
    ] * 3  # origin (issue 14): the news agency whose copy a source prints, or null
    assert data["sources"][2] == {
        "id": "3",
        "path": "inbox/desk notes.txt",
        "outlet": None,
        "title": None,
        "published": None,
        "url": None,
        "author": None,
        "text": "The Vatican offered to host. <b>",  # what the citation offsets index
        "origin": None,
    }
    assert data["sources"][0]["published"] == "2025-05-27"
    assert [list(theme) for theme in data["themes"]] == [["key", "title", "items"]] * 3
    first = data["themes"][0]["items"][0]
    assert list(first) == ["text", "speaker", "date", "reason", "conflict", "citations",
                           "id", "status", "updates", "pinned"]
    assert first["conflict"] == []
    assert first["reason"] == ["talks", "istanbul"] and first["date"] is None
    assert [list(citation) for citation in first["citations"]] == [
        ["source", "quote", "start", "end"]
    ] * 2


def test_json_quotes_round_trip_to_the_source_text() -> None:
    brief = _golden_brief()
    data = json.loads(render.render_json(brief))
    texts = {source.id: source.text for source in brief.sources}
    citations = [
        citation
        for theme in data["themes"]
        for item in theme["items"]
        for citation in item["citations"]
    ]
    assert len(citations) == 5
    for citation in citations:
        assert citation["quote"] == texts[citation["source"]][citation["start"] : citation["end"]]


def test_json_keeps_non_ascii_text_as_written() -> None:
    text = render.render_json(_golden_brief())
    assert "“extremely important.”" in text and "Türkiye" in text


# -- PDF ----------------------------------------------------------------------------


def test_pdf_is_one_page_holding_every_line() -> None:
    brief = _golden_brief()
    fitted, document = render.fit_to_page(brief)
    pages, text = _pdf_text(render.write_pdf(document))
    assert pages == 1
    assert fitted == brief  # it fitted: nothing dropped
    for item in brief.items:
        assert " ".join(item.text.split()) in text


@pytest.mark.parametrize("paper, size", [("a4", (595, 842)), ("letter", (612, 792))])
def test_paper_sets_the_page_size(paper: str, size: tuple[int, int]) -> None:
    document = render.layout_pdf(dataclasses.replace(_golden_brief(), paper=paper))
    page = pypdf.PdfReader(io.BytesIO(render.write_pdf(document))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_layout_fetches_nothing_but_bundled_assets() -> None:
    fetcher = render._BundledFetcher(render.templates_dir())
    bundled = (render.templates_dir() / "brief.css").as_uri()
    for url, start in ((bundled, b"/*"), ("data:text/plain,ok", b"ok")):
        response = fetcher.fetch(url)
        assert response.read().startswith(start)
        response.close()
    for url in ("file:///etc/passwd", f"{bundled}/../../../../etc/passwd", "http://127.0.0.1/"):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetcher.fetch(url)


# -- fitting one page ---------------------------------------------------------------


def test_fit_keeps_a_brief_that_fits_after_one_layout() -> None:
    before = render.layout_count()
    fitted, document = render.fit_to_page(_filler_brief([3, 3]))
    assert len(document.pages) == 1
    assert fitted.dropped == 0 and len(fitted.items) == 6
    assert render.layout_count() - before == 1 == fitted.extra["layouts"]


def test_fit_drops_the_lowest_scored_lines_in_few_layouts(lines_per_page: int) -> None:
    # Three lines too many; theme 2's first line scores lowest of all and must stay.
    counts = [lines_per_page // 3, lines_per_page // 3]
    counts.append(lines_per_page + 3 - sum(counts))
    brief = _filler_brief(counts)
    themes = list(brief.themes)
    first = dataclasses.replace(themes[1].items[0], score=-1.0)
    themes[1] = dataclasses.replace(themes[1], items=(first, *themes[1].items[1:]))
    brief = dataclasses.replace(brief, themes=tuple(themes))
    assert len(render.layout_pdf(brief).pages) == 2, "precondition: the brief overflows"

    before = render.layout_count()
    fitted, document = render.fit_to_page(brief)

    assert render.layout_count() - before <= 3
    assert fitted.extra["layouts"] == render.layout_count() - before
    assert len(document.pages) == 1
    assert fitted.dropped == 3
    dropped = [item for item in brief.items if item not in fitted.items]
    firsts = [theme.items[0] for theme in brief.themes]
    droppable = sorted(
        (item for item in brief.items if item not in firsts), key=lambda item: item.score
    )
    assert dropped == sorted(droppable[:3], key=brief.items.index)
    assert [theme.items[0] for theme in fitted.themes] == firsts
    pages, text = _pdf_text(render.write_pdf(document))
    assert pages == 1 and "3 lines left out to fit one page" in text


def test_fit_adds_to_lines_already_dropped(lines_per_page: int) -> None:
    counts = [lines_per_page // 3, lines_per_page // 3]
    counts.append(lines_per_page + 1 - sum(counts))  # one line too many
    brief = dataclasses.replace(_filler_brief(counts), dropped=5)
    fitted, _ = render.fit_to_page(brief)
    assert fitted.dropped == 5 + 1


def test_fit_puts_back_a_shorter_line_the_room_left_can_hold(lines_per_page: int) -> None:
    # The two lowest lines: a one-line one, then one of five sentences (four printed
    # lines) ranked just above it. The overflow, about two printed lines, takes both;
    # the long one freed more than was needed, and the one-line one fits the room left.
    counts = [lines_per_page // 3, lines_per_page // 3]
    counts.append(lines_per_page - 1 - sum(counts))
    brief = _filler_brief(counts)
    short = min(brief.items, key=lambda item: item.score)
    long_text = ". ".join(FILLER_TEXT.split(". ")[150:155]) + "."
    long = dataclasses.replace(_item(FILLER, long_text), score=short.score + 0.5)
    themes = list(brief.themes)
    themes[0] = dataclasses.replace(themes[0], items=(*themes[0].items, long))
    brief = dataclasses.replace(brief, themes=tuple(themes))
    assert len(render.layout_pdf(brief).pages) == 2, "precondition: the brief overflows"

    before = render.layout_count()
    fitted, document = render.fit_to_page(brief)

    assert len(document.pages) == 1
    assert short in fitted.items and long not in fitted.items
    assert fitted.dropped == 1
    assert [item for item, _ in fitted.left_out] == [long]
    assert render.layout_count() - before == fitted.extra["layouts"] <= 4


def _one_source_per_line_brief(count: int) -> Brief:
    """Three themes of lines that each cite their own source, so the source list is long."""
    sources = tuple(
        Source(
            id=str(number),
            path=f"wire-{number}.txt",
            text=f"Line {number:03d}: the delegations met again in Geneva on the exchange.",
            outlet="Wire",
            title=f"Delegations meet again, report {number}",
            published=dt.date(2025, 5, 27),
            url=f"https://wire.example/2025/05/27/delegations-meet-{number}",
        )
        for number in range(1, count + 1)
    )
    scores = [float(number * 37 % 101) for number in range(1, count + 1)]
    items = [
        _item(source, source.text, score=score)
        for source, score in zip(sources, scores, strict=True)
    ]
    third = count // 3
    themes = [(f"Theme {n + 1}", items[n * third : (n + 1) * third]) for n in range(3)]
    return _brief(*themes, sources=sources)


def test_fit_is_tight_when_the_page_breaks_inside_the_source_list() -> None:
    # The fit must keep every line that fits: putting back the best line it left
    # out must overflow. Here the overflow is in the middle of the sources.
    brief = _one_source_per_line_brief(45)
    before = render.layout_count()
    fitted, document = render.fit_to_page(brief)
    assert render.layout_count() - before <= 3
    assert len(document.pages) == 1 and fitted.dropped > 0
    left_out = [item for item in brief.items if item not in fitted.items]
    best = max(left_out, key=lambda item: item.score)
    themes = tuple(
        dataclasses.replace(theme, items=tuple(
            item for item in original.items if item in fitted.items or item == best
        ))
        for theme, original in zip(fitted.themes, brief.themes, strict=True)
    )
    assert len(render.layout_pdf(dataclasses.replace(fitted, themes=themes)).pages) == 2


OVERFLOWING_SOURCES = 42  # lines and one-line source entries running just onto page 2


def test_overflow_counts_no_margin_for_a_list_continued_on_page_two() -> None:
    # Page 2 opens inside the source list: the list's top margin is on page 1, so
    # the overflow is what spilled less the room left on page 1, and no more.
    document = render.layout_pdf(_one_source_per_line_brief(OVERFLOWING_SOURCES))
    pages = [page._page_box for page in document.pages]
    assert len(pages) == 2
    opening = next(box for box in render._boxes(pages[1]) if box.element_tag == "li")
    assert "source" in opening.element.get("class"), "precondition: page 2 opens in the sources"
    bottoms = render._content_bottoms(pages)
    room = pages[0].content_box_y() + pages[0].height - bottoms[0]
    spilled = bottoms[1] - pages[1].content_box_y()
    assert render._overflow(document) == pytest.approx(spilled - room)


def test_fit_fails_when_one_line_per_theme_does_not_fit(lines_per_page: int) -> None:
    too_many_themes = _filler_brief([2] * (lines_per_page // 2 + 4))
    before = render.layout_count()
    with pytest.raises(
        RenderError, match=r"does not fit one A4 page even with one line for each of its \d+ themes"
    ):
        render.fit_to_page(too_many_themes)
    assert render.layout_count() - before == 2  # the overflow, then the minimum


def test_speaker_named_in_full_once_then_by_surname() -> None:
    first = _item(SABAH, "He noted that talks on a second prisoner exchange are underway.",
                  speaker="Hakan Fidan")
    second = dataclasses.replace(first, text="He noted that talks on a second prisoner exchange "
                                 "are underway.")
    html = render.render_html(_brief(("Talks", [first, second])))
    assert html.count("<strong class=\"speaker\">Hakan Fidan:</strong>") == 1
    assert html.count("<strong class=\"speaker\">Fidan:</strong>") == 1


def test_two_speakers_of_one_surname_are_named_in_full_each_time() -> None:
    line = "He noted that talks on a second prisoner exchange are underway."
    lines = [_item(SABAH, line, speaker=name)
             for name in ("Elena Markova", "Olga Markova", "Elena Markova")]
    html = render.render_html(_brief(("Talks", lines)))
    assert html.count("<strong class=\"speaker\">Elena Markova:</strong>") == 2
    assert html.count("<strong class=\"speaker\">Olga Markova:</strong>") == 1
    assert "<strong class=\"speaker\">Markova:</strong>" not in html


def test_item_date_is_shown_short_with_year_only_when_it_differs() -> None:
    this_year = dataclasses.replace(
        _item(KYIV, "No official date or venue for a second round of talks has been agreed."),
        date=dt.date(2025, 5, 19),
    )
    last_year = dataclasses.replace(
        _item(SABAH, "Fidan said Ankara wanted to host another round."),
        date=dt.date(2024, 7, 28),
    )
    html = render.render_html(_brief(("Talks", [this_year, last_year])))
    assert '<time class="when" datetime="2025-05-19">Mon 19 May</time>' in html
    assert '<time class="when" datetime="2024-07-28">Sun 28 Jul 2024</time>' in html
    assert json.loads(render.render_json(_brief(("Talks", [this_year]))))["themes"][0][
        "items"][0]["date"] == "2025-05-19"


def test_two_sentences_of_one_source_get_one_marker_quoting_both() -> None:
    item = _item(
        KYIV,
        "No official date or venue for a second round of talks has been agreed.",
        also=[(KYIV, "Russian Foreign Minister Sergei Lavrov said on May 27 that Moscow would "
                     "welcome a second round of peace talks with Ukraine in Istanbul.")],
    )
    html = render.render_html(_brief(("Talks", [item])))
    assert html.count('href="#source-2"') == 1
    assert "has been agreed. … Russian Foreign Minister" in html


def test_lines_whose_sources_disagree_carry_the_mark_in_every_format() -> None:
    disputed = (("1", "more than 600"), ("2", "more than 300"))
    item = dataclasses.replace(
        _item(KYIV, "No official date or venue for a second round of talks has been agreed."),
        conflict=disputed,
    )
    brief = _brief(("Talks", [item]))
    html = render.render_html(brief)
    assert (
        '<span class="conflict">Sources differ: more than 600 [1] · more than 300 [2]</span>'
        in html
    )
    text = " ".join(render.render_template("brief.txt", brief).split())
    assert "(SOURCES DIFFER: more than 600 [1] · more than 300 [2])" in text
    assert "Sources differ: more than 600 [1]" in render.render_template(
        "brief-email.html", brief
    )
    data = json.loads(render.render_json(brief))
    assert data["themes"][0]["items"][0]["conflict"] == [
        {"source": "1", "figures": "more than 600"},
        {"source": "2", "figures": "more than 300"},
    ]


def test_pdf_is_tagged_for_screen_readers() -> None:
    """PDF/UA-1: marked content, a structure tree with real headings, language and title."""
    document = render.layout_pdf(_golden_brief())
    reader = pypdf.PdfReader(io.BytesIO(render.write_pdf(document)))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == "Fidan–Lavrov talks in Moscow · 27 May 2025"
    tags: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                tags.append(str(node["/S"]))
            walk(node.get("/K"))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(catalog["/StructTreeRoot"])
    assert tags.count("/H1") == 1 and tags.count("/H2") == 4  # three themes and the sources
    assert tags.index("/H1") < tags.index("/H2") and "/L" in tags and "/Link" in tags


@pytest.mark.parametrize("paper", sorted(render.PAGE_SIZES))
def test_warm_up_lays_out_one_empty_page(paper: str) -> None:
    before = render.layout_count()
    render.warm_up(paper)  # no brief: no lines, no sources
    assert render.layout_count() - before == 1


def _fifteen_source_brief() -> Brief:
    """Fifteen outlets on one story, each with three lines of a wire report's length."""
    outlets = ["Wire", "Daily Post", "Courier", "Herald", "Times", "Gazette", "Tribune",
               "Observer", "Chronicle", "Ledger", "Mercury", "Sentinel", "Monitor", "Globe",
               "Standard"]
    sources = []
    items = []
    for number, outlet in enumerate(outlets, 1):
        sentences = [
            f"The harbour authority of port {number} said on Monday that the northern pier "
            f"would reopen to ferries within {number + 2} days after the storm damage.",
            f"Officials counted {number * 7} boats damaged along the coast, most of them "
            "small fishing vessels moored inside the breakwater.",
            f"The regional governor promised {number} million euros for repairs and asked "
            "the government for an emergency fund.",
        ]
        text = " ".join(sentences)
        source = Source(id=str(number), path=f"{outlet.lower()}.txt", text=text,
                        outlet=outlet, title=f"Storm damage: port {number} counts the cost",
                        published=dt.date(2025, 5, 27),
                        url=f"https://{outlet.lower().replace(' ', '')}.example/storm-{number}")
        sources.append(source)
        for rank_, sentence in enumerate(sentences):
            items.append(_item(source, sentence, score=float(100 - 20 * rank_ - number)))
    return _brief(("Storm", items), sources=tuple(sources))


def test_a_fifteen_source_brief_keeps_the_page_for_its_lines() -> None:
    """Issue 14.5: at least 20 lines on A4 at the body's type size, each source entry
    naming its outlet and date and linking to its article in the PDF and the HTML."""
    fitted, document = render.fit_to_page(_fifteen_source_brief())
    assert len(document.pages) == 1 and fitted.body_size == 9.5
    assert len(fitted.items) >= 20
    cited = sorted({c.source_id for item in fitted.items for c in item.citations}, key=int)
    assert len(cited) == 15
    reader = pypdf.PdfReader(io.BytesIO(render.write_pdf(document)))
    links = {annotation.get_object()["/A"]["/URI"]
             for annotation in reader.pages[0].get("/Annots", [])
             if annotation.get_object().get("/A", {}).get("/URI")}
    assert {s.url for s in fitted.sources if s.id in cited} <= links
    root = _html_tree(render.render_html(fitted))
    entries = [e for e in root.iter("li") if "source" in _classes(e)]
    assert len(entries) == 15
    for entry, source in zip(entries, (s for s in fitted.sources if s.id in cited), strict=True):
        text = _text(entry)
        assert source.label in text and "27 May 2025" in text
        assert next(a for a in entry.iter("a")).get("href") == source.url


def test_a_line_told_by_hundreds_shows_six_markers_and_counts_the_rest() -> None:
    """A line a hundred near-copies tell must not fill the page with source entries:
    six markers, "+94 more sources", those six in the source list; JSON keeps all."""
    sources = tuple(
        Source(id=str(n), path=f"copy-{n}.txt", outlet=f"Outlet {n}",
               text="The harbour reopened to ferries on Monday after the storm.")
        for n in range(1, 101)
    )
    line = _item(sources[0], "The harbour reopened to ferries on Monday after the storm.",
                 also=[(s, s.text) for s in sources[1:]])
    brief = _brief(("Storm", [line]), sources=sources)
    root = _html_tree(render.render_html(brief))
    item = next(e for e in root.iter("li") if "item" in _classes(e))
    assert [a.text for a in item.iter("a")] == [f"[{n}]" for n in range(1, 7)]
    assert "+94 more sources" in _text(item)
    assert len([e for e in root.iter("li") if "source" in _classes(e)]) == 6
    data = json.loads(render.render_json(brief))
    assert len(data["themes"][0]["items"][0]["citations"]) == 100


def test_a_line_shows_the_marker_of_its_own_sentence_whatever_its_number() -> None:
    """The line is source 8's wording, cited with seven sources' tellings: source 8's
    marker is among the six shown, and its entry in the source list."""
    sources = tuple(
        Source(id=str(n), path=f"s-{n}.txt", outlet=f"Outlet {n}",
               text=f"Ferries ran again on Monday, outlet {n} reported.")
        for n in range(1, 8)
    ) + (Source(id="8", path="s-8.txt", outlet="Outlet 8",
                text="The harbour reopened to ferries on Monday after the storm."),)
    own = sources[7].text
    line = Item(text=own, citations=tuple(
        _cite(s, s.text) for s in sources))  # in source order, as select gives them
    brief = _brief(("Storm", [line]), sources=sources)
    root = _html_tree(render.render_html(brief))
    item = next(e for e in root.iter("li") if "item" in _classes(e))
    assert [a.text for a in item.iter("a")] == ["[1]", "[2]", "[3]", "[4]", "[5]", "[8]"]
    assert "+2 more sources" in _text(item)
    listed = [e for e in root.iter("li") if "source" in _classes(e)]
    assert any("Outlet 8" in _text(e) for e in listed) and len(listed) == 6


def test_a_sources_differ_mark_names_only_listed_sources() -> None:
    """The other source of a "Sources differ" mark is in the source list, though no
    printed line cites it (its own line was left out)."""
    item = dataclasses.replace(
        _item(SABAH, SABAH.text[:40]),
        conflict=(("1", "more than 600"), ("2", "more than 300")))
    root = _html_tree(render.render_html(_brief(("Talks", [item]))))
    listed = [_text(e) for e in root.iter("li") if "source" in _classes(e)]
    assert len(listed) == 2 and any(KYIV.label in text for text in listed)


def test_copies_crediting_no_agency_are_one_report_not_a_source_number() -> None:
    from briefing.brief.origins import origins

    text = ("The harbour reopened to ferries on Monday after the storm had closed it "
            "for three days. Port officials said the first crossing left at six in the morning.")
    copies = (Source(id="1", path="a.txt", outlet="Courier", text=text),
              Source(id="2", path="b.txt", outlet="Gazette", text=text),
              Source(id="3", path="c.txt", outlet="Associated Press",
                     text="Ferries were back in service on Monday, port officials said today."))
    found = origins(copies)
    line = _item(copies[0], copies[0].text.split(". ")[0] + ".",
                 also=[(copies[1], copies[1].text.split(". ")[0] + ".")])
    brief = _brief(("Storm", [line]), sources=copies, origins=found)
    assert render.via(line, found) == "same report, via 2 outlets"
    data = json.loads(render.render_json(brief))
    assert [s["origin"] for s in data["sources"]] == [None, None, None]  # AP is itself
    html = render.render_html(brief)
    assert "(1)" not in html and "(AP)" not in html


def test_a_line_from_hard_wrapped_copy_flows_in_the_plain_text_part() -> None:
    # the line is the source's own text, its line breaks in it (wire copy wraps near
    # 70 columns); the e-mail's text part wraps it again at its own width
    wrapped = dataclasses.replace(KYIV, text="No official date or venue for a second\n"
                                             "round of talks has been agreed.\n")
    item = _item(wrapped, wrapped.text.strip())
    brief = _brief(("Talks", [item]), sources=(SABAH, wrapped))
    text = render.render_template("brief.txt", brief)
    assert "- No official date or venue for a second round of talks has been agreed." in text
    data = json.loads(render.render_json(brief))
    assert data["themes"][0]["items"][0]["text"] == item.text  # verbatim in the JSON
