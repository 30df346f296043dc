"""Does an article belong to a candidate story? A small learned model gives the probability.

The signals of an (article, story) pair are few and cheap, since every
candidate of every article is scored:

- ``meaning``: cosine of the article's embedding and the story's centroid (it carries across languages);
- ``entity_wording``: TF-IDF cosine of the canonical-entity terms alone, which are the same in every
  language ("Стамбул" and "Istanbul" are one entity);
- ``shared_entities``: the share of the article's canonical entities that the story's articles name;
- ``wording``: TF-IDF cosine with the story's articles in the article's language, and whether there are any;
- the language-blind signals again for stories with no article in the article's language, so that a
  join across languages is weighed by what crosses languages;
- ``story_size``: large stories have blurred centroids.

A logistic regression maps them to the probability of a join; the matcher joins
the most probable candidate when that probability reaches the threshold
chosen by cross-validation. Weights, threshold and the figures they were
chosen by live in ``models/story_join.json``, written by
``scripts/train_story_matcher.py`` from labelled story sets (ECB+ topics 1-35,
NewsWCL50, WEC-Eng and the SemEval-2022 pairs); its model card is
``docs/models/story_join.md``.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyline.analyze.terms import entity_term
from storyline.match.lexical import cosine
from storyline.model import Article, SparseVector, StoryProfile

MODEL_PATH = Path(__file__).with_name("models") / "story_join.json"

FEATURES = (
    "meaning",
    "entity_wording",
    "shared_entities",
    "wording",
    "same_language",
    "meaning_other_language",
    "entity_wording_other_language",
    "shared_entities_other_language",
    "story_size",
)
# Signals that say what kind of pair it is rather than how similar: their weights may take any sign. Every
# other signal is a similarity, and may only raise the probability of a join (its weight is bounded at 0).
CONTEXT_FEATURES = frozenset({"same_language", "story_size"})


def join_signals(article: Article, story: StoryProfile) -> np.ndarray:
    """The pair's signals, in the order of ``FEATURES``."""
    meaning = float(np.dot(article.embedding, story.centroid)) if article.embedding is not None else 0.0
    named = {m.entity_id for m in article.mentions if m.entity_id}
    shared = len(named & story.entities.keys()) / len(named) if named else 0.0
    wording, same_language, entity_wording = 0.0, 0.0, 0.0
    if article.term_vector is not None and story.terms:
        same = story.terms.get(article.language or "")
        if same is not None:
            wording, same_language = cosine(article.term_vector, same), 1.0
        entity_wording = _entity_wording(article.term_vector, named, story)
    other = 1.0 - same_language
    return np.array([meaning, entity_wording, shared, wording, same_language, meaning * other, entity_wording * other, shared * other, math.log1p(story.size)])


def _entity_wording(vector: SparseVector, named: set[str], story: StoryProfile) -> float:
    """TF-IDF cosine of the article's and the story's canonical-entity terms: wording that is the same in every language."""
    if not named or not story.entities:
        return 0.0
    article_part = _restricted(vector, np.array(sorted({entity_term(e) for e in named}), dtype=np.int64))
    story_buckets = np.array(sorted({entity_term(e) for e in story.entities}), dtype=np.int64)
    totals = np.zeros(len(story_buckets))
    for language_vector in story.terms.values():
        part = _restricted(language_vector, story_buckets)
        totals[np.searchsorted(story_buckets, part.terms)] += part.weights
    present = totals > 0
    return cosine(article_part, SparseVector(story_buckets[present], totals[present].astype(np.float32)))


def _restricted(vector: SparseVector, terms: np.ndarray) -> SparseVector:
    keep = np.isin(vector.terms, terms, assume_unique=True)
    return SparseVector(vector.terms[keep], vector.weights[keep])


@dataclass(frozen=True)
class JoinModel:
    """Standardised signals, weighted, through a logistic function."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float  # the lowest probability that joins a story
    merge_threshold: float  # the lowest probability, with both stories, at which two stories of one event merge

    def probability(self, signals: np.ndarray) -> float:
        z = float(((signals - self.mean) / self.scale) @ self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_dict(cls, data: dict) -> JoinModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{MODEL_PATH} was trained on other signals; run scripts/train_story_matcher.py")
        return cls(
            mean=np.array(data["mean"]),
            scale=np.array(data["scale"]),
            weights=np.array(data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            merge_threshold=float(data["merge_threshold"]),
        )


@functools.cache
def shipped_model() -> JoinModel:
    return JoinModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
