"""Store stage: the only code that talks to a database."""

from __future__ import annotations

import os

from storyline.errors import ConfigError
from storyline.store.base import Store
from storyline.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "open_store"]


def open_store(location: str | os.PathLike[str], *, create: bool = True) -> SQLiteStore:
    """Open (migrating as needed) the store at ``location``: a SQLite file path.

    ``create``: make a new store when there is none (read commands pass False). A file that is
    not a Storyline store is refused untouched.
    """
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConfigError(f"stores of type {scheme!r} are not supported yet; pass a SQLite file path", source=text)
    return SQLiteStore(text, create=create)
