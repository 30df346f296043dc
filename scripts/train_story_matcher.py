"""Train the story matcher's join model (``storyline/match/models/story_join.json``) and measure it held out.

What it learns from:

- labelled story streams (``bench/story_streams.py``): ECB+ topics 1-35, NewsWCL50 and
  WEC-Eng. Each stream is replayed with its gold stories: every article is
  scored against the candidate stories the matcher finds for it (its own story
  is the positive, the others negatives), then put in its gold story;
- the SemEval-2022 Task 8 pairs with texts, in ten languages and six language
  pairs (``semeval2022_task8/train_texts_dev.csv.gz``): each pair is an
  article and a one-article story, a join when its Overall rating is at most
  1.75 ("very similar"), not a join from 2.75 ("somewhat dissimilar") on.
  They are the only rows where a story has no article in the article's language.

Each source weighs the same in the fit. The decision threshold (and the merge
threshold) are chosen by the mean B-cubed F1 over the news streams among the
training sets (not WEC-Eng's passages), the matcher placing articles exactly as
``storyline cluster`` does.

The default scorer's settings are chosen on the same sets, the matcher run at each setting of a grid:

- ``BlendScorer``'s embedding weight and the join threshold: the best mean B-cubed F1 on all three
  training sets; each training set is also measured at the setting best on the other two
  (``blend_selection`` in the results). Chosen on the news streams alone, the same setting wins;
  measured that way, the sets left out score 0.816 on average against 0.775, all of it NewsWCL50,
  whose events chain at the threshold ECB+ and WEC-Eng choose without it (0.3);
- then, with those, when two stories merge (``MatchSettings.merge_*``), the same way
  (``merge_selection``);
- then the scale of wording across languages (``CROSS_LANGUAGE_SCALE``), on the SemEval pairs
  across languages, the only labelled pairs across languages (``cross_language_scale_selection``);
- then the ceiling of the time penalty (``PENALTY_CEILING``), on the SemEval pairs with days
  estimated from their ids (``penalty_ceiling_selection``).

Held out: leave one training set out (fit and choose the thresholds on the
others, measure on it), and BASIL and the story chains (never fitted on). In
the same run, two single-pass baselines (TF-IDF and the same sentence
embedding, centroid cosine) with their threshold tuned on each set itself
(optimistic) and on the other sets (fair).

    python scripts/train_story_matcher.py            # writes the model and bench/results/story_clustering.json
    python scripts/train_story_matcher.py --check    # measure only; the shipped model is not rewritten

On 2 cores: about 8 minutes to analyse the ~4,300 documents the first time (then cached), then about
20 minutes for the rows, the held-out fits and the sweeps (about 8 of them for the blend's settings).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import gzip
import json
import math
import multiprocessing
import re
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, bcubed, write_result  # noqa: E402
from bench.story_streams import ALL_SETS, EVALUATION_ONLY_SETS, TRAINING_SETS, StorySet, load_all  # noqa: E402
from storyline.match import MatchSettings, StoryMatcher, TermStatistics  # noqa: E402
from storyline.match.join import CONTEXT_FEATURES, FEATURES, MODEL_PATH, JoinModel, join_signals  # noqa: E402
from storyline.match.scoring import BlendScorer, LearnedScorer, Scorer  # noqa: E402
from storyline.analyze.terms import with_entity_terms  # noqa: E402
from storyline.model import Article, RawDocument, StoryProfile  # noqa: E402

JOIN_THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
# The thresholds are chosen on the news streams: WEC-Eng's short Wikipedia passages teach the weights, but
# they share far fewer words than two news reports of one event, and would pull the threshold down.
NEWS_STREAMS = ("ecbplus", "newswcl50")
MERGE_THRESHOLDS = (0.9, 0.97, 1.01)  # 1.01: never merge
REGULARISATION = (1.0, 10.0, 100.0, 1000.0)  # inverse L2 strength (every source weighs 1), chosen by leave-one-source-out log loss
SEMEVAL_JOIN, SEMEVAL_APART = 1.75, 2.75


@dataclass
class Rows:
    signals: np.ndarray
    joins: np.ndarray
    source: str

    def weights(self) -> np.ndarray:
        """Every source weighs the same; within one, joins and non-joins weigh the same."""
        weights = np.empty(len(self.joins))
        for value in (0, 1):
            mask = self.joins == value
            weights[mask] = 0.5 / max(1, int(mask.sum()))
        return weights


class _Unscored:
    """Replaying gold stories scores nothing: the matcher only finds the candidates."""

    def score(self, article: Article, story: StoryProfile) -> float:
        raise AssertionError("a replay does not score")


REPLAY = MatchSettings(threshold=1.0, merge_threshold=1.01)


def stream_rows(story_set: StorySet) -> Rows:
    """Replay the stream with its gold stories; one row per (article, candidate story)."""
    matcher = StoryMatcher(scorer=_Unscored(), settings=REPLAY)
    story_of_event: dict[str, str] = {}
    signals, joins = [], []
    for article in story_set.articles:
        matcher.weigh_terms(article)
        event = story_set.gold[article.id]
        own = story_of_event.get(event)
        for candidate in matcher.candidates(article):
            signals.append(join_signals(article, candidate))
            joins.append(candidate.id == own)
        story = matcher.place_in(article, own)
        story_of_event[event] = story.id
    return Rows(np.array(signals), np.array(joins, dtype=int), story_set.name)


LANGUAGE_BLIND = [FEATURES.index(f) for f in ("meaning", "entity_wording", "shared_entities")]
OTHER_LANGUAGE = [FEATURES.index(f"{f}_other_language") for f in ("meaning", "entity_wording", "shared_entities")]


def seen_across_languages(rows: Rows) -> Rows:
    """The same rows as if each story's articles were in another language than the article.

    Only the language-blind signals remain (meaning, the entities and their terms):
    the labelled streams are English, and this is how they teach the model what a
    join across languages looks like; the SemEval pairs across languages are too few.
    """
    signals = rows.signals.copy()
    signals[:, FEATURES.index("wording")] = 0.0
    signals[:, FEATURES.index("same_language")] = 0.0
    signals[:, OTHER_LANGUAGE] = signals[:, LANGUAGE_BLIND]
    return Rows(signals, rows.joins, f"{rows.source} across languages")


@dataclass(frozen=True)
class ScoredPair:
    """A SemEval pair as the matcher sees it: an article and a one-article story."""

    pair_id: str  # the two texts' Media Cloud ids, "first_second"
    article: Article
    story: StoryProfile
    one_event: bool

    @property
    def across_languages(self) -> bool:
        return (self.article.language or "") not in self.story.terms


def semeval_rows() -> tuple[Rows, list[ScoredPair]]:
    """The SemEval pairs as join rows, and as (article, story) pairs."""
    from storyline.analyze.linking import EntityLinker
    from storyline.ingest.readers import document_from_record
    from storyline.pipeline import analyze_standalone

    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8") as handle:
        pairs = [r for r in csv.DictReader(handle) if float(r["Overall"]) <= SEMEVAL_JOIN or float(r["Overall"]) >= SEMEVAL_APART]
    texts = {}
    for row in pairs:
        for side in ("1", "2"):
            texts[(row["pair_id"], side)] = {"text": row[f"text_{side}"], "language": row[f"lang{side}"]}
    keys = list(texts)
    documents = {k: document_from_record(texts[k], f"semeval:{k[0]}:{k[1]}") for k in keys}
    readable = [k for k in keys if isinstance(documents[k], RawDocument)]
    analysed = dict(zip(readable, analyze_standalone([documents[k] for k in readable], EntityLinker(lambda found: []))))
    articles = [a for a in analysed.values() if isinstance(a, Article)]
    statistics = TermStatistics()  # every text counted first, as in a store holding them all
    for article in articles:
        statistics.add(with_entity_terms(article.terms or {}, article))
    for article in articles:
        article.term_vector = statistics.weigh(with_entity_terms(article.terms or {}, article))
    signals, joins = [], []
    scored: list[ScoredPair] = []
    for row in pairs:
        a, b = analysed.get((row["pair_id"], "1")), analysed.get((row["pair_id"], "2"))
        if not (isinstance(a, Article) and isinstance(b, Article)) or a.embedding is None or b.embedding is None:
            continue
        story = StoryMatcher(scorer=_Unscored(), settings=REPLAY).place_in(b, None)  # b as a story of its own
        signals.append(join_signals(a, story))
        joins.append(float(row["Overall"]) <= SEMEVAL_JOIN)
        scored.append(ScoredPair(row["pair_id"], a, story, joins[-1]))
    return Rows(np.array(signals), np.array(joins, dtype=int), "semeval"), scored


def decided(joined: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of "one event" for pairs ``joined`` against ``truth`` (each 1.0 where
    nothing is to be found and nothing was joined)."""
    true_joins = int((joined & truth).sum())
    precision = true_joins / int(joined.sum()) if joined.any() else 1.0
    recall = true_joins / int(truth.sum()) if truth.any() else 1.0
    f1 = 2 * true_joins / (int(joined.sum()) + int(truth.sum())) if joined.any() or truth.any() else 1.0
    return precision, recall, f1


CROSS_LANGUAGE_SCALES = tuple(round(s, 1) for s in np.arange(1.0, 4.05, 0.1))


def cross_language_selection(pairs: Sequence[ScoredPair]) -> dict:
    """Choose ``CROSS_LANGUAGE_SCALE``: the scale at which the shipped blend and threshold decide the pairs best.

    Best is the F1 of "one event" over the pairs across languages; of scales that tie, the middle one
    (the pairs are few, so neighbouring scales often make the same decisions).
    """
    threshold = MatchSettings().threshold
    truth = np.array([p.one_event for p in pairs])
    sweep = {}
    for scale in CROSS_LANGUAGE_SCALES:
        scorer = BlendScorer(cross_language_scale=scale)
        joined = np.array([scorer.score(p.article, p.story) >= threshold for p in pairs])
        sweep[scale] = decided(joined, truth)[2]
    best = max(sweep.values())
    tied = [s for s, f in sweep.items() if f == best]
    chosen = tied[len(tied) // 2]
    return {
        "pairs": len(pairs),
        "one_event_pairs": int(truth.sum()),
        "threshold": threshold,
        "chosen": float(chosen),
        "tied": [float(tied[0]), float(tied[-1])],
        "f1": round(best, 4),
        "shipped_is_chosen": bool(BlendScorer().cross_language_scale == chosen),
        "sweep": {str(s): round(f, 4) for s, f in sweep.items()},
    }


def semeval_days() -> dict[int, dt.date]:
    """A day for every SemEval text id, estimated: the texts are undated.

    The ids are Media Cloud story ids, which grow with the time a story was collected, and many of
    the task's links carry a date in their URL. Each id takes the median day of the ten dated ids
    nearest it in order.
    """
    in_url = re.compile(r"/(20[12]\d)[/-]?(\d\d)[/-]?(\d\d)[/-]")
    dated: dict[int, int] = {}
    ids: set[int] = set()
    with open(DATA / "semeval2022_task8" / "train_pairs.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for text_id, link in zip(map(int, row["pair_id"].split("_")), (row["link1"], row["link2"])):
                ids.add(text_id)
                if found := in_url.search(link):
                    try:
                        dated[text_id] = dt.date(int(found[1]), int(found[2]), int(found[3])).toordinal()
                    except ValueError:  # not a date after all
                        pass
    order = sorted(dated)
    days = {}
    for text_id in ids:
        at = bisect.bisect_left(order, text_id)
        near = sorted(dated[i] for i in order[max(0, at - 5) : at + 5])
        days[text_id] = dt.date.fromordinal(near[len(near) // 2])
    return days


def penalty_ceiling_selection(pairs: Sequence[ScoredPair]) -> dict:
    """Choose ``PENALTY_CEILING``: the least at which no SemEval pair of two events past the grace period would join.

    A story quiet for months keeps, at most, the ceiling's penalty. Pairs of two events more than
    ``grace_days`` apart score at most ``highest`` before any penalty (the shipped blend); a ceiling of
    ``highest - threshold`` keeps every one of them below the threshold.
    """
    days, scorer, threshold = semeval_days(), BlendScorer(), MatchSettings().threshold

    def gap(pair: ScoredPair) -> int:
        first, second = (days[int(i)] for i in pair.pair_id.split("_"))
        return abs((first - second).days)

    apart = [scorer.score(p.article, p.story) for p in pairs if not p.one_event and gap(p) > scorer.grace_days]
    chosen = math.ceil(100 * (max(apart) - threshold)) / 100
    past_window = sorted(round(scorer.score(p.article, p.story), 3) for p in pairs if p.one_event and gap(p) > MatchSettings().window_days)
    return {
        "pairs_of_two_events_past_grace": len(apart),
        "highest_score_of_two_events_past_grace": round(max(apart), 4),
        "threshold": threshold,
        "chosen": chosen,
        "shipped_is_chosen": bool(scorer.penalty_ceiling == chosen),
        "one_event_pairs_past_window": len(past_window),
        "their_scores_before_penalty": past_window,
    }


def fit(rows: Sequence[Rows], regularisation: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A logistic regression on standardised signals, L2-regularised, with non-negative weights on the similarities."""
    from scipy.optimize import minimize

    x = np.vstack([r.signals for r in rows])
    y = np.concatenate([r.joins for r in rows])
    w = np.concatenate([r.weights() for r in rows])
    w = w / w.sum()
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = z @ theta[:-1] + theta[-1]
        p = 1.0 / (1.0 + np.exp(-margin))
        value = float(w @ (np.logaddexp(0.0, margin) - y * margin)) + 0.5 / regularisation * float(theta[:-1] @ theta[:-1])
        gradient = np.append(z.T @ (w * (p - y)) + theta[:-1] / regularisation, w @ (p - y))
        return value, gradient

    # Every similarity signal may only raise the probability of a join (``CONTEXT_FEATURES`` are not similarities):
    # without this, signals that overlap (the entity terms are part of the wording) get weights of opposite signs
    # that fit one set and not the next.
    bounds = [(None, None) if f in CONTEXT_FEATURES else (0.0, None) for f in FEATURES] + [(None, None)]
    theta = minimize(loss, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    return mean, scale, theta[:-1], float(theta[-1])


def log_loss(rows: Rows, model: JoinModel) -> float:
    p = np.array([model.probability(s) for s in rows.signals]).clip(1e-6, 1 - 1e-6)
    losses = -(rows.joins * np.log(p) + (1 - rows.joins) * np.log(1 - p))
    return float((losses * rows.weights()).sum())


def cluster(story_set: StorySet, scorer: Scorer, settings: MatchSettings) -> dict[str, str]:
    """The stories the matcher makes of the stream, as `storyline cluster` would (same matcher, no store)."""
    matcher = StoryMatcher(scorer=scorer, settings=settings)
    for article in story_set.articles:
        matcher.place(article)
    return {a.id: matcher.resolve(a.story_id or "") for a in story_set.articles}


def f1(story_set: StorySet, labels: dict[str, str]) -> float:
    return bcubed(labels, story_set.gold)["f1"]


LOADED_SETS: dict[str, StorySet] = {}  # what the sweep's worker processes read (inherited by fork)


def learned_clusters(story_set: StorySet, model: JoinModel, threshold: float, merge_threshold: float) -> dict[str, str]:
    return cluster(story_set, LearnedScorer(model=model), MatchSettings(threshold=threshold, merge_threshold=merge_threshold))


def _f1_at(job: tuple[str, JoinModel, float, float]) -> float:
    name, model, threshold, merge_threshold = job
    return f1(LOADED_SETS[name], learned_clusters(LOADED_SETS[name], model, threshold, merge_threshold))


def on_both_cores(function: Callable[[tuple], float], jobs: list[tuple]) -> list[float]:
    """``function`` of every job, in two forked processes (they see ``LOADED_SETS`` as loaded here)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, jobs))


def _mean_f1(model: JoinModel, streams: Sequence[str], settings: Sequence[tuple[float, float]]) -> dict[tuple[float, float], float]:
    """Mean B-cubed F1 over ``streams`` at each (join, merge) threshold pair, on both cores."""
    jobs = [(name, model, t, m) for t, m in settings for name in streams]
    scores = on_both_cores(_f1_at, jobs)
    by_setting: dict[tuple[float, float], list[float]] = {}
    for (_, _, t, m), score in zip(jobs, scores):
        by_setting.setdefault((t, m), []).append(score)
    return {k: float(np.mean(v)) for k, v in by_setting.items()}


def trained(rows: Sequence[Rows], streams: Sequence[str], regularisation: float) -> tuple[JoinModel, dict]:
    """Fit, then choose the join and merge thresholds by the mean B-cubed F1 over ``streams``."""
    mean, scale, weights, bias = fit(rows, regularisation)
    model = JoinModel(mean, scale, weights, bias, threshold=0.5, merge_threshold=1.01)
    by_join = {t: f for (t, _), f in _mean_f1(model, streams, [(t, 1.01) for t in JOIN_THRESHOLDS]).items()}
    threshold = max(by_join, key=by_join.get)
    by_merge = {m: f for (_, m), f in _mean_f1(model, streams, [(threshold, m) for m in MERGE_THRESHOLDS]).items()}
    merge = max(by_merge, key=lambda m: (by_merge[m], m))  # ties: merge less
    model = JoinModel(mean, scale, weights, bias, threshold=threshold, merge_threshold=merge)
    return model, {"join_threshold_sweep": {str(k): round(v, 4) for k, v in by_join.items()}, "merge_threshold_sweep": {str(k): round(v, 4) for k, v in by_merge.items()}}


def _with_views(rows: Sequence[Rows]) -> list[Rows]:
    return [*rows, *map(seen_across_languages, rows)]


# ---- the default blend's settings ---------------------------------------------------------

BLEND_EMBEDDING_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)  # the wording weighs the rest
BLEND_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)
# (merge_threshold, merge_centroids, merge_wording); 1.01 never merges
MERGE_SETTINGS = tuple((t, c, w) for t in (0.45, 0.5, 0.55, 0.6, 1.01) for c in (0.8, 0.85, 0.9) for w in (0.3, 0.4, 0.5))


def _blend_f1_at(job: tuple[str, float, float]) -> float:
    name, weight, threshold = job
    scorer = BlendScorer(embedding_weight=weight, lexical_weight=1.0 - weight)
    return f1(LOADED_SETS[name], cluster(LOADED_SETS[name], scorer, MatchSettings(threshold=threshold)))


def _merge_f1_at(job: tuple[str, float, float, float]) -> float:
    name, merge_threshold, merge_centroids, merge_wording = job
    settings = MatchSettings(merge_threshold=merge_threshold, merge_centroids=merge_centroids, merge_wording=merge_wording)
    return f1(LOADED_SETS[name], cluster(LOADED_SETS[name], BlendScorer(), settings))


def selection(settings: Sequence[tuple], f1_at: Callable[[tuple], float], shipped: tuple) -> dict:
    """Run every setting on every story set; the one with the best mean B-cubed F1 on the training sets is chosen.

    Each training set is also measured at the setting best on the other training sets, BASIL and the
    story chains at the chosen one, which the code should ship (``shipped_is_chosen`` says whether it does).
    """
    jobs = [(name, *setting) for setting in settings for name in ALL_SETS]
    scores: dict[tuple, dict[str, float]] = {}
    for (name, *setting), score in zip(jobs, on_both_cores(f1_at, jobs)):
        scores.setdefault(tuple(setting), {})[name] = score

    def best_on(names: Sequence[str]) -> tuple:
        return max(settings, key=lambda s: np.mean([scores[s][n] for n in names]))

    chosen = best_on(TRAINING_SETS)
    held_out = {}
    for name in ALL_SETS:
        setting = best_on([n for n in TRAINING_SETS if n != name]) if name in TRAINING_SETS else chosen
        held_out[name] = {"setting": list(setting), "f1": round(scores[setting][name], 4)}
    return {
        "chosen": list(chosen),
        "shipped_is_chosen": tuple(shipped) == tuple(chosen),
        "held_out": held_out,
        "held_out_mean_f1": round(float(np.mean([h["f1"] for h in held_out.values()])), 4),
        "sweep": {" ".join(map(str, s)): {n: round(f, 4) for n, f in scores[s].items()} for s in settings},
    }


def blend_selection() -> dict:
    """``BlendScorer``'s embedding weight and the join threshold (the wording weighs the rest)."""
    settings = [(w, t) for w in BLEND_EMBEDDING_WEIGHTS for t in BLEND_THRESHOLDS]
    return {"setting": ["embedding_weight", "threshold"], **selection(settings, _blend_f1_at, (BlendScorer().embedding_weight, MatchSettings().threshold))}


def merge_selection() -> dict:
    """When two stories merge (``MatchSettings.merge_*``), with the shipped blend and threshold."""
    shipped = MatchSettings()
    chosen = selection(MERGE_SETTINGS, _merge_f1_at, (shipped.merge_threshold, shipped.merge_centroids, shipped.merge_wording))
    return {"setting": ["merge_threshold", "merge_centroids", "merge_wording"], **chosen}


# ---- baselines --------------------------------------------------------------------------


def single_pass(vectors: np.ndarray | sparse.csr_matrix, threshold: float) -> list[int]:
    """Each item joins the cluster whose centroid is the most cosine-similar if at least ``threshold``, else opens one."""
    rows = sparse.csr_matrix(vectors, dtype=np.float32)
    sums = np.zeros(rows.shape, dtype=np.float32)
    norms = np.zeros(rows.shape[0])
    labels, clusters = [], 0
    for i in range(rows.shape[0]):
        row = rows.getrow(i)
        columns, values = row.indices, row.data  # only the item's own terms count in the dot products
        if clusters:
            sims = (sums[:clusters, columns] @ values) / np.maximum(norms[:clusters], 1e-9)
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                sums[best, columns] += values
                norms[best] = np.linalg.norm(sums[best])
                labels.append(best)
                continue
        sums[clusters, columns] = values
        norms[clusters] = np.linalg.norm(values)
        labels.append(clusters)
        clusters += 1
    return labels


def baseline_vectors(story_set: StorySet) -> dict[str, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [a.text for a in story_set.articles]
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english", dtype=np.float32).fit_transform(texts)
    return {"tfidf": tfidf, "embedding": np.stack([a.embedding for a in story_set.articles]).astype(np.float32)}


BASELINE_THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.95, 0.05))


def threshold_sweep(story_set: StorySet, vectors: np.ndarray | sparse.csr_matrix) -> dict[float, float]:
    """B-cubed F1 of single-pass clustering of ``vectors`` (in stream order) at each baseline threshold."""
    ids = [a.id for a in story_set.articles]
    return {t: f1(story_set, dict(zip(ids, map(str, single_pass(vectors, t))))) for t in BASELINE_THRESHOLDS}


def baseline_sweeps(sets: dict[str, StorySet]) -> dict[str, dict[str, dict[float, float]]]:
    """B-cubed F1 of each baseline at each threshold, per set."""
    sweeps: dict[str, dict[str, dict[float, float]]] = {}
    for name, story_set in sets.items():
        for kind, vectors in baseline_vectors(story_set).items():
            sweeps.setdefault(kind, {})[name] = threshold_sweep(story_set, vectors)
    return sweeps


def baseline_summary(sweeps: dict[str, dict[str, dict[float, float]]], name: str) -> dict:
    """Each baseline on one set: tuned on it (optimistic), and at the threshold best on the other sets (fair)."""
    out = {}
    for kind, per_set in sweeps.items():
        tuned = max(per_set[name], key=per_set[name].get)
        others = [n for n in per_set if n != name and n in TRAINING_SETS]
        fair = max(BASELINE_THRESHOLDS, key=lambda t: np.mean([per_set[n][t] for n in others]))
        out[kind] = {"tuned_threshold": tuned, "tuned_f1": round(per_set[name][tuned], 4), "other_sets_threshold": fair, "other_sets_f1": round(per_set[name][fair], 4)}
    return out


# ---- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="measure only; do not rewrite the shipped model")
    args = parser.parse_args()

    sets = load_all(ALL_SETS)
    LOADED_SETS.update(sets)
    print("training rows ...", file=sys.stderr)
    rows = {name: stream_rows(sets[name]) for name in TRAINING_SETS}
    semeval, semeval_pairs = semeval_rows()
    print({name: (len(r.joins), int(r.joins.sum())) for name, r in {**rows, "semeval": semeval}.items()}, file=sys.stderr)

    # Regularisation: leave-one-source-out log loss of the join probability.
    losses = {}
    for c in REGULARISATION:
        fold_losses = []
        for held in [*TRAINING_SETS, "semeval"]:
            fitted = _with_views([r for n, r in rows.items() if n != held]) + ([semeval] if held != "semeval" else [])
            mean, scale, weights, bias = fit(fitted, c)
            held_rows = semeval if held == "semeval" else rows[held]
            fold_losses.append(log_loss(held_rows, JoinModel(mean, scale, weights, bias, 0.5, 1.01)))
        losses[c] = float(np.mean(fold_losses))
    regularisation = min(losses, key=losses.get)
    print("regularisation", regularisation, losses, file=sys.stderr)

    sweeps = baseline_sweeps(sets)
    blend = {name: bcubed(cluster(sets[name], BlendScorer(), MatchSettings()), sets[name].gold) for name in ALL_SETS}
    blend_choice, merge_choice = blend_selection(), merge_selection()
    for what, choice in (("blend", blend_choice), ("merges", merge_choice)):
        print(f"{what}:", json.dumps({k: v for k, v in choice.items() if k != "sweep"}), file=sys.stderr)
        if not choice["shipped_is_chosen"]:
            print(f"warning: BlendScorer and MatchSettings do not ship the chosen {what} setting {choice['chosen']}", file=sys.stderr)
    scale_choice = cross_language_selection([p for p in semeval_pairs if p.across_languages])
    print("cross-language scale:", json.dumps({k: v for k, v in scale_choice.items() if k != "sweep"}), file=sys.stderr)
    if not scale_choice["shipped_is_chosen"]:
        print(f"warning: BlendScorer does not ship the chosen cross-language scale {scale_choice['chosen']}", file=sys.stderr)
    ceiling_choice = penalty_ceiling_selection(semeval_pairs)
    print("penalty ceiling:", json.dumps(ceiling_choice), file=sys.stderr)
    if not ceiling_choice["shipped_is_chosen"]:
        print(f"warning: BlendScorer does not ship the chosen penalty ceiling {ceiling_choice['chosen']}", file=sys.stderr)
    report: dict = {"regularisation_log_loss": {str(k): round(v, 5) for k, v in losses.items()}, "regularisation": regularisation, "held_out": {}}
    report["held_out_sweeps"] = {}
    report["blend_selection"] = blend_choice
    report["merge_selection"] = merge_choice
    report["cross_language_scale_selection"] = scale_choice
    report["penalty_ceiling_selection"] = ceiling_choice
    for held in TRAINING_SETS:
        training = [n for n in TRAINING_SETS if n != held]
        model, sweep = trained(_with_views([rows[n] for n in training]) + [semeval], [n for n in training if n in NEWS_STREAMS], regularisation)
        labels = learned_clusters(sets[held], model, model.threshold, model.merge_threshold)
        report["held_out"][held] = {
            "trained_on": training + ["semeval"],
            "threshold": model.threshold,
            "merge_threshold": model.merge_threshold,
            "storyline": bcubed(labels, sets[held].gold),
            "default_blend_matcher": blend[held],
            "stories": len(set(labels.values())),
            "gold_stories": len(set(sets[held].gold.values())),
            "baselines": baseline_summary(sweeps, held),
        }
        report["held_out_sweeps"][held] = sweep
        print(held, json.dumps(report["held_out"][held]), file=sys.stderr)

    model, sweep = trained(_with_views([rows[n] for n in TRAINING_SETS]) + [semeval], NEWS_STREAMS, regularisation)
    report["final"] = {"threshold": model.threshold, "merge_threshold": model.merge_threshold, **sweep}
    for name in EVALUATION_ONLY_SETS:
        labels = learned_clusters(sets[name], model, model.threshold, model.merge_threshold)
        report["held_out"][name] = {
            "trained_on": [*TRAINING_SETS, "semeval"],
            "storyline": bcubed(labels, sets[name].gold),
            "default_blend_matcher": blend[name],
            "stories": len(set(labels.values())),
            "gold_stories": len(set(sets[name].gold.values())),
            "baselines": baseline_summary(sweeps, name),
        }
        print(name, json.dumps(report["held_out"][name]), file=sys.stderr)
    held = report["held_out"]
    report["mean_f1"] = {
        "storyline": round(float(np.mean([h["storyline"]["f1"] for h in held.values()])), 4),
        "default_blend_matcher": round(float(np.mean([h["default_blend_matcher"]["f1"] for h in held.values()])), 4),
        "default_blend_setting_chosen_without_the_set": blend_choice["held_out_mean_f1"],
        **{
            f"{kind}_{which}": round(float(np.mean([h["baselines"][kind][f"{which}_f1"] for h in held.values()])), 4)
            for kind in ("tfidf", "embedding")
            for which in ("tuned", "other_sets")
        },
    }
    print(json.dumps(report["mean_f1"]), file=sys.stderr)
    write_result("story_clustering", report)
    if not args.check:
        MODEL_PATH.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "mean": model.mean.round(6).tolist(),
                    "scale": model.scale.round(6).tolist(),
                    "weights": model.weights.round(6).tolist(),
                    "bias": round(model.bias, 6),
                    "threshold": model.threshold,
                    "merge_threshold": model.merge_threshold,
                    "trained_on": [*TRAINING_SETS, "semeval2022_task8 train_texts_dev (Overall <= 1.75 join, >= 2.75 apart)"],
                    "regularisation": regularisation,
                    "held_out_bcubed_f1": {name: round(h["storyline"]["f1"], 4) for name, h in held.items()},
                    "written_by": "scripts/train_story_matcher.py",
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"-> {MODEL_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
