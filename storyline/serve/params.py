"""What the JSON routes and the pages share: the store served, the story or article a path names,
and the parameters of lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from storyline.api import Storyline
from storyline.model import Article, Entity, Page, SearchHit, Story
from storyline.serve.errors import HTTPProblem

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Empty is allowed: a submitted form sends its blank fields.
_DAY = r"^(\d{4}-\d{2}-\d{2})?$"


# Dependencies that only read the request are async: FastAPI runs them on the event loop,
# where a plain `def` would cost a trip to the thread pool. Those that read the store are not.


async def storyline_of(request: Request) -> Storyline:
    """The store this app serves (set by ``create_app``)."""
    sl: Storyline = request.app.state.storyline
    return sl


StoryId = Annotated[str, Path(max_length=200, description="A story id: `s-` and 16 hex digits.")]
ArticleId = Annotated[str, Path(max_length=500, description="A Storyline article id, or the `id` given in the input.")]
EntityId = Annotated[str, Path(max_length=100, description="An entity id: `e-` and 12 hex digits.")]


def requested_story(story_id: StoryId, sl: Annotated[Storyline, Depends(storyline_of)]) -> Story:
    """The story the path names; 404 when there is none."""
    story = sl.story(story_id)
    if story is None:
        raise HTTPProblem(404, "not_found", f"no story {story_id!r} in this store; the list of stories (/ or /api/stories) has them all")
    return story


def requested_entity(entity_id: EntityId, sl: Annotated[Storyline, Depends(storyline_of)]) -> Entity:
    """The entity the path names; 404 when there is none."""
    entity = sl.entity(entity_id)
    if entity is None:
        raise HTTPProblem(404, "not_found", f"no entity {entity_id!r} in this store; articles link to the entities they name")
    return entity


def requested_article(article_id: ArticleId, sl: Annotated[Storyline, Depends(storyline_of)]) -> Article:
    """The article the path names; 404 when there is none."""
    article = sl.article(article_id)
    if article is None:
        raise HTTPProblem(404, "not_found", f"no article {article_id!r} in this store; search finds articles (/search or /api/search)")
    return article


async def story_filters(
    since: Annotated[str | None, Query(pattern=_DAY, description="Stories with an article published on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, Query(pattern=_DAY, description="... published on or before this day (YYYY-MM-DD).")] = None,
    language: Annotated[str | None, Query(max_length=8, description="... in this language (ISO 639-1: en, fr, ...).")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="... from this outlet (any case).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="... whose title or text holds all these words (names in any spelling).")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="... naming this entity (an id, or a name).")] = None,
) -> dict[str, Any]:
    """Filters of the story list, as keyword arguments of ``Storyline.stories``."""
    return {
        "since": since or None, "until": until or None, "language": language or None, "outlet": outlet or None, "query": q or None,
        "entity": entity or None,
    }


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, description="Items to skip (the `next` link sets it).")] = 0,
) -> Paging:
    return Paging(limit, offset)


def next_url(request: Request, page: Page[Any]) -> str | None:
    """The URL of the page after ``page`` (this request's URL with another offset), or None on the last."""
    offset = page.next_offset
    return None if offset is None else str(request.url.include_query_params(offset=offset))


@dataclass(frozen=True)
class StoryListing:
    """The stories a request asks for: its filters, and the page of stories that match them."""

    filters: dict[str, Any]
    paging: Paging
    page: Page[Story]


def story_listing(
    filters: Annotated[dict[str, Any], Depends(story_filters)],
    page_of: Annotated[Paging, Depends(paging)],
    sl: Annotated[Storyline, Depends(storyline_of)],
) -> StoryListing:
    return StoryListing(filters, page_of, sl.stories(**filters, limit=page_of.limit, offset=page_of.offset))


def page_body(request: Request, name: str, items: list[Any], page: Page[Any], page_of: Paging) -> dict[str, Any]:
    """A JSON page: the ``items`` under ``name``, the total, and the link to the next page."""
    return {name: items, "total": page.total, "limit": page_of.limit, "offset": page_of.offset, "next": next_url(request, page)}


@dataclass(frozen=True)
class StoryHits:
    """The hits of a search page that belong to one story."""

    story_id: str
    title: str | None
    hits: list[SearchHit]


def hits_by_story(sl: Storyline, page: Page[SearchHit]) -> list[StoryHits]:
    """A page of hits grouped by story, the story of the best hit first."""
    groups: dict[str, list[SearchHit]] = {}
    for hit in page:
        groups.setdefault(hit.article.story_id or "", []).append(hit)
    titles = sl.story_titles(list(groups))
    return [StoryHits(story_id, titles.get(story_id), hits) for story_id, hits in groups.items()]
