"""The command line on real-world inputs: the seeds as web pages served from 127.0.0.1,
failing inputs and exit code 3, --offline, --since, and --archive read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from webserver import Route, Server, article_page, serve

from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXTS = sorted((ROOT / "seeds").glob("*.txt"))
COMMON = ("--format", "json", "--date", "2025-05-28")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def item_texts(brief: dict) -> list[str]:
    return [item["text"] for theme in brief["themes"] for item in theme["items"]]


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        for number, text_file in enumerate(SEED_TEXTS, start=1):
            running.page(f"/seed-{number}", article_page(text_file))
        running.add("/feed.xml", Route(b"<rss><channel><item><title>cut",
                                       content_type="application/rss+xml"))
        yield running


@pytest.fixture(scope="module")
def seed_urls(server: Server) -> list[str]:
    return [server.url(f"/seed-{n}") for n in range(1, len(SEED_TEXTS) + 1)]


@pytest.fixture(scope="module")
def text_brief(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("text") / "brief.json"
    code, err = run("build", *map(str, SEED_TEXTS), *COMMON, "--output", str(target))
    assert code == 0, err
    return read(target)


@pytest.fixture(scope="module")
def page_build(tmp_path_factory: pytest.TempPathFactory, seed_urls: list[str]) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    code, err = run("build", *seed_urls, *COMMON, "--output", str(folder / "brief.json"),
                    "--archive", str(folder / "archive"))
    assert code == 0, err
    code, err = run("build", *seed_urls, "--format", "html", "--date", "2025-05-28",
                    "--output", str(folder / "brief.html"))
    assert code == 0, err
    return folder


def test_the_seeds_as_web_pages_give_the_same_lines_as_the_text_files(
    text_brief: dict, page_build: Path
) -> None:
    page_brief = read(page_build / "brief.json")
    assert item_texts(text_brief)
    assert item_texts(page_brief) == item_texts(text_brief)


def test_page_citations_index_the_extracted_text_the_json_carries(page_build: Path) -> None:
    brief = read(page_build / "brief.json")
    texts = {source["id"]: source["text"] for source in brief["sources"]}
    for theme in brief["themes"]:
        for item in theme["items"]:
            for citation in item["citations"]:
                quote = texts[citation["source"]][citation["start"]:citation["end"]]
                assert quote == citation["quote"]


def test_page_metadata_shows_in_the_source_list(page_build: Path, seed_urls: list[str]) -> None:
    import tomllib

    brief = read(page_build / "brief.json")
    html = (page_build / "brief.html").read_text(encoding="utf-8")
    sources_html = html.split('id="sources"', 1)[1]
    for source, text_file, url in zip(brief["sources"], SEED_TEXTS, seed_urls, strict=True):
        sidecar = tomllib.loads(text_file.with_suffix(".toml").read_text(encoding="utf-8"))
        assert source["path"] == url
        assert (source["outlet"], source["title"], source["url"], source["author"]) == (
            sidecar["outlet"], sidecar["title"], sidecar["url"], sidecar.get("author"))
        assert source["published"] == sidecar["published"].isoformat()
        assert sidecar["outlet"] in sources_html


def test_the_archive_rebuilds_the_same_brief_offline(page_build: Path, tmp_path: Path) -> None:
    archive = page_build / "archive"
    names = sorted(p.name for p in archive.iterdir())
    assert [n.split("-", 1)[0] for n in names] == ["1", "1", "2", "2"]
    assert {Path(n).suffix for n in names} == {".txt", ".toml"}
    rebuilt = tmp_path / "again.json"
    code, err = run("build", str(archive), "--offline", *COMMON, "--output", str(rebuilt))
    assert code == 0, err
    before, after = read(page_build / "brief.json"), read(rebuilt)
    assert after["themes"] == before["themes"]  # same lines, citations and offsets
    keys = ("outlet", "title", "published", "url", "author", "text")
    assert [[s[k] for k in keys] for s in after["sources"]] == [
        [s[k] for k in keys] for s in before["sources"]]


def test_failed_inputs_are_named_and_exit_3_with_the_brief_written(
    server: Server, seed_urls: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "brief.json"
    missing, feed = server.url("/missing"), server.url("/feed.xml")
    code, err = run("build", seed_urls[0], missing, feed, *COMMON, "--output", str(target))
    assert code == 3, err
    assert f"briefing: warning: {missing}: HTTP 404 Not Found; check the address\n" in err
    assert f"briefing: warning: {feed}: not a readable RSS or Atom feed (" in err
    assert "briefing: 2 input(s) failed (named above); the brief holds the rest\n" in err
    assert [s["path"] for s in read(target)["sources"]] == [seed_urls[0]]


def test_no_usable_source_is_an_error_and_writes_nothing(server: Server, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing, feed = server.url("/missing"), server.url("/feed.xml")
    code, err = run("build", missing, feed, "--format", "json")
    assert code == 1
    assert err.endswith("briefing: error: no usable source: none of the 2 input(s) gave an "
                        "article (2 failed, see the warnings above); fix or replace them\n")
    assert not list(tmp_path.iterdir())


def test_offline_refuses_a_url_with_one_line(seed_urls: list[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run("build", seed_urls[0], "--offline")
    assert (code, err) == (1, f"briefing: error: {seed_urls[0]}: not fetched: --offline "
                              "refuses every fetch; save the page and give the file instead\n")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args, exit_code, message",
    [
        (["--since", "yesterday"], 1, "briefing: error: --since 'yesterday' is not a date; use "
         "YYYY-MM-DD or YYYY-MM-DDTHH:MM\n"),
        (["--max-items", "0"], 2, "Invalid value for '--max-items'"),
    ],
)
def test_bad_feed_options_are_refused(args: list[str], exit_code: int, message: str) -> None:
    code, err = run("build", str(SEED_TEXTS[0]), *args)
    assert code == exit_code
    assert message in err


def test_an_archive_folder_with_other_files_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "9-old-story.txt").write_text("An earlier run's story.\n")
    code, err = run("build", str(SEED_TEXTS[0]), "--format", "json", "--archive", "archive")
    assert code == 0, err
    assert ("briefing: warning: archive: also holds 1 text or metadata files of an earlier "
            "run; a brief rebuilt from the folder reads them too\n") in err
    assert len(list((tmp_path / "archive").iterdir())) == 3


def test_since_and_max_items_pick_a_feeds_entries_end_to_end(tmp_path: Path) -> None:
    def item(title: str, day: int, text: str) -> str:
        return (f"<item><title>{title}</title><link>http://desk.example/{day}</link>"
                f"<pubDate>{day} May 2025 06:00:00 +0000</pubDate><content:encoded><![CDATA["
                f"<p>{text}</p>]]></content:encoded></item>")

    feed = tmp_path / "desk.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
        'modules/content/"><channel><title>Desk</title>'
        + item("Strike", 28, "Dock workers at the southern port walked out on Wednesday "
               "over a pay dispute, the union said.")
        + item("Bridge", 27, "The old bridge will stay closed until the end of the summer, "
               "the city engineer said on Tuesday.")
        + item("Budget", 26, "The council agreed the new budget for the city on Monday "
               "after a long debate, the mayor said.")
        + "</channel></rss>", encoding="utf-8")
    for args, titles in [(["--since", "2025-05-27"], ["Strike", "Bridge"]),
                         (["--max-items", "1"], ["Strike"])]:
        target = tmp_path / "brief.json"
        code, err = run("build", str(feed), "--offline", *args, *COMMON, "--output",
                        str(target))
        assert code == 0, err
        assert [s["title"] for s in read(target)["sources"]] == titles


def test_a_brief_written_into_the_articles_folder_is_not_read_as_an_article(
    tmp_path: Path, text_brief: dict
) -> None:
    for seed in SEED_TEXTS:  # the articles with their sidecars
        for file in (seed, seed.with_suffix(".toml")):
            (tmp_path / file.name).write_bytes(file.read_bytes())
    for name, extra in (("brief.html", ()), ("fragment.htm", ("--fragment",))):
        code, err = run("build", str(tmp_path), "--format", "html", *extra, "--date",
                        "2025-05-28", "--output", str(tmp_path / name))
        assert code == 0, err
    target = tmp_path / "again.json"
    code, err = run("build", str(tmp_path), *COMMON, "--output", str(target), "-v")
    assert code == 0, err
    assert f"{tmp_path / 'brief.html'}: a brief made by briefing, not an article" in err
    assert f"{tmp_path / 'fragment.htm'}: a brief made by briefing, not an article" in err
    assert read(target) == text_brief | {"sources": read(target)["sources"]}
    assert [s["path"] for s in read(target)["sources"]] == [
        str(tmp_path / seed.name) for seed in SEED_TEXTS
    ]
