"""Clean stage: raw document -> ``Article`` with body, title, outlet, date and language.

HTML goes through trafilatura; scraped plain text through Storyline's own
boilerplate filter (``scraped``). Metadata given with the input (JSONL fields)
always wins over what is found in the page.
"""

from __future__ import annotations

from storyline.clean.encoding import decode, repair
from storyline.clean.extracted import Extracted
from storyline.clean.html import extract_html
from storyline.clean.language import SUPPORTED_LANGUAGES, detect_language, normalize_language
from storyline.clean.metadata import normalize_published, outlet_from_url
from storyline.clean.scraped import extract_scraped
from storyline.errors import InputError
from storyline.model import Article, InputProblem, RawDocument

__all__ = ["SUPPORTED_LANGUAGES", "as_bare_article", "clean", "clean_or_problem", "detect_language"]


def clean(document: RawDocument) -> Article:
    """Clean one raw document.

    Raises:
        InputError: when no article text is left (an empty page, a page that is all navigation).
    """
    given = document.given
    text = decode(document.body, html=document.kind == "html")
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
    given_published = normalize_published(given.published)
    return Article(
        id=document.id,
        source=document.source,
        title=given.title or extracted.title,
        text=extracted.text,
        # The page's own date (its uncertainty kept) before the capture time, the date of last resort.
        published=given_published or normalize_published(extracted.published) or normalize_published(given.captured),
        published_uncertain=not given_published and bool(normalize_published(extracted.published)) and extracted.published_uncertain,
        language=normalize_language(given.language) or detect_language(extracted.text),
        outlet=given.outlet or extracted.outlet or outlet_from_url(given.url),
        author=given.author or extracted.author,
        url=given.url or extracted.url,
        external_id=given.external_id,
    )


def as_bare_article(document: RawDocument) -> Article | None:
    """The document's decoded text as an article, uncleaned (None when there is no text at all)."""
    text = repair(decode(document.body, html=document.kind == "html")).strip()
    if not text or document.kind == "html":
        return None
    return Article(
        id=document.id, source=document.source, title=None, text=text, published=None, outlet=None,
        language=normalize_language(document.given.language) or detect_language(text), external_id=document.given.external_id,
    )


def clean_or_problem(document: RawDocument) -> Article | InputProblem:
    """``clean`` with its failure returned as a value (picklable: used by worker processes)."""
    try:
        return clean(document)
    except InputError as exc:
        return InputProblem(document.source, exc.message, document.given.external_id)
