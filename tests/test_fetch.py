"""Fetching URLs against a real HTTP server on 127.0.0.1: limits, redirects, errors."""

from __future__ import annotations

import gzip
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from webserver import Route, Server, serve

from briefing.errors import InputError
from briefing.models import FetchLimits
from briefing.sources.fetch import fetch
from briefing.sources.inputs import is_url

PAGE = b"<html><body><p>Hello.</p></body></html>"
QUICK = FetchLimits(timeout=0.5, max_bytes=64 * 1024, max_redirects=3)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        running.add("/page", Route(PAGE, content_type="text/html; charset=ISO-8859-1"))
        running.add("/moved", Route(status=301, headers={"Location": "/page"}))
        running.add("/moved-twice", Route(status=302, headers={"Location": "moved"}))
        running.add("/loop", Route(status=302, headers={"Location": "/loop"}))
        running.add("/to-file", Route(status=302, headers={"Location": "file:///etc/passwd"}))
        running.add("/to-ftp", Route(status=301, headers={"Location": "ftp://127.0.0.1/x"}))
        running.add("/slow", Route(PAGE, delay=2.0))
        running.add("/trickle", Route(b"x" * 8 * 1024, trickle=0.2))
        running.add("/big", Route(b"x" * 200 * 1024))
        running.add("/big-unsized", Route(b"x" * 200 * 1024, length=False))
        running.add("/gone", Route(b"gone", status=410, content_type="text/plain"))
        for path, codings, body in _encoded():
            running.add(path, Route(body, headers={"Content-Encoding": codings}))
        running.add("/private", Route(PAGE))
        yield running


def test_a_page_comes_back_with_its_type_and_charset(server: Server) -> None:
    download = fetch(server.url("/page"), limits=QUICK)
    assert download.data == PAGE
    assert (download.content_type, download.charset) == ("text/html", "ISO-8859-1")
    assert download.final_url == server.url("/page")


def test_redirects_are_followed_within_the_limit(server: Server) -> None:
    download = fetch(server.url("/moved-twice"), limits=QUICK)
    assert download.data == PAGE
    assert download.final_url == server.url("/page")
    assert download.url == server.url("/moved-twice")


@pytest.mark.parametrize(
    "path, message",
    [
        ("/missing", "HTTP 404 Not Found; check the address"),
        ("/gone", "HTTP 410 Gone; check the address"),
        ("/loop", "more than 3 redirects (a loop?); give the page's final address"),
        ("/to-file", "redirected to file:///etc/passwd: only http and https addresses are "
         "fetched"),
        ("/to-ftp", "redirected to ftp://127.0.0.1/x: only http and https addresses"),
        ("/slow", "no complete answer within 0.5 s (timeout)"),
        ("/trickle", "no complete answer within 0.5 s (timeout)"),
        ("/big", "larger than 0.0625 MiB; not an article page"),
        ("/big-unsized", "larger than 0.0625 MiB; not an article page"),
    ],
)
def test_a_failed_fetch_is_one_line_naming_the_url(server: Server, path: str,
                                                   message: str) -> None:
    url = server.url(path)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        fetch(url, limits=QUICK)
    assert str(caught.value).startswith(f"{url}: {message}")
    assert "\n" not in str(caught.value)
    # The deadline is the whole fetch's: the trickle (1.6 s in all) stops at 0.5 s.
    assert time.monotonic() - started < QUICK.timeout + 0.5


def test_the_redirect_loop_stops_at_the_limit(server: Server) -> None:
    before = server.hits["/loop"]
    with pytest.raises(InputError):
        fetch(server.url("/loop"), limits=QUICK)
    assert server.hits["/loop"] - before == QUICK.max_redirects + 1


def test_offline_fetches_nothing(server: Server) -> None:
    before = server.hits["/page"]
    with pytest.raises(InputError, match="not fetched: --offline refuses every fetch"):
        fetch(server.url("/page"), offline=True)
    assert server.hits["/page"] == before


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/story.html", "file:///etc/hosts"])
def test_other_schemes_are_never_fetched(url: str) -> None:
    with pytest.raises(InputError, match="only http and https addresses are fetched"):
        fetch(url)


def test_a_closed_port_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match=r"cannot fetch \(.+\); check the address"):
        fetch(f"http://127.0.0.1:{port}/x", limits=QUICK)


@pytest.mark.parametrize(
    "value, expected",
    [("https://example.org/a", True), ("http://x", True), ("ftp://h/f", True),
     ("seeds/a.txt", False), ("C:\\news\\a.txt", False), ("story.html", False)],
)
def test_urls_are_told_from_paths(value: str, expected: bool) -> None:
    assert is_url(value) is expected


def test_https_may_not_step_down_to_http(server: Server, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    authority = trustme.CA()  # a throwaway CA, trusted through SSL_CERT_FILE as a user would
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with serve(tls=context) as secure:
        secure.add("/page", Route(PAGE))
        secure.add("/same-scheme", Route(status=301, headers={"Location": "/page"}))
        down = secure.add("/down", Route(status=301, headers={"Location": server.url("/page")}))
        assert fetch(secure.url("/same-scheme"), limits=QUICK).data == PAGE
        with pytest.raises(InputError) as caught:
            fetch(down, limits=QUICK)
    assert str(caught.value) == (
        f"{down}: redirected from https to plain http ({server.url('/page')}); refused, as a "
        "browser would warn; give the http address if you trust it")
    assert fetch(server.url("/moved"), limits=QUICK).data == PAGE  # http -> http is fine


# -- content codings: decoded a piece at a time, never a bomb whole ------------------------

BOMB = 64 * 2**20  # zeros, decoded; a few KB on the wire


def _encoded() -> list[tuple[str, str, bytes]]:
    import brotli

    zeros = bytes(BOMB)
    inner = gzip.compress(zeros, 1)
    return [
        ("/gzip", "gzip", gzip.compress(PAGE)),
        ("/deflate", "deflate", zlib.compress(PAGE)),
        ("/raw-deflate", "deflate", zlib.compress(PAGE, wbits=-zlib.MAX_WBITS)),
        ("/br", "br", brotli.compress(PAGE)),
        ("/gzip-gzip", "gzip, gzip", gzip.compress(gzip.compress(PAGE))),
        ("/bomb-gzip-gzip", "gzip, gzip", gzip.compress(inner)),
        ("/bomb-br", "br", brotli.compress(zeros, quality=1)),
        ("/thrice", "gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(PAGE)))),
        ("/zstd", "zstd", PAGE),
        ("/damaged", "gzip", _damaged(gzip.compress(PAGE))),
        ("/cut", "gzip", gzip.compress(PAGE)[:-12]),
    ]


def _damaged(data: bytes) -> bytes:
    return data[:10] + b"\xff" + data[11:]  # the first deflate block: of no valid type


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate", "/br", "/gzip-gzip"])
def test_compressed_answers_are_decoded(server: Server, path: str) -> None:
    assert fetch(server.url(path), limits=QUICK).data == PAGE


@pytest.mark.parametrize("path", ["/bomb-gzip-gzip", "/bomb-br"])
def test_a_compression_bomb_stops_at_the_cap_and_costs_little(server: Server, path: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"larger than 0\.0625 MiB; not an article page"):
            fetch(server.url(path), limits=QUICK)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MiB to refuse a {BOMB / 2**20:g} MiB bomb"


@pytest.mark.parametrize("path, message", [
    ("/thrice", "the answer is encoded 3 times over (gzip, gzip, gzip); a server encodes once"),
    ("/zstd", "the answer is in the content coding 'zstd', which briefing does not read"),
    ("/damaged", "the compressed answer is damaged (Error -3 while decompressing data: "
     "invalid block type); try again later"),
    ("/cut", "the compressed answer is cut short; try again later"),
])
def test_codings_that_cannot_be_read_are_one_line(server: Server, path: str,
                                                  message: str) -> None:
    with pytest.raises(InputError) as caught:
        fetch(server.url(path), limits=QUICK)
    assert str(caught.value).startswith(f"{server.url(path)}: {message}")


def test_credentials_in_a_url_are_sent_but_never_shown(server: Server) -> None:
    url = server.url("/private").replace("http://", "http://desk:hunter2@")
    download = fetch(url, limits=QUICK)
    assert download.data == PAGE
    assert "hunter2" not in download.url + download.final_url
    with pytest.raises(InputError) as caught:
        fetch(url.replace("/private", "/nowhere"), limits=QUICK)
    assert "hunter2" not in str(caught.value) and "desk@" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://[::1/x", "http://exa mple.org/"])
def test_an_address_that_is_no_url_is_one_line(url: str) -> None:
    with pytest.raises(InputError, match=r": not a valid address \(|cannot fetch \("):
        fetch(url, limits=QUICK)
