"""Errors Storyline raises on purpose.

Every message names the input it is about and says what to do next. Catch
``StorylineError`` to handle them all; branch on the subclasses:

    StorylineError
    ├── InputError      an input file or record cannot be turned into an article
    │   └── FetchError  a source or page on the web cannot be fetched (network, HTTP, refused address)
    ├── StoreError      the database cannot be opened, migrated or written
    │   └── TermsVersionError  the store's terms were counted otherwise: `storyline reindex-terms` first
    └── ConfigError     an option or setting has an impossible value
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base class: ``code`` is a stable identifier (``SL0xx``) for docs and scripts."""

    code = "SL000"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"[{self.code}] {where}{self.message}"


class InputError(StorylineError):
    """An input (file, JSONL line, HTTP body) cannot become an article."""

    code = "SL010"


class FetchError(InputError):
    """A URL cannot be fetched: refused (private address, robots.txt), unreachable, or answered with an error."""

    code = "SL011"


class StoreError(StorylineError):
    """The store cannot be opened, migrated, locked or written."""

    code = "SL020"


class TermsVersionError(StoreError):
    """The store's term statistics and stories' wording were counted in other terms than this Storyline's.

    Raised before anything is written by every write that places articles in stories (ingest,
    fetch, POST, backfill, analysts' edits); reading works as before. ``stored`` and ``current``
    are the two terms versions (``analyze.terms.TERMS_VERSION``).
    """

    code = "SL021"

    def __init__(self, location: str, stored: int, current: int) -> None:
        self.stored, self.current = stored, current
        command = f"`storyline reindex-terms --db {location}`"
        if stored < current:
            what = (
                f"holds terms counted by an older Storyline (terms version {stored}; this one counts terms in version {current}): "
                f"new articles would no longer match the wording of its stories. Run {command} to count them again"
            )
        else:
            what = (
                f"holds terms counted by a newer Storyline (terms version {stored}; this one counts terms in version {current}): "
                f"new articles would no longer match the wording of its stories. Upgrade Storyline, or run {command} to count them this version's way"
            )
        super().__init__(f"{what} (reading works meanwhile); nothing was changed", source=location)


class ConfigError(StorylineError):
    """An option has a value Storyline cannot use."""

    code = "SL030"
