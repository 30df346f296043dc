"""Content words of an article, folded so that spelling variants meet.

Words are lower-cased, transliterated to ASCII (anyascii: "Genève" -> "geneve",
"Рябков" -> "riabkov") and cut to their first six letters, a crude stemmer that
works in every language ("negotiations"/"negotiate", "Женева"/"Женеве") and
lets names match across languages. Stop words come from jusText's lists. Chinese
and Japanese, written without spaces, are cut otherwise (see ``content_terms``).
Terms are hashed into a fixed space so that document frequencies fit in one
array however many articles arrive.
"""

from __future__ import annotations

import functools
import logging
import re
import zlib
from collections.abc import Iterator

from anyascii import anyascii

from storyline.model import Article
from storyline.words import HAN_KANA, WORD, is_unspaced, stopwords

TERM_BUCKETS = 1 << 22
PREFIX = 6


@functools.lru_cache(maxsize=200_000)
def term_id(word: str) -> int:
    """Bucket of a folded word (stable across runs and platforms)."""
    return zlib.crc32(anyascii(word)[:PREFIX].encode()) % TERM_BUCKETS


# A run of Chinese or Japanese characters, else a word as ``WORD`` finds it.
TERM_PIECE = re.compile(rf"(?P<han_kana>[{HAN_KANA}]+)|{WORD.pattern}", re.UNICODE)


def content_terms(text: str, language: str | None) -> Iterator[int]:
    """Hashed folded content words of a text (stop words and words under three letters left out).

    Chinese and Japanese are written without spaces, and their words are hashed as written:
    transliterated (toneless, cut to six letters), most of them would collide. In Chinese, jieba
    finds the words (those of one character, mostly particles, are left out). Other runs of these
    characters (Japanese) give their overlapping pairs of characters, the usual unit of retrieval
    where no segmenter is at hand.
    """
    stop = stopwords(language)
    for match in TERM_PIECE.finditer(text):
        run = match.group("han_kana")
        if run and language == "zh":
            yield from (_characters_id(word) for word in _chinese_words(run) if len(word) >= 2)
            continue
        if run:
            yield from (_characters_id(run[i : i + 2]) for i in range(max(1, len(run) - 1)))
            continue
        word = match.group(0).lower()
        if (len(word) >= 3 or is_unspaced(word)) and word not in stop:
            yield term_id(word)


@functools.lru_cache(maxsize=200_000)
def _characters_id(characters: str) -> int:
    return zlib.crc32(characters.encode()) % TERM_BUCKETS


def _chinese_words(run: str) -> Iterator[str]:
    # Imported on first use: jieba builds its dictionary then (about 1.5 s), and most texts are not Chinese.
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on stderr
    return jieba.cut(run)


def term_counts(article: Article) -> dict[int, float]:
    """Hashed term -> count over title (counted twice: headlines name the event) and text."""
    counts: dict[int, float] = {}
    for text, weight in ((article.title or "", 2.0), (article.text, 1.0)):
        for term in content_terms(text, article.language):
            counts[term] = counts.get(term, 0.0) + weight
    return counts


def with_entity_terms(counts: dict[int, float], article: Article) -> dict[int, float]:
    """``counts`` plus one term per canonical entity the article names (after linking).

    Names are the words two languages share, but "Стамбул" and "Istanbul" fold to
    different words; their canonical entity is one and the same term in every script.
    """
    combined = dict(counts)
    for mention in article.mentions:
        if mention.entity_id:
            term = entity_term(mention.entity_id)
            combined[term] = combined.get(term, 0.0) + 1.0
    return combined


def entity_term(entity_id: str) -> int:
    """The hashed term standing for a canonical entity in every language."""
    return zlib.crc32(entity_id.encode()) % TERM_BUCKETS
