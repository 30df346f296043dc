"""SQLite backend: one file, zero configuration, WAL mode, one transaction per batch.

Writes go through one connection (the writer's: the pipeline also reads what
matching needs through it). Every thread that reads gets a connection of its
own: a web server answers requests from many threads at once, and one SQLite
connection must not run statements for several threads together. In WAL mode
readers see the last committed batch and never wait for the writer.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from collections import Counter
import logging
import os
import re
import sqlite3
import struct
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path

import numpy as np

from storyline.errors import StoreError
from storyline.model import (
    Article,
    Batch,
    Explanation,
    Entity,
    EntityStory,
    KnownArticle,
    Link,
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
from storyline.store.codec import (
    analysis_to_json,
    edit_from_row,
    edit_payload,
    entity_row,
    explanation_from_json,
    explanation_to_json,
    load_analysis,
    place_from_json,
    vectors_from_bytes,
    vectors_to_bytes,
)

LOGGER = logging.getLogger(__name__)

MEMORY = ":memory:"
# SQLite caps bound parameters per statement; look ups are chunked below it.
_CHUNK = 500


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped in the package, in order."""
    found = []
    for entry in resources.files("storyline.store").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


WRITER_CACHE_MB = 256
_CREATED_TABLE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


_SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every Storyline schema has had since version 1: what tells our store from another application's database.
_OWN_TABLES = frozenset({"raw_documents", "articles", "stories"})


def check_location(path: str, *, create: bool) -> None:
    """Refuse, before anything writes to it, a file that is not a Storyline store.

    A missing or empty file is a new store when ``create`` is true, an error otherwise (read
    commands never create a store). An existing file must be a SQLite database that is empty or
    holds Storyline's tables: it is inspected read only, so another application's database is left
    exactly as it was (no table added, no switch to WAL).
    """
    if path == MEMORY:
        return
    file = Path(path)
    if file.is_dir():
        raise StoreError("is a folder, not a store; pass a file path such as news.db", source=path)
    if not file.exists() or file.stat().st_size == 0:
        if not create:
            raise StoreError(f"no Storyline store here yet; run `storyline ingest PATH --db {path}` first", source=path)
        return
    with file.open("rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise StoreError("is not a Storyline store (not even a SQLite database); nothing was changed. Pass another --db file", source=path)
    try:
        raw = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            raw.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read this SQLite file ({exc}); nothing was changed. Pass another --db file", source=path) from exc
    if tables and not _OWN_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"is a SQLite database of another application (tables {shown}), not a Storyline store; nothing was changed. "
            "Pass another --db file",
            source=path,
        )
    if not tables and not create:
        raise StoreError(f"is an empty database, not a Storyline store yet; run `storyline ingest PATH --db {path}` first", source=path)


class SQLiteStore:
    """A Storyline store in one SQLite file (or in memory with ``":memory:"``).

    ``create``: make a new store when there is none at ``path`` (else StoreError). A file that
    is not a Storyline store is refused either way, untouched (``check_location``).
    """

    def __init__(self, path: str | os.PathLike[str] = "storyline.db", *, create: bool = True) -> None:
        self.path = str(path)
        check_location(self.path, create=create)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._watch_db: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        try:
            if self.path != MEMORY and Path(self.path).parent != Path(""):
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
                self._db.execute("PRAGMA synchronous = NORMAL")
                # Each batch inserts into indexes keyed by random values (MinHash bands, terms,
                # search): with SQLite's default 2 MB cache a large store reads pages from disk
                # for every insert (bench/match_scale.py: save per batch grew 4x from 10k to 1M).
                self._db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_MB * 1024}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store ({exc}); is it a Storyline database? Pass another --db file", source=self.path) from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        return db

    @property
    def _reads(self) -> sqlite3.Connection:
        """This thread's read-only connection, opened on first use (in memory there is only one)."""
        if self.path == MEMORY:
            return self._db
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self._connect()
                db.execute("PRAGMA query_only = ON")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open the store for reading ({exc}); check that the file is still there", source=self.path) from exc
            self._local.db = db
            with self._readers_lock:
                self._readers.append(db)
        return db

    # ---- schema ----------------------------------------------------------------

    def _migrate(self) -> None:
        current = self._db.execute("PRAGMA user_version").fetchone()[0]
        migrations = _migrations()
        latest = migrations[-1][0]
        if current > latest:
            raise StoreError(
                f"was written by a newer Storyline (schema {current}, this version knows {latest}); upgrade Storyline",
                source=self.path,
            )
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for version, name, sql in migrations:
            # Numbers are reserved per branch and branches merge in any order: a store written before
            # a lower-numbered migration merged is past its number but has none of its tables.
            created = set(_CREATED_TABLE.findall(sql))
            if version <= current and (not created or created & tables):
                continue
            LOGGER.info("%s: applying migration %s", self.path, name)
            # executescript commits first; wrapping the script keeps each migration atomic.
            self._db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {max(version, current)};\nCOMMIT;")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ---- writing ---------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Exclusive right to ingest into this file (an advisory lock on the file itself)."""
        if self.path == MEMORY:
            yield
            return
        handle = open(self.path, "rb")  # noqa: SIM115 - held for the duration of the block
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StoreError("another Storyline process is writing to this store; wait for it to finish", source=self.path) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    @contextmanager
    def _writer_transaction(self, what: str, db: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction on the writer's connection (or ``db``): all of it is stored, or none (``what`` names it in errors)."""
        db = db or self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"could not save {what} ({exc}); nothing of it was stored", source=self.path) from exc
            raise

    def save_batch(self, batch: Batch) -> None:
        with self._writer_transaction(f"a batch of {len(batch.articles)} articles") as db:
            for doc, problem in batch.failed:
                db.execute(
                    "INSERT INTO raw_documents (id, kind, body, given, problem) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET problem = excluded.problem",
                    (doc.id, doc.kind, zlib.compress(doc.body), json.dumps(doc.given.as_dict()), problem.message),
                )
            db.executemany(
                "INSERT INTO raw_documents (id, kind, body, given, problem) VALUES (?, ?, ?, ?, NULL) "
                "ON CONFLICT(id) DO UPDATE SET problem = NULL",
                [(d.id, d.kind, zlib.compress(d.body), json.dumps(d.given.as_dict())) for d in batch.documents],
            )
            self._save_profiles(batch.stories)
            db.executemany(
                "INSERT INTO articles (id, external_id, source, title, text, published, published_day, language, outlet, author, url, "
                "text_hash, duplicate_of, duplicate_kind, story_id, match_score, embedding, fingerprint, published_uncertain) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.id, a.external_id, a.source, a.title, a.text, a.published, _day(a.published_day), a.language,
                        a.outlet, a.author, a.url, batch.text_hashes[a.id], a.duplicate_of, a.duplicate_kind, a.story_id,
                        a.match_score,
                        _vector(a.embedding),
                        a.fingerprint.astype(np.uint64).tobytes() if a.fingerprint is not None else None,
                        int(a.published_uncertain),
                    )
                    for a in batch.articles
                ],
            )
            db.executemany("UPDATE articles SET outlet = ? WHERE outlet = ?", [(new, old) for old, new in batch.outlet_renames])
            for start in range(0, len(batch.articles), _CHUNK):
                ids = [a.id for a in batch.articles[start : start + _CHUNK]]
                db.execute(
                    f"INSERT INTO article_search (rowid, title, text) SELECT seq, title, text FROM articles WHERE id IN ({_marks(ids)})", ids
                )
            db.executemany(
                "INSERT OR IGNORE INTO sources (article_id, source) VALUES (?, ?)",
                [(a.id, a.source) for a in batch.articles] + batch.sightings,
            )
            db.executemany(
                "INSERT OR IGNORE INTO minhash_bands (band, article_id) VALUES (?, ?)",
                [(band, article_id) for article_id, bands in batch.band_keys.items() for band in bands],
            )
            self._save_entities(batch)
            self._save_merges(batch)
            db.executemany(
                "INSERT INTO story_explanations (story_id, payload) VALUES (?, ?) ON CONFLICT(story_id) DO UPDATE SET payload = excluded.payload",
                [(story_id, explanation_to_json(e)) for story_id, e in batch.explanations.items()],
            )
            db.executemany(
                "INSERT INTO term_frequencies (term, documents) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET documents = excluded.documents",
                list(batch.term_frequencies.items()),
            )
            if batch.term_frequencies:
                db.execute(
                    "INSERT INTO counters (name, value) VALUES ('term_documents', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (batch.documents_counted,),
                )

    def _save_profiles(self, profiles: Sequence[StoryProfile]) -> None:
        self._db.executemany(
            "INSERT INTO stories (id, title, title_vector, size, first_day, last_day, vector_sum, terms, entities, undated_articles) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET title = excluded.title, title_vector = excluded.title_vector, size = excluded.size, "
            "first_day = excluded.first_day, last_day = excluded.last_day, vector_sum = excluded.vector_sum, terms = excluded.terms, "
            "entities = excluded.entities, undated_articles = excluded.undated_articles",
            [
                (
                    p.id, p.title, _vector(p.title_vector), p.size, _day(p.first_day), _day(p.last_day),
                    p.vector_sum.astype(np.float32).tobytes(), _pack_terms(p.terms), json.dumps(p.entities), p.undated_articles,
                )
                for p in profiles
            ],
        )

    def _save_merges(self, batch: Batch) -> None:
        """Move the articles of merged stories to their survivor, drop the merged stories, and remember where they went."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        for merged, into in batch.merges:
            self._follow_merge(merged, into)
            self._db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (into, merged))
            self._db.execute("UPDATE story_merges SET into_id = ? WHERE into_id = ?", (into, merged))
            self._db.execute("INSERT OR REPLACE INTO story_merges (from_id, into_id, at) VALUES (?, ?, ?)", (merged, into, at))
            self._db.execute("DELETE FROM story_explanations WHERE story_id = ?", (merged,))
            self._db.execute("DELETE FROM stories WHERE id = ?", (merged,))

    def _save_entities(self, batch: Batch) -> None:
        db = self._db
        db.executemany(
            "INSERT INTO entities (id, type, name, mentions, articles, neighbors, place) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET type = excluded.type, name = excluded.name, mentions = excluded.mentions, "
            "articles = excluded.articles, neighbors = excluded.neighbors, place = excluded.place",
            [entity_row(e) for e in batch.entities],
        )
        db.executemany(
            "INSERT INTO entity_aliases (entity_id, alias, count) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET count = excluded.count",
            [(e.id, alias, count) for e in batch.entities for alias, count in e.aliases.items()],
        )
        db.executemany("INSERT OR IGNORE INTO entity_keys (key, entity_id) VALUES (?, ?)", [(k, e.id) for e in batch.entities for k in e.keys])
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

    # ---- what matching needs ---------------------------------------------------

    def entities_for_keys(self, keys: Sequence[str]) -> list[Entity]:
        """Entities under any of these lookup keys, with their aliases, keys and neighbours."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        ids = [r[0] for r in self._db.execute(f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({marks})", list(keys))]
        return self._entities(ids)

    def _entities(self, ids: Sequence[str], db: sqlite3.Connection | None = None) -> list[Entity]:
        """Entities with aliases and keys; read through ``db`` (default: the writer's connection, for the linker)."""
        if not ids:
            return []
        db = db or self._db
        marks = ",".join("?" * len(ids))
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
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            known.update((row[0], row[1]) for row in self._db.execute(f"SELECT id, story_id FROM articles WHERE id IN ({_marks(chunk)})", chunk))
        return known

    def story_ids_overlapping(self, first_day: dt.date, last_day: dt.date) -> list[str]:
        """Ids of the dated stories whose span shares a day with ``first_day`` .. ``last_day`` (read from stories_span alone)."""
        rows = self._db.execute(
            "SELECT id FROM stories INDEXED BY stories_span WHERE last_day >= ? AND first_day <= ?", (first_day.isoformat(), last_day.isoformat())
        )
        return [row[0] for row in rows]

    def undated_profiles(self) -> Iterator[StoryProfile]:
        """Stories holding at least one undated article."""
        return map(_profile, self._db.execute("SELECT * FROM stories WHERE undated_articles > 0"))

    def profiles_by_ids(self, ids: Sequence[str]) -> list[StoryProfile]:
        found = []
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            found.extend(map(_profile, self._db.execute(f"SELECT * FROM stories WHERE id IN ({_marks(chunk)})", chunk)))
        return found

    def latest_story_day(self) -> dt.date | None:
        return _parse_day(self._db.execute("SELECT MAX(last_day) FROM stories").fetchone()[0])

    def term_frequencies(self) -> tuple[dict[int, int], int]:
        """Document frequency of every hashed term, and how many documents were counted."""
        frequencies = dict(self._db.execute("SELECT term, documents FROM term_frequencies").fetchall())
        row = self._db.execute("SELECT value FROM counters WHERE name = 'term_documents'").fetchone()
        return frequencies, (row[0] if row else 0)

    def find_exact(self, text_hash: str) -> KnownArticle | None:
        row = self._db.execute(
            "SELECT id, story_id, COALESCE(duplicate_of, id) AS original FROM articles WHERE text_hash = ? ORDER BY seq LIMIT 1",
            (text_hash,),
        ).fetchone()
        return KnownArticle(row["id"], row["story_id"], row["original"]) if row else None

    def find_by_bands(self, bands: Sequence[int]) -> list[KnownArticle]:
        if not bands:
            return []
        rows = self._db.execute(
            "SELECT DISTINCT a.id, a.story_id, COALESCE(a.duplicate_of, a.id) AS original, a.fingerprint "
            f"FROM minhash_bands b JOIN articles a ON a.id = b.article_id WHERE b.band IN ({_marks(bands)})",
            list(bands),
        )
        return [
            KnownArticle(row["id"], row["story_id"], row["original"], np.frombuffer(row["fingerprint"], dtype=np.uint64))
            for row in rows
            if row["fingerprint"] is not None
        ]

    # ---- analysts' edits (the writer's connection: an edit reads and writes under the writer lock) ----
    # Everything an edit needs is here, apart from the rest of the store, so another backend
    # ports it as one piece: kept_apart, story_states, resolve_story, story_id_taken,
    # articles_for_rebuild, save_edit, edits, edit.

    def kept_apart(self, story_id: str, other_id: str) -> bool:
        """Did an analyst separate these stories? (``match.analyst``: the matcher asks before merging.)"""
        first, second = sorted((story_id, other_id))
        row = self._db.execute("SELECT 1 FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", (first, second)).fetchone()
        return row is not None

    def _follow_merge(self, merged: str, into: str) -> None:
        """Pairs kept apart follow a story merged into another (a pair of the two is spent)."""
        rows = self._db.execute(
            "SELECT first_id, second_id, edit_id FROM stories_kept_apart WHERE first_id = ? OR second_id = ?", (merged, merged)
        ).fetchall()
        for first, second, edit_id in rows:
            other = second if first == merged else first
            self._db.execute("DELETE FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", (first, second))
            if other != into:
                self._db.execute("INSERT OR IGNORE INTO stories_kept_apart VALUES (?, ?, ?)", (*sorted((other, into)), edit_id))

    def story_states(self, story_ids: Iterable[str]) -> dict[str, StoryState]:
        """What an edit needs to know of each existing story among ``story_ids``."""
        db = self._db
        states = {}
        for story_id in dict.fromkeys(story_ids):
            row = db.execute("SELECT id, title, title_pinned FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                continue
            members = db.execute("SELECT id, duplicate_of FROM articles WHERE story_id = ? ORDER BY seq", (story_id,)).fetchall()
            apart = db.execute(
                "SELECT second_id FROM stories_kept_apart WHERE first_id = ? UNION SELECT first_id FROM stories_kept_apart WHERE second_id = ?",
                (story_id, story_id),
            )
            merged_in = db.execute("SELECT from_id FROM story_merges WHERE into_id = ? ORDER BY from_id", (story_id,))
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
        row = self._db.execute(
            "SELECT id FROM stories WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = ?), ?)", (story_id, story_id)
        ).fetchone()
        return row[0] if row else None

    def story_id_taken(self, story_id: str) -> bool:
        """Is the id a story's, or that of a story merged into another (an id never names two stories)?"""
        return self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM stories WHERE id = ?) OR EXISTS (SELECT 1 FROM story_merges WHERE from_id = ?)", (story_id, story_id)
        ).fetchone()[0] == 1

    def articles_for_rebuild(self, article_ids: Sequence[str]) -> list[Article]:
        """These articles with their analysis and embeddings, in arrival order: what a story profile is made from."""
        found: list[tuple[int, Article]] = []
        for start in range(0, len(article_ids), _CHUNK):
            chunk = list(article_ids[start : start + _CHUNK])
            rows = self._db.execute(f"SELECT {_ARTICLE_COLUMNS}, a.seq, a.embedding FROM articles a WHERE a.id IN ({_marks(chunk)})", chunk)
            for row in rows:
                article = _article(row)
                if row["embedding"] is not None:
                    article.embedding = np.frombuffer(row["embedding"], dtype=np.float16).astype(np.float32)
                found.append((row["seq"], article))
        return [article for _, article in sorted(found, key=lambda pair: pair[0])]

    def save_edit(self, edit: StoryEdit, profiles: Sequence[StoryProfile], explanations: dict[str, Explanation]) -> StoryEdit:
        """Carry out an edit and log it, in one transaction; returns it with its id in the log.

        ``profiles``: every story the edit leaves behind, rebuilt (with its title and whether it is pinned).
        """
        with self._writer_transaction(f"the {edit.kind} of {edit.story_id}") as db:
            cursor = db.execute(
                "INSERT INTO story_edits (at, kind, story_id, by, payload, undoes) VALUES (?, ?, ?, ?, ?, ?)",
                (edit.at, edit.kind, edit.story_id, edit.by, edit_payload(edit), edit.undoes),
            )
            edit_id = int(cursor.lastrowid or 0)
            if edit.undoes is not None:
                db.execute("UPDATE story_edits SET undone_by = ? WHERE id = ?", (edit_id, edit.undoes))
            self._save_profiles(profiles)
            db.executemany("UPDATE stories SET title_pinned = ? WHERE id = ?", [(int(p.title_pinned), p.id) for p in profiles])
            db.executemany("UPDATE articles SET story_id = ? WHERE id = ?", [(m.to_story, m.article_id) for m in edit.moves])
            db.executemany("DELETE FROM story_merges WHERE from_id = ?", [(story_id,) for story_id in edit.created])
            for story_id in edit.removed:
                left = db.execute("SELECT COUNT(*) FROM articles WHERE story_id = ?", (story_id,)).fetchone()[0]
                if left:
                    raise StoreError(f"story {story_id} still holds {left} articles; an edit removes only stories it empties", source=self.path)
                db.execute("DELETE FROM story_explanations WHERE story_id = ?", (story_id,))
                db.execute("DELETE FROM stories WHERE id = ?", (story_id,))
            db.executemany(
                "INSERT OR REPLACE INTO story_merges (from_id, into_id, at) VALUES (?, ?, ?)", [(a, b, edit.at) for a, b in edit.merged_into]
            )
            db.executemany("UPDATE story_merges SET into_id = ? WHERE from_id = ?", [(after, merged) for merged, _, after in edit.redirected])
            db.executemany("DELETE FROM stories_kept_apart WHERE first_id = ? AND second_id = ?", [tuple(sorted(p)) for p in edit.released])
            db.executemany("INSERT OR IGNORE INTO stories_kept_apart VALUES (?, ?, ?)", [(*sorted(p), edit_id) for p in edit.apart])
            db.executemany(
                "INSERT INTO story_explanations (story_id, payload) VALUES (?, ?) ON CONFLICT(story_id) DO UPDATE SET payload = excluded.payload",
                [(story_id, explanation_to_json(e)) for story_id, e in explanations.items()],
            )
        return replace(edit, id=edit_id)

    def edits(self, *, limit: int | None = None, offset: int = 0) -> Page[StoryEdit]:
        """The edit log, most recent first."""
        with _snapshot(self._reads) as db:
            rows = db.execute("SELECT * FROM story_edits ORDER BY id DESC LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)).fetchall()
            total = db.execute("SELECT COUNT(*) FROM story_edits").fetchone()[0]
        return Page([edit_from_row(row) for row in rows], total, offset, limit)

    def edit(self, edit_id: int, *, writing: bool = False) -> StoryEdit | None:
        """One logged edit (``writing``: read as the writer sees it, inside an edit)."""
        row = (self._db if writing else self._reads).execute("SELECT * FROM story_edits WHERE id = ?", (edit_id,)).fetchone()
        return edit_from_row(row) if row else None

    def edits_after(self, edit_id: int) -> list[StoryEdit]:
        """Edits logged after ``edit_id`` (the writer's view): what an undo must not contradict."""
        return [edit_from_row(row) for row in self._db.execute("SELECT * FROM story_edits WHERE id > ? ORDER BY id", (edit_id,))]

    # ---- reading ---------------------------------------------------------------

    def count(self) -> dict[str, int]:
        row = self._reads.execute(
            "SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM stories) AS stories, "
            "(SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates, "
            "(SELECT COUNT(*) FROM raw_documents WHERE problem IS NOT NULL) AS failed"
        ).fetchone()
        return dict(row)

    def stories(self, filters: StoryFilter = StoryFilter(), *, limit: int | None = None, offset: int = 0) -> Page[Story]:
        where, params = _story_conditions(filters)
        if where is None:
            return Page([], 0, offset, limit)
        with _snapshot(self._reads) as db:
            rows = db.execute(
                f"SELECT s.* FROM stories s WHERE {where} ORDER BY s.last_day DESC NULLS LAST, s.size DESC, s.rowid LIMIT ? OFFSET ?",
                [*params, -1 if limit is None else limit, offset],
            ).fetchall()
            total = db.execute(f"SELECT COUNT(*) FROM stories s WHERE {where}", params).fetchone()[0]
            members: dict[str, list[Article]] = {row["id"]: [] for row in rows}
            for start in range(0, len(rows), _CHUNK):
                ids = [row["id"] for row in rows[start : start + _CHUNK]]
                for article in db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.story_id IN ({_marks(ids)}) {_STORY_ORDER}", ids):
                    members[article["story_id"]].append(_article(article))
        return Page([_story(row, members[row["id"]]) for row in rows], total, offset, limit)

    def story(self, story_id: str) -> Story | None:
        """The story by its id, or by the id of a story merged into it."""
        db = self._reads
        row = db.execute(
            "SELECT * FROM stories WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = ?), ?)", (story_id, story_id)
        ).fetchone()
        return self._explained(_story(row, self._members(db, row["id"])), db) if row else None

    def _explained(self, story: Story, db: sqlite3.Connection) -> Story:
        row = db.execute("SELECT payload FROM story_explanations WHERE story_id = ?", (story.id,)).fetchone()
        story.explanation = explanation_from_json(row[0]) if row else None
        return story

    def _members(self, db: sqlite3.Connection, story_id: str) -> list[Article]:
        return [_article(r) for r in db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? {_STORY_ORDER}", (story_id,))]

    def article(self, article_id: str) -> Article | None:
        row = self._reads.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ? OR a.external_id = ? ORDER BY a.id = ? DESC, a.seq LIMIT 1",
            (article_id, article_id, article_id),
        ).fetchone()
        return _article(row) if row else None

    def search(
        self, query: str | Sequence[QueryTerm], *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> Page[SearchHit]:
        """Articles that hold every term of ``query`` (any spelling of each), best match (BM25) or newest first.

        ``query``: text (its words are the terms) or the terms ``analyze.query`` read from it.
        """
        expression = _match_expression(_terms(query))
        if expression is None:
            return Page([], 0, offset, limit)
        order = "a.published_day IS NULL, a.published_day DESC, a.seq DESC" if newest_first else "hits.rank"
        with _snapshot(self._reads) as db:
            rows = db.execute(
                f"SELECT {_ARTICLE_COLUMNS}, hits.snippet FROM ("
                "  SELECT rowid, rank, snippet(article_search, -1, ?, ?, '…', 24) AS snippet"
                "  FROM article_search WHERE article_search MATCH ?"
                f") AS hits JOIN articles a ON a.seq = hits.rowid ORDER BY {order} LIMIT ? OFFSET ?",
                (_MATCH_START, _MATCH_END, expression, -1 if limit is None else limit, offset),
            ).fetchall()
            total = db.execute("SELECT COUNT(*) FROM article_search WHERE article_search MATCH ?", (expression,)).fetchone()[0]
        return Page([SearchHit(_article(row), _snippet(row["snippet"])) for row in rows], total, offset, limit)

    def find_entities(self, keys: Sequence[str], aliases: Sequence[str]) -> list[Entity]:
        """Entities stored under any of these lookup keys, or with a spelling that holds all the words of one of ``aliases``.

        What a search query is read against (``analyze.query``): candidates only, the caller keeps the exact names.
        """
        db = self._reads
        ids: dict[str, None] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            ids.update((row[0], None) for row in db.execute(f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({_marks(chunk)})", chunk))
        for alias in aliases:
            expression = _match_expression([QueryTerm(alias, False, (alias,))])
            if expression:
                rows = db.execute(
                    "SELECT DISTINCT entity_id FROM entity_alias_search WHERE entity_alias_search MATCH ? LIMIT ?", (expression, _ALIAS_HITS)
                )
                ids.update((row[0], None) for row in rows)
        return [e for start in range(0, len(ids), _CHUNK) for e in self._entities(list(ids)[start : start + _CHUNK], db)]

    def iter_stories(self) -> Iterator[Story]:
        db = self._reads
        for row in db.execute("SELECT * FROM stories ORDER BY rowid"):
            yield self._explained(_story(row, self._members(db, row["id"])), db)

    def entity(self, entity_id: str) -> Entity | None:
        found = self._entities([entity_id], self._reads)
        return found[0] if found else None

    def story_members(self, story_id: str, *, limit: int) -> list[Article]:
        """The story's most recent articles with their analysis, as the writer sees them (for explaining)."""
        rows = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? ORDER BY a.seq DESC LIMIT ?", (story_id, limit))
        return [_article(r) for r in rows]

    def sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The embeddings of each article's lead sentences."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(article_ids), _CHUNK):
            chunk = list(article_ids[start : start + _CHUNK])
            for row in self._db.execute(f"SELECT article_id, sentence_vectors FROM analyses WHERE article_id IN ({_marks(chunk)})", chunk):
                vectors = vectors_from_bytes(row[1])
                if vectors is not None:
                    found[row[0]] = vectors
        return found

    def outlet_activity(self, first_day: str, last_day: str) -> dict[str, int]:
        """Articles per outlet published from ``first_day`` to ``last_day`` (ISO days, inclusive)."""
        rows = self._db.execute(
            "SELECT outlet, COUNT(*) FROM articles WHERE published_day BETWEEN ? AND ? AND outlet IS NOT NULL GROUP BY outlet",
            (first_day, last_day),
        )
        return {row[0]: row[1] for row in rows}

    def outlets(self) -> dict[str, int]:
        rows = self._db.execute("SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet")
        return {row[0]: row[1] for row in rows}

    def entity_stories(self, entity_id: str, *, limit: int = 100) -> list[EntityStory]:
        """Stories naming the entity, most recent first."""
        rows = self._reads.execute(
            "SELECT a.story_id, s.title, COUNT(*) AS articles, MIN(a.published_day) AS first_day, MAX(a.published_day) AS last_day "
            "FROM article_entities ae JOIN articles a ON a.id = ae.article_id JOIN stories s ON s.id = a.story_id "
            "WHERE ae.entity_id = ? GROUP BY a.story_id ORDER BY last_day DESC NULLS LAST, articles DESC LIMIT ?",
            (entity_id, limit),
        )
        return [EntityStory(r["story_id"], r["title"], r["articles"], r["first_day"], r["last_day"]) for r in rows]

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, str | None]:
        titles: dict[str, str | None] = {}
        for start in range(0, len(story_ids), _CHUNK):
            chunk = list(story_ids[start : start + _CHUNK])
            titles.update((row[0], row[1]) for row in self._reads.execute(f"SELECT id, title FROM stories WHERE id IN ({_marks(chunk)})", chunk))
        return titles

    def articles_naming(self, entity_id: str, *, limit: int) -> list[Article]:
        """The latest articles naming an entity, newest first."""
        rows = self._reads.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM article_entities ae JOIN articles a ON a.id = ae.article_id WHERE ae.entity_id = ? "
            "ORDER BY a.published_day IS NULL, a.published_day DESC, a.seq DESC LIMIT ?",
            (entity_id, limit),
        )
        return [_article(r) for r in rows]

    def entities_by_ids(self, ids: Iterable[str]) -> list[Entity]:
        ids = list(ids)
        return [e for start in range(0, len(ids), _CHUNK) for e in self._entities(ids[start : start + _CHUNK], self._reads)]

    def entity_names(self) -> dict[str, Entity]:
        """Every entity's id, name and type (no aliases): enough to label mentions."""
        return {row[0]: Entity(row[0], row[1], row[2]) for row in self._reads.execute("SELECT id, type, name FROM entities")}

    def iter_entities(self) -> Iterator[Entity]:
        """Every entity (with aliases), most mentioned first."""
        ids = [r[0] for r in self._reads.execute("SELECT id FROM entities ORDER BY mentions DESC, id")]
        for start in range(0, len(ids), _CHUNK):
            yield from self._entities(ids[start : start + _CHUNK], self._reads)

    def iter_articles(self) -> Iterator[Article]:
        for row in self._reads.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles a ORDER BY a.seq"):
            yield _article(row)

    def raw_document_problems(self) -> list[tuple[str, str]]:
        """(id, problem) of stored inputs that could not be cleaned."""
        return [(r["id"], r["problem"]) for r in self._reads.execute("SELECT id, problem FROM raw_documents WHERE problem IS NOT NULL")]

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # ---- watched sources, their pages, article versions, archive checkpoints (issue 12) ----
    # Reads go through this thread's read connection. Writes go through a connection of their
    # own, one short transaction each, taken in turn by a lock: a watch records what it fetches
    # while a batch is being analysed and saved through the writer's connection (SQLite makes
    # the two transactions take turns on the file).

    def save_source(self, source: Source) -> None:
        """Insert or replace a watched source with all its state."""
        with self._transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO watched_sources ({_SOURCE_COLUMNS}) VALUES ({_marks(_SOURCE_FIELDS)})", _source_row(source))

    def remove_source(self, url: str) -> bool:
        """Forget a source and the pages it found that were not fetched yet; False when there was none."""
        with self._transaction() as db:
            removed = db.execute("DELETE FROM watched_sources WHERE url = ?", (url,)).rowcount
            db.execute("DELETE FROM watched_pages WHERE source = ? AND state = 'pending'", (url,))
        return bool(removed)

    def sources(self) -> list[Source]:
        """Every watched source, in the order they were added."""
        return [_source(r) for r in self._reads.execute(f"SELECT {_SOURCE_COLUMNS} FROM watched_sources ORDER BY added, url")]

    def source(self, url: str) -> Source | None:
        row = self._reads.execute(f"SELECT {_SOURCE_COLUMNS} FROM watched_sources WHERE url = ?", (url,)).fetchone()
        return _source(row) if row else None

    def due_sources(self, now: str) -> list[Source]:
        """Live sources whose next poll is at or before ``now``, the most overdue first."""
        rows = self._reads.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM watched_sources WHERE dead = 0 AND next_poll <= ? ORDER BY next_poll, url", (now,)
        )
        return [_source(r) for r in rows]

    def next_source_poll(self) -> str | None:
        """When the next live source is due."""
        return self._reads.execute("SELECT MIN(next_poll) FROM watched_sources WHERE dead = 0").fetchone()[0]

    def record_poll(self, source: Source, pages: Sequence[WatchedPage]) -> tuple[int, int]:
        """Save a source after a poll and queue the pages it listed, in one transaction.

        A page already known is left alone, unless the same source now says it changed
        (another date or headline) after it was stored: then it is queued again.
        Returns (pages new, pages queued again).
        """
        new = requeued = 0
        with self._transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO watched_sources ({_SOURCE_COLUMNS}) VALUES ({_marks(_SOURCE_FIELDS)})", _source_row(source))
            known: dict[str, sqlite3.Row] = {}
            urls = [p.url for p in pages]
            for start in range(0, len(urls), _CHUNK):
                chunk = urls[start : start + _CHUNK]
                known.update((r["url"], r) for r in db.execute(f"SELECT url, source, signature, state FROM watched_pages WHERE url IN ({_marks(chunk)})", chunk))
            for page in pages:
                row = known.get(page.url)
                if row is None:
                    db.execute(f"INSERT INTO watched_pages ({_PAGE_COLUMNS}) VALUES ({_marks(_PAGE_FIELDS)})", _page_row(page))
                    known[page.url] = {"source": page.source, "signature": page.signature, "state": page.state}  # type: ignore[assignment]
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
        rows = self._reads.execute(
            f"SELECT {_PAGE_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY source ORDER BY seq) AS rank "
            "FROM watched_pages WHERE state = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?)) "
            "WHERE rank <= ? ORDER BY rank, seq LIMIT ?",
            (now, per_source, limit),
        )
        return [_watched_page(r) for r in rows]

    def watched_page(self, url: str) -> WatchedPage | None:
        """A page by its canonical URL."""
        row = self._reads.execute(f"SELECT {_PAGE_COLUMNS} FROM watched_pages WHERE url = ?", (url,)).fetchone()
        return _watched_page(row) if row else None

    def next_page_attempt(self) -> str | None:
        """When the earliest page waiting may be tried (a time past for a page due now); None when none waits."""
        return self._reads.execute("SELECT MIN(COALESCE(next_attempt, found)) FROM watched_pages WHERE state = 'pending'").fetchone()[0]

    def fetched_pages(self) -> Iterator[tuple[WatchedPage, bytes]]:
        """Pages fetched but not yet stored as articles (a run stopped in between), with their bytes."""
        rows = self._reads.execute(f"SELECT {_PAGE_COLUMNS}, body FROM watched_pages WHERE state = 'fetched' ORDER BY seq")
        for row in rows:
            yield _watched_page(row), zlib.decompress(row["body"]) if row["body"] else b""

    def save_page(self, page: WatchedPage, body: bytes | None = None) -> None:
        """Save where fetching a page stands; ``body`` is kept while the page is fetched but not stored."""
        with self._transaction() as db:
            db.execute(
                f"UPDATE watched_pages SET ({_PAGE_COLUMNS}, body) = ({_marks(_PAGE_FIELDS)}, ?) WHERE url = ?",
                (*_page_row(page), zlib.compress(body) if body is not None and page.state == "fetched" else None, page.url),
            )

    def page_counts(self) -> dict[str, dict[str, int]]:
        """Pages per state, per source that found them."""
        counts: dict[str, dict[str, int]] = {}
        for row in self._reads.execute("SELECT source, state, COUNT(*) FROM watched_pages GROUP BY source, state"):
            counts.setdefault(row[0], {})[row[1]] = row[2]
        return counts

    def add_article_version(self, article_id: str, first_id: str, url: str, fetched: str) -> int:
        """Record ``article_id`` as the next version of the article first stored as ``first_id``; its number."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO article_versions (article_id, first_id, version, url, fetched) VALUES (?, ?, 1, ?, ?)",
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
        rows = self._reads.execute(
            "SELECT article_id, version, fetched FROM article_versions WHERE first_id = "
            "(SELECT first_id FROM article_versions WHERE article_id = ?) ORDER BY version",
            (article_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def archive_checkpoint(self, file_key: str) -> tuple[int, str] | None:
        """(offset, record id) of the last record of this archive an ingest stored."""
        row = self._db.execute("SELECT offset, record_id FROM archive_checkpoints WHERE file_key = ?", (file_key,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def save_archive_checkpoint(self, file_key: str, offset: int, record_id: str) -> None:
        """Remember where an archive ingest stands (on the writer's connection: it is part of the ingest)."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT INTO archive_checkpoints (file_key, offset, record_id, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(file_key) DO UPDATE SET offset = excluded.offset, record_id = excluded.record_id, at = excluded.at",
            (file_key, offset, record_id, at),
        )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._watch_lock:
            if self._watch_db is None:  # in memory there is one database per connection: share the writer's
                self._watch_db = self._db if self.path == MEMORY else self._connect()
                self._watch_db.execute("PRAGMA busy_timeout = 60000")  # a batch being saved takes well under a minute
            with self._writer_transaction("the state of watched sources", self._watch_db) as db:
                yield db

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        if self._watch_db is not None and self._watch_db is not self._db:
            self._watch_db.close()
        self._db.close()


_ARTICLE_COLUMNS = ", ".join(
    f"a.{name}"
    for name in (
        "id", "external_id", "source", "title", "text", "published", "language", "outlet", "author", "url",
        "duplicate_of", "duplicate_kind", "story_id", "match_score", "published_uncertain",
    )
) + ", (SELECT payload FROM analyses WHERE analyses.article_id = a.id) AS payload"
# A story's articles: by publication day (undated last), then arrival.
_STORY_ORDER = "ORDER BY a.published_day IS NULL, a.published_day, a.seq"
# Entities whose spellings hold the words of one phrase of a query: candidates, checked one by one.
_ALIAS_HITS = 200
# Around the matching words in a search snippet: private-use characters, which article text does not use.
_MATCH_START, _MATCH_END = "\ue000", "\ue001"


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: its statements see one state of the store, so a page agrees with its total."""
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("COMMIT")


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _terms(query: str | Sequence[QueryTerm]) -> Sequence[QueryTerm]:
    """The terms of a query given as text: its words as typed (``word*``: a prefix)."""
    if not isinstance(query, str):
        return query
    return [QueryTerm(word, bool(star), (word,)) for word, star in re.findall(r"(\w+)(\*?)", query)]


def _match_expression(terms: Sequence[QueryTerm]) -> str | None:
    """An FTS5 query: every term required, any of its spellings; ``word*`` matches a prefix. None when there is no word.

    Every spelling is quoted as a phrase of its words, so FTS5 syntax typed by a reader (``AND``,
    ``NEAR``, column filters, quotes) is searched for as words and never breaks the query.
    """
    groups = []
    for term in terms:
        phrases = sorted({" ".join(re.findall(r"\w+", spelling)) for spelling in term.spellings} - {""})
        alternatives = [f'"{phrase}"{"*" if term.prefix else ""}' for phrase in phrases]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups) or None


def _story_conditions(filters: StoryFilter) -> tuple[str | None, list[object]]:
    """The WHERE clause (over ``stories s``) and parameters for ``filters``; None when nothing can match."""
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("a.published_day >= ?", filters.since and filters.since.isoformat()),
        ("a.published_day <= ?", filters.until and filters.until.isoformat()),
        ("a.language = ?", filters.language),
        ("a.outlet = ? COLLATE NOCASE", filters.outlet),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if filters.query is not None:
        expression = _match_expression(filters.terms or _terms(filters.query))
        if expression is None:
            return None, []
        clauses.append("a.seq IN (SELECT rowid FROM article_search WHERE article_search MATCH ?)")
        params.append(expression)
    if filters.entities is not None:
        if not filters.entities:
            return None, []
        clauses.append(f"a.id IN (SELECT article_id FROM article_entities WHERE entity_id IN ({_marks(filters.entities)}))")
        params.extend(filters.entities)
    if not clauses:
        return "1", []
    return f"s.id IN (SELECT a.story_id FROM articles a WHERE {' AND '.join(clauses)})", params


def _snippet(marked: str) -> tuple[tuple[str, bool], ...]:
    """Split a snippet marked with _MATCH_START/_MATCH_END into (text, is a match) pieces."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{_MATCH_START}{_MATCH_END}]", marked or "")):
        if part:
            pieces.append((part, i % 2 == 1))
    return tuple(pieces)


def _article(row: sqlite3.Row) -> Article:
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
    )
    return load_analysis(article, row["payload"])


def _story(row: sqlite3.Row, articles: list[Article]) -> Story:
    published = sorted(a.published for a in articles if a.published)
    return Story(
        id=row["id"],
        title=row["title"],
        articles=articles,
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
    )


def _profile(row: sqlite3.Row) -> StoryProfile:
    return StoryProfile(
        id=row["id"],
        vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32).copy(),
        size=row["size"],
        first_day=_parse_day(row["first_day"]),
        last_day=_parse_day(row["last_day"]),
        title=row["title"],
        title_vector=np.frombuffer(row["title_vector"], dtype=np.float16).astype(np.float32) if row["title_vector"] else None,
        terms=_unpack_terms(row["terms"]),
        entities=json.loads(row["entities"]) if row["entities"] else {},
        undated_articles=row["undated_articles"],
        title_pinned=bool(row["title_pinned"]),
    )


def _pack_terms(terms: dict[str, SparseVector]) -> bytes:
    """Per language: code (3 bytes), count (uint32), term ids (int32), weights (float32)."""
    parts = []
    for language, vector in sorted(terms.items()):
        parts.append(language.encode("ascii").ljust(3, b" ") + struct.pack("<I", len(vector.terms)))
        parts.append(vector.terms.astype(np.int32).tobytes() + vector.weights.astype(np.float32).tobytes())
    return b"".join(parts)


def _unpack_terms(blob: bytes | None) -> dict[str, SparseVector]:
    terms: dict[str, SparseVector] = {}
    offset = 0
    while blob and offset < len(blob):
        language = blob[offset : offset + 3].decode("ascii").strip()
        (count,) = struct.unpack_from("<I", blob, offset + 3)
        offset += 7
        ids = np.frombuffer(blob, dtype=np.int32, count=count, offset=offset).astype(np.int64)
        weights = np.frombuffer(blob, dtype=np.float32, count=count, offset=offset + 4 * count).copy()
        terms[language] = SparseVector(ids, weights)
        offset += 8 * count
    return terms


def _vector(vector: np.ndarray | None) -> bytes | None:
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


def _source(row: sqlite3.Row) -> Source:
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


def _watched_page(row: sqlite3.Row) -> WatchedPage:
    values = {name: row[name] for name in _PAGE_FIELDS}
    values["link"] = Link(**json.loads(values["link"]))
    return WatchedPage(**values)
