"""Tests for briefing.delivery.embed: the HTML fragment for an existing page."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import tinycss2
import tinyhtml5
from test_render import _golden_brief  # tests/ is on the path, as for webserver
from typer.testing import CliRunner

from briefing.cli import app
from briefing.delivery.embed import SCOPE_CLASS, default_id_prefix, render_fragment, scope_css
from briefing.errors import RenderError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _body(fragment: str) -> list:
    page = tinyhtml5.parse(f"<!DOCTYPE html><html><body>{fragment}</body></html>",
                           namespace_html_elements=False)
    body = page.find("body")
    assert body is not None
    return list(body)


def test_fragment_is_one_root_element_without_page_or_script_tags() -> None:
    fragment = render_fragment(_golden_brief(), id_prefix="am")
    roots = _body(fragment)
    assert len(roots) == 1
    root = roots[0]
    assert root.tag == "section" and SCOPE_CLASS in root.get("class", "").split()
    assert root.get("id") == "am" and root.get("lang") == "en"
    for tag in ("<html", "<head>", "<body", "<script", "<link", "<main", "<h1", "url(", "@import"):
        assert tag not in fragment


def test_every_id_is_prefixed_and_every_reference_resolves_inside() -> None:
    root = _body(render_fragment(_golden_brief(), id_prefix="am"))[0]
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert ids[0] == "am" and all(i.startswith("am-") for i in ids[1:]) and len(ids) > 10
    references = [element.get("href")[1:] for element in root.iter()
                  if (element.get("href") or "").startswith("#")]
    references += [ref for element in root.iter()
                   for ref in (element.get("aria-labelledby") or "").split()]
    assert references and set(references) <= set(ids)


def test_headings_start_at_h2_below_the_host_h1() -> None:
    root = _body(render_fragment(_golden_brief()))[0]
    levels = [int(element.tag[1]) for element in root.iter() if re.fullmatch(r"h\d", element.tag)]
    assert levels[0] == 2 and set(levels[1:]) == {3}


def test_every_style_rule_is_scoped_important_and_page_rules_are_dropped() -> None:
    fragment = render_fragment(_golden_brief(), id_prefix="am")
    css = fragment[fragment.index("<style>") + 7: fragment.index("</style>")]
    assert "@page" not in css
    scope = f".{SCOPE_CLASS}#am#am#am"

    def selectors(rules: list) -> list[str]:
        found = []
        for rule in rules:
            if rule.type == "qualified-rule":
                found += [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            elif rule.type == "at-rule":
                found += selectors(tinycss2.parse_rule_list(rule.content, True, True))
        return found

    def declarations(rules: list) -> list:
        found = []
        for rule in rules:
            if rule.type == "qualified-rule":
                found += [d for d in tinycss2.parse_declaration_list(rule.content, True, True)
                          if d.type == "declaration"]
            elif rule.type == "at-rule":
                found += declarations(tinycss2.parse_rule_list(rule.content, True, True))
        return found

    rules = tinycss2.parse_stylesheet(css, True, True)
    all_selectors = selectors(rules)
    assert len(all_selectors) > 30
    assert all(s == scope or s.startswith(f"{scope} ") for s in all_selectors)
    every = declarations(rules)
    assert len(every) > 60 and all(d.important for d in every)  # host !important loses


@pytest.mark.parametrize("css, expected", [
    ("html { color: red }", ".x { color: red }\n"),
    ("body .a, h2 { margin: 0 }", ".x .a, .x h2 { margin: 0 }\n"),
    ("@page { size: A4 }", ""),
    ("@media screen { @media (max-width: 3rem) { p { margin: 0 } } }",
     "@media screen {\n@media (max-width: 3rem) {\n.x p { margin: 0 }\n}\n}\n"),
])
def test_scope_css(css: str, expected: str) -> None:
    assert scope_css(css, ".x") == expected


def test_two_briefs_get_different_default_prefixes() -> None:
    brief = _golden_brief()
    other = dataclasses.replace(brief, title="Evening brief")
    assert default_id_prefix(brief) != default_id_prefix(other)
    assert default_id_prefix(brief) == default_id_prefix(dataclasses.replace(brief))


@pytest.mark.parametrize("prefix", ["1abc", "a b", "a\"b", ""])
def test_unusable_id_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(RenderError, match=r"id prefix .* is not usable in HTML ids"):
        render_fragment(_golden_brief(), id_prefix=prefix)


def test_cli_writes_a_fragment_and_refuses_it_for_other_formats(tmp_path: Path) -> None:
    target = tmp_path / "fragment.html"
    result = CliRunner().invoke(app, ["build", str(SEEDS), "--format", "html", "--fragment",
                                      "--id-prefix", "desk", "--output", str(target)])
    assert result.exit_code == 0, result.stderr
    fragment = target.read_text(encoding="utf-8")
    assert fragment.startswith('<section class="briefing-brief" id="desk" lang="en"')

    result = CliRunner().invoke(app, ["build", str(SEEDS), "--format", "pdf", "--fragment",
                                      "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert result.stderr == "briefing: error: --fragment needs --format html, not pdf\n"
    assert not (tmp_path / "x.pdf").exists()
