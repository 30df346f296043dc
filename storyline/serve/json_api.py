"""The JSON API under /api/: read stories, articles and search; submit articles; edit stories (merge, split, move, rename, undo).

Objects have the fields of the export format (docs/export-format.md); the routes
and their parameters are in docs/http.md and at /openapi.json.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse

from storyline.api import Storyline, edit_record, entity_record, hit_record, query_term_record, source_record, story_detail, story_summary
from storyline.model import Article, Entity, Story, StoryEdit
from storyline.pipeline import Outcome
from storyline.serve.auth import check_bearer
from storyline.serve.errors import HTTPProblem, validation_problem
from storyline.serve.params import (
    Paging,
    StoryListing,
    hits_by_story,
    page_body,
    paging,
    requested_article,
    requested_entity,
    requested_story,
    story_listing,
    storyline_of,
)

LOGGER = logging.getLogger(__name__)

router = APIRouter(prefix="/api")
health = APIRouter()
bearer = HTTPBearer(auto_error=False, description="The token the server was started with (--token or STORYLINE_TOKEN).")


class ArticleIn(BaseModel):
    """One article to ingest: the fields of a JSONL input line."""

    model_config = ConfigDict(extra="ignore")

    id: str | int | None = None
    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None

    @model_validator(mode="after")
    def _has_a_body(self) -> ArticleIn:
        if not (self.text or "").strip() and not (self.html or "").strip():
            raise ValueError("the article has no body; give its text in 'text' (plain text) or 'html' (a web page)")
        return self


_ARTICLE_LIST: TypeAdapter[list[ArticleIn]] = TypeAdapter(list[ArticleIn])
_ARTICLE_SCHEMA = ArticleIn.model_json_schema()
_WRITE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"oneOf": [_ARTICLE_SCHEMA, {"type": "array", "items": _ARTICLE_SCHEMA}]}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                "required": ["file"],
            }
        },
    },
}


@health.get("/healthz", summary="Is the server up (touches nothing)")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/stories", summary="Stories, most recent first, filtered and paginated")
def list_stories(request: Request, listing: Annotated[StoryListing, Depends(story_listing)]) -> JSONResponse:
    return JSONResponse(page_body(request, "stories", [story_summary(s) for s in listing.page], listing.page, listing.paging))


@router.get("/stories/{story_id}", summary="One story with its articles in full")
def get_story(story: Annotated[Story, Depends(requested_story)]) -> JSONResponse:
    return JSONResponse(story_detail(story))


@router.get("/articles/{article_id}", summary="One article with its analysis (entities, places, dates, quotes, events)")
def get_article(article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)]) -> JSONResponse:
    return JSONResponse(sl.article_export(article))


@router.get("/entities/{entity_id}", summary="One entity: its spellings in every language and the stories that name it")
def get_entity(entity: Annotated[Entity, Depends(requested_entity)], sl: Annotated[Storyline, Depends(storyline_of)]) -> JSONResponse:
    stories = [asdict(s) for s in sl.entity_stories(entity.id)]
    return JSONResponse({**entity_record(entity), "stories": stories})


@router.get("/search", summary="Articles holding every word of q (names in any spelling), best match first, grouped by story")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find in titles and texts; `word*` for a prefix.")],
    page_of: Annotated[Paging, Depends(paging)],
    sl: Annotated[Storyline, Depends(storyline_of)],
) -> JSONResponse:
    page = sl.search(q, limit=page_of.limit, offset=page_of.offset)
    body = page_body(request, "articles", [hit_record(hit) for hit in page], page, page_of)
    terms = [query_term_record(t) for t in sl.query_terms(q)]
    groups = [{"id": g.story_id, "title": g.title, "articles": [h.article.id for h in g.hits]} for g in hits_by_story(sl, page)]
    return JSONResponse({"query": q, "terms": terms, **body, "stories": groups})


@router.get("/sources", summary="The watched feeds, sitemaps and pages, with the health of their polling")
def list_sources(sl: Annotated[Storyline, Depends(storyline_of)]) -> JSONResponse:
    pages = sl.source_pages()
    return JSONResponse({"sources": [source_record(s, pages.get(s.url, {})) for s in sl.sources()]})


@router.post(
    "/articles",
    summary="Submit articles (JSON or file upload); answers with the story of each",
    status_code=201,
    openapi_extra={"requestBody": _WRITE_BODY},
    responses={
        200: {"description": "Every article was already stored"},
        401: {"description": "No token, or not the right one"},
        403: {"description": "The server was started without a token: it accepts no writes"},
        413: {"description": "The body is over the size limit"},
        422: {"description": "The body is not articles, or none of them could be ingested"},
    },
)
async def submit_articles(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    sl: Annotated[Storyline, Depends(storyline_of)],
) -> JSONResponse:
    check_bearer(request.app.state.settings.token, credentials)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        uploads = await _uploads(request)
        outcomes = await run_in_threadpool(_ingest_uploads, sl, uploads)
    elif content_type == "application/json" or content_type.endswith("+json"):
        records = _records(await request.body())
        outcomes = await run_in_threadpool(sl.ingest_records, records, source="http")
    else:
        raise HTTPProblem(
            415, "unsupported_media_type",
            f"cannot read a body of type {content_type or '(none)'!r}; send application/json (an article or a list) "
            "or multipart/form-data (files in the field 'file')",
        )
    results = [outcome_record(o) for o in outcomes]
    added = sum(o.status == "added" for o in outcomes)
    LOGGER.info("POST /api/articles: %d inputs, %d added, %d failed", len(outcomes), added, sum(o.status == "failed" for o in outcomes))
    if all(o.status == "failed" for o in outcomes):
        raise HTTPProblem(422, "nothing_ingested", "no article could be ingested; detail says why for each input", detail=results)
    return JSONResponse({"articles": results}, status_code=201 if added else 200)


def _records(body: bytes) -> list[dict[str, Any]]:
    """The articles of a JSON body, all checked before any is ingested."""
    try:
        parsed = json.loads(body)
    except UnicodeDecodeError as exc:
        raise HTTPProblem(400, "invalid_json", f"the body is not UTF-8 (byte {exc.start}); send JSON encoded as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise HTTPProblem(400, "invalid_json", f"the body is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    single = isinstance(parsed, dict)
    if not single and not isinstance(parsed, list):
        kind = "null" if parsed is None else {str: "string", bool: "boolean"}.get(type(parsed), "number")
        raise HTTPProblem(422, "invalid_request", f"the body is a JSON {kind}; send an article object or a list of them")
    try:
        articles = _ARTICLE_LIST.validate_python([parsed] if single else parsed)
    except ValidationError as exc:
        # Errors of a lone article are reported at its fields, not at a list index it never had.
        errors = [{**e, "loc": ("body", *e["loc"][1 if single else 0 :])} for e in exc.errors()]
        raise validation_problem(errors, "articles") from None
    if not articles:
        raise HTTPProblem(422, "invalid_request", "the list of articles is empty; send at least one")
    return [a.model_dump(exclude_none=True) for a in articles]


async def _uploads(request: Request) -> list[tuple[str, bytes]]:
    form = await request.form()
    try:
        values = form.getlist("file")
        files = [value for value in values if isinstance(value, UploadFile)]
        if not files or len(files) < len(values):
            raise HTTPProblem(422, "invalid_request", "no file in the form; send each file (.txt, .html, .jsonl) in a field named 'file'")
        return [(file.filename or "upload.txt", await file.read()) for file in files]
    finally:
        await form.close()


def _ingest_uploads(sl: Storyline, uploads: list[tuple[str, bytes]]) -> list[Outcome]:
    return [outcome for name, content in uploads for outcome in sl.ingest_upload(name, content)]


def outcome_record(outcome: Outcome) -> dict[str, Any]:
    """What happened to one submitted input."""
    return {
        "id": outcome.article_id,
        "external_id": outcome.external_id,
        "source": outcome.source,
        "status": outcome.status,
        "story": outcome.story_id,
        "new_story": outcome.new_story,
        "duplicate_kind": outcome.duplicate_kind,
        "error": outcome.problem,
    }


# ---- analysts' edits ---------------------------------------------------------------------


class MergeIn(BaseModel):
    story: str = Field(max_length=200, description="The story to merge into this one (its id then leads here).")


class SplitIn(BaseModel):
    articles: list[Annotated[str, Field(max_length=500)]] = Field(min_length=1, max_length=1000, description="Articles to take out (ids or input ids).")
    title: str | None = Field(default=None, max_length=300, description="The new story's title (default: its most central headline).")


class RenameIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)


class MoveIn(BaseModel):
    story: str = Field(max_length=200, description="The story the article goes to.")


_EDIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or not the right one"},
    403: {"description": "The server was started without a token: it accepts no writes"},
    404: {"description": "No such story or article"},
}


def token_writer(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Writes need the server's token (``Authorization: Bearer TOKEN``)."""
    check_bearer(request.app.state.settings.token, credentials)


Writer = Annotated[None, Depends(token_writer)]


def _edited(sl: Storyline, edit: StoryEdit) -> JSONResponse:
    story = sl.story(edit.story_id)
    return JSONResponse({"edit": edit_record(edit), "story": story_summary(story) if story else None})


@router.post("/stories/{story_id}/merge", summary="Merge another story into this one", responses=_EDIT_RESPONSES)
def merge_story(
    _: Writer, body: MergeIn, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> JSONResponse:
    return _edited(sl, sl.merge_stories(story.id, body.story, by="http"))


@router.post("/stories/{story_id}/split", summary="Take articles out of this story into a new one", responses=_EDIT_RESPONSES)
def split_story(
    _: Writer, body: SplitIn, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> JSONResponse:
    return _edited(sl, sl.split_story(story.id, body.articles, title=body.title, by="http"))


@router.post("/stories/{story_id}/rename", summary="Give this story a title of your own", responses=_EDIT_RESPONSES)
def rename_story(
    _: Writer, body: RenameIn, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> JSONResponse:
    return _edited(sl, sl.rename_story(story.id, body.title, by="http"))


@router.post("/articles/{article_id}/move", summary="Move this article (and its copies) to another story", responses=_EDIT_RESPONSES)
def move_article(
    _: Writer, body: MoveIn, article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> JSONResponse:
    return _edited(sl, sl.move_article(article.id, body.story, by="http"))


@router.get("/edits", summary="The analysts' edits, most recent first")
def list_edits(request: Request, page_of: Annotated[Paging, Depends(paging)], sl: Annotated[Storyline, Depends(storyline_of)]) -> JSONResponse:
    page = sl.edits(limit=page_of.limit, offset=page_of.offset)
    return JSONResponse(page_body(request, "edits", [edit_record(e) for e in page], page, page_of))


@router.post("/edits/{edit_id}/undo", summary="Undo an edit", responses=_EDIT_RESPONSES)
def undo_edit(_: Writer, edit_id: Annotated[int, PathParam(ge=1)], sl: Annotated[Storyline, Depends(storyline_of)]) -> JSONResponse:
    if sl.edit(edit_id) is None:
        raise HTTPProblem(404, "not_found", f"no edit {edit_id} in this store; GET /api/edits lists them")
    return _edited(sl, sl.undo(edit_id, by="http"))
