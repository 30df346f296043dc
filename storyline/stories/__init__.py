"""Stories stage: what a story is called and, later, how it is explained.

A story shows the headline of its most central member: when an article
joins, its headline replaces the current one if it is closer to the updated
centroid. Cheap and incremental, and a story is not stuck with whichever
article happened to arrive first.
"""

from __future__ import annotations

import numpy as np

from storyline.model import Article, StoryProfile

__all__ = ["refresh_title"]


def refresh_title(story: StoryProfile, article: Article) -> StoryProfile:
    """Let ``article``'s headline name the story when it is the most central one."""
    if not article.title or article.embedding is None:
        return story
    centroid = story.centroid
    if story.title is None or story.title_vector is None or float(np.dot(article.embedding, centroid)) > float(np.dot(story.title_vector, centroid)):
        story.title, story.title_vector = article.title, article.embedding.astype(np.float32)
    return story
