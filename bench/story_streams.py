"""The labelled story sets, analysed once and streamed through the matcher: what the story matcher learns from and is measured on.

Each set is a list of documents grouped by the real-world event they report
(``gold``). Documents are analysed exactly as ``storyline cluster`` analyses them
(clean, analyse, link entities across the set), once, and cached as pickles
under ``~/.cache/storyline-bench/`` keyed by the set's records and the content
of the code that analyses them (``analysis_code_digest``): re-running a
benchmark or training costs seconds, not minutes, and a change to cleaning or
analysis is never measured on analyses the old code made.

Sets (see ``../shared/data/story_training/SOURCE.md``):

- ``ecbplus``: ECB+ topics 1-35 (two events of one kind per topic); train and evaluate;
- ``newswcl50``, ``wec_eng``: train and evaluate;
- ``basil``, ``gedikli``: evaluate only (their licences forbid fitting shipped weights on them).

Streams are in publication order (ties and undated documents in a fixed
shuffle), as the articles would arrive.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import random
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, analysis_code_digest  # noqa: E402
from storyline.analyze.linking import EntityLinker  # noqa: E402
from storyline.ingest.readers import find_files, read_file  # noqa: E402
from storyline.model import Article, RawDocument  # noqa: E402
from storyline.pipeline import prepare  # noqa: E402

STORY_TRAINING = DATA / "story_training"
CACHE = Path(os.environ.get("STORYLINE_BENCH_CACHE", Path.home() / ".cache" / "storyline-bench"))
SHUFFLE_SEED = 13

TRAINING_SETS = ("ecbplus", "newswcl50", "wec_eng")
EVALUATION_ONLY_SETS = ("basil", "gedikli")
ALL_SETS = TRAINING_SETS + EVALUATION_ONLY_SETS


@dataclass
class StorySet:
    """One labelled set, analysed: its articles in stream order and each article's gold event."""

    name: str
    articles: list[Article]
    gold: dict[str, str]  # article id -> gold event
    fold: dict[str, str]  # article id -> the fold it belongs to (ECB+: its topic; others: the set)
    record_id: dict[str, str]  # article id (a content hash, as stored) -> the record's own id


def _records(name: str) -> list[dict[str, str]]:
    """The set's documents in the common schema ``{id, text, title, published, language, gold, fold}``."""
    if name == "ecbplus":
        with gzip.open(DATA / "ecbplus" / "documents.jsonl.gz", "rt", encoding="utf-8") as handle:
            docs = [json.loads(line) for line in handle]
        return [
            {"id": d["doc_id"], "text": d["text"], "title": "", "published": "", "language": "en", "gold": d["event_cluster"], "fold": f"ecb{d['topic']}"}
            for d in docs
        ]
    folder = {"newswcl50": "newswcl50", "wec_eng": "wec_eng_dev_test", "basil": "basil", "gedikli": "gedikli_story_chains"}[name]
    with (STORY_TRAINING / folder / "documents.jsonl").open(encoding="utf-8") as handle:
        records = [{**json.loads(line), "fold": name} for line in handle]
    if name == "wec_eng":
        # A WEC-Eng "title" names the Wikipedia page the passage comes from ("Maxwell, Texas"), not the
        # event (its README): streamed as a headline, it would teach the matcher what no news article shows.
        records = [{**r, "title": ""} for r in records]
    return records


def _stream_order(records: list[dict[str, str]], seed: int = SHUFFLE_SEED) -> list[dict[str, str]]:
    records = list(records)
    random.Random(seed).shuffle(records)
    return sorted(records, key=lambda r: r.get("published") or "9999")  # stable: undated last, in shuffled order


def _prepare_chunk(documents: list[RawDocument]) -> list[Article | None]:
    results, _, _ = prepare(documents, matching_only=True)
    return [r if isinstance(r, Article) else None for r in results]


def _analyse(records: list[dict[str, str]], progress: Callable[[int, int], None] | None) -> list[tuple[str, Article]]:
    """Each record's analysed article, as `storyline cluster` makes it (records cleaning refuses are left out)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "set.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for r in records:
                line = {"id": r["id"], "text": r["text"], "language": r.get("language") or None}
                if r.get("title"):
                    line["title"] = r["title"]
                if r.get("published"):
                    line["published"] = r["published"]
                handle.write(json.dumps(line) + "\n")
        files, _ = find_files([path])
        documents = [d for d in read_file(files[0]) if isinstance(d, RawDocument)]
    chunks = [documents[i : i + 16] for i in range(0, len(documents), 16)]
    analysed: list[Article | None] = []
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for result in pool.map(_prepare_chunk, chunks):
            analysed.extend(result)
            if progress:
                progress(len(analysed), len(documents))
    linker = EntityLinker(lambda keys: [])
    by_id = {r["id"]: r for r in records}
    out = []
    for document, article in zip(documents, analysed):
        if article is None:
            continue
        linker.link(article)
        out.append((document.given.external_id or "", article))
    assert all(ident in by_id for ident, _ in out), "every analysed document keeps its record's id"
    return out


def load(name: str, progress: Callable[[int, int], None] | None = None) -> StorySet:
    """The set, analysed (from the cache when it is there)."""
    records = _stream_order(_records(name))
    digest = hashlib.sha256(json.dumps([analysis_code_digest(), records], sort_keys=True).encode()).hexdigest()[:16]
    cached = CACHE / f"{name}-{digest}.pickle"
    if cached.exists():
        pairs = pickle.loads(cached.read_bytes())
    else:
        pairs = _analyse(records, progress)
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(pickle.dumps(pairs))
    by_id = {r["id"]: r for r in records}
    articles = [article for _, article in pairs]
    gold = {a.id: by_id[ident]["gold"] for ident, a in pairs}
    fold = {a.id: by_id[ident]["fold"] for ident, a in pairs}
    return StorySet(name, articles, gold, fold, {a.id: ident for ident, a in pairs})


def reshuffled(story_set: StorySet, seed: int) -> StorySet:
    """The same set streamed with its ties and undated documents in another shuffle (``seed``)."""
    order = {r["id"]: i for i, r in enumerate(_stream_order(_records(story_set.name), seed))}
    articles = sorted(story_set.articles, key=lambda a: order[story_set.record_id[a.id]])
    return replace(story_set, articles=articles)


def stretched(story_set: StorySet, factor: int) -> StorySet:
    """The same set with every gap between publication days ``factor`` times longer (same order, same first day).

    No labelled set holds a story with months between its reports; stretching one makes such
    stories (and moves events of one kind further apart, as the slower news of a year would).
    """
    days = [a.published_day for a in story_set.articles if a.published_day is not None]
    if not days:
        return story_set
    start = min(days)
    articles = [
        replace(a, published=(start + (a.published_day - start) * factor).isoformat()) if a.published_day is not None else a
        for a in story_set.articles
    ]
    return replace(story_set, articles=articles)


def newest_first(story_set: StorySet) -> StorySet:
    """The same set streamed in reverse, newest first: an archive loaded after the news that followed it."""
    return replace(story_set, articles=story_set.articles[::-1])


def load_all(names: Iterable[str] = ALL_SETS) -> dict[str, StorySet]:
    sets = {}
    for name in names:
        print(f"analysing {name} ...", file=sys.stderr, flush=True)
        sets[name] = load(name, lambda done, total: print(f"  {done}/{total}", end="\r", file=sys.stderr, flush=True))
    return sets


if __name__ == "__main__":
    for name, story_set in load_all(sys.argv[1:] or ALL_SETS).items():
        print(name, len(story_set.articles), "articles,", len(set(story_set.gold.values())), "events")
