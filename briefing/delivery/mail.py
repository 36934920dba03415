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

import dataclasses
import email.policy
import email.utils
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import tomllib
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
from ..models import Brief

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
DEFAULT_TIMEOUT = 30.0  # seconds per connect/read; a silent server fails, it never hangs
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
        if timeout <= 0:
            raise MailError(f"timeout {timeout!r} must be a positive number of seconds")
        return cls(host=host, port=port, security=security, user=settings.user, timeout=timeout)


def load_mail_config(path: str | Path) -> MailSettings:
    """Read a mail config file (TOML): from, to, cc, reply_to, smtp, security, user, timeout."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MailError(f"{path}: mail config not found; check the path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MailError(f"{path}: cannot read the mail config ({error})") from None
    except tomllib.TOMLDecodeError as error:
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
    message = EmailMessage(policy=email.policy.SMTP)
    subject = f"{brief.title} — {brief.date.day} {MONTHS[brief.date.month - 1]} {brief.date.year}"
    _set(message, "Subject", " ".join(subject.split()))
    _set(message, "From", _addresses("From", [sender], single=True))
    if settings.to:
        _set(message, "To", _addresses("To", settings.to))
    if settings.cc:
        _set(message, "Cc", _addresses("Cc", settings.cc))
    if settings.reply_to:
        _set(message, "Reply-To", _addresses("Reply-To", [settings.reply_to]))
    domain = _addr_spec(sender).rpartition("@")[2]
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
        data = Path(path).read_bytes()
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
    try:
        refused = _deliver(message, server, recipients, password)
    except _FAILURES as error:
        raise DeliveryError(f"not sent: {server.name} {_explain(error, server)}{later}") from None
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
        checked.extend(email.utils.formataddr(pair) for pair in pairs)
    if single and len(checked) != 1:
        raise MailError(f"{header} {', '.join(values)!r} must be exactly one address")
    return ", ".join(checked)


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
    message: EmailMessage, server: Server, recipients: list[str], password: str | None
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.security == "ssl":
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    with smtp:
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, password or "")
        refused: dict[str, tuple[int, bytes]] = smtp.send_message(message, to_addrs=recipients)
    return refused


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
