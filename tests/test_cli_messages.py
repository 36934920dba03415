"""What a newcomer is told (issue 17): each message's exact text, through the CLI."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import __version__
from briefing.cli import app
from briefing.sources.inputs import gather_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Invented articles, one paragraph each, in a wire service's style.
ARTICLES = [
    "The harbour authority said on Monday that the strike at the container terminal had "
    "ended after three days. Dock workers returned to the cranes before dawn.",
    "Port officials said the harbour strike had cost shippers millions of dollars. "
    "They expected the queue of ships to clear by the end of the week.",
    "The union said its members had voted to accept a new pay offer from the harbour "
    "authority. The vote ended a dispute that began in the spring.",
    "Shipping lines said they would add extra sailings to clear the cargo left on the "
    "quay during the strike. Freight rates fell on the news.",
    "The transport minister said the government would review how the harbour authority "
    "handles disputes with its workers. A report is due in the autumn.",
]
HARBOUR_THEMES = (
    '[[theme]]\nkey = "harbour"\ntitle = "Harbour strike"\n'
    'patterns = [{pattern = "harbour", weight = 2}, {pattern = "strike", weight = 2}]\n'
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), prog_name="briefing")
    return result.exit_code, result.stdout, result.stderr


def write_articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for number, text in enumerate(ARTICLES[:count], start=1):
        path = folder / f"story-{number}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("command", [["build"], ["build", "--format", "json"]])
def test_no_input_outside_the_repository_names_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*command)
    assert (code, err) == (1, "briefing: error: no INPUT given, and the default folder "
                              f"seeds/ is not in {Path.cwd()}; name the articles: "
                              "briefing build FOLDER_OR_FILE ...\n")
    assert not list(tmp_path.iterdir())


def test_send_with_no_input_outside_the_repository_names_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("send", "--from", "desk@example.org", "--to", "analyst@example.org",
                       "--smtp", "127.0.0.1:2525")
    assert (code, err) == (1, "briefing: error: no INPUT given, and the default folder "
                              f"seeds/ is not in {Path.cwd()}; name the articles: "
                              "briefing send FOLDER_OR_FILE ...\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2001-12-32"], "--date '2001-12-32' is an impossible date (December 2001 "
         "has 31 days); give a real day as YYYY-MM-DD"),
        (["--date", "2025-02-29"], "--date '2025-02-29' is an impossible date (February 2025 "
         "has 28 days); give a real day as YYYY-MM-DD"),
        (["--date", "2025-00-10"], "--date '2025-00-10' is an impossible date (there is no "
         "month 0); give a real day as YYYY-MM-DD"),
        (["--date", "yesterday"], "--date 'yesterday' is not a date; use YYYY-MM-DD"),
        (["--since", "2025-04-31"], "--since '2025-04-31' is an impossible date (April 2025 "
         "has 30 days); give a real day as YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
        (["--since", "2025-06-31T08:00"], "--since '2025-06-31T08:00' is an impossible date "
         "(June 2025 has 30 days); give a real day as YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    ],
)
def test_an_impossible_date_is_called_impossible(args: list[str], message: str) -> None:
    code, _, err = run("build", str(SEEDS), *args)
    assert (code, err) == (1, f"briefing: error: {message}\n")


def test_an_eml_without_a_recipient_is_refused_before_the_build(tmp_path: Path) -> None:
    target = tmp_path / "brief.eml"
    code, _, err = run("build", str(SEEDS), "--format", "eml", "--from", "desk@example.org",
                       "--output", str(target))
    assert (code, err) == (1, "briefing: error: no recipients; give --to ADDRESS or `to` in "
                              "the mail config\n")
    assert not target.exists()


def test_a_misspelt_themes_key_is_named_at_its_own_line(tmp_path: Path) -> None:
    themes = tmp_path / "themes.toml"
    themes.write_text('[[theme]]\nkey = "gaza"\ntitle = "Gaza"\npatterns = [\n'
                      '  {pattern = "Gaza", weight = 3},\n  {patern = "Rafah"},\n]\n',
                      encoding="utf-8")
    code, _, err = run("build", str(SEEDS), "--themes", str(themes))
    assert (code, err) == (1, f"briefing: error: {themes}:6: theme 'gaza' pattern #2 has "
                              "unknown field 'patern' (did you mean 'pattern'?); write it as "
                              '{pattern = "...", weight = 2}\n')


def test_inspect_of_a_folder_shows_every_article() -> None:
    code, out, err = run("inspect", str(SEEDS))
    assert code == 0, err
    headers = [line for line in out.splitlines() if re.match(r"\[\d of \d\] ", line)]
    assert [header.split(":", 1)[0] for header in headers] == [
        f"[1 of 2] {SEEDS / '000_66d5f61bff40c495.txt'}",
        f"[2 of 2] {SEEDS / '003_8584f2163ff2c243.txt'}",
    ]
    assert out.count("Lines (offsets; KEEP or drop; why):") == 2
    assert out.count("Facts (offsets; kind; speaker; date; theme and why; entities):") == 2


@pytest.mark.parametrize(
    "count, warning",
    [
        (1, "{folder}/story-1.txt: no metadata file story-1.toml; the file name stands in "
            "for the outlet"),
        (2, "2 text files have no metadata file (story-1.txt, story-2.txt); their file names "
            "stand in for the outlet: add NAME.toml beside each, with outlet, title and "
            "published"),
        (5, "5 text files have no metadata file (story-1.txt, story-2.txt, story-3.txt and 2 "
            "more); their file names stand in for the outlet: add NAME.toml beside each, with "
            "outlet, title and published"),
    ],
)
def test_files_without_metadata_get_one_warning_in_all(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, count: int, warning: str
) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, count)
    with caplog.at_level(logging.WARNING):
        sources, failures = gather_sources([folder])
    assert (len(sources), failures) == (count, [])
    assert caplog.messages == [warning.format(folder=folder)]


def test_a_folder_without_metadata_is_one_warning_line_on_the_command_line(
    tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, 5)
    (tmp_path / "themes.toml").write_text(HARBOUR_THEMES, encoding="utf-8")
    code, _, err = run("build", str(folder), "--themes", str(tmp_path / "themes.toml"),
                       "--format", "json", "--output", str(tmp_path / "brief.json"))
    assert code == 0, err
    assert err.splitlines()[0] == (
        "briefing: warning: 5 text files have no metadata file (story-1.txt, story-2.txt, "
        "story-3.txt and 2 more); their file names stand in for the outlet: add NAME.toml "
        "beside each, with outlet, title and published")
    assert err.count("no metadata file") == 1


def test_a_theme_that_matched_nothing_is_warned_about_by_name(tmp_path: Path) -> None:
    themes = tmp_path / "t.toml"
    themes.write_text(
        '[[theme]]\nkey = "talks"\ntitle = "Talks"\npatterns = ["Istanbul"]\n'
        '[[theme]]\nkey = "harbour"\ntitle = "Harbour"\npatterns = ["harbour strike"]\n'
        '[[theme]]\nkey = "typo"\ntitle = "Typo"\npatterns = ["Zelenskyy Lavrov"]\n',
        encoding="utf-8")
    code, _, err = run("build", str(SEEDS), "--themes", str(themes), "--format", "json",
                       "--output", str(tmp_path / "brief.json"))
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"briefing: warning: {themes}: themes 'harbour' and 'typo' matched no sentence of the "
        "2 sources, so the brief has no such section; see what an article's sentences match "
        f"with `briefing inspect FILE --themes {themes}`")


def test_version_and_short_help() -> None:
    assert run("--version")[:2] == (0, f"briefing {__version__}\n")
    code, out, _ = run("-h")
    assert code == 0 and out.startswith("Usage: briefing [OPTIONS] COMMAND [ARGS]...\n")
    for command in ("build", "send", "inspect", "cache"):
        code, out, _ = run(command, "-h")
        assert code == 0 and out.startswith(f"Usage: briefing {command} [OPTIONS]")


@pytest.mark.parametrize("command", [[], ["build"], ["send"], ["inspect"], ["cache"], ["history"],
                                     ["show"], ["verify"], ["serve"], ["extract"]])
def test_help_shows_no_python_types(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert re.findall(r"<[\w\[\], |]+>", out) == []  # <list[str]>, <int range>, <path>
    assert re.findall(r"x[<>]=|\bdefault: 0\b", out) == []  # [x>=1], a count's default


def test_python_dash_m_works_from_any_folder(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "briefing", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"briefing {__version__}\n", "")


def test_python_dash_m_without_the_dependencies_says_how_to_install() -> None:
    # -S: no site-packages, as a system Python run in the repository's folder would be
    done = subprocess.run([sys.executable, "-S", "-m", "briefing", "build"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert re.fullmatch(
        rf"briefing: error: this Python \({re.escape(sys.executable)}\) lacks briefing's "
        r"dependencies \(no module named '(click|typer)'\); run \.venv/bin/briefing after "
        r"`make brief` in the repository, or install briefing into this Python: "
        rf"{re.escape(Path(sys.executable).name)} -m pip install \.\n",
        done.stderr,
    ), done.stderr


def test_the_seed_folder_is_still_the_default_in_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("build", "--format", "json", "--date", "2025-05-28")
    assert code == 0, err
    assert err.startswith("wrote brief.json (")


def test_verbose_says_what_was_counted_once_and_where_the_time_went() -> None:
    # docs/inputs.md ("-v says so") and docs/speed.md (the stages -v prints)
    seed = str(SEEDS / "000_66d5f61bff40c495.txt")
    code, _, err = run("build", str(SEEDS), seed, "--no-cache", "-v", "--format", "json",
                       "--output", "-", "--date", "2025-05-28")
    assert code == 0, err
    assert f"briefing: info: {seed}: same article as {seed} (same url); counted once" in err
    (timings,) = [line for line in err.splitlines() if line.startswith("briefing: info: timings")]
    for stage in ("ingest", "load renderer", "warm up renderer", "wait for parse",
                  "group and select", "layout 1", "layout 2", "write json",
                  "in worker processes, beside them: spaCy and model load", "parse"):
        assert f"{stage} " in timings, stage


def test_inspect_shows_the_articles_that_work_and_names_the_others(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    code, out, err = run("inspect", str(SEEDS / "000_66d5f61bff40c495.txt"), str(missing))
    assert code == 3
    assert out.startswith(f"{SEEDS / '000_66d5f61bff40c495.txt'}: ")
    assert err == (f"briefing: warning: {missing}: no such file or folder; check the path\n"
                   "briefing: 1 input(s) failed (named above); the others are shown\n")
