"""Analyze stage: what each article says, as data that matching and stories use.

Everything here works on one article at a time with no shared state, so it
runs in worker processes: an embedding of title and lead (``embed``), a
MinHash fingerprint of the wording (``fingerprint``), folded content words
(``terms``) and the names mentioned (``entities``). Linking names to canonical
entities shared across articles needs the store and is done by
``linking.EntityLinker`` in the pipeline's main process.
"""

from __future__ import annotations

from collections.abc import Sequence

from storyline.analyze.embed import embed_texts, embedding_text
from storyline.analyze.entities import find_mentions
from storyline.analyze.fingerprint import fingerprint
from storyline.analyze.terms import term_counts
from storyline.model import Article

__all__ = ["analyze"]


def analyze(articles: Sequence[Article]) -> Sequence[Article]:
    """Fill each article's representations and analysis (embeddings in one batch)."""
    vectors = embed_texts([embedding_text(a) for a in articles])
    for article, vector in zip(articles, vectors):
        article.embedding = vector
        article.fingerprint = fingerprint(article.text)
        article.terms = term_counts(article)
        article.mentions = find_mentions(article.text, article.language)
    return articles
