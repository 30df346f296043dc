"""The store, on SQLite and on PostgreSQL: one suite, run against both backends (issues 3 and 13).

Every test here takes ``location``: a new SQLite file, then a new PostgreSQL database
(tests/conftest.py). Tests about one backend alone say so in their name.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import ConfigError, StoreError
from storyline.model import (
    Article, ArticleMove, Batch, Entity, Link, Mention, QueryTerm, RawDocument, Source, SparseVector, StoryEdit, StoryFilter, StoryProfile,
    TitleChange, WatchedPage,
)
from storyline.store import Store, open_store, store_exists
from storyline.store.sql import shipped_migrations
from storyline.store.sqlite import WAL_CHECKPOINT_PAGES, SQLiteStore, _migrations
from tests.conftest import postgres_database, run_sql

STORY = "s-0000000000000001"


def _document(i: int) -> RawDocument:
    return RawDocument(f"{i:016x}", f"file{i}.txt", "text", f"body {i}".encode())


def _batch(n: int, story: str = STORY, *, first: int = 0, text: str = "body {i}", day: str | None = None, language: str = "en",
           outlet: str = "Outlet") -> Batch:
    vector = np.ones(512, dtype=np.float32)
    profile = StoryProfile(story, vector * n, n, _day(day), _day(day), "A story", terms={language: SparseVector(np.array([3, 7]), np.ones(2, np.float32))})
    batch = Batch(stories=[profile], term_frequencies={3: n, 7: first + n}, documents_counted=first + n)
    for i in range(first, first + n):
        doc = _document(i)
        batch.documents.append(doc)
        article = Article(doc.id, doc.source, f"title {i}", text.format(i=i), day, language, outlet, story_id=story, embedding=vector)
        article.fingerprint = np.arange(128, dtype=np.uint64) + i
        batch.articles.append(article)
        batch.text_hashes[doc.id] = f"hash{i}"
        batch.band_keys[doc.id] = [i, -i - 1]
    return batch


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _save(store: Store, batch: Batch) -> None:
    with store.writer(5):
        store.save_batch(batch)


@pytest.fixture
def store(location: str) -> Store:
    opened = open_store(location)
    yield opened
    opened.close()


def test_both_backends_ship_the_same_migrations() -> None:
    sqlite = [version for version, _, _ in shipped_migrations("migrations")]
    postgres = [version for version, _, _ in shipped_migrations("migrations/postgresql")]
    assert sqlite == postgres, "each migration exists for both backends: port the new one to migrations/postgresql/"


# Columns one backend has and the other has not, on purpose: PostgreSQL numbers stories in creation order
# (SQLite's rowid) and keeps each article's search vector in a generated column (SQLite: the FTS5 table).
ONE_BACKEND_ONLY = {"stories.seq", "articles.search"}


def test_both_backends_make_the_same_tables_and_columns(tmp_path: Path) -> None:
    """What a developer adding a migration runs first (docs/scale.md): the SQLite and PostgreSQL files agree."""
    sqlite_file = str(tmp_path / "schema.db")
    open_store(sqlite_file).close()
    sqlite_columns = {
        f"{table}.{column}"
        for (table,) in run_sql(sqlite_file, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
        for (column,) in run_sql(sqlite_file, f"SELECT name FROM pragma_table_info('{table}')")
    }
    with postgres_database() as database:
        open_store(database).close()
        postgres_columns = {
            f"{table}.{column}"
            for table, column in run_sql(
                database,
                "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
                "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
            )
        }
    assert sqlite_columns ^ postgres_columns == ONE_BACKEND_ONLY, "a migration differs between migrations/ and migrations/postgresql/"


def test_new_store_is_migrated(location: str) -> None:
    assert not store_exists(location)
    store = open_store(location)
    assert store.schema_version == shipped_migrations("migrations")[-1][0]  # type: ignore[attr-defined]
    assert store.count() == {"articles": 0, "stories": 0, "duplicates": 0, "failed": 0}
    store.close()
    assert store_exists(location)
    versions = [row[0] for row in run_sql(location, "SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [version for version, _, _ in shipped_migrations("migrations")]


def test_sqlite_store_is_in_wal_mode(tmp_path: Path) -> None:
    open_store(tmp_path / "wal.db").close()
    assert run_sql(str(tmp_path / "wal.db"), "PRAGMA journal_mode") == [("wal",)]


def test_every_sqlite_connection_checkpoints_rarely(tmp_path: Path) -> None:
    # Whichever connection commits runs the checkpoint, so the watched sources' own connection needs the setting too.
    store = SQLiteStore(tmp_path / "wal.db")
    assert not store.remove_source("https://example.org/feed")  # opens the connection for the state of watched sources
    connections = [store._db, store._reads, store._sources_db]
    assert [db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] for db in connections if db is not None] == [WAL_CHECKPOINT_PAGES] * 3
    store.close()


def test_reopening_keeps_data(location: str) -> None:
    store = open_store(location)
    _save(store, _batch(3))
    store.close()
    store = open_store(location)
    assert store.count()["articles"] == 3
    (profile,) = store.profiles_by_ids([STORY])
    assert profile.size == 3 and profile.title == "A story" and float(profile.vector_sum[0]) == 3.0
    assert profile.terms["en"].terms.tolist() == [3, 7]
    assert store.stored_stories(["0000000000000001", "ffffffffffffffff"]) == {"0000000000000001": STORY}
    assert dict(store.stored_article_days()) == {f"{i:016x}": None for i in range(3)}
    assert store.term_frequencies() == ({3: 3, 7: 3}, 3)
    assert store.find_exact("hash1").id == "0000000000000001"  # type: ignore[union-attr]
    assert sorted(k.id for k in store.find_by_bands([2, -1])) == ["0000000000000000", "0000000000000002"]
    store.close()


def test_a_failing_batch_stores_nothing(store: Store) -> None:
    batch = _batch(4)
    batch.articles[3].story_id = "s-does-not-exist"  # violates a foreign key on the last row
    with pytest.raises(StoreError, match="nothing of it was stored"):
        _save(store, batch)
    assert store.count() == {"articles": 0, "stories": 0, "duplicates": 0, "failed": 0}
    assert store.saved_batches() == 0
    _save(store, _batch(2))  # and the store takes the next batch as if nothing happened
    assert store.count()["articles"] == 2


def test_an_article_with_nul_in_its_given_metadata_is_stored(store: Store) -> None:
    batch = _batch(1)
    batch.articles[0].title, batch.articles[0].outlet = "Ti\x00tle", "Out\x00let"
    _save(store, batch)
    article = store.article("0000000000000000")
    assert article is not None and article.title in ("Ti\x00tle", "Ti\ufffdtle")  # PostgreSQL text holds no NUL


def test_store_from_a_newer_version_is_refused(location: str) -> None:
    open_store(location).close()
    run_sql(location, "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')")
    with pytest.raises(StoreError, match="newer Storyline"):
        open_store(location)


def test_a_migration_landing_late_is_still_applied(tmp_path: Path) -> None:
    """Migrations from parallel branches land in any order: applied ones are a set, not a high-water mark."""
    location = str(tmp_path / "gap.db")
    open_store(location).close()
    run_sql(location, "DELETE FROM schema_migrations WHERE version = 5")
    run_sql(location, "DROP TABLE story_explanations")
    run_sql(location, "ALTER TABLE analyses DROP COLUMN sentence_vectors")
    store = open_store(location)
    assert store.story_members(STORY, limit=1) == []
    assert run_sql(location, "SELECT COUNT(*) FROM schema_migrations WHERE version = 5") == [(1,)]
    store.close()


def test_a_file_written_before_the_migrations_table_gets_a_migration_merged_late(db: Path) -> None:
    """Branches reserve migration numbers and merge in any order: a store already past a number may lack its tables."""
    migrations = _migrations()
    skipped_version, skipped_name, _ = next(m for m in migrations if m[1].startswith("0007_"))  # 0008 merged first
    raw = sqlite3.connect(db)
    for version, _, sql in migrations:
        if version != skipped_version:
            raw.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    raw.close()
    store = SQLiteStore(db)
    assert store.schema_version == migrations[-1][0]
    store.save_batch(_batch(3))
    assert store.count()["articles"] == 3
    store.close()
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"story_edits", "stories_kept_apart", "entity_alias_search"} <= tables, skipped_name
    SQLiteStore(db).close()  # nothing applied twice


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 100)
    with pytest.raises(StoreError, match="not a Storyline store"):
        SQLiteStore(path)


def test_an_unreachable_postgresql_server_is_a_clear_error_that_hides_the_password() -> None:
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL") as failure:
        open_store("postgresql://reader:s3cret@127.0.0.1:1/news")
    assert "s3cret" not in str(failure.value) and "reader:***@127.0.0.1:1/news" in str(failure.value)


def test_unknown_store_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not supported; pass a SQLite file path or a postgresql://"):
        open_store("mysql://localhost/news")


# ---- writers take turns ------------------------------------------------------------------------


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(location: str) -> None:
    first, second = open_store(location), open_store(location)
    with first.writer():
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"another Storyline process has been writing to this store for over 0\.5 s"):
            with second.writer(0.5):
                pass
        assert time.monotonic() - started >= 0.45
    with second.writer(0.5):
        pass
    first.close()
    second.close()


def test_a_waiting_writer_gets_its_turn_when_the_first_is_done(location: str) -> None:
    first, second = open_store(location), open_store(location)
    held = threading.Event()

    def hold() -> None:
        with first.writer():
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    started = time.monotonic()
    with second.writer(10):
        waited = time.monotonic() - started
    thread.join()
    assert 0.3 <= waited < 5
    first.close()
    second.close()


def test_a_busy_writer_cannot_starve_a_waiting_one(location: str) -> None:
    """A writer that takes the lock again right after each batch still lets a waiting writer in."""
    busy, patient = open_store(location), open_store(location)
    stop = threading.Event()
    turns = []

    def write_batches() -> None:
        while not stop.is_set():
            with busy.writer(10):
                turns.append(time.monotonic())
                time.sleep(0.05)

    thread = threading.Thread(target=write_batches)
    thread.start()
    try:
        while len(turns) < 3:
            time.sleep(0.01)
        with patient.writer(3):  # the busy writer re-asks at once, about 20 times a second
            pass
    finally:
        stop.set()
        thread.join()
    busy.close()
    patient.close()


def test_changes_since_tell_a_writer_what_others_saved(location: str) -> None:
    mine, theirs = open_store(location), open_store(location)
    _save(mine, _batch(2, day="2024-03-01"))
    seen = mine.saved_batches()
    assert seen == 1 and mine.changes_since(seen).stories == []
    later = _batch(1, "s-0000000000000009", first=9, day="2024-03-02")
    later.merges = [(STORY, "s-0000000000000009")]
    later.term_frequencies = {7: 11}
    later.documents_counted = 11
    _save(theirs, later)
    changes = mine.changes_since(seen)
    assert changes.saved_batches == 2
    assert [p.id for p in changes.stories] == ["s-0000000000000009"] and changes.stories[0].last_day == dt.date(2024, 3, 2)
    assert changes.merged == [STORY]
    assert changes.term_frequencies == {7: 11} and changes.documents_counted == 11
    assert mine.story(STORY).id == "s-0000000000000009"  # type: ignore[union-attr]
    mine.close()
    theirs.close()


def test_stories_are_found_by_the_entities_they_name_and_their_last_day(store: Store) -> None:
    """What the matcher asks for stories quiet for months: the most recent naming each entity, within a span of last days."""
    ids = [f"s-{n:016x}" for n in range(5)]

    def story(number: int, day: str, entities: tuple[str, ...], *, first: int) -> Batch:
        batch = _batch(1, ids[number], first=first, day=day)
        batch.stories[0].entities = dict.fromkeys(entities, 1)
        return batch

    _save(store, story(1, "2024-01-05", ("e-port", "e-union"), first=1))
    _save(store, story(2, "2024-02-05", ("e-port",), first=2))
    _save(store, story(3, "2024-03-05", ("e-port",), first=3))
    _save(store, story(4, "2024-06-05", ("e-port",), first=4))  # past the span asked for

    def naming(*entities: str) -> list[str]:
        return store.story_ids_naming(list(entities), dt.date(2024, 1, 1), dt.date(2024, 4, 1), per_entity=2)

    assert naming("e-port") == [ids[3], ids[2]]
    assert naming("e-union", "e-port") == [ids[1], ids[3], ids[2]]
    assert naming("e-nobody") == []
    # What the matcher asks for an article older than what is stored: the first to end after a day.
    assert store.story_ids_naming(["e-port"], dt.date(2024, 2, 1), dt.date.max, per_entity=2, latest=False) == [ids[2], ids[3]]

    grown = story(2, "2024-05-01", ("e-port",), first=12)  # story 2 takes a report in May: no longer quiet in the span
    grown.merges = [(ids[3], ids[4])]  # and story 3 is merged into story 4
    _save(store, grown)
    assert naming("e-port") == [ids[1]]


def test_a_store_from_before_version_15_finds_its_stories_by_entity(location: str) -> None:
    """Migration 15 fills story_entities from the stories already stored (dated ones only)."""
    store = open_store(location)
    dated = _batch(1, first=1, day="2024-01-05")
    dated.stories[0].entities = {"e-port": 2, "e-union": 1}
    undated = _batch(1, "s-0000000000000002", first=2)
    undated.stories[0].entities = {"e-port": 1}
    _save(store, dated)
    _save(store, undated)
    store.close()
    run_sql(location, "DROP TABLE story_entities")
    run_sql(location, "DELETE FROM schema_migrations WHERE version = 15")
    store = open_store(location)
    assert store.story_ids_naming(["e-port", "e-union"], dt.date(2024, 1, 1), dt.date(2024, 1, 31), per_entity=5) == [STORY]
    store.close()


# ---- reading -------------------------------------------------------------------------------------


def test_stories_filters_pages_and_merged_ids(store: Store) -> None:
    _save(store, _batch(2, day="2024-03-01", language="fr", outlet="Le Journal"))
    _save(store, _batch(3, "s-0000000000000005", first=5, day="2024-03-09", text="harbour strike in Hamburg {i}"))
    everything = store.stories()
    assert [s.id for s in everything] == ["s-0000000000000005", STORY] and everything.total == 2
    assert [len(s.articles) for s in everything] == [3, 2]
    assert [s.id for s in store.stories(StoryFilter(language="fr"))] == [STORY]
    assert [s.id for s in store.stories(StoryFilter(outlet="le journal"))] == [STORY]
    assert [s.id for s in store.stories(StoryFilter(since=dt.date(2024, 3, 5)))] == ["s-0000000000000005"]
    assert [s.id for s in store.stories(StoryFilter(until=dt.date(2024, 3, 5)))] == [STORY]
    assert [s.id for s in store.stories(StoryFilter(query="hamburg"))] == ["s-0000000000000005"]
    assert store.stories(StoryFilter(query="  ")).total == 0
    page = store.stories(limit=1, offset=1)
    assert [s.id for s in page] == [STORY] and page.total == 2 and page.next_offset is None
    assert [s.id for s in store.iter_stories()] == [STORY, "s-0000000000000005"]  # creation order
    assert [a.id for a in store.iter_articles()] == [f"{i:016x}" for i in (0, 1, 5, 6, 7)]  # arrival order
    assert store.article("0000000000000005").text == "harbour strike in Hamburg 5"  # type: ignore[union-attr]
    assert store.outlet_activity("2024-03-01", "2024-03-01") == {"Le Journal": 2}


def test_uncertain_dates_and_outlet_renames_are_stored(store: Store) -> None:
    first = _batch(2, day="2024-03-01", outlet="AWS")
    first.articles[0].published_uncertain = True
    _save(store, first)
    assert store.outlets() == {"AWS": 2}
    later = _batch(1, first=5, day="2024-03-02", outlet="Atlantic Wire Service")
    later.outlet_renames = [("AWS", "Atlantic Wire Service")]  # the full name arrived: one name per outlet
    _save(store, later)
    assert store.outlets() == {"Atlantic Wire Service": 3}
    guessed, sure = store.article("0000000000000000"), store.article("0000000000000001")
    assert guessed is not None and guessed.published_uncertain and guessed.outlet == "Atlantic Wire Service"
    assert sure is not None and not sure.published_uncertain


def test_search_finds_every_word_whatever_case_and_accents(store: Store) -> None:
    _save(store, _batch(2, text="Les négociations reprennent à Genève, dit Riabkov {i}", language="fr"))
    _save(store, _batch(1, "s-0000000000000004", first=4, text="Dockers strike in the port of Hamburg {i}"))
    assert {h.article.id for h in store.search("riabkov")} == {"0000000000000000", "0000000000000001"}
    assert store.search("GENEVE").total == store.search("genève").total == 2
    assert store.search("Riab*").total == 2
    assert store.search("Riabkov Hamburg").total == 0  # every word is required
    assert store.search("hamburg dockers").total == 1
    for typed in ['"', "AND OR NOT", "riabkov)", "NEAR(", "title:riabkov", "*", "'", "&|!", "%s", "?"]:
        store.search(typed)  # no syntax a reader types can break the query
    assert store.search("   ").total == 0
    hit = store.search("Genève", limit=1)[0]
    assert any(matched and text.lower().startswith("gen") for text, matched in hit.snippet)
    first, second = store.search("Riabkov", limit=1), store.search("Riabkov", limit=1, offset=1)
    assert first.total == 2 and len(first) == len(second) == 1 and first[0].article.id != second[0].article.id


def test_entities_and_the_stories_naming_them(store: Store) -> None:
    batch = _batch(2, day="2024-03-01")
    geneva = Entity("e-geneva", "PLACE", "Geneva", mentions=3, articles=2, aliases={"Genève": 2, "Geneva": 1}, keys={"geneva", "geneve"})
    talks = Entity("e-talks", "ORG", "Talks", mentions=1, articles=1)
    batch.entities = [geneva, talks]
    for article in batch.articles:
        article.mentions = [Mention("Genève", 0, 6, "PLACE", entity_id="e-geneva")]
    _save(store, batch)
    found = store.entity("e-geneva")
    assert found is not None and found.aliases == {"Genève": 2, "Geneva": 1} and found.keys == {"geneva", "geneve"}
    assert [e.id for e in store.entities_for_keys(["geneve"])] == ["e-geneva"]
    assert {e.id for e in store.entities_by_ids(["e-geneva", "e-talks", "e-none"])} == {"e-geneva", "e-talks"}
    assert {i: (e.name, e.type) for i, e in store.entity_names().items()} == {"e-geneva": ("Geneva", "PLACE"), "e-talks": ("Talks", "ORG")}
    assert [e.id for e in store.iter_entities()] == ["e-geneva", "e-talks"]  # most mentioned first
    (named,) = store.entity_stories("e-geneva")
    assert (named.story_id, named.articles, named.first_day, named.last_day) == (STORY, 2, "2024-03-01", "2024-03-01")
    assert [a.mentions[0].entity_id for a in store.story_members(STORY, limit=5)] == ["e-geneva", "e-geneva"]


def test_entities_found_by_any_spelling_whatever_case_and_accents(store: Store) -> None:
    batch = _batch(2, day="2024-03-01")
    istanbul = Entity("e-ist", "PLACE", "Istanbul", mentions=2, articles=1, aliases={"İstanbul": 1, "Istanbul": 1}, keys={"istanbul"})
    paulo = Entity("e-sp", "PLACE", "São Paulo", mentions=1, articles=1, aliases={"São Paulo": 1}, keys={"sao paulo"})
    batch.entities = [istanbul, paulo]
    batch.articles[0].mentions = [Mention("Istanbul", 0, 8, "PLACE", entity_id="e-ist")]
    batch.articles[1].mentions = [Mention("São Paulo", 0, 9, "PLACE", entity_id="e-sp")]
    _save(store, batch)
    assert [e.id for e in store.find_entities(["istanbul"], [])] == ["e-ist"]
    assert [e.id for e in store.find_entities([], ["SAO PAULO"])] == ["e-sp"]
    assert [e.id for e in store.find_entities([], ["paulo"])] == ["e-sp"]  # every word of the phrase, not the whole name
    assert store.find_entities([], ["Estambul"]) == []
    later = _batch(1, "s-0000000000000009", first=9, day="2024-03-02")
    istanbul.aliases["Estambul"] = 1  # a spelling seen later is searchable at once
    later.entities = [istanbul]
    _save(store, later)
    (found,) = store.find_entities([], ["estambul"])
    assert found.id == "e-ist" and found.aliases == {"İstanbul": 1, "Istanbul": 1, "Estambul": 1}
    for typed in ['"', "AND OR", "NEAR(", "&|!", "%s", "?", "'"]:
        assert store.find_entities([], [typed]) == []  # no syntax typed breaks the look-up
    assert [a.id for a in store.articles_naming("e-sp", limit=5)] == ["0000000000000001"]
    assert [s.id for s in store.stories(StoryFilter(entities=("e-sp",)))] == [STORY]
    assert store.stories(StoryFilter(entities=())).total == 0
    assert store.story_titles([STORY, "s-none"]) == {STORY: "A story"}


def test_search_by_every_spelling_of_a_term_and_newest_first(store: Store) -> None:
    _save(store, _batch(1, text="Talks in Genève with Sergei Riabkov {i}", day="2024-03-01", language="fr"))
    _save(store, _batch(1, "s-0000000000000002", first=2, text="Geneva talks went on {i}", day="2024-03-05"))
    _save(store, _batch(1, "s-0000000000000003", first=3, text="Riabkov in Moscow, not Sergei {i}", day="2024-03-03"))
    geneva = QueryTerm("Genf", False, ("Genf", "Geneva", "Genève"))
    assert {h.article.id for h in store.search([geneva])} == {"0000000000000000", "0000000000000002"}
    assert [h.article.id for h in store.search([geneva], newest_first=True)] == ["0000000000000002", "0000000000000000"]
    riabkov = QueryTerm("Sergei Riabkov", False, ("Sergei Riabkov",))  # a name: its words side by side
    assert [h.article.id for h in store.search([riabkov])] == ["0000000000000000"]
    assert store.search([geneva, riabkov]).total == 1
    assert store.search([QueryTerm("Riab", True, ("Riab",))]).total == 2
    assert [s.id for s in store.stories(StoryFilter(query="Genf", terms=(geneva,)))] == ["s-0000000000000002", STORY]
    assert store.search([QueryTerm("?!", False, ("?!",))]).total == 0


def _edit(kind: str, story_id: str, **changes: object) -> StoryEdit:
    return StoryEdit(None, kind, "2024-03-10T12:00:00+00:00", story_id, by="test", **changes)  # type: ignore[arg-type]


def test_an_edit_is_carried_out_and_logged_in_one_transaction(location: str) -> None:
    store, other_writer = open_store(location), open_store(location)
    other = "s-0000000000000005"
    _save(store, _batch(2, day="2024-03-01"))
    _save(store, _batch(2, other, first=5, day="2024-03-02"))
    seen = other_writer.saved_batches()
    (kept,) = store.profiles_by_ids([STORY])
    kept.title, kept.title_pinned, kept.size = "Merged by hand", True, 4
    merge = _edit(
        "merge", STORY, moves=tuple(ArticleMove(f"{i:016x}", other, STORY) for i in (5, 6)),
        titles=(TitleChange(STORY, "A story", "Merged by hand"),), removed=(other,), merged_into=((other, STORY),),
    )
    with store.writer(5):
        logged = store.save_edit(merge, [kept], {})
    assert logged.id is not None and store.edit(logged.id) == logged and [e.id for e in store.edits()] == [logged.id]
    assert store.resolve_story(other) == STORY and store.story_id_taken(other) and not store.story_id_taken("s-none")
    assert store.story(other).id == STORY and len(store.story(STORY).articles) == 4  # type: ignore[union-attr]
    (profile,) = store.profiles_by_ids([STORY])
    assert profile.title == "Merged by hand" and profile.title_pinned and store.count()["stories"] == 1
    assert other_writer.changes_since(seen).edited  # every writer's matcher loads the stories again
    state = store.story_states([STORY, other])
    assert list(state) == [STORY] and state[STORY].merged_in == (other,) and state[STORY].title_pinned
    assert [a.id for a in store.articles_for_rebuild(["0000000000000006", "0000000000000000"])] == ["0000000000000000", "0000000000000006"]

    split = _edit("split", other, moves=(ArticleMove("0000000000000006", STORY, other),), created=(other,), apart=((STORY, other),))
    (back,) = store.profiles_by_ids([STORY])
    back.id = other
    with store.writer(5):
        split = store.save_edit(split, [back], {})
    assert store.kept_apart(other, STORY) and store.story_states([STORY])[STORY].kept_apart == frozenset({other})
    assert store.resolve_story(other) == other  # its own story again
    with store.writer(5):
        undo = store.save_edit(_edit("undo", other, undoes=split.id), [], {})
    assert store.edit(split.id).undone_by == undo.id  # type: ignore[arg-type, union-attr]
    assert [e.id for e in store.edits_after(logged.id)] == [split.id, undo.id]  # type: ignore[arg-type]
    assert [e.id for e in store.edits(limit=1, offset=1)] == [split.id] and store.edits().total == 3

    before = store.count()
    with pytest.raises(StoreError, match="still holds 3 articles"), store.writer(5):
        store.save_edit(_edit("merge", other, removed=(STORY,)), [], {})
    assert store.count() == before and store.edits().total == 3

    third = "s-0000000000000009"
    merged = _batch(1, third, first=9, day="2024-03-03")
    merged.merges = [(other, third)]  # the matcher merges a story kept apart: the pair follows it
    _save(store, merged)
    assert store.kept_apart(STORY, third) and not store.kept_apart(STORY, other)
    store.close()
    other_writer.close()


def test_a_missing_store_is_not_created_by_a_reader(location: str) -> None:
    with pytest.raises(StoreError, match="no Storyline store here yet"):
        open_store(location, create=False)
    assert not store_exists(location)
    open_store(location).close()
    open_store(location, create=False).close()


def test_a_database_of_another_application_is_refused_untouched(location: str) -> None:
    run_sql(location, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
    run_sql(location, "INSERT INTO invoices (id, total) VALUES (1, 42)")
    for create in (True, False):
        with pytest.raises(StoreError, match="another application .*invoices.*nothing was changed"):
            open_store(location, create=create)
    assert run_sql(location, "SELECT total FROM invoices") == [(42,)]
    tables = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    assert run_sql(location, tables if location.startswith("postgresql://") else "SELECT COUNT(*) FROM sqlite_master") == [(1,)]


def test_reads_from_many_threads_while_one_writes(location: str) -> None:
    store = open_store(location)
    _save(store, _batch(2))
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                assert len(store.stories()) >= 1
                store.search("body")
                store.count()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for n in range(5):
            _save(store, _batch(2, f"s-{100 + n:016x}", first=100 + 2 * n))
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert failures == []
    assert store.count()["articles"] == 12
    store.close()


# ---- watched sources (issue 12), on both backends ------------------------------------------------


def test_watched_sources_pages_versions_and_archive_checkpoints(store: Store) -> None:
    now, later = "2024-05-01T10:00:00+00:00", "2024-05-01T11:00:00+00:00"
    feed = Source("https://news.example/feed.xml", 900, now, now, name="Example")
    store.save_source(feed)
    feed.kind, feed.children = "feed", {"https://news.example/a.xml": {"lastmod": "2024-04-30"}}
    pages = [WatchedPage(f"https://news.example/{i}", Link(f"https://news.example/{i}", title=f"T{i}"), feed.url, now) for i in range(3)]
    assert store.record_poll(feed, pages) == (3, 0)
    assert store.record_poll(feed, pages) == (0, 0)  # known pages are left alone
    (saved,) = store.sources()
    assert saved.kind == "feed" and saved.name == "Example" and saved.children == feed.children and not saved.dead
    assert [s.url for s in store.due_sources(later)] == [feed.url] and store.next_source_poll() == now
    due = store.due_pages(later, per_source=2, limit=10)
    assert [p.url for p in due] == ["https://news.example/0", "https://news.example/1"] and due[0].link.title == "T0"
    due[0].state = "fetched"
    store.save_page(due[0], b"<html>page 0</html>")
    assert [(p.url, body) for p, body in store.fetched_pages()] == [("https://news.example/0", b"<html>page 0</html>")]
    assert store.page_counts() == {feed.url: {"fetched": 1, "pending": 2}}
    assert store.watched_page("https://news.example/0").state == "fetched"  # type: ignore[union-attr]
    assert store.add_article_version("b2", "a1", "https://news.example/0", later) == 2
    assert store.article_versions("a1") == [("a1", 1, later), ("b2", 2, later)]
    with store.writer():
        store.save_archive_checkpoint("crawl.warc.gz|10|1", 4096, "<urn:uuid:1>")
    assert store.archive_checkpoint("crawl.warc.gz|10|1") == (4096, "<urn:uuid:1>")
    assert store.remove_source(feed.url) and not store.remove_source(feed.url)
    assert store.sources() == [] and store.page_counts() == {feed.url: {"fetched": 1}}  # pages not fetched go with it
