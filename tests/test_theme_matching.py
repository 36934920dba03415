"""What a themes-file phrase matches: each claim of docs/themes.md, on the real model.

Case, plurals, hyphens, whole words and possessives, for each ``match_attr``.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from briefing.facts.extract import ThemeMatcher, load_model
from briefing.models import Pattern, Theme, Themes


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model()


def matched(nlp: Language, match_attr: str, phrase: str | tuple[dict[str, str], ...],
            sentence: str) -> list[str]:
    """The words of *sentence* that the one-pattern theme matches."""
    themes = Themes(themes=(Theme("t", "T", (Pattern(phrase),)),),
                    other=Theme("other", "Other"), match_attr=match_attr)
    return [match.term for _, _, match in ThemeMatcher(nlp, themes)(nlp(sentence))]


@pytest.mark.parametrize(
    "match_attr, phrase, sentence, words",
    [
        # LOWER, the default: any case, but the words exactly as written.
        ("LOWER", "gaza", "Aid convoys reached GAZA on Monday.", ["GAZA"]),
        ("LOWER", "gaza", "Aid convoys reached Gaza on Monday.", ["Gaza"]),
        ("LOWER", "Gaza", "Aid convoys reached gaza on Monday.", ["gaza"]),
        ("LOWER", "natural gas", "Natural Gas prices rose again.", ["Natural Gas"]),
        ("LOWER", "natural gas", "Natural and gas prices rose again.", []),
        ("LOWER", "bombing", "A bombing hit the city on Monday.", ["bombing"]),
        ("LOWER", "bombing", "Two bombings hit the city on Monday.", []),  # no plurals
        ("LOWER", "bombings", "A bombing hit the city on Monday.", []),
        ("LOWER", "suicide bombing", "The suicide bombings killed three people.", []),
        ("LOWER", "gas", "Gas prices rose again.", ["Gas"]),
        ("LOWER", "gas", "Gasoline prices rose again.", []),  # whole words only
        ("LOWER", "Zelensky", "Zelensky's office said the talks would go on.", ["Zelensky"]),
        ("LOWER", "cease-fire", "The cease-fire held overnight.", ["cease-fire"]),
        ("LOWER", "cease-fire", "The ceasefire held overnight.", []),  # hyphens count
        ("LOWER", "cease-fire", "The cease fire held overnight.", []),
        ("LOWER", "ceasefire", "The cease-fire held overnight.", []),
        ("LOWER", "natural gas", "Natural-gas prices rose again.", []),
        # ORTH: the case as written, too.
        ("ORTH", "Gaza", "Aid convoys reached GAZA on Monday.", []),
        ("ORTH", "Gaza", "Aid convoys reached Gaza on Monday.", ["Gaza"]),
        # LEMMA: as LOWER, and every form with the same dictionary form.
        ("LEMMA", "bombing", "Two bombings hit the city on Monday.", ["bombings"]),
        ("LEMMA", "bombings", "A bombing hit the city on Monday.", ["bombing"]),
        ("LEMMA", "bombings", "Two bombings hit the city on Monday.", ["bombings"]),
        ("LEMMA", "talk", "Talks resumed on Monday in Geneva.", ["Talks"]),
        ("LEMMA", "suicide bombing", "The suicide bombings killed three people.",
         ["suicide bombings"]),
        ("LEMMA", "air strike", "Air strikes continued through the night.", ["Air strikes"]),
        ("LEMMA", "talk", "He talked to reporters after the meeting.", ["talked"]),
        # The model's dictionary form of the verb "bombing" is "bomb", of the noun "bombing".
        ("LEMMA", "bombings", "They were bombing the bridge at dawn.", []),
        ("LEMMA", "bomb", "They were bombing the bridge at dawn.", ["bombing"]),
        ("LEMMA", "bomb", "Two bombs hit the city on Monday.", ["bombs"]),
        ("LEMMA", "bomb", "Two bombings hit the city on Monday.", []),
        ("LEMMA", "gaza", "Aid convoys reached GAZA on Monday.", ["GAZA"]),
        ("LEMMA", "Zelensky", "Zelensky's office said the talks would go on.", ["Zelensky"]),
        ("LEMMA", "cease-fire", "The ceasefire held overnight.", []),
        ("LEMMA", "cease-fire", "The cease-fire held overnight.", ["cease-fire"]),
        # Token dicts say what each word must be: here an optional hyphen between two.
        ("LOWER", ({"LOWER": "cease"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "fire"}),
         "The cease fire held overnight.", ["cease fire"]),
        ("LOWER", ({"LOWER": "cease"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "fire"}),
         "The Cease-fire held overnight.", ["Cease-fire"]),
        ("LOWER", ({"LOWER": "cease"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "fire"}),
         "The ceasefire held overnight.", []),
    ],
)
def test_what_a_phrase_matches(nlp: Language, match_attr: str,
                               phrase: str | tuple[dict[str, str], ...], sentence: str,
                               words: list[str]) -> None:
    assert matched(nlp, match_attr, phrase, sentence) == words


def test_lemma_counts_a_word_found_both_ways_once(nlp: Language) -> None:
    # "bombing" is both its own lower case and its own lemma: one match, not two.
    assert matched(nlp, "LEMMA", "bombing", "A bombing hit the city on Monday.") == ["bombing"]
