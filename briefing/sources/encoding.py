"""Decode an input's bytes into text, detecting the encoding rather than assuming it.

In order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; bytes that are valid
UTF-8 are UTF-8 (other text is valid UTF-8 by accident only when it is plain
ASCII, which reads the same either way); UTF-8 with a few invalid bytes (fewer
than its valid multi-byte characters) stays UTF-8, each bad sequence read as
U+FFFD, with a warning; then the charset the server declared; then
charset-normalizer's detection (cp1252, Latin-1, Mac Roman, ...). Bytes no
encoding explains are an error, and so are binary files (NUL bytes, no mark).
"""

from __future__ import annotations

import codecs
import logging

import charset_normalizer

from ..errors import InputError

__all__ = ["decode_text"]

logger = logging.getLogger(__name__)

_BINARY_SAMPLE = 8192  # bytes looked at to tell text from binary, as git does
_LEGACY_DEFAULT = "cp1252"  # the WHATWG Encoding Standard's fallback for most locales
_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, *, name: str, declared: str | None = None) -> str:
    """The text of *data*; *name* is the input as the user gave it, for messages."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as error:
                raise InputError(
                    f"{name}: starts with a {codec} byte-order mark but is not {codec} "
                    f"(byte {error.start + len(bom)}); save it as UTF-8"
                ) from None
    if b"\x00" in data[:_BINARY_SAMPLE]:
        # Text with NUL bytes is UTF-16 or -32, which Windows and every editor write with
        # a mark; without one, a guess from a few bytes would read binary files as text.
        raise InputError(f"{name}: is a binary file, not text; give a .txt or .md article "
                         "(UTF-16 text needs its byte-order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        damaged = _damaged_utf8(data)
        first = error.start
    if damaged is not None:
        text, bad = damaged
        logger.warning("%s: %d invalid UTF-8 sequence(s), the first at byte %d, read as "
                       "U+FFFD; the rest is UTF-8. Fix those bytes to drop this warning",
                       name, bad, first)
        return text
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            logger.info("%s: declared charset %r does not fit; detecting", name, declared)
    best = _detect(data)
    if best is None:
        raise InputError(
            f"{name}: bytes undecodable in any known text encoding; "
            "save it as UTF-8 text"
        )
    logger.info("%s: not UTF-8; decoded as %s", name, best.encoding)
    return str(best)


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few bad bytes, decoded with U+FFFD for them, and how many
    there were; None when the bytes read better as another encoding.

    A legacy encoding almost never forms valid multi-byte UTF-8 sequences (é in
    cp1252 is one byte, followed by ASCII), so text that holds more valid ones
    than bad bytes is UTF-8 damaged in a few places (a cut, a pasted byte), not a
    file in another encoding: reading it all as Mac Roman would garble every
    accented letter to explain one bad byte.
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for char in text if ord(char) > 0x7F) - bad
    if bad <= 0 or multibyte <= bad:
        return None
    return text, bad


def _detect(data: bytes) -> charset_normalizer.CharsetMatch | None:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    # Short Western text often fits several code pages equally well (São reads as Săo in
    # cp1250); on a tie take windows-1252, the legacy encoding browsers fall back to.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return next((m for m in tied if _LEGACY_DEFAULT in m.could_be_from_charset), best)
