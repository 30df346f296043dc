"""A killed ingest leaves the store consistent; re-running finishes the job exactly (issue 3)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, run_cli

TOPICS = ["harbour strike", "river flood", "chess final", "satellite launch", "wine harvest", "rail tunnel", "bird census", "tax reform"]
PLACES = ["Hamburg", "Valparaíso", "Kourou", "Lyon", "Tromsø", "Malatya", "Arequipa", "Rabat", "Montevideo", "Vienna"]


def _synthetic_feed(path: Path, n: int) -> None:
    """n distinct articles on a few recurring topics, so matching has real work to do."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            topic, place = TOPICS[i % len(TOPICS)], PLACES[(i * 7) % len(PLACES)]
            text = (
                f"Report {i} on the {topic} in {place}\n\n"
                f"Officials in {place} gave new details on Tuesday about the {topic}, number {i} in our series. "
                f"Residents told reporters that the {topic} had changed daily life in {place} in ways few expected. "
                f"Local authorities promised a further statement on the {topic} later in the week, item {i * 31 % 97}."
            )
            handle.write(json.dumps({"id": f"doc-{i}", "text": text, "published": f"2024-03-{1 + i % 28:02d}"}) + "\n")


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db) as raw:
            return int(raw.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_minus_nine_then_rerun(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    _synthetic_feed(feed, 400)
    crashed, clean = tmp_path / "crashed.db", tmp_path / "clean.db"

    process = subprocess.Popen(
        [sys.executable, "-m", "storyline", "ingest", str(feed), "--db", str(crashed), "--batch-size", "8", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _stored(crashed) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "ingest finished before it could be killed; make the feed larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    partial = _stored(crashed)
    assert 40 <= partial < 400
    with sqlite3.connect(crashed) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every stored article belongs to a stored story: no half-written batch
        assert raw.execute("SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)").fetchone()[0] == 0
        assert partial % 8 == 0, "a batch was partly written"

    resumed = run_cli("ingest", str(feed), "--db", str(crashed), "--batch-size", "8", "-q")
    assert f"{400 - partial} new articles" in resumed.stderr and f"{partial} already stored" in resumed.stderr
    run_cli("ingest", str(feed), "--db", str(clean), "--batch-size", "8", "-q")

    crashed_export = json.loads(run_cli("export", "--db", str(crashed)).stdout)
    clean_export = json.loads(run_cli("export", "--db", str(clean)).stdout)
    assert len(crashed_export["articles"]) == 400
    # same articles in the same stories, as if nothing had happened
    assert crashed_export == clean_export


def test_several_kills_in_a_row_lose_and_double_nothing(tmp_path: Path) -> None:
    """A handful of the benchmark's kill points (bench/reliability.py runs 100): kill -9 of the ingest and its
    worker processes at random moments, a re-run after each, then a run to the end."""
    from bench.reliability import kill_campaign

    result = kill_campaign(tmp_path, kills=3, articles=160, batch_size=8, workers=1)
    assert result["kills"] >= 1, result
    assert result["lost"] == 0 and result["doubled"] == 0
    assert result["integrity_failures"] == 0 and result["partial_batches"] == 0 and result["articles_without_story"] == 0
    assert result["final_exit_code"] == 0
