"""PostgreSQL backend: many writers and readers on one server, for stores that outgrow a file.

Chosen by the location: ``postgresql://user@host/database`` (any libpq URI or
``key=value`` string; libpq's variables such as ``PGPASSWORD`` apply). The
schema is the SQLite one with PostgreSQL types (migrations/postgresql/, the
same numbers and meaning), and search uses PostgreSQL's text search with a
configuration per language (migration 0004).

The writer has a connection of its own: matching reads through it, each batch
is one transaction on it, and it holds the writers' lock, a session advisory
lock that PostgreSQL hands to waiting writers in the order they asked (and
drops when a writer's connection dies, even after ``kill -9``). Reads come
from a pool of connections, so a web server's threads read side by side.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool

from storyline.errors import StoreError
from storyline.model import QueryTerm
from storyline.store.base import DEFAULT_WRITER_WAIT
from storyline.store.location import masked
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

# Advisory lock keys ("Storylin" in ASCII, and the next one): the writers' turn, and migrating the schema.
WRITER_LOCK = 0x53746F72796C696E
MIGRATION_LOCK = WRITER_LOCK + 1
READ_CONNECTIONS = 8
# Tables every Storyline schema has had since version 1: what tells our store from another application's database.
OWN_TABLES = frozenset({"schema_migrations", "raw_documents", "articles", "stories"})
# Rows fetched at a time by a query streamed through a server-side cursor.
STREAM_ROWS = 500
HEADLINE = f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=…"


def schema_exists(location: str) -> bool:
    """Whether Storyline's tables are in the database at ``location``."""
    try:
        with psycopg.connect(location, autocommit=True) as raw:
            return raw.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is not None  # type: ignore[index]
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot connect to PostgreSQL ({_first_line(exc)}); check the location, that the server runs and that it lets this user in",
            source=masked(location),
        ) from exc


class PostgresStore(SQLStore):
    """A Storyline store in a PostgreSQL database."""

    STORY_ORDER_KEY = "seq"
    OUTLET_IS = "lower(a.outlet) = lower(?)"
    NO_LIMIT = None
    ERRORS = (psycopg.Error,)
    # Ranked by ts_rank_cd; the snippet is the passage of the text ts_headline picks (of its first 20,000 characters).
    SEARCH_CONDITION = "a.search @@ (SELECT storyline_query(?))"
    SEARCH_PAGE = (
        f"SELECT {ARTICLE_COLUMNS}, ts_headline(storyline_search_config(a.language), left(a.text, 20000), hits.query, '{HEADLINE}') AS snippet "
        "FROM (SELECT a.seq, ts_rank_cd(a.search, q.query) AS rank, q.query FROM articles a, (SELECT storyline_query(?) AS query) q "
        "      WHERE a.search @@ q.query) AS hits "
        "JOIN articles a ON a.seq = hits.seq ORDER BY {order} LIMIT ? OFFSET ?"
    )
    BEST_FIRST = "hits.rank DESC, hits.seq"
    SEARCH_COUNT = "SELECT COUNT(*) FROM articles a WHERE a.search @@ (SELECT storyline_query(?))"
    # Spellings through the text search index of migration 0007 (case and accents folded).
    ALIAS_SEARCH = (
        "SELECT DISTINCT entity_id FROM entity_aliases "
        "WHERE to_tsvector('storyline_simple'::regconfig, alias) @@ to_tsquery('storyline_simple'::regconfig, ?) LIMIT ?"
    )

    def __init__(self, location: str, *, create: bool = True, read_connections: int = READ_CONNECTIONS) -> None:
        self.location = masked(location)
        self._conninfo = location
        self._read_connections = read_connections
        self._pool: ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        self._cursor_names = itertools.count()
        self._db = self._connect()
        try:
            self._migrate(create)
        except StoreError:
            self._db.raw.close()
            raise
        except psycopg.Error as exc:
            self._db.raw.close()
            raise StoreError(f"cannot prepare the database ({_first_line(exc)}); the user needs the right to create tables there", source=self.location) from exc

    def _connect(self) -> _Connection:
        try:
            raw = psycopg.connect(self._conninfo, autocommit=True, row_factory=_rows)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL ({_first_line(exc)}); check the location, that the server runs and that it lets this user in",
                source=self.location,
            ) from exc
        _configure(raw)
        return _Connection(raw)

    @property
    def _writes(self) -> _Connection:
        return self._db

    def _reads(self) -> ConnectionPool:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self._conninfo,
                    min_size=1,
                    max_size=self._read_connections,
                    kwargs={"autocommit": True, "row_factory": _rows},
                    configure=_configure,
                    check=ConnectionPool.check_connection,  # a server restart must not break reads for good
                    name="storyline-reads",
                    open=True,
                )
            return self._pool

    @contextmanager
    def _reading(self, *, snapshot: bool = False) -> Iterator[_Connection]:
        try:
            with self._reads().connection() as raw:
                if not snapshot:
                    yield _Connection(raw)
                    return
                with raw.transaction():
                    raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield _Connection(raw)
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot read the store ({_first_line(exc)}); check that the server runs", source=self.location) from exc

    def _stream(self, db: _Connection, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """Through a server-side cursor (inside the snapshot's transaction): memory stays flat however many rows."""
        with db.raw.cursor(name=f"storyline_stream_{next(self._cursor_names)}") as cursor:
            cursor.itersize = STREAM_ROWS
            cursor.execute(_placeholders(sql), parameters)
            yield from cursor

    @contextmanager
    def _transaction(self) -> Iterator[_Connection]:
        with self._db.raw.transaction():
            yield self._db

    @contextmanager
    def _sources_transaction(self) -> Iterator[_Connection]:
        with self._failing_as("save the state of watched sources"), self._reads().connection() as raw, raw.transaction():
            yield _Connection(raw)

    # ---- schema ----------------------------------------------------------------

    def _migrate(self, create: bool) -> None:
        shipped = shipped_migrations("migrations/postgresql")
        db = self._db
        with db.raw.transaction():
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))  # two processes opening a new store at once
            self._check_database(create)
            if db.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
                db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in pending_migrations(applied, shipped, self.location):
                LOGGER.info("%s: applying migration %s", self.location, name)
                db.raw.execute(sql.encode())  # a script of several statements, sent as it is
                db.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
            self._record_terms_version(db)

    def _check_database(self, create: bool) -> None:
        """Refuse, before anything is created there, a database holding another application's tables
        (or, unless ``create``, one without a store yet)."""
        tables = {
            row[0]
            for row in self._db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        }
        if tables and not OWN_TABLES <= tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(
                f"holds tables of another application ({shown}), not a Storyline store; nothing was changed. "
                "Pass another database (CREATE DATABASE news) or set its search_path to a schema of its own",
                source=self.location,
            )
        if not tables and not create:
            raise StoreError(f"no Storyline store here yet; run `storyline ingest PATH --db {self.location}` first", source=self.location)

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0)

    # ---- writing ---------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float = DEFAULT_WRITER_WAIT) -> Iterator[None]:
        """Exclusive right to write to this database, waiting up to ``timeout`` seconds for other writers' turns."""
        if self._db.raw.broken or self._db.raw.closed:  # the server restarted since the last batch
            self._db = self._connect()
        db = self._db
        try:
            if timeout > 0:
                db.execute("SELECT set_config('lock_timeout', ?, false)", (f"{max(1, round(timeout * 1000))}ms",))
                db.execute("SELECT pg_advisory_lock(?)", (WRITER_LOCK,))
            elif not db.execute("SELECT pg_try_advisory_lock(?)", (WRITER_LOCK,)).fetchone()[0]:
                raise psycopg.errors.LockNotAvailable("the writers' lock is taken")
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreError(
                f"another Storyline process has been writing to this store for over {timeout:g} s; "
                "wait for it to finish, or wait longer (--wait)",
                source=self.location,
            ) from exc
        except psycopg.Error as exc:
            raise StoreError(f"cannot take the writers' lock ({_first_line(exc)}); check that the server runs", source=self.location) from exc
        finally:
            if not db.raw.broken:
                db.execute("SELECT set_config('lock_timeout', '0', false)")
        try:
            yield
        finally:
            if not db.raw.broken:
                db.execute("SELECT pg_advisory_unlock(?)", (WRITER_LOCK,))

    # ---- search ----------------------------------------------------------------

    def _search_expression(self, terms: Sequence[QueryTerm]) -> str | None:
        return _query_words(terms)

    # ---- moving a store --------------------------------------------------------

    def _data_tables(self, db: _Connection) -> list[str]:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'"
            )
        ]
        parents: dict[str, set[str]] = {}
        for row in db.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        ):
            parents.setdefault(row[0], set()).add(row[1])
        return dependency_order(tables, parents)

    def _columns(self, db: _Connection, table: str, *, writable: bool) -> list[str]:
        rows = db.execute(
            "SELECT column_name, is_generated, identity_generation FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [
            row[0] for row in rows if row[1] != "ALWAYS" and not (writable and row[2] == "ALWAYS")
        ]

    def _natural_order(self, db: _Connection, table: str) -> list[str]:
        if "seq" in self._columns(db, table, writable=False):
            return ["seq"]
        keys = db.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
            (table,),
        )
        return [row[0] for row in keys]

    def _load_rows(self, db: _Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        loaded = 0
        with db.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(map(quoted, columns))}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_storable(row))
                loaded += 1
        return loaded

    def _after_import(self, db: _Connection) -> None:
        """Identity columns loaded with their values: their sequences go on after the largest."""
        for row in db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES' AND identity_generation = 'BY DEFAULT'"
        ):
            db.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX({quoted(row[1])}) FROM {row[0]}), 0) + 1, false)", (row[0], row[1]))

    # ---- upkeep ----------------------------------------------------------------

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        self._db.raw.close()


class _Row:
    """A result row readable by column name and by position, as sqlite3.Row is."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def _rows(cursor: Any) -> Callable[[Sequence[Any]], _Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: _Row(values, index)


class _Connection:
    """A psycopg connection that takes the shared queries' ``?`` placeholders."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_placeholders(sql), _storable(parameters))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [_storable(row) for row in rows]
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(_placeholders(sql), rows)


def _storable(values: Sequence[Any]) -> tuple[Any, ...]:
    """PostgreSQL text cannot hold NUL (SQLite's can): a NUL left in a title or an outlet name given with an
    article would make its whole batch fail, so it is stored as U+FFFD, the replacement character."""
    return tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) and "\x00" in v else v for v in values)


@functools.lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """SQLite's ``?`` as psycopg's ``%s`` (and a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _configure(raw: psycopg.Connection[Any]) -> None:
    # Stop-word-only queries make PostgreSQL send notices; they say nothing a reader needs.
    raw.execute("SET client_min_messages = warning")


def _query_words(terms: Sequence[QueryTerm]) -> str | None:
    """A to_tsquery text: every term required, any of its spellings (a phrase of its words); ``word*`` matches a prefix.
    None when there is no word. Only words (``\\w+``) are quoted in: no query syntax typed by a reader gets through."""
    groups = []
    for term in terms:
        alternatives = [" <-> ".join(f"'{word}'" for word in words) + (":*" if term.prefix else "") for words in spelling_phrases(term)]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
    return " & ".join(groups) or None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
