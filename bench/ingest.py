"""Ingest throughput and metadata quality on the 990 real pages of trafilatura_eval.

Runs the whole pipeline (read, clean, analyze, match, store) on the gzipped HTML
pages into a fresh SQLite file and reports articles/s, peak memory and where
the time went. In the same run, as baselines on the same pages:
- trafilatura.extract alone (the cost of cleaning with nothing else), and
- trafilatura's own metadata and main text, against the hand annotations
  (title, date, author; "with"/"without" snippets), compared with Storyline's.

    python bench/ingest.py
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from bench.common import DATA, peak_rss_mb, write_result  # noqa: E402
import storyline  # noqa: E402
from storyline.pipeline import default_workers  # noqa: E402

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


def main() -> None:
    annotations = [json.loads(line) for line in (PAGES / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    by_file = {str(PAGES / a["html_file"]): a for a in annotations}

    # Baseline: trafilatura alone, same pages, same process.
    start = time.perf_counter()
    baseline_docs = {}
    for path in by_file:
        html = gzip.decompress(Path(path).read_bytes())
        baseline_docs[path] = trafilatura.bare_extraction(html, with_metadata=True)
    trafilatura_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        with storyline.open(Path(tmp) / "bench.db", workers=default_workers()) as sl:
            start = time.perf_counter()
            report = sl.ingest([PAGES / "html"])
            seconds = time.perf_counter() - start
            counts = sl.count()
            articles = {a.source: a for story in sl.stories() for a in story.articles}

    pages = len(by_file)
    fields = {"title": [0, 0, 0], "date": [0, 0, 0], "author": [0, 0, 0]}  # [storyline, trafilatura, annotated]
    snippets = {"storyline": [0, 0, 0, 0], "trafilatura": [0, 0, 0, 0]}
    for path, annotation in by_file.items():
        ours = articles.get(path)
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
        "storyline": {
            "workers": default_workers(),
            "seconds": round(seconds, 1),
            "articles_per_second": round(pages / seconds, 2),
            "stored_articles": counts["articles"],
            "stories": counts["stories"],
            "failed_inputs": len(report.problems),
            # clean and analyze run in the worker processes: their seconds add up over workers
            "seconds_by_stage": {k: round(v, 2) for k, v in sorted(report.seconds_by_stage.items(), key=lambda kv: -kv[1])},
            "peak_rss_mb_main_process": round(peak_rss_mb()),
        },
        "baseline_trafilatura_extract_only": {"seconds": round(trafilatura_seconds, 1), "articles_per_second": round(pages / trafilatura_seconds, 2)},
        "ratio_storyline_time_vs_trafilatura_only": round(seconds / trafilatura_seconds, 2),
        "metadata_exact_match": {
            field: {"annotated": n, "storyline": round(ok / n, 3), "trafilatura_default": round(base / n, 3)}
            for field, (ok, base, n) in fields.items()
        },
        "snippets": {
            name: {"with_found": round(w / wt, 3), "without_absent": round(wo / wot, 3)} for name, (w, wt, wo, wot) in snippets.items()
        },
        "problems_sample": [str(p) for p in report.problems[:10]],
    }
    path = write_result("ingest_trafilatura_eval", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
