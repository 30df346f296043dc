"""Content words of an article, folded so that spelling variants meet.

Words are lower-cased, stemmed where their language inflects them (Snowball, see
``stem``), transliterated to ASCII (anyascii: "Genève" -> "geneve", "Рябков" ->
"riabkov") and cut to their first six letters, a crude stemmer that works in
every language ("negotiations"/"negotiate") and lets names match across
languages. Stop words come from jusText's lists. Chinese and Japanese, written
without spaces, are cut otherwise (see ``content_terms``). Terms are hashed into
a fixed space so that document frequencies fit in one array however many
articles arrive.
"""

from __future__ import annotations

import functools
import logging
import re
import zlib
from collections.abc import Iterator

import Stemmer
from anyascii import anyascii

from storyline.model import Article
from storyline.words import HAN_KANA, WORD, is_unspaced, stopwords

TERM_BUCKETS = 1 << 22
PREFIX = 6
# Bump whenever a text gives other terms than before: a store's document frequencies and its
# stories' wording were counted in the terms of the version that wrote them.
# 1: Chinese and Japanese cut into fixed pairs of characters; 2: Chinese words found by jieba;
# 3: words stemmed (Snowball) in every language but English.
TERMS_VERSION = 3

# Snowball's stemmers by ISO 639-1 code. English keeps the six-letter cut alone: on the English
# story streams, stemming first lowered the blend's B-cubed F1 (mean of the training sets 0.740
# against 0.762; NewsWCL50's events of one month chained). In the SemEval-2022 pairs of one
# language, it decided "one event" better in Arabic (0.714 -> 0.875), Polish (0.545 -> 0.667)
# and Spanish (0.889 -> 0.929) and as well in the five other languages (docs/models/story_join.md).
# Where a word takes prefixes (Arabic "bi-", "al-") or long endings (Polish, Russian cases), its
# first six letters are not its stem.
SNOWBALL_STEMMERS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}


@functools.lru_cache(maxsize=200_000)
def term_id(word: str) -> int:
    """Bucket of a folded word (stable across runs and platforms)."""
    return zlib.crc32(anyascii(word)[:PREFIX].encode()) % TERM_BUCKETS


@functools.lru_cache(maxsize=400_000)
def stem(word: str, language: str | None) -> str:
    """``word`` (lower-cased) stemmed by its language's Snowball stemmer; as it is where none is used."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


@functools.lru_cache(maxsize=None)
def _stemmer(language: str | None) -> Stemmer.Stemmer | None:
    algorithm = SNOWBALL_STEMMERS.get(language or "")
    return Stemmer.Stemmer(algorithm) if algorithm else None


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
            yield term_id(stem(word, language))


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
