"""Train the article-similarity model shipped in ``storyline/match/models/similarity.json``.

    pip install -e '.[bench]'
    python scripts/train_similarity.py [--pairs ../shared/data/semeval2022_task8/train_texts_dev.csv.gz]

Reads labelled SemEval-2022 Task 8 pairs (the seven score columns next to
``pair_id, lang1, lang2, text_1, text_2``), computes each pair's signals exactly
as ``storyline similarity`` does, and fits one ridge regression per dimension
on the piecewise-linear expansion of the signals (see
``storyline.match.similarity``). Deterministic; about two minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storyline.api import PreparedPair, prepare_pairs  # noqa: E402
from storyline.match.similarity import DIMENSIONS, MODEL_PATH, expand, pair_signals  # noqa: E402

DEFAULT_PAIRS = REPO.parent / "shared" / "data" / "semeval2022_task8" / "train_texts_dev.csv.gz"
# Knots at these quantiles of each standardised signal: enough bends to follow
# a saturating response, few enough for 600 pairs (5-fold CV, bench/semeval_similarity.py).
KNOT_QUANTILES = (0.2, 0.4, 0.6, 0.8)
ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 21))


def read_labels(path: Path) -> dict[str, list[float]]:
    """The seven gold scores of each labelled pair."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        csv.field_size_limit(sys.maxsize)
        return {row["pair_id"]: [float(row[d]) for d in DIMENSIONS] for row in csv.DictReader(handle) if row.get("Overall")}


def signal_matrix(prepared: list[PreparedPair], labels: dict[str, list[float]]) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Signal names, pair ids, signals (one row per scorable labelled pair) and gold scores."""
    usable = [p for p in prepared if p.traits is not None and p.pair_id in labels]
    rows = [pair_signals(*p.traits) for p in usable]  # type: ignore[misc]
    names = list(rows[0])
    return names, [p.pair_id for p in usable], np.array([[r[n] for n in names] for r in rows]), np.array([labels[p.pair_id] for p in usable])


def fit(names: list[str], signals: np.ndarray, gold: np.ndarray) -> dict:
    """The model payload: standardisation, knots, and per dimension an intercept and weights."""
    from sklearn.linear_model import RidgeCV

    mean, scale = signals.mean(axis=0), signals.std(axis=0) + 1e-9
    knots = np.quantile((signals - mean) / scale, KNOT_QUANTILES, axis=0)
    basis = expand(signals, mean, scale, knots)
    weights, intercepts, alphas = {}, {}, {}
    for j, dimension in enumerate(DIMENSIONS):
        ridge = RidgeCV(alphas=ALPHAS).fit(basis, gold[:, j])
        weights[dimension] = [round(float(w), 6) for w in ridge.coef_]
        intercepts[dimension] = round(float(ridge.intercept_), 6)
        alphas[dimension] = float(ridge.alpha_)
    return {
        "signals": names,
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "knots": [[round(float(v), 6) for v in row] for row in knots],
        "weights": weights,
        "intercepts": intercepts,
        "ridge_alphas": alphas,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS, help="labelled pairs CSV (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model (default: %(default)s)")
    args = parser.parse_args()
    labels = read_labels(args.pairs)
    names, pair_ids, signals, gold = signal_matrix(prepare_pairs(args.pairs), labels)
    payload = {"trained_on": f"{args.pairs.name}: {len(pair_ids)} labelled pairs", **fit(names, signals, gold)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} from {len(pair_ids)} pairs")


if __name__ == "__main__":
    main()
