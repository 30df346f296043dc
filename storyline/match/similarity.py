"""How similar two articles are, on the seven SemEval-2022 Task 8 dimensions, with the evidence.

Each pair is described by a few dozen signals (embedding cosines of the whole
text, the lead, the headline and the names; sentence alignment; shared
wording; shared canonical entities by type; shared countries and the distance
between the places named; shared years, dates and numbers; shared event kinds;
style cues like length and quoting). A small learned model per dimension maps
them to SemEval's scale (1 = most similar, 4 = least): each signal is
standardised and expanded into a piecewise-linear basis (the score saturates
at both ends) and weighted by a ridge regression, and that score is averaged
with the one of a few shallow regression trees (gradient-boosted), which catch
what the signals mean together. The weights and trees live in
``models/similarity.json`` and are reproduced by ``scripts/train_similarity.py``
from ``semeval2022_task8/train_texts_dev.csv.gz``; the number of knots, the
ridge penalties and the share of the trees are chosen there by cross-validation.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from anyascii import anyascii

from storyline.analyze.embed import embed_for_comparison, embed_texts, embedding_text
from storyline.analyze.terms import term_counts
from storyline.match.lexical import TermStatistics, cosine
from storyline.model import Article, SparseVector

DIMENSIONS = ("Geography", "Entities", "Time", "Narrative", "Overall", "Style", "Tone")
MODEL_PATH = Path(__file__).with_name("models") / "similarity.json"
LEAD_CHARS = 600
CHAR_GRAM = 4
CHAR_GRAM_CHARS = 3000  # the head of the text is enough to compare spellings
MAX_NAMES = 30
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
EARTH_DIAMETER_KM = 12742.0
ANY_LANGUAGE = "*"
MIN_LANGUAGE_TEXTS = 20  # fewer texts than this give a language's mean too much of their own topics


@dataclass(frozen=True)
class ArticleTraits:
    """What comparing needs from one analyzed article, computed once per article.

    A file of pairs names each article once or many times; embedding here, in
    one batch, keeps the pair loop cheap.
    """

    article: Article
    text_vector: np.ndarray  # title and first 2,000 characters
    text_vector_e5: np.ndarray  # the same text, read by the second embedding model
    lead_vector: np.ndarray  # first 600 characters
    title_vector: np.ndarray | None
    names_vector: np.ndarray | None  # the people and organisations named, as one list
    term_vector: SparseVector
    char_grams: Counter[str]
    years: frozenset[str]
    numbers: frozenset[str]


def article_traits(articles: Sequence[Article], term_statistics: TermStatistics) -> list[ArticleTraits]:
    """Traits of analyzed articles (with linked mentions); ``term_statistics`` weighs shared words."""
    names = [_names(a) for a in articles]
    texts = [embedding_text(a) for a in articles]
    vectors = embed_texts(texts + [a.text[:LEAD_CHARS] for a in articles] + names + [a.title or "" for a in articles])
    second_reading = embed_for_comparison(texts)
    count = len(articles)
    return [
        ArticleTraits(
            article=article,
            text_vector=vectors[i],
            text_vector_e5=second_reading[i],
            lead_vector=vectors[count + i],
            names_vector=vectors[2 * count + i] if names[i] else None,
            title_vector=vectors[3 * count + i] if article.title else None,
            term_vector=term_statistics.weigh(term_counts(article)),
            char_grams=_char_grams(article.text),
            years=frozenset(YEAR.findall(article.text)),
            numbers=frozenset(NUMBER.findall(article.text)),
        )
        for i, article in enumerate(articles)
    ]


@dataclass(frozen=True)
class Evidence:
    """What two articles share, as a reader would check it."""

    entities: tuple[str, ...] = ()  # "Sergei Ryabkov / Sergei Riabkov"
    places: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    nearest_places_km: float | None = None
    dates: tuple[str, ...] = ()  # TIMEX3 values both articles name
    years: tuple[str, ...] = ()
    events: tuple[str, ...] = ()  # event kinds both report ("meet", "attack")
    meaning: float = 0.0  # cosine of the multilingual embeddings of the texts


@dataclass(frozen=True)
class Similarity:
    """Scores on SemEval's scale (1 = most similar, 4 = least), the signals and the evidence behind them."""

    scores: dict[str, float]
    signals: dict[str, float]
    evidence: Evidence = field(default_factory=Evidence)


def language_means(traits: Iterable[ArticleTraits]) -> dict[str, np.ndarray]:
    """Each language's mean second-reading (e5) vector over these articles, and the mean of all (``ANY_LANGUAGE``).

    e5 gives the texts of one language a common direction: taken away, the cosine of two texts
    measures what they say, not that they are written in one language (``_centred_cosine``).
    A language with fewer than ``MIN_LANGUAGE_TEXTS`` articles takes the mean of all.
    """
    by_language: dict[str, list[np.ndarray]] = {}
    for trait in traits:
        by_language.setdefault(trait.article.language or "", []).append(trait.text_vector_e5)
    means = {language: np.mean(vectors, axis=0) for language, vectors in by_language.items() if language and len(vectors) >= MIN_LANGUAGE_TEXTS}
    means[ANY_LANGUAGE] = np.mean([v for vectors in by_language.values() for v in vectors], axis=0)
    return means


def pair_signals(a: ArticleTraits, b: ArticleTraits, means: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The signals the model weighs, each in [0, 1] or a small non-negative number; ``means`` from ``language_means``."""
    x, y = a.article, b.article
    aligned_mean, aligned_max = _sentence_alignment(x.sentence_vectors, y.sentence_vectors)
    signals = {
        "meaning": float(x.embedding @ y.embedding) if x.embedding is not None and y.embedding is not None else 0.0,
        "text_meaning": float(a.text_vector @ b.text_vector),
        "text_meaning_e5": _centred_cosine(a, b, means),
        "lead_meaning": float(a.lead_vector @ b.lead_vector),
        "title_meaning": _title_cosine(a, b),
        "sentences_aligned": aligned_mean,
        "best_sentence_pair": aligned_max,
        "shared_wording": cosine(a.term_vector, b.term_vector),
        "shared_spelling": _counter_cosine(a.char_grams, b.char_grams),
        "names_meaning": float(a.names_vector @ b.names_vector) if a.names_vector is not None and b.names_vector is not None else 0.0,
    }
    for kind, types in (("people", {"PERSON"}), ("organisations", {"ORG"}), ("places", {"PLACE"}), ("entities", {"PERSON", "ORG", "PLACE", "OTHER"})):
        ids_a = {m.entity_id for m in x.mentions if m.type in types and m.entity_id}
        ids_b = {m.entity_id for m in y.mentions if m.type in types and m.entity_id}
        signals[f"shared_{kind}"] = _jaccard(ids_a, ids_b)
        signals[f"covered_{kind}"] = _overlap(ids_a, ids_b)
    countries_a, countries_b = _countries(x), _countries(y)
    signals["shared_countries"] = _jaccard(countries_a, countries_b)
    distance = _nearest_km(x, y)
    signals["places_near"] = 1 - math.log1p(distance) / math.log1p(EARTH_DIAMETER_KM * math.pi / 2) if distance is not None else 0.0
    signals["no_places_to_compare"] = float(distance is None)
    signals["shared_years"] = _jaccard(a.years, b.years)
    signals["shared_months"] = _jaccard(_months(x), _months(y))
    signals["shared_numbers"] = _jaccard(a.numbers, b.numbers)
    signals["shared_event_kinds"] = _jaccard({e.what for e in x.events}, {e.what for e in y.events})
    signals["same_language"] = float(x.language == y.language)
    signals["length_gap"] = abs(math.log((len(x.text) + 1) / (len(y.text) + 1)))
    signals["quoting_gap"] = abs(_quotes_per_sentence(x) - _quotes_per_sentence(y))
    return signals


def pair_evidence(a: ArticleTraits, b: ArticleTraits) -> Evidence:
    x, y = a.article, b.article
    names_a, names_b = _names_by_entity(x), _names_by_entity(y)
    entities = [
        names_a[i] if names_a[i] == names_b[i] else f"{names_a[i]} / {names_b[i]}"
        for i in names_a.keys() & names_b.keys()
    ]
    places_a = {p.name for p in x.places if p.feature_class != "A"}
    places_b = {p.name for p in y.places if p.feature_class != "A"}
    return Evidence(
        entities=tuple(sorted(entities)),
        places=tuple(sorted(places_a & places_b)),
        countries=tuple(sorted(_countries(x) & _countries(y))),
        nearest_places_km=_nearest_km(x, y),
        dates=tuple(sorted({t.value for t in x.times} & {t.value for t in y.times})),
        years=tuple(sorted(a.years & b.years)),
        events=tuple(sorted({e.what for e in x.events} & {e.what for e in y.events})),
        meaning=round(float(a.text_vector @ b.text_vector), 4),
    )


class SimilarityModel:
    """Per dimension: a ridge regression on the expanded signals, blended with boosted trees on the raw signals.

    Ridge: standardise each signal, expand it at fixed knots (``expand``), weigh
    it. Trees (optional): a baseline plus the leaf value each tree gives the raw
    signals. The score is ``blend * ridge + (1 - blend) * trees``, ``blend`` per dimension.
    """

    def __init__(self, payload: dict[str, Any]) -> None:
        self.signals: list[str] = payload["signals"]
        self.mean = np.asarray(payload["mean"], dtype=np.float64)
        self.scale = np.asarray(payload["scale"], dtype=np.float64)
        self.knots = np.asarray(payload["knots"], dtype=np.float64).reshape(-1, len(self.signals))  # (knots, signals), standardised
        self.weights = {d: np.asarray(payload["weights"][d], dtype=np.float64) for d in DIMENSIONS}
        self.intercepts = {d: float(payload["intercepts"][d]) for d in DIMENSIONS}
        blend = payload.get("blend", {})
        self.trees: dict[str, tuple[float, list[tuple[np.ndarray, ...]]]] = {
            d: (float(t["baseline"]), [tuple(np.asarray(column) for column in tree) for tree in t["trees"]])
            for d, t in payload.get("trees", {}).items()
        }
        self.blend = {d: float(blend.get(d, 1.0)) if d in self.trees else 1.0 for d in DIMENSIONS}  # the ridge's share; the rest is the trees'
        self.language_means = {language: np.asarray(mean, dtype=np.float32) for language, mean in payload["language_means"].items()}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SimilarityModel:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def predict_rows(self, rows: np.ndarray) -> np.ndarray:
        """Scores (one column per dimension, in ``DIMENSIONS`` order) of rows of raw signals (columns as ``self.signals``)."""
        basis = expand(rows, self.mean, self.scale, self.knots)
        scores = np.stack([self.intercepts[d] + basis @ self.weights[d] for d in DIMENSIONS], axis=1)
        for j, d in enumerate(DIMENSIONS):
            if self.blend[d] < 1.0:
                baseline, trees = self.trees[d]
                scores[:, j] = self.blend[d] * scores[:, j] + (1.0 - self.blend[d]) * (baseline + sum(tree_values(tree, rows) for tree in trees))
        return np.clip(scores, 1.0, 4.0)

    def predict(self, signals: dict[str, float]) -> dict[str, float]:
        row = self.predict_rows(np.asarray([[signals.get(name, 0.0) for name in self.signals]]))[0]
        return {d: round(float(score), 3) for d, score in zip(DIMENSIONS, row)}


def tree_values(tree: tuple[np.ndarray, ...], rows: np.ndarray) -> np.ndarray:
    """The leaf value one regression tree gives each row: at a node, go left when the signal is at most the threshold."""
    feature, threshold, left, right, value = tree
    node = np.zeros(len(rows), dtype=np.int64)
    while True:
        inner = feature[node] >= 0
        if not inner.any():
            return value[node]
        at = node[inner]
        goes_left = rows[inner, feature[at]] <= threshold[at]
        node[inner] = np.where(goes_left, left[at], right[at])


def expand(rows: np.ndarray, mean: np.ndarray, scale: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Standardised signals plus one hinge ``max(0, z - knot)`` per knot: a piecewise-linear fit per signal."""
    z = (rows - mean) / scale
    return np.hstack([z] + [np.maximum(0.0, z - k) for k in knots])


@functools.lru_cache(maxsize=1)
def default_model() -> SimilarityModel:
    return SimilarityModel.load()


def compare_traits(a: ArticleTraits, b: ArticleTraits, model: SimilarityModel | None = None) -> Similarity:
    model = model or default_model()
    signals = pair_signals(a, b, model.language_means)
    scores = model.predict(signals)
    return Similarity(scores=scores, signals={k: round(v, 4) for k, v in signals.items()}, evidence=pair_evidence(a, b))


def _names(article: Article) -> str:
    seen: list[str] = []
    for mention in article.mentions:
        if mention.type in ("PERSON", "ORG") and mention.text not in seen:
            seen.append(mention.text)
    return ", ".join(seen[:MAX_NAMES])


def _names_by_entity(article: Article) -> dict[str, str]:
    names: dict[str, str] = {}
    for mention in article.mentions:
        if mention.entity_id and (mention.entity_id not in names or len(mention.text) > len(names[mention.entity_id])):
            names[mention.entity_id] = mention.text
    return names


def _char_grams(text: str) -> Counter[str]:
    # Folded to ASCII so that names agree across scripts and accents (Рябков / Ryabkov, Genève / Geneve).
    folded = re.sub(r"\s+", " ", anyascii(text[:CHAR_GRAM_CHARS]).lower())
    return Counter(folded[i : i + CHAR_GRAM] for i in range(len(folded) - CHAR_GRAM + 1))


def _counter_cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(count * large.get(gram, 0) for gram, count in small.items())
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def _sentence_alignment(a: np.ndarray | None, b: np.ndarray | None) -> tuple[float, float]:
    """Mean best-match cosine of each sentence in the other article (both ways), and the best pair."""
    if a is None or b is None or not len(a) or not len(b):
        return 0.0, 0.0
    cosines = a.astype(np.float32) @ b.astype(np.float32).T
    return float(0.5 * (cosines.max(axis=1).mean() + cosines.max(axis=0).mean())), float(cosines.max())


def _centred_cosine(a: ArticleTraits, b: ArticleTraits, means: Mapping[str, np.ndarray]) -> float:
    """Cosine of the two second readings, each less its language's mean (see ``language_means``)."""
    u = a.text_vector_e5 - means.get(a.article.language or "", means[ANY_LANGUAGE])
    v = b.text_vector_e5 - means.get(b.article.language or "", means[ANY_LANGUAGE])
    norms = float(np.linalg.norm(u) * np.linalg.norm(v))
    return float(u @ v) / norms if norms > 0 else 0.0


def _title_cosine(a: ArticleTraits, b: ArticleTraits) -> float:
    if a.title_vector is None or b.title_vector is None:
        return float(a.text_vector @ b.text_vector)  # without a headline the text stands in for one
    return float(a.title_vector @ b.title_vector)


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _countries(article: Article) -> set[str]:
    return {p.country for p in article.places if p.country}


def _months(article: Article) -> set[str]:
    return {t.value[:7] for t in article.times if re.match(r"\d{4}", t.value)}


def _quotes_per_sentence(article: Article) -> float:
    return len(article.quotes) / max(1, len(article.sentences or ()))


def _nearest_km(x: Article, y: Article) -> float | None:
    """Great-circle distance between the closest pair of places the two articles name."""
    points_a = [(p.lat, p.lon) for p in x.places if p.lat is not None and p.lon is not None]
    points_b = [(p.lat, p.lon) for p in y.places if p.lat is not None and p.lon is not None]
    if not points_a or not points_b:
        return None
    return round(min(_haversine_km(p, q) for p in points_a for q in points_b), 1)


def _haversine_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return EARTH_DIAMETER_KM * math.asin(math.sqrt(min(1.0, h)))
