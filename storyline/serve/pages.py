"""The web pages: the river of stories, a story, an article, search. Server-rendered, no script.

Each page is one template in ``templates/``; each section of a page is a template
block, so a new section (a story's timeline, its agreed facts, its quotes) is a new
block fed by a new field of the page's context.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from storyline.api import Storyline
from storyline.model import Article, Page, Story
from storyline.serve.params import Paging, StoryListing, paging, requested_article, requested_story, story_listing, storyline_of
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
    return templates.TemplateResponse(request, "story.html", {"story": story, "coverage": coverage(story), "titles": titles})


@router.get("/articles/{article_id}")
def article_page(
    request: Request, article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    story = sl.story(article.story_id) if article.story_id else None
    original = sl.article(article.duplicate_of) if article.duplicate_of else None
    return templates.TemplateResponse(request, "article.html", {"article": article, "story": story, "original": original})


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
