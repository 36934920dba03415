"""Reading inputs: text, metadata beside it, and clear errors for bad files."""

import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.sources.ingest import find_inputs, read_source, read_sources

ARTICLE = (
    "The finance ministry said on Monday that it would raise the fuel tax next year.\n\n"
    "\"We have no other choice,\" the minister told reporters in the capital.\n"
)


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_metadata_beside_the_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ARTICLE)
    write(
        tmp_path,
        "a.toml",
        'outlet = "The Planet"\ntitle = "Tax"\npublished = 2025-05-27\n'
        'url = "https://example.org/a"\nauthor = "Jane Roe"\n',
    )
    source = read_source(path, source_id="3")
    assert (source.id, source.outlet, source.title, source.published) == (
        "3", "The Planet", "Tax", dt.date(2025, 5, 27)
    )
    assert (source.url, source.author) == ("https://example.org/a", "Jane Roe")
    assert source.text == ARTICLE


def test_the_sidecar_title_repeated_above_the_body_is_not_article(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Fuel tax to rise next year.\n\n" + ARTICLE)
    write(tmp_path, "a.toml", 'outlet = "The Planet"\ntitle = "Fuel tax to rise next year."\n')
    source = read_source(path)
    assert [source.text[s.start : s.end] for s in source.body] == [
        line for line in ARTICLE.splitlines() if line
    ]


def test_missing_metadata_warns_and_uses_the_file_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "story.txt", ARTICLE)
    with caplog.at_level(logging.WARNING):
        source = read_source(path)
    assert source.label == "story.txt"
    assert "no metadata file story.toml" in caplog.text


def test_utf8_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"\xef\xbb\xbf" + ARTICLE.encode())
    assert read_source(path).text == ARTICLE


def test_folder_yields_text_files_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "a.md", ARTICLE)
    write(tmp_path, "a.toml", 'outlet = "X"\n')
    write(tmp_path, "image.png", b"\x89PNG")
    assert [p.name for p in find_inputs([tmp_path])] == ["a.md", "b.txt"]
    assert [s.id for s in read_sources([tmp_path])] == ["1", "2"]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", "", "empty.txt: file is empty; give an article's text"),
        ("blank.txt", " \n\n ", "blank.txt: file is empty; give an article's text"),
        ("bin.txt", b"\x00\x01\x02PNG", "bin.txt: is a binary file, not text"),
        ("noise.txt", bytes(range(128, 256)) * 3,
         "noise.txt: bytes undecodable in any known text encoding; save it as UTF-8 text"),
        ("heads.txt", "Home\nNews\nSport\n", "heads.txt: no article text found"),
    ],
)
def test_bad_file_gives_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: str | bytes, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        read_source(name)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "toml, message",
    [
        ('outlet = "X"\nsection = "World"\n', "unknown metadata key 'section'"),
        ('published = "last week"\n',
         "published 'last week' is not a date; write it as YYYY-MM-DD"),
        ("outlet = 3\n", "outlet must be a string"),
        ("outlet = \n", "metadata is not valid TOML"),
    ],
)
def test_bad_metadata_names_the_sidecar(tmp_path: Path, toml: str, message: str) -> None:
    path = write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "a.toml", toml)
    with pytest.raises(InputError, match=message):
        read_source(path)


def test_missing_input_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder; check the path"):
        find_inputs([tmp_path / "nope.txt"])
    with pytest.raises(InputError, match="folder holds no input files"):
        find_inputs([tmp_path])


# -- encodings and front matter ----------------------------------------------------

TYPOGRAPHIC = (
    "The café’s owner said on Monday that the “new rules” would cost €400 a month.\n\n"
    "Residents of the région welcomed the decision — most of them, anyway.\n"
)


LATIN = ("The mayor of São Paulo said on Monday that the café would reopen in the spring.\n\n"
         "Residents of the région welcomed the decision, most of them at least.\n")


@pytest.mark.parametrize(
    "text, data",
    [
        (TYPOGRAPHIC, TYPOGRAPHIC.encode("utf-8")),
        (TYPOGRAPHIC, b"\xef\xbb\xbf" + TYPOGRAPHIC.encode("utf-8")),
        (TYPOGRAPHIC, TYPOGRAPHIC.encode("utf-16")),  # with its byte-order mark, as Windows
        (TYPOGRAPHIC, b"\xfe\xff" + TYPOGRAPHIC.encode("utf-16-be")),
        (TYPOGRAPHIC, TYPOGRAPHIC.encode("cp1252")),
        (LATIN, LATIN.encode("latin-1")),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252", "latin-1"],
)
def test_any_encoding_is_detected_not_assumed(tmp_path: Path, text: str, data: bytes) -> None:
    assert read_source(write(tmp_path, "a.txt", data)).text == text


def test_yaml_front_matter_gives_metadata_and_is_not_article(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    front = (
        "---\ntitle: Fuel tax to rise\noutlet: The Planet\npublished: 2025-05-27\n"
        "author: Jane Roe\ntags: [tax, budget]\n---\n"
    )
    path = write(tmp_path, "a.md", front + ARTICLE)
    with caplog.at_level(logging.WARNING):
        source = read_source(path)
    assert (source.title, source.outlet, source.published, source.author) == (
        "Fuel tax to rise", "The Planet", dt.date(2025, 5, 27), "Jane Roe")
    assert source.text == front + ARTICLE  # offsets still count from the file's start
    assert source.segments[0].reason == "front matter (metadata)"
    kept = [source.text[s.start:s.end] for s in source.body]
    assert kept == [line for line in ARTICLE.splitlines() if line]
    assert "no metadata file" not in caplog.text


def test_toml_front_matter_and_the_sidecar_wins(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", '+++\ntitle = "From the file"\noutlet = "Planet"\n'
                 "published = 2025-05-27T08:00:00Z\n+++\n" + ARTICLE)
    write(tmp_path, "a.toml", 'outlet = "The Planet"\n')
    source = read_source(path)
    assert (source.title, source.outlet, source.published) == (
        "From the file", "The Planet", dt.date(2025, 5, 27))


@pytest.mark.parametrize(
    "front, message",
    [
        ("---\ntitle: [unclosed\n---\n", "a.md: front matter is not valid YAML"),
        ("---\n- a list\n---\n", "a.md: front matter is not a table of keys"),
        ("---\npublished: last week\n---\n", "published 'last week' is not a date"),
        ("+++\ntitle = \n+++\n", "a.md: front matter is not valid TOML"),
        ("---\npublished: 2025-02-30\n---\n", "published '2025-02-30' is not a date"),
        ("---\ndate: 2025-13-45\n---\n", "date '2025-13-45' is not a date"),
        ("+++\npublished = 2025-02-30\n+++\n", r"not valid TOML \(Invalid date"),
        ("---\ntags: " + "[" * 17 + "]" * 17 + "\n---\n", "nested more than 16 levels"),
        ("---\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n", "nested more than 16 levels"),
        ("+++\ntags = " + "[" * 5000 + "]" * 5000 + "\n+++\n", "nested more than 16 levels"),
        ("---\nnote: " + "x" * 70_000 + "\n---\n", "front matter is over 64 KiB"),
        ('---\na: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: &c [*b, *b]\ntitle: *c\n---\n',
         "title must be a string, not a list$"),  # named by its type, never printed out
        ("---\nauthor: {name: Roe}\n---\n", "author must be a string, not a table$"),
    ],
)
def test_bad_front_matter_names_the_file(tmp_path: Path, front: str, message: str) -> None:
    path = write(tmp_path, "a.md", front + ARTICLE)
    with pytest.raises(InputError, match=message):
        read_source(path)


def test_a_rule_of_dashes_later_in_the_text_is_not_front_matter(tmp_path: Path) -> None:
    text = ARTICLE + "\n---\n\nThe minister later said the tax would be reviewed in a year.\n"
    source = read_source(write(tmp_path, "a.md", text))
    assert all(s.reason != "front matter (metadata)" for s in source.segments)


@pytest.mark.parametrize(
    "front, published",
    [
        ("---\ndate: 2025-05-27\n---\n", dt.date(2025, 5, 27)),  # Jekyll, Hugo, note apps
        ("---\ndate: 2025-05-27 10:30:00 +0200\n---\n", dt.date(2025, 5, 27)),  # Jekyll's
        ("---\ndate: 2025-05-20\npublishDate: 2025-05-27\n---\n", dt.date(2025, 5, 27)),
        ("---\ndate: 2025-05-20\npublished: 2025-05-27\n---\n", dt.date(2025, 5, 27)),
        ('+++\ndate = 2025-05-27T08:00:00Z\n+++\n', dt.date(2025, 5, 27)),  # Hugo's TOML
        ("---\ntitle: No date\n---\n", None),
    ],
)
def test_front_matter_date_is_the_publication_date(
    tmp_path: Path, front: str, published: dt.date | None
) -> None:
    assert read_source(write(tmp_path, "a.md", front + ARTICLE)).published == published


def test_utf8_with_one_bad_byte_stays_utf8_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = TYPOGRAPHIC.encode("utf-8").replace(b"owner", b"ow\xffner")
    with caplog.at_level(logging.WARNING):
        text = read_source(write(tmp_path, "a.txt", data)).text
    assert text == TYPOGRAPHIC.replace("owner", "ow\ufffdner")  # not Mac Roman throughout
    assert "1 invalid UTF-8 sequence(s), the first at byte 16, read as U+FFFD" in caplog.text


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: os.mkfifo(path), "is a FIFO (named pipe), not a regular file"),
        (lambda path: os.truncate(path.write_bytes(b"") or path, 40 * 2**20),
         "is 41.9 MB, larger than an input file may be (32 MiB; see docs/limits.md)"),
    ],
    ids=["fifo", "too big"],
)
def test_a_file_that_is_no_article_is_refused_before_it_is_read(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / "a.txt"
    make(path)
    with pytest.raises(InputError) as caught:
        read_source(path)  # a FIFO with no writer would block here for ever
    assert str(caught.value).startswith(f"{path}: {message}")
