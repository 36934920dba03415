"""briefing serve under uvicorn, on a free loopback port, fetched with httpx: the pages,
PDF, JSON and fragment; conditional requests; past briefs; a rebuild while serving and a
failing one; and the page in Chromium (no console error, axe clean, nothing fetched)."""

from __future__ import annotations

import io
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "desk"
CHROMIUM = Path("/usr/bin/chromium")
DESK = "Marren ferry"
READY = re.compile(r"^briefing: serving 'Marren ferry' \((\d{4}-\d\d-\d\d), (\d+) lines\) at "
                   r"(http://127\.0\.0\.1:\d+/); building again every 2s; Ctrl-C stops$")


@dataclass
class Served:
    url: str
    folder: Path
    themes: Path
    history: Path
    process: subprocess.Popen[str]
    lines: queue.Queue[str]

    def until(self, start: str, timeout: float = 60.0) -> list[str]:
        """The server's stderr lines up to the first that starts with *start*."""
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no line {start!r} in {timeout} s; got {got}") from None
            got.append(line)
            if line.startswith(start):
                return got


def _copy(day: int, folder: Path) -> None:
    for file in (STORY / f"day{day}").iterdir():
        shutil.copyfile(file, folder / file.name)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("serve")
    folder, history, themes = work / "desk", work / "history.sqlite", work / "themes.toml"
    folder.mkdir()
    shutil.copyfile(STORY / "themes.toml", themes)
    _copy(1, folder)
    result = CliRunner().invoke(app, [  # an earlier brief, in the desk's history
        "build", str(folder), "--themes", str(themes), "--title", DESK, "--date", "2025-06-03",
        "--history", str(history), "-f", "json", "-o", str(work / "day1.json")])
    assert result.exit_code == 0, result.stderr
    _copy(2, folder)  # what came since: today's brief has new lines and updates
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing", "serve", str(folder), "--themes", str(themes),
         "--title", DESK, "--history", str(history), "--port", "0", "--every", "2s"],
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    server = Served("", folder, themes, history, process, lines)
    try:
        ready = server.until("briefing: serving ", timeout=120)[-1]
        match = READY.match(ready)
        assert match, ready
        server.url = match.group(3)
        yield server
        process.send_signal(signal.SIGTERM)  # how a service manager stops it
        assert process.wait(timeout=30) == 0
        server.until("briefing: stopped serving")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_page_pdf_json_and_fragment(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert '<p class="since">Since the brief of 3 June 2025: ' in page.text
        assert re.search(r'data-line="[0-9a-f]{10}" data-status="(new|update)"', page.text)
        assert client.get("/brief.html").content == page.content
        pdf = client.get("/brief.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith('inline; filename="brief-')
        assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
        brief = client.get("/brief.json").json()
        assert brief["title"] == DESK and brief["since"]["date"] == "2025-06-03"
        fragment = client.get("/fragment.html").text
        assert fragment.startswith('<section class="briefing-brief" id="brief-')
        assert "<html" not in fragment and "data-line=" in fragment
        assert client.get("/health").text.startswith(f"ok: {DESK}, brief of {brief['date']} ")


def test_conditional_requests_and_read_only(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        for path in ("/", "/brief.pdf", "/brief.json", "/fragment.html"):
            first = client.get(path)
            etag, modified = first.headers["etag"], first.headers["last-modified"]
            again = client.get(path, headers={"If-None-Match": etag})
            if again.status_code == 200:  # a rebuild came in between: its new tag, then
                etag = again.headers["etag"]
                again = client.get(path, headers={"If-None-Match": etag})
            assert (again.status_code, again.content) == (304, b"")
            assert again.headers["etag"] == etag
            stale = client.get(path, headers={"If-None-Match": '"other"'})
            assert stale.status_code == 200 and stale.content
            since = client.get(path, headers={"If-Modified-Since": modified})
            assert since.status_code in (200, 304)  # 200 only after a rebuild in between
        head = client.head("/brief.pdf")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) > 1000
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.request(method, "/").status_code == 405
        assert client.get("/nothing-here").status_code == 404
        assert client.get("/briefs/1999-01-01/").status_code == 404
        assert client.get("/briefs/yesterday/").status_code == 404


def test_past_briefs_are_served_as_they_were(served: Served, tmp_path: Path) -> None:
    with httpx.Client(base_url=served.url) as client:
        index = client.get("/briefs/")
        assert index.status_code == 200 and 'href="2025-06-03/"' in index.text
        shown = tmp_path / "shown.json"
        result = CliRunner().invoke(app, ["show", "2025-06-03", "--title", DESK, "--history",
                                          str(served.history), "-f", "json", "-o", str(shown)])
        assert result.exit_code == 0, result.stderr
        past = client.get("/briefs/2025-06-03/brief.json")
        assert past.content == shown.read_bytes()
        assert past.json()["since"] is None  # day 1 compared with nothing
        assert client.get("/briefs/2025-06-03/").text.startswith("<!DOCTYPE html>")
        pdf = client.get("/briefs/2025-06-03/brief.pdf")
        assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
        etag = pdf.headers["etag"]
        assert client.get("/briefs/2025-06-03/brief.pdf",
                          headers={"If-None-Match": etag}).status_code == 304


def test_a_rebuild_while_serving_and_a_failing_one(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        before = client.get("/")
        outlets = {s["outlet"] for s in client.get("/brief.json").json()["sources"]}
        assert "The Guardian" not in outlets
        _copy(3, served.folder)  # the Guardian's article arrives
        deadline = time.monotonic() + 60
        while "The Guardian" not in {
            s["outlet"] for s in client.get("/brief.json").json()["sources"]
        }:
            assert time.monotonic() < deadline, "no rebuild brought the new article in"
            time.sleep(0.3)
        good = client.get("/")
        assert good.headers["etag"] != before.headers["etag"]
        assert client.get("/", headers={"If-None-Match": before.headers["etag"]}
                          ).status_code == 200  # the client's copy is stale now

        served.themes.write_text("[[theme]]\nkey = 1\n", encoding="utf-8")  # a bad themes file
        failed = served.until("briefing: error: rebuild failed: ")[-1]
        assert failed.startswith(f"briefing: error: rebuild failed: {served.themes}:2: ")
        assert "; still serving the brief built at " in failed
        kept = client.get("/")
        assert kept.status_code == 200 and kept.headers["etag"] == good.headers["etag"]
        health = client.get("/health").text
        assert "the last rebuild failed: " in health
        shutil.copyfile(STORY / "themes.toml", served.themes)
        deadline = time.monotonic() + 60
        while "failed" in client.get("/health").text:
            assert time.monotonic() < deadline, "no rebuild after the themes were fixed"
            time.sleep(0.3)
    assert served.process.poll() is None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path", ["/", "/briefs/"])
def test_the_served_page_in_chromium(served: Served, browser: object, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    url = served.url.rstrip("/") + path
    page = browser.new_context().new_page()  # type: ignore[attr-defined]
    blocked: list[str] = []
    errors: list[str] = []

    def route(request_route: object) -> None:
        request = request_route.request  # type: ignore[attr-defined]
        if request.url == url:
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            blocked.append(request.url)
            request_route.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200
    assert blocked == [] and errors == []  # the CSP header blocks nothing the page uses
    assert page.evaluate("document.scripts.length") == 0
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()
    page.context.close()


def test_serve_refuses_a_port_in_use(served: Served) -> None:
    port = served.url.rsplit(":", 1)[1].strip("/")
    result = CliRunner().invoke(app, ["serve", str(served.folder), "--port", port])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"briefing: error: --host 127.0.0.1 --port {port}: cannot "
                                    "listen there (")
