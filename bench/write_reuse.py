"""One-article writes (as HTTP POSTs come) and compares on a large store: kept pipeline vs one per write.

Before, every write built a new pipeline (reading the whole term table and reloading the
stories it matches against) and every ``compare`` read the term table again; now both are
kept while nothing else changed the store. The store is synthetic (``serve_load.build_store``)
with a term table of ``--terms`` rows, the size a store of about 100,000 articles has; the
articles written are real ones, from the sample corpus. In the same run, as the baseline, the
same writes into a copy of the store with the kept pipeline dropped before each one, and the
same compares with the kept term statistics dropped: what each cost before.

    python bench/write_reuse.py [--articles 20000] [--terms 500000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, write_result  # noqa: E402
from bench.serve_load import build_store, vocabulary  # noqa: E402
import storyline  # noqa: E402
from storyline.analyze.terms import TERM_BUCKETS  # noqa: E402


def add_terms(db: Path, terms: int, documents: int, rng: random.Random) -> None:
    with sqlite3.connect(db) as connection:
        rows = ((term, rng.randint(1, 50)) for term in rng.sample(range(TERM_BUCKETS), terms))
        connection.executemany("INSERT OR REPLACE INTO term_frequencies (term, documents) VALUES (?, ?)", rows)
        connection.execute("INSERT OR REPLACE INTO counters (name, value) VALUES ('term_documents', ?)", (documents,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--terms", type=int, default=500_000)
    args = parser.parse_args()
    records = [json.loads(line) for path in sorted((REPO / "examples" / "corpus").glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        build_store(base, args.articles, vocabulary(), rng)
        add_terms(base, args.terms, args.articles, rng)
        kept_db, fresh_db = Path(tmp) / "kept.db", Path(tmp) / "fresh.db"
        shutil.copy(base, kept_db)
        shutil.copy(base, fresh_db)
        for name in ("kept.db-wal", "kept.db-shm"):
            Path(tmp, name).unlink(missing_ok=True)

        kept_seconds, fresh_seconds = [], []
        compare_kept, compare_fresh = [], []
        with storyline.open(kept_db) as kept, storyline.open(fresh_db) as fresh:
            for sl in (kept, fresh):  # the models load once in either case
                sl.ingest_records(records[:1], source="warm-up")
            for i, record in enumerate(records[1:], 1):  # alternated, so the machine's load falls on both alike
                start = time.perf_counter()
                kept.ingest_records([record], source=f"r{i}")
                kept_seconds.append(time.perf_counter() - start)
                fresh._pipeline = None  # as before: a new pipeline for every write
                start = time.perf_counter()
                fresh.ingest_records([record], source=f"r{i}")
                fresh_seconds.append(time.perf_counter() - start)
            ids = [a.id for s in kept.stories(limit=None) for a in s.articles if a.source.startswith("r")][:2]
            kept.compare(*ids)
            for _ in range(10):
                start = time.perf_counter()
                kept.compare(*ids)
                compare_kept.append(time.perf_counter() - start)
                kept._term_statistics = None  # as before: the term table read for every compare
                start = time.perf_counter()
                kept.compare(*ids)
                compare_fresh.append(time.perf_counter() - start)

    def summary(kept: list[float], fresh: list[float]) -> dict[str, float]:
        return {
            "median_ms_kept": round(1000 * statistics.median(kept), 1),
            "median_ms_one_per_call_baseline": round(1000 * statistics.median(fresh), 1),
            "ratio_kept_vs_baseline": round(statistics.median(kept) / statistics.median(fresh), 2),
        }

    result = {
        "articles_in_store": args.articles,
        "term_rows": args.terms,
        "writes": len(kept_seconds),
        "one_article_write": summary(kept_seconds, fresh_seconds),
        "compare": summary(compare_kept, compare_fresh),
    }
    path = write_result("write_reuse", result)
    print(json.dumps(result, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
