"""Analyze stage: what each article says, as data that matching and stories use.

Everything here works on one article at a time with no shared state, so it
runs in worker processes: an embedding of title and lead (``embed``), a
MinHash fingerprint of the wording (``fingerprint``), folded content words
(``terms``), the names mentioned (``entities``) and the places among them,
geocoded (``places``), dates resolved against the publication date (``times``),
quotations with their speakers (``quotes``) and events (``events``). Linking names to canonical
entities shared across articles needs the store and is done by
``linking.EntityLinker`` in the pipeline's main process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from storyline.analyze._quote_cues import CUES_BY_LANGUAGE
from storyline.analyze.embed import EMBEDDING_DIM, embed_texts
from storyline.analyze.entities import find_mentions_in
from storyline.analyze.events import find_events
from storyline.analyze.fingerprint import fingerprint
from storyline.analyze.places import geocode, place_of_adjective
from storyline.analyze.quotes import find_quotes
from storyline.analyze.sentences import embed_sentences, embedded_sentences
from storyline.analyze.terms import term_counts
from storyline.analyze.times import find_times
from storyline.model import Article, Mention, Place

__all__ = ["analyze"]


def analyze(articles: Sequence[Article]) -> Sequence[Article]:
    """Fill each article's representations and analysis (embeddings in one batch)."""
    spans = [embedded_sentences(a.text, a.language) for a in articles]
    sentence_vectors = embed_sentences([a.text for a in articles], spans)
    titles = embed_texts([a.title or "" for a in articles])
    mentions = find_mentions_in([a.text for a in articles], [a.language for a in articles])
    for article, own, vectors, title, names in zip(articles, spans, sentence_vectors, titles, mentions):
        article.sentences, article.sentence_vectors = own, vectors
        article.embedding = article_vector(title if article.title else None, vectors)
        article.fingerprint = fingerprint(article.text)
        article.terms = term_counts(article)
        article.mentions = names
        article.places = find_places(article.mentions, article.text, article.language)
        article.times = find_times(article.text, language=article.language, published=article.published_day)
        article.quotes = find_quotes(article.text, language=article.language, mentions=article.mentions)
        article.events = find_events(
            article.text, language=article.language, published=article.published_day,
            mentions=article.mentions, places=article.places, times=article.times,
        )
    return articles


# The headline counts as much as this many sentences of the lead.
TITLE_WEIGHT = 3.0


def article_vector(title: np.ndarray | None, sentences: np.ndarray) -> np.ndarray:
    """The article's embedding: its headline and embedded sentences, averaged (then unit length)."""
    total = sentences.sum(axis=0) if len(sentences) else np.zeros(EMBEDDING_DIM, dtype=np.float32)
    if title is not None:
        total = total + TITLE_WEIGHT * title
    norm = float(np.linalg.norm(total))
    return (total / norm if norm else total).astype(np.float32)


# GeoNames classes of natural features (H water, T relief, L areas): a one-word "person" the gazetteer
# places there is the feature ("Bosphorus" was typed a person by en_core_web_sm), while towns and
# countries share their names with many people ("Lincoln", "Jordan") and keep the recogniser's type.
_FEATURES_NOT_PEOPLE = frozenset("HTL")
_ACRONYM = re.compile(r"[A-Z]{2,}s?")  # "ICBMs", "NATO": no place name is written so
_WORD_BEFORE = re.compile(r"\w+")


def _after_article(text: str, start: int, language: str | None) -> bool:
    words = _WORD_BEFORE.findall(text, max(0, start - 12), start)
    cues = CUES_BY_LANGUAGE.get(language or "en", CUES_BY_LANGUAGE["en"])
    return bool(words) and words[-1].lower() in cues.definite


def find_places(mentions: list[Mention], text: str, language: str | None) -> list[Place]:
    """Geocoded place mentions, and the countries that nationality words stand for ("Russian" -> Russia).

    Types are cross-checked with the gazetteer: names of no clear type (the fallback recogniser's),
    and one-word persons named nowhere in full, are tried as places too and become places when the
    gazetteer and the article's context accept them (a person only as a natural feature); a "place"
    the gazetteer does not know that is written as an acronym ("ICBMs") is no place.
    """
    untyped = {id(m) for m in mentions if m.type == "OTHER"}
    full_names = {m.entity_id for m in mentions if m.type == "PERSON" and len(m.name.split()) > 1}
    lone_persons = {id(m) for m in mentions if m.type == "PERSON" and " " not in m.name and m.entity_id not in full_names}
    # a one-word "person" always written after a definite article ("the Bosphorus") is a thing or a place
    for entity in {m.entity_id for m in mentions if id(m) in lone_persons}:
        own = [m for m in mentions if m.entity_id == entity and id(m) in lone_persons]
        if all(_after_article(text, m.start, language) for m in own):
            for m in own:
                m.type = "OTHER"
                untyped.add(id(m))
    retry = untyped | lone_persons
    candidates = [replace(m, type="PLACE") if id(m) in retry else m for m in mentions]
    places = geocode(candidates, text=text, language=language)
    located = {(p.start, p.end): p for p in places}
    for mention in mentions:
        place = located.get((mention.start, mention.end))
        if id(mention) in lone_persons:
            if place is not None and place.feature_class not in _FEATURES_NOT_PEOPLE:
                places.remove(place)
            elif place is not None:
                mention.type = "PLACE"
        elif mention.type == "PLACE" and place is None and _ACRONYM.fullmatch(mention.text):
            mention.type = "OTHER"
        elif id(mention) in untyped:
            if place is not None:
                mention.type = "PLACE"
            elif (country := place_of_adjective(mention.text, language)) is not None:
                places.append(replace(country, mention=mention.text, start=mention.start, end=mention.end))
    return sorted(places, key=lambda p: p.start or 0)
