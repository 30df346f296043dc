"""JSON forms of the analysis objects, as the store keeps them."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from storyline.model import Article, Entity, Event, Mention, Place, Quote, TimeExpression


def analysis_to_json(article: Article) -> str:
    return json.dumps(
        {
            "mentions": [asdict(m) for m in article.mentions],
            "places": [asdict(p) for p in article.places],
            "times": [asdict(t) for t in article.times],
            "quotes": [asdict(q) for q in article.quotes],
            "events": [asdict(e) for e in article.events],
        },
        ensure_ascii=False,
    )


def load_analysis(article: Article, payload: str | None) -> Article:
    """Fill an article's analysis fields from its stored JSON."""
    if not payload:
        return article
    data = json.loads(payload)
    article.mentions = [Mention(**m) for m in data.get("mentions", [])]
    article.places = [Place(**p) for p in data.get("places", [])]
    article.times = [TimeExpression(**t) for t in data.get("times", [])]
    article.quotes = [Quote(**q) for q in data.get("quotes", [])]
    article.events = [Event(**{**e, "who": tuple(e["who"]), "whom": tuple(e["whom"])}) for e in data.get("events", [])]
    return article


def place_to_json(place: Place | None) -> str | None:
    return json.dumps(asdict(place), ensure_ascii=False) if place else None


def place_from_json(payload: str | None) -> Place | None:
    return Place(**json.loads(payload)) if payload else None


def entity_row(entity: Entity) -> tuple[Any, ...]:
    return (entity.id, entity.type, entity.name, entity.mentions, entity.articles, json.dumps(entity.neighbors), place_to_json(entity.place))
