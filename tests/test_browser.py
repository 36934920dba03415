"""The HTML brief in a real browser: headless Chromium driven by Playwright, checked with axe-core.

The full page and a host page embedding two fragments beside hostile host styles
(``!important`` ones among them) are served from a real HTTP server on 127.0.0.1.
Every request that is not the page itself is blocked and recorded; console errors
are collected; screenshots are kept in artifacts/browser/ (git-ignored) for a
person to look at.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from briefing import pipeline
from briefing.delivery import mail
from briefing.delivery.embed import render_fragment

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; `playwright install` cannot download here
ARTIFACTS = ROOT / "artifacts" / "browser"
HOSTILE_CSS = """
body { font-family: "Comic Sans MS", cursive; font-size: 12px; color: #333; }
p { color: red; font-size: 30px; margin: 3em; }
a { display: none; }
li { color: red; font-size: 30px; list-style: none; text-transform: lowercase; }
h1, h2, h3 { color: red; font-size: 40px; border: 5px dashed red; }
section { background: yellow; padding: 40px; }
ul, ol { padding: 0; margin: 0; }
span, strong, time { font-size: 25px; color: green; }
/* Rules that insist: !important, on element names, with an id and two, on markers. */
p, li { color: red !important; font-size: 30px !important; line-height: 3 !important; }
li { text-transform: lowercase !important; list-style: none !important; }
a { display: none !important; color: red !important; }
h2, h3 { color: red !important; border: 5px dashed red !important; font-size: 40px !important; }
#host-main p, #host-main li, #host-main span { font-family: "Comic Sans MS", cursive !important; }
#host-main #host-news strong, #host-main #host-news time { font-weight: 100 !important; }
section { background: yellow !important; padding: 40px !important; }
li::marker { color: red !important; }
* { text-transform: uppercase !important; }
"""
# Elements whose computed style must be the brief's own wherever it is shown.
PROBES = {
    "title": ".title",
    "section title": ".theme .section-title",
    "line": ".item",
    "speaker": ".speaker",
    "marker": ".cites a",
    "date": ".meta time",
    "source": ".source",
    "source link": ".source a.source-title",
    "note": ".note",
}
PROPERTIES = ("color", "font-size", "font-family", "font-weight", "display", "line-height",
              "text-transform", "background-color", "list-style-type", "border-top-width")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed brief as a full page and as two fragments in a hostile host page, served."""
    folder = tmp_path_factory.mktemp("site")
    build = pipeline.build_brief([ROOT / "seeds"], pipeline.BuildOptions(title="Morning brief"))
    (folder / "brief.html").write_bytes(pipeline.render_output(build, "html"))
    message = mail.compose(build.brief, b"%PDF-1.7", mail.MailSettings(sender="d@example.org",
                                                                      to=("a@example.org",)))
    html_part = message.get_body(("html",))
    assert html_part is not None
    (folder / "email.html").write_text(html_part.get_content(), encoding="utf-8")
    evening = dataclasses.replace(build.brief, title="Evening brief")
    fragments = render_fragment(build.brief) + render_fragment(evening)
    (folder / "host.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Intranet</title><style>{HOSTILE_CSS}</style></head><body>"
        "<header><h1>Intranet home</h1></header><main id=\"host-main\">"
        f"<p id=\"host-text\">Host text.</p><div id=\"host-news\">{fragments}</div>"
        "</main></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium "
                    "(make test does it when run as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@dataclasses.dataclass
class Visit:
    page: Page
    blocked: list[str]
    errors: list[str]


def _open(browser: Browser, url: str, **context: Any) -> Visit:
    """Open *url*, blocking and recording every other request, collecting console errors."""
    page = browser.new_context(**context).new_page()
    visit = Visit(page, [], [])

    def route(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            visit.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: visit.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.goto(url, wait_until="load")
    return visit


def _styles(page: Page, scope: str) -> dict[str, dict[str, str]]:
    return {
        name: page.eval_on_selector(
            f"{scope} {selector}",
            "(el, props) => { const s = getComputedStyle(el);"
            " return Object.fromEntries(props.map(p => [p, s.getPropertyValue(p)])); }",
            list(PROPERTIES),
        )
        for name, selector in PROBES.items()
    }


def _axe(page: Page, context: str | None = None, *, skip: tuple[str, ...] = ()) -> None:
    options = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in skip}}
    results = Axe().run(page, context=context, options=options)
    assert results.violations_count == 0, results.generate_report()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_full_page_is_self_contained_accessible_and_quiet(browser: Browser, site: str) -> None:
    visit = _open(browser, f"{site}/brief.html", viewport={"width": 1280, "height": 900})
    _shot(visit.page, "full-page.png")
    assert visit.blocked == [], "the page asked for another resource"
    assert visit.errors == []
    assert visit.page.evaluate("document.documentElement.lang") == "en"
    assert visit.page.evaluate("document.scripts.length") == 0
    levels = visit.page.eval_on_selector_all(
        "h1, h2, h3, h4", "els => els.map(e => Number(e.tagName[1]))")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    _axe(visit.page)
    visit.page.context.close()


def test_full_page_reads_on_a_phone(browser: Browser, site: str) -> None:
    visit = _open(browser, f"{site}/brief.html", viewport={"width": 375, "height": 740},
                  device_scale_factor=2, is_mobile=True, has_touch=True)
    _shot(visit.page, "phone.png")
    page = visit.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "scrolls sideways"
    line_size = float(page.eval_on_selector(".item", "e => getComputedStyle(e).fontSize")[:-2])
    assert line_size >= 16
    assert visit.blocked == [] and visit.errors == []
    _axe(page)
    page.context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_browser_prints_the_page_on_one_sheet(browser: Browser, site: str, paper: str) -> None:
    visit = _open(browser, f"{site}/brief.html")
    visit.page.emulate_media(media="print")
    # The brief's @page says A4; a reader whose printer holds Letter gets Letter.
    pdf = visit.page.pdf(format=paper, prefer_css_page_size=paper == "A4")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"printed-{paper.lower()}.pdf").write_bytes(pdf)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    visit.page.context.close()


def test_fragment_keeps_its_own_styles_on_a_hostile_page(browser: Browser, site: str) -> None:
    size = {"width": 1280, "height": 900}
    own = _open(browser, f"{site}/brief.html", viewport=size)
    expected = _styles(own.page, "main.brief")
    own.page.context.close()

    visit = _open(browser, f"{site}/host.html", viewport=size)
    page = visit.page
    _shot(page, "host-with-fragments.png")
    # The hostile styles are live: the host's own paragraph is red and 30px.
    assert page.eval_on_selector("#host-text", "e => getComputedStyle(e).fontSize") == "30px"
    assert page.eval_on_selector("#host-text", "e => getComputedStyle(e).color") == (
        "rgb(255, 0, 0)")  # and its !important rules too
    roots = page.eval_on_selector_all(".briefing-brief", "els => els.map(e => e.id)")
    assert len(roots) == 2
    for root in roots:
        actual = _styles(page, f"#{root}")
        for name in PROBES:
            for prop in PROPERTIES:
                assert actual[name][prop] == expected[name][prop], (
                    f"fragment {root}, {name}: {prop} is {actual[name][prop]!r}, "
                    f"the brief's own is {expected[name][prop]!r}")
    assert visit.blocked == [] and visit.errors == []
    _axe(page, context=".briefing-brief")
    page.context.close()


def test_two_fragments_on_one_page_have_unique_ids_and_own_links(
    browser: Browser, site: str
) -> None:
    visit = _open(browser, f"{site}/host.html")
    page = visit.page
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) and len(ids) > 20
    # Every marker and aria reference of a fragment points inside that same fragment.
    dangling = page.evaluate("""() => [...document.querySelectorAll('.briefing-brief')]
        .flatMap(root => [root, ...root.querySelectorAll('a[href^="#"], [aria-labelledby]')]
        .flatMap(el => el.hasAttribute('href') ? [el.getAttribute('href').slice(1)]
                       : el.getAttribute('aria-labelledby').split(' '))
        .filter(id => !root.querySelector('#' + CSS.escape(id))))""")
    references = page.evaluate(
        "document.querySelectorAll('.briefing-brief a[href^=\"#\"]').length")
    assert references > 10
    assert dangling == []
    assert page.evaluate("document.querySelectorAll('.briefing-brief').length") == 2
    page.context.close()


@pytest.mark.parametrize("width", [600, 375])
def test_email_html_renders_alone(browser: Browser, site: str, width: int) -> None:
    """The email's HTML part, as a webmail shows it: nothing fetched, accessible, no sideways
    scrolling on a phone (a browser is not a mail client; this checks the markup it shares)."""
    visit = _open(browser, f"{site}/email.html", viewport={"width": width, "height": 900})
    _shot(visit.page, f"email-{width}.png")
    assert visit.blocked == [] and visit.errors == []
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= width
    assert "<!--[if mso]>" in visit.page.content()  # Outlook's fixed-width table survived
    # A mail client shows the message inside its own page, which has the landmarks;
    # the message is one role="article". The two page-level rules do not apply to it.
    _axe(visit.page, skip=("landmark-one-main", "region"))
    visit.page.context.close()
