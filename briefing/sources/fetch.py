"""Fetch one URL with limits: a timeout, a size cap and a redirect limit.

Only ``http`` and ``https`` are fetched, on every hop: a redirect to any other
scheme (``file:``, ``ftp:``, ``data:``...) is refused, and so is a step down from
``https`` to ``http``. The body is read in chunks and given up as soon as it
passes the size cap, so a huge or endless answer costs at most the cap. With
``offline=True`` nothing is fetched at all. Proxies and certificates set in the
environment (``HTTPS_PROXY``, ``NO_PROXY``, ``SSL_CERT_FILE``...) are honoured.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import InputError
from ..models import FetchLimits

__all__ = ["Download", "fetch", "open_client"]

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Download:
    """What a fetch brought back."""

    url: str  # as asked for
    final_url: str  # after redirects
    content_type: str  # the media type, lowercase, without parameters; "" if not sent
    charset: str | None  # the charset parameter of Content-Type, if any
    data: bytes


def open_client() -> httpx.Client:
    """An HTTP client for several fetches: building one costs ~0.2 s (its TLS context)."""
    return httpx.Client(follow_redirects=False, trust_env=True,
                        headers={"User-Agent": _user_agent()})


def fetch(
    url: str,
    *,
    limits: FetchLimits | None = None,
    offline: bool = False,
    client: httpx.Client | None = None,
) -> Download:
    """GET *url* within *limits*; any failure is an InputError naming the URL.

    *client* (from :func:`open_client`) is reused if given, else one is made for this fetch.
    """
    limits = limits or FetchLimits()
    if offline:
        raise InputError(f"{url}: not fetched: --offline refuses every fetch; "
                         "save the page and give the file instead")
    _check_scheme(url, url, previous=None)
    if client is None:
        with open_client() as own:
            return _fetch(own, url, limits)
    return _fetch(client, url, limits)


def _fetch(client: httpx.Client, url: str, limits: FetchLimits) -> Download:
    deadline = time.monotonic() + limits.timeout
    current = url
    for _hop in range(limits.max_redirects + 1):
        try:
            with client.stream("GET", current,
                               timeout=_remaining(url, deadline, limits)) as response:
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    _check_scheme(url, target, previous=current)
                    logger.debug("%s: redirected to %s", current, target)
                    current = target
                    continue
                return _read(url, response, deadline, limits)
        except httpx.TimeoutException:
            raise _timeout(url, limits) from None
        except httpx.HTTPError as error:
            raise InputError(f"{url}: cannot fetch ({_describe(error)}); "
                             "check the address and the network") from None
    raise InputError(f"{url}: more than {limits.max_redirects} redirects (a loop?); "
                     "give the page's final address")


def _read(url: str, response: httpx.Response, deadline: float, limits: FetchLimits) -> Download:
    if response.status_code >= 400:
        raise InputError(f"{url}: HTTP {response.status_code} {response.reason_phrase}; "
                         "check the address")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_big(url, limits)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes(_CHUNK):  # decompressed: the cap counts what we keep
        size += len(chunk)
        if size > limits.max_bytes:
            raise _too_big(url, limits)
        if time.monotonic() > deadline:
            raise _timeout(url, limits)
        chunks.append(chunk)
    media, _, parameters = response.headers.get("content-type", "").partition(";")
    charset = None
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return Download(url, str(response.url), media.strip().lower(), charset, b"".join(chunks))


def _check_scheme(url: str, target: str, *, previous: str | None) -> None:
    scheme = urlsplit(target).scheme.lower()
    if scheme not in SCHEMES:
        where = f"redirected to {target}" if previous else f"scheme {scheme or 'missing'!r}"
        raise InputError(f"{url}: {where}: only http and https addresses are fetched; "
                         "save the page and give the file instead")
    if previous and urlsplit(previous).scheme.lower() == "https" and scheme == "http":
        raise InputError(f"{url}: redirected from https to plain http ({target}); refused, "
                         "as a browser would warn; give the http address if you trust it")


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("briefing")
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    return f"briefing/{version} (news brief builder)"


def _remaining(url: str, deadline: float, limits: FetchLimits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timeout(url, limits)
    return left


def _timeout(url: str, limits: FetchLimits) -> InputError:
    return InputError(f"{url}: no complete answer within {limits.timeout:g} s (timeout); "
                      "try again later, or save the page and give the file")


def _too_big(url: str, limits: FetchLimits) -> InputError:
    return InputError(f"{url}: larger than {limits.max_bytes / 2**20:g} MiB; not an article "
                      "page, or save the article's text and give the file")


def _describe(error: httpx.HTTPError) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
