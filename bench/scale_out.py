"""Scaling out: PostgreSQL against SQLite, backfill on Spark with one core against two, and what 1M articles would take.

Five measurements, each with its same-run baseline:

1. ingest: the same real pages (trafilatura_eval, the first PAGES by name) and the sample
   corpus ingested into a new SQLite file and into a new PostgreSQL database, one after the
   other, with the command line's workers: articles/s of each, and the store's own seconds
   per article (``seconds_by_stage["store"]``).
2. two writers: the pages split between two processes ingesting into one store at once
   (SQLite, then PostgreSQL; batches of 16): seconds spent waiting for the other's turn, and
   taking in the other's batches per switch of turns, against the seconds spent storing.
3. backfill: the same inputs with ``storyline backfill`` on Spark ``local[1]`` then
   ``local[2]`` into new SQLite files: wall time of each phase (Spark preparing; matching and
   storing here), the executors' seconds and CPU seconds per document (read, clean, analyze:
   summed over tasks) and the driver's seconds per article (link, match, explain, store).
4. match-and-store on the driver as the store grows, on PostgreSQL and on SQLite: the
   synthetic stream of bench/match_scale.py bulk-saved to each size, then articles placed and
   saved as the pipeline does (see that file), in a fresh process per size.
5. a projection (not a measurement) of 1M CC-NEWS records on a pool of 16 executor cores:
   executor time = 1M x the executors' CPU seconds per document (models loaded, two workers
   side by side: local[2]) / 16 cores of their own; and, as a pessimistic bound, from this
   shared machine's elapsed seconds per document on local[1] / (16 x the parallel efficiency
   measured from local[1] to local[2]). Driver time = 1M x (driver seconds per article measured
   in 3, with the match-and-store part taken at the largest size measured in 4).
   CC-NEWS records are news pages like trafilatura_eval's; reading WARC is not counted.

    python bench/scale_out.py --postgres postgresql://user@host/db   # the server must let the user create databases
    python bench/scale_out.py --postgres ... --sizes 10000,100000 --pages 200
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, REPO, new_postgres_database, write_result  # noqa: E402
from bench.match_scale import Stream, fill_and_measure, load_seeds, stream_length  # noqa: E402
import storyline  # noqa: E402
from storyline.pipeline import default_workers  # noqa: E402
from storyline.store import masked  # noqa: E402

PAGES = DATA / "trafilatura_eval" / "html"
CORPUS = REPO / "examples" / "corpus"
DRIVER_STAGES = ("link entities", "match", "explain stories", "store")
TURN_STAGES = ("waiting for other writers", "taking in other writers' batches", "store")
PROJECTED_ARTICLES = 1_000_000
PROJECTED_CORES = 16


def _inputs(pages: int, tmp: Path) -> list[Path]:
    folder = tmp / "pages"
    folder.mkdir()
    for page in sorted(PAGES.glob("*.html.gz"))[:pages]:
        (folder / page.name).symlink_to(page)
    return [CORPUS, folder]


def measure_ingest(location: str, inputs: list[Path]) -> dict[str, object]:
    with storyline.open(location, workers=default_workers()) as sl:
        started = time.perf_counter()
        report = sl.ingest(inputs)
        seconds = time.perf_counter() - started
    return {
        "articles": report.added,
        "seconds": round(seconds, 1),
        "articles_per_second": round(report.added / seconds, 2),
        "store_ms_per_article": round(1000 * report.seconds_by_stage.get("store", 0.0) / max(report.added, 1), 2),
        "seconds_by_stage": {k: round(v, 1) for k, v in sorted(report.seconds_by_stage.items())},
    }


def _worker_rss_mb() -> float:
    """Resident memory of the largest Spark Python worker under this process (the daemon's forks), in MB."""
    largest = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if b"pyspark.daemon" in (status.parent / "cmdline").read_bytes():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        largest = max(largest, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return largest


def measure_backfill(master: str, inputs: list[Path], db: Path) -> dict[str, object]:
    phases: dict[str, float] = {}
    worker_rss = [0.0]
    matching_cpu: dict[str, tuple[float, int, int]] = {}  # first report of the matching phase: (CPU time here, inputs done, inputs)
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        phases.setdefault(phase, time.perf_counter() - started)
        if phase == "preparing":
            worker_rss[0] = max(worker_rss[0], _worker_rss_mb())
        else:
            matching_cpu.setdefault("first", (time.process_time(), done, total))

    with storyline.open(db) as sl:
        report = sl.backfill(inputs, master=master, progress=progress)
    cpu_end = time.process_time()
    seconds = time.perf_counter() - started
    executors = report.executors
    driver_seconds = sum(report.seconds_by_stage.get(stage, 0.0) for stage in DRIVER_STAGES)
    matching_started = phases.get("matching", seconds)
    cpu_first, done_first, inputs_total = matching_cpu["first"]
    return {
        "master": master,
        "articles": report.added,
        "seconds": round(seconds, 1),
        "preparing_seconds": round(matching_started, 1),  # Spark's start, then the executors' work (to the first article matched)
        "matching_seconds": round(seconds - matching_started, 1),
        "tasks": executors.tasks,
        "failed_tasks": executors.failed_tasks,
        "executor_seconds_per_document": round(executors.seconds_per_document, 4),  # models loaded: each worker's first chunk apart
        "executor_cpu_seconds_per_document": round(executors.cpu_seconds_per_document, 4),  # the same documents, CPU time
        "executor_seconds_by_stage": {k: round(v, 1) for k, v in executors.seconds_by_stage.items()},
        "first_chunks_seconds_and_documents": [round(executors.first_chunks[0], 1), executors.first_chunks[1]],
        "driver_seconds_per_article": round(driver_seconds / max(report.added, 1), 4),
        # this process's CPU time from the first inputs handed over for matching to the end (storing into SQLite, in this process), per input
        "driver_cpu_seconds_per_article": round((cpu_end - cpu_first) / max(inputs_total - done_first, 1), 4),
        "driver_seconds_by_stage": {k: round(report.seconds_by_stage.get(k, 0.0), 2) for k in DRIVER_STAGES},
        "largest_python_worker_rss_mb": round(worker_rss[0]),
    }


WRITERS_BATCH = 16  # small batches: many turns to take in the two writers' run


def _ingest_half(location: str, inputs: list[str], reports: Any) -> None:
    with storyline.open(location, batch_size=WRITERS_BATCH) as sl:
        report = sl.ingest(inputs)
    reports.put({"added": report.added, **{k: report.seconds_by_stage.get(k, 0.0) for k in TURN_STAGES}})


def measure_writers(location: str, halves: tuple[list[str], list[str]]) -> dict[str, object]:
    """Two processes ingesting at once into one store: how long turns are waited for, and what taking in the other's batches costs."""
    storyline.open(location).close()
    reports: Any = multiprocessing.get_context("spawn").Queue()
    processes = [multiprocessing.get_context("spawn").Process(target=_ingest_half, args=(location, half, reports)) for half in halves]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [reports.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    with storyline.open(location) as sl:
        owners = [a.source.split("/")[-2] for a in sl.store.iter_articles()]
    switches = sum(a != b for a, b in zip(owners, owners[1:]))
    taking_in = sum(r["taking in other writers' batches"] for r in results)
    return {
        "seconds": round(seconds, 1),
        "articles": sum(r["added"] for r in results),
        "turn_switches": switches,
        "waiting_for_the_other_seconds": round(sum(r["waiting for other writers"] for r in results), 2),
        "taking_in_the_other_s_batches_seconds": round(taking_in, 3),
        "taking_in_ms_per_switch": round(1000 * taking_in / max(switches, 1), 2),
        "store_seconds": round(sum(r["store"] for r in results), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("STORYLINE_TEST_POSTGRES"), help="a PostgreSQL server to create databases on")
    parser.add_argument("--pages", type=int, default=200, help="real pages ingested and backfilled (with the sample corpus)")
    parser.add_argument("--sizes", default="10000,100000", help="stored articles the driver's match-and-store is measured at")
    parser.add_argument("--skip", default="", help="parts not to run, comma-separated: ingest, writers, backfill, scale")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("give a PostgreSQL server with --postgres (or STORYLINE_TEST_POSTGRES)")
    skip = set(filter(None, args.skip.split(",")))
    payload: dict[str, object] = {"how": __doc__.split("    python")[0].strip(), "postgres": masked(args.postgres)}

    with tempfile.TemporaryDirectory(prefix="storyline-scale-out-") as tmp_name:
        tmp = Path(tmp_name)
        inputs = _inputs(args.pages, tmp)
        if "ingest" not in skip:
            sqlite = measure_ingest(str(tmp / "ingest.db"), inputs)
            print("ingest sqlite", json.dumps(sqlite), flush=True)
            with new_postgres_database(args.postgres, 'storyline_bench') as database:
                postgres = measure_ingest(database, inputs)
            print("ingest postgresql", json.dumps(postgres), flush=True)
            payload["ingest"] = {
                "inputs": f"examples/corpus and the first {args.pages} pages of trafilatura_eval/html, workers={default_workers()}",
                "sqlite": sqlite,
                "postgresql": postgres,
                "ratio_articles_per_second_postgresql_vs_sqlite": round(postgres["articles_per_second"] / sqlite["articles_per_second"], 3),  # type: ignore[operator]
            }
        if "writers" not in skip:
            for i, page in enumerate(sorted(inputs[1].iterdir())):  # a folder per writer: an article's folder tells who stored it
                folder = tmp / f"writer-{i % 2}"
                folder.mkdir(exist_ok=True)
                (folder / page.name).symlink_to(page.resolve())
            halves = ([str(tmp / "writer-0")], [str(tmp / "writer-1")])
            writers = {"inputs": f"the first {args.pages} pages of trafilatura_eval/html, every other page to each of two processes"}
            writers["sqlite"] = measure_writers(str(tmp / "writers.db"), halves)
            with new_postgres_database(args.postgres, "storyline_bench") as database:
                writers["postgresql"] = measure_writers(database, halves)
            print("writers", json.dumps(writers), flush=True)
            payload["two_writers"] = writers
        if "backfill" not in skip:
            runs = [measure_backfill(master, inputs, tmp / f"backfill-{i}.db") for i, master in enumerate(("local[1]", "local[2]"))]
            for run in runs:
                print("backfill", json.dumps(run), flush=True)
            one, two = runs
            payload["backfill"] = {
                "inputs": f"examples/corpus and the first {args.pages} pages of trafilatura_eval/html, into new SQLite files",
                "runs": runs,
                "speedup_preparing_local2_vs_local1": round(one["preparing_seconds"] / two["preparing_seconds"], 3),  # type: ignore[operator]
                "speedup_total_local2_vs_local1": round(one["seconds"] / two["seconds"], 3),  # type: ignore[operator]
                # 1.0: a core prepares a document as fast when both work as when one does (elapsed time: on a shared
                # machine this mostly measures the other work on its cores)
                "parallel_efficiency": round(one["executor_seconds_per_document"] / two["executor_seconds_per_document"], 3),  # type: ignore[operator]
                # the same in CPU time: what two workers side by side cost each other (memory, caches), whatever else runs
                "parallel_efficiency_cpu": round(one["executor_cpu_seconds_per_document"] / two["executor_cpu_seconds_per_document"], 3),  # type: ignore[operator]
            }
        if "scale" not in skip:
            sizes = sorted(int(s) for s in args.sizes.split(","))
            seeds = load_seeds()
            scale: dict[str, object] = {"sizes": sizes, "method": "bench/match_scale.py's synthetic stream, bulk-saved, then measured"}
            with new_postgres_database(args.postgres, 'storyline_bench') as database:
                scale["postgresql"] = fill_and_measure(database, sizes, Stream(seeds, stream_length(sizes)))[0]
            scale["sqlite"] = fill_and_measure(str(tmp / "scale.db"), sizes, Stream(seeds, stream_length(sizes)))[0]
            payload["match_and_store"] = scale
    if "backfill" in payload and "match_and_store" in payload:
        payload["projection_1m_cc_news_16_cores"] = project(payload)  # type: ignore[arg-type]
    path = write_result("scale_out", {**payload, "command": "python " + " ".join(["bench/scale_out.py", *sys.argv[1:]]).replace(args.postgres, masked(args.postgres))})
    print(f"-> {path}")


def project(payload: dict[str, dict]) -> dict[str, object]:
    """A projection, not a measurement: 1M records on 16 executor cores, from the costs measured above."""
    one, two = payload["backfill"]["runs"]
    largest = payload["match_and_store"]["postgresql"][-1]
    # Executors: CPU seconds per document with two workers side by side (as on a pool), on cores that are theirs alone.
    cpu_per_document = two["executor_cpu_seconds_per_document"]
    executor_hours = PROJECTED_ARTICLES * cpu_per_document / PROJECTED_CORES / 3600
    # The same from elapsed seconds on this shared machine, at the parallel efficiency measured here: a pessimistic bound.
    efficiency = min(1.0, payload["backfill"]["parallel_efficiency"])
    executor_hours_here = PROJECTED_ARTICLES * one["executor_seconds_per_document"] / (PROJECTED_CORES * efficiency) / 3600
    # Driver: local[2]'s seconds per article with its match-and-store (into a small store) replaced by PostgreSQL's at the largest size.
    small_store_match_and_store = sum(two["driver_seconds_by_stage"][k] for k in ("match", "store")) / max(two["articles"], 1)
    driver_per_article = two["driver_seconds_per_article"] - small_store_match_and_store + largest["ms_per_article"] / 1000
    driver_hours = PROJECTED_ARTICLES * driver_per_article / 3600
    return {
        "is": "a projection from the figures above, not a measurement",
        "executor_hours": round(executor_hours, 2),
        "executor_hours_at_the_efficiency_measured_here": round(executor_hours_here, 2),
        "driver_hours": round(driver_hours, 2),
        "total_hours": round(executor_hours + driver_hours, 2),
        "total_hours_at_the_efficiency_measured_here": round(executor_hours_here + driver_hours, 2),
        # past this many executor cores, the driver's matching (one process, one article after another) takes longer than preparing
        "cores_at_which_the_driver_takes_as_long_as_the_executors": round(cpu_per_document / driver_per_article, 1),
        "assumptions": (
            f"executors: {cpu_per_document} CPU s per document (local[2], models loaded) on {PROJECTED_CORES} cores of their own; "
            f"at this machine's elapsed {one['executor_seconds_per_document']} s per document (local[1]) and parallel efficiency "
            f"{round(efficiency, 2)}, instead: the second figure. Driver: {round(driver_per_article, 4)} s per article, local[2]'s "
            f"elapsed time with its match-and-store replaced by PostgreSQL's at {largest['stored_articles']} stored articles "
            f"({largest['ms_per_article']} ms). The two phases run one after the other; WARC reading not counted"
        ),
    }


if __name__ == "__main__":
    main()
