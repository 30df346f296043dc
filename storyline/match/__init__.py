"""Match stage: duplicates of earlier articles, and the story each article belongs to."""

from storyline.match.duplicates import DuplicateFinder, band_keys
from storyline.match.lexical import TermStatistics
from storyline.match.scoring import BlendScorer, LearnedScorer, Scorer
from storyline.match.stories import MatchSettings, StoryMatcher

__all__ = ["BlendScorer", "LearnedScorer", "DuplicateFinder", "MatchSettings", "Scorer", "StoryMatcher", "TermStatistics", "band_keys"]
