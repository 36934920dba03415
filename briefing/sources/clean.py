"""Tell an article's body from the page chrome pasted around it.

Text copied from a web page carries section labels, reading times, headlines,
photo captions with credits, bylines, author biographies, "Read more" links and
teasers of other stories. The rules here are general, by line shape and
position, never by strings of any one site:

* hard-wrapped text (wire copy, e-mail) is read by paragraph, not by line;
* a paragraph is prose when it ends like a sentence and is long enough to be one;
  one the page cuts off mid-sentence is prose up to its last full sentence;
  a sentence opening a list (":") and the list's items (";") are prose too;
* a line that is the article's title is its headline, though it ends like a sentence;
* a line that ends in a credit (in brackets with a slash, "via", "photo"; or after
  its words, "Photo: AFP") is a caption, and so is one that opens with a
  photographer's credit ("Jane Roe / AP / DPA Passengers wait ...") or with the
  picture it describes ("A screen grab taken from footage ... shows ..."); a caption
  with a credit between two paragraphs does not end the story;
* a line crediting the reporting ("... with additional reporting by ...", "Editing
  by ...") is the page's, not the story's;
* the article body is the longest run of prose paragraphs; it goes on across a
  lone short label (an ad slot) or two in a row (a widget's label, then a question
  as subheading: "Read more:", "What happened?"), across a subheading that is
  followed by at least two paragraphs (or one, under a subheading set between
  dashes, as AFP writes them: "- Children saved -", or in capitals, as a wire
  round-up of reactions names each speaker: "FOREIGN MINISTRY"), and across a
  social post embedded in the page (a line that holds a web address and is no
  sentence); it ends at a cluster of two or more non-prose lines;
  what comes before or after it belongs to the page, not the story;
* a live page (two or more post stamps: a line that is only a clock time, perhaps
  with its day) is all its posts, from the first post's prose on;
* a line followed by the same words and a credit in brackets is a picture's caption,
  and so is one printed again after its credit on short lines of their own ("Jane
  Roe", "/", "AFP via Getty Images");
* a story starts no later than a paragraph opening with an agency's dateline
  ("WOODSIDE, Calif. (AP) — ...") or the paragraph under its byline ("By Jane
  Roe"), though links to other stories follow it; and a lone paragraph above such
  a story (a picture's caption, the page's summary) is not the story, though it is
  as long; when that summary is printed again right above the body, the copy is the
  story's first paragraph, and is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ..models import Segment

__all__ = ["DATELINE", "MONTH", "segment_article"]

MIN_PROSE_WORDS = 5  # shorter "sentences" are labels ("Show more.", "Read the story.")
MAX_LABEL_WORDS = 3  # a lone line this short inside the body is an ad slot or label
MIN_SECTION_PARAGRAPHS = 2  # a subheading starts a section only if this many follow;
# a heading with a single paragraph after the story is another story's teaser

_SENTENCE_END = re.compile(r"""[.!?…]["'”’»)\]]*\s*$""")
# a sentence that goes on into a list ("The court ordered:"), or an item of one
# ("That Israel shall ...;"): prose, though it does not end like a sentence
_RUNS_ON = re.compile(r"""[:;]["'”’»)\]]*\s*$""")
_CREDIT = re.compile(
    r"\((?=[^()]*(?:/|\bvia\b|\bphoto|\bcredit|\bimage|©))[^()]*\)\s*[.]?\s*$",
    re.IGNORECASE,
)
# "... in Laguna Beach in October. Photo: AFP", "Credit: AP": a credit after the words
_TRAILING_CREDIT = re.compile(
    r"(?:^|[.!?]\s+)(?:photo(?:graph)?|picture|image|credit|photo credit)s?\s*:\s*"
    r"[\w.&/'’ -]{2,60}$",
    re.IGNORECASE,
)
# "Jane Roe / AP / DPA Passengers wait ...": a name of two or three words, a slash
_LEADING_CREDIT = re.compile(
    r"^(?!(?:The|A|An|This|In|On|At|For)\s)(?:[A-Z][\w.'’-]*\s+){2,3}/\s*[A-Z]"
)
# "A screen grab taken from footage ... shows ...", "File photo: ...": the picture itself
_PICTURE = re.compile(
    r"^(?:an?\s+|the\s+|this\s+)?(?:screen\s?grab|screenshot|(?:file\s+|handout\s+)?photo"
    r"(?:graph)?|picture|image|video\s+grab|still\s+image)\b(?=.*\b(?:shows?|showing|taken)\b)",
    re.IGNORECASE,
)
_REPORTING_CREDIT = re.compile(
    r"\breporting by\b|^\(?(?:editing|writing|compiled|reporting|additional reporting)\s+by\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# A live page's post stamp, a line of its own: "5:09 p.m. ET, February 7, 2023",
# "14:05 GMT", "9.30am": the clock time a post went up, perhaps with its day.
_POST_STAMP = re.compile(
    r"^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?"
    r"(?:,?\s+(?:\w+\s+)?\w+\.?\s+\d{1,2}(?:,\s*\d{4})?|,?\s+\d{1,2}\s+\w+(?:\s+\d{4})?)?$",
    re.IGNORECASE,
)
WRAP_WIDTH = 100  # hard-wrapped text has no longer line (wire copy wraps at 64 to 80)...
LONG_LINES = 0.1  # ...but for a few: a web address or a table row runs past the width
MIN_WRAPS = 3  # ...and this many lines that run on into a line opening in lower case
WRAP_SHARE = 0.6  # of the width: a wrapped line fills most of it; a byline need not
# A dateline before a story's first sentence: "VIENNA, March 11 (Reuters) - ",
# "PARIS, May 15, 2024 (BSS/AFP) - ", "Geneva, Switzerland - ", "(AP) — ". Extraction
# starts a line after it; one with an agency's credit in brackets starts a story.
MONTH = r"(?i:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
_PLACE = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
DATELINE = re.compile(
    rf"""(?:[A-Z]{{2,}}[\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,3}}(?:,\s*{_PLACE})*  # VIENNA, Austria
    |{_PLACE}(?:(?:,\s*{_PLACE})+|(?=,\s*{MONTH}\s+\d))  # Geneva, Switzerland; Porto, May 3
    |(?=\())                                                      # (AP) alone
    (?:,\s*{MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?                      # , May 15, 2024
    (?:\s*\([^()]{{2,40}}\)\s*[-–—]{{1,2}}\s*                             # (Reuters) -Leaks
    |(?:\s*\([^()]{{2,40}}\))?\s*(?:[-–—]{{1,2}}|:)\s+)(?=["“A-Z])""",
    re.VERBOSE,
)
_CREDITED = re.compile(r"\([^()]{2,40}\)")  # "(Reuters)", "(BSS/AFP)"
# A sentence's end inside a line, before the next sentence: "... on Monday. The"
_INNER_END = re.compile(r"""[.!?…]["'”’»)\]]*(?=\s+["“'‘(]?[A-Z0-9])""")
# A full stop that ends an abbreviation, not a sentence: "Mr.", "Gen.", "U.S.", "J."
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Capt|Sen|Rep|Gov|Pres|St|Jr|Sr|No|Nos|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd)|\b[A-Z](?:\.[A-Z])*)\.$"
)
# A subheading set between dashes, as AFP writes them ("- Children saved -"): the
# story's own, though a single paragraph follows it (a round-up of reactions)
_INTERTITLE = re.compile(
    r"^[-–—]\s*\S.{0,80}?\s*[-–—]$"
    # or in capitals, as a wire round-up of reactions names who speaks in each
    # section ("SOUTH AFRICAN FOREIGN MINISTRY", "U.S. STATE DEPARTMENT")
    r"|^(?=.*[A-Z]{3})[A-Z][A-Z'’.&-]*(?:\s+[A-Z][A-Z'’.&-]*){1,7}$"
)
# A byline: "By Jane Roe", "By Simone Del Rosario (Business Correspondent), ..."
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)+(?:\s*[,(]|$)")
# A web address in a line that is no sentence: a social post embedded in the page
# ("... https://t.co/...", "pic.twitter.com/..."), or a bare link
_EMBED = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+")
# A picture's credit on a line of its own: "Pool/Getty Images", "/", "AFP via Getty Images"
_CREDIT_LINE = re.compile(
    r"/|\b(?:getty images|afp|ap photo|reuters|epa|shutterstock|alamy|pool)\b", re.IGNORECASE
)
MAX_CREDIT_LINES = 3  # lines a credit takes between a caption and its repeat...
MAX_CREDIT_WORDS = 6  # ...each this short at most
_NO_END = "headline or label: no sentence-final punctuation"
_CAPTION = "photo caption with credit"
MIN_CUT_SENTENCES = 2  # full sentences a cut-off paragraph must hold to be prose...
MIN_CUT_WORDS = 30  # ...and words, so a headline with a full stop in it is not
MIN_POSTS = 2  # post stamps that make a page a live page, its posts each a part of the story


@dataclass
class _Line:
    start: int
    end: int
    text: str
    prose: bool
    reason: str
    copy_of: int | None = None  # the index of the line this one prints again

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def segment_article(text: str, *, title: str | None = None) -> tuple[Segment, ...]:
    """Split *text* into its non-blank lines, each kept as article body or dropped;
    a line that is the article's *title* is its headline, not its prose."""
    lines = _classify(text, title)
    if not lines:
        return ()
    body = _body_range(lines)
    segments = []
    for index, line in enumerate(lines):
        if body is None:
            kept, reason = False, line.reason if not line.prose else "no article body found"
        elif _standfirst_again(lines, index, body):
            kept, reason = True, "article body: its first paragraph, printed above as a summary"
        elif not line.prose:
            kept, reason = False, line.reason
        elif index < body[0]:
            kept, reason = False, "before the article body"
        elif index > body[1]:
            kept, reason = False, "after the story ends (another story, bio or teaser)"
        else:
            kept, reason = True, "article body"
        segments.append(Segment(line.start, line.end, kept, reason))
    return tuple(segments)


def _standfirst_again(lines: list[_Line], index: int, body: tuple[int, int]) -> bool:
    """Whether line *index* prints again, at the top of the story, a paragraph that
    stood above it as the page's summary (a standfirst, its byline between): the
    story's first paragraph, which the summary above the body must not take with it."""
    first = lines[index].copy_of
    return (first is not None and first < body[0] and lines[first].prose
            and body[0] - 1 <= index <= body[1])


def _physical_lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each non-blank line, its white space trimmed; with an empty
    pair for each blank line, where a paragraph ends."""
    lines = []
    for match in re.finditer(r"[^\n\r]*(?:\r\n|\n|\r|$)", text):
        raw = match.group().rstrip("\r\n")
        stripped = raw.strip()
        start = match.start() + len(raw) - len(raw.lstrip())
        lines.append((start, start + len(stripped)) if stripped else (0, 0))
        if match.end() >= len(text):
            break
    return lines


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each line, or of each paragraph where *text* is hard-wrapped
    (wire copy, e-mail, fixed-width pages: "... The Federal Reserve cut" then "interest
    rates by half ..."). Text is hard-wrapped when its lines but a few
    (``LONG_LINES``: a web address) are no longer than ``WRAP_WIDTH`` and at least
    ``MIN_WRAPS`` lines run on into a line that opens in lower case; there a line that
    does not end a sentence and is near the width joins the next line, as does any
    line the next one continues in lower case, so a short byline or headline stays a
    line of its own."""
    lines = _physical_lines(text)
    filled = [(s, e) for s, e in lines if e > s]
    if not filled:
        return []
    lengths = sorted(e - s for s, e in filled)
    width = lengths[int((1 - LONG_LINES) * (len(lengths) - 1))]

    def runs_on(line: tuple[int, int], after: tuple[int, int]) -> bool:
        if after[1] <= after[0] or line[1] <= line[0]:
            return False  # a blank line: the paragraph ends
        own = text[line[0] : line[1]]
        if _SENTENCE_END.search(own) or _RUNS_ON.search(own):
            return text[after[0]].islower()  # "... the U.S." then "officials said"
        return text[after[0]].islower() or line[1] - line[0] >= WRAP_SHARE * width

    wraps = sum(1 for line, after in pairwise(lines)
                if after[1] > after[0] and line[1] > line[0] and text[after[0]].islower()
                and not _SENTENCE_END.search(text[line[0] : line[1]]))
    if width > WRAP_WIDTH or wraps < MIN_WRAPS:
        return filled
    paragraphs: list[tuple[int, int]] = []
    joined = False
    for line, after in pairwise([*lines, (0, 0)]):
        if line[1] > line[0]:
            if joined:
                paragraphs[-1] = (paragraphs[-1][0], line[1])
            else:
                paragraphs.append(line)
        joined = runs_on(line, after)
    return paragraphs


def _classify(text: str, title: str | None = None) -> list[_Line]:
    lines: list[_Line] = []
    seen: dict[str, int] = {}
    headline = " ".join(title.split()).casefold() if title else None
    for start, end in _paragraphs(text):
        stripped = " ".join(text[start:end].split())
        line = _Line(start, end, stripped, True, "prose")
        if stripped.casefold() in seen:
            line.prose, line.reason = False, "repeated line (headline or navigation)"
            line.copy_of = seen[stripped.casefold()]
        elif headline and stripped.casefold() == headline:
            line.prose, line.reason = False, "the headline (the article's title)"
        elif (_CREDIT.search(stripped) or _LEADING_CREDIT.search(stripped)
              or _TRAILING_CREDIT.search(stripped)):
            line.prose, line.reason = False, _CAPTION
        elif _PICTURE.search(stripped):
            line.prose, line.reason = False, "photo caption: describes the picture"
        elif _REPORTING_CREDIT.search(stripped):
            line.prose, line.reason = False, "reporting credits"
        elif not (_SENTENCE_END.search(stripped) or _RUNS_ON.search(stripped)):
            line.prose, line.reason = False, _NO_END
        elif line.words < MIN_PROSE_WORDS:
            line.prose, line.reason = False, f"too short for a sentence ({line.words} words)"
        opened = _opens_with(text, start, end, title) if line.prose and headline else None
        if opened is not None:
            # the headline run into the standfirst on one line ("Decision ... made by
            # Putin — Kremlin spokesman. Dmitry Peskov noted, however, ..."): the
            # headline is not prose, what follows it is
            lines.append(_Line(start, opened, " ".join(text[start:opened].split()), False,
                               "the headline (the article's title)"))
            rest = opened + len(text[opened:end]) - len(text[opened:end].lstrip(" .:–—-\t"))
            line = _Line(rest, end, " ".join(text[rest:end].split()), True, "prose")
            if not _SENTENCE_END.search(line.text) or line.words < MIN_PROSE_WORDS:
                line.prose, line.reason = False, _NO_END  # "... — ministry. Read more"
        cut = _cut_off(text, start, end) if line.reason == _NO_END else None
        if cut is not None:
            # a paragraph the page cuts off mid-sentence (a paywall, a truncated copy):
            # its full sentences are prose, what follows the last of them is not
            lines.append(_Line(start, cut, " ".join(text[start:cut].split()), True, "prose"))
            rest = cut + len(text[cut:end]) - len(text[cut:end].lstrip())
            line = _Line(rest, end, " ".join(text[rest:end].split()), False,
                         "unfinished: the text stops mid-sentence")
        lines.append(line)
        seen.setdefault(stripped.casefold(), len(lines) - 1)
    for line, after in pairwise(lines):
        if (line.reason == _NO_END and line.text.endswith(",") and after.prose
                and line.words >= MIN_PROSE_WORDS and after.text[:1].isupper()):
            # a sentence typed with a comma for its full stop, the story going on
            # below it ("Roe disclosed this on Wednesday," then "He said, ...")
            line.prose, line.reason = True, "prose"
    for number, line in enumerate(lines):
        # a picture's caption printed twice around its credit, a line or three of its
        # own ("Jane Roe", "/", "AFP via Getty Images"), as public radio sites print it
        following = lines[number + 1 : number + 2 + MAX_CREDIT_LINES]
        again = next((n for n, other in enumerate(following)
                      if other.text.casefold() == line.text.casefold()), 0)
        credit = following[:again]
        if line.prose and credit and not any(other.prose for other in credit) and any(
                other.words <= MAX_CREDIT_WORDS and _CREDIT_LINE.search(other.text)
                for other in credit):
            line.prose, line.reason = False, "photo caption: repeated around its credit"
    for line, after in pairwise(lines):
        # the alt text of a picture, then the same words with the credit in brackets
        tail = after.text[len(line.text):].strip()
        if (line.prose and after.text.startswith(line.text) and tail.startswith("(")
                and tail.endswith(")")):
            line.prose, line.reason = False, "photo caption: repeated with its credit"
    return lines


def _opens_with(text: str, start: int, end: int, title: str | None) -> int | None:
    """Where the article's *title* ends, if the line opens with it, then a stop, a colon
    or a dash, and goes on; None when it does not ("Fed cuts rates on Wednesday ..." is
    a lede in the title's words), or when the title is too short to tell."""
    words = (title or "").split()
    if len(words) < MIN_PROSE_WORDS:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    found = re.match(pattern + r"(?=\s*[.:–—-]\s)", text[start:end], re.IGNORECASE)
    if found is None or not text[start + found.end() : end].strip(" .:–—-\t"):
        return None
    return start + found.end()


def _agency_dateline(text: str) -> bool:
    """Does *text* open with a dateline crediting an agency ("WOODSIDE, Calif. (AP) —")?"""
    found = DATELINE.match(text)
    return found is not None and _CREDITED.search(found.group()) is not None


def _cut_off(text: str, start: int, end: int) -> int | None:
    """Where the last full sentence of a line that stops mid-sentence ends, if the
    line holds at least ``MIN_CUT_SENTENCES`` of them and ``MIN_CUT_WORDS`` words up
    to there: a paragraph cut off, not a headline with a full stop in it ("Mr. Roe
    and the U.S. plan")."""
    ends = [m.end() for m in _INNER_END.finditer(text, start, end)
            if not _ABBREVIATION.search(text, start, m.start() + 1)]
    if len(ends) < MIN_CUT_SENTENCES or len(_WORD.findall(text, start, ends[-1])) < MIN_CUT_WORDS:
        return None
    return start + len(text[start : ends[-1]].rstrip())


def _runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """Index ranges of consecutive prose lines, bridging lone short labels (or two)."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if not lines[index].prose:
            index += 1
            continue
        first = last = index
        index += 1
        while index < len(lines):
            if lines[index].prose:
                last = index
                index += 1
            elif (
                lines[index].words <= MAX_LABEL_WORDS
                and index + 2 < len(lines)
                and lines[index + 1].words <= MAX_LABEL_WORDS
                and not lines[index + 1].prose
                and lines[index + 2].prose
            ):
                index += 2  # two short labels (a widget's, a subheading): not a break either
            elif (
                (lines[index].words <= MAX_LABEL_WORDS or lines[index].reason == _CAPTION)
                and index + 1 < len(lines)
                and lines[index + 1].prose
            ):
                index += 1  # a lone label or picture between paragraphs: not a break
            else:
                break
        runs.append((first, last))
    return runs


def _body_range(lines: list[_Line]) -> tuple[int, int] | None:
    runs = _runs(lines)
    if not runs:
        return None
    stamps = [i for i, line in enumerate(lines) if _POST_STAMP.match(line.text)]
    if len(stamps) >= MIN_POSTS:
        # A live page: every post is the story's, from the first post's prose on
        # (each under its stamp, headline and byline), not only the longest post.
        posts = [run for run in runs if run[0] > stamps[0]]
        if posts:
            return posts[0][0], posts[-1][1]

    def size(run: tuple[int, int]) -> int:
        return sum(len(lines[i].text) for i in range(run[0], run[1] + 1) if lines[i].prose)

    def paragraphs(run: tuple[int, int]) -> int:
        return sum(1 for i in range(run[0], run[1] + 1) if lines[i].prose)

    def opens_story(index: int) -> bool:
        return _agency_dateline(lines[index].text) or (
            index > 0 and _BYLINE.match(lines[index - 1].text) is not None)

    def gap(after: int, before: int) -> int:
        """The lines between two runs, but for embedded posts: a page sets a post
        between two paragraphs of one story, as it sets a picture."""
        return sum(1 for i in range(after + 1, before)
                   if not _EMBED.search(lines[i].text))

    main = max(range(len(runs)), key=lambda i: size(runs[i]))
    if paragraphs(runs[main]) < MIN_SECTION_PARAGRAPHS and not opens_story(runs[main][0]):
        # a lone paragraph above an agency's dateline or a byline is a picture's caption
        # or the page's summary: the story is the one the dateline opens
        main = next((n for n in range(main + 1, len(runs)) if opens_story(runs[n][0])), main)
    first, last = runs[main]
    # Grow forward across single subheadings into sections of the same story.
    for run in runs[main + 1 :]:
        between = gap(last, run[0])
        if between > 1:
            break  # a cluster of chrome lines: the story has ended
        if between and (paragraphs(run) < MIN_SECTION_PARAGRAPHS
                        and not _INTERTITLE.match(lines[run[0] - 1].text)):
            break
        last = run[1]
    # And backward, for a lede set apart by a subheading.
    for run in reversed(runs[:main]):
        between = gap(run[1], first)
        if between > 1 or between and (paragraphs(run) < MIN_SECTION_PARAGRAPHS
                                       and not _INTERTITLE.match(lines[first - 1].text)):
            break
        first = run[0]
    # And back to an agency's dateline, or to the paragraph right under the byline:
    # the story starts there, though the page put links to other stories (or a
    # widget) between its first paragraphs and the rest.
    opening = next((run[0] for run in runs[:main] if opens_story(run[0])), None)
    if opening is not None and opening < first:
        first = opening
    return first, last
