"""The README and docs/ say what the commands print: each `console` example runs.

A `console` block's lines starting with `$ briefing` (or `$ .venv/bin/briefing`)
are commands; the lines after each, its output as a terminal shows it (standard
output and error), where `...` stands for any text. A page's commands run in
turn in one folder holding a copy of seeds/ and the files its code blocks with a
`title="PATH"` define before them (docs/development.md, "These pages").
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.facts.themes import load_themes

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```([\w-]*)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="([^"]+)"')
_COMMANDS = ("briefing", ".venv/bin/briefing")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    title: str | None
    body: str


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for fence in _FENCE.finditer(text):
        title = _TITLE.search(fence.group(2))
        found.append(Block(page, text.count("\n", 0, fence.start()) + 1, fence.group(1),
                           title.group(1) if title else None, fence.group(3)))
    return found


def examples(block: Block) -> list[tuple[str, str]]:
    """(command, expected output) of a console block."""
    runs: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
        else:
            assert runs, f"{block.page.name}:{block.line}: output before any command"
            runs[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in output)) for command, output in runs]


def matches(expected: str, output: str) -> bool:
    """*output* is *expected*, where each `...` stands for any text on its line."""
    pattern = "".join(".*?" if part == "..." else re.escape(part)
                      for part in re.split(r"(\.\.\.)", expected))
    return re.fullmatch(pattern, output) is not None


CONSOLE_PAGES = [page for page in PAGES if any(b.language == "console" for b in blocks(page))]


def test_the_pages_show_commands_with_their_output() -> None:
    # The pages this test must run: if an example is dropped, this says so.
    names = {page.name for page in CONSOLE_PAGES}
    assert {"README.md", "usage.md", "themes.md", "email.md", "intranet.md"} <= names


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=lambda page: page.name)
def test_each_example_prints_what_the_page_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    ran = 0
    for block in blocks(page):
        if block.title is not None:
            target = tmp_path / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        if block.language != "console":
            continue
        for command, expected in examples(block):
            args = shlex.split(command)
            assert args[0] in _COMMANDS, f"{page.name}:{block.line}: only briefing runs here"
            result = CliRunner().invoke(app, args[1:], prog_name="briefing")
            assert matches(expected, result.output), (
                f"{page.name}:{block.line}: $ {command}\n"
                f"--- the page shows:\n{expected}--- the command printed:\n{result.output}"
            )
            ran += 1
    assert ran


def test_the_readme_themes_file_is_a_three_theme_file(tmp_path: Path) -> None:
    (themes,) = [b for b in blocks(ROOT / "README.md") if b.title == "themes.toml"]
    path = tmp_path / "themes.toml"
    path.write_text(themes.body, encoding="utf-8")
    assert len(load_themes(path).themes) == 3


def test_the_readme_stays_a_front_door() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    # The two quick-start commands, and no third.
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^ {4}make (\w+)", quick, re.MULTILINE) == ["brief", "test"]
    # Every page of docs/ is linked from it, and every link leads to a file.
    links = set(re.findall(r"\]\(((?:docs/)[^)#]+)", readme))
    assert {f"docs/{page.name}" for page in (ROOT / "docs").glob("*.md")} <= links
    assert all((ROOT / link).is_file() for link in links)


@pytest.mark.parametrize("expected, output, same", [
    ("wrote a.json (3 lines)\n", "wrote a.json (3 lines)\n", True),
    ("wrote a.json (3 lines)\n", "wrote a.json (4 lines)\n", False),
    ("fact cache cache: ... entries\n", "fact cache cache: 12 entries\n", True),
    ("a\n", "a\nb\n", False),  # a line more is a difference
])
def test_an_ellipsis_stands_for_any_text_and_nothing_else_does(
    expected: str, output: str, same: bool
) -> None:
    assert matches(expected, output) is same
