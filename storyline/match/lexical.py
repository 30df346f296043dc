"""TF-IDF over hashed terms, with document frequencies that grow as articles arrive.

Embeddings know that two texts are about an earthquake; shared specific words
(places, names, numbers) tell *which* earthquake. On ECB+, where every topic
holds two events of the same kind, lexical overlap separates them far better
than embeddings alone (bench/ecbplus.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from storyline.analyze.terms import TERM_BUCKETS
from storyline.model import SparseVector

ARTICLE_TERMS = 100
STORY_TERMS = 200
# Imaginary documents that contain none of the terms: until the store is large,
# idf stays nearly flat instead of punishing the very words two reports share.
PRIOR_DOCUMENTS = 100


def cosine(a: SparseVector, b: SparseVector) -> float:
    if not len(a.terms) or not len(b.terms):
        return 0.0
    _, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    if not len(ia):
        return 0.0
    return float(np.dot(a.weights[ia], b.weights[ib]) / (a.norm * b.norm))


def accumulate(total: SparseVector, added: SparseVector, limit: int = STORY_TERMS) -> SparseVector:
    """``total + added``, keeping the ``limit`` heaviest terms (a story's vocabulary stays bounded)."""
    merged = dict(zip(total.terms.tolist(), total.weights.tolist()))
    for term, weight in zip(added.terms.tolist(), added.weights.tolist()):
        merged[term] = merged.get(term, 0.0) + weight
    return SparseVector.from_dict(merged, limit)


class TermStatistics:
    """Document frequencies of hashed terms over every article seen so far."""

    def __init__(self, frequencies: Mapping[int, int] | None = None, documents: int = 0) -> None:
        self.frequencies = np.zeros(TERM_BUCKETS, dtype=np.int32)
        for term, count in (frequencies or {}).items():
            self.frequencies[term] = count
        self.documents = documents
        self._changed: set[int] = set()

    def weigh(self, counts: Mapping[int, float]) -> SparseVector:
        """Unit-length TF-IDF vector (sublinear tf, smoothed idf) of an article's ``ARTICLE_TERMS`` heaviest terms."""
        if not counts:
            return SparseVector.empty()
        terms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        idf = np.log((self.documents + PRIOR_DOCUMENTS + 1) / (self.frequencies[terms] + 1)) + 1.0
        weights = tf * idf
        if len(terms) > ARTICLE_TERMS:
            keep = np.argpartition(-weights, ARTICLE_TERMS)[:ARTICLE_TERMS]
            terms, weights = terms[keep], weights[keep]
        order = np.argsort(terms)
        terms, weights = terms[order], weights[order]
        return SparseVector(terms, (weights / np.linalg.norm(weights)).astype(np.float32))

    def add(self, counts: Mapping[int, float]) -> None:
        """Count one more document containing these terms."""
        terms = list(counts)
        self.frequencies[terms] += 1
        self.documents += 1
        self._changed.update(terms)

    def refresh(self, frequencies: Mapping[int, int], documents: int) -> None:
        """Take in frequencies another writer saved (they are counts over every article stored, this one's included)."""
        if frequencies:
            self.frequencies[np.fromiter(frequencies.keys(), dtype=np.int64)] = np.fromiter(frequencies.values(), dtype=np.int64)
        self.documents = documents

    def take_changed(self) -> dict[int, int]:
        """Frequencies changed since the last call (what the store must save for this batch)."""
        changed = {term: int(self.frequencies[term]) for term in self._changed}
        self._changed.clear()
        return changed
