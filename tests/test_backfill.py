"""`storyline backfill` on Apache Spark (local[2], a real JVM and real Python workers) makes the store ingest makes (issue 13)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import processes
from bench.reliability import without_explanations
from tests.conftest import CORPUS, REPO, SEEDS, SHARED, need, need_java, postgres_database, run_cli, run_sql, synthetic_feed

PAGES = SHARED / "data" / "trafilatura_eval" / "html"
SPARK = ("--spark", "local[2]")
# One Python worker loads the models once: where two cores prove nothing more, tests spend one.
ONE_CORE = ("--spark", "local[1]")


def _export(location: str | Path) -> dict:
    return json.loads(run_cli("export", "--db", str(location)).stdout)


def _partition(export: dict) -> set[frozenset[str]]:
    return {frozenset(story["articles"]) for story in export["stories"]}


def _pages(directory: Path, count: int, seed: int) -> list[Path]:
    """``count`` real pages of trafilatura's evaluation set, drawn at random, linked into ``directory``."""
    directory.mkdir()
    for page in random.Random(seed).sample(sorted(need(PAGES).glob("*.html.gz")), count):
        (directory / page.name).symlink_to(page)
    return [directory]


def _stored(location: Path) -> int:
    try:
        return int(run_sql(str(location), "SELECT COUNT(*) FROM articles")[0][0])
    except Exception:  # noqa: BLE001 - not created yet, or being created
        return 0


def _spark_workers(pid: int) -> list[int]:
    """The Python workers Spark's daemon forked for tasks: the daemon's command line, and the daemon as parent."""
    return [
        child for child in processes.descendants(pid)
        if b"pyspark.daemon" in (command := processes.command(child)) and command == processes.command(processes.parent(child))
    ]


def test_backfill_on_local_spark_makes_the_store_ingest_makes(news_db: Path, tmp_path: Path) -> None:
    """The sample corpus and the seeds: the same stories, articles, analysis and explanations, byte for byte."""
    need_java()
    db = tmp_path / "backfill.db"
    result = run_cli("backfill", str(CORPUS), str(need(SEEDS)), "--db", str(db), *SPARK, "-q")
    assert "documents cleaned and analysed in" in result.stderr
    assert _export(db) == _export(news_db)


def test_backfill_killed_then_run_again_ends_as_one_uninterrupted_run(tmp_path: Path) -> None:
    """A failed Spark task is run again; kill -9 of the backfill while it stores, then a re-run: as if nothing happened.
    The inputs: a JSONL feed read in slices by several tasks, real pages, and web archives."""
    need_java()
    archives = need(SHARED / "data" / "sources" / "warc")
    inputs = [
        synthetic_feed(tmp_path / "feed.jsonl", range(64)), *_pages(tmp_path / "pages", 3, seed=13),
        archives / "pywb" / "iana.warc.gz", archives / "commoncrawl-whirlwind" / "whirlwind.warc.gz",  # web archives, as ingest reads them
    ]
    options = ("--batch-size", "8", "--slice-mb", "0.003", "-q")  # a 25 KB feed in 9 slices, read by as many tasks
    crashed, clean = tmp_path / "crashed.db", tmp_path / "clean.db"

    process = subprocess.Popen(
        [sys.executable, "-m", "storyline", "backfill", *map(str, inputs), "--db", str(crashed), *ONE_CORE, *options],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _spark_workers(process.pid) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        time.sleep(2)  # the workers are loading models or analysing: mid-task
        assert _stored(crashed) == 0, "the executors were done before a worker could be killed"
        for worker in _spark_workers(process.pid):
            os.kill(worker, signal.SIGKILL)  # a task fails; Spark runs it again
        while _stored(crashed) < 16 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, f"the backfill ended before it could be killed: {process.stderr.read().decode()[-2000:]}"  # type: ignore[union-attr]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        for pid in processes.descendants(process.pid):  # the JVM exits when its driver dies; make sure nothing is left
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    partial = _stored(crashed)
    assert 16 <= partial < 64 and partial % 8 == 0, f"{partial} stored: a batch was partly written"
    assert run_sql(str(crashed), "PRAGMA integrity_check") == [("ok",)]
    resumed = run_cli("backfill", *map(str, inputs), "--db", str(crashed), *ONE_CORE, *options)
    assert f"{partial} already stored" in resumed.stderr
    run_cli("ingest", *map(str, inputs), "--db", str(clean), "--batch-size", "8", "--workers", "0", "-q")
    assert without_explanations(_export(crashed)) == without_explanations(_export(clean))


def test_backfill_in_publication_order_matches_as_ingest_does_on_the_same_articles_by_day(tmp_path: Path) -> None:
    """--order published: the stories ingest makes of the same articles fed day by day; into PostgreSQL."""
    need_java()
    days = list(range(1, 21)) * 2
    random.Random(5).shuffle(days)
    shuffled = synthetic_feed(tmp_path / "shuffled.jsonl", range(40), days=days)
    by_day = tmp_path / "by-day.jsonl"
    lines = shuffled.read_text(encoding="utf-8").splitlines()
    by_day.write_text("\n".join(sorted(lines, key=lambda line: json.loads(line)["published"])) + "\n", encoding="utf-8")
    with postgres_database() as database:
        run_cli("backfill", str(shuffled), "--db", database, *ONE_CORE, "--order", "published", "--batch-size", "8", "-q")
        backfilled = _export(database)
    run_cli("ingest", str(by_day), "--db", str(tmp_path / "ingest.db"), "--batch-size", "8", "--workers", "0", "-q")
    ingested = _export(tmp_path / "ingest.db")
    assert _partition(backfilled) == _partition(ingested)
    assert {a["id"]: a["story"] for a in backfilled["articles"]} == {a["id"]: a["story"] for a in ingested["articles"]}


@pytest.mark.slow
def test_backfill_of_the_corpus_and_300_real_pages_makes_the_stories_ingest_makes(tmp_path: Path) -> None:
    need_java()
    inputs = [str(CORPUS), *map(str, _pages(tmp_path / "pages", 300, seed=300))]
    # Real pages: some hold no article (a paywall's teaser); both commands refuse the same ones, name them, exit 1.
    backfill = run_cli("backfill", *inputs, "--db", str(tmp_path / "backfill.db"), *SPARK, "-q", check=False)
    ingest = run_cli("ingest", *inputs, "--db", str(tmp_path / "ingest.db"), "-q", check=False)
    assert backfill.returncode == ingest.returncode in (0, 1), backfill.stderr + ingest.stderr
    assert _refused(backfill.stderr) == _refused(ingest.stderr)
    backfilled, ingested = _export(tmp_path / "backfill.db"), _export(tmp_path / "ingest.db")
    assert len(backfilled["articles"]) == len(ingested["articles"]) > 300
    assert _partition(backfilled) == _partition(ingested)
    assert without_explanations(backfilled) == without_explanations(ingested)


def _refused(stderr: str) -> list[str]:
    """The inputs a command reports it could not ingest, with the reason, as listed after its summary."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if "could not be ingested" in line), len(lines))
    return sorted(line.strip() for line in lines[start + 1 :] if line.startswith("  "))
