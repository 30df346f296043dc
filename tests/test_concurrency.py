"""Several writers on one store: they take turns batch by batch, lose nothing and double nothing (issue 13).

Each test runs on SQLite and on PostgreSQL. Two writers placing articles on stale
stories would show as a story whose stored size is not its number of articles, or
term statistics that miss documents: the invariants below check for exactly that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import storyline
from storyline.errors import StoreError
from storyline.ingest import find_files, read_file
from storyline.model import RawDocument
from tests.conftest import REPO, run_sql, running_server, synthetic_feed

def _document_ids(*paths: Path) -> set[str]:
    files, _ = find_files(list(paths))
    return {item.id for file in files for item in read_file(file) if isinstance(item, RawDocument)}


def _ingest(paths: list[Path], location: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyline", "ingest", *map(str, paths), "--db", location, "--batch-size", "4", "--workers", "0", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _assert_consistent(location: str) -> None:
    """Every story's stored profile agrees with its articles, and the term statistics counted every original once."""
    sizes = run_sql(
        location,
        "SELECT s.id, s.size, (SELECT COUNT(*) FROM articles a WHERE a.story_id = s.id) FROM stories s",
    )
    assert sizes and all(size == members for _, size, members in sizes), [row for row in sizes if row[1] != row[2]]
    assert run_sql(location, "SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)") == [(0,)]
    ((originals,),) = run_sql(location, "SELECT COUNT(*) FROM articles WHERE duplicate_of IS NULL")
    assert run_sql(location, "SELECT value FROM counters WHERE name = 'term_documents'") == [(originals,)]


def test_two_ingests_of_overlapping_inputs_store_each_article_once(location: str, tmp_path: Path) -> None:
    # 16 batches of its own each: more than one start can lag behind the other (a few seconds on a busy machine)
    first = synthetic_feed(tmp_path / "first.jsonl", range(0, 64))
    shared = synthetic_feed(tmp_path / "shared.jsonl", range(64, 80))
    second = synthetic_feed(tmp_path / "second.jsonl", range(80, 144))
    storyline.open(location).close()  # the schema exists before both start (they would also wait for each other)
    # Each starts with its own articles: were one to start on the shared ones, its turns would store
    # nothing the order below can see, and a late start would look like waiting for the other's whole run.
    processes = [_ingest([first, shared], location), _ingest([second, shared], location)]
    for process in processes:
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors

    stored = {row[0] for row in run_sql(location, "SELECT id FROM articles")}
    assert stored == _document_ids(first, shared, second)
    assert run_sql(location, "SELECT COUNT(*) FROM articles") == [(len(stored),)]  # nothing twice
    # the shared articles were seen by both: one stored copy, both inputs remembered (by the name given)
    assert run_sql(location, f"SELECT COUNT(*) FROM sources WHERE source LIKE '{shared.name}:%'") == [(16,)]
    _assert_consistent(location)
    # the writers took turns batch by batch (neither waited for the other's whole run): their articles interleave
    order = [row[0] for row in run_sql(location, "SELECT source FROM articles ORDER BY seq")]
    owners = [source.split(":")[0] for source in order if not source.startswith(shared.name)]
    switches = sum(a != b for a, b in zip(owners, owners[1:]))
    assert switches >= 2, f"the two ingests did not interleave: {owners}"


def test_serve_takes_posts_while_another_process_ingests(location: str, tmp_path: Path) -> None:
    feed = synthetic_feed(tmp_path / "feed.jsonl", range(0, 64))
    storyline.open(location).close()
    posted = []
    with running_server(location, token="t0ken", log_dir=tmp_path) as base, \
            httpx.Client(base_url=base, timeout=120, headers={"Authorization": "Bearer t0ken"}) as client:

        def post(i: int) -> None:
            record = json.loads(synthetic_feed(tmp_path / f"post{i}.jsonl", range(i, i + 1)).read_text())
            response = client.post("/api/articles", json=record)
            assert response.status_code == 201, response.text
            (result,) = response.json()["articles"]
            assert result["status"] == "added" and result["story"]
            posted.append(result["id"])

        post(199)  # the server loads its models now, not while the ingest runs
        ingest = _ingest([feed], location)
        while not run_sql(location, "SELECT COUNT(*) FROM articles")[0][0] > 1 and ingest.poll() is None:
            time.sleep(0.1)
        for i in range(200, 206):
            post(i)
        assert ingest.poll() is None, "the ingest ended before the posts: nothing was written at the same time"
        _, errors = ingest.communicate(timeout=600)
        assert ingest.returncode == 0, errors
    stored = {row[0] for row in run_sql(location, "SELECT id FROM articles")}
    assert stored == _document_ids(feed) | set(posted)
    _assert_consistent(location)


def test_a_writer_waits_its_turn_and_says_so_when_it_gives_up(location: str, tmp_path: Path) -> None:
    feed = synthetic_feed(tmp_path / "feed.jsonl", range(0, 3))
    with storyline.open(location) as other, storyline.open(location, writer_wait=1) as sl:
        with other.store.writer():  # another writer, holding its turn for good
            started = time.monotonic()
            with pytest.raises(StoreError, match="another Storyline process has been writing to this store for over 1 s"):
                sl.ingest([feed])
            assert time.monotonic() - started >= 1
        assert sl.count()["articles"] == 0
        assert sl.ingest([feed]).added == 3  # its turn comes once the other is done
