"""``briefing serve``: a desk's latest brief on the intranet, always today's.

An ASGI application (Starlette, served by uvicorn) that answers, read-only:

- ``/`` (and ``/brief.html``): the latest brief as an HTML page; ``/brief.pdf``,
  ``/brief.json``, ``/fragment.html`` (a section for a portal to include);
- ``/briefs/``: the desk's past briefs; ``/briefs/DATE/`` and its ``brief.pdf``,
  ``brief.json``, ``fragment.html``: one of them, exactly as it was (history);
- ``/health``: one line, for a reverse proxy or a monitor.

Every answer carries an ETag and Last-Modified and honours If-None-Match and
If-Modified-Since, so a portal polling the fragment costs a 304. The latest
brief's formats are rendered once per build, so a request only copies bytes;
past briefs are rendered at their first request and kept. With an interval, a
thread builds the brief again (the model kept loaded in a worker process, URLs
and feeds fetched again); a build that fails logs one line and the last good
brief stays.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .brief.render import MONTHS, templates_dir
from .desk.edits import keep_edits
from .desk.history import History
from .desk.news import Choices
from .errors import BriefingError
from .pipeline import BuildOptions, build_brief, record_brief, render_output, render_stored

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from .facts.extraction import ParserPool
    from .models import Brief

__all__ = ["Desk", "Edition", "make_app", "open_socket", "serve"]

logger = logging.getLogger(__name__)

FILES = {  # path under / or /briefs/DATE/ -> (format, fragment, media type)
    "": ("html", False, "text/html; charset=utf-8"),
    "brief.html": ("html", False, "text/html; charset=utf-8"),
    "brief.pdf": ("pdf", False, "application/pdf"),
    "brief.json": ("json", False, "application/json"),
    "fragment.html": ("html", True, "text/html; charset=utf-8"),
}
PAST_EDITIONS = 16  # past briefs kept rendered; a desk's readers look at the last few
# The page has inline styles and nothing else: no scripts, fonts or images to fetch.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Edition:
    """One brief, rendered in every format the server gives, and when it was built."""

    brief: Brief
    built: dt.datetime  # UTC
    files: dict[str, bytes]  # by FILES key

    @classmethod
    def of(cls, brief: Brief, built: dt.datetime, render: Callable[[str, bool], bytes]
           ) -> Edition:
        """Every format of *brief*, each made by *render*(format, fragment) once."""
        made: dict[tuple[str, bool], bytes] = {}
        for fmt, fragment, _media in FILES.values():
            if (fmt, fragment) not in made:
                made[fmt, fragment] = render(fmt, fragment)
        return cls(brief, built, {name: made[fmt, fragment]
                                  for name, (fmt, fragment, _media) in FILES.items()})

    @functools.cached_property
    def etags(self) -> dict[str, str]:
        """Each file's ETag, hashed once for all the requests it answers."""
        return {name: _etag(body) for name, body in self.files.items()}


class Desk:
    """The desk a server shows: its inputs and options, the latest good edition, and
    the history of past ones."""

    def __init__(self, inputs: Sequence[str], options: BuildOptions) -> None:
        self.inputs = list(inputs)
        self.options = options
        self.current: Edition | None = None
        self.failure: str | None = None  # the last build's error, while it stands
        self._past: OrderedDict[tuple[int, str], Edition] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def title(self) -> str:
        return self.options.title

    def build(self, pool: ParserPool | None = None) -> Edition:
        """Build the brief, record it, render every format; it becomes the current one."""
        build = build_brief(self.inputs, self.options, pool=pool)
        record_brief(build)
        if self.options.edits is not None:  # as build does: a pin follows its line's update
            kept = keep_edits(self.options.edits, Choices(pins=self.options.pins,
                                                          drops=self.options.drops), build.brief)
            if kept is not None:
                logger.info("kept %d pinned and %d dropped lines in %s", len(kept.pins),
                            len(kept.drops), self.options.edits)
        built = dt.datetime.now(dt.UTC).replace(microsecond=0)
        edition = Edition.of(build.brief, built, lambda fmt, fragment: render_output(
            build, fmt, fragment=fragment))
        self.current = edition  # one assignment: a request sees the old or the new
        self.failure = None
        return edition

    def rebuild(self, pool: ParserPool | None = None) -> bool:
        """Build again; a failure logs one line and keeps the last good edition."""
        started = time.perf_counter()
        try:
            edition = self.build(pool)
        except BriefingError as error:
            self._failed(str(error))
            return False
        except Exception as error:  # a bug: still keep serving the last good brief
            self._failed(f"internal error: {type(error).__name__}: {error} (please report it)")
            return False
        logger.info("rebuilt %r of %s in %.1f s: %d lines", self.title, edition.brief.date,
                    time.perf_counter() - started, len(edition.brief.items))
        return True

    def _failed(self, message: str) -> None:
        self.failure = message
        kept = self.current
        still = (f"; still serving the brief built at {kept.built:%Y-%m-%d %H:%M} UTC"
                 if kept is not None else "")
        logger.error("rebuild failed: %s%s", message, still)

    def restore(self) -> Edition | None:
        """The desk's newest brief of the history as the current one (a server started
        while its first build fails still shows the last good brief)."""
        if self.options.history is None or not Path(self.options.history).is_file():
            return None
        with History(self.options.history, create=False) as history:
            summaries = history.briefs(self.title)
        if not summaries:
            return None
        self.current = self.past(summaries[0].date)
        return self.current

    def past(self, day: dt.date) -> Edition | None:
        """The desk's brief of *day* from the history (today's: the current one)."""
        current = self.current
        if current is not None and current.brief.date == day:
            return current
        if self.options.history is None or not Path(self.options.history).is_file():
            return None
        with History(self.options.history, create=False) as history:
            found = history.find(self.title, day)
            if found is None:
                return None
            key = (found, day.isoformat())
            with self._lock:
                if key in self._past:
                    self._past.move_to_end(key)
                    return self._past[key]
            stored = history.load(found)
        edition = Edition.of(stored.brief, stored.built.replace(microsecond=0),
                             lambda fmt, fragment: render_stored(stored.brief, fmt,
                                                                 fragment=fragment))
        with self._lock:
            self._past[key] = edition
            while len(self._past) > PAST_EDITIONS:
                self._past.popitem(last=False)
        return edition

    def briefs(self) -> list[dict[str, Any]]:
        """The desk's briefs of the history, newest first, for the /briefs/ page."""
        if self.options.history is None or not Path(self.options.history).is_file():
            return []
        with History(self.options.history, create=False) as history:
            summaries = history.briefs(self.title)
        return [{"date": s.date.isoformat(), "long_date": _long(s.date), "lines": s.lines,
                 "new": s.new, "updates": s.updates, "since": s.since} for s in summaries]


def _long(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def make_app(desk: Desk) -> Starlette:
    """The ASGI application of *desk*: GET and HEAD only."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    def latest(request: Request) -> Response:
        edition = desk.current
        if edition is None:
            return PlainTextResponse("no brief built yet; try again shortly\n", status_code=503,
                                     headers={"Retry-After": "30"})
        return _answer(request, edition, request.path_params.get("name", ""))

    def past(request: Request) -> Response:
        try:
            day = dt.date.fromisoformat(request.path_params["date"])
        except ValueError:
            return _missing(f"{request.path_params['date']!r} is not a date (YYYY-MM-DD)")
        edition = desk.past(day)
        if edition is None:
            return _missing(f"no brief of {desk.title!r} on {day.isoformat()}")
        return _answer(request, edition, request.path_params.get("name", ""))

    def index(request: Request) -> Response:
        from starlette.responses import HTMLResponse

        body = _index_page(desk.title, desk.briefs()).encode("utf-8")
        etag = _etag(body)
        return _conditional(request, etag, None) or HTMLResponse(
            body, headers={**SECURITY_HEADERS, "ETag": etag, "Cache-Control": "no-cache"})

    def health(_request: Request) -> Response:
        edition = desk.current
        if edition is None:
            return PlainTextResponse("starting: no brief yet\n", status_code=503)
        line = (f"ok: {desk.title}, brief of {edition.brief.date.isoformat()} built "
                f"{edition.built:%Y-%m-%dT%H:%M:%SZ}")
        if desk.failure:
            line += f"; the last rebuild failed: {desk.failure}"
        return PlainTextResponse(line + "\n", headers={"Cache-Control": "no-store"})

    methods = ["GET", "HEAD"]
    routes = [
        Route("/", latest, methods=methods),
        Route("/health", health, methods=methods),
        Route("/briefs/", index, methods=methods),
        Route("/briefs/{date}/", past, methods=methods),
        *(Route(f"/briefs/{{date}}/{name}", functools.partial(_named, past, name),
                methods=methods) for name in FILES if name),
        *(Route(f"/{name}", functools.partial(_named, latest, name), methods=methods)
          for name in FILES if name),
    ]
    return Starlette(routes=routes)


def _named(handler: Callable[[Request], Response], name: str, request: Request) -> Response:
    request.path_params["name"] = name
    return handler(request)


def _answer(request: Request, edition: Edition, name: str) -> Response:
    from starlette.responses import Response

    _fmt, _fragment, media = FILES[name]
    body = edition.files[name]
    etag = edition.etags[name]
    headers = {**SECURITY_HEADERS, "ETag": etag,
               "Last-Modified": email.utils.format_datetime(edition.built, usegmt=True),
               "Cache-Control": "no-cache"}  # always revalidate: a rebuild may come any time
    if name == "brief.pdf":
        headers["Content-Disposition"] = (f'inline; filename="brief-'
                                          f'{edition.brief.date.isoformat()}.pdf"')
    return _conditional(request, etag, edition.built, headers) or Response(
        body, media_type=media, headers=headers)


def _conditional(request: Request, etag: str, built: dt.datetime | None,
                 headers: dict[str, str] | None = None) -> Response | None:
    """A 304 when the client's copy (of the body whose ETag is *etag*) is current
    (RFC 9110: If-None-Match first)."""
    from starlette.responses import Response

    match = request.headers.get("if-none-match")
    since = request.headers.get("if-modified-since")
    fresh = False
    if match is not None:
        fresh = etag in {tag.strip().removeprefix("W/") for tag in match.split(",")} or (
            match.strip() == "*")
    elif since is not None and built is not None:
        try:
            fresh = email.utils.parsedate_to_datetime(since) >= built
        except (TypeError, ValueError):
            fresh = False
    if not fresh:
        return None
    kept = {k: v for k, v in (headers or {}).items() if k in ("ETag", "Last-Modified",
                                                               "Cache-Control")}
    return Response(status_code=304, headers={"ETag": etag, **kept})


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _missing(message: str) -> Response:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message + "\n", status_code=404)


@functools.cache
def _index_template() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("desk-index.html")


def _index_page(title: str, briefs: list[dict[str, Any]]) -> str:
    return str(_index_template().render(title=title, briefs=briefs))


def open_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on *host*:*port* (0: a free port), or a BriefingError.

    Made with its protocol named (IPPROTO_TCP), as asyncio's own are: asyncio turns
    Nagle's algorithm off only on such sockets, and with it on, a response's body
    waited for the client's delayed ACK of its headers (44 ms a request).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise BriefingError(f"--host {host} --port {port}: cannot listen there "
                            f"({error.strerror or error}); pick another port, or stop what "
                            "holds it") from None
    return sock


def serve(desk: Desk, sock: socket.socket, *, every: float | None = None,
          pool: ParserPool | None = None, access_log: bool = False) -> None:
    """Serve *desk* on *sock* until SIGINT or SIGTERM; with *every* (seconds), a
    thread builds the brief again at that interval (with *pool*'s workers)."""
    import uvicorn

    stop = threading.Event()

    def rebuilding() -> None:
        while not stop.wait(every):
            desk.rebuild(pool)

    thread = None
    if every is not None:
        thread = threading.Thread(target=rebuilding, name="briefing-rebuild", daemon=True)
        thread.start()
    config = uvicorn.Config(make_app(desk), log_config=None, access_log=access_log,
                            lifespan="off", server_header=False, date_header=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=1.0)  # a build under way is abandoned with the process

