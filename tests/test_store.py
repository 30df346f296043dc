"""SQLite store: migrations, WAL, locking, one transaction per batch (issue 3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import StoreError
from storyline.model import Article, Batch, RawDocument, StoryProfile
from storyline.store import SQLiteStore, open_store
from storyline.store.sqlite import _migrations


def _batch(n: int, story: str = "s-0000000000000001") -> Batch:
    vector = np.ones(512, dtype=np.float32)
    batch = Batch(stories=[StoryProfile(story, vector, n, None, None, "A story")])
    for i in range(n):
        doc = RawDocument(f"{i:016x}", f"file{i}.txt", "text", f"body {i}".encode())
        batch.documents.append(doc)
        batch.articles.append(Article(doc.id, doc.source, f"title {i}", f"body {i}", None, "en", "Outlet", story_id=story, embedding=vector))
        batch.text_hashes[doc.id] = f"hash{i}"
        batch.band_keys[doc.id] = [i, -i - 1]
    return batch


def test_new_store_is_migrated_and_in_wal_mode(db: Path) -> None:
    store = SQLiteStore(db)
    assert store.schema_version == _migrations()[-1][0]
    store.close()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"raw_documents", "articles", "stories", "sources", "minhash_bands"} <= tables


def test_reopening_keeps_data(db: Path) -> None:
    store = SQLiteStore(db)
    store.save_batch(_batch(3))
    store.close()
    store = SQLiteStore(db)
    assert store.count()["articles"] == 3
    (profile,) = store.profiles_by_ids(["s-0000000000000001"])
    assert profile.size == 3 and profile.title == "A story"
    assert store.stored_stories(["0000000000000001", "ffffffffffffffff"]) == {"0000000000000001": "s-0000000000000001"}


def test_a_failing_batch_stores_nothing(db: Path) -> None:
    store = SQLiteStore(db)
    batch = _batch(4)
    batch.articles[3].story_id = "s-does-not-exist"  # violates a foreign key on the last row
    with pytest.raises(StoreError, match="nothing of it was stored"):
        store.save_batch(batch)
    assert store.count() == {"articles": 0, "stories": 0, "duplicates": 0, "failed": 0}
    assert store.integrity_check() == "ok"


def test_store_from_a_newer_version_is_refused(db: Path) -> None:
    SQLiteStore(db).close()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(StoreError, match="newer Storyline"):
        SQLiteStore(db)


def test_a_migration_merged_after_a_higher_numbered_one_is_still_applied(db: Path) -> None:
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


def test_one_writer_at_a_time(db: Path) -> None:
    first, second = SQLiteStore(db), SQLiteStore(db)
    with first.writer():
        with pytest.raises(StoreError, match="another Storyline process is writing"):
            with second.writer():
                pass
    with second.writer():
        pass


def test_unknown_store_scheme_is_a_config_error() -> None:
    with pytest.raises(Exception, match="not supported yet"):
        open_store("postgresql://localhost/news")
