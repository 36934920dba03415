"""briefing verify: every citation checked again against the stored texts, an archive
folder, or the live pages of a real HTTP server on 127.0.0.1, after a source changed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner
from webserver import Route, article_page, serve

from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "desk"
THEMES = STORY / "themes.toml"
ROW = re.compile(r"^(verified|changed at source|gone) +([0-9a-f]{10}) ", re.MULTILINE)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _verdicts(out: str) -> dict[str, str]:
    return {line_id: verdict for verdict, line_id in ROW.findall(out)}


def _build(inputs: list[str], output: Path, *extra: str) -> dict:
    code, _, err = run("build", *inputs, "--themes", str(THEMES), "--title", "Marren ferry",
                       "--date", "2025-06-04", "-f", "json", "-o", str(output), *extra)
    assert code == 0, err
    return json.loads(output.read_text(encoding="utf-8"))


def _citing(brief: dict, source: str) -> set[str]:
    return {item["id"] for theme in brief["themes"] for item in theme["items"]
            if any(c["source"] == source for c in item["citations"])}


def _story(folder: Path) -> Path:
    folder.mkdir()
    for day in (1, 2):
        for file in (STORY / f"day{day}").iterdir():
            shutil.copyfile(file, folder / file.name)
    return folder


def test_verify_against_the_stored_texts_and_a_history_id(tmp_path: Path) -> None:
    path = tmp_path / "brief.json"
    brief = _build([str(_story(tmp_path / "desk"))], path)
    code, out, err = run("verify", str(path))
    assert code == 0, err
    lines = sum(len(theme["items"]) for theme in brief["themes"])
    assert set(_verdicts(out).values()) == {"verified"} and len(_verdicts(out)) == lines
    assert err == (f"{lines} lines against the stored texts: {lines} verified, "
                   "0 changed at source, 0 gone\n")
    code, out, _ = run("verify", "1")  # the same brief, from the history
    assert code == 0 and len(_verdicts(out)) == lines

    # The JSON's copy of a source's text edited: its lines no longer check.
    reuters = next(s for s in brief["sources"] if s["outlet"] == "Reuters")
    reuters["text"] = reuters["text"].replace("19", "17").replace("Aalders", "Aalder")
    path.write_text(json.dumps(brief), encoding="utf-8")
    code, out, err = run("verify", str(path))
    assert code == 1
    verdicts = _verdicts(out)
    changed = {item["id"] for theme in brief["themes"] for item in theme["items"]
               if any(c["source"] == reuters["id"] and ("19" in c["quote"] or "Aalders" in
                                                         c["quote"]) for c in item["citations"])}
    assert changed and {i for i, v in verdicts.items() if v != "verified"} == changed
    assert set(verdicts.values()) == {"verified", "changed at source"}
    assert "the quote is no longer in its text" in out
    assert "moved from offset" in out  # one character fewer above it: found further up


def test_verify_against_an_archive_after_a_text_changed_and_one_went(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = tmp_path / "brief.json"
    brief = _build([str(_story(tmp_path / "desk"))], path, "--archive", str(archive))
    code, out, err = run("verify", str(path), "--archive", str(archive))
    assert code == 0, out + err
    sources = {s["outlet"]: s for s in brief["sources"]}
    (reuters,) = archive.glob(f"{sources['Reuters']['id']}-*.txt")
    reuters.write_text(reuters.read_text("utf-8").replace("At least 19", "At least 21"),
                       encoding="utf-8")
    for file in archive.glob(f"{sources['BBC News']['id']}-*"):
        file.unlink()
    code, out, err = run("verify", str(path), "--archive", str(archive))
    assert code == 1
    verdicts = _verdicts(out)
    bbc = _citing(brief, sources["BBC News"]["id"])
    assert {i for i, v in verdicts.items() if v == "gone"} == bbc
    changed = {i for i, v in verdicts.items() if v == "changed at source"}
    assert len(changed) == 1 and changed <= _citing(brief, sources["Reuters"]["id"])
    assert f"not in the archive {archive}" in out
    assert err.startswith(f"{len(verdicts)} lines against the archive {archive}: ")


def test_verify_fetches_the_live_pages_again(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    with serve() as server:
        urls = {}
        for day in (1, 2):
            for text in sorted((STORY / f"day{day}").glob("*.txt")):
                meta = text.with_suffix(".toml").read_text(encoding="utf-8")
                url = server.url(f"/{text.stem}")
                (pages / text.name).write_text(text.read_text("utf-8"), encoding="utf-8")
                (pages / f"{text.stem}.toml").write_text(
                    re.sub(r'^url = ".*"$', f'url = "{url}"', meta, flags=re.MULTILINE),
                    encoding="utf-8")
                server.page(f"/{text.stem}", article_page(pages / text.name))
                urls[text.stem] = url
        path = tmp_path / "brief.json"
        brief = _build(list(urls.values()), path)
        code, out, err = run("verify", str(path), "--fetch")
        assert code == 0, out + err
        assert err.startswith(f"{len(_verdicts(out))} lines against the live pages: ")

        # Reuters corrects a figure; the AP page is taken down.
        story = pages / "reuters-ferry.txt"
        story.write_text(story.read_text("utf-8").replace("31 are missing", "29 are missing"),
                         encoding="utf-8")
        server.page("/reuters-ferry", article_page(story))
        server.add("/ap-ferry", Route(b"Not Found", status=404, content_type="text/plain"))
        code, out, _ = run("verify", str(path), "--fetch")
    assert code == 1
    sources = {s["outlet"]: s["id"] for s in brief["sources"]}
    verdicts = _verdicts(out)
    assert {i for i, v in verdicts.items() if v == "gone"} == _citing(
        brief, sources["Associated Press"])
    changed = {i for i, v in verdicts.items() if v == "changed at source"}
    toll = next(item["id"] for theme in brief["themes"] for item in theme["items"]
                if "31 are missing" in item["text"])
    assert changed == {toll}
    assert "404" in out


def test_verify_refuses_what_is_not_a_brief(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/2"}', encoding="utf-8")
    code, _, err = run("verify", str(other))
    assert (code, err) == (1, f"briefing: error: {other}: not a brief of schema briefing/1; "
                              "give a brief written with --format json\n")
    code, _, err = run("verify", str(other), "--archive", str(tmp_path), "--fetch")
    assert code == 1 and "--archive and --fetch exclude each other" in err
