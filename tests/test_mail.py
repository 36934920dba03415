"""Email: the composed message, and delivery to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import email.policy
import io
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from test_render import _golden_brief  # tests/ is on the path, as for webserver
from typer.testing import CliRunner

from briefing.cli import app
from briefing.delivery import mail
from briefing.errors import MailError
from briefing.models import BriefTheme, Citation, Item, Source

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SENDER = "Duty Desk <desk@example.org>"
USER, PASSWORD = "desk", "correct horse"


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses as told."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.data_reply: str | None = None  # e.g. "554 ...": refuse the message body
        self.refused_recipient: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address == self.refused_recipient:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server replies 535


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free loopback port, with AUTH (allowed without TLS on loopback)."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            authenticator=_authenticator, auth_require_tls=False)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stderr


def _parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def _parts(message: EmailMessage) -> tuple[str, str, bytes]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    attachments = [part for part in message.iter_attachments()
                   if part.get_content_type() == "application/pdf"]
    assert text is not None and html is not None and len(attachments) == 1
    plain = text.get_content().replace("\r\n", "\n")  # lines end in CRLF on the wire
    return plain, html.get_content(), attachments[0].get_content()


@pytest.fixture(scope="module")
def saved_eml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed brief as a message saved by `build --format eml` (built once)."""
    target = tmp_path_factory.mktemp("mail") / "saved.eml"
    code, err = run("build", str(SEEDS), "--format", "eml", "--output", str(target),
                    "--from", SENDER, "--to", "analyst@example.org", "--cc", "chief@example.org",
                    "--date", "2025-05-28", "--title", "Morning brief")
    assert code == 0, err
    return target


# -- the message ----------------------------------------------------------------------


def test_eml_has_text_html_and_the_one_page_pdf(saved_eml: Path) -> None:
    message = _parse(saved_eml.read_bytes())
    assert message["Subject"] == "Morning brief — 28 May 2025"
    assert message["From"] == SENDER
    assert message["To"] == "analyst@example.org" and message["Cc"] == "chief@example.org"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/mixed"
    text, html, pdf = _parts(message)
    # Plain text: lines with their [n] markers, then the numbered sources.
    assert "\n- " in text and "[1]" in text and "\nSOURCES\n" in text
    assert "\n[1] Daily Sabah" in text and "\n[2] The Kyiv Independent" in text
    # HTML: styles inlined, table layout, nothing to fetch, no scripts.
    assert "<style" not in html and 'style="' in html
    assert html.count("<table") >= 3 and 'role="presentation"' in html
    for needle in ("<script", "<link", "src=", "url(", "@import"):
        assert needle not in html
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def test_eml_needs_a_sender(tmp_path: Path) -> None:
    target = tmp_path / "x.eml"
    code, err = run("build", str(SEEDS), "--format", "eml", "--output", str(target))
    assert code == 1
    assert "no sender; give --from ADDRESS" in err
    assert not target.exists()


@pytest.mark.parametrize("header, value", [
    ("To", "analyst@example.org\r\nBcc: spy@example.net"),
    ("To", "analyst@example.org\nX-Injected: 1"),
    ("From", "desk@example.org\rBcc: spy@example.net"),
    ("Reply-To", "desk@example.org\nBcc: spy@example.net"),
])
def test_line_breaks_in_addresses_are_refused(header: str, value: str) -> None:
    settings = mail.MailSettings(sender=SENDER, to=("analyst@example.org",))
    field = {"To": "to", "From": "sender", "Reply-To": "reply_to"}[header]
    settings = settings.merged(**{field: value})
    with pytest.raises(MailError, match=rf"^{header} .* contains a line break"):
        mail.compose(_golden_brief(), b"%PDF", settings)


def test_line_breaks_in_title_and_metadata_never_reach_a_header() -> None:
    source = Source(id="1", path="a.txt", text="The talks resumed.",
                    outlet="Wire\r\nBcc: spy@example.net", title="Talks\nX-Injected: 1")
    quote = "The talks resumed."
    item = Item(text=quote, citations=(Citation("1", quote, 0, len(quote)),))
    brief = dataclasses.replace(
        _golden_brief(), title="Morning\r\nBcc: spy@example.net",
        sources=(source,), themes=(BriefTheme(key="t", title="Talks", items=(item,)),))
    message = mail.compose(brief, b"%PDF", mail.MailSettings(sender=SENDER, to=("a@example.org",)))
    parsed = _parse(message.as_bytes())
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert parsed["Subject"] == "Morning Bcc: spy@example.net — 27 May 2025"
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "morning-bcc-spy-example-net-2025-05-27.pdf"


@pytest.mark.parametrize("value", ["not an address", "a@b@c", "<>", ""])
def test_bad_addresses_are_refused(value: str) -> None:
    settings = mail.MailSettings(sender=SENDER, to=(value,) if value else ("@",))
    with pytest.raises(MailError, match=r"^To .* is not an email address"):
        mail.compose(_golden_brief(), b"%PDF", settings)


def test_mail_config_supplies_addresses_and_options_override_it(tmp_path: Path) -> None:
    config = tmp_path / "mail.toml"
    config.write_text('from = "desk@example.org"\nto = ["a@example.org", "b@example.org"]\n'
                      'smtp = "mail.example.org"\nsecurity = "starttls"\nuser = "desk"\n',
                      encoding="utf-8")
    settings = mail.load_mail_config(config).merged(to=["c@example.org"], cc=None)
    assert settings.sender == "desk@example.org" and settings.to == ("c@example.org",)
    server = mail.Server.from_settings(settings)
    assert (server.host, server.port, server.security, server.user) == (
        "mail.example.org", 587, "starttls", "desk")


def test_mail_config_unknown_key_is_named(tmp_path: Path) -> None:
    config = tmp_path / "mail.toml"
    config.write_text('from = "desk@example.org"\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(MailError, match=r"mail.toml: unknown key 'password'; the keys are"):
        mail.load_mail_config(config)


# -- sending to a real server -----------------------------------------------------------


def test_sent_brief_arrives_whole(inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    handler, port = inbox
    saved = tmp_path / "out.eml"
    code, err = run("send", str(SEEDS), "--to", "analyst@example.org", "--cc",
                    "chief@example.org", "--from", SENDER, "--smtp", f"127.0.0.1:{port}",
                    "--user", USER, "--date", "2025-05-28", "--output", str(saved),
                    env={"BRIEFING_SMTP_PASSWORD": PASSWORD})
    assert code == 0, err
    assert f"sent {saved} to analyst@example.org, chief@example.org via 127.0.0.1:{port}" in err
    assert len(handler.messages) == 1
    recipients, data = handler.messages[0]
    assert recipients == ["analyst@example.org", "chief@example.org"]
    message = _parse(data)
    text, html, pdf = _parts(message)
    assert "[1]" in text and "Sources" in html
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert _parts(_parse(saved.read_bytes()))[0] == text  # the saved copy is what was sent


def test_refused_connection_keeps_the_message(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    saved = tmp_path / "out.eml"
    code, err = run("send", str(SEEDS), "--to", "analyst@example.org", "--from", SENDER,
                    "--smtp", f"127.0.0.1:{port}", "--output", str(saved))
    assert code == 75
    lines = err.strip().splitlines()
    assert lines[-1] == (
        f"briefing: error: not sent: 127.0.0.1:{port} refused the connection; check the host "
        f"and port; the message is saved in {saved}, send it later with "
        f"`briefing send --eml {saved}`")
    assert _parse(saved.read_bytes())["To"] == "analyst@example.org"


def test_saved_message_is_sent_later(inbox: tuple[Inbox, int], saved_eml: Path) -> None:
    handler, port = inbox
    code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}")
    assert code == 0, err
    assert handler.messages[0][0] == ["analyst@example.org", "chief@example.org"]
    assert _parts(_parse(handler.messages[0][1]))[0] == _parts(_parse(saved_eml.read_bytes()))[0]


def test_5xx_reply_to_the_message(inbox: tuple[Inbox, int], saved_eml: Path) -> None:
    handler, port = inbox
    handler.data_reply = "554 5.7.1 Message rejected by policy"
    code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}")
    assert code == 75
    assert (f"not sent: 127.0.0.1:{port} refused the message (554 5.7.1 Message rejected by "
            f"policy); the message is saved in {saved_eml}") in err
    assert len(err.strip().splitlines()) == 1 and handler.messages == []


def test_5xx_reply_to_every_recipient(inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    handler, port = inbox
    handler.refused_recipient = "gone@example.org"
    saved = tmp_path / "one.eml"
    message = mail.compose(_golden_brief(), b"%PDF-1.7",
                           mail.MailSettings(sender=SENDER, to=("gone@example.org",)))
    saved.write_bytes(message.as_bytes())
    code, err = run("send", "--eml", str(saved), "--smtp", f"127.0.0.1:{port}")
    assert code == 75
    assert ("refused every recipient (gone@example.org: 550 5.1.1 mailbox unavailable); "
            "check --to and --cc") in err


def test_bad_login(inbox: tuple[Inbox, int], saved_eml: Path) -> None:
    handler, port = inbox
    code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}",
                    "--user", USER, env={"BRIEFING_SMTP_PASSWORD": "wrong"})
    assert code == 75
    assert f"127.0.0.1:{port} rejected the login as 'desk' (535 " in err
    assert "check --user and BRIEFING_SMTP_PASSWORD" in err and "wrong" not in err
    assert handler.messages == []


def test_user_without_password_fails_before_building(tmp_path: Path) -> None:
    code, err = run("send", str(SEEDS), "--to", "a@example.org", "--from", SENDER,
                    "--smtp", "127.0.0.1:1", "--user", USER, "--output",
                    str(tmp_path / "y.eml"))
    assert code == 1
    assert "--user desk given but BRIEFING_SMTP_PASSWORD is not set; export it" in err
    assert not (tmp_path / "y.eml").exists()


def test_password_is_not_sent_in_clear_off_loopback() -> None:
    server = mail.Server(host="mail.example.org", port=25, security="none", user=USER)
    with pytest.raises(MailError, match=r"refusing to send the password for desk unencrypted"):
        mail.check_login(server, PASSWORD)


def test_silent_server_times_out(saved_eml: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}",
                        "--timeout", "0.5")
    assert code == 75
    assert f"127.0.0.1:{port} did not answer within 0.5s" in err


def test_send_without_recipients_fails_before_building(tmp_path: Path) -> None:
    code, err = run("send", str(SEEDS), "--from", SENDER, "--smtp", "127.0.0.1:1",
                    "--output", str(tmp_path / "x.eml"))
    assert code == 1
    assert err == "briefing: error: no recipients; give --to ADDRESS or `to` in the mail config\n"
    assert not (tmp_path / "x.eml").exists()


@pytest.fixture
def tls_inbox(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """A server that requires STARTTLS before login, with a certificate from a test CA."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            tls_context=server_context, require_starttls=True,
                            authenticator=_authenticator)  # AUTH only after STARTTLS
    controller.start()
    try:
        yield handler, port, ca_file
    finally:
        controller.stop()


def test_starttls_then_login(tls_inbox: tuple[Inbox, int, Path], saved_eml: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    handler, port, ca_file = tls_inbox
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # trust the test CA, as a system CA
    code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}",
                    "--starttls", "--user", USER, env={"BRIEFING_SMTP_PASSWORD": PASSWORD})
    assert code == 0, err
    assert len(handler.messages) == 1


def test_untrusted_certificate_is_refused(tls_inbox: tuple[Inbox, int, Path],
                                          saved_eml: Path) -> None:
    handler, port, _ = tls_inbox
    code, err = run("send", "--eml", str(saved_eml), "--smtp", f"127.0.0.1:{port}",
                    "--starttls", "--user", USER, env={"BRIEFING_SMTP_PASSWORD": PASSWORD})
    assert code == 75
    assert f"127.0.0.1:{port} TLS failed (CERTIFICATE_VERIFY_FAILED)" in err
    assert handler.messages == []


def test_saved_message_is_sent_as_saved(saved_eml: Path) -> None:
    code, err = run("send", "--eml", str(saved_eml), "--to", "other@example.org",
                    "--smtp", "127.0.0.1:1")
    assert code == 1
    assert "is sent as saved, to its own recipients; drop --to, --cc" in err


def test_a_desks_second_morning_email_says_what_is_new(inbox: tuple[Inbox, int],
                                                       tmp_path: Path) -> None:
    handler, port = inbox
    history = tmp_path / "history.sqlite"
    for day in ("2025-05-27", "2025-05-28"):
        code, err = run("send", str(SEEDS), "--to", "analyst@example.org", "--from", SENDER,
                        "--smtp", f"127.0.0.1:{port}", "--date", day, "--history", str(history),
                        "--output", str(tmp_path / f"{day}.eml"))
        assert code == 0, err
    first, second = (_parts(_parse(data)) for _, data in handler.messages)
    assert "Since the brief of" not in first[0] and "[NEW]" not in first[0]
    assert "Since the brief of 27 May: " in second[0] and "not repeated." in second[0]
    assert "[NEW] " in second[0]  # the lines yesterday's page had no room for
    assert '<strong class="status status-new"' in second[1]


# -- addresses beyond ASCII, and timeouts that are no number of seconds --------------------


def test_an_internationalised_domain_is_written_in_idna() -> None:
    settings = mail.MailSettings(sender="Désk <desk@exämple.org>", to=("a@bücher.example",))
    message = mail.compose(_golden_brief(), b"%PDF", settings)
    data = message.as_bytes()
    assert data.isascii()  # an ordinary message: every server takes it
    assert _parse(data)["From"].addresses[0].domain == "xn--exmple-cua.org"
    assert _parse(data)["To"] == "a@xn--bcher-kva.example"
    assert message["Message-ID"].endswith("@xn--exmple-cua.org>")


def test_a_domain_idna_refuses_is_one_line() -> None:
    settings = mail.MailSettings(sender="desk@exa_mple\u00e4.org", to=("a@example.org",))
    with pytest.raises(MailError, match=r"^From 'desk@exa_mple\u00e4\.org': the domain "
                       r"'exa_mple\u00e4\.org' is not a valid internationalised domain name"):
        mail.compose(_golden_brief(), b"%PDF", settings)


def test_a_utf8_local_part_goes_by_smtputf8(tmp_path: Path) -> None:
    """jö@example.org: the message is written with UTF-8 headers and sent with SMTPUTF8 to a
    server that offers it, as the saved copy shows."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(),
                            enable_SMTPUTF8=True)
    controller.start()
    try:
        saved = tmp_path / "out.eml"
        code, err = run("send", str(SEEDS), "--to", "Jö <jö@example.org>", "--from", SENDER,
                        "--smtp", f"127.0.0.1:{controller.port}", "--output", str(saved))
    finally:
        controller.stop()
    assert code == 0, err
    assert handler.messages[0][0] == ["jö@example.org"]
    assert 'To: "Jö" <jö@example.org>'.encode() in saved.read_bytes()


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "0", "-1"])
def test_a_timeout_that_is_no_number_of_seconds_fails_before_building(
    tmp_path: Path, value: str
) -> None:
    code, err = run("send", str(SEEDS), "--to", "a@example.org", "--from", SENDER,
                    "--smtp", "127.0.0.1:1", "--timeout", value, "--output",
                    str(tmp_path / "x.eml"))
    assert code == 1
    assert err.startswith(f"briefing: error: timeout {float(value)!r} must be a number of "
                          "seconds above 0 and at most 3600")
    assert not (tmp_path / "x.eml").exists()


def test_the_timeout_of_a_mail_config_is_checked_too(tmp_path: Path) -> None:
    config = tmp_path / "mail.toml"
    config.write_text('smtp = "127.0.0.1:1"\ntimeout = nan\n', encoding="utf-8")
    with pytest.raises(MailError, match="timeout nan must be a number of seconds above 0"):
        mail.Server.from_settings(mail.load_mail_config(config))


def test_send_without_a_sender_fails_before_building(tmp_path: Path) -> None:
    # an input that is not there: a build would fail on it first
    code, err = run("send", str(tmp_path / "not-yet"), "--to", SENDER, "--smtp",
                    "127.0.0.1:1", "--output", str(tmp_path / "x.eml"))
    assert code == 1
    assert err == "briefing: error: no sender; give --from ADDRESS or `from` in the mail config\n"
    assert not (tmp_path / "x.eml").exists()
