"""Named entities and their canonicalisation: who is merged with whom, across articles and languages.

1. Sample corpus (examples/corpus, gold in examples/gold): for every gold entity named
   at least twice, are all its spellings found linked to one entity (merge recall), and
   does any Storyline entity hold spellings of two gold entities (wrong merges)?
   By type, and for the namesakes the gold lists (same surname, other person).
2. SemEval-2022 texts (train_texts_dev.csv.gz, 1,256 texts in ten languages): every
   Storyline entity whose spellings differ (not just by case or accents) is a merge.
   A seeded sample of them was labelled by hand (bench/labels/semeval_entity_merges.json:
   "same" when every spelling names one entity, "different" otherwise); precision is
   measured on the sample. For recall, a seeded sample of pairs of *separate* person
   entities whose names are close (same folded surname, or Jaro-Winkler >= 0.85) was
   labelled too: "same" there is a missed merge. Every sampled merge joins spellings
   that differ, so a store keyed on the spelling would have made none of them.

    python bench/entities.py            # measure (uses the labels)
    python bench/entities.py --sample   # (re)write the samples to label, keeping labels already given
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import storyline  # noqa: E402
from bench.common import DATA, REPO, sample_corpus_gold, write_result  # noqa: E402
from storyline.analyze.names import plain_key, similarity, sound_key, surname  # noqa: E402
from storyline.model import Entity  # noqa: E402

LABELS = REPO / "bench" / "labels" / "semeval_entity_merges.json"
SEED = 7
MERGES_SAMPLED = 80
PAIRS_SAMPLED = 60


def _folded(alias: str) -> str:
    return plain_key(alias, person=True)


def corpus_scores() -> dict[str, object]:
    gold = sample_corpus_gold("entities")
    namesakes = [d["people"] for d in sample_corpus_gold("distinct_people_same_surname")]
    with tempfile.TemporaryDirectory() as tmp, storyline.open(Path(tmp) / "corpus.db") as sl:
        sl.ingest([REPO / "examples" / "corpus"])
        by_surface: dict[str, set[str]] = defaultdict(set)
        for story in sl.stories():
            for article in story.articles:
                for mention in article.mentions:
                    if mention.entity_id:
                        by_surface[mention.text].add(mention.entity_id)
    result: dict[str, object] = {}
    for kind in ("PERSON", "ORG", "PLACE"):
        checked = merged = 0
        for entity in (g for g in gold if g["type"] == kind):
            found = [v for v in entity["variants"] if v in by_surface]
            if len(found) < 2:
                continue
            checked += 1
            merged += len(set().union(*(by_surface[v] for v in found))) == 1
        owners = defaultdict(set)  # Storyline entity -> gold entities it holds spellings of
        for entity in (g for g in gold if g["type"] == kind):
            for variant in entity["variants"]:
                for entity_id in by_surface.get(variant, ()):
                    owners[entity_id].add(entity["canonical"])
        wrong = sorted(sorted(names) for names in owners.values() if len(names) > 1)
        result[kind] = {"gold_entities_named_twice": checked, "all_spellings_merged": merged, "merge_recall": round(merged / max(checked, 1), 3),
                        "storyline_entities_mixing_gold_entities": len(wrong), "mixed": wrong[:10]}
    result["namesakes_kept_apart"] = sum(not (by_surface.get(a, set()) & by_surface.get(b, set())) for a, b in namesakes)
    result["namesake_pairs"] = len(namesakes)
    return result


def semeval_entities() -> list[Entity]:
    csv.field_size_limit(10**8)
    records = []
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            for side in ("1", "2"):
                if row[f"text_{side}"].strip():
                    records.append({"text": row[f"text_{side}"], "language": row[f"lang{side}"]})
    with tempfile.TemporaryDirectory() as tmp, storyline.open(Path(tmp) / "semeval.db") as sl:
        sl.ingest_records(records, source="semeval")
        return list(sl.store.iter_entities())


def _merges(entities: list[Entity]) -> list[Entity]:
    return [e for e in entities if len({_folded(a) for a in e.aliases}) > 1]


def _close_pairs(entities: list[Entity]) -> list[tuple[Entity, Entity]]:
    people = [e for e in entities if e.type == "PERSON"]
    by_surname = defaultdict(list)
    for e in people:
        by_surname[surname(sound_key(e.name, person=True))[:3]].append(e)
    pairs = []
    for group in by_surname.values():
        for a, b in combinations(group, 2):
            ka, kb = sound_key(a.name, person=True), sound_key(b.name, person=True)
            if surname(ka) == surname(kb) or similarity(ka, kb) >= 0.85:
                pairs.append((a, b))
    return pairs


def write_samples(entities: list[Entity]) -> None:
    rng = random.Random(SEED)
    old = json.loads(LABELS.read_text(encoding="utf-8")) if LABELS.exists() else {"merges": [], "pairs": []}
    known_merges = {tuple(m["aliases"]): m.get("label") for m in old["merges"]}
    known_pairs = {(p["a"], p["b"]): p.get("label") for p in old["pairs"]}
    merges = _merges(entities)
    pairs = _close_pairs(entities)
    sample_merges = rng.sample(merges, min(MERGES_SAMPLED, len(merges)))
    sample_pairs = rng.sample(pairs, min(PAIRS_SAMPLED, len(pairs)))
    payload = {
        "how": "label: 'same' when every spelling names one real entity, 'different' otherwise (hand-checked by reading the names and, "
               "where unsure, the texts)",
        "merges": [{"type": e.type, "aliases": sorted(e.aliases), "label": known_merges.get(tuple(sorted(e.aliases)))} for e in sample_merges],
        "pairs": [{"a": a.name, "b": b.name, "label": known_pairs.get((a.name, b.name))} for a, b in sample_pairs],
    }
    LABELS.parent.mkdir(parents=True, exist_ok=True)
    LABELS.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(payload['merges'])} merges and {len(payload['pairs'])} pairs to label -> {LABELS}")


def semeval_scores(entities: list[Entity]) -> dict[str, object]:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    merges = [m for m in labels["merges"] if m["label"] in ("same", "different")]
    pairs = [p for p in labels["pairs"] if p["label"] in ("same", "different")]
    correct = sum(m["label"] == "same" for m in merges)
    missed = sum(p["label"] == "same" for p in pairs)
    all_merges, all_pairs = _merges(entities), _close_pairs(entities)
    return {
        "entities": len(entities),
        "by_type": {t: sum(e.type == t for e in entities) for t in ("PERSON", "ORG", "PLACE")},
        "merged_entities (spellings differ)": len(all_merges),
        "labelled_merges": len(merges),
        "merge_precision": round(correct / max(len(merges), 1), 3),
        "close_unmerged_person_pairs": len(all_pairs),
        "labelled_pairs": len(pairs),
        "missed_merge_rate_among_close_pairs": round(missed / max(len(pairs), 1), 3),
        "estimated_missed_merges": round(len(all_pairs) * missed / max(len(pairs), 1)),
        "estimated_merge_recall": round(
            len(all_merges) * correct / max(len(merges), 1)
            / max(len(all_merges) * correct / max(len(merges), 1) + len(all_pairs) * missed / max(len(pairs), 1), 1),
            3,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", action="store_true", help="write the samples to label and stop")
    args = parser.parse_args()
    entities = semeval_entities()
    if args.sample:
        write_samples(entities)
        return
    result = {"sample_corpus": corpus_scores(), "semeval_texts": semeval_scores(entities)}
    path = write_result("entities", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
