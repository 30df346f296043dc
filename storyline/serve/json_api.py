"""The JSON API under /api/: read stories, articles and search; submit articles.

Objects have the fields of the export format (docs/export-format.md); the routes
and their parameters are in docs/http.md and at /openapi.json.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse

from storyline.api import Storyline, article_record, entity_record, source_record, story_detail, story_summary
from storyline.model import Article, Entity, SearchHit, Story
from storyline.pipeline import Outcome
from storyline.serve.errors import HTTPProblem, validation_problem
from storyline.serve.params import (
    Paging,
    StoryListing,
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


@router.get("/search", summary="Articles holding every word of q, best match first")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find in titles and texts; `word*` for a prefix.")],
    page_of: Annotated[Paging, Depends(paging)],
    sl: Annotated[Storyline, Depends(storyline_of)],
) -> JSONResponse:
    page = sl.search(q, limit=page_of.limit, offset=page_of.offset)
    return JSONResponse({"query": q, **page_body(request, "articles", [_hit_record(hit) for hit in page], page, page_of)})


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
    _check_token(request.app.state.settings.token, credentials)
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


def _check_token(expected: str | None, credentials: HTTPAuthorizationCredentials | None) -> None:
    if not expected:
        raise HTTPProblem(
            403, "writes_disabled",
            "this server accepts no writes: restart it with --token TOKEN (or STORYLINE_TOKEN set) to enable POST /api/articles",
        )
    if credentials is None:
        raise HTTPProblem(401, "unauthorized", "send the write token as 'Authorization: Bearer TOKEN'", headers={"WWW-Authenticate": "Bearer"})
    # Constant time: the comparison must not tell how much of a guess was right.
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPProblem(
            401, "invalid_token", "the token is not the one this server was started with",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


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


def _hit_record(hit: SearchHit) -> dict[str, Any]:
    record = article_record(hit.article)
    del record["text"]
    return {**record, "snippet": hit.snippet_text}
