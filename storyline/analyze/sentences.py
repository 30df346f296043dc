"""Sentences of an article, and their embeddings.

One splitter for every analyzer (dates, tense, events, quotations, facts, summaries):
``split_sentences``. A line break always ends a sentence (a page's headline, date line and
paragraphs); within a line, razdel (the natasha project's rule-based segmenter) finds the
sentences, then a break right after an abbreviation that razdel does not know is undone.

razdel was measured against pysbd, sentencex and the hand-made regular expression this module
had before (``bench/sentences.py``: ECB+ for English, GermEval 2014 for German, the Spanish
TimeBank, hand-labelled contested positions of SemEval-2022 texts for French and Russian): it
has the best recall in every language and costs a fraction of a millisecond per article
(pysbd 30-50 times more); its errors are nearly all breaks after abbreviations of titles and
units ("Sgt.", "Gov.", "Mrd.", "bzw.") and after German ordinals ("am 18. Mai"), which the
lists below repair. It knows Russian abbreviations and initials ("В. В. Путин", "т. е.") itself.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from storyline.analyze.embed import embed_texts
from storyline.words import word_count

# Sentences embedded per article: the lead carries the event; later ones add background and cost time.
EMBEDDED_SENTENCES = 16
MIN_WORDS = 4
MAX_SENTENCE_CHARS = 400

# Words whose full stop ends no sentence when more text follows on the line, per language (lower
# case, without the stop; dotted forms keep their inner stops). Titles and ranks before a name,
# months, units and Latin shorthands: the breaks razdel made after them in ECB+ (English) and
# GermEval 2014 (German) news, and the titles written before names in the other languages' news.
_COMMON = "dr prof st ca vs cf approx".split()
ABBREVIATIONS: dict[str, frozenset[str]] = {
    language: frozenset(_COMMON + words.split())
    for language, words in {
        "en": "mr mrs ms messrs jr sr gen sen rep reps sens gov govs lt col maj capt cpl sgt adm cmdr const det insp supt "
        "rev hon pres amb atty attys gens brig pfc cdr ft mt jan feb mar apr aug sept sep oct nov dec corp inc co ltd "
        "bros dist no nos ave blvd rd univ dept est fig a.m p.m u.s u.k u.n e.g i.e",
        "fr": "m mm mme mmes mlle mlles me mgr pr av bd ste env art janv févr avr juill sept oct nov déc",
        "de": "hr fr frl bzw vgl z.b u.a d.h s.o o.ä usw nr mio mrd tsd abs art bd jh jhd ggf inkl evtl str geb gest "
        "dipl ing hrsg verf min max ff jan feb febr aug sept okt nov dez",
        "es": "sr sra sres srta dra dña d ud uds vd vds lic ing gral av avda pág núm tel ene feb abr ago sept oct nov dic",
        "ru": "г гг т д им ул св тыс млн млрд руб долл пр просп обл р-н",
    }.items()
}
# Before a number only: "No. 5", "Nr. 3".
_BEFORE_NUMBER = frozenset("no nos nr núm art p pp".split())
# A one- or two-digit number then a stop is an ordinal in German ("am 18. Mai", "der 2. Weltkrieg"):
# the commonest remaining break of razdel's in GermEval 2014.
_ORDINAL_LANGUAGES = frozenset({"de"})
_SPACED_SHORTHAND = re.compile(r"\w\.")
_LAST_WORD = re.compile(r"(\w+(?:\.\w+)*)\.$")
_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding spaces excluded; ``language`` picks the abbreviations
    (ISO 639-1; None or another language takes the English ones)."""
    return list(_split(text, language))


@functools.lru_cache(maxsize=32)
def _split(text: str, language: str | None) -> tuple[tuple[int, int], ...]:
    """Cached: dates, tense, quotations and events of one article each ask for its sentences."""
    abbreviations = ABBREVIATIONS.get((language or "en")[:2], ABBREVIATIONS["en"])
    ordinals = (language or "")[:2] in _ORDINAL_LANGUAGES
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        offset = line.start()
        pieces = _segments(line.group())
        start, end = pieces[0]
        for next_start, next_end in pieces[1:]:
            if _goes_on(line.group()[start:end], line.group()[next_start:next_end], abbreviations, ordinals):
                end = next_end
                continue
            spans.append((offset + start, offset + end))
            start, end = next_start, next_end
        spans.append((offset + start, offset + end))
    return tuple(spans)


def _segments(line: str) -> list[tuple[int, int]]:
    import razdel  # imported when first used: a dependency of natasha, loaded with it

    return [(s.start, s.stop) for s in razdel.sentenize(line)] or [(0, len(line))]


def _goes_on(sentence: str, following: str, abbreviations: frozenset[str], ordinals: bool) -> bool:
    """Whether a break razdel made after ``sentence`` is only an abbreviation's (or an initial's) stop."""
    last = _LAST_WORD.search(sentence[-60:])  # the tail only: searching a whole sentence costs more than the split
    if last is None:
        return False
    word = last.group(1)
    folded = word.lower()
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith", "В. Путин"
    if len(word) == 1 and word.isalpha():
        return _SPACED_SHORTHAND.match(following) is not None  # "z. B.", "u. a." (not "и т. д. Затем")
    if folded in abbreviations:
        return True
    if folded in _BEFORE_NUMBER:
        return following[:1].isdigit()
    return ordinals and word.isdigit() and len(word) <= 2


def embedded_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """The sentences worth embedding: the first ones with a few words at least."""
    chosen = [(s, e) for s, e in split_sentences(text, language) if word_count(text[s:e]) >= MIN_WORDS]
    return chosen[:EMBEDDED_SENTENCES]


def embed_sentences(texts: list[str], spans: list[list[tuple[int, int]]]) -> list[np.ndarray]:
    """One (sentences x 512) array per text, all texts embedded in one batch."""
    flat = [text[s:e][:MAX_SENTENCE_CHARS] for text, own in zip(texts, spans) for s, e in own]
    vectors = embed_texts(flat)
    out, position = [], 0
    for own in spans:
        out.append(vectors[position : position + len(own)])
        position += len(own)
    return out
