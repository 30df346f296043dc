"""What counts as a word, in any script: for length rules (boilerplate, sentences) and term statistics.

Chinese and Japanese are written without spaces; a word there is about two
characters, so a run of Han or kana counts one word per two characters.
"""

from __future__ import annotations

import re

UNSPACED_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{UNSPACED_CHARACTERS}]{{1,2}}|[^\W{UNSPACED_CHARACTERS}]+", re.UNICODE)
_UNSPACED = re.compile(rf"[{UNSPACED_CHARACTERS}]")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def is_unspaced(word: str) -> bool:
    """True for a chunk of Chinese or Japanese (two characters make a word there)."""
    return bool(_UNSPACED.match(word))
