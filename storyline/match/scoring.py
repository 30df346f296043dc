"""How well an article fits a story. The matcher takes any object with this ``score`` method.

A better scorer (entities, places, resolved times, learned weights) drops in
by implementing ``Scorer``; the matcher and the store do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from storyline.match.lexical import cosine
from storyline.model import Article, StoryProfile


class Scorer(Protocol):
    def score(self, article: Article, story: StoryProfile) -> float:
        """Higher is a better fit; the matcher compares it with its threshold."""
        ...


def day_gap(article: Article, story: StoryProfile) -> int | None:
    """Days between the article and the nearest end of the story's span (0 inside it)."""
    day = article.published_day
    if day is None or story.first_day is None or story.last_day is None:
        return None
    if day < story.first_day:
        return (story.first_day - day).days
    if day > story.last_day:
        return (day - story.last_day).days
    return 0


# Across languages only names and numbers can be shared, so the same event
# shares about a quarter of the wording it shares within a language (measured
# on the sample corpus); scaling brings both onto one scale.
CROSS_LANGUAGE_SCALE = 3.0


def shared_wording(article: Article, story: StoryProfile) -> float:
    """TF-IDF cosine with the story's articles in the same language, else (scaled) with any language."""
    if article.term_vector is None or not story.terms:
        return 0.0
    same = story.terms.get(article.language or "")
    if same is not None:
        return cosine(article.term_vector, same)
    best = max(cosine(article.term_vector, vector) for vector in story.terms.values())
    return min(1.0, CROSS_LANGUAGE_SCALE * best)


@dataclass(frozen=True)
class BlendScorer:
    """A weighted blend of meaning (embedding cosine) and wording (TF-IDF cosine), lowered by time.

    The embedding carries meaning across languages; shared specific words tell
    two events of the same kind apart. Inside ``grace_days`` of the story's
    span there is no time penalty; beyond it the score drops by
    ``decay_per_week``, and past ``window_days`` the story is out of reach.
    Weights were chosen on ECB+ (bench/ecbplus.py).
    """

    embedding_weight: float = 0.4
    lexical_weight: float = 0.6
    grace_days: int = 7
    decay_per_week: float = 0.02
    window_days: int = 60

    def score(self, article: Article, story: StoryProfile) -> float:
        if article.embedding is None:
            return float("-inf")
        gap = day_gap(article, story)
        if gap is not None and gap > self.window_days:
            return float("-inf")
        meaning = float(np.dot(article.embedding, story.centroid))
        wording = shared_wording(article, story)
        penalty = self.decay_per_week * max(0, (gap or 0) - self.grace_days) / 7
        return self.embedding_weight * meaning + self.lexical_weight * wording - penalty
