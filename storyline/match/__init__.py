"""Match stage: duplicates of earlier articles, and the story each article belongs to."""

from storyline.match.duplicates import DuplicateFinder, band_keys
from storyline.match.scoring import EmbeddingScorer, Scorer
from storyline.match.stories import MatchSettings, StoryMatcher

__all__ = ["DuplicateFinder", "EmbeddingScorer", "MatchSettings", "Scorer", "StoryMatcher", "band_keys"]
