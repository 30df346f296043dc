"""The learned content/furniture classifier for the paragraphs of a scraped page.

Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier, trained by
``scripts/train_line_model.py`` on annotated real pages, see ``models/README.md``) shipped as
plain arrays and evaluated here with numpy: no scikit-learn at run time.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).parent / "models"
MODEL_PATH = MODEL_DIR / "lines.npz"
CARD_PATH = MODEL_DIR / "lines.json"


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary gradient-boosted trees: the log-odds are ``baseline`` plus one leaf value per tree.

    Node arrays hold every tree one after the other; ``roots`` are where each tree starts. At a
    split, a row goes left when its feature is at most the threshold (scikit-learn's rule).
    """

    feature_names: tuple[str, ...]
    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    depth: int
    cutoff: float  # probability at which a paragraph counts as content

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Probability that each row (one paragraph's features) is article content."""
        if not len(rows):
            return np.zeros(0)
        node = np.broadcast_to(self.roots, (len(rows), len(self.roots))).copy()
        index = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            goes_left = rows[index, self.feature[node]] <= self.threshold[node]
            node = np.where(self.leaf[node], node, np.where(goes_left, self.left[node], self.right[node]))
        log_odds = self.baseline + self.value[node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-log_odds))

    def save(self, path: Path = MODEL_PATH, card_path: Path = CARD_PATH, card: dict | None = None) -> None:
        np.savez_compressed(
            path, roots=self.roots, feature=self.feature, threshold=self.threshold, left=self.left,
            right=self.right, leaf=self.leaf, value=self.value,
        )
        payload = {"features": list(self.feature_names), "baseline": self.baseline, "depth": self.depth, "cutoff": self.cutoff}
        card_path.write_text(json.dumps({**payload, **(card or {})}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path = MODEL_PATH, card_path: Path = CARD_PATH) -> TreeEnsemble:
    card = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(path) as arrays:
        return TreeEnsemble(
            feature_names=tuple(card["features"]), baseline=float(card["baseline"]), roots=arrays["roots"],
            feature=arrays["feature"], threshold=arrays["threshold"], left=arrays["left"], right=arrays["right"],
            leaf=arrays["leaf"], value=arrays["value"], depth=int(card["depth"]), cutoff=float(card["cutoff"]),
        )


@functools.lru_cache(maxsize=1)
def shipped() -> TreeEnsemble:
    """The model in the package (loaded once per process)."""
    return load()


def from_sklearn(model: object, feature_names: tuple[str, ...], cutoff: float) -> TreeEnsemble:
    """Flatten a fitted ``HistGradientBoostingClassifier`` (binary) into a ``TreeEnsemble``."""
    predictors = [tree[0].nodes for tree in model._predictors]  # type: ignore[attr-defined]
    roots, offset = [], 0
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "left", "right", "leaf", "value")}
    depth = 0
    for nodes in predictors:
        roots.append(offset)
        parts["feature"].append(nodes["feature_idx"].astype(np.int32))
        parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
        parts["left"].append((nodes["left"] + offset).astype(np.int32))
        parts["right"].append((nodes["right"] + offset).astype(np.int32))
        parts["leaf"].append(nodes["is_leaf"].astype(bool))
        parts["value"].append(nodes["value"].astype(np.float64))
        depth = max(depth, int(nodes["depth"].max()))
        offset += len(nodes)
    return TreeEnsemble(
        feature_names=feature_names, baseline=float(np.ravel(model._baseline_prediction)[0]),  # type: ignore[attr-defined]
        roots=np.array(roots, dtype=np.int32), depth=depth, cutoff=cutoff,
        **{k: np.concatenate(v) for k, v in parts.items()},  # type: ignore[arg-type]
    )
