"""Article similarity on SemEval-2022 Task 8: Pearson per dimension, cross-validated.

Each fold's model is trained (scripts/train_similarity.py's ``fit``, which
chooses its own knots, penalties and blend by an inner cross-validation) on the
other four folds of the 628 labelled pairs with texts, so no pair is scored by
a model that saw it. Two protocols:

- ``repeated_grouped_cv`` (the headline): 5-fold CV repeated with several
  seeds, folds grouped by article (pairs that share an article, among them a
  pair and its machine-translated variants, never straddle train and test);
  mean and spread over the seeds. ``original_texts`` is the Overall Pearson of
  the pairs with original texts (``machine_translated == 0``) scored by models
  trained on the other folds: the held-out SemEval test pairs have original
  texts only, so this is the figure that predicts them. ``ridge_only`` is the
  same protocol without the trees.
- ``pearson`` (as before): one 5-fold CV, pairs shuffled with seed 0.

Baselines in the same run: the cosine of the USE-multilingual embeddings of the
two texts, and the cosine of character 2-5-gram TF-IDF vectors (fitted on all
texts of the file). Pearson is between the predicted score and the gold score
(1 = most similar); a baseline's prediction is its negated cosine. Also:
Overall per language pairing and for machine-translated pairs (seed-0 grouped
folds), and the mean absolute error of the shipped model's scores when scoring
its own training data (a sanity check, not a result).

    python bench/semeval_similarity.py
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, write_result  # noqa: E402
from scripts.train_similarity import article_groups, fit, read_labels, scorable, signal_matrix, training_means  # noqa: E402
from storyline.api import PreparedPair, prepare_pairs  # noqa: E402
from storyline.match.similarity import DIMENSIONS, MODEL_PATH, SimilarityModel  # noqa: E402

PAIRS = DATA / "semeval2022_task8" / "train_texts_dev.csv.gz"
FOLDS = 5
SEED = 0
SEEDS = tuple(range(5))  # repeats of the grouped CV


def pearson(predicted: np.ndarray, gold: np.ndarray) -> float:
    return round(float(np.corrcoef(predicted, gold)[0, 1]), 4)


def row_info() -> list[dict[str, str]]:
    """The rows of the pairs file in order (a ``pair_id`` can repeat: a pair and its machine-translated variant)."""
    csv.field_size_limit(sys.maxsize)
    with gzip.open(PAIRS, "rt", encoding="utf-8", newline="") as handle:
        return [{k: v for k, v in r.items() if not k.startswith("text_")} for r in csv.DictReader(handle)]


def cross_validate(prepared: list[PreparedPair], labels: dict[str, list[float]], folds: np.ndarray, *, trees: bool = True) -> np.ndarray:
    """Scores of every pair by the model trained on the other folds.

    The language means of the second reading come from the training folds' texts too, so no
    test text shapes the signals it is scored by.
    """
    pairs = scorable(prepared, labels)
    predicted = np.zeros((len(pairs), len(DIMENSIONS)))
    for fold in range(FOLDS):
        train = folds != fold
        means = training_means([p for p, t in zip(pairs, train) if t])
        names, pair_ids, signals, gold = signal_matrix(prepared, labels, means)
        model = SimilarityModel(fit(names, signals[train], gold[train], [p for p, t in zip(pair_ids, train) if t], means, trees=trees))
        predicted[~train] = model.predict_rows(signals[~train])
    return predicted


def grouped_folds(groups: np.ndarray, seed: int) -> np.ndarray:
    """A fold per pair: each group of pairs sharing an article goes, whole, to a random fold."""
    return np.random.default_rng(seed).permutation(groups.max() + 1)[groups] % FOLDS


def main() -> None:
    start = time.perf_counter()
    prepared = prepare_pairs(PAIRS)
    prepare_seconds = time.perf_counter() - start
    labels = read_labels(PAIRS)
    shipped = SimilarityModel.load()
    names, pair_ids, signals, gold = signal_matrix(prepared, labels, shipped.language_means)
    rows = row_info()
    scored = [(r, p.traits) for r, p in zip(rows, prepared) if p.traits is not None and p.pair_id in labels]
    usable = [r for r, _ in scored]
    # In row order, not by pair_id: a repeated pair_id is the original pair and its translation, two texts.
    traits = [t for _, t in scored]
    assert [r["pair_id"] for r in usable] == pair_ids
    translated = np.array([r["machine_translated"] == "1" for r in usable])

    folds = np.random.default_rng(SEED).permutation(len(pair_ids)) % FOLDS
    predicted = cross_validate(prepared, labels, folds)

    groups = article_groups(pair_ids)
    overall = DIMENSIONS.index("Overall")
    repeated: dict[str, list[list[float]]] = {"storyline": [], "ridge_only": []}
    grouped_predicted = predicted
    for seed in SEEDS:
        for variant in repeated:
            scores = cross_validate(prepared, labels, grouped_folds(groups, seed), trees=variant == "storyline")
            if variant == "storyline" and seed == SEEDS[0]:
                grouped_predicted = scores
            repeated[variant].append(
                [pearson(scores[:, j], gold[:, j]) for j in range(len(DIMENSIONS))]
                + [pearson(scores[~translated, overall], gold[~translated, overall]), pearson(scores[translated, overall], gold[translated, overall])]
            )

    def mean_spread(values: list[list[float]]) -> dict[str, dict[str, float]]:
        table = np.array(values)
        keys = list(DIMENSIONS) + ["Overall, original texts", "Overall, machine-translated"]
        return {k: {"mean": round(float(table[:, i].mean()), 4), "sd": round(float(table[:, i].std()), 4)} for i, k in enumerate(keys)}

    use_cosine = np.array([float(a.text_vector @ b.text_vector) for a, b in traits])
    e5_cosine = np.array([float(a.text_vector_e5 @ b.text_vector_e5) for a, b in traits])
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform([side.article.text for pair in traits for side in pair])
    char_cosine = np.asarray(matrix[0::2].multiply(matrix[1::2]).sum(axis=1)).ravel()

    def by_dimension(scores: np.ndarray) -> dict[str, float]:
        return {d: pearson(scores if scores.ndim == 1 else scores[:, j], gold[:, j]) for j, d in enumerate(DIMENSIONS)}

    subsets_of: dict[str, list[int]] = defaultdict(list)
    for k, row in enumerate(usable):
        subsets_of[f"{row['lang1']}-{row['lang2']}"].append(k)
        subsets_of["same language" if row["lang1"] == row["lang2"] else "cross-language"].append(k)
        subsets_of["machine-translated" if row["machine_translated"] == "1" else "original texts"].append(k)
    subsets = {
        name: {
            "pairs": len(ks),
            "storyline": pearson(grouped_predicted[ks, overall], gold[ks, overall]),
            "use_cosine": pearson(-use_cosine[ks], gold[ks, overall]),
            "e5_cosine": pearson(-e5_cosine[ks], gold[ks, overall]),
        }
        for name, ks in sorted(subsets_of.items(), key=lambda item: -len(item[1]))
        if len(ks) >= 15
    }
    shipped_scores = shipped.predict_rows(signals)
    result = {
        "data": str(PAIRS.relative_to(DATA.parent.parent)),
        "pairs_scored": len(pair_ids),
        "rows": len(prepared),
        "repeated_grouped_cv": {
            "protocol": f"{FOLDS}-fold, folds grouped by article ({groups.max() + 1} groups), seeds {list(SEEDS)}; mean and sd over seeds",
            "storyline": mean_spread(repeated["storyline"]),
            "ridge_only": mean_spread(repeated["ridge_only"]),
        },
        "cross_validation": f"{FOLDS}-fold, pairs shuffled with seed {SEED}",
        "pearson": {
            "storyline": by_dimension(predicted),
            "use_cosine": by_dimension(-use_cosine),
            "e5_cosine": by_dimension(-e5_cosine),
            "char_tfidf_cosine": by_dimension(-char_cosine),
        },
        "overall_ratio_vs_use_cosine": round(pearson(predicted[:, overall], gold[:, overall]) / pearson(-use_cosine, gold[:, overall]), 3),
        "overall_by_subset": subsets,
        "overall_by_subset_protocol": f"grouped folds, seed {SEEDS[0]}",
        "shipped_model": {k: v for k, v in json.loads(MODEL_PATH.read_text(encoding="utf-8")).items() if k in ("knot_quantiles", "ridge_alphas", "blend")},
        "shipped_model_training_mae": {d: round(float(np.abs(shipped_scores[:, j] - gold[:, j]).mean()), 3) for j, d in enumerate(DIMENSIONS)},
        "seconds_to_analyze_texts": round(prepare_seconds, 1),
        "texts_per_second": round(2 * len(prepared) / prepare_seconds, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    path = write_result("semeval_similarity", result)
    for name in ("storyline", "use_cosine", "e5_cosine", "char_tfidf_cosine"):
        print(f"{name:18s}", "  ".join(f"{d[:4]} {v:.3f}" for d, v in result["pearson"][name].items()))
    for variant in ("storyline", "ridge_only"):
        cv = result["repeated_grouped_cv"][variant]
        print(f"grouped {variant:10s}", "  ".join(f"{k} {v['mean']:.4f}±{v['sd']:.4f}" for k, v in cv.items() if k.startswith("Overall")))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
