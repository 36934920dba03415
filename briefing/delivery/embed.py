"""The brief as an HTML fragment to paste into an existing intranet page.

The fragment is one ``<section class="briefing-brief">`` holding its own
``<style>`` and the brief. It must look the same on any host page, so:

- every rule of brief.css is rewritten to apply only inside the section
  (``html``/``body`` rules style the section itself; ``@page`` is dropped:
  printing the host page is the host's business);
- a reset first reverts whatever the host's rules set on the brief's elements
  (``p { color: red }``, ``a { display: none }``) to the browser defaults, then
  the brief's own rules apply. The reset's selector repeats the class to outrank
  host selectors of one class or fewer; host rules with an id or ``!important``
  can still win, which no stylesheet can prevent without scripts;
- ids are prefixed, so two briefs on one page do not collide and their citation
  markers link to their own source lists;
- headings start at h2: the host page has its own h1.
"""

from __future__ import annotations

import hashlib
import logging
import re

import tinycss2
import tinycss2.ast

from ..brief.render import render_template, templates_dir
from ..errors import RenderError
from ..models import Brief

__all__ = ["SCOPE_CLASS", "default_id_prefix", "render_fragment", "scope_css"]

logger = logging.getLogger(__name__)

SCOPE_CLASS = "briefing-brief"
TEMPLATE = "brief-fragment.html"
STYLESHEET = "brief.css"
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
_ROOT_SELECTORS = ("html", "body")


def render_fragment(brief: Brief, *, id_prefix: str | None = None) -> str:
    """The brief as one self-styled ``<section>`` for an existing page; no scripts."""
    prefix = id_prefix if id_prefix is not None else default_id_prefix(brief)
    if not _ID_PREFIX.match(prefix):
        raise RenderError(
            f"id prefix {prefix!r} is not usable in HTML ids; use a letter followed by "
            "letters, digits, '-' or '_' (at most 64)"
        )
    scope = f".{SCOPE_CLASS}"
    stylesheet = (templates_dir() / STYLESHEET).read_text(encoding="utf-8")
    css = _reset(scope) + scope_css(stylesheet, scope)
    return render_template(TEMPLATE, brief, ids=f"{prefix}-", root_id=prefix, css=css,
                           title_level=2)


def default_id_prefix(brief: Brief) -> str:
    """A prefix stable for one brief and distinct between briefs: from title and date."""
    digest = hashlib.sha256(f"{brief.title}\n{brief.date.isoformat()}".encode()).hexdigest()
    return f"brief-{digest[:8]}"


def scope_css(css: str, scope: str) -> str:
    """*css* with every rule applying only inside *scope*; @page rules dropped."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_scoped_rule(rule, scope) for rule in rules)


def _reset(scope: str) -> str:
    # Revert the host's styles to browser defaults, on the section and inside it.
    return (
        f"{scope} {{ all: revert; display: block; }}\n"
        f"{scope}{scope} * {{ all: revert; }}\n"
    )


def _scoped_rule(rule: object, scope: str) -> str:
    if isinstance(rule, tinycss2.ast.QualifiedRule):
        selectors = tinycss2.serialize(rule.prelude).split(",")
        scoped = ", ".join(_scoped_selector(selector.strip(), scope) for selector in selectors)
        return f"{scoped} {{{tinycss2.serialize(rule.content)}}}\n"
    if isinstance(rule, tinycss2.ast.AtRule) and rule.lower_at_keyword == "media":
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        body = "".join(_scoped_rule(child, scope) for child in inner)
        return f"@media {tinycss2.serialize(rule.prelude).strip()} {{\n{body}}}\n"
    if isinstance(rule, tinycss2.ast.AtRule):
        logger.debug("fragment: dropped @%s rule", rule.at_keyword)
    return ""


def _scoped_selector(selector: str, scope: str) -> str:
    head, _, rest = selector.partition(" ")
    if head in _ROOT_SELECTORS:  # the page's root is the fragment's section
        return f"{scope} {rest}".rstrip() if rest else scope
    return f"{scope} {selector}"
