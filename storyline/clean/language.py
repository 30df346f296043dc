"""Language identification with lingua, restricted to the languages Storyline supports."""

from __future__ import annotations

import functools

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# The languages of the multilingual sentence encoder (USE-multilingual v3): an
# article in another language could not be matched across languages anyway.
SUPPORTED_LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")

# Enough text to be sure, little enough to stay fast on long articles.
_SAMPLE_CHARS = 2000


@functools.lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.05).build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or ambiguous."""
    sample = text[:_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    language = _detector().detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language else None


def normalize_language(value: str | None) -> str | None:
    """Accept "en", "EN", "en-US", "eng" or "English"; return ISO 639-1 or None."""
    if not value:
        return None
    value = value.strip()
    head = value.replace("_", "-").split("-")[0].lower()
    if len(head) == 2 and hasattr(IsoCode639_1, head.upper()):
        return head
    for language in Language.all():
        if head in {language.iso_code_639_3.name.lower(), language.name.lower()}:
            return language.iso_code_639_1.name.lower()
    return None
