"""The Python API: everything the CLI, the HTTP API and the web pages do goes through here.

    import storyline

    with storyline.open("news.db") as sl:
        report = sl.ingest(["articles/"])
        for story in sl.stories(language="fr", limit=10):
            print(story.title, len(story.articles))
        for hit in sl.search("Riabkov"):
            print(hit.article.title, hit.snippet_text)

A ``Storyline`` may be shared by threads: reads run side by side, writes take
turns. Several processes may write to one store at once: they take turns batch
by batch (see ``Pipeline``), each waiting up to ``writer_wait`` seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from types import TracebackType
from typing import IO, Any

from storyline.backfill import DEFAULT_MASTER, SparkTimes, prepare_on_spark
from storyline.clean.language import normalize_language
from storyline.clean.metadata import normalize_published
from storyline.errors import ConfigError, InputError, StoreError
from storyline.ingest import DEFAULT_MAX_ARTICLE_BYTES, InputFile, document_from_record, expected_documents, find_files, read_file, read_upload
from storyline.ingest.pairs import ArticlePair, read_pairs
from storyline.ingest.sources import DEFAULT_EVERY, read_opml, source_url, write_opml
from storyline.ingest.readers import ARCHIVE_SUFFIXES
from storyline.ingest.warc import ArchiveStats, read_archive, record_id_at
from storyline.ingest.watch import EventCallback, Watcher, WatchSettings, utc
from storyline.match import MatchSettings, TermStatistics
from storyline.match.similarity import DIMENSIONS, ArticleTraits, Similarity, SimilarityModel, article_traits, compare_traits
from storyline.analyze.query import query_terms
from storyline.match.stories import story_id_for
from storyline.model import (
    Article,
    Entity,
    EntityStory,
    Explanation,
    FetchReport,
    IngestReport,
    InputProblem,
    Page,
    QueryTerm,
    RawDocument,
    SearchHit,
    Source,
    Story,
    StoryEdit,
    StoryFilter,
    StoryState,
)
from storyline.pipeline import (
    DEFAULT_ARTICLE_SECONDS, DEFAULT_BATCH_SIZE, ArticleWorkers, Outcome, Pipeline, TermsReindex, analyze_alone, apply_edit, clean_file, compare_texts,
    reindex_terms,
)
from storyline.stories.edits import check_undoable, plan_merge, plan_move, plan_rename, plan_split, plan_undo, split_story_id, with_copies
from storyline.store import DEFAULT_WRITER_WAIT, Store, TableRows, default_location, masked, open_store
from storyline.store.location import DEFAULT_LOCATION

DEFAULT_DB = DEFAULT_LOCATION

# Called with (articles processed so far, articles the inputs hold): the inputs are counted first.
ProgressCallback = Callable[[int, int], None]
# Called with (what is being done, items done, items in all): "analyzing texts", "embedding texts", "scoring pairs".
StageProgress = Callable[[str, int, int], None]
# A day: a date, or its ISO 8601 text ("2021-07-24").
Day = dt.date | str


class Storyline:
    """A Storyline store opened for reading and ingesting. Use ``storyline.open()``."""

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
        workers: int = 0,
        seconds_per_article: float = DEFAULT_ARTICLE_SECONDS,
        writer_wait: float = DEFAULT_WRITER_WAIT,
    ) -> None:
        _check_limits(batch_size, max_article_bytes, workers, seconds_per_article)
        self.store = store
        self.batch_size = batch_size
        self.max_article_bytes = max_article_bytes
        self.workers = workers
        self.seconds_per_article = seconds_per_article
        self.writer_wait = writer_wait
        self._write_lock = threading.Lock()
        self._pool: ArticleWorkers | None = None  # started by the first write, kept for the next ones
        self._pipeline: Pipeline | None = None
        # compare's term statistics, kept until the term table's count of documents moves (reading it is the cost)
        self._term_statistics: TermStatistics | None = None
        self._terms_version_cached: int | None = None  # the terms version they were counted in (a reindex elsewhere changes it)

    # ---- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self.store.close()

    def __enter__(self) -> Storyline:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # ---- writing ---------------------------------------------------------------

    def ingest(self, paths: Sequence[str | os.PathLike[str]], *, progress: ProgressCallback | None = None) -> IngestReport:
        """Ingest files and directories (.txt, .html, .jsonl); bad inputs are reported, the rest stored.

        Safe to re-run: articles already stored are skipped, an interrupted run is completed.
        """
        files, problems = find_files([os.path.expanduser(p) for p in paths])
        archives = _ArchiveProgress(self.store, save_every=self.batch_size)
        with self._writing() as pipeline:
            counter = _Progress(expected_documents(files), progress)

            def outcome(done: Outcome) -> None:
                counter.outcome(done)
                archives.stored(done)

            report = pipeline.run(self._read(files, archives), on_outcome=outcome)
            archives.flush()
        report.problems[:0] = problems
        report.skipped = archives.stats.skipped
        return report

    def ingest_records(self, records: Sequence[Mapping[str, Any]], *, source: str = "records") -> list[Outcome]:
        """Ingest articles given as objects with the fields of a JSONL line; one ``Outcome`` per record, in order.

        Fields: ``text`` or ``html``, and optionally ``id``, ``title``, ``url``, ``outlet``,
        ``published``, ``language``, ``author``. Record ``i`` (from 1) is read from ``"{source}:{i}"``.
        """
        return self._ingest(document_from_record(record, f"{source}:{i}") for i, record in enumerate(records, 1))

    def ingest_upload(self, name: str, content: bytes, *, max_bytes: int | None = None) -> list[Outcome]:
        """Ingest the content of one file received whole (an HTTP upload); one ``Outcome`` per article.

        ``name`` tells the type as a path would: .txt, .html, .jsonl, each optionally .gz; only its
        last part is kept (sources read ``upload:NAME``). ``max_bytes``: the most a gzipped upload
        may expand to.
        """
        shown = PurePath(name.replace("\\", "/")).name or "upload"
        return self._ingest(read_upload(f"upload:{shown}", content, max_article_bytes=self.max_article_bytes, max_bytes=max_bytes))

    def backfill(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        master: str = DEFAULT_MASTER,
        order: str = "input",
        spark_conf: Mapping[str, str] | None = None,
        slice_mb: float = 16.0,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> BackfillReport:
        """Ingest an archive with cleaning and analysis on Apache Spark, then matching here, exactly as ``ingest`` matches.

        ``master``: where Spark runs (``local[*]``: this machine's cores; ``spark://host:7077``, ``yarn``,
        ``k8s://https://host:443``); ``spark_conf``: more Spark settings (``spark.executor.memory``...);
        ``slice_mb``: a JSONL file larger than this is read by several tasks.
        ``order``: ``"input"`` matches in the order ``ingest`` reads the inputs (the store is then the one
        ingest makes), ``"published"`` by publication day, then input order. ``progress`` is called
        with ("preparing", tasks done, tasks) and ("matching", inputs done, inputs). Safe to re-run:
        stored articles are not analysed again. Needs ``pip install 'storyline[spark]'`` and Java 17+.
        """
        files, problems = find_files(paths)
        times = SparkTimes()
        with self._writing() as pipeline:
            items = prepare_on_spark(
                files, stored_days=dict(self.store.stored_article_days()), master=master, order=order,  # type: ignore[arg-type]
                max_article_bytes=self.max_article_bytes, slice_bytes=max(1, int(slice_mb * 2**20)), conf=spark_conf or {},
                progress=progress, times=times,
            )
            report = pipeline.run(items)
        report.problems[:0] = problems
        return BackfillReport(**vars(report), executors=times)

    def _ingest(self, items: Iterable[RawDocument | InputProblem]) -> list[Outcome]:
        with self._writing() as pipeline:
            return list(pipeline.process(items))

    @contextmanager
    def _writing(self) -> Iterator[Pipeline]:
        """The one way to write: a thread of this process at a time, through one pipeline that keeps
        its matching state between calls (the pipeline takes turns with other processes' writers)."""
        with self._write_lock:
            self.store.check_terms_version()  # before anything is read, analysed or written
            if self.workers and self._pool is None:
                self._pool = ArticleWorkers(self.workers, seconds_per_article=self.seconds_per_article)
            if self._pipeline is None:
                self._pipeline = Pipeline(self.store, batch_size=self.batch_size, pool=self._pool, writer_wait=self.writer_wait)
            yield self._pipeline

    def _read(self, files: list[InputFile], archives: _ArchiveProgress) -> Iterator[RawDocument | InputProblem]:
        for file in files:
            if file.suffix in ARCHIVE_SUFFIXES:  # read from where an interrupted ingest of it stopped
                start = archives.resume(file)
                yield from read_archive(
                    file.path, file.source, start=start, max_article_bytes=self.max_article_bytes, on_document=archives.read, stats=archives.stats
                )
            else:
                yield from read_file(file, max_article_bytes=self.max_article_bytes)

    # ---- watched sources (feeds, sitemaps, pages) -----------------------------------

    def add_sources(self, urls: Sequence[str], *, every: int | None = None, name: str | None = None) -> list[Source]:
        """Watch feeds, sitemaps or pages; what each one is, is found at its first poll.

        A URL already watched keeps its history: its interval and name change when given,
        and a dead source comes back to life. Every URL is checked before any is added.

        Raises:
            InputError: for a URL that cannot be watched (not http or https, no host).
        """
        checked = list(dict.fromkeys(source_url(url) for url in urls))
        now = utc()
        sources = []
        for url in checked:
            source = self.store.source(url) or Source(url, every or DEFAULT_EVERY, now, now)
            source.every = every or source.every
            source.name = name or source.name
            if source.dead:
                source.dead, source.errors_in_row, source.next_poll = False, 0, now
            self.store.save_source(source)
            sources.append(source)
        return sources

    def remove_sources(self, urls: Sequence[str]) -> list[str]:
        """Stop watching these URLs; the articles already stored stay. Returns the URLs that were watched."""
        removed = []
        for url in urls:
            for candidate in dict.fromkeys((url.strip(), _tidy(url))):
                if self.store.remove_source(candidate):
                    removed.append(candidate)
                    break
        return removed

    def sources(self) -> list[Source]:
        """Every watched source with the health of its polling, in the order they were added."""
        return self.store.sources()

    def source_pages(self) -> dict[str, dict[str, int]]:
        """For each source, its pages by state: pending, fetched, stored, failed, skipped."""
        return self.store.page_counts()

    def import_opml(self, path: str | os.PathLike[str], *, every: int | None = None) -> tuple[list[Source], list[InputProblem]]:
        """Watch every feed of an OPML file (a feed reader's export); the outlines that cannot be watched are returned.

        Raises:
            InputError: when the file cannot be read or is not OPML.
        """
        from storyline.ingest.sources import parse_every

        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from None
        sources, problems = [], []
        for entry in read_opml(data, str(path)):
            try:
                interval = every or (parse_every(entry.every) if entry.every else None)
                sources.extend(self.add_sources([entry.url], every=interval, name=entry.name))
            except (InputError, ConfigError) as exc:
                problems.append(InputProblem(entry.url, exc.message))
        return sources, problems

    def export_opml(self) -> str:
        """Every watched source as OPML 2.0 (feeds as rss outlines, which any feed reader imports)."""
        return write_opml(self.store.sources())

    def fetch(self, settings: WatchSettings = WatchSettings(), *, everything: bool = False, on_event: EventCallback | None = None) -> FetchReport:
        """Poll every source that is due once (every live source with ``everything``), fetch the pages
        of their new items and store the articles."""
        return self._watcher(settings, on_event).run(once=True, everything=everything)

    def watch(
        self, settings: WatchSettings = WatchSettings(), *, stop: threading.Event, on_event: EventCallback | None = None
    ) -> FetchReport:
        """``fetch`` forever, each source on its own schedule, until ``stop`` is set; what was fetched is stored first."""
        return self._watcher(settings, on_event).run(once=False, stop=stop)

    def _watcher(self, settings: WatchSettings, on_event: EventCallback | None) -> _ClosingWatcher:
        self.store.check_terms_version()  # before a page is fetched: its article could not be placed
        return _ClosingWatcher(self.store, self._ingest, settings=settings, on_event=on_event)

    def article_versions(self, article_id: str) -> list[tuple[str, int, str]]:
        """(article id, version, when fetched) of each version of an article whose page changed; empty when it has one."""
        return self.store.article_versions(article_id)

    # ---- reading ---------------------------------------------------------------

    def stories(
        self,
        *,
        since: Day | None = None,
        until: Day | None = None,
        language: str | None = None,
        outlet: str | None = None,
        query: str | None = None,
        entity: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[Story]:
        """Stories, most recent first, each with all its articles.

        Filters keep the stories that have at least one article matching every one given:
        published from ``since`` to ``until`` (days, inclusive), in ``language`` (ISO 639-1),
        from ``outlet`` (any case), holding the words of ``query`` in its title or text (names
        in any of their spellings, as ``search``), naming ``entity`` (an entity id, or a name:
        InputError when it names none).
        The page also tells ``total``, the number of stories that match.
        """
        filters = StoryFilter(
            since=_day("since", since),
            until=_day("until", until),
            language=language.strip().lower() if language else None,
            outlet=outlet.strip() if outlet else None,
            query=query,
            terms=tuple(self.query_terms(query)) if query else (),
            entities=self._entity_ids(entity) if entity else None,
        )
        _check_window(limit, offset)
        return self.store.stories(filters, limit=limit, offset=offset)

    def search(self, query: str, *, limit: int | None = 20, offset: int = 0, newest_first: bool = False) -> Page[SearchHit]:
        """Articles whose title or text holds every word of ``query`` (``word*``: a prefix), best first.

        Case and accents do not matter, and a name matches every spelling of the entity it
        names ("Riabkov" finds "Ryabkov" and "Рябков"; ``query_terms`` tells which). Each hit
        carries the passage that matched. ``newest_first``: by publication date instead.
        """
        _check_window(limit, offset)
        return self.store.search(self.query_terms(query), limit=limit, offset=offset, newest_first=newest_first)

    def query_terms(self, query: str) -> list[QueryTerm]:
        """How ``search`` reads a query: its words, and the names in it with every spelling of their entities."""
        return query_terms(query, self.store.find_entities)

    def _entity_ids(self, entity: str) -> tuple[str, ...]:
        """An entity id, or the entities a name names (every entity it could be)."""
        if self.store.entity(entity) is not None:
            return (entity,)
        ids = tuple(dict.fromkeys(i for term in self.query_terms(entity) for i in term.entities))
        if not ids:
            raise InputError("names no entity in this store; `storyline search` finds articles by any word", source=entity)
        return ids

    def articles_naming(self, entity_id: str, *, limit: int = 50) -> list[Article]:
        """The latest articles that name an entity, newest first (what its feed shows)."""
        return self.store.articles_naming(entity_id, limit=limit)

    def story(self, story_id: str) -> Story | None:
        return self.store.story(story_id)

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, str | None]:
        """The title of each story among ``story_ids`` (cheaper than reading the stories)."""
        return self.store.story_titles(story_ids)

    def article(self, article_id: str) -> Article | None:
        """An article by its Storyline id or by the ``id`` it had in its JSONL input."""
        return self.store.article(article_id)

    def count(self) -> dict[str, int]:
        return self.store.count()

    def export(self, out: IO[str]) -> None:
        """Write every story and article as one JSON document (see docs/export-format.md).

        Streams: memory stays flat however large the store.
        """
        out.write('{"stories": [')
        for i, story in enumerate(self.store.iter_stories()):
            out.write(("," if i else "") + "\n  " + json.dumps(story_summary(story), ensure_ascii=False))
        out.write('\n],\n"articles": [')
        names = self.store.entity_names()
        for i, article in enumerate(self.store.iter_articles()):
            record = {**article_record(article), **analysis_record(article, names)}
            out.write(("," if i else "") + "\n  " + json.dumps(record, ensure_ascii=False))
        out.write('\n],\n"entities": [')
        for i, entity in enumerate(self.store.iter_entities()):
            out.write(("," if i else "") + "\n  " + json.dumps(entity_record(entity), ensure_ascii=False))
        out.write("\n]}\n")

    def compare(self, first: str, second: str, *, model: SimilarityModel | None = None) -> Similarity:
        """How similar two stored articles are on the seven SemEval dimensions, with the evidence.

        Raises:
            InputError: when either id names no stored article.
        """
        articles = []
        for article_id in (first, second):
            article = self.store.article(article_id)
            if article is None:
                raise InputError("is not an article id in this store; list ids with `storyline stories`", source=article_id)
            articles.append(article)
        vectors = self.store.sentence_vectors([a.id for a in articles])
        for article in articles:
            article.sentence_vectors = vectors.get(article.id)
        traits = article_traits(articles, self._stored_term_statistics())
        return compare_traits(traits[0], traits[1], model)

    def _stored_term_statistics(self) -> TermStatistics:
        """The store's term statistics, read again only once articles were added (the count of documents moved)
        or they were counted again (``reindex_terms``, here or in another process: the terms version moved)."""
        cached, version = self._term_statistics, self.store.terms_version()
        if cached is None or cached.documents != self.store.term_documents() or self._terms_version_cached != version:
            self._terms_version_cached = version
            frequencies, documents = self.store.term_frequencies()
            cached = self._term_statistics = TermStatistics(frequencies, documents)
        return cached

    def entity(self, entity_id: str) -> Entity | None:
        """A canonical entity with its aliases in every language."""
        return self.store.entity(entity_id)

    def entity_stories(self, entity_id: str, *, limit: int = 100) -> list[EntityStory]:
        """The stories that name an entity, most recent first: the entity over time."""
        return self.store.entity_stories(entity_id, limit=limit)

    # ---- analysts' edits ---------------------------------------------------------
    # Each edit is planned from the stories as they are (stories.edits), carried out with the
    # stories it leaves rebuilt (pipeline.apply_edit) and logged, under the writer lock.

    def merge_stories(self, story_id: str, other_id: str, *, by: str | None = None) -> StoryEdit:
        """Merge story ``other_id`` into ``story_id``: its articles join, its id leads there from now on."""
        with self._editing() as store:
            survivor, merged = self._states(store, story_id, other_id)
            return apply_edit(store, plan_merge(survivor, merged, by=by))

    def split_story(self, story_id: str, article_ids: Sequence[str], *, title: str | None = None, by: str | None = None) -> StoryEdit:
        """Take articles (and their copies) out of a story into a new one; the matcher keeps the two apart.

        The new story's id is ``edit.story_id``; ``title`` names it (else its most central headline).
        """
        with self._editing() as store:
            (story,) = self._states(store, story_id)
            ids = [self._article_id(a) for a in article_ids]
            new_id = split_story_id(with_copies(story, ids) or ids, store.story_id_taken, story_id_for)
            return apply_edit(store, plan_split(story, ids, new_id, title=title, by=by))

    def move_article(self, article_id: str, story_id: str, *, by: str | None = None) -> StoryEdit:
        """Move an article (and its copies) to another story; the matcher keeps the two stories apart from then on."""
        with self._editing() as store:
            article = self._article_id(article_id)
            source_id = store.stored_stories([article])[article]
            source, target = self._states(store, source_id, story_id)
            return apply_edit(store, plan_move(article, source, target, by=by))

    def rename_story(self, story_id: str, title: str, *, by: str | None = None) -> StoryEdit:
        """Give a story a title of the analyst's; it stays when new articles join."""
        with self._editing() as store:
            (story,) = self._states(store, story_id)
            return apply_edit(store, plan_rename(story, title, by=by))

    def undo(self, edit_id: int | None = None, *, by: str | None = None) -> StoryEdit:
        """Reverse an edit (default: the latest not yet undone); the undo is logged as an edit too.

        Raises ConfigError for an undo, an edit undone already, or one a later edit built on (undo that first).
        """
        with self._editing() as store:
            if edit_id is None:
                latest = next((e for e in store.edits_after(0)[::-1] if e.kind != "undo" and e.undone_by is None), None)
                if latest is None:
                    raise ConfigError("there is no edit to undo")
                edit_id = latest.id
            assert edit_id is not None
            edit = store.edit(edit_id, writing=True)
            if edit is None:
                raise InputError("is not an edit of this store; `storyline edits` lists them", source=str(edit_id))
            check_undoable(edit, store.edits_after(edit_id))
            story_of = store.stored_stories([m.article_id for m in edit.moves])
            states = store.story_states({*edit.stories, *story_of.values()})
            return apply_edit(store, plan_undo(edit, story_of=story_of, states=states, resolve=store.resolve_story, by=by))

    def edits(self, *, limit: int | None = 50, offset: int = 0) -> Page[StoryEdit]:
        """The edit log, most recent first."""
        _check_window(limit, offset)
        return self.store.edits(limit=limit, offset=offset)

    def edit(self, edit_id: int) -> StoryEdit | None:
        """One edit of the log."""
        return self.store.edit(edit_id)

    @contextmanager
    def _editing(self) -> Iterator[Store]:
        with self._write_lock, self.store.writer():
            self.store.check_terms_version()  # an edit weighs the stories' wording again
            yield self.store

    # ---- the terms version -------------------------------------------------------

    def terms_version(self) -> int:
        """The terms version the store's term statistics and stories' wording were counted in; writes need it to be
        ``storyline.analyze.terms.TERMS_VERSION`` (else TermsVersionError: run ``reindex_terms``)."""
        return self.store.terms_version()

    def reindex_terms(self, *, progress: StageProgress | None = None) -> TermsReindex:
        """Count the store's terms again as this Storyline counts them, from the stored articles: the document
        frequencies and every story's wording (embeddings, entities and story membership are not touched).

        Needed once a store written by a Storyline that counted terms otherwise refuses writes
        (TermsVersionError); harmless on a current store. One transaction: a failure or a kill leaves the
        store as it was. Holds the store for writing meanwhile (other writers wait, readers do not).
        ``progress`` is called with ("counting terms", articles done, articles to count), then
        ("rewriting stories", articles done, articles in all).
        """
        with self._write_lock, self.store.writer(self.writer_wait):
            done = reindex_terms(self.store, progress=progress)
            self._pipeline = None  # what matching holds is in the old terms: load it again at the next write
            self._term_statistics = None
        return done

    def _states(self, store: Store, *story_ids: str) -> list[StoryState]:
        """The stories named (by their id, or the id of a story merged into them), as they are now."""
        resolved = []
        for story_id in story_ids:
            found = store.resolve_story(story_id)
            if found is None:
                raise InputError("is not a story of this store; `storyline stories` lists them", source=story_id)
            resolved.append(found)
        states = store.story_states(resolved)
        return [states[s] for s in resolved]

    def _article_id(self, article_id: str) -> str:
        """The Storyline id of an article named by its id or its input id."""
        article = self.store.article(article_id)
        if article is None:
            raise InputError("is not an article of this store; `storyline show STORY` lists a story's articles", source=article_id)
        return article.id

    def article_export(self, article: Article) -> dict[str, Any]:
        """An article in its export form, analysis included, and its versions when its page changed."""
        ids = {m.entity_id for m in article.mentions if m.entity_id}
        record = {**article_record(article), **analysis_record(article, {e.id: e for e in self.store.entities_by_ids(ids)})}
        versions = self.store.article_versions(article.id)
        if versions:
            record["versions"] = [{"id": i, "version": n, "fetched": at} for i, n, at in versions]
        return record


@dataclass
class BackfillReport(IngestReport):
    """What a backfill did: an ingest report (``seconds_by_stage`` are this process's), and what the Spark executors did."""

    executors: SparkTimes = field(default_factory=SparkTimes)


def story_summary(story: Story) -> dict[str, Any]:
    """The export form of a story (with its explanation when it was read with it)."""
    summary: dict[str, Any] = {
        "id": story.id,
        "title": story.title,
        "articles": [a.id for a in story.articles],
        "first_published": story.first_published,
        "last_published": story.last_published,
        "outlets": story.outlets,
        "languages": story.languages,
    }
    if story.explanation is not None:
        summary.update(explanation_record(story.explanation))
    return summary


def explanation_record(explanation: Explanation) -> dict[str, Any]:
    """A story's explanation in the export form (docs/export-format.md)."""
    coverage = explanation.coverage
    return {
        "timeline": [
            {"date": t.date, "status": t.status, "text": t.text, "articles": list(t.articles), "what": t.what, "where": t.where, "who": list(t.who)}
            for t in explanation.timeline
        ],
        "roles": explanation.roles,
        "coverage": {
            "outlets": [{"outlet": o, "articles": n} for o, n in coverage.outlets],
            "languages": [{"language": lang, "articles": n} for lang, n in coverage.languages],
            "first_seen": coverage.first_seen,
            "last_seen": coverage.last_seen,
            "per_day": [{"day": d, "articles": n} for d, n in coverage.per_day],
            "absent_outlets": list(coverage.absent_outlets),
        },
        "agreed_facts": [{"text": f.text, "sources": list(f.sources), "outlets": list(f.outlets)} for f in explanation.agreed_facts],
        "single_source": [{"text": c.text, "source": c.sources[0], "outlet": c.outlets[0]} for c in explanation.single_source],
        "quotes": [{"speaker": q.speaker, "speaker_entity": q.speaker_entity, "text": q.text, "article": q.article} for q in explanation.quotes],
        "summary": [{"text": s.text, "source": s.sources[0]} for s in explanation.summary],
    }


def edit_record(edit: StoryEdit) -> dict[str, Any]:
    """An analyst's edit as JSON (``storyline edits --json``, ``GET /api/edits``)."""
    return {
        "id": edit.id,
        "kind": edit.kind,
        "at": edit.at,
        "by": edit.by,
        "story": edit.story_id,
        "moves": [{"article": m.article_id, "from": m.from_story, "to": m.to_story} for m in edit.moves],
        "titles": [{"story": t.story_id, "before": t.before, "after": t.after, "pinned": t.pinned} for t in edit.titles],
        "created": list(edit.created),
        "removed": list(edit.removed),
        "kept_apart": [list(pair) for pair in edit.apart],
        "no_longer_kept_apart": [list(pair) for pair in edit.released],
        "undoes": edit.undoes,
        "undone_by": edit.undone_by,
    }


def hit_record(hit: SearchHit) -> dict[str, Any]:
    """A search hit as JSON: the article's fields without its text, and the passage that matched."""
    record = article_record(hit.article)
    del record["text"]
    return {**record, "snippet": hit.snippet_text}


def query_term_record(term: QueryTerm) -> dict[str, Any]:
    """How a search read a word or name of its query, as JSON."""
    return {"text": term.text, "spellings": list(term.spellings), "entities": list(term.entities)}


def similarity_record(similarity: Similarity) -> dict[str, Any]:
    """A comparison as JSON: the seven scores (1 = most similar, 4 = least), the evidence and the signals."""
    return {"scores": similarity.scores, "evidence": asdict(similarity.evidence), "signals": similarity.signals}


def story_detail(story: Story) -> dict[str, Any]:
    """A story with its articles in full (``storyline show --json``, ``GET /api/stories/{id}``)."""
    return {**story_summary(story), "articles": [article_record(a) for a in story.articles]}


def analysis_record(article: Article, entities: dict[str, Entity]) -> dict[str, Any]:
    """The analysis fields of an article's export form; ``entities`` resolves entity ids to names."""
    counts = Counter(m.entity_id for m in article.mentions if m.entity_id in entities)
    return {
        "entities": [
            {"id": i, "name": entities[i].name, "type": entities[i].type, "mentions": n} for i, n in counts.most_common()
        ],
        "places": _unique_places(article),
        "times": [{"text": t.text, "value": t.value, "type": t.type} for t in article.times],
        "quotes": [
            {"speaker": q.speaker, "text": q.text, "kind": q.kind, "speaker_entity": q.speaker_entity, "cue": q.cue} for q in article.quotes
        ],
        "events": [
            {"who": list(e.who), "what": e.what, "whom": list(e.whom), "where": e.where, "when": e.when, "status": e.status}
            for e in article.events
        ],
    }


def _unique_places(article: Article) -> list[dict[str, Any]]:
    """Each place once, in order of first mention, with every way the article wrote it."""
    places: dict[Any, dict[str, Any]] = {}
    for p in article.places:
        record = places.setdefault(
            p.geonames_id or p.name,
            {"name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon, "geonames_id": p.geonames_id,
             "feature_class": p.feature_class, "mentions": 0, "written": []},
        )
        record["mentions"] += 1
        if p.mention not in record["written"]:
            record["written"].append(p.mention)
    return list(places.values())


def entity_record(entity: Entity) -> dict[str, Any]:
    """The export form of an entity."""
    record: dict[str, Any] = {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": sorted(entity.aliases, key=lambda a: (-entity.aliases[a], a)),
        "mentions": entity.mentions,
        "articles": entity.articles,
    }
    if entity.place is not None:
        record.update(country=entity.place.country, lat=entity.place.lat, lon=entity.place.lon, geonames_id=entity.place.geonames_id)
    return record


def article_record(article: Article) -> dict[str, Any]:
    """The export form of an article."""
    return {
        "id": article.id,
        "story": article.story_id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published,
        "published_uncertain": article.published_uncertain,
        "language": article.language,
        "text": article.text,
        "duplicate_of": article.duplicate_of,
        "duplicate_kind": article.duplicate_kind,
        "url": article.url,
        "author": article.author,
        "external_id": article.external_id,
        "source": public_source(article.source),
        "cuts": [asdict(c) for c in article.cuts],
    }


def public_source(source: str) -> str:
    """The source of an article as readers may see it: relative as it is stored since names were kept
    relative; a store written before keeps absolute paths, of which only the file name is shown."""
    path, colon, line = source.rpartition(":") if re.fullmatch(r".*:\d+", source) else (source, "", "")
    return PurePath(path).name + colon + line if PurePath(path).is_absolute() else source


def _day(name: str, value: Day | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a day; write it as YYYY-MM-DD") from None


def _check_window(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 0:
        raise ConfigError(f"limit={limit} is negative; pass 0 or more, or None for no limit")
    if offset < 0:
        raise ConfigError(f"offset={offset} is negative; pass 0 or more")


def open(  # noqa: A001 - mirrors the builtin on purpose, like sqlite3.connect
    location: str | os.PathLike[str] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
    workers: int = 0,
    seconds_per_article: float = DEFAULT_ARTICLE_SECONDS,
    writer_wait: float = DEFAULT_WRITER_WAIT,
    create: bool = True,
) -> Storyline:
    """Open (or create) a store: a SQLite file path, or ``postgresql://user@host/database``
    (default: ``$STORYLINE_DB``, else ``storyline.db``).

    ``create=False`` opens only an existing store (StoreError when there is none). A file
    that is not a Storyline store is refused either way, and left untouched.

    ``workers``: processes that clean and analyze articles in parallel while this
    one matches and stores (0: everything in this process). With workers, guard
    your script's entry point with ``if __name__ == "__main__":``.
    ``seconds_per_article``: with workers, an article that takes longer to clean and
    analyze is stopped and reported failed, and the run goes on (without workers
    nothing can stop it: cleaning bounds the text, see docs/export-format.md).
    ``writer_wait``: seconds a write waits for other processes' writers before it fails.

    Raises:
        ConfigError: when a setting is impossible (a batch of 0, negative workers, ...).
        StoreError: when the store cannot be opened.
    """
    _check_limits(batch_size, max_article_bytes, workers, seconds_per_article)
    store = open_store(default_location() if location is None else location, create=create)
    return Storyline(
        store, batch_size=batch_size, max_article_bytes=max_article_bytes, workers=workers, seconds_per_article=seconds_per_article,
        writer_wait=writer_wait,
    )


def _check_limits(batch_size: int, max_article_bytes: int, workers: int, seconds_per_article: float) -> None:
    for name, value, least in (
        ("batch_size", batch_size, 1), ("max_article_bytes", max_article_bytes, 1), ("workers", workers, 0),
        ("seconds_per_article", seconds_per_article, 0.001),
    ):
        if value < least:
            raise ConfigError(f"{name}={value} is too small; pass {least} or more")


def migrate(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    writer_wait: float = DEFAULT_WRITER_WAIT,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row of the store at ``source`` into a new, empty store at ``target`` (SQLite to PostgreSQL, or
    back): articles, stories, explanations, entities, the duplicate index, term statistics, raw inputs. Both
    stores are held for writing meanwhile; the copy is one transaction, so a failed one leaves ``target``
    empty. Returns the rows copied per table; ``progress`` is called with (table, rows copied so far).

    Raises:
        StoreError: when ``target`` already holds a store's content.
    """
    if masked(source) == masked(target):
        raise ConfigError("--from and --to are the same store; give the new store's location as --to", source=masked(source))
    with closing(open_store(source, create=False)) as origin, closing(open_store(target)) as destination:
        counts = destination.count()
        if any(counts.values()) or destination.saved_batches():
            raise StoreError(f"already holds {counts['articles']} articles; migrate into a new, empty store", source=destination.location)
        with origin.writer(writer_wait), destination.writer(writer_wait):
            return destination.import_tables(_counted(origin.export_tables(), progress))


def _counted(tables: Iterable[TableRows], progress: Callable[[str, int], None] | None) -> Iterator[TableRows]:
    for table in tables:
        yield TableRows(table.name, table.columns, _counted_rows(table, progress) if progress else table.rows)


def _counted_rows(table: TableRows, progress: Callable[[str, int], None]) -> Iterator[tuple[Any, ...]]:
    done = 0
    for done, row in enumerate(table.rows, 1):
        yield row
        if done % 1000 == 0:
            progress(table.name, done)
    progress(table.name, done)


def extract(path: str | os.PathLike[str]) -> Article:
    """Run the clean stage alone on one .txt or .html file."""
    return clean_file(path)


def analyze_file(path: str | os.PathLike[str], *, published: str | None = None, language: str | None = None) -> tuple[Article, list[Entity]]:
    """Clean and analyze one file without a store: the article with its mentions, places, times,
    quotes and events, and the entities it names. ``published`` and ``language`` override what
    the page says (the reference date for "next Wednesday" is the publication date).
    """
    article = clean_file(path)
    if published is not None:
        article.published = normalize_published(published)
        if article.published is None:
            raise InputError(f"--published {published!r} is not a date; use ISO 8601 like 2021-07-24", source=str(path))
    if language is not None:
        article.language = normalize_language(language)
        if article.language is None:
            raise InputError(f"--language {language!r} is not a language code; use ISO 639-1 like en", source=str(path))
    return article, analyze_alone(article)


def cluster(
    input_path: str | os.PathLike[str],
    output: IO[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 0,
    match_settings: MatchSettings | None = None,
    seconds_per_article: float = DEFAULT_ARTICLE_SECONDS,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Stream a JSONL file through clean and match exactly as ``ingest`` would, in file order.

    Writes one line ``{"id", "story"}`` per input line (``id`` is the line's own
    id when it has one). Uses a throw-away store, so the caller needs no database.
    ``progress(lines done, lines in all)`` is called as lines are placed.
    """
    path = Path(input_path)
    files, problems = find_files([path])
    if problems:
        raise InputError(problems[0].message, source=problems[0].source)
    if not files or path.suffix.lower() not in {".jsonl", ".ndjson"}:
        raise InputError("is not a JSONL file; cluster reads one article per line of a .jsonl file", source=str(path))
    with tempfile.TemporaryDirectory(prefix="storyline-cluster-") as tmp:
        store = open_store(Path(tmp) / "cluster.db")
        pool = ArticleWorkers(workers, seconds_per_article=seconds_per_article) if workers else None
        try:
            pipeline = Pipeline(store, batch_size=batch_size, explain=False, matching_only=True, match_settings=match_settings, pool=pool)

            counter = _Progress(expected_documents(files), progress)

            def write(outcome: Outcome) -> None:
                counter.outcome(outcome)
                ident = outcome.external_id or outcome.article_id
                record: dict[str, Any] = {"id": ident, "story": outcome.story_id}
                if outcome.problem:
                    record["error"] = outcome.problem
                output.write(json.dumps(record, ensure_ascii=False) + "\n")

            return pipeline.run(read_file(files[0]), on_outcome=write)
        finally:
            if pool is not None:
                pool.shutdown()
            store.close()


@dataclass
class PairsReport:
    """What ``score_pairs`` did: rows scored, and the rows it could not score with why."""

    scored: int = 0
    problems: list[InputProblem] = field(default_factory=list)


@dataclass(frozen=True)
class PreparedPair:
    """One row of a pairs file, analyzed: both articles' traits, or why the row cannot be scored."""

    pair_id: str
    traits: tuple[ArticleTraits, ArticleTraits] | None
    problems: tuple[InputProblem, ...] = ()


def prepare_pairs(input_path: str | os.PathLike[str], *, progress: StageProgress | None = None) -> list[PreparedPair]:
    """Read a pairs CSV and analyze each distinct text once, with entities linked across the whole file.

    ``progress`` is called with ("analyzing texts" then "embedding texts", texts done, texts in all).
    """
    rows = list(read_pairs(input_path))
    documents = {}
    for row in rows:
        if isinstance(row, ArticlePair):
            documents.update((d.id, d) for d in (row.first, row.second) if isinstance(d, RawDocument))
    analyzed, traits = compare_texts(list(documents.values()), progress=progress)

    prepared = []
    for row in rows:
        if isinstance(row, InputProblem):
            prepared.append(PreparedPair(row.external_id or "", None, (row,)))
            continue
        sides = [analyzed.get(d.id, d) if isinstance(d, RawDocument) else d for d in (row.first, row.second)]
        failed = tuple(s for s in sides if isinstance(s, InputProblem))
        pair = None if failed else (traits[sides[0].id], traits[sides[1].id])
        prepared.append(PreparedPair(row.pair_id, pair, failed))
    return prepared


def score_pairs(
    input_path: str | os.PathLike[str],
    output: IO[str],
    *,
    model: SimilarityModel | None = None,
    progress: StageProgress | None = None,
) -> PairsReport:
    """Score every row of a pairs CSV (``pair_id, lang1, lang2, text_1, text_2``) on the seven dimensions.

    ``progress(stage, done, total)``: see ``prepare_pairs``; then ("scoring pairs", rows done, rows in all).

    Writes ``pair_id`` and the seven scores (1 = most similar, 4 = least), one
    row per input row in input order; a row that cannot be scored keeps its
    ``pair_id`` with empty scores and is reported.
    """
    report = PairsReport()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(("pair_id", *DIMENSIONS))
    prepared = prepare_pairs(input_path, progress=progress)
    for done, pair in enumerate(prepared, 1):
        if progress and (done % 32 == 0 or done == len(prepared)):
            progress("scoring pairs", done, len(prepared))
        if pair.traits is None:
            report.problems.extend(pair.problems)
            writer.writerow((pair.pair_id, *[""] * len(DIMENSIONS)))
            continue
        similarity = compare_traits(*pair.traits, model)
        writer.writerow((pair.pair_id, *(similarity.scores[d] for d in DIMENSIONS)))
        report.scored += 1
    return report


class _ClosingWatcher(Watcher):
    """A watcher that closes its connections when its run ends."""

    def run(self, *, once: bool, stop: threading.Event | None = None, everything: bool = False) -> FetchReport:
        try:
            return super().run(once=once, stop=stop, everything=everything)
        finally:
            self.close()


def _tidy(url: str) -> str:
    try:
        return source_url(url)
    except InputError:
        return url.strip()


def source_record(source: Source, pages: Mapping[str, int] | None = None) -> dict[str, Any]:
    """A watched source and its health as JSON (``sources list --json``, ``GET /api/sources``)."""
    record: dict[str, Any] = {
        "url": source.url,
        "name": source.name,
        "kind": source.kind,
        "title": source.title,
        "health": source.health,
        "every_seconds": source.every,
        "added": source.added,
        "last_poll": source.last_poll,
        "last_success": source.last_success,
        "http_status": source.status,
        "items_seen": source.items_seen,
        "new_articles": source.new_articles,
        "errors_in_row": source.errors_in_row,
        "next_poll": None if source.dead else source.next_poll,
        "error": source.error,
        "note": source.note,
    }
    if pages is not None:
        record["pages"] = {state: pages.get(state, 0) for state in ("pending", "fetched", "stored", "failed", "skipped")}
    return record


class _ArchiveProgress:
    """Where the ingest of each web archive stands, so a re-run after a crash resumes there.

    Each document read is remembered until the pipeline has stored it; then the archive's
    checkpoint moves to it. A checkpoint is trusted only if the record it names is still
    at its offset (the file may have been replaced), else the archive is read from the start.
    """

    def __init__(self, store: Store, *, save_every: int) -> None:
        self.store = store
        self.save_every = save_every  # records stored between two checkpoints: about one per batch
        self.stats = ArchiveStats()
        self._read: deque[tuple[str, str, int, str]] = deque()  # (source, file key, offset, record id), in reading order
        self._unsaved: dict[str, tuple[int, str]] = {}
        self._since_save = 0
        self._name = self._key = ""

    def resume(self, file: InputFile) -> int:
        """The byte offset to start reading this archive from; the archive read next is this one."""
        status = file.path.stat()
        self._name, self._key = file.source, f"{file.path.resolve()}|{status.st_size}|{status.st_mtime_ns}"
        checkpoint = self.store.archive_checkpoint(self._key)
        if checkpoint is None or record_id_at(file.path, checkpoint[0]) != checkpoint[1]:
            return 0
        return checkpoint[0]

    def read(self, offset: int, record_id: str) -> None:
        """A document was read from the current archive, at ``offset``."""
        self._read.append((f"{self._name}:{offset}", self._key, offset, record_id))

    def stored(self, outcome: Outcome) -> None:
        """The pipeline is done with one input: if it is the oldest archive record waiting, the checkpoint moves."""
        if not self._read or self._read[0][0] != outcome.source:
            return
        _, key, offset, record_id = self._read.popleft()
        self._unsaved[key] = (offset, record_id)
        self._since_save += 1
        if self._since_save >= self.save_every:
            self.flush()

    def flush(self) -> None:
        for key, (offset, record_id) in self._unsaved.items():
            self.store.save_archive_checkpoint(key, offset, record_id)
        self._unsaved.clear()
        self._since_save = 0


class _Progress:
    """Counts processed articles against those the inputs hold (more when the count was low: lines that were not articles)."""

    def __init__(self, expected: int, callback: ProgressCallback | None) -> None:
        self.expected = expected
        self.done = 0
        self.callback = callback
        if callback:
            callback(0, expected)

    def outcome(self, outcome: Outcome) -> None:
        self.done += 1
        self.expected = max(self.expected, self.done)
        if self.callback:
            self.callback(self.done, self.expected)


__all__ = [
    "DEFAULT_DB", "Day", "FetchReport", "Storyline", "WatchSettings", "article_record", "cluster", "edit_record", "extract", "hit_record",
    "migrate", "open", "query_term_record", "source_record", "story_detail", "story_summary",
]
