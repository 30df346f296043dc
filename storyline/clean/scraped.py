"""Clean scraped plain text: the article body without the page around it.

A scraped text file is a web page flattened to lines: menus, captions, share
prompts and related headlines sit between the paragraphs, and inline elements
(quotes in <q> or <em>) were often broken onto lines of their own. Steps:

1. split into paragraphs and re-join inline fragments (``reflow``);
2. read title, outlet and date from the first line ("Title | Section | Outlet | 24.07.2021")
   when it is a title line;
3. label each paragraph content or furniture with the classifier learned from annotated real
   pages (``lines`` + ``line_model``); a record that is all prose is kept whole;
4. take outlet, date and author from what the page says around the text.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from storyline.clean import boilerplate as bp
from storyline.clean import line_model
from storyline.clean.extracted import Extracted
from storyline.clean.lines import PROSE_WORDS, content_words, features, headline_anchor, page_stopwords
from storyline.clean.outlets import strip_outlet, title_segments
from storyline.clean.metadata import (
    DATE_CUE,
    author_from_byline,
    clean_outlet_name,
    find_dates,
    outlet_from_cues,
    outlet_from_title_line,
)
from storyline.words import WORD

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CLOSING_QUOTE_START = re.compile(r"^[\"»”“]\s*(?:[,.;:)!?]|\s+[^\W\d_A-ZА-ЯÀ-Þ])")
_OPENING_QUOTE_END = re.compile(r"[\"«„“]\s*$")
MAX_PARAGRAPH_CHARS = 8000
# A headline does not end with a full stop; a first line that does is the text itself.
_ENDS_WITH_PERIOD = re.compile(r"\.[\"'»”’)\]]*\s*$")
_DOMAIN = re.compile(r"(?:[\w-]{1,63}\.)+[a-z]{2,}", re.IGNORECASE)  # labels bounded as in DNS: linear on long words
_SENTENCE_FINAL = re.compile(r"[.!?…。！？][\s\"'`»”’)\]」』）]*$")
PLAIN_RECORD_SHARE = 0.9
MAX_HEADLINE_WORDS = 30
# How far above the text a headline may sit: bylines, dates, share buttons and a picture with its
# caption come between them on fundus pages rendered by inscriptis.
HEADLINE_REACH = 10
TITLE_SHARE = 0.2
SAME_HEADLINE_SHARE = 0.3  # a headline and the <title> of the same page share at least this share of words
# A date line under a headline is short ("Thu 7 Mar 2024 16.05 GMT", "By Jane Doe, March 7, 2024");
# a caption that mentions a date is a sentence or two.
MAX_DATE_LINE_WORDS = 14


def extract_scraped(text: str, *, language: str | None = None, title: str | None = None) -> Extracted:
    """Body, title, outlet, date and author of one scraped page.

    The first line is the title unless a ``title`` is given (then a line repeating it is
    dropped) or the first line reads as text (it ends with a full stop, or it is all there is).
    """
    paragraphs = reflow(split_paragraphs(text))
    if not paragraphs:
        return Extracted(text="")
    title_line = title is None and is_title_line(paragraphs, language)
    model = line_model.shipped()
    rows = features(paragraphs, language, title)
    labels = label_paragraphs(paragraphs, language, model.probabilities(rows), model.cutoff, title=title, title_line=title_line)
    stop = page_stopwords(paragraphs)
    content = [p for p, label in zip(paragraphs, labels) if label == "content"]
    headline = None
    if title_line and not names_the_article(paragraphs[0], content, stop):
        # A first line that shares no words with the text is the page's menu, not its <title>
        # (inscriptis renders no title line): the headline is then the line above the text.
        headline = headline_above(paragraphs, labels, language, content, stop)
        if headline is not None:
            title_line, labels[0] = False, "furniture"
    body = [tidy(p) for p in content]
    furniture = [p for p, label in zip(paragraphs, labels) if label not in ("content", "title")]
    title_outlet = title_date = None
    if headline is not None:
        title = headline
    elif title_line:
        title, title_outlet, title_date = outlet_from_title_line(paragraphs[0], language)
        repeated = [p for p, label in zip(paragraphs, labels) if label == "repeated title"]
        title, suffix = headline_of(title, repeated[0] if repeated else None)
        title_outlet = title_outlet or suffix
        if not repeated:
            # The <title> worded for search engines, the page's own headline (its <h1>) above the
            # text in other words ("A few strong tornadoes could strike..." / "Strong tornadoes
            # possible in..."): fundus's gold titles are the headlines.
            above = headline_above(paragraphs, labels, language, content, stop)
            # Two words at least: a short line sharing one name with the title ("Jane Doe in
            # Lima", a byline with its place) is not the headline worded again.
            if above is not None and above != paragraphs[0] and names_the_article(above, [paragraphs[0]], stop, share=SAME_HEADLINE_SHARE, at_least=2):
                title = above
    elif title is None:
        title = headline_above(paragraphs, labels, language, content, stop, named=False)
    author = next((a for a in map(author_from_byline, furniture) if a), None)
    outlet = title_outlet or outlet_from_cues(furniture + body[:1], author=author)
    if title_line and title and outlet:
        title = strip_outlet(title, [outlet])  # "Headline — Outlet", the outlet named elsewhere on the page
    published, uncertain = (title_date, False) if title_date else publication_date(paragraphs, labels, language)
    return Extracted(
        text="\n\n".join(body),
        title=tidy(title or "") or None,
        outlet=outlet,
        published=published,
        published_uncertain=uncertain,
        author=author,
    )


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs; lines of a block stay apart unless a sentence was hard-wrapped."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in (raw.strip() for raw in block.split("\n")):
            if not line:
                continue
            wrapped = lines and not bp.SENTENCE_END.search(lines[-1]) and line[:1].islower()
            if wrapped and not (bp.LIST_BULLET.match(line) or bp.NUMBERED_ITEM.match(line)):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.extend(lines)
    return paragraphs


def _has_open_quote(text: str) -> bool:
    if text.count('"') % 2:
        return True
    if text.count("«") > text.count("»"):
        return True
    if "„" in text:
        return text.count("„") > text.count("“")
    return text.count("“") > text.count("”")


def _continues(previous: str, current: str) -> bool:
    """Is ``current`` a fragment of the sentence ``previous`` started (a split inline quote)?"""
    if len(previous) + len(current) > MAX_PARAGRAPH_CHARS:
        return False
    if _CLOSING_QUOTE_START.match(current) and not bp.SENTENCE_END.search(previous.rstrip('"»” ')):
        return True
    if not _has_open_quote(previous):
        return False
    first = current[:1]
    return bool(_OPENING_QUOTE_END.search(previous)) or first.islower() or first in "([\"«»„“”,;:"


def reflow(paragraphs: list[str]) -> list[str]:
    """Re-join sentences a scraper split around inline quotes.

    'Discussions "' + 'professional and substantial' + '", according to ...'
    becomes one paragraph again.
    """
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and _continues(joined[-1], paragraph):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def tidy(text: str) -> str:
    """Collapse spaces; drop the padding inside balanced straight quotes ('" word "' -> '"word"')."""
    text = re.sub(r"[ \t\u00a0\u2009\u202f]+", " ", text).strip()
    parts = text.split('"')
    if len(parts) > 1 and len(parts) % 2 == 1:
        parts = [part.strip() if i % 2 else part for i, part in enumerate(parts)]
        text = '"'.join(parts)
    return text


def is_title_line(paragraphs: list[str], language: str | None = None) -> bool:
    """Is the first paragraph a headline (two to thirty words, no full stop, not a list item or a
    known furniture line) above more text? ("Title | Section | Outlet" has a menu's shape: allowed.)"""
    first = paragraphs[0]
    return (
        len(paragraphs) > 1
        and 2 <= bp.word_count(first) <= 30
        and not _ENDS_WITH_PERIOD.search(first)
        and not (bp.LIST_BULLET.match(first) or bp.matches_pattern(first))
    )


def headline_of(title_line: str, repeated: str | None) -> tuple[str, str | None]:
    """The headline in a page's title line, and the outlet segment beside it, if any.

    The headline repeated above the text (the page's <h1>) shows which part of
    "Headline - news.example.at" is the headline; without it only a segment that is a
    domain name ("- n-tv.de") is taken off.
    """
    segments = title_segments(title_line)
    if repeated and len(segments) > 1:
        head, rest = _key(repeated), _key(title_line)
        if rest.startswith(head) and rest != head:
            extra = [s for s in segments if not head.endswith(_key(s)) and _key(s) not in head]
            return repeated.strip(), (clean_outlet_name(extra[-1]) if extra and bp.word_count(extra[-1]) <= 5 else None)
    if len(segments) > 1 and _DOMAIN.fullmatch(segments[-1]):
        return title_line[: title_line.rindex(segments[-1])].rstrip(" -–—|:·•"), segments[-1]
    return title_line, None


def headline_above(
    paragraphs: list[str], labels: list[str], language: str | None, content: list[str], stop: frozenset[str], *, named: bool = True
) -> str | None:
    """The headline-like paragraph just above the text (a byline, a date line or a caption may
    sit between them); with ``named``, only one that shares words with the text (``names_the_article``)."""
    first = labels.index("content") if "content" in labels else 0
    for i in range(first - 1, max(first - HEADLINE_REACH - 1, -1), -1):
        text = paragraphs[i]
        if author_from_byline(text) or is_date_line(text, language) or bp.matches_pattern(text) or bp.is_caption_with_credit(text):
            continue
        if is_headline(text) and (not named or names_the_article(text, content, stop)):
            return text
    return None


def is_headline(text: str) -> bool:
    """Three to thirty words, not a sentence ending with a full stop or a colon (a question may be
    a headline), not a menu or a list item."""
    stripped = text.strip()
    return (
        3 <= bp.word_count(stripped) <= MAX_HEADLINE_WORDS
        and not _ENDS_WITH_PERIOD.search(stripped)
        and not stripped.endswith((":", ";", ","))
        and not bp.is_menu(stripped)
        and not bp.LIST_BULLET.match(stripped)
    )


def names_the_article(line: str, content: list[str], stop: frozenset[str], *, share: float = TITLE_SHARE, at_least: int = 1) -> bool:
    """Does the line share its words with the article text, as a headline does?

    At least ``share`` of its content words (and ``at_least`` of them) occur in the text. On the training pages
    (L3S-GN1 and fundus, three renderings) the <title> line's share is under 0.2 on 5 % of
    pages; a menu line above the text (inscriptis renders no <title>) is under 0.2 on 85-92 %.
    """
    words = content_words(line, stop)
    if not words:
        return False
    text = {w for paragraph in content for w in content_words(paragraph, stop)}
    return sum(w in text for w in words) >= max(at_least, share * len(words))


def is_plain_record(paragraphs: list[str], language: str | None = None) -> bool:
    """Most paragraphs end as sentences do (menus, captions and link lists do not), known
    furniture lines ("Published: ...") and date lines aside; a lone paragraph is a record too."""
    rest = [p for p in paragraphs if not (bp.matches_pattern(p) or is_date_line(p, language))]
    if len(rest) == 1:
        return bp.word_count(rest[0]) >= 3 and not bp.is_menu(rest[0])
    return bool(rest) and sum(1 for p in rest if _SENTENCE_FINAL.search(p)) >= PLAIN_RECORD_SHARE * len(rest)


def _is_furniture_line(text: str) -> bool:
    return bp.matches_pattern(text) or bp.is_menu(text) or bp.is_caption_with_credit(text)


def _is_prose(text: str) -> bool:
    return bp.word_count(text) >= 6 and bool(bp.SENTENCE_END.search(text)) and not bp.matches_pattern(text)


def label_paragraphs(
    paragraphs: list[str], language: str | None, probabilities: np.ndarray, cutoff: float, *, title: str | None = None, title_line: bool = False
) -> list[str]:
    """One label per paragraph: "title", "repeated title", "content" or "furniture".

    ``probabilities``: the classifier's probability that each paragraph is content. The headline
    and its repetition are set apart; a record that is all prose is kept whole; when no paragraph
    reaches the cutoff, the likeliest prose paragraphs are kept rather than nothing (a two-paragraph story
    under long teaser lists, as on some ScrapingHub pages).
    """
    if title_line:
        probabilities = np.concatenate([[0.0], probabilities[1:]])
    labels = ["content" if p >= cutoff else "furniture" for p in probabilities]
    if "content" not in labels:
        prose = [i for i, text in enumerate(paragraphs) if probabilities[i] > 0 and _is_prose(text)]
        # A record cut off mid-sentence (ECB+ holds such texts) still has its longest run of words.
        prose = prose or [i for i, text in enumerate(paragraphs) if bp.word_count(text) >= PROSE_WORDS and not _is_furniture_line(text)]
        best = max((probabilities[i] for i in prose), default=0.0)
        labels = ["content" if i in prose and probabilities[i] >= best / 2 else "furniture" for i in range(len(paragraphs))]
    if title_line:
        labels[0] = "title"
    _apply_layout(paragraphs, labels)
    keys = [_key(p) for p in paragraphs]
    headline = _key(title) if title is not None else (keys[0] if title_line else None)
    if headline is not None:
        anchor = headline_anchor(keys, headline, first_is_headline=title is None)
        for i, key in enumerate(keys[1 if title_line else 0 :], start=1 if title_line else 0):
            if key == headline or i == anchor:
                labels[i] = "repeated title"
    # A record that is almost all sentences is an article body already (a JSONL feed's text, an
    # ECB+ news text with one sentence per line, a one-sentence brief): only known furniture lines
    # ("Published: ...") go. Of 2,850 renderings of real pages (L3S-GN1, ScrapingHub, fundus) 16
    # look like that: 11 pages that render to their <title> alone (their text comes by script),
    # and pages whose paragraphs are mostly content.
    rest = [i for i, label in enumerate(labels) if label not in ("title", "repeated title")]
    if rest and is_plain_record([paragraphs[i] for i in rest], language):
        for i in rest:
            labels[i] = "furniture" if bp.matches_pattern(paragraphs[i]) or is_date_line(paragraphs[i], language) else "content"
    return labels


def _apply_layout(paragraphs: list[str], labels: list[str]) -> None:
    """What the layout says where the classifier hesitates. Each rule was measured with the
    classifier's cross-validated probabilities on L3S-GN1, ScrapingHub and fundus pages in three
    renderings (models/README.md):

    - a photo caption that ends with its credit ("... à Dnipro en Ukraine. HANDOUT / AFP", Le Figaro in fundus) is
      furniture (precision +0.001, recall unchanged);
    - a related-link prompt with its headline ("Read also: ...", ``bp.RELATED_PROMPT``) is furniture
      (the pattern: 6 training paragraphs on 5 sites, all furniture, too few for the classifier to
      learn; its effect on precision was not measured);
    - two or more headline-like paragraphs (short, no full stop) in a row inside the text are a
      picture's alt text and caption, or a video stub and its title (precision +0.002).

    Not a rule: "one headline-like paragraph alone inside the text is a sub-heading". On those
    pages such lines are mostly credits, comment headers and links (442 right, 965 wrong; still
    36 right, 78 wrong when all its words recur in the article's prose): the classifier decides.
    """
    for i, text in enumerate(paragraphs):
        if labels[i] == "content" and (bp.is_caption_with_credit(text) or bp.RELATED_PROMPT.match(text)):
            labels[i] = "furniture"
    i = 0
    while i < len(paragraphs):
        if not bp.is_headline_like(paragraphs[i]) or labels[i] in ("title", "repeated title"):
            i += 1
            continue
        end = i
        while end + 1 < len(paragraphs) and bp.is_headline_like(paragraphs[end + 1]) and labels[end + 1] not in ("title", "repeated title"):
            end += 1
        if 0 < i < end and end + 1 < len(paragraphs) and labels[i - 1] == labels[end + 1] == "content":
            for j in range(i, end + 1):
                labels[j] = "furniture"
        i = end + 1


def _key(text: str) -> str:
    return " ".join(w.lower() for w in WORD.findall(text))


def is_date_line(text: str, language: str | None) -> bool:
    """A short line that gives a date ("Updated 7 March 2024, 14:05"), not a caption that mentions one."""
    return bp.word_count(text) <= MAX_DATE_LINE_WORDS and not bp.is_caption_with_credit(text) and bool(find_dates(text, language))


def publication_date(paragraphs: list[str], labels: list[str], language: str | None) -> tuple[str | None, bool]:
    """The publication date and whether it is a guess.

    Sure: a dated cue line ("Published: ...", "Stand: ..."), a date line between the headline
    and the text, a full date in the dateline that opens the text ("PARIS, 7 March 2024 (AFP) -").
    A guess: a date found anywhere else in the page furniture, a photo caption last (an archive
    photo's date is not the article's).
    """
    content = [i for i, label in enumerate(labels) if label == "content"]
    first_content = content[0] if content else len(paragraphs)
    furniture = [i for i, label in enumerate(labels) if label not in ("content", "title")]
    for i in furniture:
        if DATE_CUE.search(paragraphs[i]) and bp.word_count(paragraphs[i]) <= MAX_DATE_LINE_WORDS * 2:
            dates = find_dates(paragraphs[i], language)
            if dates:
                return dates[0][1], False
    for i in furniture:
        if i < first_content and is_date_line(paragraphs[i], language):
            return find_dates(paragraphs[i], language)[0][1], False
    if content:
        opening = paragraphs[first_content]
        dateline = re.match(r"^(.{0,80}?)\s[-–—]\s", opening)
        if dateline:
            dates = find_dates(dateline.group(1), language)
            if dates:
                return dates[0][1], False
    captions = [i for i in furniture if not is_date_line(paragraphs[i], language)]
    for i in [i for i in furniture if i not in captions] + captions:
        dates = find_dates(paragraphs[i], language)
        if dates:
            return dates[0][1], True
    return None, False

