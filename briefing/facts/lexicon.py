"""Words the extraction rules and the merging rules both know, kept free of spaCy.

Extraction (``extract.py``, with spaCy) finds speakers with them; selection
(``brief/select.py``, without spaCy) leaves them out when it compares what two
sentences say, since a speaker's name and "said" do not make two reports one. Both
ask ``one_person`` whether two names may be one person's.
"""

from __future__ import annotations

from difflib import SequenceMatcher

__all__ = ["GENDERED_WORDS", "GIVEN_NAME_TITLES", "ROLE_WORDS", "SPEECH_VERBS", "TITLE_WORDS",
           "one_person"]

GIVEN_NAME_LIKENESS = 0.8  # "Jon" and "John" (0.86) are one name spelt two ways; "Jane"
# and "John" (0.5), "Yulia" and "Lyudmila", are two people

# Verbs that report speech or a stated position, by lemma; a post is one too ("wrote on
# X that", "posted").
SPEECH_VERBS = frozenset(
    """
    say tell add note stress emphasize emphasise underscore underline highlight warn urge
    call confirm state announce insist argue claim pledge praise describe hail reaffirm
    welcome suggest reject propose vow deny acknowledge explain express reiterate accuse
    criticize criticise condemn declare admit promise predict mention voice caution
    remark reply respond answer comment assert maintain contend signal indicate
    post write tweet concede
    """.split()
)
# Words before a name that are not the name: "President Roe", "Foreign Minister Doe".
TITLE_WORDS = frozenset(
    "president prime minister foreign mr mrs ms dr sir secretary general chancellor speaker"
    .split()
)
# Titles said before a given name alone: "Sir Keir" is Keir Starmer.
GIVEN_NAME_TITLES = frozenset({"sir", "dame"})
# Words naming an office or a role, never a person's name: "the Minister said" has a
# speaker the article may have introduced ("Foreign Minister Jane Roe"), but "Minister"
# is not her name.
ROLE_WORDS = TITLE_WORDS | frozenset(
    """
    vice deputy spokesman spokeswoman spokesperson ambassador governor mayor senator
    official chief director chairman chairwoman chair commissioner envoy premier king
    queen prince princess pope justice judge prosecutor commander leader head ceo
    representative congressman congresswoman lawmaker mp
    """.split()
)
# Words that say a person is a man or a woman, before a name ("Mrs Roe", "spokeswoman
# Jane Roe") or set beside it ("his widow, Jane Roe"), and the pronouns that refer to
# one: "she said" after a man's words is not his. "Chairman" is left out: it is used of
# women too.
GENDERED_WORDS = {
    **dict.fromkeys(
        """
        he him his himself mr sir lord king prince duke spokesman congressman
        businessman husband father son brother widower boyfriend grandfather uncle
        nephew
        """.split(), "m"),
    **dict.fromkeys(
        """
        she her hers herself mrs ms miss madam dame lady queen princess duchess
        spokeswoman congresswoman chairwoman businesswoman wife mother daughter sister
        widow girlfriend grandmother aunt niece
        """.split(), "f"),
}


def one_person(name: str, other: str) -> bool:
    """May *name* and *other* be one person's? One's words all within the other's
    ("Tedros", "Tedros Adhanom Ghebreyesus"), or one surname with given names spelt
    alike ("Jon Roe" and "John Roe", "J. Roe" and "Jane Roe"); not "Yulia Navalnaya"
    and "Lyudmila Navalnaya", a widow and a mother."""
    words, others = name.casefold().split(), other.casefold().split()
    if not (words and others):
        return False
    if set(words) <= set(others) or set(others) <= set(words):
        return True
    if words[-1] != others[-1]:
        return False
    given, other_given = words[0].rstrip("."), others[0].rstrip(".")
    if min(len(given), len(other_given)) == 1:
        return given[:1] == other_given[:1]  # an initial
    return SequenceMatcher(None, given, other_given).ratio() >= GIVEN_NAME_LIKENESS
