"""One throughput measurement, in a fresh process so its peak memory is its own.

    python bench/throughput.py FOLDER --mode extract|bare [--jobs N] [--model NAME]

Reads the articles of FOLDER and loads the model (not timed), then times either
briefing's extraction stage (``extract``: parse, rules, facts) or bare spaCy
(``nlp.pipe`` over the same paragraphs, same batch size and processes, Docs
dropped at once). Prints one JSON object: seconds, articles, words, facts, peak
resident memory before and after the timed part (MB), and the size of the facts
kept as the fact cache stores them (JSON records, MB).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import time

from briefing.facts.extract import DEFAULT_MODEL, load_model
from briefing.facts.extraction import extract
from briefing.facts.themes import load_themes
from briefing.models import fact_record
from briefing.sources.ingest import read_sources


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--mode", choices=("extract", "bare"), required=True)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--no-zone", action="store_true",
                        help="extract without spaCy memory zones, for comparison")
    args = parser.parse_args()
    sources = read_sources([args.folder])
    themes = load_themes(None)
    nlp = load_model(args.model)
    if args.no_zone:
        nlp.memory_zone = lambda mem=None: contextlib.nullcontext()  # type: ignore[method-assign,assignment,return-value]
    texts = [source.text[s.start : s.end] for source in sources for s in source.body]
    words = sum(len(text.split()) for text in texts)
    for _doc in nlp.pipe(texts[:20]):  # warm up both the same way
        pass
    before = _peak_mb()
    facts: list[object] = []
    started = time.perf_counter()
    if args.mode == "extract":
        facts = list(extract(sources, themes, nlp=nlp, n_process=args.jobs))
    else:
        for _doc in nlp.pipe(texts, batch_size=64, n_process=args.jobs):
            pass
    seconds = time.perf_counter() - started
    print(json.dumps({
        "mode": args.mode,
        "jobs": args.jobs,
        "seconds": seconds,
        "articles": len(sources),
        "paragraphs": len(texts),
        "words": words,
        "facts": len(facts),
        "peak_before_mb": before,
        "peak_mb": _peak_mb(),
        "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "facts_mb": len(json.dumps([fact_record(fact) for fact in facts])) / 2**20,
        "texts_mb": sum(len(source.text) for source in sources) / 2**20,
    }))


if __name__ == "__main__":
    main()
