"""The seed brief measured against the analyst's gold file (tests/gold/seeds.toml).

Recall: share of gold facts that reach the one-page brief (cited from all their
sources). Placement: share of those found under their gold theme. Speaker: share
found with the gold speaker (by surname; "" must be unattributed). Leaks: chrome
strings anywhere in the brief's lines or quotes. The figures are printed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from briefing.models import Brief
from briefing.pipeline import build_brief

ROOT = Path(__file__).resolve().parent.parent
GOLD = tomllib.loads((ROOT / "tests" / "gold" / "seeds.toml").read_text(encoding="utf-8"))


RECALL_TARGET = 0.9


@pytest.fixture(scope="module")
def brief() -> Brief:
    return build_brief([ROOT / "seeds"], date=dt.date(2025, 5, 28)).brief


def measure(brief: Brief) -> dict[str, float]:
    found = placed = spoken = 0
    misses: list[str] = []
    for fact in GOLD["fact"]:
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
    leaks = [chrome for chrome in GOLD["chrome"]["text"] if chrome in text]
    total = len(GOLD["fact"])
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


def test_seed_brief_meets_the_gold_file(brief: Brief) -> None:
    figures = measure(brief)
    assert figures["leaks"] == 0
    assert figures["placement"] >= 0.9
    assert figures["speaker"] >= 0.9
    assert figures["recall"] >= RECALL_TARGET


def test_every_citation_is_verbatim(brief: Brief) -> None:
    texts = {s.id: s.text for s in brief.sources}
    for item in brief.items:
        for citation in item.citations:
            assert texts[citation.source_id][citation.start : citation.end] == citation.quote
        assert any(item.text in c.quote for c in item.citations)
