"""Store stage: the only code that talks to a database."""

from __future__ import annotations

import os

from storyline.errors import ConfigError
from storyline.store.base import Store
from storyline.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "open_store"]


def open_store(location: str | os.PathLike[str]) -> SQLiteStore:
    """Open (creating and migrating as needed) the store at ``location``: a SQLite file path."""
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConfigError(f"stores of type {scheme!r} are not supported yet; pass a SQLite file path", source=text)
    return SQLiteStore(text)
