"""Feeds: entries, their dates and content, which ones a brief takes, broken feeds."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.errors import InputError
from briefing.sources.feeds import looks_like_feed, read_feed, select_entries

BODY = " ".join(["The council met on Monday to agree the new budget for the city."] * 3)

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>City Desk</title><link>http://news.example/</link>
<item><title>Budget agreed</title><link>http://news.example/budget</link>
  <dc:creator>Jane Roe</dc:creator>
  <pubDate>Tue, 27 May 2025 07:15:00 +0000</pubDate>
  <description>The council agreed a budget.</description>
  <content:encoded><![CDATA[<p>{BODY}</p>]]></content:encoded></item>
<item><title>Bridge closed</title><link>http://news.example/bridge</link>
  <pubDate>Tue, 27 May 2025 05:00:00 +0200</pubDate>
  <description>A teaser only.</description></item>
<item><title>Old story</title><link>http://news.example/old</link>
  <pubDate>Mon, 26 May 2025 18:00:00 +0000</pubDate></item>
<item><title>Undated</title><link>http://news.example/undated</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>
<updated>2025-05-27T09:00:00Z</updated>
<entry><title>Port strike</title><id>urn:1</id><link href="http://wire.example/strike"/>
<updated>2025-05-27T09:00:00Z</updated><author><name>John Doe</name></author>
<summary>Dockers walked out.</summary></entry>
</feed>"""


def test_rss_entries_carry_metadata_and_full_content() -> None:
    entries = read_feed(RSS.encode(), path="city.xml")
    first = entries[0]
    assert (first.outlet, first.title, first.link, first.author) == (
        "City Desk", "Budget agreed", "http://news.example/budget", "Jane Roe")
    assert first.published == dt.datetime(2025, 5, 27, 7, 15, tzinfo=dt.UTC)
    assert first.content is not None and BODY in first.content
    assert entries[1].content is None  # a short description is a teaser, not the article
    assert entries[1].published == dt.datetime(2025, 5, 27, 3, 0, tzinfo=dt.UTC)
    assert entries[3].published is None


def test_atom_entries_are_read() -> None:
    (entry,) = read_feed(ATOM.encode(), path="wire.atom")
    assert (entry.outlet, entry.title, entry.link, entry.author, entry.content) == (
        "Wire", "Port strike", "http://wire.example/strike", "John Doe", None)


def test_a_long_description_counts_as_the_full_article() -> None:
    long = " ".join(["Word"] * 160)
    rss = RSS.replace("<description>A teaser only.</description>",
                      f"<description>{long}.</description>")
    assert read_feed(rss.encode(), path="x")[1].content == long + "."


@pytest.mark.parametrize(
    "since, max_items, titles",
    [
        (None, None, ["Budget agreed", "Bridge closed", "Old story", "Undated"]),
        (dt.datetime(2025, 5, 27, tzinfo=dt.UTC), None, ["Budget agreed", "Bridge closed"]),
        (dt.datetime(2025, 5, 27, 4, tzinfo=dt.UTC), None, ["Budget agreed"]),
        (None, 2, ["Budget agreed", "Bridge closed"]),
        (None, 1, ["Budget agreed"]),
        (dt.datetime(2025, 5, 26, tzinfo=dt.UTC), 5, ["Budget agreed", "Bridge closed",
                                                     "Old story"]),
    ],
)
def test_since_and_max_items_keep_the_newest(
    since: dt.datetime | None, max_items: int | None, titles: list[str]
) -> None:
    entries = read_feed(RSS.encode(), path="city.xml")
    kept = select_entries(entries, since=since, max_items=max_items)
    assert [e.title for e in kept] == titles


@pytest.mark.parametrize(
    "data",
    [b"<rss><channel><item><title>cut off", b"{\"items\": []}", b"\x89PNG\r\n\x1a\n"],
)
def test_a_broken_feed_is_an_error_naming_it(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^news\.xml: not a readable RSS or Atom feed \("):
        read_feed(data, path="news.xml")


def test_feeds_are_told_from_pages_by_their_root() -> None:
    assert looks_like_feed(RSS.encode()) and looks_like_feed(ATOM.encode())
    assert not looks_like_feed(b"<!DOCTYPE html><html><body><p>x</p></body></html>")


def test_relative_links_resolve_against_the_feeds_address() -> None:
    rss = RSS.replace("http://news.example/budget", "/budget")
    entries = read_feed(rss.encode(), path="x", base="https://news.example/feeds/all.rss")
    assert entries[0].link == "https://news.example/budget"
