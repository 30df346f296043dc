"""Adding one article as the store grows: story matching and the store's save at 10k, 100k and 1M stored articles.

The large stores are filled with synthetic articles built from real texts:

1. Seeds: real documents (ECB+ English news, SemEval 2022 task 8 multilingual
   news) cleaned, analyzed and entity-linked once by Storyline: embedding,
   hashed terms, linked entity mentions, title, language. Cached in the
   temporary directory between runs.
2. Events: a stream of synthetic events at a steady rate over ``DAYS`` days
   (two years), so that the largest store ends on the last day and stories
   age. Each event takes a random seed, moves its embedding by gaussian noise
   (cosine about 0.8 to the seed: events built on one seed are different
   events of the same kind) and draws ``EVENT_TERMS`` terms of its own (the
   names and numbers that tell events apart). Event sizes are 1 + geometric
   (mean about 3.5); articles appear on the event's day plus 0-3 days, and one
   in ten is a follow-up 2-6 weeks later.
3. Articles: the event's embedding plus noise (cosine about 0.9 to it),
   60% of the seed's terms plus the event's own, 70% of the seed's linked
   entities, the seed's title and first 600 characters as text, one of 200
   outlets, and a random MinHash fingerprint (every text is unique).

Bulk: the stream is saved directly with ``SQLiteStore.save_batch`` (batches
of 2,000), its stories being the synthetic events themselves with profiles
built as the matcher builds them; no clean, analyze or match.

Measured at each size, in a fresh process (so its memory is that of an
ingesting process): a ``StoryMatcher`` built on the store as the pipeline
builds it places the next articles of the stream, batches of 64 saved with
``save_batch`` as the pipeline saves them (stories, merges, terms, bands,
FTS). ``WARMUP_BATCHES`` batches first (they load the stories within reach
of the current period from the store; timed and reported separately), then
``MEASURED_BATCHES`` batches timed: ``place`` per article, ``save_batch`` per
batch; time per article = place + save / 64.

    python bench/match_scale.py                         # 10k, 100k, 1M (55 minutes on 2 shared cores, 48 of them filling)
    python bench/match_scale.py --sizes 10000,50000     # smaller, as run_all.py runs it
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, analysis_code_digest, write_result  # noqa: E402
from storyline.analyze.fingerprint import NUM_PERM  # noqa: E402
from storyline.analyze.linking import EntityLinker  # noqa: E402
from storyline.analyze.terms import TERM_BUCKETS  # noqa: E402
from storyline.ingest import content_id  # noqa: E402
from storyline.match import StoryMatcher, TermStatistics, band_keys  # noqa: E402
from storyline.match.lexical import accumulate  # noqa: E402
from storyline.match.stories import STORY_ENTITIES, story_id_for  # noqa: E402
from storyline.model import Article, Batch, Entity, Given, Mention, RawDocument, SparseVector, StoryProfile  # noqa: E402
from storyline.pipeline import DEFAULT_BATCH_SIZE, prepare  # noqa: E402
from storyline.store import Store, masked, open_store  # noqa: E402

SEED = 7
DAYS = 730
FIRST_DAY = np.datetime64("2023-01-01")
EVENT_TERMS = 5
SEED_TERMS_KEPT = 0.6
SEED_ENTITIES_KEPT = 0.7
EVENT_NOISE = 0.75  # norm of the noise added to a seed's unit embedding for an event: cosine ~0.8
ARTICLE_NOISE = 0.5  # and to an event's embedding for an article: cosine ~0.9
TEXT_CHARS = 600
OUTLETS = 200
BULK_BATCH = 2000
WARMUP_BATCHES = 5
MEASURED_BATCHES = 40
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


# ---- seeds: real articles analyzed once --------------------------------------------------


@dataclass
class Seed:
    title: str
    text: str
    language: str
    embedding: np.ndarray
    term_ids: np.ndarray  # hashed terms and their counts, as analysis found them
    term_counts: np.ndarray
    mentions: list[Mention]  # the linked ones

    @property
    def entity_ids(self) -> list[str]:
        return sorted({m.entity_id for m in self.mentions if m.entity_id})


@dataclass
class Seeds:
    items: list[Seed]
    entities: list[Entity] = field(default_factory=list)


def _seed_documents(ecbplus: int, semeval: int) -> list[RawDocument]:
    with gzip.open(DATA / "ecbplus" / "documents.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [{"text": d["text"], "language": "en"} for d in map(json.loads, handle)][:ecbplus]
    csv.field_size_limit(10**8)
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            for side in ("1", "2"):
                if len(records) < ecbplus + semeval and row.get(f"text_{side}", "").strip():
                    records.append({"text": row[f"text_{side}"], "title": row.get(f"title_{side}") or None})
    documents = []
    for i, record in enumerate(records):
        given = Given(title=record.get("title"), language=record.get("language"))
        body = record["text"].encode()
        documents.append(RawDocument(content_id("text", body, given), f"seed{i}", "text", body, given))
    return documents


def load_seeds(ecbplus: int = 700, semeval: int = 800) -> Seeds:
    """Real articles analyzed and linked by Storyline (cached: analysis takes a few minutes)."""
    cache = Path(tempfile.gettempdir()) / f"storyline-match-scale-seeds-{ecbplus}-{semeval}-{analysis_code_digest()[:16]}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    results, *_ = prepare(_seed_documents(ecbplus, semeval))
    linker = EntityLinker(lambda keys: [])
    seeds = Seeds([])
    for article in results:
        if not isinstance(article, Article) or article.embedding is None or not article.terms:
            continue
        linker.link(article)
        mentions = [m for m in article.mentions if m.entity_id]
        text = article.text[:TEXT_CHARS]
        seeds.items.append(
            Seed(
                article.title or text[:80], text, article.language or "", article.embedding.astype(np.float32),
                np.array(list(article.terms), dtype=np.int64), np.array(list(article.terms.values()), dtype=np.float64), mentions,
            )
        )
    seeds.entities = linker.take_changed()
    cache.write_bytes(pickle.dumps(seeds))
    return seeds


# ---- the synthetic stream ---------------------------------------------------------------------


class Stream:
    """Synthetic articles in arrival order; article ``i`` is the same whichever range it is built in."""

    def __init__(self, seeds: Seeds, total: int) -> None:
        self.seeds = seeds
        rng = np.random.default_rng(SEED)
        sizes = 1 + rng.geometric(1 / 2.5, size=total)  # more events than needed; cut below
        sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), total)) + 1]
        events = len(sizes)
        event_of = np.repeat(np.arange(events), sizes)[:total]
        base_day = (event_of * DAYS) // events
        offset = rng.integers(0, 4, size=total)
        follow_up = rng.random(total) < 0.1
        offset[follow_up] = rng.integers(14, 43, size=int(follow_up.sum()))
        day = base_day + offset
        order = np.argsort(day, kind="stable")  # a feed delivers articles in date order
        self.event_of, self.day = event_of[order], day[order]
        self.event_seed = rng.integers(0, len(seeds.items), size=events)
        self.first_article = np.full(events, total, dtype=np.int64)  # the article that opens each event's story
        np.minimum.at(self.first_article, self.event_of, np.arange(total))
        self.last_article = np.zeros(events, dtype=np.int64)
        np.maximum.at(self.last_article, self.event_of, np.arange(total))

    def article_id(self, i: int) -> str:
        return hashlib.sha256(f"synthetic-{i}".encode()).hexdigest()[:16]

    def story_id(self, event: int) -> str:
        return story_id_for(self.article_id(int(self.first_article[event])))

    def _event(self, event: int) -> tuple[np.ndarray, dict[int, float]]:
        rng = np.random.default_rng([SEED, 1, event])
        seed = self.seeds.items[self.event_seed[event]]
        vector = seed.embedding + rng.normal(0, EVENT_NOISE / np.sqrt(len(seed.embedding)), len(seed.embedding))
        terms = {int(t): 1.0 for t in rng.integers(0, TERM_BUCKETS, size=EVENT_TERMS)}
        return (vector / np.linalg.norm(vector)).astype(np.float32), terms

    def articles(self, start: int, stop: int) -> list[tuple[Article, RawDocument, int]]:
        """Articles ``start`` .. ``stop - 1`` with their raw document and event."""
        built = []
        events: dict[int, tuple[np.ndarray, dict[int, float]]] = {}
        for i in range(start, stop):
            rng = np.random.default_rng([SEED, 2, i])
            event = int(self.event_of[i])
            if event not in events:
                events[event] = self._event(event)
            event_vector, event_terms = events[event]
            seed = self.seeds.items[self.event_seed[event]]
            vector = event_vector + rng.normal(0, ARTICLE_NOISE / np.sqrt(len(event_vector)), len(event_vector)).astype(np.float32)
            kept = rng.random(len(seed.term_ids)) < SEED_TERMS_KEPT
            terms = dict(zip(seed.term_ids[kept].tolist(), seed.term_counts[kept].tolist())) | event_terms
            entity_ids = seed.entity_ids
            kept_entities = {e for e, keep in zip(entity_ids, rng.random(len(entity_ids)) < SEED_ENTITIES_KEPT) if keep}
            published = str(FIRST_DAY + int(self.day[i]))
            article = Article(
                id=self.article_id(i), source="synthetic", title=seed.title, text=seed.text, published=published,
                language=seed.language, outlet=f"outlet-{int(rng.integers(OUTLETS))}",
            )
            article.embedding = (vector / np.linalg.norm(vector)).astype(np.float32)
            article.fingerprint = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
            article.terms = terms
            article.mentions = [m for m in seed.mentions if m.entity_id in kept_entities]
            document = RawDocument(article.id, "synthetic", "text", seed.text.encode(), Given(title=seed.title, published=published))
            built.append((article, document, event))
        return built


def add_to_batch(batch: Batch, article: Article, document: RawDocument) -> None:
    """What the pipeline puts in a batch for a new article (besides stories and terms)."""
    assert article.fingerprint is not None
    batch.articles.append(article)
    batch.documents.append(document)
    batch.text_hashes[article.id] = hashlib.sha256(article.id.encode()).hexdigest()
    batch.band_keys[article.id] = band_keys(article.fingerprint)


# ---- bulk fill ---------------------------------------------------------------------------------------


class BulkFiller:
    """Saves the stream into the store with each event as its story (as a perfect matcher would build it)."""

    def __init__(self, store: Store, stream: Stream) -> None:
        self.store, self.stream = store, stream
        frequencies, documents = store.term_frequencies()
        self.terms = TermStatistics(frequencies, documents)
        self.open_stories: dict[int, StoryProfile] = {}  # event -> profile, while the event still has articles to come
        self.entities_saved = store.count()["articles"] > 0

    def fill(self, start: int, stop: int) -> None:
        for first in range(start, stop, BULK_BATCH):
            self._save(first, min(stop, first + BULK_BATCH))

    def _save(self, start: int, stop: int) -> None:
        batch = Batch()
        if not self.entities_saved:
            batch.entities, self.entities_saved = self.stream.seeds.entities, True
        changed: dict[int, StoryProfile] = {}
        for article, document, event in self.stream.articles(start, stop):
            article.term_vector = self.terms.weigh(article.terms or {})
            self.terms.add(article.terms or {})
            profile = self.open_stories.get(event) or self._stored_story(event)
            _add_article(profile, article)
            article.story_id = profile.id
            self.open_stories[event] = changed[event] = profile
            add_to_batch(batch, article, document)
        batch.stories = list(changed.values())
        batch.term_frequencies = self.terms.take_changed()
        batch.documents_counted = self.terms.documents
        self.store.save_batch(batch)
        for event in [e for e in self.open_stories if self.stream.last_article[e] < stop]:
            del self.open_stories[event]

    def _stored_story(self, event: int) -> StoryProfile:
        story_id = self.stream.story_id(event)
        found = self.store.profiles_by_ids([story_id])
        if found:
            return found[0]
        return StoryProfile(story_id, np.zeros(0, dtype=np.float32), 0, None, None)


def _add_article(profile: StoryProfile, article: Article) -> None:
    assert article.embedding is not None and article.term_vector is not None
    day = article.published_day
    profile.vector_sum = article.embedding.copy() if not profile.size else profile.vector_sum + article.embedding
    profile.size += 1
    profile.first_day = min(profile.first_day or day, day)  # type: ignore[type-var]
    profile.last_day = max(profile.last_day or day, day)  # type: ignore[type-var]
    language = article.language or ""
    profile.terms[language] = accumulate(profile.terms.get(language, SparseVector.empty()), article.term_vector)
    if profile.title is None:
        profile.title, profile.title_vector = article.title, article.embedding
    named = Counter(profile.entities) + Counter({m.entity_id for m in article.mentions if m.entity_id})
    profile.entities = dict(named.most_common(STORY_ENTITIES))


# ---- measuring adds ------------------------------------------------------------------------------------


def measure(db: str, start: int, total: int) -> dict[str, object]:
    """Place and save the stream's articles from ``start`` into the store at ``db`` (a SQLite file or a PostgreSQL
    location) as the pipeline does; runs in its own process."""
    seeds = load_seeds()
    stream = Stream(seeds, total)
    store = open_store(db)
    stored = store.count()
    frequencies, documents = store.term_frequencies()
    matcher = StoryMatcher(store, term_statistics=TermStatistics(frequencies, documents))
    place_ms: list[float] = []
    save_ms: list[float] = []
    warmup_seconds = 0.0
    count = DEFAULT_BATCH_SIZE * (WARMUP_BATCHES + MEASURED_BATCHES)
    built = stream.articles(start, start + count)
    for number, first in enumerate(range(0, count, DEFAULT_BATCH_SIZE)):
        batch = Batch()
        batch_start = time.perf_counter()
        places = []
        for article, document, _ in built[first : first + DEFAULT_BATCH_SIZE]:
            begin = time.perf_counter()
            matcher.place(article)
            places.append(1000 * (time.perf_counter() - begin))
            add_to_batch(batch, article, document)
        batch.merges = matcher.take_merges()
        for article in batch.articles:
            article.story_id = matcher.resolve(article.story_id or "")
        batch.stories = matcher.take_changed()
        batch.term_frequencies = matcher.term_statistics.take_changed()
        batch.documents_counted = matcher.term_statistics.documents
        begin = time.perf_counter()
        store.save_batch(batch)
        saved = 1000 * (time.perf_counter() - begin)
        matcher.release_idle()
        if number < WARMUP_BATCHES:
            warmup_seconds += time.perf_counter() - batch_start
        else:
            place_ms.extend(places)
            save_ms.append(saved)
    store.close()
    place = np.array(place_ms)
    save = np.array(save_ms)
    per_article = place.mean() + save.mean() / DEFAULT_BATCH_SIZE
    return {
        "stored_articles": stored["articles"],
        "stored_stories": stored["stories"],
        "newest_day": str(FIRST_DAY + int(stream.day[start])),
        "measured_articles": len(place),
        "place_ms": {"p50": round(float(np.percentile(place, 50)), 3), "p99": round(float(np.percentile(place, 99)), 3), "mean": round(float(place.mean()), 3)},
        "save_batch_ms": {"p50": round(float(np.percentile(save, 50)), 2), "p99": round(float(np.percentile(save, 99)), 2), "mean": round(float(save.mean()), 2)},
        "ms_per_article": round(float(per_article), 3),
        "warmup_seconds": round(warmup_seconds, 2),
        "stories_in_memory": len(matcher),
        "periods_in_memory": len(matcher.periods_in_memory),
        "rss_mb": round(_rss_mb()),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream_length(sizes: list[int]) -> int:
    """Articles the stream needs: the largest store, and the articles added at each size."""
    return sizes[-1] + DEFAULT_BATCH_SIZE * (WARMUP_BATCHES + MEASURED_BATCHES) * len(sizes)


def fill_and_measure(location: str, sizes: list[int], stream: Stream) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Fill the store at ``location`` to each size in turn and measure adding to it there (in a fresh process each time);
    returns the measurements and the bulk fill's seconds."""
    added = DEFAULT_BATCH_SIZE * (WARMUP_BATCHES + MEASURED_BATCHES)
    store = open_store(location)
    filler = BulkFiller(store, stream)
    position, results, bulk = 0, [], []
    for size in sizes:
        begin = time.perf_counter()
        stop = position + (size - store.count()["articles"])
        filler.fill(position, stop)
        bulk.append({"to_articles": size, "seconds": round(time.perf_counter() - begin, 1)})
        print(f"{masked(location)}: filled to {size} in {bulk[-1]['seconds']} s", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", location, str(stop), str(len(stream.event_of))], capture_output=True, text=True, check=True
        )
        results.append(json.loads(child.stdout))
        print(json.dumps(results[-1]), flush=True)
        position = stop + added
        filler.open_stories.clear()  # the measured adds changed some; read them back from the store
    store.close()
    return results, bulk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="stored articles to measure at (comma-separated)")
    parser.add_argument("--db", help="store to fill (default: a temporary file, deleted afterwards)")
    parser.add_argument("--measure", nargs=3, metavar=("DB", "START", "TOTAL"), help=argparse.SUPPRESS)  # the measuring child process
    args = parser.parse_args()
    if args.measure:
        db, start, total = args.measure
        print(json.dumps(measure(db, int(start), int(total))))
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = time.perf_counter()
    seeds = load_seeds()
    seed_seconds = time.perf_counter() - started
    print(f"{len(seeds.items)} seeds, {len(seeds.entities)} entities ({seed_seconds:.0f} s)", flush=True)
    stream = Stream(seeds, stream_length(sizes))
    with tempfile.TemporaryDirectory(prefix="storyline-match-scale-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "scale.db"
        results, bulk = fill_and_measure(str(db), sizes, stream)
        db_mb = db.stat().st_size / 2**20
    ratio = results[-1]["ms_per_article"] / results[0]["ms_per_article"]
    payload = {
        "sizes": sizes,
        "synthetic_articles": __doc__.split("Measured at each size")[0].strip(),
        "how_measured": "Measured at each size" + __doc__.split("Measured at each size")[1].split("    python")[0].rstrip(),
        "seeds": {"articles": len(seeds.items), "entities": len(seeds.entities), "sources": "ECB+ documents.jsonl.gz (700), SemEval 2022 task 8 train_texts_dev (800 texts)"},
        "days": DAYS,
        "results": results,
        "bulk_fill": bulk,
        "store_mb_at_largest": round(db_mb),
        f"ratio_ms_per_article_{sizes[-1]}_vs_{sizes[0]}": round(ratio, 3),
        "command": "python bench/match_scale.py --sizes " + ",".join(map(str, sizes)),
    }
    path = write_result("match_scale", payload)
    print(json.dumps({"ratio": payload[f"ratio_ms_per_article_{sizes[-1]}_vs_{sizes[0]}"]}), f"-> {path}")


if __name__ == "__main__":
    main()
