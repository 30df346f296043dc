"""Exact and near duplicates: syndicated copies and light rewrites are linked to their original.

Exact: the same words after case and whitespace folding (``text_hash``).
Near: MinHash locality-sensitive hashing over word 3-shingles; candidates
sharing a band are checked by estimated Jaccard similarity. Band keys live in
the store, so finding candidates costs an index lookup however large it grows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from storyline.analyze.fingerprint import NUM_PERM, similarity
from storyline.model import Article, DuplicateKind, KnownArticle

BANDS = 32
ROWS = NUM_PERM // BANDS
# Jaccard of word 3-shingles: syndicated copies with a new headline and lead
# score 0.6-0.9, different articles on the same event below 0.2.
NEAR_DUPLICATE_JACCARD = 0.5
# Below this many words a shared paragraph is too little evidence of copying.
MIN_WORDS_FOR_NEAR = 40


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of a MinHash signature."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


@dataclass(frozen=True)
class DuplicateMatch:
    original: KnownArticle
    kind: DuplicateKind
    similarity: float


class DuplicateFinder:
    """Find the original an article duplicates, among stored articles and the current batch.

    ``find_exact`` and ``find_by_bands`` look up stored articles (the pipeline
    passes the store's methods); articles of the batch not yet committed are
    remembered here until ``forget_pending``.
    """

    def __init__(
        self,
        find_exact: Callable[[str], KnownArticle | None],
        find_by_bands: Callable[[Sequence[int]], list[KnownArticle]],
    ) -> None:
        self._find_exact = find_exact
        self._find_by_bands = find_by_bands
        self._pending_exact: dict[str, KnownArticle] = {}
        self._pending_bands: dict[int, list[KnownArticle]] = {}

    def check(self, article: Article, text_hash: str, bands: Sequence[int]) -> DuplicateMatch | None:
        exact = self._pending_exact.get(text_hash) or self._find_exact(text_hash)
        if exact is not None:
            return DuplicateMatch(exact, "exact", 1.0)
        if article.fingerprint is None or len(article.text.split()) < MIN_WORDS_FOR_NEAR:
            return None
        candidates = {c.id: c for c in self._find_by_bands(bands)}
        for band in bands:
            candidates.update({c.id: c for c in self._pending_bands.get(band, [])})
        best: DuplicateMatch | None = None
        for candidate in candidates.values():
            if candidate.fingerprint is None:
                continue
            score = similarity(article.fingerprint, candidate.fingerprint)
            if score >= NEAR_DUPLICATE_JACCARD and (best is None or score > best.similarity):
                best = DuplicateMatch(candidate, "near", score)
        return best

    def remember(self, known: KnownArticle, text_hash: str, bands: Sequence[int]) -> None:
        self._pending_exact.setdefault(text_hash, known)
        for band in bands:
            self._pending_bands.setdefault(band, []).append(known)

    def forget_pending(self) -> None:
        """Call once the batch is committed: the store now answers for it."""
        self._pending_exact.clear()
        self._pending_bands.clear()
