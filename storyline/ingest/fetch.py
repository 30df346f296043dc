"""Fetch a URL from the web, bounded and politely: the one way Storyline's ingest makes requests.

Every request: http(s) only, to public addresses only (``safety``), allowed by the host's
robots.txt, at the host's turn (``politeness.HostGate``), with a time limit for the whole
request and a cap on the bytes read (a hostile server can neither stall a watch nor fill
its memory), conditional (ETag, Last-Modified) when the caller knows the last answer, and
redirects followed by hand so each hop is checked like the first.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from storyline.errors import FetchError
from storyline.ingest.politeness import HostGate, HostPaused, RobotsRules, host_of, retry_after
from storyline.ingest.safety import RefusedAddress, GuardedTransport, check_url

LOGGER = logging.getLogger(__name__)

ROBOTS_AGENT = "Storyline"
REDIRECTS = {301, 302, 303, 307, 308}
# Without a Retry-After, a 429 or 503 still pauses the host this long.
DEFAULT_RETRY_AFTER = 60.0
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt


@dataclass(frozen=True)
class FetchSettings:
    """How Storyline behaves on the web.

    ``contact``: an e-mail or URL put in the User-Agent, so a site owner can reach you.
    ``allow_private_addresses``: also fetch from loopback, private, link-local addresses
    (intranets, tests); ``allowed_networks`` lifts the rule for some networks only
    (``("10.20.0.0/16",)``: one intranet). ``delay``: seconds between two requests to one host.
    ``timeout``: seconds for a whole request, body included. ``obey_robots``: off only
    for benchmarks against a local server.
    """

    contact: str | None = None
    allow_private_addresses: bool = False
    allowed_networks: tuple[str, ...] = ()
    delay: float = 1.0
    timeout: float = 30.0
    max_page_bytes: int = 10 * 1024 * 1024
    max_source_bytes: int = 50 * 1024 * 1024  # a sitemap may be 50 MB uncompressed (sitemaps.org)
    max_redirects: int = 5
    obey_robots: bool = True

    @property
    def user_agent(self) -> str:
        from storyline import __version__  # the package imports this module

        contact = f"contact: {self.contact}" if self.contact else "no contact given"
        return f"{ROBOTS_AGENT}/{__version__} (self-hosted news monitor; {contact})"


@dataclass(frozen=True)
class Response:
    """A final answer (not a redirect): its status, headers and body (empty for 304 and errors)."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    fetched: str  # ISO 8601 UTC

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip(" \"'"):
                return value.strip(" \"'").lower()
        return None


class HTTPFailure(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, source: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, source=source)
        self.status = status
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """Asking again will not help (the page is gone, forbidden, or the request is wrong)."""
        return self.status in {400, 401, 403, 404, 405, 406, 410, 414, 451}


class Unreachable(FetchError):
    """No answer: DNS, connection, TLS, a timeout, a broken stream. Worth trying again later."""


class Paused(FetchError):
    """Not asked: the host asked for a pause (Retry-After, Crawl-delay) that is not over."""

    def __init__(self, message: str, *, source: str, retry_after: float) -> None:
        super().__init__(message, source=source)
        self.retry_after = retry_after


class Refused(FetchError):
    """Storyline will not fetch this: robots.txt forbids it, or the answer is too large or of the wrong type."""


_STATUS_MEANINGS = {
    401: "the page needs a login; Storyline fetches only public pages",
    403: "the site refuses Storyline; it may block crawlers",
    404: "nothing at this address; check the URL",
    410: "the page is gone for good",
    451: "unavailable for legal reasons",
    500: "the server failed; it will be asked again later",
    502: "a gateway failed; it will be asked again later",
    504: "a gateway timed out; it will be asked again later",
}


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Fetcher:
    """Fetches URLs under ``FetchSettings``; safe to share between threads. Close it when done."""

    def __init__(self, settings: FetchSettings = FetchSettings()) -> None:
        self.settings = settings
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        self.client = httpx.Client(
            transport=GuardedTransport(
                allow_private=settings.allow_private_addresses, allowed_networks=settings.allowed_networks, limits=limits
            ),
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(min(10.0, settings.timeout)),
            follow_redirects=False,
            trust_env=False,
        )
        self.gate = HostGate(settings.delay)
        self.robots = RobotsRules(ROBOTS_AGENT, self._robots_txt, self.gate, passthrough=(RefusedAddress,))

    def close(self) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "*/*",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """The final answer to GET ``url``: 2xx with its body, or 304 when unchanged since ``etag``/``last_modified``.

        Raises:
            RefusedAddress: the URL or a redirect leads to a non-public address, or is not http(s).
            Refused: robots.txt forbids it, or the body is over ``max_bytes``.
            HTTPFailure: an error status (429 and 503 also pause the host for their Retry-After).
            Paused: the host asked for a pause longer than the request's time limit.
            Unreachable: no usable answer in time.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.settings.timeout
        current = url
        for _ in range(self.settings.max_redirects + 1):
            check_url(current)
            refusal = self.robots.refusal(current) if self.settings.obey_robots else None
            if refusal:
                message, passing = refusal
                raise (Unreachable if passing else Refused)(message, source=current)
            host = host_of(current)
            try:
                with self.gate.turn(host, patience=self.settings.timeout):
                    response = self._request(url, current, headers, deadline, max_bytes)
            except HostPaused as exc:
                raise Paused(f"not asked: {exc} (Retry-After or Crawl-delay); tried again after it", source=current, retry_after=exc.seconds) from None
            location = response.headers.get("location")
            if response.status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            if response.status in {429, 503}:
                wait = retry_after(response.headers.get("retry-after"))
                self.gate.pause(host, DEFAULT_RETRY_AFTER if wait is None else wait)
                raise HTTPFailure(
                    f"HTTP {response.status}: the server asks to come back "
                    + (f"in {wait:.0f} s" if wait is not None else "later"),
                    source=current, status=response.status, retry_after=wait,
                )
            if response.status >= 400 or response.status < 200 or (response.status >= 300 and response.status != 304):
                meaning = _STATUS_MEANINGS.get(response.status, "the server answered with an error")
                raise HTTPFailure(f"HTTP {response.status}: {meaning}", source=current, status=response.status)
            LOGGER.info("GET %s: %d, %d bytes", current, response.status, len(response.body))
            return response
        raise Unreachable(f"more than {self.settings.max_redirects} redirects; the URL loops or moved too often", source=url)

    def _request(self, asked: str, url: str, headers: dict[str, str], deadline: float, max_bytes: int) -> Response:
        try:
            with self.client.stream("GET", url, headers=headers) as answer:
                body = b""
                if 200 <= answer.status_code < 300:
                    body = self._read(answer, url, deadline, max_bytes)
                return Response(asked, url, answer.status_code, answer.headers, body, now_iso())
        except RefusedAddress as exc:
            raise RefusedAddress(exc.message, source=url) from None
        except httpx.TimeoutException:
            raise Unreachable(f"no answer within {self.settings.timeout:.0f} s; the server is slow or down", source=url) from None
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot be fetched ({type(exc).__name__}: {exc})", source=url) from None

    def _read(self, answer: httpx.Response, url: str, deadline: float, max_bytes: int) -> bytes:
        """The body, decompressed, refused once over ``max_bytes`` or past the deadline."""
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and "content-encoding" not in answer.headers and int(declared) > max_bytes:
            raise Refused(f"is {int(declared):,} bytes, over the {max_bytes:,} byte limit", source=url)
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise Refused(f"is over the {max_bytes:,} byte limit (decompressed); not read further", source=url)
            if time.monotonic() > deadline:
                raise Unreachable(f"took over {self.settings.timeout:.0f} s to send; given up", source=url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _robots_txt(self, url: str) -> tuple[int, str]:
        """robots.txt, fetched under the same rules as any URL, except robots.txt itself."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            check_url(current)
            with self.gate.turn(host_of(current), patience=self.settings.timeout):
                response = self._request(url, current, {"Accept": "text/plain"}, time.monotonic() + self.settings.timeout, MAX_ROBOTS_BYTES)
            location = response.headers.get("location")
            if response.status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            return response.status, response.body.decode("utf-8", errors="replace")
        return 404, ""
