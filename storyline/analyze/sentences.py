"""Sentences of an article, and their embeddings.

One splitter for every analyzer (dates, events, facts, summaries): a sentence
ends at . ! ? followed by a capital or an opening quote, at 。！？, or at a line break;
not after "a.m.", "U.S." or a title ("Gen. Powell", "Mr.").
"""

from __future__ import annotations

import re

import numpy as np

from storyline.analyze.embed import embed_texts
from storyline.words import word_count

SENTENCE_END = re.compile(
    r"[.!?…](?<!\b[A-Za-z]\.[A-Za-z]\.)(?<!\bM[rs]\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bGen\.)(?<!\bSen\.)"
    r"(?<!\bRep\.)(?<!\bGov\.)[.!?…]*[\"'»”’)\]]*\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ\"«„“¿¡])|[。！？]+[」』”）]*\s*|\n\s*"
)
# Sentences embedded per article: the lead carries the event; later ones add background and cost time.
EMBEDDED_SENTENCES = 16
MIN_WORDS = 4
MAX_SENTENCE_CHARS = 400
# A "sentence" longer than this is no sentence (a text without punctuation, a list run together):
# it is cut at a space, so that what reads a sentence at a time (tense, events) does bounded work.
LONGEST_SENTENCE = 2000


def sentence_starts(text: str) -> list[int]:
    """Where each sentence starts (0 first), the whitespace after the previous one included."""
    return bounded_starts(text, [0, *(match.end() for match in SENTENCE_END.finditer(text))])


def bounded_starts(text: str, starts: list[int]) -> list[int]:
    """Sentence starts (ascending, 0 first) with cuts added at spaces so that none is over LONGEST_SENTENCE."""
    bounded: list[int] = []
    for start, end in zip(starts, [*starts[1:], len(text)]):
        bounded.append(start)
        while end - bounded[-1] > LONGEST_SENTENCE:
            limit = bounded[-1] + LONGEST_SENTENCE
            space = text.rfind(" ", limit - LONGEST_SENTENCE // 2, limit)
            bounded.append(space + 1 if space >= 0 else limit)
    return bounded


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding spaces excluded."""
    starts = sentence_starts(text)
    spans = zip(starts, [*starts[1:], len(text)])
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in spans if text[s:e].strip()]


def embedded_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences worth embedding: the first ones with a few words at least."""
    chosen = [(s, e) for s, e in split_sentences(text) if word_count(text[s:e]) >= MIN_WORDS]
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
