"""SQLite backend: one file, zero configuration, WAL mode, one transaction per batch."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from collections import Counter
import logging
import os
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from storyline.errors import StoreError
from storyline.model import Article, Batch, Entity, KnownArticle, SparseVector, Story, StoryProfile
from storyline.store.codec import analysis_to_json, entity_row, load_analysis, place_from_json

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


class SQLiteStore:
    """A Storyline store in one SQLite file (or in memory with ``":memory:"``)."""

    def __init__(self, path: str | os.PathLike[str] = "storyline.db") -> None:
        self.path = str(path)
        self._lock_handle: Any = None
        try:
            if self.path != MEMORY and Path(self.path).parent != Path(""):
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store ({exc}); is it a Storyline database? Pass another --db file", source=self.path) from exc

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
        for version, name, sql in migrations:
            if version <= current:
                continue
            LOGGER.info("%s: applying migration %s", self.path, name)
            # executescript commits first; wrapping the script keeps each migration atomic.
            self._db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")

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

    def save_batch(self, batch: Batch) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
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
            db.executemany(
                "INSERT INTO stories (id, title, title_vector, size, first_day, last_day, vector_sum, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title, title_vector = excluded.title_vector, size = excluded.size, "
                "first_day = excluded.first_day, last_day = excluded.last_day, vector_sum = excluded.vector_sum, terms = excluded.terms",
                [
                    (
                        p.id, p.title, _vector(p.title_vector), p.size, _day(p.first_day), _day(p.last_day),
                        p.vector_sum.astype(np.float32).tobytes(), _pack_terms(p.terms),
                    )
                    for p in batch.stories
                ],
            )
            db.executemany(
                "INSERT INTO articles (id, external_id, source, title, text, published, published_day, language, outlet, author, url, "
                "text_hash, duplicate_of, duplicate_kind, story_id, match_score, embedding, fingerprint) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.id, a.external_id, a.source, a.title, a.text, a.published, _day(a.published_day), a.language,
                        a.outlet, a.author, a.url, batch.text_hashes[a.id], a.duplicate_of, a.duplicate_kind, a.story_id,
                        a.match_score,
                        _vector(a.embedding),
                        a.fingerprint.astype(np.uint64).tobytes() if a.fingerprint is not None else None,
                    )
                    for a in batch.articles
                ],
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
            db.executemany(
                "INSERT INTO term_frequencies (term, documents) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET documents = excluded.documents",
                list(batch.term_frequencies.items()),
            )
            if batch.term_frequencies:
                db.execute(
                    "INSERT INTO counters (name, value) VALUES ('term_documents', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (batch.documents_counted,),
                )
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"could not save a batch of {len(batch.articles)} articles ({exc}); nothing of it was stored", source=self.path) from exc
            raise

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
        db.executemany("INSERT INTO analyses (article_id, payload) VALUES (?, ?)", [(a.id, analysis_to_json(a)) for a in batch.articles])

    # ---- what matching needs ---------------------------------------------------

    def entities_for_keys(self, keys: Sequence[str]) -> list[Entity]:
        """Entities under any of these lookup keys, with their aliases, keys and neighbours."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        ids = [r[0] for r in self._db.execute(f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({marks})", list(keys))]
        return self._entities(ids)

    def _entities(self, ids: Sequence[str]) -> list[Entity]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        entities = {
            row["id"]: Entity(
                row["id"], row["type"], row["name"], row["mentions"], row["articles"],
                neighbors=json.loads(row["neighbors"]), place=place_from_json(row["place"]),
            )
            for row in self._db.execute(f"SELECT * FROM entities WHERE id IN ({marks})", list(ids))
        }
        for row in self._db.execute(f"SELECT entity_id, alias, count FROM entity_aliases WHERE entity_id IN ({marks})", list(ids)):
            entities[row[0]].aliases[row[1]] = row[2]
        for row in self._db.execute(f"SELECT entity_id, key FROM entity_keys WHERE entity_id IN ({marks})", list(ids)):
            entities[row[0]].keys.add(row[1])
        return [entities[i] for i in ids if i in entities]

    def stored_stories(self, ids: Sequence[str]) -> dict[str, str]:
        known: dict[str, str] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            known.update((row[0], row[1]) for row in self._db.execute(f"SELECT id, story_id FROM articles WHERE id IN ({marks})", chunk))
        return known

    def story_profiles(self) -> Iterator[StoryProfile]:
        for row in self._db.execute("SELECT * FROM stories ORDER BY rowid"):
            yield StoryProfile(
                id=row["id"],
                vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32).copy(),
                size=row["size"],
                first_day=_parse_day(row["first_day"]),
                last_day=_parse_day(row["last_day"]),
                title=row["title"],
                title_vector=np.frombuffer(row["title_vector"], dtype=np.float16).astype(np.float32) if row["title_vector"] else None,
                terms=_unpack_terms(row["terms"]),
            )

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
        marks = ",".join("?" * len(bands))
        rows = self._db.execute(
            "SELECT DISTINCT a.id, a.story_id, COALESCE(a.duplicate_of, a.id) AS original, a.fingerprint "
            f"FROM minhash_bands b JOIN articles a ON a.id = b.article_id WHERE b.band IN ({marks})",
            list(bands),
        )
        return [
            KnownArticle(row["id"], row["story_id"], row["original"], np.frombuffer(row["fingerprint"], dtype=np.uint64))
            for row in rows
            if row["fingerprint"] is not None
        ]

    # ---- reading ---------------------------------------------------------------

    def count(self) -> dict[str, int]:
        row = self._db.execute(
            "SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM stories) AS stories, "
            "(SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates, "
            "(SELECT COUNT(*) FROM raw_documents WHERE problem IS NOT NULL) AS failed"
        ).fetchone()
        return dict(row)

    def stories(self, *, limit: int | None = None, offset: int = 0) -> list[Story]:
        rows = self._db.execute(
            "SELECT id FROM stories ORDER BY last_day DESC NULLS LAST, size DESC, rowid LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        ).fetchall()
        return [story for story in (self.story(row["id"]) for row in rows) if story is not None]

    def story(self, story_id: str) -> Story | None:
        row = self._db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        articles = [_article(r) for r in self._db.execute(f"{_SELECT_ARTICLES} WHERE story_id = ? ORDER BY published_day IS NULL, published_day, seq", (story_id,))]
        return _story(row, articles)

    def article(self, article_id: str) -> Article | None:
        row = self._db.execute(
            f"{_SELECT_ARTICLES} WHERE id = ? OR external_id = ? ORDER BY id = ? DESC, seq LIMIT 1",
            (article_id, article_id, article_id),
        ).fetchone()
        return _article(row) if row else None

    def iter_stories(self) -> Iterator[Story]:
        stories = self._db.execute("SELECT * FROM stories ORDER BY rowid")
        for row in stories:
            articles = [
                _article(r)
                for r in self._db.execute(f"{_SELECT_ARTICLES} WHERE story_id = ? ORDER BY published_day IS NULL, published_day, seq", (row["id"],))
            ]
            yield _story(row, articles)

    def entity(self, entity_id: str) -> Entity | None:
        found = self._entities([entity_id])
        return found[0] if found else None

    def entities_by_ids(self, ids: Iterable[str]) -> list[Entity]:
        ids = list(ids)
        return [e for start in range(0, len(ids), _CHUNK) for e in self._entities(ids[start : start + _CHUNK])]

    def entity_names(self) -> dict[str, Entity]:
        """Every entity's id, name and type (no aliases): enough to label mentions."""
        return {row[0]: Entity(row[0], row[1], row[2]) for row in self._db.execute("SELECT id, type, name FROM entities")}

    def iter_entities(self) -> Iterator[Entity]:
        """Every entity (with aliases), most mentioned first."""
        ids = [r[0] for r in self._db.execute("SELECT id FROM entities ORDER BY mentions DESC, id")]
        for start in range(0, len(ids), _CHUNK):
            yield from self._entities(ids[start : start + _CHUNK])

    def iter_articles(self) -> Iterator[Article]:
        for row in self._db.execute(f"{_SELECT_ARTICLES} ORDER BY seq"):
            yield _article(row)

    def raw_document_problems(self) -> list[tuple[str, str]]:
        """(id, problem) of stored inputs that could not be cleaned."""
        return [(r["id"], r["problem"]) for r in self._db.execute("SELECT id, problem FROM raw_documents WHERE problem IS NOT NULL")]

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self._db.close()


_SELECT_ARTICLES = (
    "SELECT id, external_id, source, title, text, published, language, outlet, author, url, duplicate_of, duplicate_kind, "
    "story_id, match_score, analyses.payload FROM articles LEFT JOIN analyses ON analyses.article_id = articles.id"
)


def _article(row: sqlite3.Row) -> Article:
    article = Article(
        id=row["id"],
        source=row["source"],
        title=row["title"],
        text=row["text"],
        published=row["published"],
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
