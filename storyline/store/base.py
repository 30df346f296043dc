"""The store interface: everything the other stages need from a database.

Only ``store`` talks to a database. A backend (SQLite, PostgreSQL) implements
this protocol; the pipeline, the API and the CLI only see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from storyline.model import (
    Article,
    Batch,
    Entity,
    EntityStory,
    Explanation,
    KnownArticle,
    Page,
    QueryTerm,
    SearchHit,
    Source,
    SparseVector,
    Story,
    StoryEdit,
    StoryFilter,
    StoryProfile,
    StoryState,
    WatchedPage,
)

# How long a writer waits for another one to finish its batch, by default (seconds).
DEFAULT_WRITER_WAIT = 600.0


@dataclass
class StoreChanges:
    """What writers saved after a given batch: all a matcher must take in to be up to date again."""

    saved_batches: int  # batches saved in all, the last one included
    stories: list[StoryProfile] = field(default_factory=list)  # profiles written since
    merged: list[str] = field(default_factory=list)  # stories merged away since
    term_frequencies: dict[int, int] = field(default_factory=dict)  # document frequencies written since
    documents_counted: int = 0  # documents behind the term frequencies
    edited: bool = False  # an analyst edited stories since: what matching holds must be loaded again


@dataclass
class TableRows:
    """One table of a store, as ``storyline migrate`` moves it: its columns and every row, in the table's own order."""

    name: str
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


class TermsRewriter(Protocol):
    """One rewrite of a store's terms (``Store.rewriting_terms``): reads stream, writes wait for the commit."""

    number: int  # the saved batch the rewrite counts as
    previous_version: int  # the terms version the store was in before

    def totals(self) -> tuple[int, int]:
        """(articles the term statistics count: every one but duplicates, articles in all)."""
        ...

    def counted_articles(self) -> Iterator[Article]:
        """Every article the term statistics count, with its analysis, in arrival order."""
        ...

    def story_articles(self) -> Iterator[Article]:
        """Every article with its analysis and embedding, story after story, each story's in arrival order."""
        ...

    def save_story_terms(self, story_id: str, terms: dict[str, SparseVector]) -> None: ...

    def save_term_statistics(self, frequencies: Iterable[tuple[int, int]], documents: int, version: int) -> None:
        """Replace every (term, document frequency), the count of documents behind them, and record their terms version."""
        ...


class Store(Protocol):
    location: str  # where the store is, fit to show (a password in it is masked)

    # ---- writing: one writer at a time, batch by batch ------------------------
    def writer(self, timeout: float = DEFAULT_WRITER_WAIT) -> AbstractContextManager[None]:
        """Hold the store's single-writer lock, waiting up to ``timeout`` seconds for another writer's turn
        to end (writers take turns in the order they came); raises StoreError when the wait is over."""
        ...

    def save_batch(self, batch: Batch) -> None:
        """Write a whole batch in one transaction: all of it is stored, or none. Hold ``writer()``."""
        ...

    def saved_batches(self) -> int:
        """How many batches were ever saved: a writer compares it with its own count to learn whether another wrote."""
        ...

    def changes_since(self, saved_batches: int) -> StoreChanges:
        """What the batches saved after the first ``saved_batches`` changed in stories and term statistics."""
        ...

    # ---- the terms version: how the term statistics and the stories' wording were counted ----
    def terms_version(self) -> int:
        """The terms version (``analyze.terms.TERMS_VERSION``) the store's term statistics and stories' wording are in:
        as recorded, else 1 for a store holding articles from before versions were recorded."""
        ...

    def check_terms_version(self) -> None:
        """Raise TermsVersionError unless ``terms_version()`` is this Storyline's (``save_batch`` and ``save_edit`` check it too)."""
        ...

    def rewriting_terms(self) -> AbstractContextManager[TermsRewriter]:
        """Write the term statistics, every story's wording and the terms version again, in one transaction
        (all of it is stored, or none). Hold ``writer()``."""
        ...

    # ---- what matching needs ----------------------------------------------
    def stored_stories(self, ids: Sequence[str]) -> dict[str, str]:
        """Story id of each id among ``ids`` that is already stored as an article."""
        ...

    def story_ids_overlapping(self, first_day: dt.date, last_day: dt.date) -> list[str]:
        """Ids of the dated stories whose span shares a day with ``first_day`` .. ``last_day``."""
        ...

    def story_ids_naming(
        self, entity_ids: Sequence[str], first_day: dt.date, last_day: dt.date, *, per_entity: int, latest: bool = True
    ) -> list[str]:
        """Ids of the stories naming each entity whose last day falls in ``first_day`` .. ``last_day``: per entity,
        the ``per_entity`` with the latest last days (``latest=False``: the earliest)."""
        ...

    def undated_profiles(self) -> Iterator[StoryProfile]:
        """Stories holding at least one undated article."""
        ...

    def profiles_by_ids(self, ids: Sequence[str]) -> list[StoryProfile]: ...

    def latest_story_day(self) -> dt.date | None:
        """The last day of the most recent story."""
        ...

    def term_frequencies(self) -> tuple[dict[int, int], int]:
        """Document frequency of every hashed term, and how many documents were counted."""
        ...

    def term_documents(self) -> int:
        """How many documents ``term_frequencies`` counted (it only grows): a cheap test of whether the table changed."""
        ...

    def find_exact(self, text_hash: str) -> KnownArticle | None: ...

    def find_by_bands(self, bands: Sequence[int]) -> list[KnownArticle]: ...

    def entities_for_keys(self, keys: Sequence[str]) -> list[Entity]:
        """Entities stored under any of these lookup keys (see analyze.linking)."""
        ...

    def entities_by_ids(self, ids: Iterable[str]) -> list[Entity]: ...

    def stored_article_days(self) -> Iterator[tuple[str, str | None]]:
        """(id, publication day) of every stored article: a backfill skips them, and keeps their place in time order."""
        ...

    # ---- what explaining stories needs ------------------------------------------
    def story_members(self, story_id: str, *, limit: int) -> list[Article]:
        """The story's most recent articles, with their analysis."""
        ...

    def sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The embeddings of each article's lead sentences."""
        ...

    def outlet_activity(self, first_day: str, last_day: str) -> dict[str, int]:
        """Articles per outlet published from ``first_day`` to ``last_day`` (ISO days, inclusive)."""
        ...

    def outlets(self) -> dict[str, int]:
        """Articles per outlet name over the whole store (dated or not)."""
        ...

    # ---- reading -------------------------------------------------------------
    def count(self) -> dict[str, int]:
        """Numbers of articles, stories, duplicates and failed inputs."""
        ...

    def stories(self, filters: StoryFilter = StoryFilter(), *, limit: int | None = None, offset: int = 0) -> Page[Story]:
        """Stories that match ``filters``, most recent then largest first, each with its articles
        by publication day then arrival. Safe to call from several threads at once, as are all reads."""
        ...

    def story(self, story_id: str) -> Story | None:
        """The story by its id, or by the id of a story merged into it."""
        ...

    def article(self, article_id: str) -> Article | None:
        """An article by its id or by the id it was given in its input."""
        ...

    def search(
        self, query: str | Sequence[QueryTerm], *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> Page[SearchHit]:
        """Articles that hold every term of ``query`` (any of its spellings), best match or newest first."""
        ...

    def entity(self, entity_id: str) -> Entity | None:
        """An entity with its aliases, keys and neighbours."""
        ...

    def entity_names(self) -> dict[str, Entity]:
        """Every entity's id, name and type (no aliases): enough to label mentions."""
        ...

    def entity_stories(self, entity_id: str, *, limit: int = 100) -> list[EntityStory]:
        """Stories naming the entity, most recent first."""
        ...

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, str | None]: ...

    def articles_naming(self, entity_id: str, *, limit: int) -> list[Article]:
        """The latest articles naming an entity, newest first."""
        ...

    def find_entities(self, keys: Sequence[str], aliases: Sequence[str]) -> list[Entity]:
        """Entities under any of these lookup keys, or with a spelling holding all the words of one of ``aliases``."""
        ...

    # ---- analysts' edits (run under the writer lock) -----------------------------
    def kept_apart(self, story_id: str, other_id: str) -> bool:
        """Did an analyst separate these stories? The matcher never merges them (``match.analyst``)."""
        ...

    def story_states(self, story_ids: Iterable[str]) -> dict[str, StoryState]:
        """Members, title and separations of each existing story among ``story_ids``."""
        ...

    def resolve_story(self, story_id: str) -> str | None:
        """The story an id stands for now (itself, or where it was merged); None when none."""
        ...

    def story_id_taken(self, story_id: str) -> bool: ...

    def articles_for_rebuild(self, article_ids: Sequence[str]) -> list[Article]:
        """These articles with analysis and embeddings, in arrival order."""
        ...

    def save_edit(self, edit: StoryEdit, profiles: Sequence[StoryProfile], explanations: dict[str, Explanation]) -> StoryEdit:
        """Carry out and log an edit in one transaction; returns it with its log id."""
        ...

    def edits(self, *, limit: int | None = None, offset: int = 0) -> Page[StoryEdit]:
        """The edit log, most recent first."""
        ...

    def edit(self, edit_id: int, *, writing: bool = False) -> StoryEdit | None: ...

    def edits_after(self, edit_id: int) -> list[StoryEdit]: ...

    def iter_stories(self) -> Iterator[Story]:
        """Every story with its articles (without embeddings), in creation order."""
        ...

    def iter_articles(self) -> Iterator[Article]:
        """Every article (without embeddings), in arrival order."""
        ...

    def iter_entities(self) -> Iterator[Entity]:
        """Every entity (with aliases), most mentioned first."""
        ...

    # ---- moving a store to another backend ---------------------------------------
    def export_tables(self) -> Iterator[TableRows]:
        """Every table with its rows, a table before those that refer to it."""
        ...

    def import_tables(self, tables: Iterable[TableRows]) -> dict[str, int]:
        """Load what ``export_tables`` of another store gave, in one transaction, into this empty store;
        returns the rows loaded per table. Hold ``writer()``."""
        ...

    # ---- watched sources, their pages, article versions, archive checkpoints (issue 12) ----
    # Each write is one short transaction of its own; callers keep writes from overlapping.
    def save_source(self, source: Source) -> None:
        """Insert or replace a watched source with all its state."""
        ...

    def remove_source(self, url: str) -> bool:
        """Forget a source and the pages it found that were not fetched yet; False when there was none."""
        ...

    def sources(self) -> list[Source]:
        """Every watched source, in the order they were added."""
        ...

    def source(self, url: str) -> Source | None: ...

    def due_sources(self, now: str) -> list[Source]:
        """Live sources whose next poll is at or before ``now`` (ISO 8601 UTC), the most overdue first."""
        ...

    def next_source_poll(self) -> str | None:
        """When the next live source is due."""
        ...

    def record_poll(self, source: Source, pages: Sequence[WatchedPage]) -> tuple[int, int]:
        """Save a source after a poll and queue the pages it listed, in one transaction; (new, queued again)."""
        ...

    def due_pages(self, now: str, *, per_source: int, limit: int) -> list[WatchedPage]:
        """Pages waiting to be fetched whose time has come: the first ``per_source`` of each source."""
        ...

    def watched_page(self, url: str) -> WatchedPage | None:
        """A page by its canonical URL."""
        ...

    def next_page_attempt(self) -> str | None:
        """When the earliest page waiting may be tried (a time past for a page due now); None when none waits."""
        ...

    def fetched_pages(self) -> Iterator[tuple[WatchedPage, bytes]]:
        """Pages fetched but not yet stored as articles, with their bytes."""
        ...

    def save_page(self, page: WatchedPage, body: bytes | None = None) -> None:
        """Save where fetching a page stands; ``body`` is kept while the page is fetched but not stored."""
        ...

    def page_counts(self) -> dict[str, dict[str, int]]:
        """Pages per state, per source that found them."""
        ...

    def add_article_version(self, article_id: str, first_id: str, url: str, fetched: str) -> int:
        """Record ``article_id`` as the next version of the article first stored as ``first_id``; its number."""
        ...

    def article_versions(self, article_id: str) -> list[tuple[str, int, str]]:
        """(article id, version, when fetched) of every version of the article; empty when it has one."""
        ...

    def archive_checkpoint(self, file_key: str) -> tuple[int, str] | None:
        """(offset, record id) of the last record of this archive an ingest stored."""
        ...

    def save_archive_checkpoint(self, file_key: str, offset: int, record_id: str) -> None: ...

    def close(self) -> None: ...
