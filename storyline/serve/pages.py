"""The web pages: the river of stories, a story, an article, an entity, search, sources. Server-rendered, no script.

Each page is one template in ``templates/``; each section of a page is a template
block, so a new section (a story's timeline, its agreed facts, its quotes) is a new
block fed by a new field of the page's context.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from storyline.api import Storyline, source_record
from storyline.ingest.sources import format_every
from storyline.model import Article, Entity, Page, Story
from storyline.serve.params import (
    Paging,
    StoryListing,
    paging,
    requested_article,
    requested_entity,
    requested_story,
    story_listing,
    storyline_of,
)
from storyline.serve.templating import day, templates

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Share:
    """One row of a coverage table: a value (an outlet, a language, a day) and its number of articles."""

    label: str
    articles: int
    percent: float  # of the largest row, for the bar


@dataclass(frozen=True)
class PageLinks:
    previous: str | None
    next: str | None


def _shares(values: list[str]) -> list[Share]:
    counts = Counter(values)
    most = max(counts.values(), default=1)
    return [Share(label, n, round(100 * n / most, 1)) for label, n in counts.items()]


def coverage(story: Story) -> dict[str, list[Share]]:
    """How a story was covered: articles by outlet and by language (most first), and by day (in order)."""
    by_outlet = sorted(_shares([a.outlet or "unknown outlet" for a in story.articles]), key=lambda s: (-s.articles, s.label))
    by_language = sorted(_shares([a.language or "unknown" for a in story.articles]), key=lambda s: (-s.articles, s.label))
    by_day = sorted(_shares([day(a.published) or "undated" for a in story.articles]), key=lambda s: s.label)
    return {"outlet": by_outlet, "language": by_language, "day": by_day}


def page_links(request: Request, page: Page[Any]) -> PageLinks:
    """Links to the pages before and after ``page``, keeping the other query parameters."""

    def at(offset: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
        if offset:
            params["offset"] = str(offset)
        return f"{request.url.path}?{urlencode(params)}" if params else request.url.path

    limit = page.limit or len(page) or 1
    previous = at(max(0, page.offset - limit)) if page.offset > 0 else None
    return PageLinks(previous, None if page.next_offset is None else at(page.next_offset))


@router.get("/")
def river(request: Request, listing: Annotated[StoryListing, Depends(story_listing)]) -> Response:
    context = {
        "stories": listing.page,
        "filters": listing.filters,
        "links": page_links(request, listing.page),
        "filtered": any(listing.filters.values()),
    }
    return templates.TemplateResponse(request, "river.html", context)


@router.get("/stories/{story_id}")
def story_page(request: Request, story: Annotated[Story, Depends(requested_story)]) -> Response:
    titles = {a.id: a.title for a in story.articles}
    context = {
        "story": story, "coverage": coverage(story), "titles": titles,
        "outlet_of": {a.id: a.outlet or "unknown outlet" for a in story.articles},
        "languages": {a.id: a.language or "" for a in story.articles},
    }
    return templates.TemplateResponse(request, "story.html", context)


@dataclass(frozen=True)
class Segment:
    """A stretch of an article's text; marked ones are a name (linked to its entity) or a date."""

    text: str
    kind: str | None = None  # "PERSON", "ORG", "PLACE" or "TIME"
    href: str | None = None
    note: str | None = None  # shown on hover: the entity's name, the date's value


def highlighted(article: Article, names: dict[str, str]) -> list[list[Segment]]:
    """The article's paragraphs cut into segments, names and dates marked (no mark overlaps another)."""
    marks = sorted(
        [(m.start, m.end, m.type, f"/entities/{quote(m.entity_id)}", names.get(m.entity_id)) for m in article.mentions if m.entity_id]
        + [(t.start, t.end, "TIME", None, t.value) for t in article.times]
    )
    paragraphs: list[list[Segment]] = []
    for paragraph in re.finditer(r"\S(?:.|\n(?!\n))*", article.text):
        segments, position = [], paragraph.start()
        for start, end, kind, href, note in marks:
            if start < position or end > paragraph.end():
                continue
            if start > position:
                segments.append(Segment(article.text[position:start]))
            segments.append(Segment(article.text[start:end], kind, href, note))
            position = end
        segments.append(Segment(article.text[position : paragraph.end()]))
        paragraphs.append(segments)
    return paragraphs


@router.get("/articles/{article_id}")
def article_page(
    request: Request, article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    story = sl.story(article.story_id) if article.story_id else None
    original = sl.article(article.duplicate_of) if article.duplicate_of else None
    analysis = sl.article_export(article)
    names = {e["id"]: e["name"] for e in analysis["entities"]}
    context = {
        "article": article, "story": story, "original": original, "analysis": analysis,
        "paragraphs": highlighted(article, names),
    }
    return templates.TemplateResponse(request, "article.html", context)


@router.get("/entities/{entity_id}")
def entity_page(
    request: Request, entity: Annotated[Entity, Depends(requested_entity)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    aliases = sorted(entity.aliases.items(), key=lambda item: (-item[1], item[0]))
    context = {"entity": entity, "aliases": aliases, "stories": sl.entity_stories(entity.id)}
    return templates.TemplateResponse(request, "entity.html", context)


@router.get("/search")
def search_page(
    request: Request,
    page_of: Annotated[Paging, Depends(paging)],
    sl: Annotated[Storyline, Depends(storyline_of)],
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    page = sl.search(q, limit=page_of.limit, offset=page_of.offset) if q.strip() else None
    links = page_links(request, page) if page is not None else PageLinks(None, None)
    return templates.TemplateResponse(request, "search.html", {"q": q, "hits": page, "links": links})


@router.get("/sources")
def sources_page(request: Request, sl: Annotated[Storyline, Depends(storyline_of)]) -> Response:
    pages = sl.source_pages()
    rows = [{**source_record(s, pages.get(s.url, {})), "every": format_every(s.every)} for s in sl.sources()]
    counts = Counter(row["health"] for row in rows)
    return templates.TemplateResponse(request, "sources.html", {"sources": rows, "counts": {h: counts[h] for h in ("ok", "failing", "dead", "new")}})
