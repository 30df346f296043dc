"""How much the story figures of undated sets owe to the order their documents are streamed in.

ECB+ and WEC-Eng have no publication dates, so ``bench/story_streams.py`` streams them in one
fixed shuffle, and every figure of ``story_clustering.json`` on them is one draw. This replays
each undated set in ``ORDERS`` other shuffles through the default matcher (as
``storyline cluster`` places articles) and through the single-pass TF-IDF baseline (its threshold
tuned on each order, as in ``story_clustering.json``), and reports the spread of both and of
their difference, order by order.

    python bench/story_orders.py        # writes bench/results/story_orders.json (about 7 minutes on 2 cores)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from bench.story_streams import ALL_SETS, SHUFFLE_SEED, StorySet, load_all, reshuffled  # noqa: E402
from scripts.train_story_matcher import baseline_vectors, cluster, f1, threshold_sweep  # noqa: E402
from storyline.match import MatchSettings  # noqa: E402
from storyline.match.scoring import BlendScorer  # noqa: E402

ORDERS = 8  # shuffles besides the shipped one (seeds 0 .. ORDERS - 1)


def undated(story_set: StorySet) -> bool:
    """Most of its documents carry no publication day, so their order is a shuffle."""
    return sum(a.published_day is None for a in story_set.articles) > len(story_set.articles) / 2


def measure(story_set: StorySet) -> dict[str, float]:
    """B-cubed F1 of the default matcher, and of the TF-IDF baseline at its best threshold, on this order."""
    tfidf = threshold_sweep(story_set, baseline_vectors(story_set)["tfidf"])
    best = max(tfidf, key=tfidf.get)
    return {
        "storyline": round(f1(story_set, cluster(story_set, BlendScorer(), MatchSettings())), 4),
        "tfidf_tuned": round(tfidf[best], 4),
        "tfidf_threshold": best,
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(values)), 4), "sd": round(float(np.std(values, ddof=1)), 4), "min": min(values), "max": max(values)}


def main() -> None:
    report: dict = {"orders": ORDERS, "shipped_seed": SHUFFLE_SEED, "sets": {}}
    for name, story_set in load_all(ALL_SETS).items():
        if not undated(story_set):
            continue
        shipped = measure(story_set)
        others = []
        for seed in range(ORDERS):
            others.append(measure(reshuffled(story_set, seed)))
            print(name, seed, others[-1], file=sys.stderr, flush=True)
        report["sets"][name] = {
            "shipped_order": shipped,
            "other_orders": others,
            "storyline": _spread([o["storyline"] for o in others]),
            "tfidf_tuned": _spread([o["tfidf_tuned"] for o in others]),
            "storyline_minus_tfidf": _spread([round(o["storyline"] - o["tfidf_tuned"], 4) for o in others]),
        }
        print(name, {k: v for k, v in report["sets"][name].items() if k != "other_orders"}, flush=True)
    report["command"] = "python bench/story_orders.py"
    write_result("story_orders", report)


if __name__ == "__main__":
    main()
