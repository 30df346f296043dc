"""SQLite backend: one file, zero configuration, WAL mode, one transaction per batch.

Writes go through one connection (the writer's: the pipeline also reads what
matching needs through it). Every thread that reads gets a connection of its
own: a web server answers requests from many threads at once, and one SQLite
connection must not run statements for several threads together. In WAL mode
readers see the last committed batch and never wait for the writer.

Writers take turns, batch by batch, under two advisory locks (``flock``) on
files beside the store: ``FILE-writer``, held for a batch, and ``FILE-queue``,
a gate a writer passes before it waits for ``FILE-writer``. Whoever waits holds
the gate, so a writer that lets ``FILE-writer`` go cannot take it back at once:
a second writer gets its turn instead of starving (the kernel wakes waiters in
no particular order). The store file itself is never locked this way: closing
a descriptor of it would drop SQLite's own locks, and on NFS flock is fcntl.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

from storyline.errors import StoreError
from storyline.model import QueryTerm
from storyline.store.base import DEFAULT_WRITER_WAIT
from storyline.store.sql import (
    ARTICLE_COLUMNS,
    MATCH_END,
    MATCH_START,
    SQLStore,
    dependency_order,
    pending_migrations,
    quoted,
    shipped_migrations,
    spelling_phrases,
)

LOGGER = logging.getLogger(__name__)

MEMORY = ":memory:"
WRITER_CACHE_MB = 256
WAL_CHECKPOINT_PAGES = 10_000  # about 40 MB of WAL between checkpoints
# How often a waiting writer tries the locks again: from the first to the last, doubling.
_FIRST_TRY, _LAST_TRY = 0.005, 0.05


_CREATED_TABLE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every Storyline schema has had since version 1: what tells our store from another application's database.
_OWN_TABLES = frozenset({"raw_documents", "articles", "stories"})


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every SQLite migration shipped in the package, in order."""
    return shipped_migrations("migrations")


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


class SQLiteStore(SQLStore):
    """A Storyline store in one SQLite file (or in memory with ``":memory:"``).

    ``create``: make a new store when there is none at ``path`` (else StoreError). A file that
    is not a Storyline store is refused either way, untouched (``check_location``).
    """

    STORY_ORDER_KEY = "rowid"
    # The planner would rather scan stories_recent; the span index answers from its own pages.
    SPAN_INDEX = "INDEXED BY stories_span"
    OUTLET_IS = "a.outlet = ? COLLATE NOCASE"
    NO_LIMIT = -1
    ERRORS = (sqlite3.Error,)
    # FTS5 ranks by BM25; a snippet is the best passage of title or text.
    SEARCH_CONDITION = "a.seq IN (SELECT rowid FROM article_search WHERE article_search MATCH ?)"
    SEARCH_PAGE = (
        f"SELECT {ARTICLE_COLUMNS}, hits.snippet FROM ("
        f"  SELECT rowid, rank, snippet(article_search, -1, '{MATCH_START}', '{MATCH_END}', '…', 24) AS snippet"
        "  FROM article_search WHERE article_search MATCH ?"
        ") AS hits JOIN articles a ON a.seq = hits.rowid ORDER BY {order} LIMIT ? OFFSET ?"
    )
    BEST_FIRST = "hits.rank"
    SEARCH_COUNT = "SELECT COUNT(*) FROM article_search WHERE article_search MATCH ?"
    # Every spelling of every entity, case- and accent-blind (an FTS5 table kept in step by a trigger: migration 0007).
    ALIAS_SEARCH = "SELECT DISTINCT entity_id FROM entity_alias_search WHERE entity_alias_search MATCH ? LIMIT ?"

    def __init__(self, path: str | os.PathLike[str] = "storyline.db", *, create: bool = True) -> None:
        self.path = self.location = str(path)
        check_location(self.path, create=create)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._sources_db: sqlite3.Connection | None = None
        self._sources_lock = threading.Lock()
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
        # Writers take turns under the writers' lock; the small writes outside it (watched sources, archive
        # checkpoints) wait for a batch being saved, which takes well under a minute.
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        # Most of a batch's save is its COMMIT copying scattered pages back from the WAL. Checkpointing
        # every 10,000 pages instead of 1,000 copies a page dirtied by several batches once (save per
        # batch at 100k stored articles 236 -> 191 ms). The setting is per connection, and whichever
        # connection commits runs the checkpoint: every connection needs it, not only the writer's.
        db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        return db

    @property
    def _writes(self) -> sqlite3.Connection:
        return self._db

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

    @contextmanager
    def _reading(self, *, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        db = self._reads
        if not snapshot or db.in_transaction:  # a snapshot inside another is part of it
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def _stream(self, db: sqlite3.Connection, sql: str, parameters: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        return iter(db.execute(sql, parameters))

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return _immediate(self._db)

    @contextmanager
    def _sources_transaction(self) -> Iterator[sqlite3.Connection]:
        with self._sources_lock, self._failing_as("save the state of watched sources"):
            if self._sources_db is None:  # in memory there is one database per connection: share the writer's
                self._sources_db = self._db if self.path == MEMORY else self._connect()
            with _immediate(self._sources_db) as db:
                yield db

    # ---- schema ----------------------------------------------------------------

    def _applied_migrations(self) -> set[int]:
        """Migrations applied to this file; a file from before the ``schema_migrations`` table knows only its last one."""
        if self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
            return {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        # Numbers are reserved per branch and branches merge in any order: a file past a migration's
        # number that has none of the tables it creates never got it.
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = {v for v, _, sql in _migrations() if v <= version and (not _CREATED_TABLE.findall(sql) or set(_CREATED_TABLE.findall(sql)) & tables)}
        return applied | ({version} if version else set())

    def _migrate(self) -> None:
        if not pending_migrations(self._applied_migrations(), _migrations(), self.path) and self._has_migration_table() and self._has_terms_version():
            return
        with self.writer():  # two processes opening a new store at once: one migrates, the other waits
            applied = self._applied_migrations()
            if not self._has_migration_table():
                self._db.executescript(
                    "BEGIN IMMEDIATE;\n"
                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at TEXT NOT NULL DEFAULT (datetime('now')));\n"
                    + "".join(f"INSERT INTO schema_migrations (version, name) VALUES ({v}, 'applied before this table');\n" for v in sorted(applied))
                    + "COMMIT;"
                )
            for version, name, sql in pending_migrations(applied, _migrations(), self.path):
                LOGGER.info("%s: applying migration %s", self.path, name)
                latest = max(applied | {version})
                # executescript commits first; wrapping the script keeps each migration atomic.
                self._db.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}');\n"
                    f"PRAGMA user_version = {latest};\nCOMMIT;"
                )
                applied.add(version)
            with _immediate(self._db) as db:
                self._record_terms_version(db)

    def _has_migration_table(self) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() is not None

    def _has_terms_version(self) -> bool:
        return self._db.execute("SELECT 1 FROM counters WHERE name = 'terms_version'").fetchone() is not None

    @property
    def schema_version(self) -> int:
        return max(self._applied_migrations(), default=0)

    # ---- writing ---------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float = DEFAULT_WRITER_WAIT) -> Iterator[None]:
        """Exclusive right to write to this file, waiting up to ``timeout`` seconds for other writers' turns."""
        if self.path == MEMORY:
            yield
            return
        deadline = time.monotonic() + timeout
        with open(f"{self.path}-queue", "ab") as gate, open(f"{self.path}-writer", "ab") as lock:
            try:
                if not _flock(gate, deadline) or not _flock(lock, deadline):
                    raise StoreError(
                        f"another Storyline process has been writing to this store for over {timeout:g} s; "
                        "wait for it to finish, or wait longer (--wait)",
                        source=self.path,
                    )
            finally:
                fcntl.flock(gate, fcntl.LOCK_UN)  # holding the file now (or giving up): the next writer may queue
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _index_for_search(self, db: sqlite3.Connection, article_ids: list[str]) -> None:
        """article_search is an external-content FTS5 index: rows are added by hand, in the batch's transaction."""
        for start in range(0, len(article_ids), 500):
            ids = article_ids[start : start + 500]
            marks = ",".join("?" * len(ids))
            db.execute(f"INSERT INTO article_search (rowid, title, text) SELECT seq, title, text FROM articles WHERE id IN ({marks})", ids)

    # ---- search ----------------------------------------------------------------

    def _search_expression(self, terms: Sequence[QueryTerm]) -> str | None:
        return _match_expression(terms)

    # ---- moving a store --------------------------------------------------------

    def _data_tables(self, db: sqlite3.Connection) -> list[str]:
        tables = [
            row["name"]
            for row in db.execute("PRAGMA table_list")
            if row["schema"] == "main" and row["type"] == "table" and not row["name"].startswith("sqlite_") and row["name"] != "schema_migrations"
        ]
        parents = {t: {row["table"] for row in db.execute(f"PRAGMA foreign_key_list({t})")} for t in tables}
        return dependency_order(tables, parents)

    def _columns(self, db: sqlite3.Connection, table: str, *, writable: bool) -> list[str]:
        return [row["name"] for row in db.execute(f"PRAGMA table_xinfo({table})") if row["hidden"] == 0]

    def _natural_order(self, db: sqlite3.Connection, table: str) -> list[str]:
        (listed,) = [row for row in db.execute("PRAGMA table_list") if row["schema"] == "main" and row["name"] == table]
        if not listed["wr"]:
            return ["rowid"]
        return [name for _, name in sorted((row["pk"], row["name"]) for row in db.execute(f"PRAGMA table_info({table})") if row["pk"])]

    def _load_rows(self, db: sqlite3.Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        db.execute("PRAGMA defer_foreign_keys = ON")  # an edit names the later edit that undid it: checked at COMMIT
        marks = ",".join("?" * len(columns))
        return db.executemany(f"INSERT INTO {table} ({', '.join(map(quoted, columns))}) VALUES ({marks})", rows).rowcount

    def _after_import(self, db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO article_search (article_search) VALUES ('rebuild')")

    # ---- upkeep ----------------------------------------------------------------

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        if self._sources_db is not None and self._sources_db is not self._db:
            self._sources_db.close()
        self._db.close()


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on ``db`` (taking SQLite's write lock at once), rolled back on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _flock(handle: IO[bytes], deadline: float) -> bool:
    """Take an exclusive flock on ``handle``, trying until ``deadline`` (time.monotonic)."""
    pause = _FIRST_TRY
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(2 * pause, _LAST_TRY)


def _match_expression(terms: Sequence[QueryTerm]) -> str | None:
    """An FTS5 query: every term required, any of its spellings; ``word*`` matches a prefix. None when there is no word.

    Every spelling is quoted as a phrase of its words, so FTS5 syntax typed by a reader (``AND``,
    ``NEAR``, column filters, quotes) is searched for as words and never breaks the query.
    """
    groups = []
    for term in terms:
        alternatives = [f'"{" ".join(words)}"{"*" if term.prefix else ""}' for words in spelling_phrases(term)]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups) or None
