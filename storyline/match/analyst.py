"""Hooks that keep the matcher faithful to what analysts did to the stories (issue 16).

Analysts merge, split and move articles between stories (``Storyline.merge_stories`` and
the others; the edit log is in the store). Two hooks make the matcher respect that:

- ``rebuild_profile``: a story edited by hand gets its profile (centroid, span, wording,
  entities) made again from its members by replaying the matcher's own open and join steps,
  so later articles are scored against the story as the analyst left it. It must stay the
  matcher's way of building a profile: if the matcher changes how a story takes an
  article, this replay changes with it (tests/test_edits.py compares it with a story the
  matcher grew itself).
- ``StorySource.kept_apart``: ``StoryMatcher.place`` asks it before merging two stories;
  the store answers from the pairs analysts separated (a split, or an article moved out),
  which follow their stories through later merges. A matcher that merges stories in any
  other way must ask it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from storyline.analyze.terms import term_counts, with_entity_terms
from storyline.match.lexical import TermStatistics
from storyline.match.stories import StoryMatcher
from storyline.model import Article, StoryProfile


def rebuild_profile(story_id: str, members: Sequence[Article], term_statistics: TermStatistics) -> StoryProfile:
    """The profile of story ``story_id`` made of ``members`` (in arrival order, with embeddings and analysis).

    Replays ``StoryMatcher``'s open (first member) and join (each next one; a copy of another
    article joins without moving the centroid, as ``attach`` does) on a matcher holding nothing
    else. Term weights use ``term_statistics`` as they are now; it is not changed. The title is
    left to the stories stage (``stories.retitle``).
    """
    if not members:
        raise ValueError(f"story {story_id} has no member to rebuild it from")
    matcher = StoryMatcher(term_statistics=term_statistics)
    profile: StoryProfile | None = None
    for article in members:
        article.term_vector = term_statistics.weigh(with_entity_terms(article.terms or term_counts(article), article))
        if profile is None:
            profile = matcher._open(article)
        else:
            profile = matcher._join(profile, article, move_centroid=article.duplicate_of is None)
        article.story_id = story_id
    assert profile is not None
    profile.id = story_id
    return profile
