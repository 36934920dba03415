"""Fetch one URL with limits: a deadline, a size cap and a redirect limit.

Only ``http`` and ``https`` are fetched, on every hop: a redirect to any other
scheme (``file:``, ``ftp:``, ``data:``...) is refused, and so is a step down from
``https`` to ``http``. With ``offline=True`` nothing is fetched at all. Proxies
and certificates set in the environment (``HTTPS_PROXY``, ``NO_PROXY``,
``SSL_CERT_FILE``...) are honoured.

The deadline is the whole fetch's, redirects, headers and body included, not a
wait per read: a server that sends a byte a second never times out a per-read
timeout. So the fetch runs as a task (httpx's async client on one event loop per
:class:`Session`) cancelled when its time is up, whatever it is waiting for.

The body is decoded here, not by httpx, in pieces of at most 64 KiB: a 3 KB
``gzip`` or ``br`` answer can hold gigabytes, and a decoder asked for all of it
at once makes them all before a cap can look. The size cap counts the decoded
bytes as they come and stops at once past it.

Credentials in a URL (``http://user:secret@host/``) are sent as the server asks
(HTTP basic authentication), and never shown: every URL this module hands back
or names in a message has them removed (``without_credentials``).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import InputError
from ..models import FetchLimits, without_credentials

__all__ = ["Download", "Session", "fetch", "open_client", "without_credentials"]

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
_CHUNK = 64 * 1024  # raw bytes read, and decoded bytes made, at a time


@dataclass(frozen=True)
class Download:
    """What a fetch brought back."""

    url: str  # as asked for, without credentials
    final_url: str  # after redirects, without credentials
    content_type: str  # the media type, lowercase, without parameters; "" if not sent
    charset: str | None  # the charset parameter of Content-Type, if any
    data: bytes


class Session:
    """Fetches that share one HTTP client (building one costs ~0.2 s, its TLS context)
    and one event loop. Use it as a context manager; ``fetch`` takes it as *client*."""

    def __init__(self) -> None:
        self._runner = asyncio.Runner()
        self._client: httpx.AsyncClient | None = None

    def fetch(self, url: str, limits: FetchLimits) -> Download:
        return self._runner.run(_fetch(self._http(), url, limits))

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"User-Agent": _user_agent(), "Accept-Encoding": _accept_encoding()}
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=True,
                                             headers=headers)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._runner.run(self._client.aclose())
            self._client = None
        self._runner.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_client() -> Session:
    """A :class:`Session` for several fetches."""
    return Session()


def fetch(
    url: str,
    *,
    limits: FetchLimits | None = None,
    offline: bool = False,
    client: Session | None = None,
) -> Download:
    """GET *url* within *limits*; any failure is an InputError naming the URL.

    *client* (from :func:`open_client`) is reused if given, else one is made for this fetch.
    """
    limits = limits or FetchLimits()
    shown = without_credentials(url)
    if offline:
        raise InputError(f"{shown}: not fetched: --offline refuses every fetch; "
                         "save the page and give the file instead")
    _check_scheme(shown, url, previous=None)
    if client is None:
        with open_client() as own:
            return own.fetch(url, limits)
    return client.fetch(url, limits)


async def _fetch(client: httpx.AsyncClient, url: str, limits: FetchLimits) -> Download:
    shown = without_credentials(url)
    try:
        async with asyncio.timeout(limits.timeout):
            return await _follow(client, url, shown, limits)
    except (TimeoutError, httpx.TimeoutException):
        raise _timeout(shown, limits) from None
    except httpx.InvalidURL as error:
        raise InputError(f"{shown}: not a valid address ({error}); check it") from None
    except httpx.HTTPError as error:
        raise InputError(f"{shown}: cannot fetch ({_describe(error)}); "
                         "check the address and the network") from None


async def _follow(client: httpx.AsyncClient, url: str, shown: str,
                  limits: FetchLimits) -> Download:
    current = url
    for _hop in range(limits.max_redirects + 1):
        request = client.build_request("GET", current, timeout=limits.timeout)
        response = await client.send(request, stream=True)
        try:
            if response.is_redirect and "location" in response.headers:
                target = urljoin(current, response.headers["location"])
                _check_scheme(shown, target, previous=current)
                logger.debug("%s: redirected to %s", without_credentials(current),
                             without_credentials(target))
                current = target
                continue
            return await _read(shown, response, limits)
        finally:
            await response.aclose()
    raise InputError(f"{shown}: more than {limits.max_redirects} redirects (a loop?); "
                     "give the page's final address")


async def _read(shown: str, response: httpx.Response, limits: FetchLimits) -> Download:
    if response.status_code >= 400:
        raise InputError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}; "
                         "check the address")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_big(shown, limits)
    decoder = _Decoder(response.headers.get("content-encoding", ""), shown, limits)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw(_CHUNK):
        for piece in decoder.decode(raw):
            size += len(piece)
            if size > limits.max_bytes:
                raise _too_big(shown, limits)
            chunks.append(piece)
    decoder.finish()
    media, _, parameters = response.headers.get("content-type", "").partition(";")
    charset = None
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return Download(shown, without_credentials(str(response.url)), media.strip().lower(),
                    charset, b"".join(chunks))


# -- content codings, decoded a piece at a time -----------------------------------------


def _bounded_brotli() -> Any:
    """The brotli module, if it can decode within a bound (brotli 1.2 and later)."""
    try:
        import brotli
    except ImportError:
        return None
    return brotli if hasattr(brotli.Decompressor(), "can_accept_more_data") else None


def _accept_encoding() -> str:
    return "gzip, deflate, br" if _bounded_brotli() is not None else "gzip, deflate"


class _Decoder:
    """The body's content codings (``Content-Encoding``), undone in order, each
    making at most ``_CHUNK`` bytes per step, so that the caller's cap stops a
    bomb after at most a chunk more than the cap."""

    def __init__(self, header: str, shown: str, limits: FetchLimits) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > limits.max_encodings:
            raise InputError(f"{shown}: the answer is encoded {len(codings)} times over "
                             f"({header}); a server encodes once: not an article page")
        self._layers = [_layer(coding, shown) for coding in reversed(codings)]
        self._shown = shown

    def decode(self, data: bytes) -> Iterator[bytes]:
        pieces: Iterator[bytes] = iter((data,))
        for layer in self._layers:
            pieces = layer.pieces(pieces)
        return (piece for piece in pieces if piece)

    def finish(self) -> None:
        """At the body's end: a compressed stream that has not ended was cut short."""
        if not all(layer.finished() for layer in self._layers):
            raise InputError(f"{self._shown}: the compressed answer is cut short; try again "
                             "later")


class _Zlib:
    def __init__(self, wbits: int, shown: str, *, fallback: int | None = None) -> None:
        self._decompressor = zlib.decompressobj(wbits)
        self._fallback, self._shown, self._started = fallback, shown, False

    def pieces(self, source: Iterator[bytes]) -> Iterator[bytes]:
        for data in source:
            pending = data
            while True:
                try:
                    out = self._decompressor.decompress(pending, _CHUNK)
                except zlib.error as error:
                    if self._fallback is None or self._started:
                        raise InputError(f"{self._shown}: the compressed answer is damaged "
                                         f"({error}); try again later") from None
                    # "deflate" is zlib data by the standard, raw deflate in practice
                    self._decompressor = zlib.decompressobj(self._fallback)
                    self._fallback = None
                    continue
                self._started = True
                yield out
                pending = self._decompressor.unconsumed_tail
                # a full piece may leave output waiting inside: ask again, with no input
                if self._decompressor.eof or (not pending and len(out) < _CHUNK):
                    break

    def finished(self) -> bool:
        return bool(self._decompressor.eof)


class _Brotli:
    def __init__(self, module: Any, shown: str) -> None:
        self._module, self._decompressor, self._shown = module, module.Decompressor(), shown

    def pieces(self, source: Iterator[bytes]) -> Iterator[bytes]:
        for data in source:
            try:
                yield self._decompressor.process(data, output_buffer_limit=_CHUNK)
                while not self._decompressor.can_accept_more_data():
                    yield self._decompressor.process(b"", output_buffer_limit=_CHUNK)
            except self._module.error as error:
                raise InputError(f"{self._shown}: the compressed answer is damaged "
                                 f"({error}); try again later") from None

    def finished(self) -> bool:
        return bool(self._decompressor.is_finished())


def _layer(coding: str, shown: str) -> _Zlib | _Brotli:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16, shown)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS, shown, fallback=-zlib.MAX_WBITS)
    brotli = _bounded_brotli()
    if coding == "br" and brotli is not None:  # 1.2 also has is_finished
        return _Brotli(brotli, shown)
    raise InputError(f"{shown}: the answer is in the content coding {coding!r}, which "
                     f"briefing does not read ({_accept_encoding()}); save the page and "
                     "give the file")


# -- checks and messages ---------------------------------------------------------------


def _check_scheme(shown: str, target: str, *, previous: str | None) -> None:
    try:
        scheme = urlsplit(target).scheme.lower()
    except ValueError as error:  # "http://[::1/x": not a URL Python can split
        raise InputError(f"{without_credentials(target)}: not a valid address ({error}); "
                         "check it") from None
    if scheme not in SCHEMES:
        where = (f"redirected to {without_credentials(target)}" if previous
                 else f"scheme {scheme or 'missing'!r}")
        raise InputError(f"{shown}: {where}: only http and https addresses are fetched; "
                         "save the page and give the file instead")
    if previous and urlsplit(previous).scheme.lower() == "https" and scheme == "http":
        raise InputError(f"{shown}: redirected from https to plain http "
                         f"({without_credentials(target)}); refused, as a browser would "
                         "warn; give the http address if you trust it")


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("briefing")
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    return f"briefing/{version} (news brief builder)"


def _timeout(shown: str, limits: FetchLimits) -> InputError:
    return InputError(f"{shown}: no complete answer within {limits.timeout:g} s (timeout); "
                      "try again later, or save the page and give the file")


def _too_big(shown: str, limits: FetchLimits) -> InputError:
    return InputError(f"{shown}: larger than {limits.max_bytes / 2**20:g} MiB; not an article "
                      "page, or save the article's text and give the file")


def _describe(error: httpx.HTTPError) -> str:
    text = _ANY_USERINFO.sub(r"\1", " ".join(str(error).split()))
    return text or type(error).__name__


_ANY_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")
