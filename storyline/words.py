"""What counts as a word, in any script: for length rules (boilerplate, sentences) and term statistics.

Chinese and Japanese are written without spaces; a word there is about two
characters, so a run of Han or kana counts one word per two characters.
"""

from __future__ import annotations

import functools
import re

import justext

UNSPACED_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{UNSPACED_CHARACTERS}]{{1,2}}|[^\W{UNSPACED_CHARACTERS}]+", re.UNICODE)
_UNSPACED = re.compile(rf"[{UNSPACED_CHARACTERS}]")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def is_unspaced(word: str) -> bool:
    """True for a chunk of Chinese or Japanese (two characters make a word there)."""
    return bool(_UNSPACED.match(word))


_STOPLISTS = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "it": "Italian", "ko": "Korean",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish",
}


@functools.lru_cache(maxsize=None)
def stopwords(language: str | None) -> frozenset[str]:
    """Stop words of a language from jusText's lists (English too, as news often quotes it)."""
    name = _STOPLISTS.get(language or "en", "English")
    return frozenset(justext.get_stoplist(name)) | frozenset(justext.get_stoplist("English"))
