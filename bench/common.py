"""Helpers shared by the benchmarks: paths, metrics, result files."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import uuid
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
RESULTS = REPO / "bench" / "results"


def sample_corpus_gold(section: str) -> list[Any]:
    """One section ("articles", "entities", ...) of the sample corpus's gold, from every gold file."""
    entries: list[Any] = []
    for path in sorted((REPO / "examples" / "gold").glob("part_*.json")):
        entries += json.loads(path.read_text(encoding="utf-8")).get(section, [])
    return entries


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024



def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` with the machine and commit it ran on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    except OSError:
        commit = ""
    payload = {
        "benchmark": name,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def prf(tp: float, predicted: float, gold: float) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, float]:
    """B-cubed precision/recall/F1 of a clustering (Bagga and Baldwin 1998)."""
    items = [i for i in gold if i in predicted]
    by_pred: dict[Hashable, set[str]] = defaultdict(set)
    by_gold: dict[Hashable, set[str]] = defaultdict(set)
    for item in items:
        by_pred[predicted[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = sum(len(by_pred[predicted[i]] & by_gold[gold[i]]) / len(by_pred[predicted[i]]) for i in items) / len(items)
    recall = sum(len(by_pred[predicted[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def pairwise(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, float]:
    """Precision/recall/F1 over pairs of items put in the same cluster."""
    items = [i for i in gold if i in predicted]

    def pairs(labels: Mapping[str, Hashable]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(labels[i] for i in items).values())

    joint = Counter((predicted[i], gold[i]) for i in items)
    tp = sum(n * (n - 1) // 2 for n in joint.values())
    return prf(tp, pairs(predicted), pairs(gold))


def peak_child_rss_mb() -> float:
    """Peak resident memory of the largest child process waited for (direct children only)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@contextlib.contextmanager
def new_postgres_database(server: str, prefix: str = "storyline") -> Iterator[str]:
    """A new, empty database on the PostgreSQL server at ``server`` (a location whose user may create databases);
    yields its location and drops it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
