"""Where a store is: a SQLite file path, or a PostgreSQL URI (``postgresql://user@host/database``)."""

from __future__ import annotations

import os
import re

DEFAULT_LOCATION = "storyline.db"
# Environment variable naming the store when none is given.
LOCATION_VARIABLE = "STORYLINE_DB"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def default_location() -> str:
    """``$STORYLINE_DB``, or ``storyline.db`` in the current directory."""
    return os.environ.get(LOCATION_VARIABLE) or DEFAULT_LOCATION


def is_postgres(location: str | os.PathLike[str]) -> bool:
    return str(location).startswith(POSTGRES_SCHEMES)


def masked(location: str | os.PathLike[str]) -> str:
    """The location fit to print or log: the password in ``scheme://user:password@host`` hidden."""
    return re.sub(r"^(\w+://[^/@:]*):[^/@]*@", r"\1:***@", str(location))
