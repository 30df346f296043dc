"""The one place that knows the order of the stages.

    read (ingest) -> clean -> analyze -> link entities -> duplicates + stories (match)
        -> titles and explanations (stories) -> store

Documents are processed in batches: the expensive steps (embeddings) run once
per batch, matching still places articles one by one in arrival order, and
each batch is written in one transaction, so a crash loses at most the batch
in flight and a re-run picks up where it stopped.

Cleaning and analysis are the slow stages and need nothing but the document,
so worker processes (or a backfill's Spark executors) prepare the next batch
while this process matches and stores the current one (matching needs the
state of every earlier article). Results are used in input order: the outcome
is the same with no worker, one or many. Several processes may write to one
store: they take turns batch by batch (``Pipeline``).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import multiprocessing.process
import os
import queue
import select
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Literal

import numpy as np

from storyline.analyze import analyze
from storyline.analyze.linking import EntityLinker
from storyline.analyze.fingerprint import text_hash
from storyline.analyze.terms import TERMS_VERSION, term_counts, with_entity_terms
from storyline.clean import as_bare_article, clean, clean_or_problem
from storyline.clean.outlets import OutletNames
from storyline.errors import ConfigError, InputError
from storyline.ingest import find_files, read_file
from storyline.match import DuplicateFinder, MatchSettings, Scorer, StoryMatcher, TermStatistics, band_keys
from storyline.match.analyst import rebuild_profile
from storyline.match.similarity import ArticleTraits, article_traits
from storyline.match.stories import story_id_for
from storyline.model import (
    Article, Batch, Entity, Explanation, IngestReport, InputProblem, KnownArticle, RawDocument, StoryEdit, StoryProfile, TitleChange,
)
from storyline.stories import refresh_title, retitle
from storyline.stories.explain import explain_story
from storyline.store.base import DEFAULT_WRITER_WAIT, Store
from storyline.store.codec import as_stored_vectors

LOGGER = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
# Time one article may take in a worker (cleaning and analysis). Bounded text makes the slowest
# real article take a few seconds; past this the article is failed and its worker replaced.
DEFAULT_ARTICLE_SECONDS = 60.0
# Time a new worker may take to load its models before it takes work.
WORKER_START_SECONDS = 600.0
# Articles a story's explanation is computed from: its most recent ones.
EXPLAINED_ARTICLES = 80


def default_workers() -> int:
    """Worker processes for the command line: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def _exit_with(parent: int) -> None:
    """Worker initializer: end this worker when the process that started the pool dies.

    A killed ingest (kill -9) cannot shut its pool down, and pool workers hold
    both ends of their task pipe, so they would otherwise wait forever.
    """

    def watch() -> None:
        try:
            with os.fdopen(os.pidfd_open(parent), "rb", buffering=0) as handle:
                select.select([handle], [], [])  # readable once the parent has exited
        except OSError:  # no pidfd on this system: poll instead
            while True:
                time.sleep(1)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


# Each document's article or problem, and seconds per stage: elapsed, and of CPU.
PreparedChunk = tuple[list[Article | InputProblem], dict[str, float], dict[str, float]]

PREPARE_CHUNK = 8  # documents per task sent to a worker: enough to batch embeddings, small enough to balance


def prepare(documents: list[RawDocument], matching_only: bool = False) -> PreparedChunk:
    """Clean and analyze documents: everything that needs no shared state (``matching_only``: see ``analyze``).

    Runs in worker processes (so it must stay a picklable top-level function);
    returns each document's article or problem, and the seconds spent per stage:
    elapsed, and of this process's CPU (which other programs on the machine disturb least).
    """
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    results = [clean_or_problem(d) for d in documents]
    seconds["clean"], cpu_seconds["clean"] = time.perf_counter() - start, time.process_time() - cpu_start
    start, cpu_start = time.perf_counter(), time.process_time()
    analyze([r for r in results if isinstance(r, Article)], matching_only=matching_only)
    seconds["analyze"], cpu_seconds["analyze"] = time.perf_counter() - start, time.process_time() - cpu_start
    return results, seconds, cpu_seconds


@dataclass(frozen=True)
class Prepared:
    """A document cleaned and analyzed elsewhere (by a backfill's Spark executors), with the result."""

    document: RawDocument
    result: Article | InputProblem


Item = RawDocument | InputProblem | Prepared


def _document(item: Item) -> RawDocument | None:
    return item.document if isinstance(item, Prepared) else item if isinstance(item, RawDocument) else None


def load_models() -> None:
    """Load every model cleaning and analysis use, so that no article waits for one (about 8 s of CPU).

    Each is loaded once per process (later calls cost nothing): the worker pool's fork server calls
    this (``storyline.worker_models``), so that its workers fork with the models loaded.
    """
    from storyline.analyze.entities import load_recognisers
    from storyline.clean.html import load_date_parser

    prepare([RawDocument("warm-up", "warm-up", "text", _WARM_UP.encode())])
    load_recognisers()
    load_date_parser()


def _worker_main(connection: Connection, parent: int) -> None:
    """A worker process: loads the models (unless forked with them), then prepares each list of documents it is sent."""
    _exit_with(parent)
    load_models()  # before any clock starts
    connection.send("ready")
    done: float | None = None  # when the last chunk was prepared
    while True:
        try:
            documents, matching_only = connection.recv()
        except EOFError:  # the pipeline is done with this worker
            return
        idle = time.perf_counter() - done if done is not None else None  # before the first chunk: the pipeline starting
        results, seconds, cpu_seconds = prepare(documents, matching_only)
        done = time.perf_counter()
        if idle is not None:
            seconds[WORKER_IDLE] = idle
        connection.send((results, seconds, cpu_seconds))


# Stage: seconds the workers spent between two chunks (summed over workers), sending an answer and
# waiting for the next chunk, which the pipeline sends when it has taken the answer: how long the
# workers waited for this process (or for input to be read).
WORKER_IDLE = "workers waiting for work"


_WARM_UP = "Talks in Geneva\n\nDiplomats from both countries met in Geneva on Monday and agreed to meet again next week, officials said."



class _Worker:
    """One worker process, started when first needed and replaced when killed."""

    def __init__(self) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        self.connection: Connection | None = None

    def prepare(self, documents: list[RawDocument], matching_only: bool, timeout: float) -> PreparedChunk | str:
        """The worker's answer, or why there is none ("timeout", or how the process died)."""
        if self.process is None:
            self._start()
        assert self.connection is not None and self.process is not None
        try:
            self.connection.send((documents, matching_only))
            if self.connection.poll(timeout):
                answer: PreparedChunk = self.connection.recv()
                return answer
            reason = "timeout"
        except (EOFError, OSError):
            self.process.join(1)
            reason = f"the worker process died (exit code {self.process.exitcode}; out of memory?)"
        self.stop()
        return reason

    def _start(self) -> None:
        # forkserver, not fork: the parent holds threads (BLAS, usearch) that fork would copy mid-flight.
        context = multiprocessing.get_context("forkserver")
        # The fork server loads the models once and every worker forks from it with them loaded: a pool
        # pays the loading once instead of once per worker, the workers share the models' memory
        # (copy-on-write), and a replaced worker starts at once. Takes effect when the server starts
        # (a server started earlier by other code without it: each worker loads its own, as before).
        context.set_forkserver_preload(["__main__", "storyline.worker_models"])
        ours, theirs = context.Pipe()
        process = context.Process(target=_worker_main, args=(theirs, os.getpid()), name="storyline-worker", daemon=True)
        process.start()
        theirs.close()
        if not ours.poll(WORKER_START_SECONDS) or ours.recv() != "ready":
            process.kill()
            raise RuntimeError(f"a worker process did not start within {WORKER_START_SECONDS:.0f} s")
        self.process, self.connection = process, ours

    def stop(self) -> None:
        """End the process at once (it holds nothing worth waiting for)."""
        if self.connection is not None:
            self.connection.close()
        if self.process is not None:
            self.process.kill()
            self.process.join()
        self.process = self.connection = None

    def interrupt(self) -> None:
        """Kill the process from another thread: the thread waiting for its answer wakes up."""
        process = self.process
        if process is not None:
            process.kill()


class ArticleWorkers:
    """Worker processes that clean and analyze documents, each document within a time budget.

    Each process is fed by a thread of this one, which sends it a chunk of documents and
    waits at most ``seconds_per_article`` per document for the answer. A worker past its time
    (an input some stage would work on for too long) or dead (killed, out of memory) is
    killed and replaced, and its chunk is prepared again one document at a time, so that
    only the document at fault fails, with the reason, and the run goes on.
    Written by hand because ``ProcessPoolExecutor`` can neither time out nor kill one task.
    """

    def __init__(self, processes: int, *, seconds_per_article: float = DEFAULT_ARTICLE_SECONDS) -> None:
        if seconds_per_article <= 0:
            raise ConfigError(f"seconds_per_article={seconds_per_article:g} leaves no time; give an article more than 0 seconds")
        self.seconds_per_article = seconds_per_article
        self._closing = False
        self._tasks: queue.SimpleQueue[tuple[list[RawDocument], bool, Future[PreparedChunk]] | None] = queue.SimpleQueue()
        self._workers = [_Worker() for _ in range(processes)]
        self._threads = [threading.Thread(target=self._serve, args=(w,), name="storyline-feeder", daemon=True) for w in self._workers]
        for thread in self._threads:
            thread.start()

    def submit(self, documents: list[RawDocument], matching_only: bool = False) -> Future[PreparedChunk]:
        """Prepare ``documents`` in a worker (``matching_only``: see ``prepare``)."""
        future: Future[PreparedChunk] = Future()
        self._tasks.put((documents, matching_only, future))
        return future

    def shutdown(self) -> None:
        """Stop every worker now; work not yet done is cancelled."""
        self._closing = True
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                task[2].cancel()
        for worker in self._workers:
            self._tasks.put(None)
            worker.interrupt()
        for thread in self._threads:
            thread.join()

    def _serve(self, worker: _Worker) -> None:
        try:
            while (task := self._tasks.get()) is not None:
                documents, matching_only, future = task
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(self._prepare(worker, documents, matching_only))
                    except BaseException as exc:  # handed to the pipeline, which raises it
                        future.set_exception(exc)
        finally:
            worker.stop()

    def _prepare(self, worker: _Worker, documents: list[RawDocument], matching_only: bool) -> PreparedChunk:
        if self._closing:
            raise CancelledError
        answer = worker.prepare(documents, matching_only, self.seconds_per_article * len(documents))
        if not isinstance(answer, str):
            return answer
        if self._closing:
            raise CancelledError
        if len(documents) > 1:  # find the document at fault: each again, alone
            results: list[Article | InputProblem] = []
            seconds: dict[str, float] = defaultdict(float)
            cpu_seconds: dict[str, float] = defaultdict(float)
            for document in documents:
                one, one_seconds, one_cpu = self._prepare(worker, [document], matching_only)
                results += one
                for stage, value in one_seconds.items():
                    seconds[stage] += value
                for stage, value in one_cpu.items():
                    cpu_seconds[stage] += value
            return results, seconds, cpu_seconds
        document = documents[0]
        if answer == "timeout":
            reason = (
                f"took more than {self.seconds_per_article:g} s to clean and analyze, and was stopped; "
                "if it is a real article, raise --max-article-seconds"
            )
        else:
            reason = f"could not be cleaned and analyzed: {answer}; check that it is a news article Storyline can read"
        LOGGER.warning("%s: %s", document.source, reason)
        return [InputProblem(document.source, reason, document.given.external_id)], {}, {}


class _Preparation:
    """One batch being prepared: in worker processes as soon as it is read, or here when finished."""

    def __init__(self, items: list[Item], stored: set[str], pool: ArticleWorkers | None, matching_only: bool = False) -> None:
        self.matching_only = matching_only
        ready = {i.document.id: i.result for i in items if isinstance(i, Prepared)}
        self.items = [i.document if isinstance(i, Prepared) else i for i in items]
        first = {i.id: i for i in reversed(self.items) if isinstance(i, RawDocument)}  # first occurrence of each id
        self.documents = [d for d in first.values() if d.id not in stored][::-1]
        self._ready = {d.id: ready[d.id] for d in self.documents if d.id in ready}
        self._pending = [d for d in self.documents if d.id not in ready]
        chunks = [self._pending[i : i + PREPARE_CHUNK] for i in range(0, len(self._pending), PREPARE_CHUNK)]
        self._futures = [pool.submit(chunk, matching_only) for chunk in chunks] if pool else None

    def results(self, seconds_by_stage: dict[str, float], cpu_seconds_by_stage: dict[str, float]) -> dict[str, Article | InputProblem]:
        """Article (or problem) per document id, in input order; adds the stages' seconds (elapsed, CPU)."""
        if self._futures is None:
            outputs = [prepare(self._pending, self.matching_only)] if self._pending else []
        else:
            outputs = [future.result() for future in self._futures]
        prepared: list[Article | InputProblem] = []
        for chunk_results, seconds, cpu_seconds in outputs:
            prepared.extend(chunk_results)
            for stage, value in seconds.items():
                seconds_by_stage[stage] += value
            for stage, value in cpu_seconds.items():
                cpu_seconds_by_stage[stage] += value
        results = {**self._ready, **dict(zip((d.id for d in self._pending), prepared))}
        return {d.id: results[d.id] for d in self.documents}


@dataclass(frozen=True)
class Outcome:
    """What happened to one input, in input order."""

    source: str
    status: Literal["added", "already stored", "failed"]
    article_id: str | None = None
    external_id: str | None = None
    story_id: str | None = None
    duplicate_kind: str | None = None
    new_story: bool = False
    problem: str | None = None
    warnings: tuple[str, ...] = ()  # what was ignored or cut of an input that was still added


class Pipeline:
    """Runs documents through every stage into a store.

    The matcher loads the stories it needs from the store and keeps them in
    memory between batches. Writers take turns batch by batch: a batch is
    matched and saved under the store's writer lock (waiting up to
    ``writer_wait`` seconds for it), after taking in what other writers saved
    since this pipeline's last batch, so several processes may ingest into
    one store at once and every article is placed against every story saved
    before it.
    ``workers``: processes that clean and analyze in parallel (0: all in this
    process). Worker processes re-import the main module, so a script using
    them needs the usual ``if __name__ == "__main__":`` guard.
    ``explain``: keep each story's explanation up to date (off for ``cluster``,
    which only needs the grouping).
    ``matching_only``: analyze only what grouping reads (``analyze``): for a store
    that is thrown away after grouping, as ``cluster``'s.
    """

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int = 0,
        explain: bool = True,
        matching_only: bool = False,
        scorer: Scorer | None = None,
        match_settings: MatchSettings | None = None,
        writer_wait: float = DEFAULT_WRITER_WAIT,
        pool: ArticleWorkers | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size={batch_size}: a batch holds at least one article; pass 1 or more")
        self.store = store
        self.pool = pool
        self.batch_size = batch_size
        self.workers = workers
        self.explain = explain
        self.matching_only = matching_only
        self.writer_wait = writer_wait
        self.scorer = scorer
        self.match_settings = match_settings or MatchSettings()
        # What matching holds between batches, loaded from the store at the first turn (_catch_up).
        self.matcher: StoryMatcher
        self.duplicates: DuplicateFinder
        self.linker: EntityLinker
        self.outlets: OutletNames
        self._seen_batches: int | None = None  # the store's saved_batches() that state is up to date with; None: load it
        self.seconds_by_stage: dict[str, float] = defaultdict(float)
        self.cpu_seconds_by_stage: dict[str, float] = defaultdict(float)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This pipeline's turn to write: the writers' lock, with what other writers saved since its last turn taken in."""
        with ExitStack() as lock:
            with self._timed("waiting for other writers"):
                lock.enter_context(self.store.writer(self.writer_wait))
            try:
                self._catch_up()
                yield
            except BaseException:
                self._seen_batches = None  # memory may now be ahead of the store: load it again next turn
                raise

    def _catch_up(self) -> None:
        saved = self.store.saved_batches()
        if self._seen_batches is None:
            self.store.check_terms_version()  # stored wording in other terms than these articles': refuse before matching
            frequencies, documents = self.store.term_frequencies()
            self.matcher = StoryMatcher(
                self.store, term_statistics=TermStatistics(frequencies, documents), scorer=self.scorer, settings=self.match_settings
            )
            self.duplicates = DuplicateFinder(self.store.find_exact, self.store.find_by_bands)
            self.linker = EntityLinker(self.store.entities_for_keys)
            self.outlets = OutletNames(self.store.outlets())
        elif saved != self._seen_batches:
            with self._timed("taking in other writers' batches"):
                changes = self.store.changes_since(self._seen_batches)
                if changes.edited:  # an analyst moved articles between stories: start again from the store
                    self._seen_batches = None
                    self._catch_up()
                    return
                self.matcher.refresh(changes.stories, changes.merged)
                self.matcher.term_statistics.refresh(changes.term_frequencies, changes.documents_counted)
                self.outlets = OutletNames(self.store.outlets())  # names other writers stored (and their renames)
        self._seen_batches = saved

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds_by_stage[stage] += time.perf_counter() - start
            self.cpu_seconds_by_stage[stage] += time.process_time() - cpu_start

    def _timed_iter(self, stage: str, items: Iterable[Item]) -> Iterator[Item]:
        iterator = iter(items)
        while True:
            with self._timed(stage):
                item = next(iterator, None)
            if item is None:
                return
            yield item

    def process(self, items: Iterable[Item]) -> Iterator[Outcome]:
        """Yield one ``Outcome`` per input item, batch by batch, each batch committed before its outcomes.

        Items are read documents (cleaned and analyzed here or in the workers), documents ``Prepared``
        elsewhere, and problems met while reading.
        """
        pool = self.pool or (ArticleWorkers(self.workers) if self.workers > 0 else None)
        try:
            in_flight: _Preparation | None = None
            for items_of_batch in self._batches(items):
                stored = self.store.stored_stories([d.id for d in map(_document, items_of_batch) if d is not None])
                preparation = _Preparation(items_of_batch, set(stored), pool, self.matching_only)  # starts preparing this batch ...
                if in_flight is not None:
                    yield from self._finish_batch(in_flight)  # ... while the previous one is finished here
                in_flight = preparation
            if in_flight is not None:
                yield from self._finish_batch(in_flight)
        finally:
            if pool is not None and pool is not self.pool:
                pool.shutdown()

    def _batches(self, items: Iterable[Item]) -> Iterator[list[Item]]:
        pending: list[Item] = []
        documents = 0
        for item in self._timed_iter("read", items):
            pending.append(item)
            documents += not isinstance(item, InputProblem)
            if documents >= self.batch_size:
                yield pending
                pending, documents = [], 0
        if pending:
            yield pending

    def run(self, items: Iterable[Item], *, on_outcome: Callable[[Outcome], None] | None = None) -> IngestReport:
        """Process everything and summarise it."""
        self.seconds_by_stage, self.cpu_seconds_by_stage = defaultdict(float), defaultdict(float)
        report = IngestReport(seconds_by_stage=self.seconds_by_stage, cpu_seconds_by_stage=self.cpu_seconds_by_stage)
        for outcome in self.process(items):
            if on_outcome:
                on_outcome(outcome)
            report.warnings += [InputProblem(outcome.source, warning, outcome.external_id) for warning in outcome.warnings]
            if outcome.status == "failed":
                report.problems.append(InputProblem(outcome.source, outcome.problem or "failed", outcome.external_id))
            elif outcome.status == "already stored":
                report.already_stored += 1
            else:
                report.added += 1
                report.new_stories += outcome.new_story
                report.duplicates += outcome.duplicate_kind == "exact"
                report.near_duplicates += outcome.duplicate_kind == "near"
        return report

    def _finish_batch(self, preparation: _Preparation) -> list[Outcome]:
        if self.pool or self.workers:
            with self._timed("waiting for workers"):
                prepared = preparation.results(self.seconds_by_stage, self.cpu_seconds_by_stage)
        else:
            prepared = preparation.results(self.seconds_by_stage, self.cpu_seconds_by_stage)
        with self._turn():
            return self._match_and_save(preparation, prepared)

    def _match_and_save(self, preparation: _Preparation, prepared: dict[str, Article | InputProblem]) -> list[Outcome]:
        items = preparation.items
        documents = [i for i in items if isinstance(i, RawDocument)]
        # Checked again: the batch before this one, or another writer, may have stored some of these ids meanwhile.
        stored = self.store.stored_stories([d.id for d in documents])
        batch = Batch()
        results = {i: r for i, r in prepared.items() if i not in stored}
        fresh = {d.id: d for d in preparation.documents if d.id in results}
        batch.sightings = [(d.id, d.source) for d in documents if fresh.get(d.id) is not d]
        cleaned = [r for r in results.values() if isinstance(r, Article)]
        problems = {i: r.message for i, r in results.items() if isinstance(r, InputProblem)}
        batch.failed = [(fresh[i], r) for i, r in results.items() if isinstance(r, InputProblem)]
        for article in cleaned:  # one name per outlet: an abbreviation joins the name it abbreviates
            article.outlet = self.outlets.resolve(article.outlet)
        batch.outlet_renames = self.outlets.take_renames()
        renamed = dict(batch.outlet_renames)
        for article in cleaned:
            article.outlet = renamed.get(article.outlet or "", article.outlet)
        with self._timed("link entities"):
            for article in cleaned:
                self.linker.link(article)
            batch.entities = self.linker.take_changed()
        with self._timed("match"):
            for article in cleaned:
                self._match(article, batch)
                batch.documents.append(fresh[article.id])
                batch.articles.append(article)
            batch.merges = self.matcher.take_merges()
            for article in batch.articles:  # an article placed early in the batch may be in a story merged since
                article.story_id = self.matcher.resolve(article.story_id or "")
            batch.stories = self.matcher.take_changed()
            batch.term_frequencies = self.matcher.term_statistics.take_changed()
            batch.documents_counted = self.matcher.term_statistics.documents
        if self.explain:
            with self._timed("explain stories"):
                batch.explanations = self._explanations(batch)
        with self._timed("store"):
            self.store.save_batch(batch)
        self._seen_batches = self.store.saved_batches()
        self.duplicates.forget_pending()
        self.matcher.release_idle()
        LOGGER.debug("batch of %d inputs: %d new articles, %d failed", len(items), len(batch.articles), len(batch.failed))

        placed = {a.id: a for a in batch.articles}
        outcomes = []
        for item in items:
            if isinstance(item, InputProblem):
                outcomes.append(Outcome(item.source, "failed", external_id=item.external_id, problem=item.message))
            elif item.id in problems:
                outcomes.append(Outcome(item.source, "failed", article_id=item.id, external_id=item.given.external_id, problem=problems[item.id]))
            elif item.id in placed and fresh[item.id] is item:
                article = placed[item.id]
                outcomes.append(
                    Outcome(
                        item.source, "added", article.id, item.given.external_id, article.story_id,
                        article.duplicate_kind, new_story=article.story_id == story_id_for(article.id), warnings=tuple(article.warnings),
                    )
                )
            else:
                story = stored.get(item.id) or (placed[item.id].story_id if item.id in placed else None)
                outcomes.append(Outcome(item.source, "already stored", item.id, item.given.external_id, story))
        return outcomes

    def _explanations(self, batch: Batch) -> dict[str, Explanation]:
        """Explain again every story this batch changed, from its stored articles (and those of the stories
        merged into it, not yet moved in the store) and the batch's new ones."""
        new_members: dict[str, list[Article]] = defaultdict(list)
        for article in batch.articles:
            new_members[article.story_id or ""].append(article)
        merged_into: dict[str, list[str]] = defaultdict(list)
        for merged, into in batch.merges:
            merged_into[into].append(merged)
        changed = {e.id: e for e in batch.entities}
        explanations = {}
        for profile in batch.stories:
            stored = [a for story_id in (profile.id, *merged_into[profile.id]) for a in self.store.story_members(story_id, limit=EXPLAINED_ARTICLES)]
            members = stored + new_members[profile.id]
            vectors = self.store.sentence_vectors([a.id for a in members])
            vectors.update((a.id, as_stored_vectors(a.sentence_vectors)) for a in new_members[profile.id] if a.sentence_vectors is not None)
            explanations[profile.id] = _explain(self.store, profile, members, vectors, changed)
        return explanations

    def _match(self, article: Article, batch: Batch) -> None:
        assert article.fingerprint is not None
        digest = text_hash(article.text)
        bands = band_keys(article.fingerprint)
        duplicate = self.duplicates.check(article, digest, bands)
        if duplicate is not None:
            article.duplicate_of = duplicate.original.original_id
            article.duplicate_kind = duplicate.kind
            article.match_score = duplicate.similarity
            self.matcher.attach(article, duplicate.original.story_id)
        else:
            refresh_title(self.matcher.place(article), article)
        self.duplicates.remember(KnownArticle(article.id, article.story_id or "", article.duplicate_of or article.id, article.fingerprint), digest, bands)
        batch.text_hashes[article.id] = digest
        batch.band_keys[article.id] = bands


def clean_file(path: str | os.PathLike[str]) -> Article:
    """Read one .txt or .html file and clean it: the clean stage alone."""
    files, problems = find_files([path])
    if problems:
        raise InputError(problems[0].message, source=problems[0].source)
    items = list(read_file(files[0]))
    if len(items) != 1:
        raise InputError("holds several articles; extract takes one .txt or .html file", source=str(path))
    item = items[0]
    if isinstance(item, InputProblem):
        raise InputError(item.message, source=item.source)
    return clean(item)


def analyze_alone(article: Article) -> list[Entity]:
    """Analyze one clean article and link its names with no store; returns the entities it names."""
    analyze([article])
    return EntityLinker(lambda keys: []).link(article)


def _explain(
    store: Store, profile: StoryProfile, members: list[Article], vectors: dict[str, np.ndarray], changed: Mapping[str, Entity]
) -> Explanation:
    """A story's explanation from its members; ``changed``: entities of the batch, newer than the store's."""
    ids = {i for a in members for e in a.events for i in e.who_ids + e.whom_ids}
    names = {e.id: e.name for e in store.entities_by_ids(ids - changed.keys())}
    names.update((i, changed[i].name) for i in ids & changed.keys())
    days = sorted(d.isoformat() for d in (profile.first_day, profile.last_day) if d)
    active = store.outlet_activity(days[0], days[-1]) if days else {}
    return explain_story(members, vectors, names=names, active_outlets=active)


def apply_edit(store: Store, edit: StoryEdit) -> StoryEdit:
    """Carry out an analyst's edit (planned by ``stories.edits``); returns it as logged.

    Every story the edit leaves behind is made again from its members: its profile by the
    matcher's own steps (``match.analyst.rebuild_profile``), so later articles are matched
    against the story as the analyst left it; its title (the analyst's, or the most central
    headline); its explanation. The store saves all of it with the edit in one transaction.
    Call it holding the store's writer lock.
    """
    states = store.story_states(edit.stories)
    members: dict[str, list[str]] = {s: list(state.articles) for s, state in states.items()}
    for m in edit.moves:
        if m.article_id in members.get(m.from_story, ()):
            members[m.from_story].remove(m.article_id)
        members.setdefault(m.to_story, []).append(m.article_id)
    remaining = {s: set(ids) for s, ids in members.items() if ids and s not in edit.removed}
    articles = store.articles_for_rebuild([i for ids in remaining.values() for i in ids])  # arrival order
    frequencies, documents = store.term_frequencies()
    statistics = TermStatistics(frequencies, documents)
    titles = {t.story_id: t for t in edit.titles}
    for story_id in edit.removed:  # kept in the log, so that an undo gives the story back its own title
        if story_id in states and story_id not in titles:
            state = states[story_id]
            titles[story_id] = TitleChange(story_id, state.title, None, was_pinned=state.title_pinned, pinned=False)
    profiles, explanations = [], {}
    for story_id, ids in remaining.items():
        ordered = [a for a in articles if a.id in ids]
        profile = rebuild_profile(story_id, ordered, statistics)
        state, change = states.get(story_id), titles.get(story_id)
        if change is not None:
            retitle(profile, ordered, change.after, pinned=change.pinned)
        elif state is not None and state.title_pinned:
            retitle(profile, ordered, state.title, pinned=True)
        else:  # the most central headline may have moved: record the change, so that an undo puts the title back
            retitle(profile, ordered)
            if state is None or profile.title != state.title:
                titles[story_id] = TitleChange(story_id, state.title if state else None, profile.title, was_pinned=False, pinned=False)
        profiles.append(profile)
        recent = ordered[-EXPLAINED_ARTICLES:]
        explanations[story_id] = _explain(store, profile, recent, store.sentence_vectors([a.id for a in recent]), {})
    return store.save_edit(replace(edit, titles=tuple(titles.values())), profiles, explanations)


@dataclass(frozen=True)
class TermsReindex:
    """What ``reindex_terms`` did: the terms versions before and after, the articles counted and the stories rewritten."""

    previous_version: int
    version: int
    articles_counted: int
    stories: int


def reindex_terms(store: Store, *, progress: Callable[[str, int, int], None] | None = None) -> TermsReindex:
    """Count a store's terms again in this Storyline's terms (``analyze.terms.TERMS_VERSION``), from its articles.

    The document frequencies are counted from every stored article but duplicates (as matching counts
    them: an article's terms and the canonical entities it names, ``weigh_terms``); then each story's
    wording is made again from its members, weighed with the new frequencies, by the matcher's own
    steps (``match.analyst.rebuild_profile``, of which only the wording is kept: centroids, spans,
    entities and members stay as they are). The store writes it all, with the new terms version, in one
    transaction; articles are streamed, one story's members in memory at a time (their texts dropped
    once counted). ``progress`` is called with ("counting terms", articles, articles to count) and
    ("rewriting stories", articles, articles in all). Call it holding the store's writer lock.
    """
    with store.rewriting_terms() as rewrite:
        counted, total = rewrite.totals()
        statistics = TermStatistics()
        for done, article in enumerate(rewrite.counted_articles(), 1):
            statistics.add(with_entity_terms(term_counts(article), article))
            if progress and (done % 100 == 0 or done == counted):
                progress("counting terms", done, counted)
        stories = done = 0
        for story_id, members in itertools.groupby(rewrite.story_articles(), key=lambda a: a.story_id or ""):
            kept = []
            for article in members:
                article.terms = term_counts(article)
                article.text, article.sentences = "", []  # all the rest needs is its terms: one text in memory at a time
                kept.append(article)
            rewrite.save_story_terms(story_id, rebuild_profile(story_id, kept, statistics).terms)
            stories += 1
            done += len(kept)
            if progress:
                progress("rewriting stories", done, total)
        terms = np.flatnonzero(statistics.frequencies)
        rewrite.save_term_statistics(zip(terms.tolist(), statistics.frequencies[terms].tolist()), statistics.documents, TERMS_VERSION)
        return TermsReindex(rewrite.previous_version, TERMS_VERSION, statistics.documents, stories)


def analyze_standalone(documents: Sequence[RawDocument], linker: EntityLinker) -> list[Article | InputProblem]:
    """Clean, analyze and link documents with no store, for comparing texts that are not stored.

    ``linker`` holds the entities seen so far: use one for every document whose
    names should be merged. A text that cleaning finds no article in (a single
    word, a headline alone) is analyzed as it is instead of being refused: a
    pair of texts must be scored even when one of them is barely an article.
    """
    results, *_ = prepare(list(documents))
    bare = {i: as_bare_article(d) for i, (d, r) in enumerate(zip(documents, results)) if isinstance(r, InputProblem)}
    analyze([a for a in bare.values() if a is not None])
    results = [bare.get(i) or r for i, r in enumerate(results)]
    for result in results:
        if isinstance(result, Article):
            linker.link(result)
    return results


# Articles embedded at a time for their similarity traits: often enough to show progress, enough to batch.
TRAITS_CHUNK = 64


def compare_texts(
    documents: Sequence[RawDocument], *, progress: Callable[[str, int, int], None] | None = None
) -> tuple[dict[str, Article | InputProblem], dict[str, ArticleTraits]]:
    """Analyze texts that are not stored, with names linked across all of them (a name is one entity in
    every pair), and weigh their terms against each other: each text's analysis (or problem) and the
    traits similarity compares. ``progress`` is called with ("analyzing texts" then "embedding texts",
    texts done, texts in all)."""
    analyzed: dict[str, Article | InputProblem] = {}
    linker = EntityLinker(lambda keys: [])
    for start in range(0, len(documents), DEFAULT_BATCH_SIZE):
        chunk = documents[start : start + DEFAULT_BATCH_SIZE]
        analyzed.update(zip((d.id for d in chunk), analyze_standalone(chunk, linker)))
        if progress:
            progress("analyzing texts", len(analyzed), len(documents))
    articles = [a for a in analyzed.values() if isinstance(a, Article)]
    statistics = TermStatistics()
    for article in articles:
        statistics.add(term_counts(article))
    traits: dict[str, ArticleTraits] = {}
    for start in range(0, len(articles), TRAITS_CHUNK):
        chunk = articles[start : start + TRAITS_CHUNK]
        traits.update(zip((a.id for a in chunk), article_traits(chunk, statistics)))
        if progress:
            progress("embedding texts", len(traits), len(articles))
    return analyzed, traits
