"""Every kind of input together: files, pages, URLs and feeds from a real local server;
the failures named with their reasons, the same article counted once."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from webserver import Route, Server, serve

from briefing.models import FetchLimits
from briefing.sources.inputs import canonical_url, gather_sources

QUICK = FetchLimits(timeout=0.5, max_bytes=256 * 1024, max_redirects=3)
TAX = [
    "The finance ministry said on Monday that it would raise the fuel tax next year.",
    "“We have no other choice,” the minister told reporters in the capital.",
]
BRIDGE = [
    "The old bridge over the river will stay closed until the end of the summer, the "
    "city engineer said on Tuesday.",
    "Inspectors found cracks in two of its supports during a routine check last week.",
]
PORT = [
    "Dock workers at the southern port walked out on Wednesday over a pay dispute.",
    "The union said the strike would last until the operator returned to talks.",
]


def article(title: str, paragraphs: list[str], *, site: str = "The Ledger",
            canonical: str | None = None, published: str = "2025-05-27") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{link}"
            f"<meta property='og:site_name' content='{site}'>"
            f"<meta property='article:published_time' content='{published}T06:00:00Z'>"
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def rss(items: list[tuple[str, str, str, str | None]]) -> bytes:
    """(title, link, RFC 822 date, full content or None) -> an RSS 2.0 feed."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "")
        + "</item>"
        for title, link, date, content in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>City Desk</title>{entries}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        running.page("/bridge", article("Bridge closed", BRIDGE))
        running.page("/tax", article("Fuel tax", TAX, canonical="https://ledger.example/tax"))
        running.page("/index", "<html><body><nav><a href='/a'>World</a> <a href='/b'>Sport</a>"
                               "</nav></body></html>")
        running.add("/report.pdf", Route(b"%PDF-1.7 ...", content_type="application/pdf"))
        running.add("/plain", Route("\n\n".join(PORT).encode("cp1252"),
                                    content_type="text/plain; charset=windows-1252"))
        running.add("/slow", Route(b"<html></html>", delay=2.0))
        running.add("/huge", Route(b"<p>" + b"x" * 300 * 1024))
        running.add("/broken.rss", Route(b"<rss><channel><item><title>cut",
                                         content_type="application/rss+xml"))
        running.add("/to-ftp", Route(status=302, headers={"Location": "ftp://127.0.0.1/x"}))
        running.add("/city.rss", Route(rss([
            ("Port strike", running.url("/port"), "Wed, 28 May 2025 06:00:00 +0000",
             "".join(f"<p>{p}</p>" for p in PORT)),
            ("Bridge closed", running.url("/bridge"), "Wed, 28 May 2025 05:00:00 +0000", None),
            ("Gone", running.url("/gone"), "Tue, 27 May 2025 22:00:00 +0000", None),
            ("Yesterday", running.url("/tax"), "Mon, 26 May 2025 09:00:00 +0000", None),
        ]), content_type="application/rss+xml"))
        running.add("/wire.atom", Route((
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire'
            f'</title><id>urn:w</id><updated>2025-05-28T07:00:00Z</updated><entry><title>'
            f'Bridge</title><id>urn:b</id><link href="{running.url("/bridge/")}"/><updated>'
            "2025-05-28T07:00:00Z</updated></entry></feed>").encode(),
            content_type="application/atom+xml"))
        yield running


def lines(source_text: str, source) -> list[str]:  # type: ignore[no-untyped-def]
    return [source_text[s.start:s.end] for s in source.body]


def test_a_page_a_feed_and_a_text_url_become_numbered_sources(server: Server) -> None:
    sources, failures = gather_sources(
        [server.url("/bridge"), server.url("/plain")], limits=QUICK)
    assert failures == []
    assert [s.id for s in sources] == ["1", "2"]
    bridge, port = sources
    assert (bridge.outlet, bridge.title, bridge.published) == (
        "The Ledger", "Bridge closed", dt.date(2025, 5, 27))
    assert lines(bridge.text, bridge) == BRIDGE
    assert bridge.path == server.url("/bridge")
    assert lines(port.text, port) == PORT  # cp1252 as the server declared it
    assert (port.url, port.outlet) == (server.url("/plain"), None)


def test_each_failure_is_named_with_its_reason_and_the_rest_is_kept(
    server: Server, tmp_path: Path
) -> None:
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(range(128, 256)) * 4)
    inputs = {
        server.url("/missing"): "HTTP 404 Not Found",
        server.url("/slow"): "no complete answer within 0.5 s (timeout)",
        server.url("/index"): "no article text found",
        server.url("/report.pdf"): "content type application/pdf is not a web page, a feed "
                                   "or text",
        server.url("/huge"): "larger than 0.25 MiB",
        server.url("/broken.rss"): "not a readable RSS or Atom feed",
        server.url("/to-ftp"): "redirected to ftp://127.0.0.1/x: only http and https",
        str(noise): "bytes undecodable in any known text encoding",
        str(tmp_path / "nowhere.txt"): "no such file or folder",
    }
    sources, failures = gather_sources([server.url("/bridge"), *inputs], limits=QUICK)
    assert [s.title for s in sources] == ["Bridge closed"]
    assert [f.input for f in failures] == list(inputs)
    for failure, reason in zip(failures, inputs.values(), strict=True):
        assert failure.message.startswith(f"{failure.input}: {reason}"), failure.message
        assert "\n" not in failure.message


def test_offline_refuses_every_url_but_reads_files(server: Server, tmp_path: Path) -> None:
    (tmp_path / "tax.txt").write_text("\n\n".join(TAX), encoding="utf-8")
    before = sum(server.hits.values())
    sources, failures = gather_sources([str(tmp_path / "tax.txt"), server.url("/bridge")],
                                       offline=True)
    assert [s.path for s in sources] == [str(tmp_path / "tax.txt")]
    assert [f.input for f in failures] == [server.url("/bridge")]
    assert "not fetched: --offline refuses every fetch" in failures[0].message
    assert sum(server.hits.values()) == before


def test_feed_entries_from_content_or_link_with_failures_named(server: Server) -> None:
    before = server.hits["/port"]
    sources, failures = gather_sources([server.url("/city.rss")], limits=QUICK)
    assert [s.title for s in sources] == ["Port strike", "Bridge closed", "Fuel tax"]
    port, bridge, tax = sources
    assert server.hits["/port"] == before  # read from the feed's own content, not fetched
    assert lines(port.text, port) == PORT
    assert (port.outlet, port.url, port.published) == (
        "City Desk", server.url("/port"), dt.date(2025, 5, 28))
    assert lines(bridge.text, bridge) == BRIDGE
    assert bridge.outlet == "The Ledger"  # the page names its site; the feed fills gaps
    assert tax.url == "https://ledger.example/tax"  # the page's canonical link
    assert [f.input for f in failures] == [server.url("/gone")]
    assert "HTTP 404 Not Found" in failures[0].message


def test_since_and_max_items_keep_the_mornings_entries(server: Server) -> None:
    morning = dt.datetime(2025, 5, 28, tzinfo=dt.UTC)
    sources, failures = gather_sources([server.url("/city.rss")], since=morning, limits=QUICK)
    assert ([s.title for s in sources], failures) == (["Port strike", "Bridge closed"], [])
    sources, _ = gather_sources([server.url("/city.rss")], max_items=1, limits=QUICK)
    assert [s.title for s in sources] == ["Port strike"]


def test_a_feed_with_full_content_works_offline(server: Server, tmp_path: Path) -> None:
    feed = tmp_path / "city.xml"
    feed.write_bytes(rss([("Port strike", "http://ledger.example/port",
                           "Wed, 28 May 2025 06:00:00 +0000",
                           "".join(f"<p>{p}</p>" for p in PORT))]))
    sources, failures = gather_sources([feed], offline=True)
    assert ([s.title for s in sources], failures) == (["Port strike"], [])


def test_the_same_story_in_two_feeds_is_fetched_and_counted_once(server: Server) -> None:
    before = server.hits["/bridge"] + server.hits["/bridge/"]
    sources, _ = gather_sources([server.url("/city.rss"), server.url("/wire.atom")],
                                since=dt.datetime(2025, 5, 28, tzinfo=dt.UTC), limits=QUICK)
    assert [s.title for s in sources] == ["Port strike", "Bridge closed"]
    assert server.hits["/bridge"] + server.hits["/bridge/"] - before == 1


def test_a_file_and_its_url_count_once_and_the_first_given_wins(
    server: Server, tmp_path: Path
) -> None:
    saved = tmp_path / "tax.txt"
    saved.write_text("Fuel tax\n\n" + "\n\n".join(TAX) + "\n", encoding="utf-8")
    (tmp_path / "tax.toml").write_text('outlet = "Saved copy"\n'
                                       'url = "http://www.ledger.example/tax/?utm_source=rss"\n',
                                       encoding="utf-8")
    sources, failures = gather_sources([saved, server.url("/tax")], limits=QUICK)
    assert ([s.outlet for s in sources], failures) == (["Saved copy"], [])
    # The same text without any URL: still the same article.
    (tmp_path / "tax.toml").unlink()
    sources, _ = gather_sources([server.url("/tax"), saved], limits=QUICK)
    assert [s.outlet for s in sources] == ["The Ledger"]


def test_a_folder_yields_text_pages_and_feeds(server: Server, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\n\n".join(TAX), encoding="utf-8")
    (tmp_path / "b.html").write_text(article("Bridge closed", BRIDGE), encoding="utf-8")
    (tmp_path / "c.xml").write_bytes(rss([("Port strike", "http://x.example/p",
                                           "Wed, 28 May 2025 06:00:00 +0000",
                                           "".join(f"<p>{p}</p>" for p in PORT))]))
    (tmp_path / "c.toml").write_text('outlet = "ignored: a sidecar, not an input"\n')
    sources, failures = gather_sources([tmp_path], offline=True)
    assert failures == []
    assert [s.title for s in sources] == [None, "Bridge closed", "Port strike"]


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.Example.org/news/story/?utm_source=x&id=3#top",
         "example.org/news/story?id=3"),
        ("http://example.org/news/story", "example.org/news/story"),
        ("http://example.org:8080/", "example.org:8080/"),
    ],
)
def test_canonical_urls_ignore_what_does_not_name_the_article(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
