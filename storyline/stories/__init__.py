"""Stories stage: what a story is called and, later, how it is explained.

A story shows the headline of its most central member: when an article
joins, its headline replaces the current one if it is closer to the updated
centroid. Cheap and incremental, and a story is not stuck with whichever
article happened to arrive first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyline.model import Article, StoryProfile, as_title_vector

__all__ = ["refresh_title", "retitle"]


def refresh_title(story: StoryProfile, article: Article) -> StoryProfile:
    """Let ``article``'s headline name the story when it is the most central one (unless an analyst named the story)."""
    if story.title_pinned or not article.title or article.embedding is None:
        return story
    centroid = story.centroid
    if story.title is None or story.title_vector is None or float(np.dot(article.embedding, centroid)) > float(np.dot(story.title_vector, centroid)):
        story.title, story.title_vector = article.title, as_title_vector(article.embedding)
    return story


def retitle(story: StoryProfile, members: Sequence[Article], title: str | None = None, *, pinned: bool = False) -> StoryProfile:
    """Name a story made again from its members (after an analyst's edit).

    ``title`` with ``pinned``: the analyst's title, kept when articles join later; ``title`` alone:
    that title as it was before (an undo puts it back), still open to new headlines; no ``title``:
    the headline of the original member closest to the centroid, where ``refresh_title`` settles.
    """
    story.title, story.title_vector, story.title_pinned = None, None, pinned and bool(title)
    if title and pinned:
        story.title = title
        return story
    for article in members:
        if article.duplicate_of is None:
            refresh_title(story, article)
    if title:
        source = next((a for a in members if a.title == title and a.embedding is not None), None)
        story.title = title
        story.title_vector = as_title_vector(source.embedding) if source is not None else story.title_vector
    return story
