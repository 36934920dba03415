"""Email delivery: the brief as a standard message, sent over SMTP.

``compose`` builds a multipart message: a plain-text part (lines with their
[n] markers and the source list) and an HTML part (table layout, styles inlined
with css-inline, nothing fetched) as alternatives, and the one-page PDF
attached. Header values are checked first: a CR or LF in an address is refused
with one line naming the header, and the message is serialised with
``email.policy.SMTP``, which refuses them too. ``send`` delivers it with
smtplib and turns every way a server can fail into one ``DeliveryError`` line.

Addresses and the server come from options or a mail config file (TOML, keys
in ``CONFIG_KEYS``); options override the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.policy
import email.utils
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import css_inline

from ..brief.render import MONTHS, render_template
from ..errors import DeliveryError, MailError
from ..models import LIMITS, Brief, plain_text
from ..sources.files import load_toml, read_file

__all__ = [
    "CONFIG_KEYS",
    "PASSWORD_ENV",
    "SECURITY",
    "MailSettings",
    "Server",
    "check_addressed",
    "check_login",
    "compose",
    "load_mail_config",
    "read_message",
    "send",
]

logger = logging.getLogger(__name__)

PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"  # the only way a password reaches briefing
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0  # seconds for the whole exchange: a silent or slow server fails, never hangs
CONFIG_KEYS = ("from", "to", "cc", "reply_to", "smtp", "security", "user", "timeout")
HTML_TEMPLATE = "brief-email.html"
TEXT_TEMPLATE = "brief.txt"
# One address as it appears in a header: local@domain, no spaces or brackets inside.
_ADDR_SPEC = re.compile(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.?[^@\s<>(),;:\"]*\Z")


@dataclass(frozen=True)
class MailSettings:
    """Who a brief goes to and through which server; every field optional until used."""

    sender: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str | None = None
    smtp: str | None = None  # "host:port", "host", "[v6]:port"
    security: str | None = None  # starttls, ssl or none
    user: str | None = None
    timeout: float | None = None

    def merged(self, **overrides: object) -> MailSettings:
        """These settings with every override that is not None or empty."""
        given: dict[str, Any] = {
            key: value for key, value in overrides.items() if value not in (None, (), [])
        }
        for key in ("to", "cc"):
            if key in given:
                given[key] = tuple(_as_list(given[key]))
        return dataclasses.replace(self, **given)


@dataclass(frozen=True)
class Server:
    """Where and how to connect."""

    host: str
    port: int
    security: str = "none"
    user: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_settings(cls, settings: MailSettings) -> Server:
        if not settings.smtp:
            raise MailError("no SMTP server; give --smtp HOST:PORT or `smtp` in the mail config")
        security = (settings.security or "none").lower()
        if security not in SECURITY:
            raise MailError(
                f"security {settings.security!r} is not one of {', '.join(SECURITY)}; pick one"
            )
        host, port = _host_port(settings.smtp, DEFAULT_PORTS[security])
        timeout = settings.timeout if settings.timeout is not None else DEFAULT_TIMEOUT
        if not 0 < timeout <= LIMITS.max_send_timeout:  # nan, inf and 1e300 too
            raise MailError(f"timeout {timeout!r} must be a number of seconds above 0 and at "
                            f"most {LIMITS.max_send_timeout:g}")
        return cls(host=host, port=port, security=security, user=settings.user, timeout=timeout)


def load_mail_config(path: str | Path) -> MailSettings:
    """Read a mail config file (TOML): from, to, cc, reply_to, smtp, security, user, timeout."""
    try:
        raw = read_file(path, limit=LIMITS.max_settings_bytes, what="a mail config",
                        error=MailError)
        data = load_toml(raw.decode("utf-8"), depth=LIMITS.max_settings_depth)
    except FileNotFoundError:
        raise MailError(f"{path}: mail config not found; check the path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MailError(f"{path}: cannot read the mail config ({_reason(error)})") from None
    except ValueError as error:  # TOMLDecodeError is one
        raise MailError(f"{path}: not valid TOML ({error}); fix the file") from None
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise MailError(
            f"{path}: unknown key {unknown[0]!r}; the keys are {', '.join(CONFIG_KEYS)}"
        )
    for key in ("from", "reply_to", "smtp", "security", "user"):
        if key in data and not isinstance(data[key], str):
            raise MailError(f"{path}: {key} must be a string")
    for key in ("to", "cc"):
        value = data.get(key, [])
        if not (isinstance(value, str) or
                (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            raise MailError(f"{path}: {key} must be an address or a list of addresses")
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or
                                not isinstance(timeout, int | float)):
        raise MailError(f"{path}: timeout must be a number of seconds")
    return MailSettings(
        sender=data.get("from"),
        to=tuple(_as_list(data.get("to", []))),
        cc=tuple(_as_list(data.get("cc", []))),
        reply_to=data.get("reply_to"),
        smtp=data.get("smtp"),
        security=data.get("security"),
        user=data.get("user"),
        timeout=float(timeout) if timeout is not None else None,
    )


def check_addressed(settings: MailSettings) -> str:
    """The sender; a message needs one and someone to go to: say which is missing."""
    if not settings.sender:
        raise MailError("no sender; give --from ADDRESS or `from` in the mail config")
    if not (settings.to or settings.cc):
        raise MailError("no recipients; give --to ADDRESS or `to` in the mail config")
    return settings.sender


def compose(brief: Brief, pdf: bytes, settings: MailSettings) -> EmailMessage:
    """The brief as an email: text and HTML alternatives, the PDF attached."""
    sender = check_addressed(settings)
    headers = {"From": _addresses("From", [sender], single=True)}
    for header, values in (("To", settings.to), ("Cc", settings.cc),
                           ("Reply-To", (settings.reply_to,) if settings.reply_to else ())):
        if values:
            headers[header] = _addresses(header, values)
    # An address whose local part is not ASCII (jö@example.org) needs SMTPUTF8: the
    # message is written with UTF-8 headers, and sent only to a server offering it.
    international = not all(value.isascii() for value in headers.values())
    message = EmailMessage(policy=email.policy.SMTPUTF8 if international else email.policy.SMTP)
    subject = f"{brief.title} — {brief.date.day} {MONTHS[brief.date.month - 1]} {brief.date.year}"
    _set(message, "Subject", plain_text(subject))  # one line, no control or bidi override
    for header, value in headers.items():
        _set(message, header, value)
    domain = _addr_spec(headers["From"]).rpartition("@")[2]
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain=domain or None)
    message.set_content(render_template(TEXT_TEMPLATE, brief))
    message.add_alternative(_inlined(render_template(HTML_TEMPLATE, brief)), subtype="html")
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=_attachment_name(brief)
    )
    message["Content-Language"] = "en"  # after the parts: set_content drops Content-* headers
    return message


def read_message(path: str | Path) -> EmailMessage:
    """A message saved by ``briefing send`` or ``build --format eml``, to send it again."""
    try:
        data = read_file(path, limit=LIMITS.max_message_bytes, what="a saved message",
                         error=MailError)
    except OSError as error:
        raise MailError(f"{path}: cannot read the saved message ({error.strerror})") from None
    message = BytesParser(policy=email.policy.SMTP).parsebytes(data)
    if not isinstance(message, EmailMessage) or not message["From"]:
        raise MailError(f"{path}: not an email message (no From header); give a .eml file")
    return message


def send(
    message: EmailMessage,
    server: Server,
    *,
    password: str | None = None,
    saved: Path | None = None,
) -> list[str]:
    """Deliver *message* to its To and Cc through *server*; the recipients accepted.

    Every failure (refused or timed-out connection, TLS, login, a 4xx/5xx reply)
    raises DeliveryError: one line naming the server and what it said, and
    where the *saved* copy is.
    """
    recipients = _recipients(message)
    if not recipients:
        raise MailError("no recipients; give --to ADDRESS or `to` in the mail config")
    check_login(server, password)
    later = f"; the message is saved in {saved}, send it later with " \
            f"`briefing send --eml {saved}`" if saved else ""
    with _Deadline(server.timeout) as deadline:
        try:
            refused = _deliver(message, server, recipients, password, deadline)
        except _FAILURES as error:
            why = (f"did not answer within {server.timeout:g}s (its replies came too slowly, "
                   "or not at all); check host, port and firewall, or give a longer --timeout"
                   ) if deadline.expired else _explain(error, server)
            raise DeliveryError(f"not sent: {server.name} {why}{later}") from None
    accepted = [address for address in recipients if address not in refused]
    for address, (code, reply) in refused.items():
        logger.warning("%s refused %s: %s %s", server.name, address, code, _reply(reply))
    logger.info("sent to %d recipient(s) via %s", len(accepted), server.name)
    return accepted


def check_login(server: Server, password: str | None) -> None:
    """Refuse a login without a password, or one that would cross the network in clear."""
    if server.user and password is None:
        raise MailError(
            f"--user {server.user} given but {PASSWORD_ENV} is not set; export it "
            "(a password is never a command-line argument)"
        )
    if server.user and server.security == "none" and not _is_loopback(server.host):
        raise MailError(
            f"refusing to send the password for {server.user} unencrypted to {server.name}; "
            "add --starttls or --ssl"
        )


# -- composing ----------------------------------------------------------------------


def _set(message: EmailMessage, header: str, value: str) -> None:
    if "\r" in value or "\n" in value:  # a header injection, or a pasted second line
        raise MailError(f"{header} {value!r} contains a line break; give it on one line")
    message[header] = value


def _addresses(header: str, values: Sequence[str], *, single: bool = False) -> str:
    """The values as one header value, each checked to be an address."""
    checked: list[str] = []
    for value in values:
        if "\r" in value or "\n" in value:
            raise MailError(f"{header} {value!r} contains a line break; give it on one line")
        pairs = email.utils.getaddresses([value])
        if not pairs or any(not _ADDR_SPEC.match(address) for _, address in pairs):
            raise MailError(
                f"{header} {value!r} is not an email address; use name@example.org "
                "or 'Name <name@example.org>'"
            )
        for name, address in pairs:
            address = _ascii_domain(header, value, address)
            checked.append(email.utils.formataddr((name, address), charset="utf-8")
                           if address.isascii()  # else SMTPUTF8: the header is UTF-8
                           else f'"{email.utils.quote(name)}" <{address}>' if name else address)
    if single and len(checked) != 1:
        raise MailError(f"{header} {', '.join(values)!r} must be exactly one address")
    return ", ".join(checked)


def _ascii_domain(header: str, value: str, address: str) -> str:
    """*address* with its domain in ASCII (IDNA: exämple.org -> xn--exmple-cua.org),
    which every mail server takes; the local part stays as written."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    import idna  # httpx's own IDNA 2008 codec; only non-ASCII domains need it

    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError as error:
        raise MailError(f"{header} {value!r}: the domain {domain!r} is not a valid "
                        f"internationalised domain name ({error}); check it") from None


def _addr_spec(value: str) -> str:
    return email.utils.parseaddr(value)[1]


def _inlined(html: str) -> str:
    # Webmail drops <style> and Outlook ignores most of it: every rule goes into a
    # style attribute. Nothing is fetched: the template links no stylesheet.
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    return str(inliner.inline(html))


def _attachment_name(brief: Brief) -> str:
    """An ASCII file name from the title and date: "brief-title-2025-05-28.pdf"."""
    ascii_title = unicodedata.normalize("NFKD", brief.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'brief'}-{brief.date.isoformat()}.pdf"


# -- sending ------------------------------------------------------------------------

_FAILURES = (smtplib.SMTPException, OSError)  # ssl.SSLError and TimeoutError are OSErrors


def _deliver(
    message: EmailMessage, server: Server, recipients: list[str], password: str | None,
    deadline: _Deadline,
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.security == "ssl":
        smtp = _SSLClient(server.host, server.port, timeout=server.timeout, context=context,
                          deadline=deadline)
    else:
        smtp = _Client(server.host, server.port, timeout=server.timeout, deadline=deadline)
    with smtp:
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, password or "")
        refused: dict[str, tuple[int, bytes]] = smtp.send_message(message, to_addrs=recipients)
    return refused


class _Deadline:
    """Ends a conversation with a server when its time is up, however slowly the
    server drips its replies: smtplib's timeout is per read, so a reply sent a byte
    a second would never trip it. At the deadline, every socket of the
    conversation is shut down, which wakes the read waiting on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.expired = seconds, False
        self._sockets: list[socket.socket] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="briefing-smtp-deadline",
                                         daemon=True)

    def watch(self, sock: socket.socket) -> None:
        self._sockets.append(sock)
        if self.expired:
            self._shut()

    def _watch(self) -> None:
        if not self._done.wait(self.seconds):
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        for sock in list(self._sockets):
            with contextlib.suppress(OSError):  # closed or detached already
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP socket, TLS or not

    def __enter__(self) -> _Deadline:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()


class _Watched(smtplib.SMTP):
    """An SMTP connection whose sockets a _Deadline shuts down when time is up."""

    def __init__(self, *args: Any, deadline: _Deadline, **options: Any) -> None:
        self._deadline = deadline  # before smtplib connects, in its __init__
        super().__init__(*args, **options)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._deadline.watch(sock)
        return sock

    def starttls(self, *args: Any, **options: Any) -> tuple[int, bytes]:
        reply = super().starttls(*args, **options)
        if self.sock is not None:
            self._deadline.watch(self.sock)  # the TLS socket that replaced the plain one
        return reply


class _Client(_Watched):
    pass


class _SSLClient(_Watched, smtplib.SMTP_SSL):
    pass


def _recipients(message: EmailMessage) -> list[str]:
    values = [str(value) for header in ("To", "Cc", "Bcc") for value in
              message.get_all(header, [])]
    return [address for _, address in email.utils.getaddresses(values) if address]


def _explain(error: BaseException, server: Server) -> str:
    """What went wrong, in words, with the server's own reply when it gave one."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"rejected the login as {server.user!r} ({error.smtp_code} " \
               f"{_reply(error.smtp_error)}); check --user and {PASSWORD_ENV}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        first, (code, reply) = next(iter(error.recipients.items()))
        return f"refused every recipient ({first}: {code} {_reply(reply)}); check --to and --cc"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"refused the sender {error.sender} ({error.smtp_code} " \
               f"{_reply(error.smtp_error)}); check --from"
    if isinstance(error, smtplib.SMTPNotSupportedError) and "SMTPUTF8" in str(error):
        return ("does not accept addresses that are not ASCII (no SMTPUTF8); give the "
                "recipients' ASCII addresses")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        what = "STARTTLS" if server.security == "starttls" else "login (AUTH)"
        return f"does not offer {what}; try --ssl, or ask the server's administrator"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"refused the message ({error.smtp_code} {_reply(error.smtp_error)})"
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, TimeoutError
    ):  # smtplib reports a read timeout as a disconnection
        return f"did not answer within {server.timeout:g}s; check host, port and firewall"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "closed the connection unexpectedly; check the port and --starttls/--ssl"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or error}); check --starttls/--ssl and the port"
    if isinstance(error, TimeoutError):
        return f"did not answer within {server.timeout:g}s; check host, port and firewall"
    if isinstance(error, ConnectionRefusedError):
        return "refused the connection; check the host and port"
    if isinstance(error, socket.gaierror):
        return f"could not be found ({error.strerror}); check the host name"
    if isinstance(error, OSError):
        return f"could not be reached ({error.strerror or error}); check host and port"
    return f"failed ({type(error).__name__}: {error})"


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _host_port(value: str, default_port: int) -> tuple[str, int]:
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^:\s\[\]]+)(?::(\d+))?", value.strip())
    if not match:
        raise MailError(f"--smtp {value!r} is not HOST or HOST:PORT; e.g. mail.example.org:587")
    host = match.group(1) or match.group(3)
    port = int(match.group(2) or match.group(4) or default_port)
    if not 0 < port < 65536:
        raise MailError(f"--smtp {value!r}: port {port} is out of range 1-65535")
    return host, port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
