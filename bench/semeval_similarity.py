"""Article similarity on SemEval-2022 Task 8: Pearson per dimension, 5-fold cross-validated.

Each fold's model is trained (scripts/train_similarity.py's ``fit``) on the
other four folds of the 628 labelled pairs with texts, so no pair is scored by
a model that saw it. Baselines in the same run: the cosine of the
USE-multilingual embeddings of the two texts, and the cosine of character
2-5-gram TF-IDF vectors (fitted on all texts of the file). Pearson is between
the predicted score and the gold score (1 = most similar); a baseline's
prediction is its negated cosine. Also: Overall per language pairing and for
machine-translated pairs, and the mean absolute error of the shipped model's
scores when scoring its own training data (a sanity check, not a result).

    python bench/semeval_similarity.py
"""

from __future__ import annotations

import csv
import gzip
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, write_result  # noqa: E402
from scripts.train_similarity import fit, read_labels, signal_matrix  # noqa: E402
from storyline.api import prepare_pairs  # noqa: E402
from storyline.match.similarity import DIMENSIONS, SimilarityModel  # noqa: E402

PAIRS = DATA / "semeval2022_task8" / "train_texts_dev.csv.gz"
FOLDS = 5
SEED = 0


def pearson(predicted: np.ndarray, gold: np.ndarray) -> float:
    return round(float(np.corrcoef(predicted, gold)[0, 1]), 4)


def row_info() -> dict[str, dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with gzip.open(PAIRS, "rt", encoding="utf-8", newline="") as handle:
        return {r["pair_id"]: r for r in csv.DictReader(handle)}


def main() -> None:
    start = time.perf_counter()
    prepared = prepare_pairs(PAIRS)
    prepare_seconds = time.perf_counter() - start
    labels = read_labels(PAIRS)
    names, pair_ids, signals, gold = signal_matrix(prepared, labels)
    traits = {p.pair_id: p.traits for p in prepared if p.traits is not None}
    info = row_info()

    folds = np.random.default_rng(SEED).permutation(len(pair_ids)) % FOLDS
    predicted = np.zeros_like(gold)
    for fold in range(FOLDS):
        model = SimilarityModel(fit(names, signals[folds != fold], gold[folds != fold]))
        predicted[folds == fold] = model.predict_rows(signals[folds == fold])

    use_cosine = np.array([float(traits[i][0].text_vector @ traits[i][1].text_vector) for i in pair_ids])
    texts = {i: (traits[i][0].article.text, traits[i][1].article.text) for i in pair_ids}
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform([t for i in pair_ids for t in texts[i]])
    char_cosine = np.asarray(matrix[0::2].multiply(matrix[1::2]).sum(axis=1)).ravel()

    def by_dimension(scores: np.ndarray) -> dict[str, float]:
        return {d: pearson(scores if scores.ndim == 1 else scores[:, j], gold[:, j]) for j, d in enumerate(DIMENSIONS)}

    overall = DIMENSIONS.index("Overall")
    groups: dict[str, list[int]] = defaultdict(list)
    for k, pair_id in enumerate(pair_ids):
        row = info[pair_id]
        groups[f"{row['lang1']}-{row['lang2']}"].append(k)
        groups["same language" if row["lang1"] == row["lang2"] else "cross-language"].append(k)
        groups["machine-translated" if row["machine_translated"] == "1" else "original texts"].append(k)
    subsets = {
        name: {
            "pairs": len(ks),
            "storyline": pearson(predicted[ks, overall], gold[ks, overall]),
            "use_cosine": pearson(-use_cosine[ks], gold[ks, overall]),
        }
        for name, ks in sorted(groups.items(), key=lambda item: -len(item[1]))
        if len(ks) >= 15
    }
    shipped = SimilarityModel.load()
    shipped_scores = shipped.predict_rows(signals)
    result = {
        "data": str(PAIRS.relative_to(DATA.parent.parent)),
        "pairs_scored": len(pair_ids),
        "rows": len(prepared),
        "cross_validation": f"{FOLDS}-fold, pairs shuffled with seed {SEED}",
        "pearson": {
            "storyline": by_dimension(predicted),
            "use_cosine": by_dimension(-use_cosine),
            "char_tfidf_cosine": by_dimension(-char_cosine),
        },
        "overall_ratio_vs_use_cosine": round(pearson(predicted[:, overall], gold[:, overall]) / pearson(-use_cosine, gold[:, overall]), 3),
        "overall_by_subset": subsets,
        "shipped_model_training_mae": {d: round(float(np.abs(shipped_scores[:, j] - gold[:, j]).mean()), 3) for j, d in enumerate(DIMENSIONS)},
        "seconds_to_analyze_texts": round(prepare_seconds, 1),
        "texts_per_second": round(2 * len(prepared) / prepare_seconds, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    path = write_result("semeval_similarity", result)
    for name in ("storyline", "use_cosine", "char_tfidf_cosine"):
        print(f"{name:18s}", "  ".join(f"{d[:4]} {v:.3f}" for d, v in result["pearson"][name].items()))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
