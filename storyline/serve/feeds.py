"""Atom feeds (RFC 4287): follow a story, an entity, a search or the river in any feed reader.

Each page announces its feed with ``<link rel="alternate" type="application/atom+xml">``.
Entries are articles (for the river: stories), newest first; an entry's link is its page
on this server, and its summary the start of its text. Written with the standard
library's ElementTree, which escapes every value (article text is untrusted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from storyline.api import Storyline
from storyline.model import Article, Entity, Story
from storyline.serve.params import StoryListing, requested_entity, requested_story, story_listing, storyline_of
from storyline.serve.templating import web_link

router = APIRouter(include_in_schema=False)

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
FEED_ENTRIES = 50
SUMMARY_CHARACTERS = 400


@dataclass(frozen=True)
class Entry:
    id: str  # an absolute URL on this server
    title: str
    updated: str  # RFC 3339
    author: str
    summary: str
    language: str | None = None
    original: str | None = None  # the article's own URL, when it is a web address


def _timestamp(published: str | None) -> str:
    """RFC 3339 for an ISO 8601 date or date-time (Atom requires a full time and a zone)."""
    if not published:
        return "1970-01-01T00:00:00Z"
    try:
        value = dt.datetime.fromisoformat(published)
    except ValueError:
        return "1970-01-01T00:00:00Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def article_entry(request: Request, article: Article) -> Entry:
    text = " ".join(article.text.split())
    summary = text if len(text) <= SUMMARY_CHARACTERS else text[:SUMMARY_CHARACTERS].rsplit(" ", 1)[0] + " …"
    return Entry(
        id=str(request.url_for("article_page", article_id=article.id)),
        title=article.title or "(no title)",
        updated=_timestamp(article.published),
        author=article.outlet or "unknown outlet",
        summary=summary,
        language=article.language,
        original=web_link(article.url),
    )


def story_entry(request: Request, story: Story) -> Entry:
    outlets = ", ".join(story.outlets) or "unknown outlets"
    return Entry(
        id=str(request.url_for("story_page", story_id=story.id)),
        title=story.title or "(untitled)",
        updated=_timestamp(story.last_published),
        author=outlets,
        summary=f"{len(story.articles)} articles from {outlets}, in {', '.join(story.languages) or 'unknown languages'}",
    )


def atom(request: Request, title: str, page: str, entries: Sequence[Entry]) -> Response:
    """The feed document: ``page`` is the HTML page it follows (a path on this server)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = str(request.url)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    newest = max((e.updated for e in entries), default=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type=ATOM_TYPE, href=str(request.url))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=str(request.base_url).rstrip("/") + page)
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Storyline"
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}id").text = entry.id
        ET.SubElement(item, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(item, f"{{{ATOM}}}updated").text = entry.updated
        ET.SubElement(item, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=entry.id)
        if entry.original:
            ET.SubElement(item, f"{{{ATOM}}}link", rel="related", type="text/html", href=entry.original)
        author = ET.SubElement(item, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = entry.author
        summary = ET.SubElement(item, f"{{{ATOM}}}summary", type="text")
        summary.text = entry.summary
        if entry.language:
            summary.set("{http://www.w3.org/XML/1998/namespace}lang", entry.language)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/feed")
def river_feed(request: Request, listing: Annotated[StoryListing, Depends(story_listing)]) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return atom(request, "Storyline: latest stories", "/" + query, [story_entry(request, s) for s in listing.page])


@router.get("/stories/{story_id}/feed")
def story_feed(request: Request, story: Annotated[Story, Depends(requested_story)]) -> Response:
    newest = sorted(story.articles, key=lambda a: (a.published or "", a.id), reverse=True)[:FEED_ENTRIES]
    return atom(request, f"Storyline story: {story.title or '(untitled)'}", f"/stories/{story.id}", [article_entry(request, a) for a in newest])


@router.get("/entities/{entity_id}/feed")
def entity_feed(
    request: Request, entity: Annotated[Entity, Depends(requested_entity)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    articles = sl.articles_naming(entity.id, limit=FEED_ENTRIES)
    return atom(request, f"Storyline: articles naming {entity.name}", f"/entities/{entity.id}", [article_entry(request, a) for a in articles])


@router.get("/search/feed")
def search_feed(
    request: Request, sl: Annotated[Storyline, Depends(storyline_of)], q: Annotated[str, Query(min_length=1, max_length=500)]
) -> Response:
    hits = sl.search(q, limit=FEED_ENTRIES, newest_first=True)
    return atom(request, f"Storyline search: {q}", f"/search?{request.url.query}", [article_entry(request, h.article) for h in hits])
