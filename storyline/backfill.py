"""Backfill: clean and analyze an archive on Apache Spark, then match it into the store here, in order.

    this process (the Spark driver)                 Spark executors (local[*], standalone, YARN, Kubernetes)
    ─────────────────────────────────               ─────────────────────────────────────────────────────
    find the input files (storyline.ingest)
    the ids (and days) of stored articles  ──────▶  read each file, or a slice of a large JSONL file, with
                                                    storyline.ingest's readers; clean and analyze every
                                                    document not stored yet (pipeline.prepare). Models load
                                                    once per Python worker, which Spark reuses task after task
                      ◀── sorted by (file, position in it): each document with its article or problem
    match and store batch by batch with the Pipeline, exactly as `storyline ingest` does

Cleaning and analysis need nothing but the document, so they scale out; matching
places each article against every story before it, so it runs in one process,
in the order ``ingest`` reads the same inputs (files in order, the lines of a
file in order): the store a backfill makes is the one ingest makes. Every
document gets the same key and the same analysis whichever executor prepares it
and however often (Spark retries a failed task): the same inputs give the same
stories, on one core or a hundred. Documents already stored are not analysed
again but keep their place in the order, so a re-run after a crash (even
``kill -9``) ends with exactly the store an uninterrupted run makes.

``order="published"`` matches by publication day instead (then in input order;
undated articles last), for archives whose files follow no order of time.

Spark is imported here only: ``import storyline`` does not load it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from storyline.errors import ConfigError
from storyline.ingest import InputFile, read_file
from storyline.ingest.readers import JSONL_SUFFIXES
from storyline.model import Article, InputProblem, RawDocument
from storyline.pipeline import PREPARE_CHUNK, Item, Prepared, prepare

Order = Literal["input", "published"]
ORDERS: tuple[Order, ...] = ("input", "published")
DEFAULT_MASTER = "local[*]"
# A file holding many articles is read by several tasks, each preparing every n-th one, once it is this large.
SLICE_BYTES = 16 * 2**20
# At least this many tasks per core Spark offers: tasks of unequal length still keep every core busy.
TASKS_PER_CORE = 4
# Records the driver fetches at a time (one sorted partition): its memory holds about this many prepared articles.
RECORDS_PER_PARTITION = 2000
# How often many times Spark runs a failed task before giving up (its default on a cluster, which local mode lacks).
TASK_ATTEMPTS = 4
# In publication order, undated articles and unusable inputs come after every dated article.
_LAST_DAY = dt.date.max.toordinal() + 1

_PREPARE_JOBS = "storyline-prepare"
# (what is happening, done, total): "preparing" counts Spark tasks, "matching" counts inputs.
BackfillProgress = Callable[[str, int, int], None]
Key = tuple[int, int, int]  # (publication day's ordinal or 0, file number, position in the file)


@dataclass
class SparkTimes:
    """What the executors did: seconds per stage summed over tasks (a retried task counts twice), tasks run,
    tasks that failed and were run again, documents cleaned and analysed. Each Python worker's first chunk of
    documents, when it loads the models, is counted apart (``first_chunks``: seconds and documents).
    ``cpu_seconds``: the CPU time the workers spent cleaning and analysing (first chunks apart): unlike
    elapsed seconds, it does not grow when executors share their cores with other work."""

    seconds_by_stage: dict[str, float] = field(default_factory=dict)
    tasks: int = 0
    failed_tasks: int = 0
    documents_prepared: int = 0
    first_chunks: tuple[float, int] = (0.0, 0)
    cpu_seconds: float = 0.0

    @property
    def seconds_per_document(self) -> float:
        """Executor seconds per document once the models are loaded."""
        return sum(self.seconds_by_stage.values()) / self._steady_documents if self._steady_documents else 0.0

    @property
    def cpu_seconds_per_document(self) -> float:
        """Executor CPU seconds per document once the models are loaded."""
        return self.cpu_seconds / self._steady_documents if self._steady_documents else 0.0

    @property
    def _steady_documents(self) -> int:
        return max(0, self.documents_prepared - self.first_chunks[1])


def spark_conf(master: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The Spark settings of a backfill: Storyline's defaults, then ``extra`` (``--conf KEY=VALUE``) over them."""
    conf = {
        "spark.master": _with_retries(master),
        "spark.app.name": "storyline backfill",
        "spark.ui.showConsoleProgress": "false",
        "spark.python.worker.reuse": "true",  # models load once per Python worker, not once per task
        # One task per core already uses every core: numpy's BLAS must not start threads of its own in each.
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.executorEnv.OPENBLAS_NUM_THREADS": "1",
        "spark.executorEnv.MKL_NUM_THREADS": "1",
    }
    if master.startswith("local"):  # everything on this machine: this Python, and nothing listening beyond the loopback
        conf.update({
            "spark.pyspark.python": os.environ.get("PYSPARK_PYTHON", sys.executable),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.ui.enabled": "false",
        })
    conf.update(extra)
    return conf


def _start_spark(settings: dict[str, str]) -> Any:
    from pyspark import SparkConf, SparkContext

    log_settings = resources.files("storyline").joinpath("spark-log4j2.properties")
    with resources.as_file(log_settings) as log_file:
        options = settings.get("spark.driver.extraJavaOptions", "")
        settings = {**settings, "spark.driver.extraJavaOptions": f"{options} -Dlog4j2.configurationFile=file:{log_file}".strip()}
        if "spark.pyspark.python" in settings:  # PySpark takes its workers' Python from the environment only
            os.environ["PYSPARK_PYTHON"] = settings["spark.pyspark.python"]
        if settings.get("spark.driver.bindAddress") == "127.0.0.1":
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        return SparkContext(conf=SparkConf().setAll(list(settings.items())))


def _with_retries(master: str) -> str:
    """``local[N]`` runs a failed task once only; ``local[N,F]`` retries it: give local masters Spark's cluster default."""
    found = re.fullmatch(r"local(?:\[(\d+|\*)\])?", master.strip())
    if found is None:
        return master
    return f"local[{found.group(1) or 1},{TASK_ATTEMPTS}]"


def prepare_on_spark(
    files: list[InputFile],
    *,
    stored_days: Mapping[str, str | None],
    master: str = DEFAULT_MASTER,
    order: Order = "input",
    max_article_bytes: int,
    slice_bytes: int = SLICE_BYTES,
    conf: Mapping[str, str] = {},
    progress: BackfillProgress | None = None,
    times: SparkTimes | None = None,
) -> Iterator[Item]:
    """Every input item, prepared on Spark, in matching order: documents ``Prepared`` with their article or
    problem, stored documents as they were read (their body left out), and problems met while reading.

    ``stored_days``: id -> publication day (ISO) of every stored article, which are not analysed again.
    ``slice_bytes``: a JSONL file larger than this is read by several tasks.
    """
    if order not in ORDERS:
        raise ConfigError(f"order={order!r} is not one of {', '.join(ORDERS)}")
    try:
        from pyspark import StorageLevel
    except ImportError:
        raise ConfigError("backfill needs Apache Spark's Python package; install it with: pip install 'storyline[spark]'") from None

    settings = spark_conf(master, conf)
    try:
        context = _start_spark(settings)
    except Exception as exc:  # py4j and Java report failures to start in many ways
        raise ConfigError(f"Spark did not start ({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}); "
                          "check --spark and that Java 17 or newer is installed", source=settings["spark.master"]) from exc
    try:
        context.setLogLevel("ERROR")
        units = [(number, str(f.path), f.size, part, parts) for number, f in enumerate(files) for part, parts in _slices(f, slice_bytes)]
        if not units:
            return
        tasks = min(len(units), max(TASKS_PER_CORE * context.defaultParallelism, math.ceil(sum(f.size for f in files) / slice_bytes)))
        stored = context.broadcast(dict(stored_days))
        seconds = {stage: context.accumulator(0.0) for stage in ("read", "clean", "analyze", "first chunk", "cpu")}
        prepared_count, first_chunk_documents = context.accumulator(0), context.accumulator(0)
        task = _PrepareUnits(stored, order, max_article_bytes, seconds, prepared_count, first_chunk_documents)
        prepared = context.parallelize(units, tasks).mapPartitions(task).persist(StorageLevel.DISK_ONLY)
        context.setJobGroup(_PREPARE_JOBS, "storyline: read, clean and analyze")
        with _TaskProgress(context, progress):
            records = prepared.count()
        if times is not None:
            times.seconds_by_stage = {stage: value.value for stage, value in seconds.items() if stage not in ("first chunk", "cpu")}
            times.first_chunks = (seconds["first chunk"].value, first_chunk_documents.value)
            times.cpu_seconds = seconds["cpu"].value
            times.tasks = tasks
            times.failed_tasks = _failed_tasks(context, _PREPARE_JOBS)
            times.documents_prepared = prepared_count.value
        ordered = prepared.sortByKey(numPartitions=max(1, math.ceil(records / RECORDS_PER_PARTITION)))
        done = 0
        for _, item in ordered.toLocalIterator(prefetchPartitions=True):
            yield item
            done += 1
            if progress and done % 16 == 0:
                progress("matching", done, records)
        if progress:
            progress("matching", records, records)
        prepared.unpersist()
    finally:
        context.stop()


def _slices(file: InputFile, slice_bytes: int) -> list[tuple[int, int]]:
    """(slice, slices) of a file: several for a large file of many articles, else one."""
    parts = max(1, math.ceil(file.size / slice_bytes)) if file.suffix in JSONL_SUFFIXES else 1
    return [(part, parts) for part in range(parts)]


def _failed_tasks(context: Any, group: str) -> int:
    """Tasks of the group's jobs that failed (and were run again, since the jobs succeeded)."""
    tracker = context.statusTracker()
    jobs = [tracker.getJobInfo(job) for job in tracker.getJobIdsForGroup(group)]
    stages = [tracker.getStageInfo(stage) for job in jobs if job is not None for stage in job.stageIds]
    return sum(stage.numFailedTasks for stage in stages if stage is not None)


class _PrepareUnits:
    """What an executor runs on its share of the units: read, then clean and analyze (a picklable callable)."""

    def __init__(self, stored: Any, order: Order, max_article_bytes: int, seconds: dict[str, Any], prepared: Any, first: Any) -> None:
        self.stored, self.order, self.max_article_bytes = stored, order, max_article_bytes
        self.seconds, self.prepared, self.first_chunk_documents = seconds, prepared, first

    def __call__(self, units: Iterable[tuple[int, str, int, int, int]]) -> Iterator[tuple[Key, Item]]:
        import time

        stored: Mapping[str, str | None] = self.stored.value
        for number, path, size, part, parts in units:
            started = time.perf_counter()
            mine = [
                (position, item)
                for position, item in enumerate(read_file(InputFile(Path(path), size), max_article_bytes=self.max_article_bytes))
                if position % parts == part
            ]
            self.seconds["read"].add(time.perf_counter() - started)
            pending: list[tuple[int, RawDocument]] = []
            for position, item in mine:
                if isinstance(item, InputProblem):
                    yield (self._day(), number, position), item
                elif item.id in stored:  # its place in the order, without its body or a second analysis
                    yield (self._day(stored_day=stored[item.id]), number, position), _without_body(item)
                else:
                    pending.append((position, item))
            for start in range(0, len(pending), PREPARE_CHUNK):
                chunk = pending[start : start + PREPARE_CHUNK]
                cpu_started = time.process_time()
                results, spent = prepare([document for _, document in chunk])
                if _first_chunk_here():
                    self.seconds["first chunk"].add(sum(spent.values()))
                    self.first_chunk_documents.add(len(chunk))
                else:
                    for stage, value in spent.items():
                        self.seconds[stage].add(value)
                    self.seconds["cpu"].add(time.process_time() - cpu_started)
                self.prepared.add(len(chunk))
                for (position, document), result in zip(chunk, results):
                    yield (self._day(result), number, position), Prepared(document, result)

    def _day(self, result: Article | InputProblem | None = None, *, stored_day: str | None = None) -> int:
        """The first part of an item's key: its publication day in publication order (last when it has none)."""
        if self.order == "input":
            return 0
        if isinstance(result, Article):
            day = result.published_day
            return day.toordinal() if day else _LAST_DAY
        return dt.date.fromisoformat(stored_day).toordinal() if stored_day else _LAST_DAY


_first_chunk_done = False


def _first_chunk_here() -> bool:
    """True once per Python worker: for its first chunk, which loads the models (the worker keeps them for later tasks)."""
    global _first_chunk_done
    first, _first_chunk_done = not _first_chunk_done, True
    return first


def _without_body(document: RawDocument) -> RawDocument:
    return replace(document, body=b"")


class _TaskProgress:
    """Reports finished tasks of the running Spark stages while the executors prepare."""

    def __init__(self, context: Any, progress: BackfillProgress | None) -> None:
        self.context, self.progress = context, progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="spark-progress", daemon=True)

    def __enter__(self) -> _TaskProgress:
        if self.progress:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        tracker = self.context.statusTracker()
        assert self.progress is not None
        while not self._stop.wait(0.5):
            stages = [tracker.getStageInfo(i) for i in tracker.getActiveStageIds()]
            stages = [s for s in stages if s is not None]
            if stages:
                self.progress("preparing", sum(s.numCompletedTasks for s in stages), sum(s.numTasks for s in stages))
