"""What the JSON routes and the pages share: the store served, and the parameters of lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request

from storyline.api import Storyline
from storyline.model import Page

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Empty is allowed: a submitted form sends its blank fields.
_DAY = r"^(\d{4}-\d{2}-\d{2})?$"


def storyline_of(request: Request) -> Storyline:
    """The store this app serves (set by ``create_app``)."""
    sl: Storyline = request.app.state.storyline
    return sl


def story_filters(
    since: Annotated[str | None, Query(pattern=_DAY, description="Stories with an article published on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, Query(pattern=_DAY, description="... published on or before this day (YYYY-MM-DD).")] = None,
    language: Annotated[str | None, Query(max_length=8, description="... in this language (ISO 639-1: en, fr, ...).")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="... from this outlet (any case).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="... whose title or text holds all these words.")] = None,
) -> dict[str, Any]:
    """Filters of the story list, as keyword arguments of ``Storyline.stories``."""
    return {"since": since or None, "until": until or None, "language": language or None, "outlet": outlet or None, "query": q or None}


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, description="Items to skip (the `next` link sets it).")] = 0,
) -> Paging:
    return Paging(limit, offset)


def next_url(request: Request, page: Page[Any]) -> str | None:
    """The URL of the page after ``page`` (this request's URL with another offset), or None on the last."""
    offset = page.next_offset
    return None if offset is None else str(request.url.include_query_params(offset=offset))
