"""Ingest throughput, memory and metadata quality on the 990 real pages of trafilatura_eval.

Runs the whole pipeline (read, clean, analyze, match, store) on the gzipped HTML
pages into a fresh SQLite file and reports articles/s, milliseconds per article
and stage, the peak resident memory of all its processes together (sampled from
/proc) and of the largest worker (its own exact peak, as last sampled), and where the time went. On a shared
machine elapsed times mean little, so it also reports CPU: milliseconds per article
and stage, of the worker processes (sampled from /proc) and of this one, and the rate
that CPU allows on two idle cores (both busy, the main process no slower), as a ratio
to trafilatura's CPU rate on one core. In the same process, as baselines on the same pages:
- trafilatura's extraction alone (the cost of cleaning with nothing else), and
- trafilatura's own metadata and main text, against the hand annotations
  (title, date, author; "with"/"without" snippets), compared with Storyline's.

By default this runs twice, one run after the other: first with another revision's code
(``git archive``, ``main`` unless ``--baseline`` says otherwise), then with this checkout's,
each in its own process; the result holds both runs and the before/after ratios.

    python bench/ingest.py [--baseline main | --no-baseline]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The code a run measures comes first. Read from the environment, not the command line: the
# worker processes import this file again (multiprocessing's forkserver runs the main module),
# and the line above would otherwise put this checkout's storyline first in every worker.
CODE_VARIABLE = "STORYLINE_BENCH_CODE"
if os.environ.get(CODE_VARIABLE):
    sys.path.insert(0, os.environ[CODE_VARIABLE])

from bench.common import DATA, REPO, PeakMemory, peak_rss_mb, write_result  # noqa: E402

PAGES = DATA / "trafilatura_eval"


def _norm(text: str | list[str] | None) -> str:
    if isinstance(text, list):  # some annotations list several authors
        text = "; ".join(text)
    return re.sub(r"\s+", " ", (text or "")).strip().lower()


def _snippet_scores(text: str, annotation: dict) -> tuple[int, int, int, int]:
    body = _norm(text)
    with_ok = sum(_norm(s) in body for s in annotation.get("with", []))
    without_ok = sum(_norm(s) not in body for s in annotation.get("without", []))
    return with_ok, len(annotation.get("with", [])), without_ok, len(annotation.get("without", []))


def measure() -> dict[str, Any]:
    """One run, with whichever ``storyline`` package comes first on sys.path."""
    import trafilatura

    import storyline
    from storyline.pipeline import default_workers

    annotations = [json.loads(line) for line in (PAGES / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    by_file = {str(PAGES / a["html_file"]): a for a in annotations}

    # Baseline: trafilatura alone, same pages, same process.
    start, cpu_start = time.perf_counter(), time.process_time()
    baseline_docs = {}
    for path in by_file:
        html = gzip.decompress(Path(path).read_bytes())
        baseline_docs[path] = trafilatura.bare_extraction(html, with_metadata=True)
    trafilatura_seconds, trafilatura_cpu = time.perf_counter() - start, time.process_time() - cpu_start

    with tempfile.TemporaryDirectory() as tmp:
        with storyline.open(Path(tmp) / "bench.db", workers=default_workers()) as sl:
            start, cpu_start = time.perf_counter(), time.process_time()
            with PeakMemory() as memory:
                report = sl.ingest([PAGES / "html"])
            seconds, main_cpu = time.perf_counter() - start, time.process_time() - cpu_start - memory.sampling_cpu_seconds
            counts = sl.count()
            # by file name: how a source names the file (absolute, or from the folder given) is not this bench's business
            articles = {Path(a.source).name: a for story in sl.stories() for a in story.articles}

    pages = len(by_file)
    # CPU: the worker processes' (sampled from /proc: the same for any revision's code) and this whole process's
    worker_cpu = memory.descendants_cpu_seconds
    total_cpu = worker_cpu + main_cpu
    cpu_by_stage = getattr(report, "cpu_seconds_by_stage", {})  # older revisions do not count it
    # On two idle cores, the rate CPU allows: both cores busy, and the main process (serial) no slower
    cpu_bound_rate = pages / max(total_cpu / 2, main_cpu)
    fields = {"title": [0, 0, 0], "date": [0, 0, 0], "author": [0, 0, 0]}  # [storyline, trafilatura, annotated]
    snippets = {"storyline": [0, 0, 0, 0], "trafilatura": [0, 0, 0, 0]}
    for path, annotation in by_file.items():
        ours = articles.get(Path(path).name)
        theirs = baseline_docs.get(path)
        for field, ours_value, theirs_value in (
            ("title", ours and ours.title, theirs and theirs.title),
            ("date", ours and (ours.published or "")[:10], theirs and theirs.date),
            ("author", ours and ours.author, theirs and theirs.author),
        ):
            if annotation.get(field):
                fields[field][2] += 1
                fields[field][0] += _norm(ours_value) == _norm(annotation[field])
                fields[field][1] += _norm(theirs_value) == _norm(annotation[field])
        for name, text in (("storyline", ours.text if ours else ""), ("trafilatura", theirs.text if theirs else "")):
            for i, value in enumerate(_snippet_scores(text or "", annotation)):
                snippets[name][i] += value

    result = {
        "pages": pages,
        "code": str(Path(storyline.__file__).parent),
        "storyline": {
            "workers": default_workers(),
            "seconds": round(seconds, 1),
            "articles_per_second": round(pages / seconds, 2),
            "stored_articles": counts["articles"],
            "stories": counts["stories"],
            "failed_inputs": len(report.problems),
            # clean and analyze run in the worker processes: their seconds add up over workers
            "seconds_by_stage": {k: round(v, 2) for k, v in sorted(report.seconds_by_stage.items(), key=lambda kv: -kv[1])},
            "ms_per_article_by_stage": {k: round(1000 * v / pages, 1) for k, v in sorted(report.seconds_by_stage.items(), key=lambda kv: -kv[1])},
            "cpu_ms_per_article_by_stage": {
                k: round(1000 * v / pages, 1) for k, v in sorted(cpu_by_stage.items(), key=lambda kv: -kv[1])
            },
            "cpu_ms_per_article": {
                "all_processes": round(1000 * total_cpu / pages, 1),
                "workers": round(1000 * worker_cpu / pages, 1),
                "main_process": round(1000 * main_cpu / pages, 1),
            },
            "cpu_bound_articles_per_second_on_2_idle_cores": round(cpu_bound_rate, 2),
            "peak_rss_mb_all_processes": round(memory.total_mb),
            # pages shared by several processes (the workers' models, forked from one server) counted once
            "peak_pss_mb_all_processes": round(memory.total_pss_mb),
            "processes_at_peak": memory.processes,
            # the fork server or a worker (all of them descendants of this process)
            "peak_rss_mb_largest_worker": round(memory.largest_descendant_mb),
            "peak_rss_mb_main_process": round(peak_rss_mb()),
        },
        "baseline_trafilatura_extract_only": {
            "seconds": round(trafilatura_seconds, 1), "articles_per_second": round(pages / trafilatura_seconds, 2),
            "cpu_ms_per_article": round(1000 * trafilatura_cpu / pages, 1),
            "cpu_bound_articles_per_second_on_1_core": round(pages / trafilatura_cpu, 2),
        },
        "ratio_storyline_time_vs_trafilatura_only": round(seconds / trafilatura_seconds, 2),
        "ratio_storyline_rate_vs_trafilatura_only": round(trafilatura_seconds / seconds, 2),
        # the same ratio from CPU time alone (robust on a loaded machine): Storyline on two cores, trafilatura on one
        "ratio_cpu_bound_rate_vs_trafilatura_only": round(cpu_bound_rate * trafilatura_cpu / pages, 2),
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "metadata_exact_match": {
            field: {"annotated": n, "storyline": round(ok / max(n, 1), 3), "trafilatura_default": round(base / max(n, 1), 3)}
            for field, (ok, base, n) in fields.items()
        },
        "snippets": {
            name: {"with_found": round(w / wt, 3), "without_absent": round(wo / wot, 3)} for name, (w, wt, wo, wot) in snippets.items()
        },
        "problems_sample": [str(p) for p in report.problems[:10]],
    }
    return result


def _run(code: Path) -> dict[str, Any]:
    """``measure`` in a fresh process, with the package under ``code``."""
    command = [sys.executable, __file__, "--one-run"]
    environment = {**os.environ, CODE_VARIABLE: str(code)}
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=REPO, env=environment).stdout  # its errors shown as they come
    return json.loads(output.split("\n===\n", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision measured first, as the before")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)  # the child process of a run
    args = parser.parse_args()
    if args.one_run:
        result = measure()
        print("\n===\n" + json.dumps(result))
        return
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Both codes are copied first: the checkout may change while the (long) runs go on.
        after = Path(tmp) / "after"
        shutil.copytree(REPO / "storyline", after / "storyline", ignore=shutil.ignore_patterns("__pycache__"))
        if not args.no_baseline:
            archive = subprocess.run(["git", "archive", args.baseline, "storyline"], cwd=REPO, capture_output=True, check=True).stdout
            with tarfile.open(fileobj=BytesIO(archive)) as tar:
                tar.extractall(Path(tmp) / "before", filter="data")
            runs["before"] = _run(Path(tmp) / "before")
        runs["after"] = _run(after)
    result = dict(runs["after"])
    if "before" in runs:
        before, after = runs["before"], runs["after"]
        result["before"] = {"code": args.baseline, **before}
        result["after_vs_before"] = {
            "articles_per_second": round(after["storyline"]["articles_per_second"] / before["storyline"]["articles_per_second"], 2),
            "rate_vs_trafilatura_only": {
                "before": before["ratio_storyline_rate_vs_trafilatura_only"], "after": after["ratio_storyline_rate_vs_trafilatura_only"],
            },
            "cpu_bound_rate_vs_trafilatura_only": {
                "before": before["ratio_cpu_bound_rate_vs_trafilatura_only"], "after": after["ratio_cpu_bound_rate_vs_trafilatura_only"],
            },
            "cpu_ms_per_article_all_processes": round(
                after["storyline"]["cpu_ms_per_article"]["all_processes"] / before["storyline"]["cpu_ms_per_article"]["all_processes"], 2
            ),
            "peak_rss_all_processes": round(after["storyline"]["peak_rss_mb_all_processes"] / before["storyline"]["peak_rss_mb_all_processes"], 2),
            "peak_pss_all_processes": round(after["storyline"]["peak_pss_mb_all_processes"] / before["storyline"]["peak_pss_mb_all_processes"], 2),
        }
    path = write_result("ingest_trafilatura_eval", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
