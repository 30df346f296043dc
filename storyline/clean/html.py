"""Clean an HTML page with trafilatura (text, title, author, site) and htmldate (date)."""

from __future__ import annotations

import logging
import re

import lxml.html

from storyline.clean import boilerplate as bp
from storyline.clean.extracted import Extracted
from storyline.clean.metadata import outlet_from_cues, outlet_from_url

LOGGER = logging.getLogger(__name__)

# htmldate: look in the text too, and prefer the original publication date to the last update.
_DATE_PARAMS = {"extensive_search": True, "original_date": True}


def extract_html(html: str, *, url: str | None = None) -> Extracted:
    """Article body and metadata of one page; empty text when trafilatura finds no article."""
    import trafilatura  # imported on first use: read-only commands import this module and never clean

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None:
        return Extracted(text="")
    title = (document.title or "").strip() or None
    paragraphs = [line.strip() for line in (document.text or "").split("\n") if line.strip()]
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    # trafilatura keeps some furniture inside the article element (share prompts,
    # photo credits, "Read more"); the plain-text rules catch those lines.
    paragraphs = [p for p in paragraphs if not (bp.matches_pattern(p) or bp.is_caption_with_credit(p))]
    return Extracted(
        text="\n\n".join(paragraphs),
        title=title,
        published=document.date,
        outlet=_outlet(document.sitename, html) or outlet_from_url(document.hostname or url),
        author=(document.author or "").strip() or None,
        url=document.url or url,
    )


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).lower() == re.sub(r"\W+", "", b).lower()


def _outlet(sitename: str | None, html: str) -> str | None:
    """og:site_name when the page has it; trafilatura falls back to the host name, the page's own words are better."""
    sitename = (sitename or "").strip()
    if sitename and not re.fullmatch(r"[\w.-]+\.[a-z]{2,}", sitename, re.IGNORECASE):
        return sitename
    return _outlet_from_page(html) or sitename or None


def _outlet_from_page(html: str) -> str | None:
    """The outlet named in the page's own furniture (copyright footer, app prompt)."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    lines = [line.strip() for line in tree.text_content().split("\n") if line.strip()]
    return outlet_from_cues(lines)
