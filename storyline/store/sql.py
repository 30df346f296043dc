"""What the SQL backends share: the queries, written once in the SQL both SQLite and PostgreSQL speak.

A backend (``sqlite.py``, ``postgres.py``) brings its connections, its lock,
its transactions, its full-text search and its migrations; everything else,
the batch write, what matching and explaining read, the story lists, is here.
Queries use ``?`` placeholders; the PostgreSQL backend turns them into its own.

Connections seen here have ``execute(sql, params)`` (returning rows readable by
column name and by position) and ``executemany(sql, rows)``, as sqlite3's do.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, replace
from importlib import resources
from typing import Any, ClassVar, Protocol

import numpy as np

from storyline.analyze.terms import TERMS_VERSION
from storyline.errors import StoreError, TermsVersionError
from storyline.model import (
    Article, Batch, Entity, EntityStory, Explanation, KnownArticle, Link, Page, QueryTerm, SearchHit, Source, SparseVector, Story, StoryEdit,
    StoryFilter, StoryProfile, StoryState, WatchedPage,
)
from storyline.store.base import StoreChanges, TableRows
from storyline.store.codec import (
    analysis_to_json,
    cuts_from_json,
    cuts_to_json,
    edit_from_row,
    edit_payload,
    entity_row,
    explanation_from_json,
    explanation_to_json,
    load_analysis,
    pack_terms,
    place_from_json,
    unpack_terms,
    vectors_from_bytes,
    vectors_to_bytes,
)

# Both databases cap the parameters of one statement; look-ups are chunked well below.
CHUNK = 500


class Row(Protocol):
    def __getitem__(self, key: int | str) -> Any: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


class SQLStore:
    """The shared part of a SQL store. Subclasses fill in the hooks below the ``# ---- hooks`` line."""

    location: str
    # The order stories were created in, for lists that tie.
    STORY_ORDER_KEY: ClassVar[str]
    # Said between the table and WHERE when matching looks stories up by span (an index hint, or nothing).
    SPAN_INDEX: ClassVar[str] = ""
    # An article's outlet equals the parameter, whatever the case.
    OUTLET_IS: ClassVar[str]
    # The LIMIT that means no limit.
    NO_LIMIT: ClassVar[int | None]
    # What the driver raises when a statement fails.
    ERRORS: ClassVar[tuple[type[BaseException], ...]]
    # Full-text search, each with the backend's search expression as first parameter: a condition over
    # ``articles a``; a page of hits (then LIMIT and OFFSET) with the article's columns and a ``snippet``
    # marked with MATCH_START and MATCH_END, sorted by ``{order}`` (BEST_FIRST, or newest first); the number of hits;
    # the ids of entities with a spelling that matches (then LIMIT).
    SEARCH_CONDITION: ClassVar[str]
    SEARCH_PAGE: ClassVar[str]
    BEST_FIRST: ClassVar[str]
    SEARCH_COUNT: ClassVar[str]
    ALIAS_SEARCH: ClassVar[str]

    # ---- writing ---------------------------------------------------------------

    def save_batch(self, batch: Batch) -> None:
        with self._failing_as(f"save a batch of {len(batch.articles)} articles"), self._transaction() as db:
            self._save(db, batch)

    @contextmanager
    def _failing_as(self, what: str) -> Iterator[None]:
        """The database's errors as StoreError: could not ``what``, and nothing of it was stored."""
        try:
            yield
        except self.ERRORS as exc:
            raise StoreError(f"could not {what} ({exc}); nothing of it was stored", source=self.location) from exc

    def _save(self, db: Connection, batch: Batch) -> None:
        self._check_terms(db)
        db.execute("UPDATE counters SET value = value + 1 WHERE name = 'saved_batches'")
        number = int(db.execute("SELECT value FROM counters WHERE name = 'saved_batches'").fetchone()[0])
        for doc, problem in batch.failed:
            db.execute(
                "INSERT INTO raw_documents (id, kind, body, given, problem) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET problem = excluded.problem",
                (doc.id, doc.kind, zlib.compress(doc.body), json.dumps(doc.given.as_dict()), problem.message),
            )
        db.executemany(
            "INSERT INTO raw_documents (id, kind, body, given, problem) VALUES (?, ?, ?, ?, NULL) "
            "ON CONFLICT (id) DO UPDATE SET problem = NULL",
            [(d.id, d.kind, zlib.compress(d.body), json.dumps(d.given.as_dict())) for d in batch.documents],
        )
        self._save_profiles(db, batch.stories, number)
        db.executemany(
            "INSERT INTO articles (id, external_id, source, title, text, published, published_day, language, outlet, author, url, "
            "text_hash, duplicate_of, duplicate_kind, story_id, match_score, embedding, fingerprint, published_uncertain, cuts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a.id, a.external_id, a.source, a.title, a.text, a.published, _day(a.published_day), a.language,
                    a.outlet, a.author, a.url, batch.text_hashes[a.id], a.duplicate_of, a.duplicate_kind, a.story_id,
                    a.match_score, _half(a.embedding),
                    a.fingerprint.astype(np.uint64).tobytes() if a.fingerprint is not None else None,
                    int(a.published_uncertain),
                    cuts_to_json(a.cuts),
                )
                for a in batch.articles
            ],
        )
        db.executemany("UPDATE articles SET outlet = ? WHERE outlet = ?", [(new, old) for old, new in batch.outlet_renames])
        self._index_for_search(db, [a.id for a in batch.articles])
        db.executemany(
            "INSERT INTO sources (article_id, source) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(a.id, a.source) for a in batch.articles] + batch.sightings,
        )
        db.executemany(
            "INSERT INTO minhash_bands (band, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(band, article_id) for article_id, bands in batch.band_keys.items() for band in bands],
        )
        self._save_entities(db, batch)
        self._save_merges(db, batch, number)
        db.executemany(
            "INSERT INTO story_explanations (story_id, payload) VALUES (?, ?) ON CONFLICT (story_id) DO UPDATE SET payload = excluded.payload",
            [(story_id, explanation_to_json(e)) for story_id, e in batch.explanations.items()],
        )
        db.executemany(
            "INSERT INTO term_frequencies (term, documents, saved_batch) VALUES (?, ?, ?) "
            "ON CONFLICT (term) DO UPDATE SET documents = excluded.documents, saved_batch = excluded.saved_batch",
            [(term, documents, number) for term, documents in batch.term_frequencies.items()],
        )
        if batch.term_frequencies:
            db.execute(
                "INSERT INTO counters (name, value) VALUES ('term_documents', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (batch.documents_counted,),
            )

    @staticmethod
    def _save_profiles(db: Connection, profiles: Sequence[StoryProfile], number: int) -> None:
        """Insert or update story profiles, marked with the number of the batch (or edit) that wrote them."""
        db.executemany(
            "INSERT INTO stories (id, title, title_vector, size, first_day, last_day, vector_sum, terms, entities, undated_articles, saved_batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_vector = excluded.title_vector, size = excluded.size, "
            "first_day = excluded.first_day, last_day = excluded.last_day, vector_sum = excluded.vector_sum, terms = excluded.terms, "
            "entities = excluded.entities, undated_articles = excluded.undated_articles, saved_batch = excluded.saved_batch",
            [
                (
                    p.id, p.title, _half(p.title_vector), p.size, _day(p.first_day), _day(p.last_day),
                    p.vector_sum.astype(np.float32).tobytes(), pack_terms(p.terms), json.dumps(p.entities), p.undated_articles, number,
                )
                for p in profiles
            ],
        )
        # The entities each dated story names, under its last day (for ``story_ids_naming``). A row is
        # written only when the story names a new entity or its last day moves: most joins change neither.
        # An entity that drops out of a story's most named keeps its row (with the last day it had then);
        # the matcher keeps only the stories whose own last day is in the span it asked for.
        db.executemany(
            "INSERT INTO story_entities (story_id, entity_id, last_day) VALUES (?, ?, ?) ON CONFLICT (story_id, entity_id) "
            "DO UPDATE SET last_day = excluded.last_day WHERE story_entities.last_day <> excluded.last_day",
            [(p.id, entity_id, _day(p.last_day)) for p in profiles if p.last_day is not None for entity_id in p.entities],
        )

    def _save_merges(self, db: Connection, batch: Batch, number: int) -> None:
        """Move the articles of merged stories to their survivor, drop the merged stories, and remember where they went."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        for merged, into in batch.merges:
            _follow_merge(db, merged, into)
            db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (into, merged))
            db.execute("UPDATE story_merges SET into_id = ? WHERE into_id = ?", (into, merged))
            db.execute(
                "INSERT INTO story_merges (from_id, into_id, at, saved_batch) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id, at = excluded.at, saved_batch = excluded.saved_batch",
                (merged, into, at, number),
            )
            db.execute("DELETE FROM story_explanations WHERE story_id = ?", (merged,))
            db.execute("DELETE FROM stories WHERE id = ?", (merged,))

    def _save_entities(self, db: Connection, batch: Batch) -> None:
        db.executemany(
            "INSERT INTO entities (id, type, name, mentions, articles, neighbors, place) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, mentions = excluded.mentions, "
            "articles = excluded.articles, neighbors = excluded.neighbors, place = excluded.place",
            [entity_row(e) for e in batch.entities],
        )
        db.executemany(
            "INSERT INTO entity_aliases (entity_id, alias, count) VALUES (?, ?, ?) ON CONFLICT (entity_id, alias) DO UPDATE SET count = excluded.count",
            [(e.id, alias, count) for e in batch.entities for alias, count in e.aliases.items()],
        )
        db.executemany(
            "INSERT INTO entity_keys (key, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [(k, e.id) for e in batch.entities for k in e.keys]
        )
        db.executemany(
            "INSERT INTO article_entities (article_id, entity_id, mentions) VALUES (?, ?, ?)",
            [
                (a.id, entity_id, count)
                for a in batch.articles
                for entity_id, count in Counter(m.entity_id for m in a.mentions if m.entity_id).items()
            ],
        )
        db.executemany(
            "INSERT INTO analyses (article_id, payload, sentence_vectors) VALUES (?, ?, ?)",
            [(a.id, analysis_to_json(a), vectors_to_bytes(a.sentence_vectors)) for a in batch.articles],
        )

    def saved_batches(self) -> int:
        return int(self._writes.execute("SELECT value FROM counters WHERE name = 'saved_batches'").fetchone()[0])

    def changes_since(self, saved_batches: int) -> StoreChanges:
        db = self._writes
        changes = StoreChanges(self.saved_batches())
        edited = db.execute("SELECT value FROM counters WHERE name = 'last_edit_batch'").fetchone()
        changes.edited = edited is not None and int(edited[0]) > saved_batches
        changes.stories = [_profile(row) for row in db.execute("SELECT * FROM stories WHERE saved_batch > ?", (saved_batches,))]
        changes.merged = [row[0] for row in db.execute("SELECT from_id FROM story_merges WHERE saved_batch > ?", (saved_batches,))]
        changes.term_frequencies = {
            row[0]: row[1] for row in db.execute("SELECT term, documents FROM term_frequencies WHERE saved_batch > ?", (saved_batches,))
        }
        changes.documents_counted = self.term_frequencies_counted(db)
        return changes

    # ---- the terms version (analyze.terms.TERMS_VERSION) ------------------------------------
    # The term statistics and the stories' wording hold hashed terms as the Storyline that wrote them
    # counted them. The store records that version (counters 'terms_version'); writes that place
    # articles in stories are refused when it is not this Storyline's, until ``rewriting_terms``
    # (`storyline reindex-terms`) has counted everything again.

    def _record_terms_version(self, db: Connection) -> None:
        """Record the terms version of a store that has none yet (call it when migrating, in a write transaction):
        a store holding articles was written before versions were recorded (version 1), an empty one takes this one's."""
        db.execute(
            "INSERT INTO counters (name, value) SELECT 'terms_version', CASE WHEN EXISTS (SELECT 1 FROM articles) THEN ? ELSE ? END "
            "WHERE NOT EXISTS (SELECT 1 FROM counters WHERE name = 'terms_version')",
            (UNVERSIONED_TERMS, TERMS_VERSION),
        )

    @staticmethod
    def _terms_version_in(db: Connection) -> int:
        row = db.execute("SELECT value FROM counters WHERE name = 'terms_version'").fetchone()
        if row is not None:
            return int(row[0])
        return UNVERSIONED_TERMS if db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() else TERMS_VERSION

    def terms_version(self) -> int:
        """The terms version the store's term statistics and stories' wording were counted in."""
        with self._reading() as db:
            return self._terms_version_in(db)

    def check_terms_version(self) -> None:
        """Raise TermsVersionError unless the store's terms are counted as this Storyline counts them."""
        stored = self.terms_version()
        if stored != TERMS_VERSION:
            raise TermsVersionError(self.location, stored, TERMS_VERSION)

    def _check_terms(self, db: Connection) -> None:
        """``check_terms_version`` inside a write transaction (which it leaves untouched when it raises)."""
        stored = self._terms_version_in(db)
        if stored != TERMS_VERSION:
            raise TermsVersionError(self.location, stored, TERMS_VERSION)

    @contextmanager
    def rewriting_terms(self) -> Iterator[TermsRewrite]:
        """Rewrite the term statistics and every story's wording in one transaction (hold ``writer()``): all of it, or none."""
        with self._failing_as("count the store's terms again"), self._transaction() as db:
            yield TermsRewrite(self, db)

    # ---- what matching needs ---------------------------------------------------

    def entities_for_keys(self, keys: Sequence[str]) -> list[Entity]:
        """Entities under any of these lookup keys, with their aliases, keys and neighbours."""
        if not keys:
            return []
        ids = [r[0] for r in self._writes.execute(f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({_marks(keys)})", list(keys))]
        return self._entities(ids, self._writes)

    def _entities(self, ids: Sequence[str], db: Connection) -> list[Entity]:
        """Entities with aliases and keys, read through ``db``."""
        if not ids:
            return []
        marks = _marks(ids)
        entities = {
            row["id"]: Entity(
                row["id"], row["type"], row["name"], row["mentions"], row["articles"],
                neighbors=json.loads(row["neighbors"]), place=place_from_json(row["place"]),
            )
            for row in db.execute(f"SELECT * FROM entities WHERE id IN ({marks})", list(ids))
        }
        for row in db.execute(f"SELECT entity_id, alias, count FROM entity_aliases WHERE entity_id IN ({marks})", list(ids)):
            entities[row[0]].aliases[row[1]] = row[2]
        for row in db.execute(f"SELECT entity_id, key FROM entity_keys WHERE entity_id IN ({marks})", list(ids)):
            entities[row[0]].keys.add(row[1])
        return [entities[i] for i in ids if i in entities]

    def stored_stories(self, ids: Sequence[str]) -> dict[str, str]:
        known: dict[str, str] = {}
        for chunk in _chunks(ids):
            known.update((row[0], row[1]) for row in self._writes.execute(f"SELECT id, story_id FROM articles WHERE id IN ({_marks(chunk)})", chunk))
        return known

    def story_ids_overlapping(self, first_day: dt.date, last_day: dt.date) -> list[str]:
        """Ids of the dated stories whose span shares a day with ``first_day`` .. ``last_day`` (read from stories_span alone)."""
        rows = self._writes.execute(
            f"SELECT id FROM stories {self.SPAN_INDEX} WHERE last_day >= ? AND first_day <= ?", (first_day.isoformat(), last_day.isoformat())
        )
        return [row[0] for row in rows]

    def story_ids_naming(
        self, entity_ids: Sequence[str], first_day: dt.date, last_day: dt.date, *, per_entity: int, latest: bool = True
    ) -> list[str]:
        """Ids of the stories naming each entity whose last day falls in ``first_day`` .. ``last_day``: per entity,
        the ``per_entity`` with the latest last days (``latest=False``: the earliest).

        One range of the story_entities_recent index per entity, read from either end, however large the store.
        """
        order = "DESC" if latest else "ASC"
        found: dict[str, None] = {}
        for entity_id in entity_ids:
            rows = self._writes.execute(
                "SELECT story_id FROM story_entities WHERE entity_id = ? AND last_day >= ? AND last_day <= ? "
                f"ORDER BY last_day {order} LIMIT ?",
                (entity_id, first_day.isoformat(), last_day.isoformat(), per_entity),
            )
            found.update((row[0], None) for row in rows)
        return list(found)

    def undated_profiles(self) -> Iterator[StoryProfile]:
        """Stories holding at least one undated article."""
        return iter([_profile(row) for row in self._writes.execute("SELECT * FROM stories WHERE undated_articles > 0")])

    def profiles_by_ids(self, ids: Sequence[str]) -> list[StoryProfile]:
        found = []
        for chunk in _chunks(ids):
            found.extend(map(_profile, self._writes.execute(f"SELECT * FROM stories WHERE id IN ({_marks(chunk)})", chunk)))
        return found

    def latest_story_day(self) -> dt.date | None:
        return _parse_day(self._writes.execute("SELECT MAX(last_day) FROM stories").fetchone()[0])

    def term_frequencies(self) -> tuple[dict[int, int], int]:
        """Document frequency of every hashed term, and how many documents were counted."""
        db = self._writes
        frequencies = {row[0]: row[1] for row in db.execute("SELECT term, documents FROM term_frequencies")}
        return frequencies, self.term_frequencies_counted(db)

    def term_documents(self) -> int:
        with self._reading() as db:
            return self.term_frequencies_counted(db)

    @staticmethod
    def term_frequencies_counted(db: Connection) -> int:
        row = db.execute("SELECT value FROM counters WHERE name = 'term_documents'").fetchone()
        return int(row[0]) if row else 0

    def find_exact(self, text_hash: str) -> KnownArticle | None:
        row = self._writes.execute(
            "SELECT id, story_id, COALESCE(duplicate_of, id) AS original FROM articles WHERE text_hash = ? ORDER BY seq LIMIT 1",
            (text_hash,),
        ).fetchone()
        return KnownArticle(row["id"], row["story_id"], row["original"]) if row else None

    def find_by_bands(self, bands: Sequence[int]) -> list[KnownArticle]:
        if not bands:
            return []
        rows = self._writes.execute(
            "SELECT DISTINCT a.id, a.story_id, COALESCE(a.duplicate_of, a.id) AS original, a.fingerprint "
            f"FROM minhash_bands b JOIN articles a ON a.id = b.article_id WHERE b.band IN ({_marks(bands)})",
            list(bands),
        )
        return [
            KnownArticle(row["id"], row["story_id"], row["original"], np.frombuffer(row["fingerprint"], dtype=np.uint64))
            for row in rows
            if row["fingerprint"] is not None
        ]

    def stored_article_days(self) -> Iterator[tuple[str, str | None]]:
        with self._reading(snapshot=True) as db:
            for row in self._stream(db, "SELECT id, published_day FROM articles"):
                yield row[0], row[1]

    # ---- what explaining stories needs -------------------------------------------

    def story_members(self, story_id: str, *, limit: int) -> list[Article]:
        """The story's most recent articles with their analysis, as the writer sees them (for explaining)."""
        rows = self._writes.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? ORDER BY a.seq DESC LIMIT ?", (story_id, limit))
        return [article_from_row(r) for r in rows]

    def sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The embeddings of each article's lead sentences."""
        found: dict[str, np.ndarray] = {}
        for chunk in _chunks(article_ids):
            for row in self._writes.execute(f"SELECT article_id, sentence_vectors FROM analyses WHERE article_id IN ({_marks(chunk)})", chunk):
                vectors = vectors_from_bytes(row[1])
                if vectors is not None:
                    found[row[0]] = vectors
        return found

    def outlet_activity(self, first_day: str, last_day: str) -> dict[str, int]:
        """Articles per outlet published from ``first_day`` to ``last_day`` (ISO days, inclusive)."""
        rows = self._writes.execute(
            "SELECT outlet, COUNT(*) FROM articles WHERE published_day BETWEEN ? AND ? AND outlet IS NOT NULL GROUP BY outlet",
            (first_day, last_day),
        )
        return {row[0]: int(row[1]) for row in rows}

    def outlets(self) -> dict[str, int]:
        """Articles per outlet name over the whole store (dated or not)."""
        rows = self._writes.execute("SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet")
        return {row[0]: int(row[1]) for row in rows}

    # ---- analysts' edits (the writer's connection: an edit reads and writes under the writers' lock) ----

    def kept_apart(self, story_id: str, other_id: str) -> bool:
        """Did an analyst separate these stories? (``match.analyst``: the matcher asks before merging.)"""
        first, second = sorted((story_id, other_id))
        row = self._writes.execute("SELECT 1 FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", (first, second)).fetchone()
        return row is not None

    def story_states(self, story_ids: Iterable[str]) -> dict[str, StoryState]:
        """What an edit needs to know of each existing story among ``story_ids``."""
        db = self._writes
        states = {}
        for story_id in dict.fromkeys(story_ids):
            row = db.execute("SELECT id, title, title_pinned FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                continue
            members = db.execute("SELECT id, duplicate_of FROM articles WHERE story_id = ? ORDER BY seq", (story_id,)).fetchall()
            apart = db.execute(
                "SELECT second_id FROM stories_kept_apart WHERE first_id = ? UNION SELECT first_id FROM stories_kept_apart WHERE second_id = ?",
                (story_id, story_id),
            ).fetchall()
            merged_in = db.execute("SELECT from_id FROM story_merges WHERE into_id = ? ORDER BY from_id", (story_id,)).fetchall()
            states[story_id] = StoryState(
                id=story_id,
                title=row["title"],
                title_pinned=bool(row["title_pinned"]),
                articles=tuple(m[0] for m in members),
                duplicates={m[0]: m[1] for m in members if m[1]},
                kept_apart=frozenset(r[0] for r in apart),
                merged_in=tuple(r[0] for r in merged_in),
            )
        return states

    def resolve_story(self, story_id: str) -> str | None:
        """The story an id stands for now: itself, or the story it was merged into; None when neither exists."""
        row = self._writes.execute(
            "SELECT id FROM stories WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = ?), ?)", (story_id, story_id)
        ).fetchone()
        return row[0] if row else None

    def story_id_taken(self, story_id: str) -> bool:
        """Is the id a story's, or that of a story merged into another (an id never names two stories)?"""
        row = self._writes.execute(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM stories WHERE id = ?) OR EXISTS (SELECT 1 FROM story_merges WHERE from_id = ?)", (story_id, story_id)
        ).fetchone()
        return row is not None

    def articles_for_rebuild(self, article_ids: Sequence[str]) -> list[Article]:
        """These articles with their analysis and embeddings, in arrival order: what a story profile is made from."""
        found: list[tuple[int, Article]] = []
        for chunk in _chunks(article_ids):
            for row in self._writes.execute(f"SELECT {ARTICLE_COLUMNS}, a.seq, a.embedding FROM articles a WHERE a.id IN ({_marks(chunk)})", chunk):
                found.append((row["seq"], _with_embedding(article_from_row(row), row)))
        return [article for _, article in sorted(found, key=lambda pair: pair[0])]

    def save_edit(self, edit: StoryEdit, profiles: Sequence[StoryProfile], explanations: dict[str, Explanation]) -> StoryEdit:
        """Carry out an edit and log it, in one transaction; returns it with its id in the log.

        ``profiles``: every story the edit leaves behind, rebuilt (with its title and whether it is pinned).
        The edit counts as a saved batch, so that every writer's matcher loads the stories again
        (``changes_since(...).edited``) before it places another article.
        """
        with self._failing_as(f"save the {edit.kind} of {edit.story_id}"), self._transaction() as db:
            self._check_terms(db)  # an edit weighs its stories' wording in this Storyline's terms
            db.execute("UPDATE counters SET value = value + 1 WHERE name = 'saved_batches'")
            number = int(db.execute("SELECT value FROM counters WHERE name = 'saved_batches'").fetchone()[0])
            db.execute(
                "INSERT INTO counters (name, value) VALUES ('last_edit_batch', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", (number,)
            )
            edit_id = int(
                db.execute(
                    "INSERT INTO story_edits (at, kind, story_id, by, payload, undoes) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (edit.at, edit.kind, edit.story_id, edit.by, edit_payload(edit), edit.undoes),
                ).fetchall()[0][0]
            )
            if edit.undoes is not None:
                db.execute("UPDATE story_edits SET undone_by = ? WHERE id = ?", (edit_id, edit.undoes))
            self._save_profiles(db, profiles, number)
            db.executemany("UPDATE stories SET title_pinned = ? WHERE id = ?", [(int(p.title_pinned), p.id) for p in profiles])
            db.executemany("UPDATE articles SET story_id = ? WHERE id = ?", [(m.to_story, m.article_id) for m in edit.moves])
            db.executemany("DELETE FROM story_merges WHERE from_id = ?", [(story_id,) for story_id in edit.created])
            for story_id in edit.removed:
                left = int(db.execute("SELECT COUNT(*) FROM articles WHERE story_id = ?", (story_id,)).fetchone()[0])
                if left:
                    raise StoreError(f"story {story_id} still holds {left} articles; an edit removes only stories it empties", source=self.location)
                db.execute("DELETE FROM story_explanations WHERE story_id = ?", (story_id,))
                db.execute("DELETE FROM stories WHERE id = ?", (story_id,))
            db.executemany(
                "INSERT INTO story_merges (from_id, into_id, at, saved_batch) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id, at = excluded.at, saved_batch = excluded.saved_batch",
                [(a, b, edit.at, number) for a, b in edit.merged_into],
            )
            db.executemany("UPDATE story_merges SET into_id = ? WHERE from_id = ?", [(after, merged) for merged, _, after in edit.redirected])
            db.executemany("DELETE FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", [tuple(sorted(p)) for p in edit.released])
            db.executemany(
                "INSERT INTO stories_kept_apart (first_id, second_id, edit_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(*sorted(p), edit_id) for p in edit.apart],
            )
            db.executemany(
                "INSERT INTO story_explanations (story_id, payload) VALUES (?, ?) ON CONFLICT (story_id) DO UPDATE SET payload = excluded.payload",
                [(story_id, explanation_to_json(e)) for story_id, e in explanations.items()],
            )
        return replace(edit, id=edit_id)

    def edits(self, *, limit: int | None = None, offset: int = 0) -> Page[StoryEdit]:
        """The edit log, most recent first."""
        with self._reading(snapshot=True) as db:
            rows = db.execute("SELECT * FROM story_edits ORDER BY id DESC LIMIT ? OFFSET ?", (self.NO_LIMIT if limit is None else limit, offset)).fetchall()
            total = int(db.execute("SELECT COUNT(*) FROM story_edits").fetchone()[0])
        return Page([edit_from_row(row) for row in rows], total, offset, limit)

    def edit(self, edit_id: int, *, writing: bool = False) -> StoryEdit | None:
        """One logged edit (``writing``: read as the writer sees it, inside an edit)."""
        if writing:
            row = self._writes.execute("SELECT * FROM story_edits WHERE id = ?", (edit_id,)).fetchone()
        else:
            with self._reading() as db:
                row = db.execute("SELECT * FROM story_edits WHERE id = ?", (edit_id,)).fetchone()
        return edit_from_row(row) if row else None

    def edits_after(self, edit_id: int) -> list[StoryEdit]:
        """Edits logged after ``edit_id`` (the writer's view): what an undo must not contradict."""
        return [edit_from_row(row) for row in self._writes.execute("SELECT * FROM story_edits WHERE id > ? ORDER BY id", (edit_id,)).fetchall()]

    # ---- reading -------------------------------------------------------------------

    def count(self) -> dict[str, int]:
        with self._reading() as db:
            row = db.execute(
                "SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM stories) AS stories, "
                "(SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates, "
                "(SELECT COUNT(*) FROM raw_documents WHERE problem IS NOT NULL) AS failed"
            ).fetchone()
        return {name: int(row[name]) for name in ("articles", "stories", "duplicates", "failed")}

    def stories(self, filters: StoryFilter = StoryFilter(), *, limit: int | None = None, offset: int = 0) -> Page[Story]:
        where, params = self._story_conditions(filters)
        if where is None:
            return Page([], 0, offset, limit)
        with self._reading(snapshot=True) as db:
            rows = db.execute(
                f"SELECT s.* FROM stories s WHERE {where} ORDER BY s.last_day DESC NULLS LAST, s.size DESC, s.{self.STORY_ORDER_KEY} "
                "LIMIT ? OFFSET ?",
                [*params, self.NO_LIMIT if limit is None else limit, offset],
            ).fetchall()
            total = int(db.execute(f"SELECT COUNT(*) FROM stories s WHERE {where}", params).fetchone()[0])
            members: dict[str, list[Article]] = {row["id"]: [] for row in rows}
            for chunk in _chunks([row["id"] for row in rows]):
                for article in db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id IN ({_marks(chunk)}) {_STORY_ORDER}", chunk):
                    members[article["story_id"]].append(article_from_row(article))
        return Page([_story(row, members[row["id"]]) for row in rows], total, offset, limit)

    def _story_conditions(self, filters: StoryFilter) -> tuple[str | None, list[object]]:
        """The WHERE clause (over ``stories s``) and parameters for ``filters``; None when nothing can match."""
        clauses: list[str] = []
        params: list[object] = []
        for clause, value in (
            ("a.published_day >= ?", filters.since and filters.since.isoformat()),
            ("a.published_day <= ?", filters.until and filters.until.isoformat()),
            ("a.language = ?", filters.language),
            (self.OUTLET_IS, filters.outlet),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        if filters.query is not None:
            expression = self._search_expression(filters.terms or query_terms_of(filters.query))
            if expression is None:
                return None, []
            clauses.append(self.SEARCH_CONDITION)
            params.append(expression)
        if filters.entities is not None:
            if not filters.entities:
                return None, []
            clauses.append(f"a.id IN (SELECT article_id FROM article_entities WHERE entity_id IN ({_marks(filters.entities)}))")
            params.extend(filters.entities)
        if not clauses:
            return "1 = 1", []
        return f"s.id IN (SELECT a.story_id FROM articles a WHERE {' AND '.join(clauses)})", params

    def search(
        self, query: str | Sequence[QueryTerm], *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> Page[SearchHit]:
        """Articles that hold every term of ``query`` (any spelling of each), best match or newest first.

        ``query``: text (its words are the terms) or the terms ``analyze.query`` read from it.
        """
        expression = self._search_expression(query_terms_of(query) if isinstance(query, str) else query)
        if expression is None:
            return Page([], 0, offset, limit)
        order = "a.published_day IS NULL, a.published_day DESC, a.seq DESC" if newest_first else self.BEST_FIRST
        with self._reading(snapshot=True) as db:
            rows = db.execute(self.SEARCH_PAGE.format(order=order), (expression, self.NO_LIMIT if limit is None else limit, offset)).fetchall()
            total = int(db.execute(self.SEARCH_COUNT, (expression,)).fetchone()[0])
        return Page([SearchHit(article_from_row(row), snippet_pieces(row["snippet"])) for row in rows], total, offset, limit)

    def story(self, story_id: str) -> Story | None:
        """The story by its id, or by the id of a story merged into it."""
        with self._reading(snapshot=True) as db:
            row = db.execute(
                "SELECT * FROM stories WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = ?), ?)", (story_id, story_id)
            ).fetchone()
            return self._explained(_story(row, self._members(db, row["id"])), db) if row else None

    def _explained(self, story: Story, db: Connection) -> Story:
        row = db.execute("SELECT payload FROM story_explanations WHERE story_id = ?", (story.id,)).fetchone()
        story.explanation = explanation_from_json(row[0]) if row else None
        return story

    @staticmethod
    def _members(db: Connection, story_id: str) -> list[Article]:
        return [article_from_row(r) for r in db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? {_STORY_ORDER}", (story_id,))]

    def article(self, article_id: str) -> Article | None:
        with self._reading() as db:
            row = db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = ? OR a.external_id = ? ORDER BY a.id = ? DESC, a.seq LIMIT 1",
                (article_id, article_id, article_id),
            ).fetchone()
        return article_from_row(row) if row else None

    def find_entities(self, keys: Sequence[str], aliases: Sequence[str]) -> list[Entity]:
        """Entities stored under any of these lookup keys, or with a spelling that holds all the words of one of ``aliases``.

        What a search query is read against (``analyze.query``): candidates only, the caller keeps the exact names.
        """
        ids: dict[str, None] = {}
        with self._reading() as db:
            for chunk in _chunks(keys):
                ids.update((row[0], None) for row in db.execute(f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({_marks(chunk)})", chunk))
            for alias in aliases:
                expression = self._search_expression([QueryTerm(alias, False, (alias,))])
                if expression:
                    ids.update((row[0], None) for row in db.execute(self.ALIAS_SEARCH, (expression, ALIAS_HITS)))
            return [e for chunk in _chunks(list(ids)) for e in self._entities(chunk, db)]

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, str | None]:
        titles: dict[str, str | None] = {}
        with self._reading() as db:
            for chunk in _chunks(story_ids):
                titles.update((row[0], row[1]) for row in db.execute(f"SELECT id, title FROM stories WHERE id IN ({_marks(chunk)})", chunk))
        return titles

    def articles_naming(self, entity_id: str, *, limit: int) -> list[Article]:
        """The latest articles naming an entity, newest first."""
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM article_entities ae JOIN articles a ON a.id = ae.article_id WHERE ae.entity_id = ? "
                "ORDER BY a.published_day IS NULL, a.published_day DESC, a.seq DESC LIMIT ?",
                (entity_id, limit),
            ).fetchall()
        return [article_from_row(r) for r in rows]

    def iter_stories(self) -> Iterator[Story]:
        with self._reading(snapshot=True) as db:
            for row in self._stream(db, f"SELECT * FROM stories ORDER BY {self.STORY_ORDER_KEY}"):
                yield self._explained(_story(row, self._members(db, row["id"])), db)

    def iter_articles(self) -> Iterator[Article]:
        with self._reading(snapshot=True) as db:
            for row in self._stream(db, f"SELECT {ARTICLE_COLUMNS} FROM articles a ORDER BY a.seq"):
                yield article_from_row(row)

    def entity(self, entity_id: str) -> Entity | None:
        with self._reading() as db:
            found = self._entities([entity_id], db)
        return found[0] if found else None

    def entity_stories(self, entity_id: str, *, limit: int = 100) -> list[EntityStory]:
        """Stories naming the entity, most recent first."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT a.story_id, s.title, COUNT(*) AS articles, MIN(a.published_day) AS first_day, MAX(a.published_day) AS last_day "
                "FROM article_entities ae JOIN articles a ON a.id = ae.article_id JOIN stories s ON s.id = a.story_id "
                "WHERE ae.entity_id = ? GROUP BY a.story_id, s.title ORDER BY last_day DESC NULLS LAST, articles DESC LIMIT ?",
                (entity_id, limit),
            ).fetchall()
        return [EntityStory(r["story_id"], r["title"], int(r["articles"]), r["first_day"], r["last_day"]) for r in rows]

    def entities_by_ids(self, ids: Iterable[str]) -> list[Entity]:
        ids = list(ids)
        with self._reading() as db:
            return [e for chunk in _chunks(ids) for e in self._entities(chunk, db)]

    def entity_names(self) -> dict[str, Entity]:
        """Every entity's id, name and type (no aliases): enough to label mentions."""
        with self._reading(snapshot=True) as db:
            return {row[0]: Entity(row[0], row[1], row[2]) for row in self._stream(db, "SELECT id, type, name FROM entities")}

    def iter_entities(self) -> Iterator[Entity]:
        """Every entity (with aliases), most mentioned first."""
        with self._reading(snapshot=True) as db:
            ids = [r[0] for r in self._stream(db, "SELECT id FROM entities ORDER BY mentions DESC, id")]
            for chunk in _chunks(ids):
                yield from self._entities(chunk, db)

    def raw_document_problems(self) -> list[tuple[str, str]]:
        """(id, problem) of stored inputs that could not be cleaned."""
        with self._reading() as db:
            return [(r["id"], r["problem"]) for r in db.execute("SELECT id, problem FROM raw_documents WHERE problem IS NOT NULL")]

    # ---- watched sources, their pages, article versions, archive checkpoints (issue 12) ----
    # Reads go through this thread's read connection. Writes go through a connection of their
    # own, one short transaction each (_sources_transaction): a watch records what it fetches
    # while a batch is being analysed and saved through the writer's connection.

    def save_source(self, source: Source) -> None:
        """Insert or replace a watched source with all its state."""
        with self._sources_transaction() as db:
            db.execute(_SAVE_SOURCE, _source_row(source))

    def remove_source(self, url: str) -> bool:
        """Forget a source and the pages it found that were not fetched yet; False when there was none."""
        with self._sources_transaction() as db:
            removed = db.execute("DELETE FROM watched_sources WHERE url = ?", (url,)).rowcount
            db.execute("DELETE FROM watched_pages WHERE source = ? AND state = 'pending'", (url,))
        return bool(removed)

    def sources(self) -> list[Source]:
        """Every watched source, in the order they were added."""
        with self._reading() as db:
            return [_source(r) for r in db.execute(f"SELECT {_SOURCE_COLUMNS} FROM watched_sources ORDER BY added, url").fetchall()]

    def source(self, url: str) -> Source | None:
        with self._reading() as db:
            row = db.execute(f"SELECT {_SOURCE_COLUMNS} FROM watched_sources WHERE url = ?", (url,)).fetchone()
        return _source(row) if row else None

    def due_sources(self, now: str) -> list[Source]:
        """Live sources whose next poll is at or before ``now``, the most overdue first."""
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_SOURCE_COLUMNS} FROM watched_sources WHERE dead = 0 AND next_poll <= ? ORDER BY next_poll, url", (now,)
            ).fetchall()
        return [_source(r) for r in rows]

    def next_source_poll(self) -> str | None:
        """When the next live source is due."""
        with self._reading() as db:
            return db.execute("SELECT MIN(next_poll) FROM watched_sources WHERE dead = 0").fetchone()[0]

    def record_poll(self, source: Source, pages: Sequence[WatchedPage]) -> tuple[int, int]:
        """Save a source after a poll and queue the pages it listed, in one transaction.

        A page already known is left alone, unless the same source now says it changed
        (another date or headline) after it was stored: then it is queued again.
        Returns (pages new, pages queued again).
        """
        new = requeued = 0
        with self._sources_transaction() as db:
            db.execute(_SAVE_SOURCE, _source_row(source))
            known: dict[str, Any] = {}
            for chunk in _chunks([p.url for p in pages]):
                known.update(
                    (r["url"], r) for r in db.execute(f"SELECT url, source, signature, state FROM watched_pages WHERE url IN ({_marks(chunk)})", chunk)
                )
            for page in pages:
                row = known.get(page.url)
                if row is None:
                    db.execute(f"INSERT INTO watched_pages ({_PAGE_COLUMNS}) VALUES ({_marks(_PAGE_FIELDS)})", _page_row(page))
                    known[page.url] = {"source": page.source, "signature": page.signature, "state": page.state}
                    new += 1
                elif row["source"] == page.source and row["signature"] != page.signature:
                    state = "pending" if row["state"] == "stored" else row["state"]
                    db.execute(
                        "UPDATE watched_pages SET signature = ?, link = ?, state = ?, next_attempt = NULL, attempts = 0 WHERE url = ?",
                        (page.signature, _link_json(page.link), state, page.url),
                    )
                    requeued += row["state"] == "stored"
        return new, requeued

    def due_pages(self, now: str, *, per_source: int, limit: int) -> list[WatchedPage]:
        """Pages waiting to be fetched whose time has come: the first ``per_source`` of each source, in the
        order they were found (so a source with a long backlog never holds up the others)."""
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY source ORDER BY seq) AS place "
                "FROM watched_pages WHERE state = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?)) AS waiting "
                "WHERE place <= ? ORDER BY place, seq LIMIT ?",
                (now, per_source, limit),
            ).fetchall()
        return [_watched_page(r) for r in rows]

    def watched_page(self, url: str) -> WatchedPage | None:
        """A page by its canonical URL."""
        with self._reading() as db:
            row = db.execute(f"SELECT {_PAGE_COLUMNS} FROM watched_pages WHERE url = ?", (url,)).fetchone()
        return _watched_page(row) if row else None

    def next_page_attempt(self) -> str | None:
        """When the earliest page waiting may be tried (a time past for a page due now); None when none waits."""
        with self._reading() as db:
            return db.execute("SELECT MIN(COALESCE(next_attempt, found)) FROM watched_pages WHERE state = 'pending'").fetchone()[0]

    def fetched_pages(self) -> Iterator[tuple[WatchedPage, bytes]]:
        """Pages fetched but not yet stored as articles (a run stopped in between), with their bytes."""
        with self._reading(snapshot=True) as db:
            for row in self._stream(db, f"SELECT {_PAGE_COLUMNS}, body FROM watched_pages WHERE state = 'fetched' ORDER BY seq"):
                yield _watched_page(row), zlib.decompress(row["body"]) if row["body"] else b""

    def save_page(self, page: WatchedPage, body: bytes | None = None) -> None:
        """Save where fetching a page stands; ``body`` is kept while the page is fetched but not stored."""
        with self._sources_transaction() as db:
            db.execute(
                f"UPDATE watched_pages SET ({_PAGE_COLUMNS}, body) = ({_marks(_PAGE_FIELDS)}, ?) WHERE url = ?",
                (*_page_row(page), zlib.compress(body) if body is not None and page.state == "fetched" else None, page.url),
            )

    def page_counts(self) -> dict[str, dict[str, int]]:
        """Pages per state, per source that found them."""
        counts: dict[str, dict[str, int]] = {}
        with self._reading() as db:
            for row in db.execute("SELECT source, state, COUNT(*) FROM watched_pages GROUP BY source, state").fetchall():
                counts.setdefault(row[0], {})[row[1]] = int(row[2])
        return counts

    def add_article_version(self, article_id: str, first_id: str, url: str, fetched: str) -> int:
        """Record ``article_id`` as the next version of the article first stored as ``first_id``; its number."""
        with self._sources_transaction() as db:
            db.execute(
                "INSERT INTO article_versions (article_id, first_id, version, url, fetched) VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING",
                (first_id, first_id, url, fetched),
            )
            row = db.execute("SELECT version FROM article_versions WHERE article_id = ?", (article_id,)).fetchone()
            if row is not None:
                return int(row[0])
            version = int(db.execute("SELECT MAX(version) FROM article_versions WHERE first_id = ?", (first_id,)).fetchone()[0]) + 1
            db.execute(
                "INSERT INTO article_versions (article_id, first_id, version, url, fetched) VALUES (?, ?, ?, ?, ?)",
                (article_id, first_id, version, url, fetched),
            )
        return version

    def article_versions(self, article_id: str) -> list[tuple[str, int, str]]:
        """(article id, version, when fetched) of every version of the article, oldest first; empty when it has one."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT article_id, version, fetched FROM article_versions WHERE first_id = "
                "(SELECT first_id FROM article_versions WHERE article_id = ?) ORDER BY version",
                (article_id,),
            ).fetchall()
        return [(r[0], int(r[1]), r[2]) for r in rows]

    def archive_checkpoint(self, file_key: str) -> tuple[int, str] | None:
        """(offset, record id) of the last record of this archive an ingest stored."""
        row = self._writes.execute('SELECT "offset", record_id FROM archive_checkpoints WHERE file_key = ?', (file_key,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def save_archive_checkpoint(self, file_key: str, offset: int, record_id: str) -> None:
        """Remember where an archive ingest stands (on the writer's connection: it is part of the ingest)."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._writes.execute(
            'INSERT INTO archive_checkpoints (file_key, "offset", record_id, at) VALUES (?, ?, ?, ?) '
            'ON CONFLICT (file_key) DO UPDATE SET "offset" = excluded."offset", record_id = excluded.record_id, at = excluded.at',
            (file_key, offset, record_id, at),
        )

    # ---- moving a store --------------------------------------------------------------

    def export_tables(self) -> Iterator[TableRows]:
        with self._reading(snapshot=True) as db:
            for table in self._data_tables(db):
                columns = self._columns(db, table, writable=False)
                order = ", ".join(map(quoted, self._natural_order(db, table)))
                yield TableRows(table, columns, iter(self._stream(db, f"SELECT {', '.join(map(quoted, columns))} FROM {table} ORDER BY {order}")))

    def import_tables(self, tables: Iterable[TableRows]) -> dict[str, int]:
        loaded: dict[str, int] = {}
        try:
            with self._transaction() as db:
                known = set(self._data_tables(db))
                for table in tables:
                    if table.name not in known:
                        raise StoreError(f"has no table {table.name!r}; upgrade Storyline where the store goes", source=self.location)
                    writable = set(self._columns(db, table.name, writable=True))
                    keep = [i for i, column in enumerate(table.columns) if column in writable]
                    columns = [table.columns[i] for i in keep]
                    rows = (tuple(row[i] for i in keep) for row in table.rows)
                    db.execute(f"DELETE FROM {table.name}")  # rows a new store starts with (its counters)
                    loaded[table.name] = self._load_rows(db, table.name, columns, rows)
                self._after_import(db)
        except self.ERRORS as exc:
            raise StoreError(f"could not load the store's rows ({exc}); nothing was loaded", source=self.location) from exc
        return loaded

    # ---- hooks ------------------------------------------------------------------------

    @property
    def _writes(self) -> Connection:
        """The writer's connection (matching reads through it: it must see what the writer saved)."""
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[Connection]:
        """The writer's connection inside one write transaction, rolled back on any exception."""
        raise NotImplementedError

    def _sources_transaction(self) -> AbstractContextManager[Connection]:
        """A connection of its own (not the writer's) inside one short transaction, for the state of watched sources."""
        raise NotImplementedError

    def _reading(self, *, snapshot: bool = False) -> AbstractContextManager[Connection]:
        """A connection for this thread's reads; with ``snapshot``, all its statements see one state of the store."""
        raise NotImplementedError

    def _stream(self, db: Connection, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """Rows of a query too large to hold in memory, a few at a time."""
        raise NotImplementedError

    def _index_for_search(self, db: Connection, article_ids: list[str]) -> None:
        """Add just-inserted articles to the full-text index, when the backend does not do it by itself."""

    def _search_expression(self, terms: Sequence[QueryTerm]) -> str | None:
        """The backend's search for every term (any of its spellings, each a phrase of its words); None when there is no word."""
        raise NotImplementedError

    def _data_tables(self, db: Connection) -> list[str]:
        """The tables ``storyline migrate`` moves, a table before those that refer to it."""
        raise NotImplementedError

    def _columns(self, db: Connection, table: str, *, writable: bool) -> list[str]:
        raise NotImplementedError

    def _natural_order(self, db: Connection, table: str) -> list[str]:
        """The columns a table's rows are exported in the order of (arrival, else its primary key)."""
        raise NotImplementedError

    def _load_rows(self, db: Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        raise NotImplementedError

    def _after_import(self, db: Connection) -> None:
        """Rebuild what derives from the loaded rows (search index, sequences)."""


# Before stores recorded their terms version: Chinese and Japanese were cut into fixed pairs of characters.
UNVERSIONED_TERMS = 1
# Term frequencies written per statement when they are all written again.
FREQUENCY_ROWS = 10_000


class TermsRewrite:
    """A store's term statistics and stories' wording being written again, inside one write transaction.

    Reads stream the stored articles (a few rows at a time, never the whole store); the
    writes replace the term statistics, each story's wording and the terms version. The
    rewrite counts as an analyst's edit for other writers: before their next batch, they
    load what matching holds from the store again (``StoreChanges.edited``).
    """

    def __init__(self, store: SQLStore, db: Connection) -> None:
        self._store, self._db = store, db
        db.execute("UPDATE counters SET value = value + 1 WHERE name = 'saved_batches'")
        self.number = int(db.execute("SELECT value FROM counters WHERE name = 'saved_batches'").fetchone()[0])
        db.execute("INSERT INTO counters (name, value) VALUES ('last_edit_batch', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", (self.number,))
        self.previous_version = store._terms_version_in(db)

    def totals(self) -> tuple[int, int]:
        """(articles the term statistics count: every one but duplicates, articles in all)."""
        row = self._db.execute("SELECT COUNT(*) AS articles, COUNT(*) - COUNT(duplicate_of) AS counted FROM articles").fetchone()
        return int(row["counted"]), int(row["articles"])

    def counted_articles(self) -> Iterator[Article]:
        """Every article the term statistics count (a duplicate is not counted), with its analysis, in arrival order."""
        for row in self._store._stream(self._db, f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.duplicate_of IS NULL ORDER BY a.seq"):
            yield article_from_row(row)

    def story_articles(self) -> Iterator[Article]:
        """Every article with its analysis and embedding, story after story, each story's in arrival order."""
        for row in self._store._stream(self._db, f"SELECT {ARTICLE_COLUMNS}, a.embedding FROM articles a ORDER BY a.story_id, a.seq"):
            yield _with_embedding(article_from_row(row), row)

    def save_story_terms(self, story_id: str, terms: dict[str, SparseVector]) -> None:
        self._db.execute("UPDATE stories SET terms = ?, saved_batch = ? WHERE id = ?", (pack_terms(terms), self.number, story_id))

    def save_term_statistics(self, frequencies: Iterable[tuple[int, int]], documents: int, version: int) -> None:
        """Replace every document frequency, the count of documents behind them, and record the terms version they are in."""
        db = self._db
        db.execute("DELETE FROM term_frequencies")
        rows = ((int(term), int(count), self.number) for term, count in frequencies)
        while chunk := list(itertools.islice(rows, FREQUENCY_ROWS)):
            db.executemany("INSERT INTO term_frequencies (term, documents, saved_batch) VALUES (?, ?, ?)", chunk)
        for name, value in (("term_documents", documents), ("terms_version", version)):
            db.execute("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))


def shipped_migrations(folder: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration in ``store/<folder>``, in order: ``0007_name.sql`` is version 7."""
    found = []
    for entry in resources.files("storyline.store").joinpath(folder).iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def pending_migrations(applied: set[int], shipped: list[tuple[int, str, str]], location: str) -> list[tuple[int, str, str]]:
    """The shipped migrations not applied yet, in order.

    Applied migrations are a set, not a number: migrations written in parallel branches land in
    any order, and a store that has 13 must still get 7 when 7 arrives.
    """
    known = {version for version, _, _ in shipped}
    newer = applied - known
    if newer:
        raise StoreError(
            f"was written by a newer Storyline (schema migration {max(newer)}; this version knows up to {max(known)}); upgrade Storyline",
            source=location,
        )
    return [migration for migration in shipped if migration[0] not in applied]


def quoted(column: str) -> str:
    """A column name as both databases take it, whatever it is ("offset" is a keyword of PostgreSQL's)."""
    return '"' + column.replace('"', '""') + '"'


def query_terms_of(query: str) -> list[QueryTerm]:
    """The terms of a query given as text: its words as typed (``word*``: a prefix). Anything else typed is ignored,
    so no search syntax typed by a reader can break a query."""
    return [QueryTerm(word, bool(star), (word,)) for word, star in re.findall(r"(\w+)(\*?)", query)]


def spelling_phrases(term: QueryTerm) -> list[list[str]]:
    """The words of each spelling of a term (spellings without a word left out), in a stable order."""
    return [phrase.split(" ") for phrase in sorted({" ".join(re.findall(r"\w+", spelling)) for spelling in term.spellings} - {""})]


def dependency_order(tables: Iterable[str], parents: dict[str, set[str]]) -> list[str]:
    """Tables ordered so that a table comes after every table it refers to (then by name)."""
    pending = {t: set(parents.get(t, ())) - {t} for t in tables}
    ordered: list[str] = []
    while pending:
        ready = sorted(t for t, needs in pending.items() if not needs & pending.keys())
        if not ready:
            raise StoreError(f"tables refer to each other in a circle: {sorted(pending)}")
        ordered += ready
        for table in ready:
            del pending[table]
    return ordered


ARTICLE_COLUMNS = ", ".join(
    f"a.{name}"
    for name in (
        "id", "external_id", "source", "title", "text", "published", "language", "outlet", "author", "url",
        "duplicate_of", "duplicate_kind", "story_id", "match_score", "published_uncertain", "cuts",
    )
) + ", (SELECT payload FROM analyses WHERE analyses.article_id = a.id) AS payload"
# A story's articles: by publication day (undated last), then arrival.
_STORY_ORDER = "ORDER BY a.published_day IS NULL, a.published_day, a.seq"
# Entities whose spellings hold the words of one phrase of a query: candidates, checked one by one.
ALIAS_HITS = 200
# Around the matching words in a search snippet: private-use characters, which article text does not use.
MATCH_START, MATCH_END = "\ue000", "\ue001"


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def snippet_pieces(marked: str) -> tuple[tuple[str, bool], ...]:
    """Split a snippet marked with MATCH_START/MATCH_END into (text, is a match) pieces."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", marked or "")):
        if part:
            pieces.append((part, i % 2 == 1))
    return tuple(pieces)


def article_from_row(row: Row) -> Article:
    """An article from a row holding ``ARTICLE_COLUMNS``."""
    article = Article(
        id=row["id"],
        source=row["source"],
        title=row["title"],
        text=row["text"],
        published=row["published"],
        published_uncertain=bool(row["published_uncertain"]),
        language=row["language"],
        outlet=row["outlet"],
        author=row["author"],
        url=row["url"],
        external_id=row["external_id"],
        duplicate_of=row["duplicate_of"],
        duplicate_kind=row["duplicate_kind"],
        story_id=row["story_id"],
        match_score=row["match_score"],
        cuts=cuts_from_json(row["cuts"]),
    )
    return load_analysis(article, row["payload"])


def _with_embedding(article: Article, row: Row) -> Article:
    """The article with its embedding, from a row that also holds ``a.embedding``."""
    if row["embedding"] is not None:
        article.embedding = np.frombuffer(row["embedding"], dtype=np.float16).astype(np.float32)
    return article


def _story(row: Row, articles: list[Article]) -> Story:
    published = sorted(a.published for a in articles if a.published)
    return Story(
        id=row["id"],
        title=row["title"],
        articles=articles,
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
    )


def _profile(row: Row) -> StoryProfile:
    return StoryProfile(
        id=row["id"],
        vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32).copy(),
        size=row["size"],
        first_day=_parse_day(row["first_day"]),
        last_day=_parse_day(row["last_day"]),
        title=row["title"],
        title_vector=np.frombuffer(row["title_vector"], dtype=np.float16).astype(np.float32) if row["title_vector"] else None,
        terms=unpack_terms(row["terms"]),
        entities=json.loads(row["entities"]) if row["entities"] else {},
        undated_articles=row["undated_articles"],
        title_pinned=bool(row["title_pinned"]),
    )


def _follow_merge(db: Connection, merged: str, into: str) -> None:
    """Pairs kept apart follow a story merged into another (a pair of the two is spent)."""
    rows = db.execute("SELECT first_id, second_id, edit_id FROM stories_kept_apart WHERE first_id = ? OR second_id = ?", (merged, merged)).fetchall()
    for first, second, edit_id in rows:
        other = second if first == merged else first
        db.execute("DELETE FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", (first, second))
        if other != into:
            db.execute(
                "INSERT INTO stories_kept_apart (first_id, second_id, edit_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (*sorted((other, into)), edit_id)
            )


def _half(vector: np.ndarray | None) -> bytes | None:
    return vector.astype(np.float16).tobytes() if vector is not None else None


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _parse_day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# ---- rows of watched sources and pages (issue 12) --------------------------------------

_SOURCE_FIELDS = (
    "url", "name", "kind", "title", "every", "added", "next_poll", "etag", "last_modified", "last_poll", "last_success",
    "status", "error", "errors_in_row", "items_seen", "new_articles", "dead", "note", "children",
)
_SOURCE_COLUMNS = ", ".join(_SOURCE_FIELDS)
_SAVE_SOURCE = (
    f"INSERT INTO watched_sources ({_SOURCE_COLUMNS}) VALUES ({_marks(_SOURCE_FIELDS)}) ON CONFLICT (url) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _SOURCE_FIELDS[1:])
)
_PAGE_FIELDS = (
    "url", "link", "source", "found", "state", "signature", "attempts", "next_attempt", "status", "error", "etag",
    "last_modified", "body_hash", "fetched", "fetched_url", "article_id", "first_article_id",
)
_PAGE_COLUMNS = ", ".join(_PAGE_FIELDS)


def _source_row(source: Source) -> tuple[object, ...]:
    values = {name: getattr(source, name) for name in _SOURCE_FIELDS}
    values["dead"] = int(source.dead)
    values["children"] = json.dumps(source.children, sort_keys=True)
    return tuple(values[name] for name in _SOURCE_FIELDS)


def _source(row: Row) -> Source:
    values = {name: row[name] for name in _SOURCE_FIELDS}
    values["dead"] = bool(values["dead"])
    values["children"] = json.loads(values["children"] or "{}")
    return Source(**values)


def _link_json(link: Link) -> str:
    return json.dumps({k: v for k, v in asdict(link).items() if v is not None}, ensure_ascii=False)


def _page_row(page: WatchedPage) -> tuple[object, ...]:
    values = {name: getattr(page, name) for name in _PAGE_FIELDS}
    values["link"] = _link_json(page.link)
    return tuple(values[name] for name in _PAGE_FIELDS)


def _watched_page(row: Row) -> WatchedPage:
    values = {name: row[name] for name in _PAGE_FIELDS}
    values["link"] = Link(**json.loads(values["link"]))
    return WatchedPage(**values)
