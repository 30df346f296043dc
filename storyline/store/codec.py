"""JSON forms of the analysis objects, as the store keeps them."""

from __future__ import annotations

import json
import struct
from dataclasses import asdict
from typing import Any

import numpy as np

from storyline.model import (
    Article,
    ArticleMove,
    Coverage,
    Cut,
    Entity,
    Event,
    Explanation,
    Mention,
    Place,
    Quote,
    SparseVector,
    Statement,
    StoryEdit,
    StoryQuote,
    TimeExpression,
    TitleChange,
    TimelineEntry,
)


def analysis_to_json(article: Article) -> str:
    # ``vars``, not ``asdict``: these dataclasses hold only plain values (and tuples of strings), which
    # json writes as they are; asdict's deep copies were most of the cost of storing an article's analysis.
    return json.dumps(
        {
            "sentences": article.sentences,
            "mentions": [vars(m) for m in article.mentions],
            "places": [vars(p) for p in article.places],
            "times": [vars(t) for t in article.times],
            "quotes": [vars(q) for q in article.quotes],
            "events": [vars(e) for e in article.events],
        },
        ensure_ascii=False,
    )


def load_analysis(article: Article, payload: str | None) -> Article:
    """Fill an article's analysis fields from its stored JSON."""
    if not payload:
        return article
    data = json.loads(payload)
    article.sentences = [tuple(span) for span in data.get("sentences", [])]  # type: ignore[misc]
    article.mentions = [Mention(**m) for m in data.get("mentions", [])]
    article.places = [Place(**p) for p in data.get("places", [])]
    article.times = [TimeExpression(**t) for t in data.get("times", [])]
    article.quotes = [Quote(**q) for q in data.get("quotes", [])]
    article.events = [
        Event(**{**e, **{k: tuple(e.get(k, ())) for k in ("who", "whom", "who_ids", "whom_ids")}}) for e in data.get("events", [])
    ]
    return article


def cuts_to_json(cuts: list[Cut]) -> str | None:
    return json.dumps([asdict(c) for c in cuts]) if cuts else None


def cuts_from_json(payload: str | None) -> list[Cut]:
    return [Cut(**c) for c in json.loads(payload)] if payload else []


def vectors_to_bytes(vectors: np.ndarray | None) -> bytes | None:
    """Unit vectors as int8 with one float32 scale per row: 4x smaller than float32, cosines within ~0.01."""
    if vectors is None or not len(vectors):
        return None
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float32)
    quantized = np.round(vectors / scales[:, None] * 127).astype(np.int8)
    return len(vectors).to_bytes(4, "little") + scales.tobytes() + quantized.tobytes()


def vectors_from_bytes(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    rows = int.from_bytes(blob[:4], "little")
    scales = np.frombuffer(blob, dtype=np.float32, count=rows, offset=4)
    quantized = np.frombuffer(blob, dtype=np.int8, offset=4 + 4 * rows).reshape(rows, -1)
    return (quantized.astype(np.float32) / 127) * scales[:, None]


def as_stored_vectors(vectors: np.ndarray | None) -> np.ndarray | None:
    """Sentence vectors as the store gives them back: what explains a story must not depend on which
    of its articles were still in memory (a batch's) and which were read back."""
    return vectors_from_bytes(vectors_to_bytes(vectors))


def place_to_json(place: Place | None) -> str | None:
    return json.dumps(asdict(place), ensure_ascii=False) if place else None


def place_from_json(payload: str | None) -> Place | None:
    return Place(**json.loads(payload)) if payload else None


def entity_row(entity: Entity) -> tuple[Any, ...]:
    return (entity.id, entity.type, entity.name, entity.mentions, entity.articles, json.dumps(entity.neighbors), place_to_json(entity.place))


def explanation_to_json(explanation: Explanation) -> str:
    return json.dumps(asdict(explanation), ensure_ascii=False)


def explanation_from_json(payload: str | None) -> Explanation | None:
    if not payload:
        return None
    data = json.loads(payload)

    def statements(key: str) -> list[Statement]:
        return [Statement(s["text"], tuple(s["sources"]), tuple(s["outlets"])) for s in data[key]]

    coverage = data["coverage"]
    return Explanation(
        timeline=[TimelineEntry(**{**t, "articles": tuple(t["articles"]), "who": tuple(t["who"])}) for t in data["timeline"]],
        roles=data["roles"],
        coverage=Coverage(**{k: tuple(tuple(v) if isinstance(v, list) else v for v in value) if isinstance(value, list) else value
                             for k, value in coverage.items()}),
        agreed_facts=statements("agreed_facts"),
        single_source=statements("single_source"),
        quotes=[StoryQuote(**q) for q in data["quotes"]],
        summary=statements("summary"),
    )


def pack_terms(terms: dict[str, SparseVector]) -> bytes:
    """Per language: code (3 bytes), count (uint32), term ids (int32), weights (float32)."""
    parts = []
    for language, vector in sorted(terms.items()):
        parts.append(language.encode("ascii").ljust(3, b" ") + struct.pack("<I", len(vector.terms)))
        parts.append(vector.terms.astype(np.int32).tobytes() + vector.weights.astype(np.float32).tobytes())
    return b"".join(parts)


def unpack_terms(blob: bytes | None) -> dict[str, SparseVector]:
    terms: dict[str, SparseVector] = {}
    offset = 0
    while blob and offset < len(blob):
        language = blob[offset : offset + 3].decode("ascii").strip()
        (count,) = struct.unpack_from("<I", blob, offset + 3)
        offset += 7
        ids = np.frombuffer(blob, dtype=np.int32, count=count, offset=offset).astype(np.int64)
        weights = np.frombuffer(blob, dtype=np.float32, count=count, offset=offset + 4 * count).copy()
        terms[language] = SparseVector(ids, weights)
        offset += 8 * count
    return terms


def edit_payload(edit: StoryEdit) -> str:
    """What an edit changed, as the edit log keeps it (everything but the columns of its row)."""
    return json.dumps(
        {
            "moves": [asdict(m) for m in edit.moves],
            "titles": [asdict(t) for t in edit.titles],
            "created": list(edit.created),
            "removed": list(edit.removed),
            "merged_into": [list(pair) for pair in edit.merged_into],
            "apart": [list(pair) for pair in edit.apart],
            "released": [list(pair) for pair in edit.released],
            "redirected": [list(r) for r in edit.redirected],
        },
        ensure_ascii=False,
    )


def edit_from_row(row: Any) -> StoryEdit:
    """A logged edit from its row in story_edits."""
    data = json.loads(row["payload"])
    return StoryEdit(
        id=row["id"],
        kind=row["kind"],
        at=row["at"],
        story_id=row["story_id"],
        moves=tuple(ArticleMove(**m) for m in data["moves"]),
        titles=tuple(TitleChange(**t) for t in data["titles"]),
        created=tuple(data["created"]),
        removed=tuple(data["removed"]),
        merged_into=tuple((a, b) for a, b in data["merged_into"]),
        apart=tuple((a, b) for a, b in data["apart"]),
        released=tuple((a, b) for a, b in data["released"]),
        redirected=tuple((a, b, c) for a, b, c in data["redirected"]),
        by=row["by"],
        undoes=row["undoes"],
        undone_by=row["undone_by"],
    )
