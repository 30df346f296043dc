"""What counts as a word, in any script: for length rules (boilerplate, sentences) and term statistics.

Chinese and Japanese are written without spaces; a word there is about two
characters, so a run of Han or kana counts one word per two characters. Thai, Lao,
Khmer and Burmese leave spaces between phrases, not words: a run of their letters
(vowel signs and tone marks included) counts one word per three characters (a Thai
page of newspaper4k's tests read as a dozen "words" and lost its whole text).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer blocks
UNSPACED_CHARACTERS = HAN_KANA + SOUTHEAST_ASIAN
WORD = re.compile(rf"[{HAN_KANA}]{{1,2}}|[{SOUTHEAST_ASIAN}]{{1,3}}|[^\W{UNSPACED_CHARACTERS}]+", re.UNICODE)
_UNSPACED = re.compile(rf"[{UNSPACED_CHARACTERS}]")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def is_unspaced(word: str) -> bool:
    """True for a chunk of a script written without spaces between words (Chinese, Japanese, Thai...)."""
    return bool(_UNSPACED.match(word))


_STOPLISTS = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "it": "Italian", "ko": "Korean",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish",
}


@functools.lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext  # loads lxml's HTML parser: imported when a text is first read, not by every command

    return {name: frozenset(justext.get_stoplist(name)) for name in justext.get_stoplists()}


MIN_STOPLIST_COVERAGE = 0.05


@functools.lru_cache(maxsize=1)
def _lists_of_word() -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    for name, words in sorted(_stoplists().items()):
        for word in words:
            lists.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in lists.items()}


def best_stoplist(words: Iterable[str]) -> str | None:
    """The name of jusText's stop list (100 languages) that covers most of these lower-cased words.

    Language detection knows only the languages Storyline analyses; a Norwegian or Czech page
    still has its stop words. None when no list covers a word (Chinese, Japanese, Thai).
    """
    words = list(words)
    lists_of = _lists_of_word()
    coverage: Counter[str] = Counter()
    for word, n in Counter(words).items():
        for name in lists_of.get(word, ()):
            coverage[name] += n
    if not coverage:
        return None
    name, covered = coverage.most_common(1)[0]
    # A real match covers a third of a page's words or more (fundus pages in 20 languages); a
    # Japanese page's few Latin words are covered by some list by chance.
    return name if covered >= MIN_STOPLIST_COVERAGE * sum(1 for _ in words) else None


@functools.lru_cache(maxsize=None)
def stoplist_words(name: str | None) -> frozenset[str]:
    """One of jusText's stop lists by name, with English's (news often quotes English); English alone for None."""
    return _stoplists().get(name or "English", frozenset()) | _stoplists()["English"]


@functools.lru_cache(maxsize=None)
def stopwords(language: str | None) -> frozenset[str]:
    """Stop words of a language from jusText's lists (English too, as news often quotes it)."""
    return stoplist_words(_STOPLISTS.get(language or "en", "English"))
