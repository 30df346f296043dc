"""The plain data objects that flow between stages.

One ``Article`` travels through the pipeline: ``ingest`` makes a ``RawDocument``,
``clean`` turns it into an ``Article``, ``analyze`` fills its representations,
``match`` decides whether it duplicates an earlier article and which story it
joins, ``store`` saves it. Nothing here talks to a database or the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar, overload

import numpy as np

DocumentKind = Literal["text", "html"]
DuplicateKind = Literal["exact", "near"]
EntityType = Literal["PERSON", "ORG", "PLACE", "OTHER"]
TimeType = Literal["DATE", "TIME", "DURATION", "SET"]
QuoteKind = Literal["direct", "indirect"]
EventStatus = Literal["planned", "happened", "cancelled"]
EditKind = Literal["merge", "split", "move", "rename", "undo"]
T = TypeVar("T")


@dataclass(frozen=True)
class SparseVector:
    """Sorted term ids with their weights."""

    terms: np.ndarray  # int64, ascending
    weights: np.ndarray  # float32

    @staticmethod
    def empty() -> SparseVector:
        return SparseVector(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    @staticmethod
    def from_dict(values: Mapping[int, float], limit: int) -> SparseVector:
        """The ``limit`` heaviest entries."""
        if not values:
            return SparseVector.empty()
        items = sorted(values.items(), key=lambda kv: -kv[1])[:limit]
        items.sort()
        return SparseVector(np.array([k for k, _ in items], dtype=np.int64), np.array([v for _, v in items], dtype=np.float32))

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.weights))


@dataclass
class Mention:
    """A name in an article (character offsets into ``Article.text``), linked to a canonical entity.

    ``normal`` is the name in its base form where the language inflects it
    ("Волконского" -> "Волконский"). ``entity_id`` is first an id local to the
    article (mentions of one person share it), then the canonical entity's id.
    """

    text: str
    start: int
    end: int
    type: EntityType
    entity_id: str | None = None
    normal: str | None = None

    @property
    def name(self) -> str:
        return self.normal or self.text


@dataclass(frozen=True)
class Place:
    """A place mention resolved to a GeoNames record."""

    mention: str  # as written: "Genf", "Женеве"
    name: str  # GeoNames name: "Geneva"
    country: str | None  # ISO 3166-1 alpha-2: "CH"
    lat: float | None
    lon: float | None
    feature_class: str  # GeoNames class: "P" populated place, "A" country or region, "H", "T", "L", ...
    geonames_id: int | None = None
    start: int | None = None  # offsets of the mention in Article.text, when it has one
    end: int | None = None


@dataclass(frozen=True)
class TimeExpression:
    """A date or time expression resolved against the publication date (TIMEX3-style ``value``).

    Values: "2021-07-28", "2021-07-28T14:00", "2021-W30", "2021-06", "2021", "2021-Q3",
    "P3D" (durations), "PRESENT_REF", "PAST_REF", "FUTURE_REF".
    """

    text: str
    start: int
    end: int
    value: str
    type: TimeType = "DATE"


@dataclass(frozen=True)
class Quote:
    """What someone said, with who said it."""

    text: str  # the quoted words (direct) or the reported content (indirect)
    start: int
    end: int
    kind: QuoteKind
    speaker: str | None = None  # the speaker's name as resolved ("Sergei Riabkov"), else as written
    speaker_entity: str | None = None  # canonical entity id
    cue: str | None = None  # the reporting verb: "said", "a déclaré", "sagte"


@dataclass(frozen=True)
class Event:
    """Who did what to whom, where and when; planned (announced, future) or happened."""

    what: str  # the action, as a lemma or short phrase: "meet", "hold talks"
    who: tuple[str, ...]
    whom: tuple[str, ...]
    where: str | None
    when: str | None  # a TimeExpression value
    status: EventStatus
    sentence: str
    start: int
    end: int
    who_ids: tuple[str, ...] = ()  # entity ids of ``who`` (local to the article until linked)
    whom_ids: tuple[str, ...] = ()


@dataclass
class Entity:
    """A canonical person, organisation or place, shared by every article and language that names it.

    ``aliases`` counts every surface form seen; ``keys`` are the lookup keys
    (see ``analyze.names``) under which new mentions find it; ``neighbors``
    counts the entities it was mentioned with (context for telling namesakes apart).
    """

    id: str
    type: EntityType
    name: str
    mentions: int = 0
    articles: int = 0
    aliases: dict[str, int] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    neighbors: dict[str, int] = field(default_factory=dict)
    place: Place | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a story, merged over the articles that report it."""

    date: str | None  # TIMEX3 value
    status: EventStatus  # as the latest article reporting it says
    text: str
    articles: tuple[str, ...]
    what: str
    where: str | None = None
    who: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    """A fact several sources agree on, or a claim one source makes alone."""

    text: str
    sources: tuple[str, ...]  # article ids
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class StoryQuote:
    speaker: str | None
    speaker_entity: str | None
    text: str
    article: str


@dataclass(frozen=True)
class Coverage:
    outlets: tuple[tuple[str, int], ...]  # (outlet, articles), most first
    languages: tuple[tuple[str, int], ...]
    first_seen: str | None
    last_seen: str | None
    per_day: tuple[tuple[str, int], ...]
    absent_outlets: tuple[str, ...]  # active in the story's days, silent on it


@dataclass
class Explanation:
    """What a story is: its timeline, who covered it, what sources agree on, who said what, in short."""

    timeline: list[TimelineEntry]
    roles: dict[str, str]  # article id -> "preview", "report" or "follow-up"
    coverage: Coverage
    agreed_facts: list[Statement]
    single_source: list[Statement]
    quotes: list[StoryQuote]
    summary: list[Statement]  # sentences, each with the article it comes from


@dataclass(frozen=True)
class EntityStory:
    """A story that names an entity: how many of its articles do, and over which days."""

    story_id: str
    title: str | None
    articles: int
    first_day: str | None
    last_day: str | None


@dataclass(frozen=True)
class Given:
    """Metadata supplied with an input (JSONL fields, HTTP body); it wins over what is extracted."""

    external_id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    author: str | None = None
    # When the page was fetched or archived: the publication date of last resort (the page's own wins).
    captured: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class RawDocument:
    """One article as read from its input, before any cleaning.

    ``id`` is derived from the content (kind, body bytes and given metadata), so
    reading the same input twice gives the same id. ``body`` is kept verbatim in
    the store so cleaning can be re-run.
    """

    id: str
    source: str
    kind: DocumentKind
    body: bytes
    given: Given = field(default_factory=Given)


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be read or cleaned, with what to do about it."""

    source: str
    message: str
    external_id: str | None = None  # the record's own id, when it had one

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True)
class Cut:
    """Where cleaning stopped reading an input too long to read whole, so that its work stays bounded.

    ``what``: "page" (the HTML or scraped text read from the input), "text" (the article text
    kept) or "title"; ``kept`` of ``total`` characters were used.
    """

    what: Literal["page", "text", "title"]
    kept: int
    total: int


@dataclass
class Article:
    """A cleaned article; later stages fill the fields under their heading."""

    id: str
    source: str
    title: str | None
    text: str
    published: str | None  # ISO 8601: a date ("2021-07-24") or a datetime with offset
    language: str | None  # ISO 639-1
    outlet: str | None
    author: str | None = None
    url: str | None = None
    external_id: str | None = None
    # The date was guessed (from a photo caption or a stray date on the page, not a date line or the
    # page's metadata): shown, but not used to place the article in time (``published_day`` is None).
    published_uncertain: bool = False
    cuts: list[Cut] = field(default_factory=list)  # where cleaning cut an oversized input (stored)
    # What the user should hear about the input, though it was ingested (a given value ignored); not stored.
    warnings: list[str] = field(default_factory=list, repr=False)
    # analyze
    embedding: np.ndarray | None = field(default=None, repr=False)
    fingerprint: np.ndarray | None = field(default=None, repr=False)
    terms: dict[int, float] | None = field(default=None, repr=False)  # hashed term -> count
    sentences: list[tuple[int, int]] = field(default_factory=list, repr=False)  # spans of the embedded sentences
    sentence_vectors: np.ndarray | None = field(default=None, repr=False)  # one row per span of ``sentences``
    mentions: list[Mention] = field(default_factory=list, repr=False)
    places: list[Place] = field(default_factory=list, repr=False)
    times: list[TimeExpression] = field(default_factory=list, repr=False)
    quotes: list[Quote] = field(default_factory=list, repr=False)
    events: list[Event] = field(default_factory=list, repr=False)
    # match
    term_vector: SparseVector | None = field(default=None, repr=False)  # TF-IDF weights when matched
    duplicate_of: str | None = None
    duplicate_kind: DuplicateKind | None = None
    story_id: str | None = None
    match_score: float | None = None

    @property
    def published_day(self) -> dt.date | None:
        """The publication day, whatever the precision of ``published``.

        A guessed date (``published_uncertain``) still gives its day: treated as undated, the
        RFI seed (a 2021 caption date) joined a 2024 story of the sample corpus on wording alone.
        """
        if not self.published:
            return None
        try:
            return dt.date.fromisoformat(self.published[:10])
        except ValueError:
            return None

    def extract_dict(self) -> dict[str, str | None]:
        """The fields of ``storyline extract``."""
        return {
            "title": self.title,
            "text": self.text,
            "published": self.published,
            "published_uncertain": self.published_uncertain,
            "language": self.language,
            "outlet": self.outlet,
            "author": self.author,
        }


@dataclass(frozen=True)
class KnownArticle:
    """A stored article as duplicate detection sees it.

    ``original_id`` is the article it duplicates, or its own id when it is an original.
    """

    id: str
    story_id: str
    original_id: str
    fingerprint: np.ndarray | None = field(default=None, repr=False)


def as_title_vector(embedding: np.ndarray) -> np.ndarray:
    """The embedding of a story's title article as the story keeps it: in half precision, as the store saves it.
    A run compares new headlines with the very numbers a later run reads back from the store: otherwise a
    headline within a rounding error of the title wins in one and not in the other, and a run resumed after a
    crash names a story differently than an uninterrupted run (found by bench/reliability.py's backfill-kill)."""
    return embedding.astype(np.float16).astype(np.float32)


@dataclass
class StoryProfile:
    """What the matcher remembers about a story: enough to score a new article against it.

    ``vector_sum`` is the sum of the member embeddings (the centroid direction);
    keeping the sum rather than the mean makes adding a member exact and cheap.
    """

    id: str
    vector_sum: np.ndarray = field(repr=False)
    size: int
    first_day: dt.date | None
    last_day: dt.date | None
    title: str | None = None
    title_vector: np.ndarray | None = field(default=None, repr=False)  # embedding of the article the title is from, as_title_vector
    # Summed TF-IDF vectors of the members, per language: wording is compared within a language.
    terms: dict[str, SparseVector] = field(default_factory=dict, repr=False)
    # Canonical entity id -> member articles naming it, the most named ones: how the matcher finds
    # stories by entity.
    entities: dict[str, int] = field(default_factory=dict, repr=False)
    undated_articles: int = 0  # members without a publication day: such a story is within reach of undated articles
    title_pinned: bool = False  # an analyst named the story: new members do not change its title

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm > 0 else self.vector_sum


@dataclass
class Batch:
    """One unit of work for the store, written in a single transaction.

    ``failed`` keeps the raw input of documents that could not be cleaned, so
    nothing is lost and cleaning can be retried after a fix.
    """

    documents: list[RawDocument] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    text_hashes: dict[str, str] = field(default_factory=dict)
    band_keys: dict[str, list[int]] = field(default_factory=dict)
    failed: list[tuple[RawDocument, InputProblem]] = field(default_factory=list)
    sightings: list[tuple[str, str]] = field(default_factory=list)  # (article id, source) seen again
    stories: list[StoryProfile] = field(default_factory=list)
    term_frequencies: dict[int, int] = field(default_factory=dict)  # changed document frequencies
    documents_counted: int = 0  # documents behind the term frequencies, after this batch
    entities: list[Entity] = field(default_factory=list)  # entities created or changed
    explanations: dict[str, Explanation] = field(default_factory=dict)  # story id -> its new explanation
    merges: list[tuple[str, str]] = field(default_factory=list)  # (merged story id, surviving story id)
    outlet_renames: list[tuple[str, str]] = field(default_factory=list)  # (old name, the outlet's one name), e.g. an abbreviation


@dataclass
class Story:
    """A story as read back from the store."""

    id: str
    title: str | None
    articles: list[Article]
    first_published: str | None = None
    last_published: str | None = None
    explanation: Explanation | None = None  # read with one story, not with lists of stories

    @property
    def outlets(self) -> list[str]:
        return sorted({a.outlet for a in self.articles if a.outlet})

    @property
    def languages(self) -> list[str]:
        return sorted({a.language for a in self.articles if a.language})


@dataclass
class IngestReport:
    """What one ingest run did. ``problems`` lists every input that failed."""

    added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    already_stored: int = 0
    new_stories: int = 0
    skipped: int = 0  # records of web archives that hold no article (requests, metadata, revisits, other types)
    problems: list[InputProblem] = field(default_factory=list)
    warnings: list[InputProblem] = field(default_factory=list)  # inputs added, but with a value ignored or their text cut
    seconds_by_stage: dict[str, float] = field(default_factory=dict)  # where the time went
    # where the CPU went: clean and analyze summed over worker processes, the other stages this process's
    cpu_seconds_by_stage: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StoryFilter:
    """Which stories to list: those with at least one article that matches every field given."""

    since: dt.date | None = None  # published on or after this day
    until: dt.date | None = None  # published on or before this day
    language: str | None = None  # ISO 639-1
    outlet: str | None = None  # compared without regard to case
    query: str | None = None  # words found in the title or text (full-text search)
    entities: tuple[str, ...] | None = None  # ids of canonical entities, one of which an article names
    terms: tuple[QueryTerm, ...] = ()  # ``query`` read against the entities (set by the API): any spelling of each name


@dataclass(frozen=True)
class Page(Sequence[T], Generic[T]):
    """One page of a longer list: behaves as the list of its items, and knows the whole list's size."""

    items: list[T]
    total: int  # items in the whole list, every page together
    offset: int = 0
    limit: int | None = None

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, or None on the last page."""
        end = self.offset + len(self.items)
        return end if self.items and end < self.total else None


@dataclass(frozen=True)
class SearchHit:
    """An article found by a search, with the passage that matched.

    ``snippet`` is that passage in pieces, ``(text, True)`` for the words that
    match the query, so a page can highlight them without parsing markup.
    """

    article: Article
    snippet: tuple[tuple[str, bool], ...] = ()

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)


@dataclass(frozen=True)
class ArticleMove:
    """An article an edit moved from one story to another."""

    article_id: str
    from_story: str
    to_story: str


@dataclass(frozen=True)
class TitleChange:
    """A story's title before and after an edit, and whether an analyst had named it before and after."""

    story_id: str
    before: str | None
    after: str | None
    was_pinned: bool = False
    pinned: bool = True  # an analyst's title stays when articles join; an unpinned one follows the most central headline


@dataclass(frozen=True)
class StoryEdit:
    """An analyst's change to the stories, as the edit log keeps it: everything needed to undo it.

    ``story_id`` is the story the edit is about (the one that remains of a merge, the new one of
    a split, where an article was moved to, the one renamed). ``created`` stories exist because
    of the edit, ``removed`` ones no longer do (``merged_into`` tells where their ids now lead).
    ``apart``: pairs of stories the matcher must not merge from now on; ``released``: pairs it
    may merge again. ``redirected``: ids of stories merged earlier whose redirect the edit moved.
    """

    id: int | None
    kind: EditKind
    at: str  # ISO 8601, UTC
    story_id: str
    moves: tuple[ArticleMove, ...] = ()
    titles: tuple[TitleChange, ...] = ()
    created: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    merged_into: tuple[tuple[str, str], ...] = ()  # (removed story id, the story its id now leads to)
    apart: tuple[tuple[str, str], ...] = ()
    released: tuple[tuple[str, str], ...] = ()
    redirected: tuple[tuple[str, str, str], ...] = ()  # (merged id, led to before, leads to after)
    by: str | None = None  # who asked: "cli", "http", "web", or a name
    undoes: int | None = None  # for an undo: the edit it reverses
    undone_by: int | None = None  # the undo that reversed this edit, if any

    @property
    def stories(self) -> set[str]:
        """Every story the edit touched."""
        touched = {self.story_id, *self.created, *self.removed, *(t.story_id for t in self.titles)}
        touched.update(s for m in self.moves for s in (m.from_story, m.to_story))
        return touched


@dataclass(frozen=True)
class StoryState:
    """What an edit needs to know about one story: its members in arrival order, title, and the
    stories it is kept apart from and that were merged into it."""

    id: str
    title: str | None
    title_pinned: bool
    articles: tuple[str, ...]
    duplicates: dict[str, str]  # member id -> the member it copies
    kept_apart: frozenset[str]
    merged_in: tuple[str, ...]  # ids of stories earlier merged into this one


@dataclass(frozen=True)
class QueryTerm:
    """A word of a search query, or a run of words naming entities, with every spelling that matches it."""

    text: str  # as typed
    prefix: bool  # typed as word*: matches words that start with it
    spellings: tuple[str, ...]  # the words or names searched for (the typed text among them)
    entities: tuple[str, ...] = ()  # ids of the entities the text names

    @property
    def other_spellings(self) -> tuple[str, ...]:
        """The spellings besides the typed text, case aside (search ignores case): what a reader is told was searched too."""
        return tuple(s for s in self.spellings if s.casefold() != self.text.casefold())


# ---- watched sources (storyline fetch / watch) -----------------------------------

SourceKind = Literal["feed", "sitemap", "sitemap index", "page"]
PageState = Literal["pending", "fetched", "stored", "failed", "skipped"]


@dataclass(frozen=True)
class Link:
    """An item a source lists: the page to fetch, and what the source says about it (hints for cleaning)."""

    url: str  # absolute, as listed
    guid: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    language: str | None = None
    outlet: str | None = None  # a news sitemap's publication name

    @property
    def signature(self) -> str:
        """What changes when the source says the item changed (a new date or headline)."""
        return f"{self.updated or self.published or ''}|{self.title or ''}"


@dataclass
class Source:
    """A feed, sitemap or page that ``fetch`` and ``watch`` poll, with the health of its polling.

    Times are ISO 8601 in UTC. ``kind`` stays None until a poll has seen what the server returns.
    """

    url: str
    every: int  # seconds between polls
    added: str
    next_poll: str
    name: str | None = None
    kind: SourceKind | None = None
    title: str | None = None  # the feed's own title
    etag: str | None = None
    last_modified: str | None = None
    last_poll: str | None = None
    last_success: str | None = None
    status: int | None = None  # HTTP status of the last poll
    error: str | None = None  # why the last poll failed
    errors_in_row: int = 0
    items_seen: int = 0  # items the last successful poll listed
    new_articles: int = 0  # articles stored from its items, all polls together
    dead: bool = False  # failed for days: no longer polled until added again
    note: str | None = None
    # A sitemap index: child sitemap URL -> its lastmod, etag and last_modified when last read.
    children: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def health(self) -> str:
        """"new" (never polled), "ok", "failing" or "dead"."""
        if self.dead:
            return "dead"
        if self.last_poll is None:
            return "new"
        return "failing" if self.errors_in_row else "ok"


@dataclass
class WatchedPage:
    """A page found through a source, and where fetching it stands.

    ``url`` is the canonical URL (tracking parameters, fragment and case noise removed):
    an article reached by two feeds, or with two sets of tracking parameters, is one page.
    """

    url: str
    link: Link  # the URL fetched, with the source's hints
    source: str  # the source that found it first
    found: str
    state: PageState = "pending"
    signature: str = ""  # Link.signature when last listed
    attempts: int = 0  # failed attempts in a row
    next_attempt: str | None = None
    status: int | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # sha256 of the bytes last fetched
    fetched: str | None = None
    fetched_url: str | None = None  # where it was found, after redirects
    article_id: str | None = None  # its latest version
    first_article_id: str | None = None


@dataclass
class FetchReport:
    """What one ``fetch`` (or one round of ``watch``) did."""

    sources_polled: int = 0
    not_modified: int = 0
    failed_sources: list[InputProblem] = field(default_factory=list)
    new_items: int = 0
    pages_fetched: int = 0
    failed_pages: list[InputProblem] = field(default_factory=list)
    skipped_pages: list[InputProblem] = field(default_factory=list)  # refused by robots.txt, not HTML, ...
    put_off_pages: list[InputProblem] = field(default_factory=list)  # failed for a passing reason: tried again later
    added: int = 0
    duplicates: int = 0
    already_stored: int = 0
    new_versions: int = 0
    new_stories: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed_sources
