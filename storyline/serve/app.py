"""The HTTP server: the JSON API and the web pages, one FastAPI app over one ``Storyline``.

Reads run in a pool of threads, each with its own SQLite connection; writes take
turns inside ``Storyline`` (one thread at a time, one process at a time on the
file). Every response carries a strict Content-Security-Policy: pages show text
from the open web, and no script may run on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline import __version__
from storyline.api import Storyline
from storyline.serve import errors, feeds, json_api, pages
from storyline.serve.errors import HTTPProblem, error_body

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


@dataclass(frozen=True)
class ServeSettings:
    """``token``: the bearer token writes need (None: writes are refused); ``max_body_bytes``: largest request body."""

    token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def create_app(sl: Storyline, settings: ServeSettings = ServeSettings()) -> FastAPI:
    """The ASGI app serving ``sl``; the caller keeps ``sl`` open while the app runs, and closes it."""
    app = FastAPI(
        title="Storyline",
        version=__version__,
        summary="Stories found in news articles, across outlets, days and languages.",
        # The interactive docs load their script from a CDN; /openapi.json works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.storyline = sl
    app.state.settings = settings
    app.include_router(json_api.health)
    app.include_router(json_api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.mount("/static", StaticFiles(packages=[("storyline.serve", "static")]), name="static")
    errors.install(app)
    # The last added is the outermost: even a body refused for its size gets the security headers.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def run(sl: Storyline, *, host: str, port: int, settings: ServeSettings = ServeSettings()) -> None:
    """Serve ``sl`` until interrupted (Ctrl-C)."""
    uvicorn.run(create_app(sl, settings), host=host, port=port, server_header=False, log_level="info")


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, before anything reads them whole.

    A body announced too large (Content-Length) is refused before the app sees the
    request; one that grows too large while streaming fails the read in the app.
    """

    # Of a body announced too large, read (and drop) this much so the client, still
    # sending, gets to read the answer; past it the connection is simply closed.
    DRAIN_BYTES = 64 * 1024 * 1024

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _problem(self) -> HTTPProblem:
        return HTTPProblem(
            413, "too_large", f"the request body is over the {self.max_bytes:,} byte limit; send fewer articles per request"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._drain(receive)
            problem = self._problem()
            response = JSONResponse(error_body(problem.code, problem.message), problem.status, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._problem()
            return message

        await self.app(scope, limited_receive, send)

    async def _drain(self, receive: Receive) -> None:
        drained = 0
        while drained < self.DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return
