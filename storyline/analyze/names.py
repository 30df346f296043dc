"""Keys under which the spellings of one name meet, across languages.

Two keys per name:

- ``plain_key``: ASCII, lower case, no titles. Names written the same way in
  every language ("Javiera Ulloa", "Wendy Sherman") match on it.
- ``sound_key``: the plain key with the writing conventions of the article's
  language undone, for names transliterated from another script: "Sergej
  Rjabkow" (German), "Sergueï Riabkov" (French), "Serguéi Riabkov" (Spanish),
  "Sergey Ryabkov" (English) and "Сергей Рябков" all give "sergei riabkov";
  "Vladimir Poutine" and "Путин" meet "Putin".

Written by hand because no library folds transliteration variants
(anyascii only transliterates). Keys only propose candidates: the linker still
requires the same type and compatible first names, because string similarity
alone merges "Sherman" with "Sharma".
"""

from __future__ import annotations

import functools
import re

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

Folds = tuple[tuple[re.Pattern[str], str], ...]


def _folds(*pairs: tuple[str, str]) -> Folds:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


# How each language writes sounds of other scripts (mostly Russian), undone.
_LANGUAGE_FOLDS: dict[str, Folds] = {
    "de": _folds(("tsch", "ch"), ("sch", "sh"), ("j", "i"), ("w", "v")),
    "fr": _folds(("ou", "u"), ("j", "zh"), ("gu(?=[ei])", "g"), ("ch", "sh"), ("ine\\b", "in")),
    "es": _folds(("j", "h"), ("gu(?=[ei])", "g")),
    "it": _folds(("gh", "g"), ("sc(?=[ei])", "sh"), ("c(?=[ei])", "ch")),
    "pl": _folds(("sz", "sh"), ("cz", "ch"), ("w", "v"), ("j", "i")),
}
# Then everywhere: one spelling per sound.
_COMMON_FOLDS = _folds(
    ("(?<=[aou])e", ""),  # German umlauts typed without them: Joerg / Jörg
    ("zh", "sh"),  # Жуков / Шойгу are both written "sch" in German
    ("z", "s"),  # Зеленский: Zelensky / Selenskyj
    ("kh", "h"),
    ("ph", "f"),
    ("ck|c(?=[aou])", "k"),  # Carrère / Каррер
    ("[yj]", "i"),
    ("i{2,}", "i"),  # Dmitrii / Dmitriy / Dmitrij
    ("ie\\b", "i"),
    ("(.)\\1", "\\1"),  # double letters
)
_NON_LETTERS = re.compile(r"[^a-z ]+")
# anyascii writes the soft and hard signs as apostrophes (Кузьмин -> Kuz'min): part of the word, not a break.
_APOSTROPHES = re.compile(r"['’`ʼ]")
# Consonant classes for the skeleton key: letters that transliterations swap.
_SKELETON = str.maketrans({"c": "k", "q": "k", "g": "k", "w": "v", "f": "v", "z": "s", "x": "ks", "d": "t", "b": "p"})
_SKELETON_FOLDS = _folds(("tsch", "ch"), ("sch", "sh"), ("[kz]h", "h"), ("ph", "f"))
_SPACES = re.compile(r"\s+")

# Words that introduce a name without being part of it (ASCII, lower case).
TITLES = frozenset(
    """mr mrs ms dr prof sir president vice deputy minister secretary under assistant foreign state interior defence
    defense finance trade economy affairs senator governor mayor general chancellor premier prime spokesman spokeswoman
    spokesperson ambassador judge king queen prince pope commissioner director chief head leader
    m mme mlle me ministre secretaire porte parole maire vice ministre
    herr frau ministerin kanzler kanzlerin prasident prasidentin sprecher sprecherin burgermeister aussenminister
    sr sra senor senora presidente ministro ministra secretario portavoz alcalde alcaldesa
    gospodin prezident ministr zamministra posol mer""".split()
)


@functools.lru_cache(maxsize=200_000)
def plain_key(name: str, person: bool = False) -> str:
    """ASCII, lower case; for a person without leading titles: "Deputy Foreign Minister Sergei Ryabkov" -> "sergei ryabkov"."""
    # Hyphens join: "Fabre-Marchetti" is one surname, "Anne-Sophie" one given name.
    ascii_name = _APOSTROPHES.sub("", anyascii(name).lower()).replace("-", "")
    words = _SPACES.sub(" ", _NON_LETTERS.sub(" ", ascii_name)).split()
    while person and len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    return " ".join(words)


@functools.lru_cache(maxsize=200_000)
def sound_key(name: str, language: str | None = None, person: bool = False) -> str:
    """The plain key with transliteration conventions folded (see the module docstring)."""
    key = plain_key(name, person)
    for pattern, replacement in _LANGUAGE_FOLDS.get(language or "", ()) + _COMMON_FOLDS:
        key = pattern.sub(replacement, key)
    return key


@functools.lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonants of a folded word, with look-alike consonants merged: "whitcombe" and "uitkomb" -> "tkmp".

    Back-transliteration from Cyrillic loses vowels and silent letters
    ("Уиткомб" for Whitcombe, "Альберс" for Albers); the skeleton survives.
    """
    for pattern, replacement in _SKELETON_FOLDS:
        word = pattern.sub(replacement, word)
    consonants = re.sub(r"[aeiouyhjw ]", "", word).translate(_SKELETON)
    return re.sub(r"(.)\1+", r"\1", consonants)


def latin(text: str) -> bool:
    """Written in Latin script (Basic Latin through IPA blocks: no Greek, Cyrillic, Arabic, CJK)."""
    return all(ord(ch) < 0x0370 for ch in text)


_PARTICLES = frozenset("de del la las los le les du des da do of the and for fur und et y e el di van von der den".split())


def acronyms(name: str) -> set[str]:
    """Acronyms a multi-word organisation name may go by: "Instituto Geofísico del Perú" -> {"igdp", "igp"}."""
    words = plain_key(name).split()
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _PARTICLES)} - {""}


def as_acronym(name: str) -> str | None:
    """The letters of a name written as an acronym ("ESA", "ver.di", "IGP"), else None."""
    letters = re.sub(r"[.\s]", "", name)
    if 2 <= len(letters) <= 7 and letters.isalpha() and (letters.isupper() or "." in name):
        return anyascii(letters).lower()
    return None


def surname(key: str) -> str:
    """The last word of a person's (plain or sound) key."""
    return key.rsplit(" ", 1)[-1] if key else ""


def given_names(key: str) -> str:
    """Everything before the surname in a person's key."""
    return key.rsplit(" ", 1)[0] if " " in key else ""


def given_names_compatible(a: str, b: str) -> bool:
    """Can two given-name parts belong to one person? ("sergei"/"serge", "s"/"sergei", ""/"anything")."""
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b or JaroWinkler.similarity(a, b) >= 0.88


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two keys (0..1)."""
    return float(JaroWinkler.similarity(a, b))
