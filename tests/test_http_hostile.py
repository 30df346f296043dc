"""The HTTP server against hostile requests and faults, on a real server on loopback (issues 17 and 18).

No answer is a 500 (but the one a corrupted store causes), carries a traceback or a path of
the server, or lacks the security headers; a gzip bomb upload neither blocks reads nor
expands; a server killed during writes loses no write it acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.reliability import healthz_during_upload, hostile_requests, kill_during_posts
from tests.conftest import REPO, copy_db, running_server

TOKEN = "hostile-token-93b2"
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@pytest.fixture(scope="module")
def served(news_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = copy_db(news_db, tmp_path_factory.mktemp("hostile"))
    with running_server(db, token=TOKEN) as base:
        yield base, db


def test_hostile_requests_get_clear_answers_and_nothing_of_the_server(served: tuple[str, Path]) -> None:
    base, db = served
    secrets = [str(db.parent), str(REPO), "/tmp/", TOKEN]
    result = hostile_requests(base, TOKEN, secrets)
    assert result["with_problems"] == []
    statuses = result["statuses"]
    assert statuses["huge body (declared)"] == 413 and statuses["malformed json"] == 400
    assert statuses["no token"] == statuses["wrong token"] == statuses["token in the query string"] == 401
    assert statuses["extreme offset"] == 422 and statuses["gzip bomb upload"] == 422
    assert statuses["path traversal (static)"] == 404


def test_the_token_in_the_url_is_refused_with_a_reason(served: tuple[str, Path]) -> None:
    response = httpx.post(f"{served[0]}/api/articles?access_token={TOKEN}", json={"text": "x"}, timeout=60)
    assert response.status_code == 401 and "never accepted" in response.json()["error"]["message"]


def test_an_upload_name_keeps_no_path_and_no_control_character(served: tuple[str, Path]) -> None:
    text = ("A ferry ran aground near Split on Sunday; all 212 passengers were taken ashore by coast guard boats, "
            "the harbour master said, and divers inspected the hull on Monday.")
    response = httpx.post(
        f"{served[0]}/api/articles", files=[("file", ("../../etc/ferry\x1b.txt", text.encode(), "text/plain"))],
        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=300,
    )
    assert response.status_code == 201, response.text
    (result,) = response.json()["articles"]
    assert result["source"] == "upload:ferry\x1b.txt" and result["status"] == "added"
    page = httpx.get(f"{served[0]}/articles/{result['id']}", timeout=60).text
    assert "etc/" not in page


def test_reads_go_on_while_a_gzip_bomb_is_uploaded(served: tuple[str, Path]) -> None:
    """100 KB of gzip expanding to 100 MB of blank lines: refused at 100 times its size; reads answered meanwhile."""
    result = healthz_during_upload(served[0], TOKEN)
    assert result["upload_bytes"] < 200_000
    assert result["upload"]["status"] == 422 and "expands more than 100 times" in str(result["upload"]["error"])
    assert result["upload"]["seconds"] < 60
    assert result["slowest_read_ms"] is None or result["slowest_read_ms"] < 10_000


def test_a_failure_of_the_store_is_answered_with_the_headers_and_no_path(news_db: Path, tmp_path: Path) -> None:
    """The store file is overwritten with junk under the running server: reads fail (500 or 503), answered in the
    one error shape, with the security headers, naming no path."""
    db = copy_db(news_db, tmp_path)
    paths = ["/api/stories?limit=3", "/api/search?q=geneva", "/", "/search?q=talks"]
    with running_server(db) as base:
        assert httpx.get(f"{base}/api/stories", timeout=60).status_code == 200
        size = db.stat().st_size
        with db.open("r+b") as handle:
            handle.write(bytes(range(256)) * (size // 256 + 1))
        with ThreadPoolExecutor(16) as pool:  # new threads open new connections: every way of failing is tried
            answers = list(pool.map(
                lambda i: httpx.get(f"{base}{paths[i % 4]}", timeout=60, headers={"Accept": "text/html"} if i % 2 else {}), range(48)
            ))
    failed = [a for a in answers if a.status_code >= 500]
    assert failed, [a.status_code for a in answers]
    for answer in answers:
        assert all(h in answer.headers for h in HEADERS), answer.headers
        assert str(tmp_path) not in answer.text and "Traceback" not in answer.text


def test_every_acknowledged_post_survives_a_kill_minus_nine(news_db: Path, tmp_path: Path) -> None:
    db = copy_db(news_db, tmp_path)
    result = kill_during_posts(tmp_path, db, TOKEN, rounds=1, posters=3)
    assert result["posts_answered_2xx"] > 0
    assert result["lost"] == 0 and result["doubled"] == 0 and result["integrity"] == "ok" and result["status_after_restart"] == 200


def test_no_page_or_answer_shows_where_the_server_read_an_article(news_db: Path, tmp_path: Path) -> None:
    """Sources are stored relative to what the user gave; a store written before that keeps absolute
    paths: readers see only their file name, on the article page ("Read from") and in the API."""
    import contextlib
    import sqlite3

    db = copy_db(news_db, tmp_path)
    with contextlib.closing(sqlite3.connect(db)) as raw, raw:
        ids = [row[0] for row in raw.execute("SELECT id FROM articles ORDER BY id LIMIT 3")]
        raw.execute("UPDATE articles SET source = '/srv/private/feeds/ferry.jsonl:7' WHERE id = ?", (ids[0],))
    with running_server(db) as base:
        for article_id in ids:
            page = httpx.get(f"{base}/articles/{article_id}", timeout=60)
            answer = httpx.get(f"{base}/api/articles/{article_id}", timeout=60)
            assert page.status_code == answer.status_code == 200
            for text in (page.text, answer.text):
                assert str(REPO) not in text and str(tmp_path) not in text and "/srv/private" not in text
            source = answer.json()["source"]
            assert not source.startswith("/") and f"<code>{source}</code>" in page.text
        assert httpx.get(f"{base}/api/articles/{ids[0]}", timeout=60).json()["source"] == "ferry.jsonl:7"
