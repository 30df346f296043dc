"""Analyze stage: representations of each article that matching and stories use.

For now: a multilingual embedding of title and lead (``embed``), a MinHash
fingerprint of the wording (``fingerprint``) and folded content words (``terms``).
"""

from __future__ import annotations

from collections.abc import Sequence

from storyline.analyze.embed import embed_texts, embedding_text
from storyline.analyze.fingerprint import fingerprint
from storyline.analyze.terms import term_counts
from storyline.model import Article

__all__ = ["analyze"]


def analyze(articles: Sequence[Article]) -> Sequence[Article]:
    """Fill ``embedding`` and ``fingerprint`` of each article (embeddings in one batch)."""
    vectors = embed_texts([embedding_text(a) for a in articles])
    for article, vector in zip(articles, vectors):
        article.embedding = vector
        article.fingerprint = fingerprint(article.text)
        article.terms = term_counts(article)
    return articles
