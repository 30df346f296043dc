"""Features of the paragraphs of a scraped page, for telling article text from page furniture.

Each paragraph gets a row of numbers about itself (length, punctuation, capitals, stop words,
known furniture patterns) and about where it sits (its neighbours, the densest run of prose on
the page). A model learned from annotated real pages (``line_model``) turns the rows into labels.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from storyline.clean import boilerplate as bp
from storyline.clean.metadata import author_from_byline
from storyline.words import WORD, best_stoplist, is_unspaced, stoplist_words, stopwords, word_count

_SENTENCE_INSIDE = re.compile(r"[.!?…][\"'»”’)\]]*\s+[\"«„“]?[A-ZÀ-ÖØ-ÞА-ЯЁ]|[。！？]」?(?=.)")
_URL = re.compile(r"https?://|www\.|\S{1,64}@\S{1,255}\.\w+|\.(com|org|net|de|fr|uk)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_PIPE = re.compile(r"\s[|•·›»/]\s")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")

OWN = (
    "log_words", "log_chars", "sentence_end", "sentences_inside", "alpha_ratio", "digit_ratio", "upper_initial_ratio",
    "all_caps_ratio", "stopword_ratio", "frequent_word_ratio", "comma_per_word", "starts_lower", "starts_quote",
    "ends_colon", "has_url", "pipes", "bullet", "numbered", "pattern", "menu", "caption_credit", "byline", "time", "year",
    "repeated", "same_as_first", "mean_word_length", "title_overlap", "keyword_overlap",
)
CONTEXT = ("log_words", "sentence_end", "stopword_ratio", "frequent_word_ratio", "pattern", "upper_initial_ratio", "keyword_overlap")
# The page's keywords: the most frequent content words of its prose paragraphs (the article's
# subject; teasers for other articles and menus share few of them).
KEYWORDS = 25
PROSE_WORDS = 12
OFFSETS = (-3, -2, -1, 1, 2, 3)
PAGE = (
    "position", "before_main", "after_main", "in_main", "distance_to_main", "log_main_words_share",
    "window_words", "window_sentences", "log_units", "words_before_share", "words_after_share",
    "has_anchor", "after_anchor", "units_from_anchor", "words_from_anchor", "is_anchor",
)
FEATURES = OWN + tuple(f"{name}@{offset}" for offset in OFFSETS for name in CONTEXT) + PAGE


def _content_words(words: list[str], stop: frozenset[str]) -> list[str]:
    return [w for w in words if w not in stop and (len(w) >= 3 or is_unspaced(w))]


def _own_features(
    text: str, stop: frozenset[str], frequent: frozenset[str], counts: Counter[str], first_key: str,
    title_words: frozenset[str], keywords: frozenset[str],
) -> list[float]:
    words = [w.lower() for w in WORD.findall(text)]
    content = _content_words(words, stop)
    n = len(words) or 1
    chars = len(text) or 1
    stripped = text.strip()
    key = " ".join(words)
    caps = [w for w in WORD.findall(text) if w[:1].isupper()]
    return [
        math.log1p(len(words)),
        math.log1p(len(text)),
        float(bool(bp.SENTENCE_END.search(stripped)) and not stripped.endswith(":")),
        float(len(_SENTENCE_INSIDE.findall(stripped))),
        sum(ch.isalpha() for ch in text) / chars,
        len(_DIGIT.findall(text)) / chars,
        len(caps) / n,
        sum(1 for w in caps if len(w) > 1 and w.isupper()) / n,
        sum(1 for w in words if w in stop) / n,
        sum(1 for w in words if w in frequent) / n,
        text.count(",") / n,
        float(stripped[:1].islower()),
        float(stripped[:1] in "\"'«»„“”‘’"),
        float(stripped.endswith(":")),
        float(bool(_URL.search(text))),
        float(len(_PIPE.findall(text))),
        float(bool(bp.LIST_BULLET.match(text))),
        float(bool(bp.NUMBERED_ITEM.match(text))),
        float(bp.matches_pattern(text)),
        float(bp.is_menu(text)),
        float(bp.is_caption_with_credit(text)),
        float(author_from_byline(stripped) is not None),
        float(bool(_TIME.search(text))),
        float(bool(_YEAR.search(text))),
        float(counts[key] > 1),
        float(bool(key) and key == first_key),
        sum(len(w) for w in words) / n,
        len(title_words.intersection(content)) / len(title_words) if title_words else 0.0,
        sum(1 for w in content if w in keywords) / (len(content) or 1),
    ]


def _main_run(weights: list[float]) -> tuple[int, int]:
    """The run of paragraphs with the largest total weight (Kadane): the body's likely extent."""
    best, best_span = -math.inf, (0, -1)
    total, start = 0.0, 0
    for i, w in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += w
        if total > best:
            best, best_span = total, (start, i)
    return best_span


def _window_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Sum of each value and its ``radius`` neighbours on either side."""
    padded = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(len(values))
    return padded[np.minimum(index + radius + 1, len(values))] - padded[np.maximum(index - radius, 0)]


def headline_anchor(keys: list[str], title_key: str, *, first_is_headline: bool) -> int | None:
    """The paragraph that repeats the headline (the page's <h1> under its <title> line), if any.

    Scraped pages start with the <title> ("Headline | Section | Outlet"); the article starts
    after the headline's second appearance, below menus and teasers (ScrapingHub, fundus pages).
    ``keys`` are the paragraphs' lower-cased words; the first paragraph is skipped when it is
    the headline itself.
    """
    title_words = set(title_key.split())
    if len(title_words) < 2:
        return None
    start = 1 if first_is_headline else 0
    for i, key in enumerate(keys[start:], start=start):
        words = key.split()
        if len(words) >= 2 and len(set(words) & title_words) >= max(2, 0.8 * len(set(words))) and len(words) >= 0.4 * len(title_words):
            return i
    return None


def page_stopwords(paragraphs: list[str]) -> frozenset[str]:
    """The stop words of the jusText list that fits the page best (``words.best_stoplist``), whatever language was detected."""
    return stoplist_words(best_stoplist(w.lower() for p in paragraphs for w in WORD.findall(p)))


def content_words(text: str, stop: frozenset[str]) -> list[str]:
    """Lower-cased words of a text without stop words and words under three letters."""
    return _content_words([w.lower() for w in WORD.findall(text)], stop)


def prose_vocabulary(paragraphs: list[str], stop: frozenset[str]) -> Counter[str]:
    """How often each content word occurs in the page's prose (paragraphs of sentences): what the article is about."""
    return Counter(
        w
        for p in paragraphs
        if word_count(p) >= PROSE_WORDS and bp.SENTENCE_END.search(p)
        for w in content_words(p, stop)
    )


def features(paragraphs: list[str], language: str | None, title: str | None = None) -> np.ndarray:
    """One row of ``FEATURES`` per paragraph; ``title`` is the headline when known (else the first paragraph is)."""
    stop = stopwords(language)
    keys = [" ".join(w.lower() for w in WORD.findall(p)) for p in paragraphs]
    counts = Counter(keys)
    vocabulary = Counter(w for key in keys for w in key.split())
    frequent = frozenset(w for w, _ in vocabulary.most_common(30))
    title_key = " ".join(w.lower() for w in WORD.findall(title)) if title else (keys[0] if keys else "")
    title_words = frozenset(_content_words(title_key.split(), stop))
    prose = prose_vocabulary(paragraphs, stop)
    keywords = frozenset(w for w, _ in prose.most_common(KEYWORDS))
    own = np.array(
        [_own_features(p, stop, frequent, counts, keys[0] if keys else "", title_words, keywords) for p in paragraphs], dtype=np.float64
    ).reshape(len(paragraphs), len(OWN))
    n = len(paragraphs)
    index = {name: OWN.index(name) for name in CONTEXT}
    context = []
    for offset in OFFSETS:
        shifted = np.zeros((n, len(CONTEXT)))
        lo, hi = max(0, -offset), min(n, n - offset)
        if lo < hi:
            shifted[lo:hi] = own[lo + offset : hi + offset][:, [index[c] for c in CONTEXT]]
        context.append(shifted)
    words = np.array([word_count(p) for p in paragraphs], dtype=np.float64)
    prose = own[:, OWN.index("sentence_end")] * (words >= 8) + (words >= 25)
    # Prose paragraphs add their words, the rest cost a few: the best run is the article's stretch.
    start, end = _main_run([w if p else -min(w, 10.0) - 2.0 for w, p in zip(words, prose)])
    position = np.arange(n, dtype=np.float64)
    total_words = words.sum() or 1.0
    cumulative = np.cumsum(words)
    window = _window_sum(words * (prose > 0), 3)
    window_sentences = _window_sum((prose > 0).astype(float), 3)
    anchor = headline_anchor(keys, title_key, first_is_headline=title is None)
    from_anchor = position - (anchor if anchor is not None else 0)
    words_from_anchor = cumulative - words - (cumulative[anchor] if anchor is not None else 0.0)
    distance = np.where(position < start, start - position, np.where(position > end, position - end, 0.0))
    page = np.column_stack(
        [
            position / max(n - 1, 1),
            (position < start).astype(float),
            (position > end).astype(float),
            ((position >= start) & (position <= end)).astype(float),
            np.log1p(distance),
            np.full(n, math.log1p(100 * words[start : end + 1].sum() / total_words)),
            np.log1p(window),
            window_sentences,
            np.full(n, math.log1p(n)),
            (cumulative - words) / total_words,
            (total_words - cumulative) / total_words,
            np.full(n, float(anchor is not None)),
            (from_anchor > 0).astype(float),
            np.sign(from_anchor) * np.log1p(np.abs(from_anchor)),
            np.sign(words_from_anchor) * np.log1p(np.abs(words_from_anchor)),
            (from_anchor == 0).astype(float) * (anchor is not None),
        ]
    )
    return np.hstack([own, *context, page])
