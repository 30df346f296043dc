"""Incremental story clustering: each article joins the best-fitting story or opens a new one.

Articles are placed one by one in arrival order; the past is never
re-clustered. Candidate stories come from an approximate-nearest-neighbour
index over story centroids (usearch), so placing an article costs the same
whether the store holds a thousand stories or a million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from usearch.index import Index

from storyline.analyze.embed import EMBEDDING_DIM
from storyline.match.lexical import TermStatistics, accumulate
from storyline.match.scoring import BlendScorer, Scorer
from storyline.model import Article, SparseVector, StoryProfile


@dataclass(frozen=True)
class MatchSettings:
    """``threshold``: lowest score that joins a story; ``candidates``: stories scored per article."""

    threshold: float = 0.4
    candidates: int = 32


def story_id_for(article_id: str) -> str:
    """A story is named after the article that opened it: stable and reproducible."""
    return f"s-{article_id}"


def _key(story_id: str) -> int:
    return int(story_id.removeprefix("s-")[:16], 16)


class StoryMatcher:
    """Holds the profiles of known stories and places new articles among them."""

    def __init__(
        self,
        profiles: Iterable[StoryProfile] = (),
        *,
        term_statistics: TermStatistics | None = None,
        scorer: Scorer | None = None,
        settings: MatchSettings = MatchSettings(),
    ) -> None:
        self.scorer: Scorer = scorer or BlendScorer()
        self.term_statistics = term_statistics or TermStatistics()
        self.settings = settings
        self._profiles: dict[int, StoryProfile] = {}
        self._index = Index(ndim=EMBEDDING_DIM, metric="cos", dtype="f32")
        self._changed: dict[str, StoryProfile] = {}
        for profile in profiles:
            self._profiles[_key(profile.id)] = profile
            self._index.add(_key(profile.id), profile.centroid.astype(np.float32))

    def __len__(self) -> int:
        return len(self._profiles)

    def candidates(self, article: Article) -> list[StoryProfile]:
        """Stories whose centroid is among the nearest to the article."""
        if article.embedding is None or not self._profiles:
            return []
        found = self._index.search(article.embedding.astype(np.float32), min(self.settings.candidates, len(self._profiles)))
        return [self._profiles[int(key)] for key in found.keys]

    def place(self, article: Article) -> StoryProfile:
        """Put the article in its story (new or existing); sets ``story_id`` and ``match_score``."""
        article.term_vector = self.term_statistics.weigh(article.terms or {})
        self.term_statistics.add(article.terms or {})
        best, best_score = None, float("-inf")
        for profile in self.candidates(article):
            score = self.scorer.score(article, profile)
            if score > best_score:
                best, best_score = profile, score
        if best is not None and best_score >= self.settings.threshold:
            article.match_score = best_score
            return self._join(best, article, move_centroid=True)
        article.match_score = None
        return self._open(article)

    def attach(self, article: Article, story_id: str) -> StoryProfile:
        """Add a duplicate to its original's story without moving the centroid."""
        profile = self._profiles[_key(story_id)]
        return self._join(profile, article, move_centroid=False)

    def take_changed(self) -> list[StoryProfile]:
        """Profiles changed since the last call (what the store must save for this batch)."""
        changed = list(self._changed.values())
        self._changed.clear()
        return changed

    def _open(self, article: Article) -> StoryProfile:
        assert article.embedding is not None, "analyze() must run before match"
        day = article.published_day
        profile = StoryProfile(
            id=story_id_for(article.id),
            vector_sum=article.embedding.astype(np.float32).copy(),
            size=1,
            first_day=day,
            last_day=day,
            terms={article.language or "": article.term_vector} if article.term_vector is not None else {},
        )
        key = _key(profile.id)
        self._profiles[key] = profile
        self._index.add(key, profile.centroid.astype(np.float32))
        article.story_id = profile.id
        self._changed[profile.id] = profile
        return profile

    def _join(self, profile: StoryProfile, article: Article, *, move_centroid: bool) -> StoryProfile:
        profile.size += 1
        profile.first_day, profile.last_day = _widen(profile.first_day, profile.last_day, article.published_day)
        if move_centroid and article.embedding is not None:
            profile.vector_sum = profile.vector_sum + article.embedding.astype(np.float32)
            if article.term_vector is not None:
                language = article.language or ""
                profile.terms[language] = accumulate(profile.terms.get(language, SparseVector.empty()), article.term_vector)
            key = _key(profile.id)
            self._index.remove(key)
            self._index.add(key, profile.centroid.astype(np.float32))
        article.story_id = profile.id
        self._changed[profile.id] = profile
        return profile


def _widen(first: dt.date | None, last: dt.date | None, day: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    if day is None:
        return first, last
    return (min(first, day) if first else day), (max(last, day) if last else day)
