"""Shared fixtures: real SQLite files in temporary directories, paths to shared data, a real server and browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import storyline

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


def run_cli(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `storyline` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=600,
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


def table_rows(db: Path) -> dict[str, int]:
    """Rows in every table: what "nothing changed" compares."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'article_search_%'")]
        return {t: raw.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float = 300) -> None:
    """kill -9 ``process`` as soon as ``ready()``; fails if it ends on its own first."""
    deadline = time.monotonic() + timeout
    while not ready() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the process ended before it could be killed; give it more work"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def stored_urls(db: Path) -> list[str]:
    """The URL of every stored article, read straight from the file (empty while it is being created)."""
    try:
        with contextlib.closing(sqlite3.connect(db)) as raw:
            return [row[0] for row in raw.execute("SELECT url FROM articles")]
    except sqlite3.Error:
        return []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(db: Path, *, token: str | None = None, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """`storyline serve` in a subprocess on a free loopback port; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    if token:
        env["STORYLINE_TOKEN"] = token
    log = db.with_suffix(f".{port}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "storyline", "serve", "--db", str(db), "--port", str(port), *extra],
            stdout=output, stderr=subprocess.STDOUT, env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"storyline serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"storyline serve did not answer within 60 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
