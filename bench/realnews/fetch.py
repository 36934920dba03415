"""Help restore the corpus's `pages` articles on a new machine (README.md says how).

    python bench/realnews/fetch.py todo [STORY_FOLDER ...]
    python bench/realnews/fetch.py put STORY_FOLDER FILE < excerpt.json

The articles come back through the search tool's `pages` corpus, which only an agent
session can query, so this script does what is left: ``todo`` lists the articles still
missing or changed, grouped by the manifest's `query` (one search serves them all);
``put`` saves one article's `excerpt`, given on standard input as the JSON string the
search returned, and checks it against the manifest's sha256. Default folders: every
story of bench/realnews and bench/realnews-holdout.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = (HERE, HERE.parent / "realnews-holdout")


def _articles(story: Path) -> list[dict[str, object]]:
    manifest = story / "manifest.toml"
    if not manifest.is_file():
        sys.exit(f"{manifest}: no manifest; give a story folder")
    return list(tomllib.loads(manifest.read_text(encoding="utf-8"))["article"])


def _matches(path: Path, sha256: object) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def todo(stories: list[Path]) -> int:
    by_query: dict[str, list[str]] = {}
    for story in stories:
        for article in _articles(story):
            path = story / "articles" / f"{article['file']}.txt"
            if article.get("retrieve") == "pages" and not _matches(path, article["sha256"]):
                by_query.setdefault(str(article["query"]), []).append(
                    f"   {story} {article['file']}  url={article['url']}")
    for query, wanted in by_query.items():
        print(f"QUERY: {query}")
        print("\n".join(wanted))
    count = sum(map(len, by_query.values()))
    print(f"# {count} articles to get, {len(by_query)} searches")
    return 1 if count else 0


def put(story: Path, stem: str) -> int:
    found = [a for a in _articles(story) if a["file"] == stem]
    if not found:
        sys.exit(f"{story / 'manifest.toml'}: no article {stem!r}")
    try:
        text = json.loads(sys.stdin.read())
    except json.JSONDecodeError as error:
        sys.exit(f"standard input: not a JSON string ({error}); give the excerpt as the "
                 "search printed it, in its quotes")
    if not isinstance(text, str):
        sys.exit("standard input: not a JSON string; give the excerpt in its quotes")
    path = story / "articles" / f"{stem}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    if _matches(path, found[0]["sha256"]):
        print(f"ok: {path}")
        return 0
    print(f"changed: {path} does not match the manifest's sha256; copy the excerpt again, "
          "exactly (restore.py names the two known never to match)")
    return 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["todo"]:
        stories = [Path(a) for a in argv[1:]] or sorted(
            m.parent for corpus in CORPORA for m in corpus.glob("*/manifest.toml"))
        return todo(stories)
    if argv[:1] == ["put"] and len(argv) == 3:
        return put(Path(argv[1]), argv[2])
    print(__doc__.split("\n\n")[1])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
