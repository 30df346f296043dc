"""Story clustering on ECB+: stream the documents through `storyline cluster`, score against gold events.

ECB+ topics each hold two different real-world events of the same kind (two
earthquakes, two rehab check-ins), so merging a topic is punished. Baseline:
incremental TF-IDF cosine clustering with its threshold tuned on the same data
(an optimistic baseline). Documents are streamed in one fixed shuffled order.

    python bench/ecbplus.py [--thresholds 0.4,0.45,...]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, bcubed, pairwise, peak_rss_mb, write_result  # noqa: E402
from storyline import api  # noqa: E402
from storyline.match import MatchSettings  # noqa: E402

SEED = 13


def load_documents() -> list[dict[str, str]]:
    with gzip.open(DATA / "ecbplus" / "documents.jsonl.gz", "rt", encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    random.Random(SEED).shuffle(docs)
    return docs


def run_storyline(docs: list[dict[str, str]], settings: MatchSettings | None = None) -> tuple[dict[str, str], float]:
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "ecbplus.jsonl"
        with feed.open("w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps({"id": doc["doc_id"], "text": doc["text"], "language": "en"}) + "\n")
        out = io.StringIO()
        start = time.perf_counter()
        api.cluster(feed, out, match_settings=settings or MatchSettings())
        elapsed = time.perf_counter() - start
    assignment = {r["id"]: r["story"] for r in map(json.loads, out.getvalue().splitlines()) if r["story"]}
    return assignment, elapsed


def tfidf_baseline(docs: list[dict[str, str]], threshold: float) -> dict[str, str]:
    """Single-pass centroid clustering on TF-IDF vectors (fit on the whole set: optimistic)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, min_df=1, stop_words="english").fit_transform([d["text"] for d in docs])
    centroids: list[np.ndarray] = []
    labels: dict[str, str] = {}
    for i, doc in enumerate(docs):
        vector = matrix[i].toarray()[0]
        best, best_sim = -1, -1.0
        for c, centroid in enumerate(centroids):
            sim = float(vector @ centroid / (np.linalg.norm(centroid) or 1))
            if sim > best_sim:
                best, best_sim = c, sim
        if best >= 0 and best_sim >= threshold:
            centroids[best] = centroids[best] + vector
            labels[doc["doc_id"]] = f"b{best}"
        else:
            centroids.append(vector.copy())
            labels[doc["doc_id"]] = f"b{len(centroids) - 1}"
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thresholds", default="", help="also report Storyline at these match thresholds (comma-separated)")
    args = parser.parse_args()

    docs = load_documents()
    gold = {d["doc_id"]: d["event_cluster"] for d in docs}
    predicted, seconds = run_storyline(docs)
    result = {
        "documents": len(docs),
        "gold_clusters": len(set(gold.values())),
        "order": f"random.Random({SEED}).shuffle of documents.jsonl.gz",
        "storyline": {
            "threshold": MatchSettings().threshold,
            "clusters": len(set(predicted.values())),
            "bcubed": bcubed(predicted, gold),
            "pairwise": pairwise(predicted, gold),
            "seconds": round(seconds, 1),
            "articles_per_second": round(len(docs) / seconds, 1),
        },
    }
    sweep = {}
    for value in filter(None, args.thresholds.split(",")):
        labels, _ = run_storyline(docs, MatchSettings(threshold=float(value)))
        sweep[value] = {"clusters": len(set(labels.values())), "bcubed": bcubed(labels, gold), "pairwise": pairwise(labels, gold)}
    if sweep:
        result["storyline_threshold_sweep"] = sweep
    baseline = {}
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        labels = tfidf_baseline(docs, threshold)
        baseline[str(threshold)] = {"clusters": len(set(labels.values())), "bcubed": bcubed(labels, gold), "pairwise": pairwise(labels, gold)}
    best = max(baseline, key=lambda t: baseline[t]["bcubed"]["f1"])
    result["tfidf_baseline_tuned"] = {"threshold": float(best), **baseline[best]}
    result["tfidf_baseline_sweep"] = baseline
    result["ratio_bcubed_f1_vs_tuned_tfidf"] = round(result["storyline"]["bcubed"]["f1"] / baseline[best]["bcubed"]["f1"], 3)
    result["peak_rss_mb"] = round(peak_rss_mb())
    path = write_result("ecbplus_clustering", result)
    print(json.dumps({k: result[k] for k in ("storyline", "tfidf_baseline_tuned", "ratio_bcubed_f1_vs_tuned_tfidf")}, indent=2))
    if sweep:
        print(json.dumps(sweep, indent=1))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
