"""Store stage: the only code that talks to a database.

``open_store`` picks the backend from the location: a file path is a SQLite
store, ``postgresql://...`` a PostgreSQL one (psycopg is imported only then).
"""

from __future__ import annotations

import os
from pathlib import Path

from storyline.errors import ConfigError
from storyline.store.base import DEFAULT_WRITER_WAIT, Store, StoreChanges, TableRows
from storyline.store.location import default_location, is_postgres, masked
from storyline.store.sqlite import MEMORY, SQLiteStore

__all__ = [
    "DEFAULT_WRITER_WAIT", "SQLiteStore", "Store", "StoreChanges", "TableRows", "default_location", "masked", "open_store", "store_exists",
]


def open_store(location: str | os.PathLike[str], *, create: bool = True) -> Store:
    """Open (migrating as needed) the store at ``location``: a SQLite file path or a PostgreSQL URI.

    ``create``: make a new store when there is none (read commands pass False). A file or a
    database that is not a Storyline store is refused untouched.
    """
    text = str(location)
    if is_postgres(text):
        from storyline.store.postgres import PostgresStore

        return PostgresStore(text, create=create)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConfigError(f"stores of type {scheme!r} are not supported; pass a SQLite file path or a postgresql:// location", source=masked(text))
    return SQLiteStore(text, create=create)


def store_exists(location: str | os.PathLike[str]) -> bool:
    """Whether a store was ever created at ``location`` (reading commands refuse to create one)."""
    text = str(location)
    if is_postgres(text):
        from storyline.store.postgres import schema_exists

        return schema_exists(text)
    return text == MEMORY or Path(text).exists()
