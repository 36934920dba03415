"""The brief as an HTML fragment to paste into an existing intranet page.

The fragment is one ``<section class="briefing-brief">`` holding its own
``<style>`` and the brief. It must look the same on any host page, so:

- every rule of brief.css is rewritten to apply only inside the section
  (``html``/``body`` rules style the section itself; ``@page`` is dropped:
  printing the host page is the host's business);
- a reset first reverts whatever the host's rules set on the brief's elements
  (``p { color: red }``, ``a { display: none }``) to the browser defaults, then
  the brief's own rules apply;
- every declaration, the reset's too, is ``!important``, and every selector
  starts with the section's class and its id three times over
  (``.briefing-brief#brief-1a2b#brief-1a2b#brief-1a2b .title``): a host rule
  reaches inside only if it is ``!important`` too and has three ids or more, or
  sits in a cascade layer (``@layer``) with ``!important``. Among the brief's
  own rules the order and specificity are as in brief.css, so they cascade as
  they do on the brief's own page;
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

from ..brief.render import MIN_BODY_SIZE, render_template, templates_dir
from ..errors import RenderError
from ..models import Brief

__all__ = ["SCOPE_CLASS", "default_id_prefix", "render_fragment", "scope_css"]

logger = logging.getLogger(__name__)

SCOPE_CLASS = "briefing-brief"
TEMPLATE = "brief-fragment.html"
STYLESHEET = "brief.css"
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
_ROOT_SELECTORS = ("html", "body")
_ID_REPEATS = 3  # the id in every selector, this many times: specificity over host rules


def render_fragment(brief: Brief, *, id_prefix: str | None = None) -> str:
    """The brief as one self-styled ``<section>`` for an existing page; no scripts."""
    prefix = id_prefix if id_prefix is not None else default_id_prefix(brief)
    if not _ID_PREFIX.match(prefix):
        raise RenderError(
            f"id prefix {prefix!r} is not usable in HTML ids; use a letter followed by "
            "letters, digits, '-' or '_' (at most 64)"
        )
    scope = f".{SCOPE_CLASS}" + f"#{prefix}" * _ID_REPEATS
    stylesheet = (templates_dir() / STYLESHEET).read_text(encoding="utf-8")
    css = (_reset(scope) + scope_css(stylesheet, scope, important=True)
           + f"@media print {{\n{scope} {{ font-size: {max(brief.body_size, MIN_BODY_SIZE):g}pt "
           "!important; }\n}\n")
    return render_template(TEMPLATE, brief, ids=f"{prefix}-", root_id=prefix, css=css,
                           title_level=2)


def default_id_prefix(brief: Brief) -> str:
    """A prefix stable for one brief and distinct between briefs: from title and date."""
    digest = hashlib.sha256(f"{brief.title}\n{brief.date.isoformat()}".encode()).hexdigest()
    return f"brief-{digest[:8]}"


def scope_css(css: str, scope: str, *, important: bool = False) -> str:
    """*css* with every rule applying only inside *scope*; @page rules dropped. With
    *important*, every declaration is made ``!important``."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_scoped_rule(rule, scope, important) for rule in rules)


def _reset(scope: str) -> str:
    # The section starts from the initial values, as a page's root does, not from what
    # it would inherit from the host; inside it, the host's styles revert to the
    # browser's defaults (pseudo-elements too: a host's li::marker or p::before rules).
    inside = ", ".join(f"{scope} *{part}" for part in ("", "::before", "::after", "::marker"))
    return (
        f"{scope} {{ all: initial !important; display: block !important; }}\n"
        f"{inside} {{ all: revert !important; }}\n"
    )


def _scoped_rule(rule: object, scope: str, important: bool) -> str:
    if isinstance(rule, tinycss2.ast.QualifiedRule):
        selectors = tinycss2.serialize(rule.prelude).split(",")
        scoped = ", ".join(_scoped_selector(selector.strip(), scope) for selector in selectors)
        body = _important(rule.content) if important else tinycss2.serialize(rule.content)
        return f"{scoped} {{{body}}}\n"
    if isinstance(rule, tinycss2.ast.AtRule) and rule.lower_at_keyword == "media":
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        body = "".join(_scoped_rule(child, scope, important) for child in inner)
        return f"@media {tinycss2.serialize(rule.prelude).strip()} {{\n{body}}}\n"
    if isinstance(rule, tinycss2.ast.AtRule):
        logger.debug("fragment: dropped @%s rule", rule.at_keyword)
    return ""


def _important(content: list[object]) -> str:
    """A rule's declarations, each ``!important``."""
    declarations = tinycss2.parse_declaration_list(content, skip_comments=True,
                                                   skip_whitespace=True)
    return " " + " ".join(
        f"{d.name}: {tinycss2.serialize(d.value).strip()} !important;"
        for d in declarations if isinstance(d, tinycss2.ast.Declaration)
    ) + " "


def _scoped_selector(selector: str, scope: str) -> str:
    head, _, rest = selector.partition(" ")
    if head in _ROOT_SELECTORS:  # the page's root is the fragment's section
        return f"{scope} {rest}".rstrip() if rest else scope
    return f"{scope} {selector}"
