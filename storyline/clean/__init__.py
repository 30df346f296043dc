"""Clean stage: raw document -> ``Article`` with body, title, outlet, date and language.

HTML goes through trafilatura; scraped plain text through Storyline's own
boilerplate filter (``scraped``). Metadata given with the input (JSONL fields)
always wins over what is found in the page.
"""

from __future__ import annotations

from typing import Literal

from storyline.clean.encoding import decode, repair
from storyline.clean.extracted import Extracted
from storyline.clean.html import extract_html
from storyline.clean.language import SUPPORTED_LANGUAGES, detect_language, normalize_language
from storyline.clean.metadata import normalize_published, outlet_from_url
from storyline.clean.scraped import extract_scraped
from storyline.errors import InputError
from storyline.model import Article, Cut, InputProblem, RawDocument

__all__ = ["SUPPORTED_LANGUAGES", "as_bare_article", "clean", "clean_or_problem", "detect_language"]


# Bounds on the work of cleaning one input: an extractor reads at most PAGE_CHARS of it, and an
# article keeps at most ARTICLE_CHARS of text (every later stage then works on bounded text).
# A real page is under 3 MB (the largest of ../shared/data/pages), a long read under 100,000
# characters; what is cut is recorded in ``Article.cuts``.
PAGE_CHARS = {"html": 5_000_000, "text": 500_000}
ARTICLE_CHARS = 200_000
TITLE_CHARS = 1_000


def clean(document: RawDocument) -> Article:
    """Clean one raw document.

    Raises:
        InputError: when no article text is left (an empty page, a page that is all navigation).
    """
    given = document.given
    cuts: list[Cut] = []
    text = _bounded(decode(document.body, html=document.kind == "html"), PAGE_CHARS[document.kind], "page", cuts)
    extracted: Extracted
    if document.kind == "html":
        extracted = extract_html(text, url=given.url)
        extracted.text, extracted.title = repair(extracted.text), extracted.title and repair(extracted.title)
    else:
        text = repair(text)
        extracted = extract_scraped(text, language=detect_language(text), title=given.title)
    if not extracted.text.strip():
        raise InputError(
            "no article text found (the page holds only navigation or is empty); check that it is a news article",
            source=document.source,
        )
    body = _bounded(extracted.text, ARTICLE_CHARS, "text", cuts)
    title = given.title or extracted.title
    title = title and _bounded(title, TITLE_CHARS, "title", cuts)
    published, language = normalize_published(given.published), normalize_language(given.language)
    warnings = []
    if given.published is not None and published is None:
        warnings.append(f"published {given.published!r} is not a date (write ISO 8601 like 2021-07-24); the date found in the page is used")
    if given.language is not None and language is None:
        warnings.append(f"language {given.language!r} is not a language code (write ISO 639-1 like en); the language is detected from the text")
    warnings += [
        f"is too long to read whole: its {c.what} was cut at {c.kept:,} of {c.total:,} characters; if it holds several articles, split it"
        for c in cuts
    ]
    page_published = normalize_published(extracted.published)
    return Article(
        id=document.id,
        source=document.source,
        title=title,
        text=body,
        # The page's own date (its uncertainty kept) before the capture time, the date of last resort.
        published=published or page_published or normalize_published(given.captured),
        published_uncertain=not published and bool(page_published) and extracted.published_uncertain,
        language=language or detect_language(extracted.text),
        outlet=given.outlet or extracted.outlet or outlet_from_url(given.url),
        author=given.author or extracted.author,
        url=given.url or extracted.url,
        external_id=given.external_id,
        cuts=cuts,
        warnings=warnings,
    )


def _bounded(text: str, limit: int, what: Literal["page", "text", "title"], cuts: list[Cut]) -> str:
    """``text`` up to ``limit`` characters, cut at the last tag, line or word that fits; the cut recorded."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    boundary = max(head.rfind("<") if what == "page" else -1, head.rfind("\n"), head.rfind(" "))
    kept = head[:boundary] if boundary > limit // 2 else head
    cuts.append(Cut(what, len(kept), len(text)))
    return kept


def as_bare_article(document: RawDocument) -> Article | None:
    """The document's decoded text as an article, uncleaned (None when there is no text at all)."""
    if document.kind == "html":
        return None
    cuts: list[Cut] = []
    text = repair(_bounded(decode(document.body), PAGE_CHARS["text"], "page", cuts)).strip()
    if not text:
        return None
    return Article(
        id=document.id, source=document.source, title=None, text=_bounded(text, ARTICLE_CHARS, "text", cuts), published=None,
        outlet=None, language=normalize_language(document.given.language) or detect_language(text),
        external_id=document.given.external_id, cuts=cuts,
    )


def clean_or_problem(document: RawDocument) -> Article | InputProblem:
    """``clean`` with its failure returned as a value (picklable: used by worker processes)."""
    try:
        return clean(document)
    except InputError as exc:
        return InputProblem(document.source, exc.message, document.given.external_id)
