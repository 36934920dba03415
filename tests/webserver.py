"""A real HTTP server on 127.0.0.1 for the tests, and article pages made from text files.

``serve()`` starts a threaded ``http.server`` on a free port in a background thread
and stops it on exit. Each path answers from a :class:`Route`: a status, headers,
a body, and optionally a delay before answering or a slow trickle of the body, so
timeouts, redirects and size caps are tested against real sockets, not mocks.
"""

from __future__ import annotations

import contextlib
import html
import ssl
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefing.sources.clean import segment_article


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer starts
    trickle: float = 0.0  # seconds between 1 KiB pieces of the body
    length: bool = True  # send Content-Length; False: the body ends when the connection does


class Server:
    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        scheme = "https" if isinstance(self.httpd.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def page(self, path: str, markup: str, **options: object) -> str:
        return self.add(path, Route(markup.encode("utf-8"), **options))  # type: ignore[arg-type]


@contextlib.contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """A running server on 127.0.0.1 (HTTPS with *tls*); stopped when the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            server.hits[self.path] += 1
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            time.sleep(route.delay)
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                if route.trickle:
                    for start in range(0, len(route.body), 1024):
                        self.wfile.write(route.body[start:start + 1024])
                        self.wfile.flush()
                        time.sleep(route.trickle)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should past a limit

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    server = Server(httpd)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def article_page(text_file: Path) -> str:
    """A realistic news page of a text file and its sidecar metadata.

    The article body (as clean.py finds it) goes into ``<article>`` paragraphs under
    the headline and byline; a photo caption becomes a ``<figure>``; the page chrome
    before the body a header, and what follows it (bio, teasers) an aside. Metadata
    goes where sites put it: ``og:site_name``, ``article:published_time``, ``author``,
    the canonical link.
    """
    text = text_file.read_text(encoding="utf-8")
    meta = tomllib.loads(text_file.with_suffix(".toml").read_text(encoding="utf-8"))
    segments = segment_article(text)
    first = next(i for i, s in enumerate(segments) if s.kept)
    e = html.escape
    head = [
        '<meta charset="utf-8">',
        f"<title>{e(meta['title'])} | {e(meta['outlet'])}</title>",
        f'<link rel="canonical" href="{e(meta["url"])}">',
        f'<meta property="og:site_name" content="{e(meta["outlet"])}">',
        f'<meta property="og:title" content="{e(meta["title"])}">',
        f'<meta property="article:published_time" content="{meta["published"]}T09:30:00+00:00">',
    ]
    if "author" in meta:
        head.append(f'<meta name="author" content="{e(meta["author"])}">')
    chrome = [text[s.start:s.end] for s in segments[:first]
              if not s.reason.startswith("photo caption")]
    captions = [text[s.start:s.end] for s in segments[:first]
                if s.reason.startswith("photo caption")]
    after = [text[s.start:s.end] for s in segments[first:] if not s.kept]
    body = [text[s.start:s.end] for s in segments if s.kept]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head>', *head, "</head><body>",
        '<header><nav><a href="/">Home</a> <a href="/world">World</a> '
        '<a href="/politics">Politics</a></nav>',
        *(f'<div class="label">{e(line)}</div>' for line in chrome),
        "</header>", "<main><article>", f"<h1>{e(meta['title'])}</h1>",
    ]
    if "author" in meta:
        parts.append(f'<p class="byline">By <a rel="author" href="/staff">{e(meta["author"])}'
                     "</a></p>")
    parts += [f'<figure><img src="/photo.jpg" alt=""><figcaption>{e(c)}</figcaption></figure>'
              for c in captions]
    parts += [f"<p>{e(paragraph)}</p>" for paragraph in body]
    parts.append("</article>")
    if after:
        parts.append('<aside class="related"><h2>More stories</h2>'
                     + "".join(f"<p>{e(line)}</p>" for line in after) + "</aside>")
    parts.append("</main><footer><p>© All rights reserved.</p></footer></body></html>")
    return "\n".join(parts)
