"""A web site on loopback for the source tests and benchmarks: a real HTTP server serving real files.

Absolute links inside the files served are rewritten to point back at the site
(``http://host/path`` -> ``{site}/ext/host/path``), so nothing a test fetches ever
leaves the machine; ``/ext/...`` answers 404 unless a route was added for it.
Every request is logged with its headers, for tests that check what was asked.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_URL = re.compile(rb"https?://([A-Za-z0-9.-]+(?::\d+)?)")
_NAMESPACE = re.compile(rb"xmlns(:[\w.-]+)?\s*=\s*[\"']$")


def _is_identifier(body: bytes, start: int) -> bool:
    """A namespace name or a DTD's address: identifiers, not links (rewriting them would break the XML)."""
    before = body[max(0, start - 300) : start]
    if _NAMESPACE.search(before):
        return True
    tag = before[before.rfind(b"<") :] if b"<" in before else b""
    return b">" not in tag and tag.upper().startswith(b"<!DOCTYPE")


@dataclass(frozen=True)
class Asked:
    """One request the site received."""

    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()


@dataclass
class Reply:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # answer If-None-Match with 304 when the body is unchanged


Handler = Callable[[Asked], Reply]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early (a size limit reached) is what some tests check


class LoopbackSite:
    """``with LoopbackSite() as site:`` a threaded HTTP server on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.asked: list[Asked] = []
        self._lock = threading.Lock()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                asked = Asked(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site._lock:
                    site.asked.append(asked)
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                reply = route(asked) if callable(route) else route or Reply(b"not here", "text/plain", 404)
                headers = dict(reply.headers)
                status, body = reply.status, reply.body
                if reply.etag and status == 200:
                    tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    headers.setdefault("ETag", tag)
                    if asked.headers.get("if-none-match") == headers["ETag"]:
                        status, body = 304, b""
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

        self.server = _QuietServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="loopback-site", daemon=True)

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | Reply | Handler, content_type: str = "text/html; charset=utf-8", **options: Any) -> str:
        """Serve ``body`` at ``path`` (a Reply, a handler, or bytes with a content type); returns its URL."""
        self.routes[path] = body if isinstance(body, Reply) or callable(body) else Reply(body, content_type, **options)
        return self.url(path)

    def requests_for(self, path: str) -> list[Asked]:
        """The requests for ``path``, whatever their query string."""
        with self._lock:
            return [a for a in self.asked if a.path.split("?", 1)[0] == path]

    def rewrite(self, body: bytes) -> bytes:
        """``body`` with every absolute link pointing at this site (gzip bodies are rewritten inside)."""
        if body.startswith(b"\x1f\x8b"):
            return gzip.compress(self.rewrite(gzip.decompress(body)))

        def swap(match: re.Match[bytes]) -> bytes:
            if _is_identifier(body, match.start()):
                return match.group(0)
            return f"{self.base}/ext/".encode() + match.group(1)

        return _URL.sub(swap, body)


def links_in(body: bytes) -> Iterator[str]:
    """Every absolute http(s) URL in ``body`` (to check that none leaves the site)."""
    for match in _URL.finditer(body):
        yield match.group(0).decode("ascii", errors="replace")


def write_warc(path: Path, pages: list[tuple[str, bytes, str]], *, revisit_every: int = 0) -> None:
    """A gzipped WARC (one gzip member per record, as crawlers write them) of real pages, with warcio:
    per page (url, html, capture time "YYYY-MM-DDTHH:MM:SSZ") a request and a response record, and
    every ``revisit_every``-th page captured again as a revisit record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests/site.py write_warc", "format": "WARC File Format 1.0"}))
        for i, (url, html, captured) in enumerate(pages):
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request, warc_headers_dict={"WARC-Date": captured}))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(html)))], protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=headers, warc_headers_dict={"WARC-Date": captured})
            writer.write_record(response)
            if revisit_every and i % revisit_every == revisit_every - 1:
                digest = response.rec_headers.get_header("WARC-Payload-Digest")
                writer.write_record(writer.create_revisit_record(url, digest, url, captured, http_headers=headers))
