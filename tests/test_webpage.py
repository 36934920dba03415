"""Web pages: the article text and metadata trafilatura finds, and pages with none."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.errors import InputError
from briefing.sources.webpage import read_page

LEDE = ("The finance ministry said on Monday that it would raise the fuel tax next year, "
        "a move that opposition parties have promised to fight in parliament.")
QUOTE = "“We have no other choice,” the minister told reporters in the capital on Tuesday."


def page(head: str = "", lines: str = "", charset: str = "utf-8") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>Fuel tax to rise</title>"
        f"{head}</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Fuel tax to rise</h1>{lines}<p>{LEDE}</p><p>{QUOTE}</p></article>"
        "<footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )


def test_metadata_comes_from_the_page_markup() -> None:
    source = read_page(page(
        '<meta property="og:site_name" content="The Ledger">'
        '<meta name="author" content="Jane Roe">'
        '<meta property="article:published_time" content="2025-05-27T08:00:00+00:00">'
        '<link rel="canonical" href="https://ledger.example/tax">'
    ), path="saved.html", url="https://ledger.example/tax?utm_source=x")
    assert (source.outlet, source.title, source.author) == ("The Ledger", "Fuel tax to rise",
                                                            "Jane Roe")
    assert (source.published, source.url) == (dt.date(2025, 5, 27), "https://ledger.example/tax")
    assert source.path == "saved.html"


def test_the_text_is_the_article_one_line_per_paragraph() -> None:
    source = read_page(page(), path="a.html")
    assert source.text == f"Fuel tax to rise\n{LEDE}\n{QUOTE}\n"
    kept = [source.text[s.start:s.end] for s in source.body]
    assert kept == [LEDE, QUOTE]  # the headline is dropped by clean.py's line rules
    assert "Home" not in source.text and "Privacy" not in source.text


def test_the_pages_own_date_beats_a_date_in_the_text() -> None:
    head = '<meta property="article:published_time" content="2025-05-27T08:00:00Z">'
    source = read_page(page(head, "<p>Posted 3 March 2024.</p>"), path="a.html")
    assert source.published == dt.date(2025, 5, 27)


def test_without_a_page_date_one_is_found_in_the_text() -> None:
    source = read_page(page(lines="<p class='date'>Published: 3 March 2024</p>"), path="a.html")
    assert source.published == dt.date(2024, 3, 3)


def test_the_site_is_named_by_its_host_when_the_page_does_not_name_it() -> None:
    source = read_page(page(), path="x", url="https://www.ledger.example/news/tax")
    assert (source.outlet, source.url) == ("ledger.example", "https://www.ledger.example/news/tax")


def test_a_page_declaring_cp1252_is_decoded_from_its_bytes() -> None:
    data = page(charset="windows-1252").encode("cp1252")
    assert read_page(data, path="a.html").text.endswith(QUOTE + "\n")


def test_given_metadata_fills_only_what_the_page_does_not_say() -> None:
    head = '<meta property="og:site_name" content="The Ledger">'
    source = read_page(page(head), path="a.html",
                       metadata={"outlet": "Feed title", "author": "Jane Roe"})
    assert (source.outlet, source.author) == ("The Ledger", "Jane Roe")


@pytest.mark.parametrize(
    "markup, message",
    [
        ("<html><body><nav><a href='/'>Home</a><a href='/x'>World news</a></nav>"
         "<ul><li>Sport</li><li>Weather</li></ul></body></html>", "index.html: no article text"),
        ("", "index.html: no article text found in the page"),
        ("<html><body><h2>Subscribe to continue reading.</h2><p>Log in to read.</p>"
         "</body></html>", "index.html: no article text"),
    ],
)
def test_a_page_without_an_article_is_an_error(markup: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_page(markup.encode("utf-8"), path="index.html")
