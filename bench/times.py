"""Time expressions: `find_times` against gold TIMEX3 values, and against dateparser, in one run.

Data: TempEval-3 TBAQ-cleaned (English TimeML, 256 documents) and the XTN
TimeBank token files (Spanish and English), each document read with its
creation time (DCT) as the publication date. A gold timex counts as found when a
predicted expression overlaps its span and has the same value. Also reported:
span recall, span precision (predicted expressions overlapping a gold one) and
value accuracy on the gold timexes whose span was found. "lenient" also accepts a
predicted day inside the gold period ("1998-09-20" for "1998-09"), which is the
fairest reading of dateparser, whose values are always days.

Baseline: `dateparser.search.search_dates` with RELATIVE_BASE=DCT and the
document language, values formatted as YYYY-MM-DD. Speed: both on the same
documents after a warm-up, best of three passes.

    python bench/times.py [--errors 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, write_result  # noqa: E402
from storyline.analyze.times import find_times  # noqa: E402

TYPES = ("DATE", "TIME", "DURATION", "SET")
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "»", "%", "''"}
_NO_SPACE_AFTER = {"(", "«", "¿", "¡", "``"}


@dataclass
class Timex:
    start: int
    end: int
    type: str
    value: str


@dataclass
class Document:
    id: str
    text: str
    published: dt.date
    language: str
    gold: list[Timex] = field(default_factory=list)


Predictor = Callable[[Document], list[Timex]]


def tempeval_documents() -> list[Document]:
    """Every TimeML document of TBAQ-cleaned: the TEXT with tags removed, gold TIMEX3 offsets into it."""
    documents = []
    for path in sorted((DATA / "tempeval3" / "TBAQ-cleaned").glob("*/*.tml")):
        raw = path.read_text(encoding="utf-8")
        dct = next(
            attrs["value"] for tag in re.finditer(r"<TIMEX3([^>]*)>", raw)
            if (attrs := dict(_ATTRIBUTE.findall(tag.group(1)))).get("functionInDocument") == "CREATION_TIME"
        )
        body = raw[raw.index("<TEXT>") + len("<TEXT>"):raw.index("</TEXT>")]
        pieces: list[str] = []
        length, position, opened = 0, 0, None
        document = Document(path.stem, "", dt.date.fromisoformat(dct[:10]), "en")
        for tag in _TAG.finditer(body):
            piece = html.unescape(body[position:tag.start()])
            pieces.append(piece)
            length += len(piece)
            position = tag.end()
            if tag.group(2) != "TIMEX3":
                continue
            if tag.group(1):
                attrs = dict(_ATTRIBUTE.findall(opened[1]))
                document.gold.append(Timex(opened[0], length, attrs["type"], attrs["value"]))
            else:
                opened = (length, tag.group(3))
        pieces.append(html.unescape(body[position:]))
        document.text = "".join(pieces)
        documents.append(document)
    return documents


def xtn_documents(language: str) -> list[Document]:
    """The XTN TimeBank token file of a language, detokenised (one sentence a line), gold spans from BIO tags."""
    path = DATA / "xtn_timexes" / "timebank" / language / "train.tsv"
    documents: list[Document] = []
    text: list[str] = []
    length = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("*!-DCTVALUE="):
            if documents:
                documents[-1].text = "".join(text)
            text, length = [], 0
            dct = re.search(r'"(\d{4}-\d\d-\d\d)', line).group(1)
            documents.append(Document(f"{language}-{len(documents)}", "", dt.date.fromisoformat(dct), language))
            continue
        if not line.strip():
            if length:
                text.append("\n")
                length += 1
            continue
        token, tag, value = line.split("\t")
        gap = "" if not length or text[-1] == "\n" or token in _NO_SPACE_BEFORE or text[-1] in _NO_SPACE_AFTER else " "
        text.extend((gap, token))
        length += len(gap)
        if tag.startswith("B-"):
            documents[-1].gold.append(Timex(length, length + len(token), tag[2:], value))
        elif tag.startswith("I-") and documents[-1].gold:
            documents[-1].gold[-1].end = length + len(token)
        length += len(token)
    documents[-1].text = "".join(text)
    return documents


def storyline_predictions(document: Document) -> list[Timex]:
    found = find_times(document.text, language=document.language, published=document.published)
    return [Timex(t.start, t.end, t.type, t.value) for t in found]


def dateparser_predictions(document: Document) -> list[Timex]:
    from dateparser.search import search_dates

    base = dt.datetime.combine(document.published, dt.time())
    try:
        hits = search_dates(document.text, languages=[document.language], settings={"RELATIVE_BASE": base}) or []
    except Exception:  # noqa: BLE001 - a crash of the baseline on one document counts as finding nothing there
        return []
    predictions, cursor = [], 0
    for substring, moment in hits:
        start = document.text.find(substring, cursor)
        if start < 0:
            start = document.text.find(substring)
        if start < 0:
            continue
        cursor = start + len(substring)
        predictions.append(Timex(start, cursor, "DATE", moment.date().isoformat()))
    return predictions


def _within(predicted: str, gold: str) -> bool:
    """The predicted value equals the gold one, or is a day inside the gold year/month."""
    return predicted == gold or bool(re.fullmatch(r"\d{4}(?:-\d\d){0,2}", gold)) and predicted.startswith(gold + "-")


def score(documents: Iterable[Document], predictions: dict[str, list[Timex]]) -> dict:
    counts: dict[str, Counter] = defaultdict(Counter)
    predicted_total = predicted_on_gold = 0
    for document in documents:
        predicted = predictions[document.id]
        predicted_total += len(predicted)
        predicted_on_gold += sum(any(p.start < g.end and g.start < p.end for g in document.gold) for p in predicted)
        for gold in document.gold:
            overlapping = [p for p in predicted if p.start < gold.end and gold.start < p.end]
            for bucket in ("all", gold.type):
                counts[bucket]["gold"] += 1
                counts[bucket]["span"] += bool(overlapping)
                counts[bucket]["value"] += any(p.value == gold.value for p in overlapping)
                counts[bucket]["lenient"] += any(_within(p.value, gold.value) for p in overlapping)

    def summary(c: Counter) -> dict[str, float | int]:
        return {
            "gold": c["gold"],
            "value_recall": round(c["value"] / c["gold"], 4) if c["gold"] else 0.0,
            "value_recall_lenient": round(c["lenient"] / c["gold"], 4) if c["gold"] else 0.0,
            "span_recall": round(c["span"] / c["gold"], 4) if c["gold"] else 0.0,
            "value_accuracy_on_found_spans": round(c["value"] / c["span"], 4) if c["span"] else 0.0,
        }

    result = summary(counts["all"])
    result["predicted"] = predicted_total
    result["span_precision"] = round(predicted_on_gold / predicted_total, 4) if predicted_total else 0.0
    result["by_type"] = {t: summary(counts[t]) for t in TYPES if counts[t]["gold"]}
    return result


def timed(documents: list[Document], predict: Predictor, repeats: int = 3) -> tuple[dict[str, list[Timex]], dict[str, float]]:
    """Predictions and speed: the best of ``repeats`` passes, as other processes share the machine."""
    for document in documents[:10]:  # warm-up: compiled grammars, loaded locale data
        predict(document)
    passes = []
    for _ in range(repeats):
        start = time.perf_counter()
        predictions = {d.id: predict(d) for d in documents}
        passes.append(time.perf_counter() - start)
    seconds = min(passes)
    words = sum(len(d.text.split()) for d in documents)
    return predictions, {
        "seconds": round(seconds, 3),
        "articles_per_second": round(len(documents) / seconds, 1),
        "ms_per_1000_words": round(1000 * seconds / words * 1000, 3),
        "ms_per_700_word_article": round(0.7 * 1000 * seconds / words * 1000, 3),
    }


def dateparser_parse_ms() -> float:
    """What one ``dateparser.parse`` call costs on an absolute date: why Storyline reads dates itself."""
    import dateparser

    settings = {"RELATIVE_BASE": dt.datetime(2021, 7, 24)}
    phrases = ["28 July 2021", "28 juillet 2021", "28. Juli 2021", "28 de julio de 2021", "28 июля 2021 года"]
    languages = ["en", "fr", "de", "es", "ru"]
    for phrase, language in zip(phrases, languages):  # warm-up
        dateparser.parse(phrase, languages=[language], settings=settings)
    start = time.perf_counter()
    for _ in range(20):
        for phrase, language in zip(phrases, languages):
            dateparser.parse(phrase, languages=[language], settings=settings)
    return round(1000 * (time.perf_counter() - start) / (20 * len(phrases)), 3)


def errors(documents: list[Document], predictions: dict[str, list[Timex]], limit: int) -> list[tuple[str, int]]:
    """The commonest misses, as "gold type | text shape | gold value shape -> predicted value shape"."""
    def shape(text: str) -> str:
        return re.sub(r"\d", "9", text)

    misses: Counter = Counter()
    for document in documents:
        for gold in document.gold:
            overlapping = [p for p in predictions[document.id] if p.start < gold.end and gold.start < p.end]
            if not any(p.value == gold.value for p in overlapping):
                got = shape(overlapping[0].value) if overlapping else "(nothing)"
                misses[f"{gold.type} | {shape(document.text[gold.start:gold.end].lower())} | {shape(gold.value)} -> {got}"] += 1
    return misses.most_common(limit)


def evaluate(name: str, documents: list[Document], show_errors: int) -> dict:
    ours, our_speed = timed(documents, storyline_predictions)
    theirs, their_speed = timed(documents, dateparser_predictions)
    if show_errors:
        print(f"== {name}: commonest misses")
        for row, count in errors(documents, ours, show_errors):
            print(f"{count:4d}  {row}")
    return {
        "documents": len(documents),
        "words": sum(len(d.text.split()) for d in documents),
        "storyline": {**score(documents, ours), "speed": our_speed},
        "dateparser_search_dates": {**score(documents, theirs), "speed": their_speed},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", type=int, default=0, help="print the N commonest misses of Storyline per dataset")
    args = parser.parse_args()
    datasets = {
        "tempeval3_en": tempeval_documents(),
        "xtn_timebank_es": xtn_documents("es"),
        "xtn_timebank_en": xtn_documents("en"),
    }
    result = {name: evaluate(name, documents, args.errors) for name, documents in datasets.items()}
    result["dateparser_parse_ms_per_absolute_date"] = dateparser_parse_ms()
    result["peak_rss_mb"] = round(peak_rss_mb())
    path = write_result("times", result)
    for name in datasets:
        for system in ("storyline", "dateparser_search_dates"):
            r = result[name][system]
            by_type = "  ".join(f"{t} {v['value_recall']:.3f}" for t, v in r["by_type"].items())
            print(
                f"{name:16s} {system:24s} value recall {r['value_recall']:.3f} (lenient {r['value_recall_lenient']:.3f})"
                f"  span R {r['span_recall']:.3f} P {r['span_precision']:.3f}"
                f"  value acc {r['value_accuracy_on_found_spans']:.3f}  {r['speed']['ms_per_1000_words']:.2f} ms/1k words"
                f"\n{'':41s}by type: {by_type}"
            )
    print(f"dateparser.parse: {result['dateparser_parse_ms_per_absolute_date']} ms per absolute date")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
