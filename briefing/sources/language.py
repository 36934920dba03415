"""Which language a source is written in, so one the model cannot read is left out.

A spaCy model reads one language: a Spanish article run through an English model
gives wrong sentences, wrong names and a line no reader of the brief can use. Each
source's article body is identified with py3langid (Adrien Barbaresi's maintained
fork of langid.py: 97 languages, deterministic). Loading its model takes most of a
second, so English bodies, by far the most common with the default model, are
recognised first by their share of English function words, which no other
language comes near; only the rest wait for the identifier.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["LANGUAGE_NAMES", "language_name", "written_in"]

MIN_WORDS = 20  # fewer words say too little to tell a language by (a caption, a teaser)
MIN_CONFIDENCE = 0.9  # the identifier's probability a body needs to be called foreign
SAMPLE_CHARS = 5000  # the start of a long body says as much as the whole of it
ENGLISH_SHARE = 0.25  # share of words that are English function words: English news
# runs at 0.29-0.5 (the seeds, the real-news corpus, pages with their chrome), Spanish,
# French or German at under 0.05; a page below it just waits for the identifier

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ENGLISH = frozenset(
    """
    the of and to in a is that for on was with as by at it from his her he she they
    their its this be are were has have had not but an or which who will would said
    been after also than more about over into there could what when can our we
    """.split()
)

# The names of the languages news arrives in most, for messages (ISO 639-1 codes).
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "zh": "Chinese",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def written_in(text: str, expected: str) -> str | None:
    """The language *text* is surely written in, when it is not *expected*; else None.

    None also when the text is too short to tell, or the identifier is unsure:
    a source is left out only when there is no doubt.
    """
    sample = text[:SAMPLE_CHARS]
    words = [w.casefold() for w in _WORD.findall(sample)]
    if len(words) < MIN_WORDS:
        return None
    if expected == "en" and sum(w in _ENGLISH for w in words) >= ENGLISH_SHARE * len(words):
        return None
    code, probability = _identifier().classify(sample)
    if code == expected or probability < MIN_CONFIDENCE:
        return None
    return str(code)


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
