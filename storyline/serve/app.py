"""The HTTP server: the JSON API and the web pages, one FastAPI app over one ``Storyline``.

Reads run in a pool of threads, each with its own SQLite connection; writes take
turns on a thread of their own (``Writes``): a long write never holds up a read, nor
the event loop. Every response, errors and failures included, carries a strict
Content-Security-Policy and its companions: pages show text from the open web, and
no script may run on them, nor may another site frame them.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

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
T = TypeVar("T")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


# Writes waiting for their turn (one runs at a time): past this a write is answered 503, retry later.
DEFAULT_PENDING_WRITES = 16
# A gzipped upload may expand to this many times the body limit (and at most MAX_GZIP_RATIO times its size).
EXPANSION_OVER_BODY = 10


@dataclass(frozen=True)
class ServeSettings:
    """``token``: the bearer token writes need (None: writes are refused); ``max_body_bytes``: largest request
    body; ``pending_writes``: writes that may wait for their turn before more are refused (503)."""

    token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    pending_writes: int = DEFAULT_PENDING_WRITES

    @property
    def max_upload_bytes(self) -> int:
        """The most one uploaded file may expand to when gzipped."""
        return EXPANSION_OVER_BODY * self.max_body_bytes


class _App(FastAPI):
    """FastAPI with the security headers outside everything, the error middleware included: a 500 has them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(sl: Storyline, settings: ServeSettings = ServeSettings()) -> FastAPI:
    """The ASGI app serving ``sl``; the caller keeps ``sl`` open while the app runs, and closes it."""
    app = _App(
        title="Storyline",
        version=__version__,
        summary="Stories found in news articles, across outlets, days and languages.",
        # The interactive docs load their script from a CDN; /openapi.json works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.storyline = sl
    app.state.settings = settings
    app.state.writes = Writes(settings.pending_writes)
    app.include_router(json_api.health)
    app.include_router(json_api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.mount("/static", StaticFiles(packages=[("storyline.serve", "static")]), name="static")
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


def run(sl: Storyline, *, host: str, port: int, settings: ServeSettings = ServeSettings()) -> None:
    """Serve ``sl`` until interrupted (Ctrl-C)."""
    uvicorn.run(create_app(sl, settings), host=host, port=port, server_header=False, log_level="info")


class Writes:
    """Runs writes one at a time on a thread of their own, so that neither the event loop nor the
    threads that answer reads ever wait for one; at most ``pending`` may wait for their turn."""

    def __init__(self, pending: int) -> None:
        self.pending = pending
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="storyline-writer")
        self._waiting = 0  # changed on the event loop only

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        if self._waiting >= self.pending:
            raise HTTPProblem(
                503, "busy", f"{self._waiting} writes are already waiting their turn; send this one again in a few seconds",
                headers={"Retry-After": "5"},
            )
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(function, *args))
        finally:
            self._waiting -= 1


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
