"""Train the article-similarity model shipped in ``storyline/match/models/similarity.json``.

    pip install -e '.[bench]'
    python scripts/train_similarity.py [--pairs ../shared/data/semeval2022_task8/train_texts_dev.csv.gz]

Reads labelled SemEval-2022 Task 8 pairs (the seven score columns next to
``pair_id, lang1, lang2, text_1, text_2``), computes each pair's signals exactly
as ``storyline similarity`` does, and fits per dimension a ridge regression on
the piecewise-linear expansion of the signals and a few shallow boosted trees on
the signals themselves (see ``storyline.match.similarity``).

Everything that sets the model's complexity is chosen by cross-validation on
the training pairs, with folds grouped so that pairs sharing an article (a
pair and its machine-translated variants among them) stay on one side: the
number of knots (0, 1, 2 or 4) and the share of the trees in the blend (both by
the Overall Pearson), and each dimension's ridge penalty. The trees' size is fixed
(depth 2, 100 rounds). Each language's mean e5 reading, which the signals are
measured from, is read off the training texts and stored with the model
(``language_means``). Deterministic; about five minutes on 2 cores, nearly all
of it analysing the texts.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storyline.api import PreparedPair, prepare_pairs  # noqa: E402
from storyline.match.similarity import DIMENSIONS, MODEL_PATH, SimilarityModel, expand, language_means, pair_signals, tree_values  # noqa: E402

DEFAULT_PAIRS = REPO.parent / "shared" / "data" / "semeval2022_task8" / "train_texts_dev.csv.gz"
# Candidate knots, at these quantiles of each standardised signal; cross-validation picks one set.
KNOT_CHOICES = ((), (0.5,), (1 / 3, 2 / 3), (0.2, 0.4, 0.6, 0.8))
ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 11))
BLENDS = (1.0, 0.75, 0.5, 0.25)  # share of the ridge score; the rest is the trees'
TREES = {"max_depth": 2, "learning_rate": 0.1, "max_iter": 100, "min_samples_leaf": 20, "l2_regularization": 1.0}
INNER_FOLDS = 5
OVERALL = DIMENSIONS.index("Overall")


def read_labels(path: Path) -> dict[str, list[float]]:
    """The seven gold scores of each labelled pair."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        csv.field_size_limit(sys.maxsize)
        return {row["pair_id"]: [float(row[d]) for d in DIMENSIONS] for row in csv.DictReader(handle) if row.get("Overall")}


def scorable(prepared: list[PreparedPair], labels: dict[str, list[float]]) -> list[PreparedPair]:
    """The pairs with both texts analyzed and gold scores, in file order."""
    return [p for p in prepared if p.traits is not None and p.pair_id in labels]


def training_means(pairs: list[PreparedPair]) -> dict[str, np.ndarray]:
    """``language_means`` of the distinct texts of these pairs (a text in several pairs counts once)."""
    return language_means({id(t): t for p in pairs for t in p.traits or ()}.values())


def signal_matrix(
    prepared: list[PreparedPair], labels: dict[str, list[float]], means: dict[str, np.ndarray]
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Signal names, pair ids, signals (one row per scorable labelled pair) and gold scores."""
    usable = scorable(prepared, labels)
    rows = [pair_signals(*p.traits, means) for p in usable]  # type: ignore[misc]
    names = list(rows[0])
    return names, [p.pair_id for p in usable], np.array([[r[n] for n in names] for r in rows]), np.array([labels[p.pair_id] for p in usable])


def article_groups(pair_ids: list[str]) -> np.ndarray:
    """A group number per pair: pairs that share an article (``pair_id`` is ``<article>_<article>``) are in one group."""
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for pair_id in pair_ids:
        first, _, second = pair_id.partition("_")
        parent[root(first)] = root(second or first)
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(root(p.partition("_")[0]), len(numbers)) for p in pair_ids])


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0


def _ridges(basis: np.ndarray, gold: np.ndarray, alphas: list[float]) -> list[Any]:
    from sklearn.linear_model import Ridge

    return [Ridge(alpha=a).fit(basis, gold[:, j]) for j, a in enumerate(alphas)]


def _trees(signals: np.ndarray, gold: np.ndarray) -> list[Any]:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return [HistGradientBoostingRegressor(**TREES, random_state=0).fit(signals, gold[:, j]) for j in range(len(DIMENSIONS))]


def _standardise(signals: np.ndarray, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, scale = signals.mean(axis=0), signals.std(axis=0) + 1e-9
    knots = np.quantile((signals - mean) / scale, quantiles, axis=0) if quantiles else np.zeros((0, signals.shape[1]))
    return mean, scale, knots


def choose(signals: np.ndarray, gold: np.ndarray, groups: np.ndarray, *, trees: bool = True) -> dict[str, Any]:
    """Knots, ridge penalties and blends, each the best on out-of-fold predictions of the training pairs (folds grouped by article)."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GroupKFold

    folds = list(GroupKFold(n_splits=min(INNER_FOLDS, len(set(groups)))).split(signals, gold, groups))
    best: dict[str, Any] = {"score": -2.0}
    for quantiles in KNOT_CHOICES:
        # out-of-fold ridge predictions for every penalty, all dimensions at once
        predicted = np.zeros((len(ALPHAS),) + gold.shape)
        for train, test in folds:
            mean, scale, knots = _standardise(signals[train], quantiles)
            basis, held = expand(signals[train], mean, scale, knots), expand(signals[test], mean, scale, knots)
            for k, alpha in enumerate(ALPHAS):
                predicted[k][test] = Ridge(alpha=alpha).fit(basis, gold[train]).predict(held)
        by_alpha = np.array([[_pearson(predicted[k][:, j], gold[:, j]) for j in range(len(DIMENSIONS))] for k in range(len(ALPHAS))])
        chosen = by_alpha.argmax(axis=0)
        if by_alpha[chosen[OVERALL], OVERALL] > best["score"]:
            oof = np.stack([predicted[chosen[j]][:, j] for j in range(len(DIMENSIONS))], axis=1)
            best = {"score": by_alpha[chosen[OVERALL], OVERALL], "quantiles": quantiles, "alphas": [ALPHAS[k] for k in chosen], "ridge": oof}
    if not trees:
        return {"quantiles": best["quantiles"], "alphas": best["alphas"], "blends": [1.0] * len(DIMENSIONS)}
    predicted_by_trees = np.zeros_like(gold)
    for train, test in folds:
        predicted_by_trees[test] = np.stack([t.predict(signals[test]) for t in _trees(signals[train], gold[train])], axis=1)
    # One share for all dimensions, the best for Overall: chosen per dimension it scored lower on Style and Tone.
    overall = [_pearson(b * best["ridge"][:, OVERALL] + (1 - b) * predicted_by_trees[:, OVERALL], gold[:, OVERALL]) for b in BLENDS]
    return {"quantiles": best["quantiles"], "alphas": best["alphas"], "blends": [BLENDS[int(np.argmax(overall))]] * len(DIMENSIONS)}


def _tree_payload(tree: Any) -> list[list[float]]:
    """One fitted tree as columns: feature (-1 at a leaf), threshold, left child, right child, value."""
    nodes = tree.nodes
    leaf = nodes["is_leaf"].astype(bool)
    return [
        [int(f) for f in np.where(leaf, -1, nodes["feature_idx"])],
        [float(t) if not is_leaf else 0.0 for t, is_leaf in zip(nodes["num_threshold"], leaf)],  # exact: a threshold can equal a signal
        [int(v) for v in nodes["left"]],
        [int(v) for v in nodes["right"]],
        [round(float(v), 6) if is_leaf else 0.0 for v, is_leaf in zip(nodes["value"], leaf)],
    ]


def fit(
    names: list[str], signals: np.ndarray, gold: np.ndarray, pair_ids: list[str], means: dict[str, np.ndarray], *, trees: bool = True
) -> dict:
    """The model payload, its complexity chosen by cross-validation on these pairs (see the module docstring).

    ``means``: the language means the signals were measured with, stored with the model.
    ``trees=False`` fits the ridge part alone (for comparison in the benchmark).
    """
    choice = choose(signals, gold, article_groups(pair_ids), trees=trees)
    mean, scale, knots = _standardise(signals, choice["quantiles"])
    ridges = _ridges(expand(signals, mean, scale, knots), gold, choice["alphas"])
    payload: dict[str, Any] = {
        "signals": names,
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "knots": [[round(float(v), 6) for v in row] for row in knots],
        "weights": {d: [round(float(w), 6) for w in r.coef_] for d, r in zip(DIMENSIONS, ridges)},
        "intercepts": {d: round(float(r.intercept_), 6) for d, r in zip(DIMENSIONS, ridges)},
        "ridge_alphas": dict(zip(DIMENSIONS, choice["alphas"])),
        "knot_quantiles": [round(q, 4) for q in choice["quantiles"]],
        "blend": dict(zip(DIMENSIONS, choice["blends"])),
        "language_means": {language: [round(float(v), 6) for v in mean] for language, mean in sorted(means.items())},
    }
    if min(choice["blends"]) < 1.0:
        fitted = [(d, b) for d, b, share in zip(DIMENSIONS, _trees(signals, gold), choice["blends"]) if share < 1.0]
        payload["trees"] = {
            d: {"baseline": round(float(np.ravel(b._baseline_prediction)[0]), 6), "trees": [_tree_payload(p[0]) for p in b._predictors]}
            for d, b in fitted
        }
        _check_trees(SimilarityModel(payload), fitted, signals)
    return payload


def _check_trees(model: SimilarityModel, fitted: list[tuple[str, Any]], signals: np.ndarray) -> None:
    """The trees as stored and loaded, evaluated as Storyline does, must give scikit-learn's predictions.

    They are read through scikit-learn's private attributes, which a new version may change.
    """
    for dimension, trees in fitted:
        baseline, stored = model.trees[dimension]
        ours = baseline + sum(tree_values(tree, signals) for tree in stored)
        worst = float(np.max(np.abs(ours - trees.predict(signals))))
        if worst > 1e-4:  # leaf values are stored to 6 decimals
            raise SystemExit(f"the stored {dimension} trees differ from scikit-learn's predictions by up to {worst:.6f}: has scikit-learn changed its internals?")


def to_json(payload: dict[str, Any]) -> str:
    """The payload as JSON, one line per weight as before, one line per language's mean and one per tree."""
    text = json.dumps({k: v for k, v in payload.items() if k not in ("language_means", "trees")}, indent=1)
    means = ",\n".join(f"  {json.dumps(language)}: {json.dumps(mean, separators=(',', ':'))}" for language, mean in payload["language_means"].items())
    text = text[:-2] + ',\n "language_means": {\n' + means + "\n }"
    if "trees" in payload:
        dimensions = [
            f'  "{d}": {{"baseline": {t["baseline"]}, "trees": [\n' + ",\n".join("   " + json.dumps(tree, separators=(",", ":")) for tree in t["trees"]) + "]}"
            for d, t in payload["trees"].items()
        ]
        text += ',\n "trees": {\n' + ",\n".join(dimensions) + "\n }"
    return text + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS, help="labelled pairs CSV (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model (default: %(default)s)")
    args = parser.parse_args()
    labels = read_labels(args.pairs)
    prepared = prepare_pairs(args.pairs)
    means = training_means(scorable(prepared, labels))
    names, pair_ids, signals, gold = signal_matrix(prepared, labels, means)
    payload = {"trained_on": f"{args.pairs.name}: {len(pair_ids)} labelled pairs", **fit(names, signals, gold, pair_ids, means)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(payload), encoding="utf-8")
    print(f"wrote {args.out} from {len(pair_ids)} pairs")


if __name__ == "__main__":
    main()
