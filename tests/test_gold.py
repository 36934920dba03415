"""Briefs measured against analysts' gold files (tests/gold/).

Two gold files: the seeds, and a held-out pair of articles with their own themes,
written after the rules were made (tests/heldout/). Recall: share of gold facts
that reach the one-page brief (cited from all their sources). Placement: share of
those found under their gold theme. Speaker: share found with the gold speaker (by
surname; "" must be unattributed). Leaks: chrome strings anywhere in the brief's
lines or quotes. Conflicts: lines whose sources disagree carry the mark, and no
others. The figures are printed."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from briefing.models import Brief
from briefing.pipeline import BuildOptions, build_brief

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "heldout"

RECALL_TARGET = 0.9
SPEAKER_TARGET = 0.9
PLACEMENT_TARGET = 0.9

# name -> (gold file, inputs, themes file or None for the default, date of the brief)
CASES = {
    "seeds": ("seeds.toml", [ROOT / "seeds"], None, dt.date(2025, 5, 28)),
    "heldout": (
        "heldout.toml",
        [HELDOUT / "wire.txt", HELDOUT / "daily.txt"],
        HELDOUT / "themes.toml",
        dt.date(2025, 3, 12),
    ),
}


def gold(name: str) -> dict[str, Any]:
    path = ROOT / "tests" / "gold" / CASES[name][0]
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Brief]:
    _, inputs, themes, day = CASES[request.param]
    return gold(request.param), build_brief(inputs, BuildOptions(themes=themes, date=day)).brief


def measure(gold: dict[str, Any], brief: Brief) -> dict[str, float]:
    found = placed = spoken = 0
    misses: list[str] = []
    for fact in gold["fact"]:
        holders = [
            (theme.key, item)
            for theme in brief.themes
            for item in theme.items
            if any(fact["snippet"] in c.quote for c in item.citations)
        ]
        if not holders:
            misses.append(f"missing: {fact['snippet']}")
            continue
        key, item = holders[0]
        if not set(fact["sources"]) <= {c.source_id for c in item.citations}:
            misses.append(f"not cited from all of {fact['sources']}: {fact['snippet']}")
            continue
        found += 1
        placed += key == fact["theme"]
        if key != fact["theme"]:
            misses.append(f"placed in {key}, not {fact['theme']}: {fact['snippet']}")
        want = fact["speaker"].split()[-1] if fact["speaker"] else None
        got = item.speaker.split()[-1] if item.speaker else None
        spoken += want == got
        if want != got:
            misses.append(f"speaker {got}, not {want}: {fact['snippet']}")
    text = " ".join(
        part for item in brief.items for part in (item.text, *(c.quote for c in item.citations))
    )
    leaks = [chrome for chrome in gold["chrome"]["text"] if chrome in text]
    total = len(gold["fact"])
    figures = {
        "recall": found / total,
        "placement": placed / max(found, 1),
        "speaker": spoken / max(found, 1),
        "leaks": float(len(leaks)),
    }
    print(
        f"\ngold: {found}/{total} facts, recall {figures['recall']:.0%}, placement "
        f"{figures['placement']:.0%}, speaker {figures['speaker']:.0%}, leaks {leaks}"
    )
    for miss in misses:
        print("  " + miss)
    return figures


def test_brief_meets_the_gold_file(case: tuple[dict[str, Any], Brief]) -> None:
    figures = measure(*case)
    assert figures["leaks"] == 0
    assert figures["placement"] >= PLACEMENT_TARGET
    assert figures["speaker"] >= SPEAKER_TARGET
    assert figures["recall"] >= RECALL_TARGET


def test_disagreeing_sources_are_marked(case: tuple[dict[str, Any], Brief]) -> None:
    gold, brief = case
    for snippet in gold.get("conflict", {}).get("snippets", []):
        (item,) = [i for i in brief.items if any(snippet in c.quote for c in i.citations)]
        assert item.conflict, f"no conflict mark on: {snippet}"
    marked = [i for i in brief.items if i.conflict]
    assert len(marked) == len(gold.get("conflict", {}).get("snippets", []))


def test_every_citation_is_verbatim(case: tuple[dict[str, Any], Brief]) -> None:
    _, brief = case
    texts = {s.id: s.text for s in brief.sources}
    for item in brief.items:
        for citation in item.citations:
            assert texts[citation.source_id][citation.start : citation.end] == citation.quote
        assert any(item.text in c.quote for c in item.citations)
