"""How well an article fits a story. The matcher takes any object with this ``score`` method.

The default, ``BlendScorer``, blends meaning and wording with weights chosen on labelled story sets.
``LearnedScorer`` gives the probability of a join from the learned model of
``match.join``; held out it does not beat the blend yet (``docs/models/story_join.md``),
so it is not the default. Another scorer drops in by implementing ``Scorer``; the
matcher and the store do not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from storyline.match.join import JoinModel, join_signals, shipped_model
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


def reachable_gap(article: Article, story: StoryProfile, window_days: int) -> int | None:
    """Days between the article and the story's span (0 when either is undated), or None when the
    story cannot take the article: past ``window_days``, or the article was not embedded."""
    if article.embedding is None:
        return None
    gap = day_gap(article, story)
    if gap is not None and gap > window_days:
        return None
    return gap or 0


@dataclass(frozen=True)
class LearnedScorer:
    """The probability that the article reports the story's event, from the learned join model.

    Past ``window_days`` from the story's span the story is out of reach. Within
    it, time does not lower the score: the labelled sets the model learns from
    are mostly undated, so they cannot say how fast a story goes cold. Use it with
    ``MatchSettings.learned()``, the thresholds chosen with the model.
    """

    window_days: int = 60
    model: JoinModel = field(default_factory=shipped_model)

    def score(self, article: Article, story: StoryProfile) -> float:
        if reachable_gap(article, story, self.window_days) is None:
            return float("-inf")
        return self.model.probability(join_signals(article, story))


# Across languages only names and numbers can be shared, so the same event shares less of
# its wording across languages than within one; scaling brings both onto one scale.
# Chosen by ``scripts/train_story_matcher.py`` on the SemEval-2022 pairs across languages (130 pairs
# of six language pairs, 30 of one event): the scale at which the shipped blend and threshold decide
# them best (F1 of "one event"); 2.5 and 2.6 tie, and the middle of the tie (the upper of two) is taken.
CROSS_LANGUAGE_SCALE = 2.6


# A story quiet for longer than this is out of reach: a year on, the same names make a new story.
# No training set spans more than a few weeks, so none can choose it.
REACH_DAYS = 365
# The time penalty grows no further than this, so a story quiet for months still takes a report
# that fits it well. Chosen by ``scripts/train_story_matcher.py`` on the SemEval-2022 pairs, their
# days estimated from their ids: the least ceiling at which no pair of two events more than a
# week apart (159 pairs; the best scores 0.584 before any penalty) clears the threshold (0.35).
PENALTY_CEILING = 0.24


def shared_wording(article: Article, story: StoryProfile, cross_language_scale: float = CROSS_LANGUAGE_SCALE) -> float:
    """TF-IDF cosine with the story's articles in the same language, else (scaled) with any language."""
    if article.term_vector is None or not story.terms:
        return 0.0
    same = story.terms.get(article.language or "")
    if same is not None:
        return cosine(article.term_vector, same)
    best = max(cosine(article.term_vector, vector) for vector in story.terms.values())
    return min(1.0, cross_language_scale * best)


@dataclass(frozen=True)
class BlendScorer:
    """A weighted blend of meaning (embedding cosine) and wording (TF-IDF cosine), lowered by time.

    The embedding carries meaning across languages; shared specific words tell
    two events of the same kind apart. Inside ``grace_days`` of the story's
    span there is no time penalty; beyond it the score drops by
    ``decay_per_week`` down to ``penalty_ceiling``, and past ``window_days`` the story is out of reach.
    The weights (and ``MatchSettings.threshold``) are the setting with the best mean B-cubed F1 on
    the labelled story sets ECB+, NewsWCL50 and WEC-Eng, then ``cross_language_scale`` the one that
    decides the SemEval pairs across languages best with them; ``scripts/train_story_matcher.py``
    chooses both and measures each set at the setting chosen without it. The decay is set by
    hand: no training set spans more than a few weeks, so none can say how fast a story goes cold.
    """

    embedding_weight: float = 0.3
    lexical_weight: float = 0.7
    grace_days: int = 7
    decay_per_week: float = 0.02
    penalty_ceiling: float = PENALTY_CEILING
    window_days: int = REACH_DAYS
    cross_language_scale: float = CROSS_LANGUAGE_SCALE

    def score(self, article: Article, story: StoryProfile) -> float:
        gap = reachable_gap(article, story, self.window_days)
        if gap is None:
            return float("-inf")
        meaning = float(np.dot(article.embedding, story.centroid))
        wording = shared_wording(article, story, self.cross_language_scale)
        penalty = min(self.penalty_ceiling, self.decay_per_week * max(0, gap - self.grace_days) / 7)
        return self.embedding_weight * meaning + self.lexical_weight * wording - penalty
