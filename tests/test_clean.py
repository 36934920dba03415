"""Chrome removal: which lines of a pasted page are the article."""

import pytest

from briefing.sources.clean import segment_article

BODY = [
    "The finance ministry said on Monday that it would raise the fuel tax next year.",
    "\"We have no other choice,\" the minister told reporters in the capital.",
    "Opposition parties called the plan a burden on rural households and vowed to fight it.",
]


def kept(text: str) -> list[str]:
    return [text[s.start : s.end] for s in segment_article(text) if s.kept]


def dropped(text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.reason for s in segment_article(text) if not s.kept}


@pytest.mark.parametrize(
    "line, reason",
    [
        ("Business", "headline or label"),
        ("4 min read", "headline or label"),
        ("Fuel tax to rise as deficit widens", "headline or label"),
        ("A pump in Lyon on March 3, 2025. (Jean Dupont / AFP)", "photo caption"),
        ("Protesters gather outside parliament. (Photo: Reuters)", "photo caption"),
        ("Share this.", "too short"),
        # seen on real pages, in words of our own: a credit first, the picture described
        ("Jan Novak / AP / DPA Travellers queue at the check-in desks in Prague on Friday.",
         "photo caption"),
        ("A screen grab taken from a video released by the ministry shows the minister "
         "speaking in Lyon.", "photo caption"),
        ("File photo shows the refinery near Marseille before the strike began.",
         "photo caption"),
        ("This story was reported from Lyon by Anne Martin, with additional reporting by "
         "Paul Roy in Paris.", "reporting credits"),
        ("Editing by Mark Heinrich.", "reporting credits"),
    ],
)
def test_chrome_line_before_body_is_dropped_with_reason(line: str, reason: str) -> None:
    text = "\n".join([line, *BODY])
    assert dropped(text)[line].startswith(reason)
    assert kept(text) == BODY


def test_a_sentence_with_a_slash_is_not_a_credit() -> None:
    line = "The EU / US trade talks resumed on Monday in Brussels after a long pause."
    assert kept("\n".join([line, *BODY])) == [line, *BODY]


def test_clean_article_keeps_every_paragraph() -> None:
    text = "\n\n".join(BODY)
    assert kept(text) == BODY


def test_teaser_after_story_is_dropped() -> None:
    teaser = "Critics say the central bank moved too late to tame inflation this year."
    text = "\n".join([*BODY, "Why the central bank waited", teaser, "Read more"])
    assert teaser in dropped(text)
    assert kept(text) == BODY


def test_author_bio_after_chrome_cluster_is_dropped() -> None:
    bio = "Jane Roe is a business reporter at The Daily Planet. She covers energy and tax."
    text = "\n".join([*BODY, "Avatar", "Jane Roe", "Reporter", bio])
    assert dropped(text)[bio].startswith("after the story ends")


def test_subheading_followed_by_section_stays_in_body() -> None:
    section = [
        "The tax would add about four cents to a litre of diesel, officials estimated.",
        "Truckers' unions said they would meet on Thursday to decide on a strike.",
    ]
    text = "\n".join([*BODY, "What happens next", *section])
    assert kept(text) == BODY + section


def test_lone_short_label_inside_body_does_not_end_it() -> None:
    text = "\n".join([BODY[0], "Advertisement", BODY[1], BODY[2]])
    assert kept(text) == BODY
    assert "Advertisement" in dropped(text)


def test_repeated_headline_is_dropped() -> None:
    head = "Ministry to raise fuel tax"
    text = "\n".join([head, head, *BODY])
    reasons = [s.reason for s in segment_article(text) if not s.kept]
    assert reasons == [
        "headline or label: no sentence-final punctuation",
        "repeated line (headline or navigation)",
    ]
    assert kept(text) == BODY


def test_the_title_as_a_line_is_the_headline_though_it_ends_like_a_sentence() -> None:
    # in the style of a syndicated USA Today page: the headline pasted above the body
    head = "Ministry raises fuel tax. What that means."
    text = "\n".join([head, *BODY])
    assert dropped(text) == {}  # without the title it reads as prose
    assert [text[s.start : s.end] for s in segment_article(text, title=head) if s.kept] == BODY
    assert {text[s.start : s.end]: s.reason for s in segment_article(text, title=head)
            if not s.kept} == {head: "the headline (the article's title)"}


def test_a_headline_run_into_the_standfirst_is_the_headline_and_the_rest_prose() -> None:
    # in the style of a TASS page: the headline, then the standfirst, on one line
    head = "Decision to raise the fuel tax was made by the cabinet — ministry"
    standfirst = "The minister noted, however, that no date had been set for the change."
    text = "\n".join([f"{head}. {standfirst}", *BODY])
    assert [text[s.start : s.end] for s in segment_article(text, title=head)
            if s.kept] == [standfirst, *BODY]
    assert {text[s.start : s.end]: s.reason for s in segment_article(text, title=head)
            if not s.kept} == {head: "the headline (the article's title)"}


def test_a_lede_opening_with_the_title_s_words_stays_whole() -> None:
    head = "Ministry raises the fuel tax by ten cents"
    lede = f"{head} on Monday, its first rise in four years, officials said."
    text = "\n".join([lede, *BODY])
    assert [text[s.start : s.end] for s in segment_article(text, title=head)
            if s.kept] == [lede, *BODY]


def test_a_list_and_the_sentence_that_opens_it_stay_in_the_body() -> None:
    # in the style of a wire story quoting a court's order item by item
    items = [
        "The court handed down an interim order directing:",
        "That the ministry shall suspend the new fuel tax until the hearing;",
        "That the ministry shall publish the figures behind it within one month;",
    ]
    after = "The finance minister said he respected the ruling and would comply with it."
    text = "\n\n".join([*BODY, *items, after])
    assert kept(text) == [*BODY, *items, after]


def test_every_post_of_a_live_page_is_the_story() -> None:
    # in the style of a news site's live page: stamp, headline, byline, then the post
    first = ["The death toll from the floods in Porto has risen to at least 212.",
             "In an update on Tuesday, the interior minister said 4,300 people were "
             "still in shelters."]
    second = ["Rescue teams from Spain and France reached the city by road overnight, the "
              "civil protection agency said.",
              "They joined local crews searching the riverside districts for survivors."]
    text = "\n\n".join([
        "Portugal floods: live updates", "Updated 8:10 a.m. ET, March 12, 2025",
        "5:09 p.m. ET, March 11, 2025", "Porto flood toll keeps climbing",
        "From our correspondents in Lisbon", *first,
        "4:40 p.m. ET, March 11, 2025", "Rescuers arrive from Spain and France",
        "Rescuers unload boats near the river.",
        "Rescuers unload boats near the river. (Ana Costa)", *second,
        "To view more, click here",
    ])
    assert kept(text) == [*first, *second]
    reasons = dropped(text)
    assert reasons["Rescuers unload boats near the river."].startswith("photo caption")


def test_one_clock_time_is_no_live_page() -> None:
    text = "\n".join(["9:30 GMT", *BODY, "Critics say the central bank moved too late.",
                      "Read more", "Contact us"])
    assert kept(text) == [*BODY, "Critics say the central bank moved too late."]


def test_offsets_point_into_the_original_text() -> None:
    text = "  Label\r\n\r\n" + "\r\n".join(BODY) + "\r\n"
    for segment in segment_article(text):
        assert text[segment.start : segment.end] == text[segment.start : segment.end].strip()
    assert kept(text) == BODY


def test_no_prose_means_no_body() -> None:
    assert not any(s.kept for s in segment_article("Home\nNews\nSport\n"))


# Wire copy as agencies file it and reprinters paste it: hard-wrapped near 64 to 80
# characters, in our own words. Reuters' style runs paragraphs on with no blank line,
# after its bullet summary and byline; AFP's keeps a blank line between them.
REUTERS_WRAPPED = """\
(Updates with minister's comments)
*
Fuel tax to rise by 4 cents next year
*
Opposition vows to fight the plan
By Anne Martin and Paul Roy
PARIS, March 3 (Reuters) - The French finance ministry said on
Monday it would raise the fuel tax by four cents a litre next
year to help close a deficit that has widened since the summer.
"We have no other choice if we want to keep our word to our
partners," the minister told reporters, adding that rural
households would get help with the cost.
Opposition parties called the plan a burden and said they would
table a motion against it in the National Assembly this month.
"""

AFP_WRAPPED = """\
LYON, France, March 3, 2025 (AFP) - Hundreds of farmers blocked
the ring road around Lyon on Monday to protest against the fuel
tax rise announced by the government last week.

"We can't pay more. We are already working at a loss. We will stay
here until they listen," said Marie Dupont, who grows wheat near the
city.

Police said the blockade would be lifted by the evening.
"""


def test_hard_wrapped_wire_copy_is_read_by_paragraph() -> None:
    body = kept(REUTERS_WRAPPED)
    assert [" ".join(p.split()) for p in body] == [
        "PARIS, March 3 (Reuters) - The French finance ministry said on Monday it would "
        "raise the fuel tax by four cents a litre next year to help close a deficit that "
        "has widened since the summer.",
        "\"We have no other choice if we want to keep our word to our partners,\" the "
        "minister told reporters, adding that rural households would get help with the cost.",
        "Opposition parties called the plan a burden and said they would table a motion "
        "against it in the National Assembly this month.",
    ]
    # the summary lines and the byline, short of the width, stay lines of their own
    left = dropped(REUTERS_WRAPPED)
    assert "By Anne Martin and Paul Roy" in left
    assert "Opposition vows to fight the plan" in left


def test_wire_copy_with_a_long_web_address_is_still_read_by_paragraph() -> None:
    address = "https://www.example.org/news/2025/03/03/" + "fuel-tax-rise-farmers-" * 4
    text = AFP_WRAPPED + "\n" + address + "\n"
    body = kept(text)
    assert body[0].startswith("LYON, France") and body[0].endswith("last week.")
    assert body[1].endswith("near the\ncity.")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_hard_wrapped_paragraphs_split_at_blank_lines(newline: str) -> None:
    text = AFP_WRAPPED.replace("\n", newline)
    body = kept(text)
    assert len(body) == 3
    assert body[1].startswith('"We can\'t pay more.')
    assert body[1].endswith(f"near the{newline}city.")
    for segment in segment_article(text):  # a paragraph is the file's own text
        assert text[segment.start : segment.end].strip() == text[segment.start : segment.end]


def test_short_lines_of_a_web_page_are_not_taken_for_wrapping() -> None:
    # one paragraph per line, short, with a headline and a byline above: no line runs
    # on into a lower-case one, so none is joined
    text = "\n".join(["Fuel tax to rise as deficit widens", "By Anne Martin", *BODY])
    assert kept(text) == BODY
    # a long line is no wrapping, though a short label before a lower-case line is
    text = "\n".join(["Business", "updated 2 hours ago", *BODY, BODY[0] * 2])
    assert kept(text)[: len(BODY)] == BODY


def test_the_story_starts_at_an_agency_dateline_before_links_to_others() -> None:
    # AP's style as reprinted, in our own words: three paragraphs, then links to
    # other stories (a question, headlines), then the rest of the story
    lede = [
        "LYON, France (AP) — Farmers blocked the ring road around Lyon on Monday to "
        "protest against a rise in the fuel tax.",
        "They said they would stay until the government withdrew the plan.",
    ]
    links = ["What is the tax?", "Farmers warn of higher food prices",
             "Rail strike enters its second week"]
    text = "\n\n".join([*lede, *links, *BODY])
    assert kept(text) == [*lede, *BODY]
    assert all(dropped(text)[line] for line in links)
    # without the dateline the first paragraphs are another story's, before this one
    plain = "\n\n".join([lede[0].split("— ", 1)[1], lede[1], *links, *BODY])
    assert kept(plain) == BODY


def test_a_lone_caption_above_an_agency_dateline_is_not_the_story() -> None:
    # a Reuters story as an aggregator reprints it, in our own words: a long caption,
    # its photographer's credit on a line of its own, the byline and date, then the
    # story under its dateline, no longer than the caption
    caption = ("Farmers on tractors wave flags and hold banners reading 'No to the fuel "
               "tax' during a protest that blocked the ring road around Lyon on Monday, "
               "as the government prepared to put its budget plan to a vote in "
               "parliament later in the week.")
    story = [
        "LYON, March 3 (Reuters) - Farmers blocked the ring road around Lyon on Monday.",
        "They said they would stay until the plan was withdrawn.",
        "The ministry said it would meet them.",
    ]
    text = "\n\n".join([caption, "AGENCE-PHOTO/JEAN DUPONT", "By Reuters", "3 Mar 2025",
                         *story])
    assert len(caption) >= sum(map(len, story))
    assert kept(text) == story
    assert dropped(text)[caption] == "before the article body"


def test_an_embedded_post_between_paragraphs_does_not_end_the_story() -> None:
    # a page sets a social post (its text and link) under a subheading mid-story
    more = ["The minister said the money would go to rural bus services.",
            "Unions said they would join the farmers' protest on Thursday."]
    text = "\n\n".join([*BODY[:2], "Minister defends the plan",
                         "Watch the minister's statement in Lyon https://t.co/AbCdEf12",
                         *more])
    assert kept(text) == [*BODY[:2], *more]
    # two lines of chrome that are not posts still end it
    other = "\n\n".join([*BODY[:2], "Minister defends the plan", "Rail strike enters its "
                          "second week as talks stall", *more])
    assert kept(other) == BODY[:2]


def test_a_round_up_s_sections_under_capitals_are_the_story() -> None:
    # a wire round-up of reactions, in our own words: each speaker in capitals, one
    # paragraph under each
    opening = ["The court on Friday ordered the ministry to halt the fuel tax rise.",
               "Following are reactions to the ruling:"]
    first = "\"This is a clear victory for the farmers of this country,\" the union said."
    second = "\"We will study the ruling and respect it,\" the ministry said in a statement."
    text = "\n\n".join([*opening, "NATIONAL UNION OF FARMERS", first,
                         "FRENCH FINANCE MINISTRY SPOKESWOMAN", second])
    assert kept(text) == [*opening, first, second]
    # a headline in lower case over one paragraph is another story's teaser
    teaser = "\n\n".join([*opening, "Farmers celebrate outside the court", first])
    assert kept(teaser) == opening


def test_two_short_labels_between_paragraphs_do_not_end_the_story() -> None:
    # an explainer's question subheading under a widget's label, in our own words
    text = "\n\n".join([*BODY[:2], "Read more:", "What happened?", BODY[2]])
    assert kept(text) == BODY
    text = "\n\n".join([*BODY[:2], "Live Story", "Rail strike enters its second week",
                         BODY[2]])
    assert kept(text) == BODY[:2]


def test_a_paragraph_cut_off_mid_sentence_keeps_its_full_sentences() -> None:
    # a paywall or a truncated copy stops the last paragraph mid-sentence
    last = ("The ministry said the tax would raise 2 billion euros a year. Mr. Dupont, "
            "the budget minister, told parliament the money would go to rail and bus "
            "services in rural areas. He said the government would also")
    text = "\n\n".join([*BODY, last])
    full = last[: last.index(" He said")]
    assert kept(text) == [*BODY, full]
    assert dropped(text)["He said the government would also"].startswith("unfinished")


@pytest.mark.parametrize("line", [
    # the stops of abbreviations end no sentence: nothing here is a full sentence
    "A plan to send rail engineers, bus drivers and road crews to the rural areas hit "
    "hardest by the fuel tax rise over the winter months was drawn up by the ministry "
    "with Mr. Roe of the U.S. Treasury and Gen. Doe of the",
    "Fuel tax. Rail strike. Farm protests",  # a row of labels, too short to be a paragraph
])
def test_a_label_with_a_full_stop_in_it_is_no_cut_off_paragraph(line: str) -> None:
    text = "\n\n".join([*BODY, line])
    assert kept(text) == BODY


def test_a_round_up_under_dashed_subheadings_is_all_the_story() -> None:
    # AFP's round-up of reactions, in our own words: a subheading between dashes,
    # then a single paragraph, for each leader
    sections = [
        ("- Lisbon condemns 'cowardly act' -",
         "Portugal's prime minister condemned the attack as a cowardly act against "
         "democracy."),
        ("- Madrid offers its help -",
         "Spain's foreign minister said his government stood ready to help the "
         "investigation."),
        ("- Rome calls for calm now -",
         "Italy's president called for calm and urged all parties to reject violence."),
    ]
    text = "\n\n".join([*BODY, *(line for section in sections for line in section)])
    assert kept(text) == [*BODY, *(paragraph for _, paragraph in sections)]
    # the same sections under plain headings read as teasers of other stories
    plain = "\n\n".join([*BODY, *(line.strip("- ") if line.startswith("-") else line
                                   for section in sections for line in section)])
    assert kept(plain) == BODY


@pytest.mark.parametrize("caption", [
    "Anne Martin, the budget minister, speaks in Lyon on Monday. Photo: AFP",
    "Farmers block the ring road around Lyon. Credit: Jean Dupont/Reuters",
    "Farmers block the ring road around Lyon. (Jean Dupont / Reuters)",
])
def test_a_picture_between_paragraphs_does_not_end_the_story(caption: str) -> None:
    # one paragraph after the picture, as pasted pages often end: still the story's
    text = "\n\n".join([*BODY[:2], caption, BODY[2]])
    assert kept(text) == BODY
    assert dropped(text)[caption] == "photo caption with credit"


def test_the_story_starts_at_the_paragraph_under_its_byline() -> None:
    # a widget between the lede and the rest, as some sites paste it
    lede = ("The finance ministry raised the fuel tax by four cents a litre on Monday, its "
            "first rise in six years.")
    widget = ["Media coverage", "Left", "Centre", "Right"]
    text = "\n".join(["By Anne Martin (Economics Correspondent), Paul Roy", lede, *widget,
                      *BODY])
    assert kept(text) == [lede, *BODY]
    # with no byline above it, the lone paragraph before the widget is not the story's
    assert kept("\n".join(["Fuel tax rises", lede, *widget, *BODY])) == BODY


def test_a_caption_set_around_its_credit_is_no_line_of_the_story() -> None:
    # as public radio sites print a picture, in our own words: the caption, the
    # photographer's credit over three short lines, the caption again, then the story;
    # a caption this long was taken for the story, and the story for what follows it
    caption = ("Farmers drive their tractors along the ring road around Lyon on Monday "
               "after the government said it would raise the fuel tax next year. The "
               "farmers blocked the road for six hours and said they would come back on "
               "Thursday, when the plan goes to a vote in parliament. It is the largest "
               "protest against the budget since the new government took office.")
    text = "\n".join(["Listen live", "Farmers block Lyon's ring road", "", caption,
                      "Jean Dupont", "/", "AFP via Getty Images", caption, "", *BODY])
    assert kept(text) == BODY
    assert [s.reason for s in segment_article(text) if text[s.start : s.end] == caption] == [
        "photo caption: repeated around its credit", "repeated line (headline or navigation)"]
    # a paragraph repeated with no credit between is no caption
    plain = "\n".join([BODY[0], "By Anne Martin", *BODY])
    assert "photo caption: repeated around its credit" not in [
        s.reason for s in segment_article(plain)]


def test_a_standfirst_printed_again_as_the_first_paragraph_keeps_the_lede() -> None:
    # a page's summary above the byline, then the same words as the story's first
    # paragraph: the summary is page furniture, the paragraph is the story's lede
    lede = ("The government will raise the fuel tax by six cents a litre next year to "
            "close a widening budget gap, the finance ministry said on Monday.")
    text = "\n".join(["Fuel tax to rise as deficit widens", lede, "By Anne Martin",
                      "March 3, 2025", lede, *BODY])
    assert kept(text) == [lede, *BODY]
    assert [s.kept for s in segment_article(text) if text[s.start : s.end] == lede] == [
        False, True]
    # a paragraph of the story printed again lower down (a pull quote) stays out
    quote = "\n".join([*BODY, "By Anne Martin", BODY[1], "Read more"])
    assert kept(quote) == BODY


def test_a_sentence_typed_with_a_comma_for_its_full_stop_is_the_story() -> None:
    # as some outlets print a lede: the comma where the full stop should be, and the
    # story below it
    lede = ("The finance minister has explained why the government dropped the fuel tax "
            "after three days of protests in the capital,")
    text = "\n\n".join(["Fuel tax dropped after protests", lede, *BODY])
    assert kept(text) == [lede, *BODY]
    # a page that stops on a comma has no more of its story there
    assert kept("\n\n".join([*BODY, lede])) == BODY
