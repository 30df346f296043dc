"""Following sources: poll each when due, fetch the pages its items link to, hand them to the pipeline.

One coordinating thread (the caller's) records what happens in the store. A pool of threads
does the waiting on the network and the parsing, and never touches the store; another
thread runs the pipeline on the pages fetched, a batch at a time, while fetching goes on.
The coordinator sends at most one task per host at a time and takes a few due pages of
each source per round, so a slow, hostile or backlogged source never holds up the others;
every task is bounded in time and bytes by the fetcher.

Crash safety, step by step (each step one transaction):
    poll answered       -> the source's new state and its new pages ("pending")
    page fetched        -> the page's bytes ("fetched")
    pipeline batch      -> the articles (the pipeline's own transaction)
    after the batch     -> each page "stored", with its article
A run killed anywhere loses at most work it never recorded: a poll or a fetch is redone
(it had not been recorded), a fetched page goes through the pipeline from its saved bytes
(not fetched again), and the pipeline does not store an article twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from storyline.analyze.fingerprint import text_hash
from storyline.clean import clean
from storyline.errors import FetchError, InputError, StoreError
from storyline.ingest.feeds import Listing, parse_feed
from storyline.ingest.fetch import Fetcher, FetchSettings, HTTPFailure, Paused, Refused, Response
from storyline.ingest.pages import is_html, page_document
from storyline.ingest.politeness import backoff, host_of
from storyline.ingest.safety import RefusedAddress
from storyline.ingest.sitemaps import TooLarge, gunzip, parse_sitemap
from storyline.ingest.sources import canonical_url, detect_kind, feed_links
from storyline.model import FetchReport, Given, InputProblem, Link, RawDocument, Source, WatchedPage
from storyline.pipeline import Outcome
from storyline.store.base import Store

LOGGER = logging.getLogger(__name__)

SOURCE_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# A page whose host asked for a pause longer than this is put off in the store, not looked at each round.
PUT_OFF = 5.0

# Stores documents and says what became of each, in order (the pipeline, under the store's write lock).
Ingest = Callable[[list[RawDocument]], list[Outcome]]
# Told what happens, one line at a time (for a progress display).
EventCallback = Callable[[str], None]


@dataclass(frozen=True)
class WatchSettings:
    """How ``fetch`` and ``watch`` go about it (``fetch``: the behaviour on the web).

    ``threads``: requests in flight at once (to different hosts). ``dead_after``: seconds
    a source may fail (and at least ``dead_errors`` polls in a row) before it is marked
    dead. ``max_wait``: the longest ``fetch`` waits for pages put off by a Retry-After
    or a backoff before it leaves them to the next run.
    """

    fetch: FetchSettings = FetchSettings()
    threads: int = 8
    batch_size: int = 64
    max_children: int = 25  # child sitemaps read per poll of a sitemap index, newest first
    page_attempts: int = 4
    dead_after: float = 3 * 86400
    dead_errors: int = 5
    max_backoff: float = 86400
    page_retry: float = 60  # first wait after a page failed for a passing reason; doubles each time
    max_wait: float = 120
    store_after: float = 2.0  # the longest a fetched page waits for others to share its pipeline batch


def utc(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")


def later(seconds: float) -> str:
    return utc(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds))


def _seconds_until(moment: str | None) -> float | None:
    if moment is None:
        return None
    return (dt.datetime.fromisoformat(moment) - dt.datetime.now(dt.timezone.utc)).total_seconds()


@dataclass
class _PageAnswer:
    """What fetching a page gave (in a worker thread): its document, or why there is none."""

    response: Response | None = None
    document: RawDocument | None = None
    text_hash: str | None = None  # of the cleaned text, for a page fetched again: did the article change?
    error: FetchError | None = None
    skipped: str | None = None


@dataclass
class _PollAnswer:
    source: Source
    response: Response | None = None
    kind: str | None = None
    listing: Listing | None = None
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    page: _PageAnswer | None = None  # a page source: the page itself
    error: FetchError | None = None


class Watcher:
    """Polls due sources and fetches their pages into the store; ``run`` once (fetch) or until stopped (watch)."""

    def __init__(
        self, store: Store, ingest: Ingest, *, settings: WatchSettings = WatchSettings(), on_event: EventCallback | None = None
    ) -> None:
        self.store = store
        self.ingest = ingest
        self.settings = settings
        self.on_event = on_event or (lambda line: None)
        self.fetcher = Fetcher(settings.fetch)
        self._in_flight: dict[Future[Any], str] = {}  # task -> the host it asks
        self._polling: set[str] = set()
        self._fetching: set[str] = set()
        self._ready: list[tuple[WatchedPage, RawDocument]] = []  # fetched, waiting for the pipeline
        self._ready_since = 0.0
        self._storing: Future[list[Outcome]] | None = None  # the batch in the pipeline
        self._stored_batch: list[tuple[WatchedPage, RawDocument]] = []
        self._store_retry_at = 0.0

    def close(self) -> None:
        self.fetcher.close()

    # ---- the loop ----------------------------------------------------------------

    def run(self, *, once: bool, stop: threading.Event | None = None, everything: bool = False) -> FetchReport:
        """Poll and fetch until ``stop`` is set. With ``once``: poll every source due now (every live
        source with ``everything``) once, fetch the pages found, and return; pages put off longer
        than ``max_wait`` (Retry-After, backoff) are left for the next run."""
        stop = stop or threading.Event()
        report = FetchReport()
        round_: dict[str, Source] | None = None  # once: the sources this run polls
        if once:
            round_ = {s.url: s for s in (self.store.sources() if everything else self.store.due_sources(utc())) if not s.dead}
        pool = ThreadPoolExecutor(self.settings.threads, thread_name_prefix="storyline-fetch")
        storer = ThreadPoolExecutor(1, thread_name_prefix="storyline-store")
        try:
            self._replay_fetched()
            while not stop.is_set():
                self._dispatch(pool, round_)
                finishing = once and not self._in_flight and self._finished(round_)
                if self._ready and self._storing is None and time.monotonic() >= self._store_retry_at and (
                    finishing or len(self._ready) >= self.settings.batch_size or time.monotonic() - self._ready_since >= self.settings.store_after
                ):
                    self._start_storing(storer)
                if finishing and self._storing is None and not self._ready:
                    break
                waiting: list[Future[Any]] = [*self._in_flight, *([self._storing] if self._storing else [])]
                done, _ = wait(waiting, timeout=self._pause(), return_when=FIRST_COMPLETED)
                for future in done:
                    if future is self._storing:
                        self._finish_storing(report)
                    else:
                        self._in_flight.pop(future)
                        self._apply(future.result(), report)  # tasks catch their own failures
            # a clean stop: the batch in the pipeline finishes, and what was fetched is stored
            if self._storing is not None:
                wait([self._storing])
                self._finish_storing(report)
            if self._ready:
                self._start_storing(storer)
                wait([self._storing])  # type: ignore[list-item]
                self._finish_storing(report)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            storer.shutdown(wait=False)
        return report

    def _finished(self, round_: dict[str, Source] | None) -> bool:
        """Once: every source of the round polled, and no page due before ``max_wait``."""
        if round_:
            return False
        waiting = _seconds_until(self.store.next_page_attempt())
        return waiting is None or waiting > self.settings.max_wait

    def _pause(self) -> float:
        """How long to wait for a task before looking for due work again."""
        if self._ready:
            return 0.2
        waits = [_seconds_until(self.store.next_source_poll()), _seconds_until(self.store.next_page_attempt())]
        soonest = min((w for w in waits if w is not None), default=5.0)
        if soonest <= 0:  # work is due, its host is resting (--delay) or busy: look again shortly
            return 0.1 if self._in_flight else 0.25
        return max(0.05, min(soonest, 0.5 if self._in_flight else 5.0))

    def _dispatch(self, pool: ThreadPoolExecutor, round_: dict[str, Source] | None) -> None:
        """Start tasks for due sources, then due pages: one per host at a time, only hosts whose turn it is."""
        free = self.settings.threads - len(self._in_flight)
        if free <= 0:
            return
        busy = set(self._in_flight.values())
        now = utc()
        for source in list(round_.values()) if round_ is not None else self.store.due_sources(now):
            host = host_of(source.url)
            paused = self.fetcher.gate.ready_in(host)
            if round_ is not None and paused > self.settings.max_wait:  # fetch does not wait that long: the next run polls it
                del round_[source.url]
                self.on_event(f"{_label(source)}: put off, its host asked for a pause of {paused:.0f} s")
                continue
            if free <= 0 or source.url in self._polling or host in busy or paused > 0:
                continue
            if round_ is not None:
                del round_[source.url]
            self._polling.add(source.url)
            self._in_flight[pool.submit(self._poll, source)] = host
            busy.add(host)
            free -= 1
        for page in self.store.due_pages(now, per_source=2, limit=max(64, 8 * self.settings.threads)):
            host = host_of(page.link.url)
            paused = self.fetcher.gate.ready_in(host)
            if paused > PUT_OFF and page.url not in self._fetching:  # its host asked for a pause: the page waits in the store
                page.next_attempt = later(paused)
                self.store.save_page(page)
                continue
            if free <= 0 or page.url in self._fetching or host in busy or paused > 0:
                continue
            self._fetching.add(page.url)
            self._in_flight[pool.submit(self._fetch_page, page)] = host
            busy.add(host)
            free -= 1

    # ---- tasks (worker threads: network and parsing, no store) ---------------------------

    def _poll(self, source: Source) -> _PollAnswer:
        settings = self.settings.fetch
        try:
            response = self.fetcher.get(
                source.url, max_bytes=settings.max_source_bytes, accept=SOURCE_ACCEPT, etag=source.etag, last_modified=source.last_modified
            )
            if response.status == 304:
                return _PollAnswer(source, response, kind=source.kind)
            body = self._gunzip(response)
            kind = detect_kind(body, response.content_type)
            if kind is None:
                raise Refused(
                    f"is not a feed, a sitemap or a web page (Content-Type {response.content_type or 'none'}); check the URL",
                    source=source.url,
                )
            answer = _PollAnswer(source, response, kind=kind)
            if kind == "feed":
                answer.listing = parse_feed(body, response.final_url, content_type=response.headers.get("content-type"))
            elif kind == "sitemap":
                answer.listing = parse_sitemap(body, response.final_url)
            elif kind == "sitemap index":
                answer.listing, answer.children = self._read_index(source, parse_sitemap(body, response.final_url))
            else:
                found = feed_links(body, response.final_url)
                note = f"a single page; it announces feeds that list more: {', '.join(found[:3])}" if found else None
                answer.listing = Listing([Link(source.url)], 1, problem=note)
                answer.page = self._page_answer(response, Link(source.url), fetched_before=source.last_success is not None)
            return answer
        except FetchError as exc:
            return _PollAnswer(source, error=exc)
        except Exception as exc:  # noqa: BLE001 - a hostile document must cost one poll, never the watch
            LOGGER.exception("%s: unexpected failure while polling", source.url)
            return _PollAnswer(source, error=FetchError(f"could not be read ({type(exc).__name__}: {exc})", source=source.url))

    def _gunzip(self, response: Response) -> bytes:
        try:
            return gunzip(response.body, self.settings.fetch.max_source_bytes)
        except TooLarge as exc:
            raise Refused(str(exc), source=response.final_url) from None
        except (OSError, EOFError, ValueError) as exc:
            raise Refused(f"is gzip data that cannot be decompressed ({exc})", source=response.final_url) from None

    def _read_index(self, source: Source, index: Listing) -> tuple[Listing, dict[str, dict[str, str]]]:
        """The pages of the child sitemaps that changed since the last poll (newest first, a bounded number)."""
        known = source.children
        changed = [(url, lastmod) for url, lastmod in index.children if lastmod is None or known.get(url, {}).get("lastmod") != lastmod]
        changed.sort(key=lambda child: child[1] or "", reverse=True)
        links: list[Link] = []
        problems = [index.problem] if index.problem else []
        children = {url: known[url] for url, _ in index.children if url in known}
        for url, lastmod in changed[: self.settings.max_children]:
            state = known.get(url, {})
            try:
                response = self.fetcher.get(
                    url, max_bytes=self.settings.fetch.max_source_bytes, accept=SOURCE_ACCEPT,
                    etag=state.get("etag"), last_modified=state.get("last_modified"),
                )
            except FetchError as exc:
                problems.append(str(exc))
                continue
            children[url] = {k: v for k, v in {"lastmod": lastmod, "etag": response.headers.get("etag"),
                                               "last_modified": response.headers.get("last-modified")}.items() if v}
            if response.status == 304:
                continue
            listing = parse_sitemap(self._gunzip(response), response.final_url)
            links.extend(listing.links)
            if listing.problem:
                problems.append(f"{url}: {listing.problem}")
        if len(changed) > self.settings.max_children:
            problems.append(f"{len(changed) - self.settings.max_children} more changed sitemaps are left for the next polls")
        return Listing(links, len(links), problem="; ".join(problems) or None), children

    def _fetch_page(self, page: WatchedPage) -> tuple[WatchedPage, _PageAnswer]:
        try:
            response = self.fetcher.get(
                page.link.url, max_bytes=self.settings.fetch.max_page_bytes, accept=PAGE_ACCEPT, etag=page.etag, last_modified=page.last_modified
            )
            return page, self._page_answer(response, page.link, fetched_before=page.article_id is not None)
        except FetchError as exc:
            return page, _PageAnswer(error=exc)
        except Exception as exc:  # noqa: BLE001 - one hostile page costs itself, never the watch
            LOGGER.exception("%s: unexpected failure while fetching", page.link.url)
            return page, _PageAnswer(error=FetchError(f"could not be read ({type(exc).__name__}: {exc})", source=page.link.url))

    def _page_answer(self, response: Response, link: Link, *, fetched_before: bool) -> _PageAnswer:
        if response.status == 304:
            return _PageAnswer(response)
        if not is_html(response.content_type, response.body):
            return _PageAnswer(response, skipped=f"is not an HTML page (Content-Type {response.content_type or 'none'}); skipped")
        document = page_document(response.body, response.final_url, charset=response.charset, given=_given(link, response.final_url, response.fetched))
        if isinstance(document, InputProblem):
            return _PageAnswer(response, skipped=document.message)
        answer = _PageAnswer(response, document)
        if fetched_before:  # fetched again: clean it here to tell a new version from a page that only looks different
            try:
                answer.text_hash = text_hash(clean(document).text)
            except InputError:
                pass
        return answer

    # ---- results (coordinator: the store) ----------------------------------------

    def _apply(self, result: _PollAnswer | tuple[WatchedPage, _PageAnswer], report: FetchReport) -> None:
        if isinstance(result, _PollAnswer):
            self._polling.discard(result.source.url)
            self._apply_poll(result, report)
        else:
            page, answer = result
            self._fetching.discard(page.url)
            self._apply_page(page, answer, report)

    def _apply_poll(self, answer: _PollAnswer, report: FetchReport) -> None:
        source = self.store.source(answer.source.url)
        if source is None:
            return  # removed meanwhile
        report.sources_polled += 1
        now = utc()
        source.last_poll = now
        if answer.error is not None:
            self._poll_failed(source, answer.error, report)
            return
        response = answer.response
        assert response is not None
        source.status, source.error, source.errors_in_row, source.last_success = response.status, None, 0, now
        source.next_poll = later(source.every)
        if response.status == 304:
            report.not_modified += 1
            self.store.save_source(source)
            self.on_event(f"{_label(source)}: not modified")
            return
        listing = answer.listing
        assert listing is not None
        source.kind = answer.kind  # type: ignore[assignment]
        source.title = listing.title or source.title
        source.etag, source.last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        source.items_seen, source.note = listing.items, listing.problem
        if answer.kind == "sitemap index":
            source.children = answer.children
        pages = [WatchedPage(canonical_url(link.url), link, source.url, now, signature=link.signature) for link in listing.links]
        new, again = self.store.record_poll(source, pages)
        report.new_items += new
        self.on_event(f"{_label(source)}: {answer.kind}, {listing.items} items, {new} new" + (f", {again} changed" if again else ""))
        if answer.page is not None:  # a page source: the page itself was the answer
            page = self.store.watched_page(pages[0].url)
            if page is not None and page.state != "fetched":
                self._apply_page(page, answer.page, report)

    def _poll_failed(self, source: Source, error: FetchError, report: FetchReport) -> None:
        source.errors_in_row += 1
        source.error = error.message
        source.status = error.status if isinstance(error, HTTPFailure) else None
        wait_seconds = backoff(source.errors_in_row, source.every, limit=self.settings.max_backoff)
        if isinstance(error, (HTTPFailure, Paused)) and error.retry_after:
            wait_seconds = max(wait_seconds, error.retry_after)
        source.next_poll = later(wait_seconds)
        since = dt.datetime.fromisoformat(source.last_success or source.added)
        failing_for = (dt.datetime.now(dt.timezone.utc) - since).total_seconds()
        if source.errors_in_row >= self.settings.dead_errors and failing_for >= self.settings.dead_after:
            source.dead = True
            source.error = f"{error.message} (failing for {failing_for / 86400:.0f} days: marked dead; add it again to revive it)"
        self.store.save_source(source)
        report.failed_sources.append(InputProblem(source.url, source.error))
        self.on_event(f"{_label(source)}: {source.error}")

    def _apply_page(self, page: WatchedPage, answer: _PageAnswer, report: FetchReport) -> None:
        now = utc()
        response = answer.response
        if answer.error is not None:
            self._page_failed(page, answer.error, report)
        elif response is not None and response.status == 304:
            page.state, page.fetched = "stored", now
            if not page.article_id:  # never stored: ask again without a condition
                page.state, page.etag, page.last_modified = "pending", None, None
        elif answer.skipped is not None:
            page.state, page.error, page.status = ("stored" if page.article_id else "skipped"), answer.skipped, response.status if response else None
            report.skipped_pages.append(InputProblem(page.link.url, answer.skipped))
        else:
            assert response is not None and answer.document is not None
            body_hash = hashlib.sha256(response.body).hexdigest()
            page.status, page.error, page.attempts, page.fetched, page.fetched_url = response.status, None, 0, now, response.final_url
            page.etag, page.last_modified = response.headers.get("etag"), response.headers.get("last-modified")
            report.pages_fetched += 1
            if page.article_id and (body_hash == page.body_hash or self._same_text(page, answer.text_hash)):
                page.state, page.body_hash = "stored", body_hash
            else:
                page.state, page.body_hash = "fetched", body_hash
                self.store.save_page(page, answer.document.body)
                self._add_ready(page, answer.document)
                return
        self.store.save_page(page)

    def _same_text(self, page: WatchedPage, new_hash: str | None) -> bool:
        """Whether the article text of a page fetched again is its latest version's (only its markup changed)."""
        latest = self.store.article(page.article_id or "")
        return new_hash is not None and latest is not None and text_hash(latest.text) == new_hash

    def _page_failed(self, page: WatchedPage, error: FetchError, report: FetchReport) -> None:
        page.error = error.message
        page.status = error.status if isinstance(error, HTTPFailure) else None
        permanent = isinstance(error, (RefusedAddress, Refused)) or (isinstance(error, HTTPFailure) and error.permanent)
        page.attempts += 1
        if page.article_id:  # fetching a new version failed: the stored one stays
            page.state = "stored"
        elif permanent or page.attempts >= self.settings.page_attempts:
            page.state = "skipped" if isinstance(error, Refused) and "robots.txt" in error.message else "failed"
            report.failed_pages.append(InputProblem(page.link.url, error.message))
            self.on_event(f"{page.link.url}: {error.message}")
        else:
            retry = backoff(page.attempts, self.settings.page_retry, limit=self.settings.max_backoff)
            if isinstance(error, (HTTPFailure, Paused)) and error.retry_after is not None:
                retry = error.retry_after
            if isinstance(error, Paused):
                page.attempts -= 1  # not asked: not a failure of the page
            page.next_attempt = later(retry)

    def _add_ready(self, page: WatchedPage, document: RawDocument) -> None:
        if not self._ready:
            self._ready_since = time.monotonic()
        self._ready.append((page, document))

    def _replay_fetched(self) -> None:
        """Pages a stopped run fetched but did not store: to the pipeline from their saved bytes."""
        for page, body in self.store.fetched_pages():
            self._add_ready(page, _document_of(page, body))
        if self._ready:
            self.on_event(f"{len(self._ready)} pages fetched by an earlier run go to the pipeline")

    def _start_storing(self, storer: ThreadPoolExecutor) -> None:
        """Run the fetched pages through the pipeline, in the storing thread, while fetching goes on."""
        self._stored_batch, self._ready = self._ready, []
        self._storing = storer.submit(self.ingest, [document for _, document in self._stored_batch])

    def _finish_storing(self, report: FetchReport) -> None:
        """Mark each page of the batch just stored with its article."""
        assert self._storing is not None
        batch, future = self._stored_batch, self._storing
        self._storing, self._stored_batch = None, []
        try:
            outcomes = future.result()
        except StoreError as exc:  # another process holds the store: the pages are saved, try again soon
            self._ready = batch + self._ready
            self._store_retry_at = time.monotonic() + 10
            self.on_event(f"cannot store yet: {exc}")
            return
        now = utc()
        added: dict[str, int] = {}
        for (page, _), outcome in zip(batch, outcomes):
            self._page_stored(page, outcome, now, report)
            if outcome.status == "added":
                added[page.source] = added.get(page.source, 0) + 1
        for url, count in added.items():
            source = self.store.source(url)
            if source is not None:
                source.new_articles += count
                self.store.save_source(source)
        self.on_event(f"stored {sum(added.values())} new articles from {len(batch)} pages")

    def _page_stored(self, page: WatchedPage, outcome: Outcome, now: str, report: FetchReport) -> None:
        if outcome.status == "failed":
            page.state, page.error = ("stored" if page.article_id else "failed"), outcome.problem
            report.failed_pages.append(InputProblem(page.link.url, outcome.problem or "failed"))
        else:
            article_id = outcome.article_id or ""
            if page.first_article_id is None:
                page.first_article_id = article_id
            elif article_id != page.article_id and article_id != page.first_article_id:
                self.store.add_article_version(article_id, page.first_article_id, page.url, now)
                report.new_versions += 1
            page.state, page.article_id = "stored", article_id
            if outcome.status == "added":
                report.added += 1
                report.new_stories += outcome.new_story
                report.duplicates += outcome.duplicate_kind is not None
            else:
                report.already_stored += 1
        self.store.save_page(page)


def _given(link: Link, url: str, fetched: str) -> Given:
    """What the source said about a page, as metadata given with it (it wins over what the page says)."""
    return Given(title=link.title, url=url, outlet=link.outlet, published=link.published, author=link.author, captured=fetched)


def _document_of(page: WatchedPage, body: bytes) -> RawDocument:
    """The document a page was fetched as, rebuilt from its saved bytes (the same id as when fetched)."""
    url = page.fetched_url or page.link.url
    given = _given(page.link, url, page.fetched or utc())
    document = page_document(body, url, charset=None, given=given)
    assert isinstance(document, RawDocument), "saved bytes were checked when fetched"
    return document


def _label(source: Source) -> str:
    return source.name or source.url
