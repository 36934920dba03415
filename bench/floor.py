"""The floor of a seed build: what any tool doing this job must at least spend.

Import spaCy, load the model, run ``nlp.pipe`` over the same paragraphs the tool
parses, import WeasyPrint and render the finished brief's HTML to a PDF once.
Run by bench/run.py as a fresh process:

    python bench/floor.py PARAGRAPHS.json BRIEF.html TEMPLATES_DIR MODEL OUT.pdf

Prints one JSON object of its stage times on standard output.
"""

from __future__ import annotations

import json
import sys
import time

started = time.perf_counter()
laps: dict[str, float] = {}


def lap(stage: str) -> None:
    global started
    now = time.perf_counter()
    laps[stage] = now - started
    started = now


def main() -> None:
    paragraphs_file, html_file, templates, model, output = sys.argv[1:6]
    import spacy

    lap("import spacy")
    nlp = spacy.load(model)
    lap("model load")
    with open(paragraphs_file, encoding="utf-8") as stream:
        texts = json.load(stream)
    for _doc in nlp.pipe(texts, batch_size=64):
        pass
    lap("nlp")
    from weasyprint import HTML

    lap("import weasyprint")
    with open(html_file, encoding="utf-8") as stream:
        html = stream.read()
    HTML(string=html, base_url=templates + "/").write_pdf(output)
    lap("layout and write pdf")
    print(json.dumps(laps))


if __name__ == "__main__":
    main()
