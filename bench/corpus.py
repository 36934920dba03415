"""A large corpus of real news prose for the benchmarks, made on the fly and deterministic.

The prose is the Lee corpus (Lee, Pincombe and Welsh 2005): 349 news articles of the
Australian Broadcasting Corporation (about 180 words each), which gensim ships in its
wheel as test data (``gensim/test/test_data/lee_background.cor`` and ``lee.cor``);
``pip install -e '.[bench]'`` installs it. gensim is never imported: its files are read.

Article *n* is Lee article ``n % 349``. The first round uses each article as written;
every later round shuffles its sentences (seeded) and swaps each capitalised word
that does not open a sentence (names of people, places and bodies) for an invented
name, the same one throughout the article, so that copies of one story read as
different stories and the merge step does not fold them together. Sentences are
grouped two or three to a paragraph, as news sites do. Each article gets a sidecar
metadata file (outlet, title, date) like a real input.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import re
from pathlib import Path

LEE_FILES = ("lee_background.cor", "lee.cor")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
_SYLLABLES = "ka lo mir van del tor ren sa bel dor fin gar hol ist jun mar nel or pel quin".split()


def lee_articles() -> list[str]:
    """The Lee corpus's articles, one string each, in file order."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the benchmark corpus needs gensim's test data: pip install -e '.[bench]'")
    folder = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data"
    articles: list[str] = []
    for name in LEE_FILES:
        text = (folder / name).read_text(encoding="latin-1")
        articles.extend(line.strip() for line in text.splitlines() if line.strip())
    return articles


def article(number: int, articles: list[str]) -> str:
    """The text of corpus article *number* (0-based), paragraphs split by blank lines."""
    base = articles[number % len(articles)]
    sentences = _SENTENCE_END.split(base)
    variant = number // len(articles)
    if variant:
        rng = random.Random(number)
        rng.shuffle(sentences)
        names: dict[str, str] = {}

        def invent(match: re.Match[str]) -> str:
            word = match.group(0)
            if word not in names:
                names[word] = "".join(rng.sample(_SYLLABLES, 2)).capitalize()
            return names[word]

        sentences = [_NAME.sub(invent, sentence) for sentence in sentences]
    rng = random.Random(-number)
    paragraphs: list[str] = []
    while sentences:
        size = rng.choice((2, 3))
        paragraphs.append(" ".join(sentences[:size]))
        sentences = sentences[size:]
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, count: int, *, start: int = 0, parts: int = 1) -> list[Path]:
    """Write articles ``start .. start+count-1`` as .txt files with .toml metadata.

    With *parts* > 1, each article joins that many corpus articles in a row, for
    articles of the length desks read (the seeds run 530 to 750 words).
    """
    articles = lee_articles()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(start, start + count):
        text = "\n".join(article(number * parts + k, articles) for k in range(parts))
        stem = folder / f"article-{number:05d}"
        stem.with_suffix(".txt").write_text(text, encoding="utf-8")
        published = dt.date(2024, 1, 1) + dt.timedelta(days=number % 300)
        title = " ".join(text.split()[:8])
        stem.with_suffix(".toml").write_text(
            f'outlet = "Bench Wire"\ntitle = "{_toml_escape(title)}"\n'
            f"published = {published.isoformat()}\n",
            encoding="utf-8",
        )
        written.append(stem.with_suffix(".txt"))
    return written


def _toml_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
