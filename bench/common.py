"""Helpers shared by the benchmarks: paths, metrics, result files."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import subprocess
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping
from importlib import metadata
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


SAMPLE_CORPUS = REPO / "examples" / "corpus"


def sample_corpus_file(source: str) -> str:
    """The gold's name (repository-relative) of the file an article of the sample corpus was read from: stores keep
    a source relative to the folder holding the ingested one (``corpus/html/x.html``), plus ``:line`` for JSONL."""
    return str((SAMPLE_CORPUS.parent / source.split(":")[0]).resolve().relative_to(REPO))


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


class PeakMemory:
    """Peak resident memory of this process and all its descendants together, sampled (Linux /proc).

    ``with PeakMemory() as peak: ...`` then ``peak.total_mb`` (the largest sum over all
    processes at one sampling instant) and ``peak.processes`` (how many were alive then).
    ``peak.total_pss_mb``: the same for the proportional set size, which counts a page shared by
    several processes (a forked worker's models) once in all, not once in each as RSS does.
    ``peak.descendants_cpu_seconds``: the CPU time of the descendants started inside the block
    (each as last sampled: a process's last ``interval`` before it ended can be missed);
    ``peak.sampling_cpu_seconds``: the CPU the sampling took in this process (to take off its CPU time).
    Sampling every ``interval`` seconds can miss a peak shorter than that. ``peak.largest_descendant_mb``:
    the largest peak of any one descendant (its VmHWM, which the kernel keeps exactly, as last sampled).
    Not ``peak_child_rss_mb``: that counts only children waited for, and forkserver workers are
    children of the fork server, never waited for by this process.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.total_mb = 0.0
        self.total_pss_mb = 0.0
        self.processes = 0
        self.largest_descendant_mb = 0.0
        self._cpu_ticks: dict[int, int] = {}
        self.sampling_cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def descendants_cpu_seconds(self) -> float:
        return sum(self._cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _cpu_ticks_of(pid: int) -> int | None:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)

    @staticmethod
    def _family(root: int) -> list[int]:
        children: dict[int, list[int]] = defaultdict(list)
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                        parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children[parent].append(int(entry.name))
        family, todo = [], [root]
        while todo:
            pid = todo.pop()
            family.append(pid)
            todo += children.get(pid, [])
        return family

    @staticmethod
    def _kb(path: str, field: str) -> int:
        try:
            with open(path, encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        try:
            self._sample_until_stopped()
        finally:
            self.sampling_cpu_seconds = time.thread_time()

    def _sample_until_stopped(self) -> None:
        while True:
            family = self._family(os.getpid())
            total = sum(self._kb(f"/proc/{pid}/status", "VmRSS:") for pid in family) / 1024
            if total > self.total_mb:
                self.total_mb, self.processes = total, len(family)
            self.total_pss_mb = max(self.total_pss_mb, sum(self._kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in family) / 1024)
            for pid in family[1:]:
                self.largest_descendant_mb = max(self.largest_descendant_mb, self._kb(f"/proc/{pid}/status", "VmHWM:") / 1024)
                ticks = self._cpu_ticks_of(pid)
                if ticks is not None:
                    self._cpu_ticks[pid] = ticks
            if self._stop.is_set():
                return
            self._stop.wait(self.interval)


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


# What makes an article out of a record: every file here is read into the cache key, and so are
# the versions of the packages Storyline runs on (a new spaCy or embedding model reads differently).
ANALYSIS_CODE = ("storyline/analyze", "storyline/clean", "storyline/ingest", "storyline/model.py", "storyline/pipeline.py", "storyline/words.py")


def analysis_code_digest() -> str:
    """A digest of the cleaning and analysis code, its models and the installed versions of Storyline's
    dependencies (a hand-bumped version was forgotten too easily)."""
    digest = hashlib.sha256()
    for part in ANALYSIS_CODE:
        path = REPO / part
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(REPO)).encode())
                digest.update(file.read_bytes())
    for requirement in sorted(metadata.requires("storyline") or []):
        if "extra ==" not in requirement:
            name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
            digest.update(f"{name}=={metadata.version(name)}".encode())
    return digest.hexdigest()
