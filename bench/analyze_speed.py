"""Throughput of each analysis component, and the memory they hold, on real multilingual pages.

Cleans the first pages of trafilatura_eval (German-heavy, multilingual) and of the
SemEval-2022 texts (ten languages), then times each analyzer on the same
articles, one component at a time, in this process. A baseline measured in the
same run is the clean stage (trafilatura) on the same pages: figures are also
given as a ratio to it, in wall-clock time and in this process's CPU time (which the
other programs of a shared machine disturb least).

    python bench/analyze_speed.py [--articles 300]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, write_result  # noqa: E402
from storyline.analyze import find_places  # noqa: E402
from storyline.analyze.embed import embed_texts  # noqa: E402
from storyline.analyze.entities import find_mentions_in  # noqa: E402
from storyline.analyze.events import find_events  # noqa: E402
from storyline.analyze.fingerprint import fingerprint  # noqa: E402
from storyline.analyze.linking import EntityLinker  # noqa: E402
from storyline.analyze.quotes import find_quotes  # noqa: E402
from storyline.analyze.sentences import embed_sentences, embedded_sentences  # noqa: E402
from storyline.analyze.terms import term_counts  # noqa: E402
from storyline.analyze.times import find_times  # noqa: E402
from storyline.clean import clean_or_problem, detect_language  # noqa: E402
from storyline.ingest import content_id  # noqa: E402
from storyline.model import Article, RawDocument  # noqa: E402


def _documents(limit: int) -> list[RawDocument]:
    annotations = [json.loads(line) for line in (DATA / "trafilatura_eval" / "annotations.jsonl").read_text().splitlines()]
    pages = [gzip.decompress((DATA / "trafilatura_eval" / a["html_file"]).read_bytes()) for a in annotations[: limit // 2]]
    csv.field_size_limit(10**8)
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8", errors="replace") as handle:
        texts = [row["text_1"] for row in csv.DictReader(handle)][: limit - len(pages)]
    return [RawDocument(content_id("html", b), f"page{i}", "html", b) for i, b in enumerate(pages)] + [
        RawDocument(content_id("text", t.encode()), f"text{i}", "text", t.encode()) for i, t in enumerate(texts) if t.strip()
    ]


def _timed(articles: list[Article], component: Callable[[list[Article]], object]) -> dict[str, float]:
    component(articles[:3])  # load models outside the clock
    start, cpu = time.perf_counter(), time.process_time()
    component(articles)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": round(seconds, 2),
        "articles_per_second": round(len(articles) / seconds, 1),
        "ms_per_article": round(1000 * seconds / len(articles), 2),
        # CPU time of this process: what the other programs of a loaded machine change least
        "cpu_ms_per_article": round(1000 * cpu_seconds / len(articles), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    documents = _documents(args.articles)

    start, cpu = time.perf_counter(), time.process_time()
    articles = [a for a in map(clean_or_problem, documents) if isinstance(a, Article)]
    clean_seconds, clean_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu

    def each(step: Callable[[Article], object]) -> Callable[[list[Article]], object]:
        return lambda batch: [step(a) for a in batch]

    def mentions(batch: list[Article]) -> None:
        for article, found in zip(batch, find_mentions_in([a.text for a in batch], [a.language for a in batch])):
            article.mentions = found

    def places(a: Article) -> None:
        a.places = find_places(a.mentions, a.text, a.language)

    def times(a: Article) -> None:
        a.times = find_times(a.text, language=a.language, published=a.published_day)

    spans = {id(a): embedded_sentences(a.text, a.language) for a in articles}  # found once: timed on their own below
    components: dict[str, Callable[[list[Article]], object]] = {
        "language (lingua)": each(lambda a: detect_language(a.text)),
        "sentences to embed (razdel)": each(lambda a: embedded_sentences(a.text, a.language)),
        # as ``analyze`` embeds them: the first sentences of every article in one batch, and the headlines
        "embedding (USE-multilingual, sentences + headline)": lambda batch: (
            embed_sentences([a.text for a in batch], [spans[id(a)] for a in batch]),
            embed_texts([a.title or "" for a in batch]),
        ),
        "fingerprint (MinHash)": each(lambda a: fingerprint(a.text)),
        "terms": each(term_counts),
        "mentions (NER + grouping)": mentions,
        "places (geocoding)": each(places),
        "times": each(times),
        "quotes": each(lambda a: find_quotes(a.text, language=a.language, mentions=a.mentions)),
        "events": each(lambda a: find_events(a.text, language=a.language, published=a.published_day,
                                           mentions=a.mentions, places=a.places, times=a.times)),
    }
    results = {name: _timed(articles, component) for name, component in components.items()}
    linker = EntityLinker(lambda keys: [])
    results["entity linking (no store)"] = _timed(articles, each(linker.link))
    by_language = Counter(a.language for a in articles)
    total_ms = sum(r["ms_per_article"] for r in results.values())
    clean_ms = 1000 * clean_seconds / len(articles)
    total_cpu_ms, clean_cpu_ms = sum(r["cpu_ms_per_article"] for r in results.values()), 1000 * clean_cpu_seconds / len(articles)
    result = {
        "articles": len(articles),
        "languages": dict(by_language.most_common()),
        "average_characters": round(sum(len(a.text) for a in articles) / len(articles)),
        "components": results,
        "baseline_clean_stage": {"ms_per_article": round(clean_ms, 2), "articles_per_second": round(1000 / clean_ms, 1), "cpu_ms_per_article": round(clean_cpu_ms, 2)},
        "analysis_ms_per_article": round(total_ms, 1),
        "ratio_analysis_time_vs_clean": round(total_ms / clean_ms, 2),
        "analysis_cpu_ms_per_article": round(total_cpu_ms, 1),
        "ratio_analysis_cpu_vs_clean": round(total_cpu_ms / clean_cpu_ms, 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "note": "one process; the pipeline runs clean + analysis in worker processes (one per core), linking and matching in the main one",
    }
    path = write_result("analyze_speed", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
