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

from bench.reliability import stored_count, synthetic_feed
from tests.conftest import REPO, run_cli

def test_kill_minus_nine_then_rerun(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    synthetic_feed(feed, 400)
    crashed, clean = tmp_path / "crashed.db", tmp_path / "clean.db"

    process = subprocess.Popen(
        [sys.executable, "-m", "storyline", "ingest", str(feed), "--db", str(crashed), "--batch-size", "8", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while stored_count(crashed) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "ingest finished before it could be killed; make the feed larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    partial = stored_count(crashed)
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
