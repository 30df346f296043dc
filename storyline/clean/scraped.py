"""Clean scraped plain text: the article body without the page around it.

A scraped text file is a web page flattened to lines: menus, captions, share
prompts and related headlines sit between the paragraphs, and inline elements
(quotes in <q> or <em>) were often broken onto lines of their own. Steps:

1. split into paragraphs and re-join inline fragments (``reflow``);
2. read title, outlet and date from the first line ("Title | News | DW | 24.07.2021");
3. label each paragraph boilerplate or content (``label_paragraphs``): known
   patterns first, then structure (navigation before the text, caption runs,
   related-headline tails);
4. take outlet, date and author from what the page says around the text.
"""

from __future__ import annotations

import re
import unicodedata

from storyline.clean import boilerplate as bp
from storyline.clean.extracted import Extracted
from storyline.clean.metadata import (
    DATE_CUE,
    GENERIC_SECTIONS,
    author_from_byline,
    clean_outlet_name,
    find_dates,
    outlet_from_cues,
)

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CLOSING_QUOTE_START = re.compile(r"^[\"»”“]\s*(?:[,.;:)!?]|\s+[^\W\d_A-ZА-ЯÀ-Þ])")
_OPENING_QUOTE_END = re.compile(r"[\"«„“]\s*$")
# Spaces before a mark are bounded ({1,10}): a long run of spaces would make the search quadratic.
_TITLE_SEPARATOR = re.compile(r"\s{1,10}\|\s+")
_TITLE_SUFFIX = re.compile(r"^(?P<title>.+?)\s{1,10}[-–—]\s{1,10}(?P<suffix>[^-–—]{2,60})$")
MAX_PARAGRAPH_CHARS = 8000


def extract_scraped(text: str, *, language: str | None = None, title: str | None = None) -> Extracted:
    """Body, title, outlet, date and author of one scraped page.

    The first line is the title unless a ``title`` is given (then a first line
    repeating it is dropped) or the first line is plainly a paragraph of text.
    """
    paragraphs = reflow(split_paragraphs(text))
    if not paragraphs:
        return Extracted(text="")
    title_outlet = title_date = None
    if title is None and not _is_title_line(paragraphs[0]):
        paragraphs.insert(0, "")
    elif title is None:
        title, title_outlet, title_date = parse_title_line(paragraphs[0], language, paragraphs[1:])
    elif _key(paragraphs[0]) != _key(title):
        paragraphs.insert(0, title)
    labels = label_paragraphs(paragraphs, title or "", language)
    body = [tidy(p) for p, label in zip(paragraphs, labels) if label == "content"]
    furniture = [p for p, label in zip(paragraphs, labels) if label != "content"]
    author = next((a for a in map(author_from_byline, furniture) if a), None)
    return Extracted(
        text="\n\n".join(body),
        title=tidy(title or "") or None,
        outlet=title_outlet or outlet_from_cues(furniture + body[:1]),
        published=title_date or _publication_date(paragraphs, labels, language),
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


def parse_title_line(line: str, language: str | None, rest_of_page: list[str]) -> tuple[str, str | None, str | None]:
    """Split "Title | Section | Outlet | 24.07.2021" into title, outlet and date.

    "Title — Outlet" is split only when the page names the outlet again
    elsewhere (a masthead, a copyright line): a dash alone is too common in headlines.
    """
    line = " ".join(line.split())
    segments = _TITLE_SEPARATOR.split(line)
    if len(segments) == 1:
        suffix = _TITLE_SUFFIX.match(line)
        if suffix:
            name = clean_outlet_name(suffix.group("suffix"))
            if bp.word_count(name) <= 5 and any(name.lower() in p.lower() for p in rest_of_page):
                return suffix.group("title"), name, None
        return line.strip(), None, None
    title, rest = segments[0], segments[1:]
    published = None
    names = []
    for segment in rest:
        dates = find_dates(segment, language)
        if dates and published is None:
            published = dates[0][1]
        elif not dates and segment.lower() not in GENERIC_SECTIONS and len(segment.split()) <= 5:
            names.append(segment)
    return title, (clean_outlet_name(names[-1]) if names else None), published


def label_paragraphs(paragraphs: list[str], title: str, language: str | None = None) -> list[str]:
    """One label per paragraph: "title", "content" or a boilerplate reason."""
    labels: list[str | None] = [None] * len(paragraphs)
    labels[0] = "title"
    title_key = _key(title)
    in_related_list = False
    after_media = False
    for i, text in enumerate(paragraphs[1:], start=1):
        words = bp.word_count(text)
        if in_related_list and (bp.is_headline_like(text) or words <= 20):
            labels[i] = "related"
            continue
        in_related_list = False
        if after_media and bp.is_headline_like(text):
            labels[i], after_media = "media", False
            continue
        after_media = False
        if _key(text) == title_key:
            labels[i] = "repeated title"
        elif bp.RELATED_HEADER.match(text):
            labels[i], in_related_list = "related", True
        elif bp.MEDIA_MARKER.match(text) and words <= 6:
            labels[i], after_media = "media", True
        elif bp.matches_pattern(text):
            labels[i] = "pattern"
        elif (bp.LIST_BULLET.match(text) and words <= 8) or (bp.NUMBERED_ITEM.match(text) and words <= 5):
            labels[i] = "list"
        elif bp.is_caption_with_credit(text):
            labels[i] = "caption"
        elif bp.is_menu(text):
            labels[i] = "navigation"
        elif words <= 12 and bp.is_headline_like(text) and find_dates(text, language):
            labels[i] = "dateline"
        elif author_from_byline(text):
            labels[i] = "byline"
        elif sum(ch.isalpha() for ch in text) < max(3, len(text) * 0.3):
            labels[i] = "symbols"
    _label_by_position(paragraphs, labels)
    return [label or "content" for label in labels]


def _is_sentence(text: str) -> bool:
    words = bp.word_count(text)
    return words >= 20 or (words >= 8 and bool(bp.SENTENCE_END.search(text)))


def _label_by_position(paragraphs: list[str], labels: list[str | None]) -> None:
    """Navigation before the text, footers after it, caption runs inside it."""
    open_ = [i for i, label in enumerate(labels) if label is None]
    sentences = [i for i in open_ if _is_sentence(paragraphs[i])]
    if not sentences:
        return
    first, last = sentences[0], sentences[-1]
    for i in open_:
        text = paragraphs[i]
        if i < first and bp.is_headline_like(text) and bp.word_count(text) <= 5:
            labels[i] = "navigation"
        elif i > last and bp.is_headline_like(text):
            labels[i] = "footer"
    # Two or more headline-like paragraphs in a row inside the text are a
    # picture's alt text and caption, not a sub-heading (which stands alone).
    run: list[int] = []
    for i in range(first, last + 2):
        if i <= last and labels[i] is None and bp.is_headline_like(paragraphs[i]):
            run.append(i)
            continue
        if len(run) >= 2:
            for j in run:
                labels[j] = "caption"
        run = []


def _is_title_line(text: str) -> bool:
    return bp.word_count(text) <= 30 and not (bp.word_count(text) > 12 and text.rstrip().endswith("."))


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _publication_date(paragraphs: list[str], labels: list[str], language: str | None) -> str | None:
    """A dated cue line ("Stand: ...") first, then the first date above the text, then any in the furniture."""
    furniture = [p for p, label in zip(paragraphs, labels) if label not in ("content", "title")]
    for text in furniture:
        if DATE_CUE.search(text):
            dates = find_dates(text, language)
            if dates:
                return dates[0][1]
    first_content = labels.index("content") if "content" in labels else len(labels)
    head = paragraphs[1:first_content] + [p for p, label in zip(paragraphs, labels) if label == "caption"]
    for text in head + furniture:
        dates = find_dates(text, language)
        if dates:
            return dates[0][1]
    return None
