"""The same stories on PostgreSQL as on SQLite, and `storyline migrate` between them (issue 13)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import storyline
from storyline.errors import ConfigError, StoreError
from tests.conftest import CORPUS, SEEDS, copy_db, need, postgres_database, run_cli

NEW_ARTICLE = {
    "id": "after-the-move",
    "title": "Riabkov and Sherman agree to meet again in Geneva",
    "language": "en",
    "outlet": "Test Wire",
    "published": "2021-07-30",
    "text": (
        "Russian Deputy Foreign Minister Sergei Riabkov and US Deputy Secretary of State Wendy Sherman agreed in Geneva "
        "to meet again in September, after talks on strategic stability that both sides called professional."
    ),
}


def _export(location: str | Path) -> dict:
    with storyline.open(location) as sl:
        out = io.StringIO()
        sl.export(out)
    return json.loads(out.getvalue())


def test_the_corpus_and_the_seeds_make_the_same_store_on_postgresql_and_back(news_db: Path, tmp_path: Path) -> None:
    """Ingested into PostgreSQL: the stories, articles, analysis and explanations of SQLite; moved back: the same again."""
    expected = _export(news_db)
    with postgres_database() as database:
        result = run_cli("ingest", str(CORPUS), str(need(SEEDS)), "--db", database, "-q")
        assert "0 already stored" in result.stderr and "storyline@" in result.stderr
        assert _export(database) == expected
        assert run_cli("stories", "--db", database, "--limit", "1").stdout.strip()
        back = tmp_path / "back.db"
        moved = run_cli("migrate", "--from", database, "--to", str(back))
        assert f"{len(expected['articles'])} articles, {len(expected['stories'])} stories" in moved.stderr
    assert _export(back) == expected


def test_a_migrated_store_goes_on_where_the_old_one_stopped(news_db: Path, tmp_path: Path) -> None:
    original = copy_db(news_db, tmp_path)
    with postgres_database() as database:
        copied = storyline.migrate(original, database)
        assert copied["articles"] > 60 and copied["minhash_bands"] > 0 and copied["term_frequencies"] > 0
        assert _export(database) == _export(original)
        outcomes = []
        for location in (original, database):  # the next article lands in the same story, with the same statistics
            with storyline.open(location) as sl:
                (outcome,) = sl.ingest_records([NEW_ARTICLE])
                outcomes.append((outcome.status, outcome.story_id, outcome.new_story))
                assert sl.search("Riabkov September").total >= 1
        assert outcomes[0] == outcomes[1] and outcomes[0][0] == "added"
        assert _export(database) == _export(original)


def test_migrate_refuses_a_target_that_holds_a_store_or_is_the_source(news_db: Path, tmp_path: Path) -> None:
    original = copy_db(news_db, tmp_path)
    with pytest.raises(ConfigError, match="are the same store"):
        storyline.migrate(original, original)
    (tmp_path / "other").mkdir()
    with pytest.raises(StoreError, match="already holds .* articles; migrate into a new, empty store"):
        storyline.migrate(original, copy_db(news_db, tmp_path / "other"))
    missing = run_cli("migrate", "--from", str(tmp_path / "none.db"), "--to", str(tmp_path / "new.db"), check=False)
    assert missing.returncode == 1 and "no store here to copy" in missing.stderr
