"""Shared fixtures: real SQLite files in temporary directories, paths to shared data, a real server and browser."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from bench import processes

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
DW_SEED = SEEDS / "002_29e6ec3318bbf1d0.txt"
RFI_SEED = SEEDS / "000_67d5cd4230ea23dc.txt"
CORPUS = REPO / "examples" / "corpus"


def need(path: Path) -> Path:
    """Skip (loudly) when shared data is not beside the repository, as it is in CI."""
    if not path.exists():
        pytest.skip(f"{path} is missing: clone the repository next to ../shared")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


def run_cli(*args: str, cwd: Path | None = None, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `storyline` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


# ---- a real server over a real store ------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def news_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus and the seeds, ingested once; copy it (``copy_db``) before writing to it."""
    db = tmp_path_factory.mktemp("news") / "news.db"
    with storyline.open(db) as sl:
        report = sl.ingest([CORPUS, need(SEEDS)])
    assert report.ok, report.problems
    return db


def copy_db(source: Path, directory: Path) -> Path:
    """A private copy of a closed store (closing checkpointed its WAL into the file)."""
    target = directory / source.name
    shutil.copyfile(source, target)
    return target


def table_rows(location: Path | str) -> dict[str, int]:
    """Rows in every table of a store on either backend: what "nothing changed" compares."""
    location = str(location)
    if location.startswith("postgresql://"):
        listed = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    else:
        listed = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'article_search_%'"
    return {t: run_sql(location, f'SELECT COUNT(*) FROM "{t}"')[0][0] for (t,) in run_sql(location, listed)}


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float = 300) -> None:
    """kill -9 ``process`` as soon as ``ready()``; fails if it ends on its own first."""
    deadline = time.monotonic() + timeout
    while not ready() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the process ended before it could be killed; give it more work"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def stored_urls(location: Path | str) -> list[str]:
    """The URL of every stored article, read straight from the database (empty while it is being created)."""
    try:
        return [row[0] for row in run_sql(str(location), "SELECT url FROM articles")]
    except Exception as exc:  # sqlite3.Error or psycopg.Error: the store is not there yet
        if type(exc).__module__.split(".")[0] not in ("sqlite3", "psycopg"):
            raise
        return []


def assert_intact(location: Path | str) -> None:
    """After a crash: a SQLite file passes its integrity check (a PostgreSQL server recovers by itself: its write-ahead
    log), and on both, every stored article has its analysis, written in the same batch transaction."""
    location = str(location)
    if not location.startswith("postgresql://"):
        assert run_sql(location, "PRAGMA integrity_check") == [("ok",)]
    assert run_sql(location, "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM analyses WHERE article_id = a.id)") == [(0,)]


@contextlib.contextmanager
def running_server(db: Path | str, *, token: str | None = None, extra: tuple[str, ...] = (), log_dir: Path | None = None) -> Iterator[str]:
    """`storyline serve` in a subprocess on a free loopback port; yields its base URL.

    ``db``: a store file, or any store location with ``log_dir`` for the server's log."""
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    if token:
        env["STORYLINE_TOKEN"] = token
    port = processes.free_port()
    log = log_dir / f"serve.{port}.log" if log_dir else Path(db).with_suffix(f".{port}.log")
    with processes.serving(db, env=env, extra=extra, log=log, port=port) as (base, _process):
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium (the system's, never downloaded) with a fresh profile."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


# ---- PostgreSQL and Spark, where the machine has them ------------------------------

# A PostgreSQL server the tests may create databases on (.ci/start-postgres starts one and sets it).
POSTGRES_SERVER = os.environ.get("STORYLINE_TEST_POSTGRES")
BACKENDS = ["sqlite", "postgresql"]
# Set by .ci/run: a test that needs PostgreSQL or Java fails instead of skipping when they are missing.
NO_SKIP = os.environ.get("STORYLINE_TEST_NO_SKIP") == "1"


def need_service(available: bool, what: str) -> None:
    if not available:
        if NO_SKIP:
            pytest.fail(f"{what} is missing, and STORYLINE_TEST_NO_SKIP=1 forbids skipping")
        pytest.skip(f"{what} is missing")


def need_java() -> None:
    need_service(shutil.which("java") is not None, "java (Spark needs Java 17+: apt-get install openjdk-17-jre-headless)")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database on the test server; yields its location and drops it afterwards."""
    need_service(bool(POSTGRES_SERVER), "STORYLINE_TEST_POSTGRES (a PostgreSQL server for the tests: source .ci/start-postgres)")
    from bench.common import new_postgres_database

    with new_postgres_database(POSTGRES_SERVER or "", "storyline_test") as database:
        yield database


@pytest.fixture
def news_location(request: pytest.FixtureRequest, news_db: Path, tmp_path: Path) -> Iterator[str]:
    """The news store (corpus and seeds) to change, on the backend the test is parametrised with
    (``@pytest.mark.parametrize("news_location", BACKENDS, indirect=True)``): a copy of the SQLite
    file, or the same store migrated into a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(copy_db(news_db, tmp_path))
        return
    import storyline

    with postgres_database() as database:
        storyline.migrate(news_db, database)
        yield database


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new store's location on each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
    else:
        with postgres_database() as database:
            yield database


def run_sql(location: str, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on a store behind Storyline's back (a test reaching into the database itself)."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as raw:
            cursor = raw.execute(sql)
            return cursor.fetchall() if cursor.description else []
    with contextlib.closing(sqlite3.connect(location)) as raw, raw:
        return raw.execute(sql).fetchall()


FEED_TOPICS = ["harbour strike", "river flood", "chess final", "satellite launch", "wine harvest", "rail tunnel"]
FEED_PLACES = ["Hamburg", "Valparaíso", "Kourou", "Lyon", "Tromsø", "Malatya", "Arequipa", "Rabat"]


def synthetic_feed(path: Path, numbers: range, *, days: list[int] | None = None) -> Path:
    """Short distinct articles on a few recurring topics (so that matching has stories to share), one JSONL line each,
    published in May 2024 (on ``days[i]`` for the i-th, when given)."""
    with path.open("w", encoding="utf-8") as handle:
        for i, number in enumerate(numbers):
            topic, place = FEED_TOPICS[number % len(FEED_TOPICS)], FEED_PLACES[(number * 5) % len(FEED_PLACES)]
            day = days[i] if days else 1 + number % 20
            text = (
                f"Update {number}: the {topic} in {place}\n\n"
                f"Officials in {place} gave new figures on the {topic}, report number {number} of the series. "
                f"Residents said the {topic} had changed their week, and the council promised another statement."
            )
            handle.write(json.dumps({"id": f"doc-{number}", "text": text, "published": f"2024-05-{day:02d}"}) + "\n")
    return path
