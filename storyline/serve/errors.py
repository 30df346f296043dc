"""One error shape for every failed request.

    {"error": {"code": "not_found", "message": "no story 's-1234' in this store", "detail": null}}

``code`` is stable (scripts branch on it), ``message`` is a sentence for people
that says what to do, ``detail`` holds structured context (the invalid fields of
a request, the result of each input of a write) or null. Browsers asking for a
page get the same code and message as an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from storyline.errors import ConfigError, InputError, StoreError, StorylineError, TermsVersionError
from storyline.serve.templating import templates

LOGGER = logging.getLogger(__name__)

# Codes of the HTTP statuses Starlette raises by itself (unknown route, wrong method, ...).
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
}


class HTTPProblem(Exception):
    """Raised by routes (and middleware) to answer with an error in the one shape."""

    def __init__(self, status: int, code: str, message: str, *, detail: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def problem_response(request: Request, problem: HTTPProblem) -> Response:
    """JSON, unless a browser asks for a page outside the API."""
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(
            request, "error.html", {"status": problem.status, "code": problem.code, "message": problem.message},
            status_code=problem.status, headers=problem.headers,
        )
    return JSONResponse(error_body(problem.code, problem.message, problem.detail), problem.status, headers=problem.headers)


def validation_detail(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors without the echoed input (it can be large, and is the client's own)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


def validation_problem(errors: Any, what: str) -> HTTPProblem:
    detail = validation_detail(errors)
    fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in detail)
    return HTTPProblem(422, "invalid_request", f"invalid {what}: {fields}; see docs/http.md", detail=detail)


def _from_storyline_error(exc: StorylineError) -> HTTPProblem:
    if isinstance(exc, ConfigError):
        return HTTPProblem(400, "invalid_parameter", exc.message)
    if isinstance(exc, InputError):
        return HTTPProblem(422, "invalid_input", str(exc))
    if isinstance(exc, TermsVersionError):  # waiting does not help: the store must be reindexed (its location stays in the log)
        LOGGER.error("write refused: %s", exc)
        return HTTPProblem(
            409, "store_needs_reindex",
            f"the store's terms were counted by another version of Storyline (terms version {exc.stored}; this server counts them in "
            f"version {exc.current}), so no article can be added or story edited until its administrator runs `storyline reindex-terms`; "
            "reading works",
        )
    if isinstance(exc, StoreError):  # its message names the store's file: the log has it, the client does not
        LOGGER.error("store unavailable: %s", exc)
        return HTTPProblem(503, "store_unavailable", "the store cannot be read or written just now; try again shortly", headers={"Retry-After": "5"})
    LOGGER.error("failed: %s", exc)
    return HTTPProblem(500, "internal_error", "the server failed on this request; its log says why")


def install(app: FastAPI) -> None:
    """Answer every error, expected or not, in the one shape."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPProblem)
        return problem_response(request, exc)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = {
            404: f"nothing at {request.url.path}; the API is under /api/ (see /openapi.json), the pages start at /",
            405: f"{request.method} is not allowed on {request.url.path}",
        }.get(exc.status_code, str(exc.detail))
        return problem_response(request, HTTPProblem(exc.status_code, code, message, headers=dict(exc.headers or {})))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(request, validation_problem(exc.errors(), "parameters"))

    async def on_storyline_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StorylineError)
        return problem_response(request, _from_storyline_error(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback after this answer is sent.
        return problem_response(request, HTTPProblem(500, "internal_error", "the server failed on this request; its log says why"))

    app.add_exception_handler(HTTPProblem, on_problem)
    app.add_exception_handler(HTTPException, on_http_exception)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StorylineError, on_storyline_error)
    app.add_exception_handler(Exception, on_unexpected)
