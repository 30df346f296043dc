"""Where joins are weak, per language pair: the SemEval-2022 pairs with texts, as the story matcher sees them.

Each pair is an article and a one-article story (as ``scripts/train_story_matcher.py`` builds
them): one event when its Overall rating is at most 1.75, two from 2.75 on (pairs in between are
left out). The default matcher joins when the blend's score reaches its threshold. Against, in
the same run, two baselines whose one threshold is tuned on all the pairs at once (optimistic):
the multilingual embedding's cosine, and the TF-IDF cosine of the same terms the matcher weighs.

No labelled story stream has more than one language, so these pairs are the only real data on
joins across languages. They are not held out for every figure: ``CROSS_LANGUAGE_SCALE`` was
chosen on the pairs across languages (the same-language pairs chose nothing of the blend).

    python bench/story_languages.py    # writes bench/results/story_languages.json (about a minute on 2 cores: the texts are analysed)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from scripts.train_story_matcher import ScoredPair, decided, semeval_rows  # noqa: E402
from storyline.match import MatchSettings  # noqa: E402
from storyline.match.lexical import cosine  # noqa: E402
from storyline.match.scoring import BlendScorer  # noqa: E402

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.05))


def language_pair(pair: ScoredPair) -> str:
    story_language = next(iter(pair.story.terms), "")
    return "-".join(sorted((pair.article.language or "", story_language)))


def decision(joined: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of "one event", as reported."""
    return dict(zip(("precision", "recall", "f1"), (round(value, 3) for value in decided(joined, truth))))


def tuned_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    return max(THRESHOLDS, key=lambda t: decision(scores >= t, truth)["f1"])


def report(pairs: Sequence[ScoredPair]) -> dict:
    truth = np.array([p.one_event for p in pairs])
    scorer, threshold = BlendScorer(), MatchSettings().threshold
    blend = np.array([scorer.score(p.article, p.story) for p in pairs])
    meaning = np.array([float(np.dot(p.article.embedding, p.story.centroid)) for p in pairs])
    wording = np.array([max(cosine(p.article.term_vector, v) for v in p.story.terms.values()) for p in pairs])
    tuned = {"embedding": tuned_threshold(meaning, truth), "tfidf": tuned_threshold(wording, truth)}
    groups: dict[str, list[int]] = {"all": list(range(len(pairs)))}
    for i, p in enumerate(pairs):
        groups.setdefault("across languages" if p.across_languages else "same language", []).append(i)
    for i, p in enumerate(pairs):
        groups.setdefault(language_pair(p), []).append(i)
    out = {}
    for name, members in groups.items():
        rows = np.array(members)
        out[name] = {
            "pairs": len(rows),
            "one_event_pairs": int(truth[rows].sum()),
            "storyline": decision(blend[rows] >= threshold, truth[rows]),
            "embedding_tuned": decision(meaning[rows] >= tuned["embedding"], truth[rows]),
            "tfidf_tuned": decision(wording[rows] >= tuned["tfidf"], truth[rows]),
        }
    return {"threshold": threshold, "baseline_thresholds": tuned, "by_language_pair": out}


def main() -> None:
    _, pairs = semeval_rows()
    result = report(pairs)
    for name, row in result["by_language_pair"].items():
        print(f"{name:18} {row['pairs']:4} pairs {row['one_event_pairs']:4} one event   storyline F1 {row['storyline']['f1']:.3f}"
              f"   embedding {row['embedding_tuned']['f1']:.3f}   tfidf {row['tfidf_tuned']['f1']:.3f}", flush=True)
    result["command"] = "python bench/story_languages.py"
    write_result("story_languages", result)


if __name__ == "__main__":
    main()
