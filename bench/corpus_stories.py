"""Stories of the sample corpus in every language: does each article land in its event's story?

The sample corpus (examples/corpus, 66 articles in en/fr/de/es/ru, gold in
examples/gold) is ingested in file order as `storyline ingest` would. Reported:
B-cubed and pairwise scores against the gold stories; per language, the share
of articles placed in the story that holds most of their gold story; per
language pair, the share of same-story article pairs put together (the
cross-lingual recall). Baseline in the same run: the same pipeline with the
embedding cosine alone as score (no shared wording, no time), its threshold
swept over the same data (optimistic).

    python bench/corpus_stories.py
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SAMPLE_CORPUS, bcubed, pairwise, sample_corpus_file, sample_corpus_gold, write_result  # noqa: E402
from storyline.ingest import find_files, read_file  # noqa: E402
import numpy as np  # noqa: E402

from storyline.match import MatchSettings, Scorer  # noqa: E402
from storyline.pipeline import Pipeline  # noqa: E402
from storyline.model import Article, StoryProfile  # noqa: E402
from storyline.store import SQLiteStore  # noqa: E402

CORPUS = SAMPLE_CORPUS
BASELINE_THRESHOLDS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


class CentroidCosine:
    """The baseline: the cosine of the article's embedding with the story's centroid, at any time gap."""

    def score(self, article: Article, story: StoryProfile) -> float:
        return float(np.dot(article.embedding, story.centroid)) if article.embedding is not None else float("-inf")


@dataclass(frozen=True)
class GoldArticle:
    story: str
    language: str


def load_gold() -> dict[tuple[str, str | None], GoldArticle]:
    return {(e["file"], e["jsonl_id"]): GoldArticle(e["story"], e["language"]) for e in sample_corpus_gold("articles")}


def cluster_corpus(scorer: Scorer | None = None, settings: MatchSettings | None = None) -> dict[tuple[str, str | None], str]:
    """Gold key -> story id, from a throw-away store."""
    files, _ = find_files([CORPUS])
    placed: dict[tuple[str, str | None], str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "corpus.db")
        try:
            pipeline = Pipeline(store, explain=False, scorer=scorer, match_settings=settings)
            for outcome in pipeline.process(item for f in files for item in read_file(f)):
                if outcome.story_id:
                    placed[(sample_corpus_file(outcome.source), outcome.external_id)] = outcome.story_id
        finally:
            store.close()
    return placed


def scores(placed: dict[tuple[str, str | None], str], gold: dict[tuple[str, str | None], GoldArticle]) -> dict:
    keys = [k for k in gold if k in placed]
    if not keys:
        sys.exit(f"no gold article of {CORPUS} was placed (placed: {sorted(placed)[:3]}...): do the gold's file names still match?")
    predicted = {str(k): placed[k] for k in keys}
    expected = {str(k): gold[k].story for k in keys}
    home = {}  # gold story -> the predicted story holding most of its articles
    for story in {g.story for g in gold.values()}:
        home[story] = Counter(placed[k] for k in keys if gold[k].story == story).most_common(1)[0][0]
    by_language: dict[str, list[bool]] = defaultdict(list)
    for k in keys:
        by_language[gold[k].language].append(placed[k] == home[gold[k].story])
    together: dict[str, list[bool]] = defaultdict(list)
    for a, b in itertools.combinations(keys, 2):
        if gold[a].story == gold[b].story and gold[a].language != gold[b].language:
            pair = "-".join(sorted((gold[a].language, gold[b].language)))
            together[pair].append(placed[a] == placed[b])
    return {
        "articles": len(keys),
        "stories": len(set(placed.values())),
        "bcubed": bcubed(predicted, expected),
        "pairwise": pairwise(predicted, expected),
        "in_home_story_by_language": {lang: round(sum(v) / len(v), 3) for lang, v in sorted(by_language.items())},
        "cross_language_pairs_together": {pair: round(sum(v) / len(v), 3) for pair, v in sorted(together.items())},
        "cross_language_recall": round(sum(sum(v) for v in together.values()) / sum(len(v) for v in together.values()), 3),
    }


def main() -> None:
    gold = load_gold()
    storyline = scores(cluster_corpus(), gold)
    sweep = {
        str(t): scores(cluster_corpus(CentroidCosine(), MatchSettings(threshold=t, window_days=10_000, merge_threshold=2.0)), gold)
        for t in BASELINE_THRESHOLDS
    }
    best = max(sweep, key=lambda t: sweep[t]["bcubed"]["f1"])
    result = {
        "data": "examples/corpus (66 articles, 12 gold stories, en/fr/de/es/ru), ingest order",
        "gold_stories": len({g.story for g in gold.values()}),
        "storyline": storyline,
        "baseline_embedding_cosine_best_threshold": {"threshold": float(best), **sweep[best]},
        "baseline_sweep_bcubed_f1": {t: s["bcubed"]["f1"] for t, s in sweep.items()},
    }
    path = write_result("corpus_stories", result)
    for name, r in (("storyline", storyline), (f"embedding only @{best}", sweep[best])):
        print(f"{name:24s} B3 F1 {r['bcubed']['f1']:.3f}  cross-language recall {r['cross_language_recall']:.3f}  {r['in_home_story_by_language']}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
