"""Agreed facts and single-source claims of the story explanations, against hand labels.

Data: the sample corpus (examples/corpus/, 66 articles in 12 gold stories),
ingested into a temporary store as ``storyline ingest`` does; the explanations are
read from its export. Each Storyline story is named by the gold story most of its
articles belong to (examples/gold/), so labels survive story ids changing.

Labels (bench/labels/agreed_facts.json), judged by reading the articles:
- "agreed": fact text -> true when at least two of the independent outlets it lists
  really say it (an event fact counts only if its kind, place, date and status are
  right; names it lists must be in two of them);
- "single_source": claim text -> true when no other outlet of the story says it.
Keys are "<gold story>|<text>". The line of phrases several outlets share ("Several
sources write about ...") is counted apart: it names topics, not a fact to check. Facts without a label are listed, so that labels can
be extended when the code changes; precision is over the labelled ones.

Baseline, in the same run, judged with the same "agreed" labels: every sentence that
another outlet's sentence repeats nearly word for word (Jaccard of their folded
content words >= 0.5), the way a reader comparing texts by hand would find
agreement, for up to as many facts per story as Storyline gives.

    python bench/agreed_facts.py
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import storyline  # noqa: E402
from bench.common import REPO, sample_corpus_file, sample_corpus_gold, write_result  # noqa: E402
from storyline.analyze.sentences import split_sentences  # noqa: E402
from storyline.analyze.terms import content_terms  # noqa: E402
from storyline.stories.explain import MAX_FACTS  # noqa: E402

CORPUS = REPO / "examples" / "corpus"
LABELS = REPO / "bench" / "labels" / "agreed_facts.json"
SAME_WORDS = 0.5
# The line of shared phrases ("Several sources write about arms control, ...") names topics, not a
# fact one can check: counted apart, not labelled.
TOPICS = "Several sources write about"
# How an event reads as a fact: "meeting in Geneva (2021-07-28), happened: Wendy Sherman".
EVENT_FACT = re.compile(r"^\w+( in [^(,]+)?( \([^)]+\))?, (planned|happened|cancelled)(: .*)?$")


def export_sample() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, storyline.open(Path(folder) / "sample.db") as store:
        store.ingest([CORPUS])
        out = io.StringIO()
        store.export(out)
    return json.loads(out.getvalue())


def gold_story_of(article: dict[str, Any], gold: list[dict[str, Any]]) -> str:
    """The gold story of an exported article: by its JSONL id, else by its file."""
    if article.get("external_id"):
        return next(g["story"] for g in gold if g["jsonl_id"] == article["external_id"])
    return next(g["story"] for g in gold if g["file"] == sample_corpus_file(article["source"]))


def word_overlap_facts(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sentences another outlet repeats nearly word for word, first outlet's wording, each once."""
    sentences = [
        (a["outlet"], a["id"], a["text"][start:end], frozenset(content_terms(a["text"][start:end], a["language"])))
        for a in articles if not a["duplicate_of"] for start, end in split_sentences(a["text"], a.get("language"))
    ]
    facts, used = [], set()
    for i, (outlet, article_id, text, words) in enumerate(sentences):
        if i in used or len(words) < 3:
            continue
        repeats = [
            j for j, (other_outlet, _, _, other) in enumerate(sentences)
            if j != i and j not in used and other_outlet != outlet and len(words & other) / len(words | other) >= SAME_WORDS
        ]
        if repeats:
            used.update([i, *repeats])
            facts.append({"text": text, "sources": [article_id] + [sentences[j][1] for j in repeats]})
    return facts


def precision(keys: list[str], labels: dict[str, bool]) -> dict[str, Any]:
    judged = [labels[k] for k in keys if k in labels]
    return {
        "produced": len(keys), "labelled": len(judged), "correct": sum(judged),
        "precision": round(sum(judged) / len(judged), 4) if judged else None,
    }


def main() -> None:
    gold = sample_corpus_gold("articles")
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    export = export_sample()
    articles = {a["id"]: a for a in export["articles"]}
    produced: dict[str, list[str]] = {"agreed": [], "topics": [], "single_source": [], "baseline": []}
    for story in export["stories"]:
        members = [articles[i] for i in story["articles"]]
        name = Counter(gold_story_of(a, gold) for a in members).most_common(1)[0][0]
        for fact in story["agreed_facts"]:
            produced["topics" if fact["text"].startswith(TOPICS) else "agreed"].append(f"{name}|{fact['text']}")
        produced["single_source"] += [f"{name}|{c['text']}" for c in story["single_source"]]
        produced["baseline"] += [f"{name}|{f['text']}" for f in word_overlap_facts(members)[:MAX_FACTS]]
    results = {
        "storyline_agreed_facts": precision(produced["agreed"], labels["agreed"]),
        "of_which_events": precision([k for k in produced["agreed"] if EVENT_FACT.match(k.split("|", 1)[1])], labels["agreed"]),
        "of_which_sentences": precision([k for k in produced["agreed"] if not EVENT_FACT.match(k.split("|", 1)[1])], labels["agreed"]),
        "storyline_single_source": precision(produced["single_source"], labels["single_source"]),
        "baseline_word_overlap_agreed": precision(produced["baseline"], labels["agreed"]),
    }
    unlabelled = {
        "agreed": sorted({k for k in produced["agreed"] + produced["baseline"] if k not in labels["agreed"]}),
        "single_source": sorted({k for k in produced["single_source"] if k not in labels["single_source"]}),
    }
    for name, result in results.items():
        print(f"{name:30} {result}")
    for kind, keys in unlabelled.items():
        for key in keys:
            print(f"unlabelled {kind}: {key}")
    write_result("agreed_facts", {
        "data": "examples/corpus (66 articles, 12 gold stories), hand labels in bench/labels/agreed_facts.json",
        "stories": len(export["stories"]),
        "topic_lines_not_labelled": len(produced["topics"]),
        "baseline": f"sentences repeated by another outlet with Jaccard >= {SAME_WORDS} of folded content words, up to {MAX_FACTS} per story",
        **results,
        "unlabelled": unlabelled,
    })


if __name__ == "__main__":
    main()
