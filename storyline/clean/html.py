"""Clean an HTML page with trafilatura (text, title, author, site) and htmldate (date).

On top of trafilatura's metadata: the outlet's name is taken off the title ("Headline - Outlet"),
the outlet comes from the page's own signals (site name, JSON-LD publisher, the title's outlet
segment, the host), and the publisher and repeated spellings are taken out of the author list.
Measured on fundus and trafilatura_eval pages (``bench/metadata.py``).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from storyline.clean import boilerplate as bp
from storyline.clean.extracted import Extracted
from storyline.clean.metadata import outlet_from_url
from storyline.clean.outlets import host_name, same_outlet, strip_outlet, title_segments

LOGGER = logging.getLogger(__name__)

# htmldate: look in the text too, and prefer the original publication date to the last update.
_DATE_PARAMS = {"extensive_search": True, "original_date": True}
# The <title> element: trafilatura reads og:title first, which sites give without their name.
_TITLE_ELEMENT = re.compile(r"<title[^>]{0,200}>([^<]{1,1000})</title>", re.IGNORECASE)
_JSON_LD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_DOMAIN = re.compile(r"[\w.-]{1,253}\.[a-z]{2,}", re.IGNORECASE)  # bounded as in DNS: linear on long words
# "Trine Juncher Jørgensen og Tôrtia Reimer-Johansen": two people joined by "and" in the page's language.
_AND = re.compile(r"\s{1,10}(?:and|und|et|y|e|og|och|en|ve|i|и)\s+", re.IGNORECASE)  # bounded: long space runs


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
    linked = linked_data(html)
    host = document.hostname or outlet_from_url(url)
    raw_title = (document.title or "").strip()
    title_element = _TITLE_ELEMENT.search(html)
    page_titles = [raw_title] + ([unescape(title_element.group(1)).strip()] if title_element else [])
    outlet = page_outlet(document.sitename, linked.publishers, page_titles, host)
    names = [outlet, document.sitename, *linked.publishers, host, host_name(host)]
    title = strip_outlet(raw_title, names) if raw_title else None
    paragraphs = [line.strip() for line in (document.text or "").split("\n") if line.strip()]
    if paragraphs and title and (_same(paragraphs[0], title) or _same(paragraphs[0], raw_title)):
        paragraphs = paragraphs[1:]
    # trafilatura keeps some furniture inside the article element (share prompts,
    # photo credits, "Read more"); the plain-text rules catch those lines.
    paragraphs = [p for p in paragraphs if not (bp.matches_pattern(p) or bp.is_caption_with_credit(p))]
    return Extracted(
        text="\n\n".join(paragraphs),
        title=title,
        published=document.date,
        outlet=outlet,
        author=authors(document.author, linked, names),
        url=document.url or url,
    )


def load_date_parser() -> None:
    """Build the date parser htmldate falls back to now: its first use compiles dateparser's patterns
    for every language (about 1 s of CPU), which a worker would otherwise pay on some article."""
    from htmldate.extractors import get_external_parser

    get_external_parser().get_date_data("warm-up")


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).lower() == re.sub(r"\W+", "", b).lower()


@dataclass
class LinkedData:
    """What the page's JSON-LD records say about who published and wrote it."""

    publishers: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def linked_data(html: str) -> LinkedData:
    """Publisher and author names from every JSON-LD record of the page (malformed records skipped)."""
    found = LinkedData()
    for block in _JSON_LD.findall(html):
        try:
            pending: list[Any] = [json.loads(block)]
        except ValueError:
            continue
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                found.publishers += [n for n in _names(item.get("publisher")) if n not in found.publishers]
                found.authors += [n for n in _names(item.get("author")) if n not in found.authors]
                pending.extend(v for k, v in item.items() if k not in ("publisher", "author") and isinstance(v, (list, dict)))
    return found


def page_outlet(sitename: str | None, publishers: list[str], titles: list[str], host: str | None) -> str | None:
    """The outlet's name as the page gives it.

    The site name (og:site_name, or JSON-LD publisher as trafilatura reads it) unless it is only
    a domain; then the JSON-LD publisher, a segment of the titles (og:title, <title>) that names
    the host ("... - Golem.de", "... | Rheinische Rundschau" on rheinische-rundschau.de), or the
    host itself.
    """
    sitename = (sitename or "").strip().lstrip("@")
    if sitename and not _DOMAIN.fullmatch(sitename):
        return sitename
    if publishers:
        return publishers[0]
    site = host_name(host)
    for title in titles:
        for segment in title_segments(title)[1:]:
            if site and same_outlet(segment, site):
                return segment
    return sitename or host


def authors(found: str | None, linked: LinkedData, outlet_names: list[str | None]) -> str | None:
    """trafilatura's authors, split at "and", without repeats and, when a person is named, without the outlet."""
    if not found:
        return None
    people: list[str] = []
    for entry in found.split(";"):
        for name in _AND.split(entry.strip()) if all(len(p.split()) >= 2 for p in _AND.split(entry.strip())) else [entry.strip()]:
            # trafilatura drops the full stops of initials ("Miguel A Herguedas"): the page's record keeps them.
            name = next((n for n in linked.authors if _same(n, name)), name)
            if name and not any(_same(name, kept) for kept in people):
                people.append(name)
    outlets = [n for n in outlet_names if n]
    persons = [p for p in people if not any(_same(p, n) for n in outlets + linked.publishers)]
    return "; ".join(persons or people) or None
