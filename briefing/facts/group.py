"""Put each fact under the theme it matches best, and keep why.

A theme's score for a fact is the summed weight of the distinct patterns the
fact contains. A sentence that matches nothing itself ("He also said the
government's capacity ... continues to improve") usually goes on with its
paragraph's subject, so half the previous sentence's scores carry over within a
paragraph; that reason is shown as ``"context: <term>"``. A fact that matches no
theme at all goes to the themes file's ``[other]`` section.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..models import Fact, Placement, Theme, Themes

__all__ = ["group", "unmatched_themes"]

logger = logging.getLogger(__name__)

CONTEXT_CARRY = 0.5  # a paragraph keeps its topic, but a sentence's own words weigh more
MIN_SCORE = 1.0  # words weighing less (country names) only break ties between themes


def group(facts: Sequence[Fact], themes: Themes) -> list[Placement]:
    """Place every fact, in input order."""
    order = {theme.key: rank for rank, theme in enumerate(themes.themes)}
    placements: list[Placement] = []
    carried: dict[str, tuple[float, tuple[str, ...]]] = {}
    previous: Fact | None = None
    for fact in facts:
        if previous is None or (previous.source_id, previous.paragraph) != (
            fact.source_id,
            fact.paragraph,
        ):
            carried = {}
        own = _own_scores(fact)
        if own and not fact.anaphoric:
            carried = {}  # a sentence that names its own subject starts afresh
        scores: dict[str, tuple[float, tuple[str, ...]]] = {}
        for key in set(own) | set(carried):
            weight, terms = own.get(key, (0.0, ()))
            carry_weight, carry_terms = carried.get(key, (0.0, ()))
            reason = terms if terms else tuple(f"context: {t}" for t in carry_terms)
            scores[key] = (weight + CONTEXT_CARRY * carry_weight, reason)
        scores = {k: v for k, v in scores.items() if v[0] >= MIN_SCORE}
        if scores:
            first_match = {m.theme: i for i, m in reversed(list(enumerate(fact.matches)))}
            best = max(
                scores,
                key=lambda k: (
                    scores[k][0],
                    -first_match.get(k, len(fact.matches)),  # tie: what the sentence names first
                    -order.get(k, len(order)),  # then the themes file's order
                ),
            )
            placements.append(Placement(fact, best, scores[best][1]))
        else:
            placements.append(Placement(fact, themes.other.key, ()))
        carried = {
            key: (value[0], tuple(t.removeprefix("context: ") for t in value[1]))
            for key, value in scores.items()
        }
        previous = fact
    logger.debug(
        "placed %d facts: %s",
        len(placements),
        {k: sum(p.theme == k for p in placements) for k in {p.theme for p in placements}},
    )
    return placements


def _own_scores(fact: Fact) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Per theme: summed weight of distinct matched terms, and the terms as written."""
    seen: dict[str, dict[str, float]] = {}
    for match in fact.matches:
        terms = seen.setdefault(match.theme, {})
        key = match.term.casefold()
        if key not in {t.casefold() for t in terms}:
            terms[match.term] = match.weight
        else:  # the same words under two patterns: keep the heavier
            existing = next(t for t in terms if t.casefold() == key)
            terms[existing] = max(terms[existing], match.weight)
    return {theme: (sum(t.values()), tuple(t)) for theme, t in seen.items()}


def unmatched_themes(facts: Sequence[Fact], themes: Themes) -> list[Theme]:
    """The themes none of whose patterns any fact contains, in the file's order.

    Such a theme can hold no line (a fact without a match of its own only inherits
    its paragraph's themes), so its section is missing from the brief: usually a
    misspelt or too narrow pattern, or a story that is not in the articles.
    """
    matched = {match.theme for fact in facts for match in fact.matches}
    return [theme for theme in themes.themes if theme.key not in matched]
