"""MinHash fingerprints of an article's wording, for finding rewrites and syndicated copies."""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def normalized_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_hash(text: str) -> str:
    """Identical after case and whitespace folding means an exact duplicate."""
    return hashlib.sha256(" ".join(normalized_words(text)).encode()).hexdigest()


def fingerprint(text: str) -> np.ndarray:
    """MinHash signature (uint64[NUM_PERM]) over word 3-shingles."""
    words = normalized_words(text)
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    # datasketch loads scipy (about half a second): imported when an article is fingerprinted,
    # not by every command that imports this module.
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch([s.encode() for s in shingles])
    return minhash.hashvalues.astype(np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(a == b))
