"""How well an article fits a story. The matcher takes any object with this ``score`` method.

A better scorer (entities, places, resolved times, learned weights) drops in
by implementing ``Scorer``; the matcher and the store do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

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


@dataclass(frozen=True)
class EmbeddingScorer:
    """Cosine between the article and the story centroid, lowered as the time gap grows.

    Inside ``grace_days`` of the story's span there is no penalty; beyond it the
    score drops by ``decay`` per week, and past ``window_days`` the story is out
    of reach (a new event, however similar its wording).
    """

    grace_days: int = 3
    decay_per_week: float = 0.05
    window_days: int = 45

    def score(self, article: Article, story: StoryProfile) -> float:
        if article.embedding is None:
            return float("-inf")
        gap = day_gap(article, story)
        if gap is not None and gap > self.window_days:
            return float("-inf")
        cosine = float(np.dot(article.embedding, story.centroid))
        penalty = self.decay_per_week * max(0, (gap or 0) - self.grace_days) / 7
        return cosine - penalty
