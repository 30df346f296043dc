"""Requests/s and latency of the web server under load: the river, a story page, search.

Starts `storyline serve` on loopback over a store of at least 100,000 articles and
keeps 50 clients busy on each endpoint for a bounded time (20 s by default). In the
same run, as a baseline measured the same way, /healthz (touches nothing): figures
are best read as ratios to it, since the clients share the machine with the server.

The store is synthetic: ingesting 100k articles through the pipeline takes over an
hour (about 25 articles/s), so articles are written directly with
``SQLiteStore.save_batch``, in stories of 5-20 articles, with titles and texts drawn
from the words of the sample corpus (so search has real work to do), random
languages, outlets and dates. Pass --db to keep the store for the next run.

    python bench/serve_load.py [--articles 100000] [--seconds 20] [--clients 50] [--db FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import processes  # noqa: E402
from bench.common import REPO, write_result  # noqa: E402
from storyline.model import Article, Batch, RawDocument, StoryProfile  # noqa: E402
from storyline.store import SQLiteStore  # noqa: E402

CORPUS = REPO / "examples" / "corpus"
LANGUAGES = ["en", "fr", "de", "es", "ru"]
OUTLETS = [f"{name} {kind}" for name in ["Northern", "Atlantic", "Coastal", "Capital", "Evening", "Morning", "Valley", "Harbour"]
           for kind in ["Herald", "Wire", "Courier", "Times", "Post"]]
BATCH_ARTICLES = 2000


def vocabulary() -> list[str]:
    """Words of the sample corpus, in their order of frequency (most frequent first)."""
    counts: dict[str, int] = {}
    for path in CORPUS.rglob("*"):
        if path.is_file():
            for word in re.findall(r"[^\W\d_]{3,}", path.read_text(encoding="utf-8", errors="replace")):
                counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def build_store(db: Path, articles: int, words: list[str], rng: random.Random) -> None:
    """Write ``articles`` synthetic articles in stories of 5-20."""
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few words everywhere, most rare
    vector = np.zeros(512, dtype=np.float32)
    store = SQLiteStore(db)
    written, story_number = 0, 0
    started = time.perf_counter()
    try:
        while written < articles:
            batch = Batch()
            while len(batch.articles) < BATCH_ARTICLES and written + len(batch.articles) < articles:
                story_number += 1
                story_id = f"s-{story_number:016x}"
                topic = rng.choices(words, weights, k=4)  # the words every article of the story shares
                first_day = 19_700 + rng.randrange(700)  # days since 1970: 2023-2025
                size = rng.randint(5, 20)
                days = []
                for i in range(size):
                    article_id = hashlib.sha256(f"{story_id}-{i}".encode()).hexdigest()[:16]
                    day = np.datetime64(first_day + rng.randrange(6), "D").astype(object)
                    days.append(day)
                    title = " ".join(topic[:2] + rng.choices(words, weights, k=rng.randint(4, 8))).capitalize()
                    paragraphs = [
                        " ".join(topic + rng.choices(words, weights, k=rng.randint(30, 50))).capitalize() + "."
                        for _ in range(rng.randint(4, 6))
                    ]
                    text = "\n\n".join(paragraphs)
                    document = RawDocument(article_id, f"synthetic/{article_id}.txt", "text", text.encode())
                    batch.documents.append(document)
                    batch.articles.append(
                        Article(
                            article_id, document.source, title, text, day.isoformat(), rng.choice(LANGUAGES), rng.choice(OUTLETS),
                            story_id=story_id,
                        )
                    )
                    batch.text_hashes[article_id] = hashlib.sha256(text.encode()).hexdigest()
                batch.stories.append(StoryProfile(story_id, vector, size, min(days), max(days), batch.articles[-size].title))
            store.save_batch(batch)
            written += len(batch.articles)
            print(f"\r  {written:,} articles written ({time.perf_counter() - started:.0f} s)", end="", flush=True)
        print()

    finally:
        store.close()


class Connection:
    """One keep-alive HTTP/1.1 connection, as lean as a load generator needs.

    httpx.AsyncClient was tried first: with 50 concurrent requests its connection pool
    costs more CPU than the server's work (healthz fell from ~240 to ~60 requests/s),
    so it measured itself. This client only writes a GET and reads one response.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The status of GET ``path``; the body is read and dropped."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: text/html\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        await self.reader.readexactly(int(length.group(1)) if length else 0)
        if re.search(rb"(?i)\r\nconnection: *close", head):
            self.writer.close()
            self.writer = None
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def measure(port: int, next_path: Callable[[], str], *, clients: int, seconds: float, warmup: float) -> dict[str, float]:
    """``clients`` concurrent connections requesting ``next_path()`` in a loop; latencies after a warm-up."""
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measured_from, end = start + warmup, start + warmup + seconds

    async def client() -> None:
        nonlocal errors
        connection = Connection("127.0.0.1", port)
        try:
            while (now := time.perf_counter()) < end:
                status = await connection.get(next_path())
                if now >= measured_from:
                    if status == 200:
                        latencies.append(time.perf_counter() - now)
                    else:
                        errors += 1
        finally:
            connection.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per endpoint")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--db", type=Path, default=None, help="keep the synthetic store here (reused when it exists)")
    args = parser.parse_args()

    rng = random.Random(7)
    words = vocabulary()
    with tempfile.TemporaryDirectory(prefix="storyline-serve-load-") as tmp:
        db = args.db or Path(tmp) / "load.db"
        build_seconds = None
        if not db.exists():
            print(f"building {args.articles:,} synthetic articles in {db}")
            start = time.perf_counter()
            build_store(db, args.articles, words, rng)
            build_seconds = round(time.perf_counter() - start, 1)
        store = SQLiteStore(db)
        counts = store.count()
        story_ids = [s.id for s in store.stories(limit=2000)]
        store.close()
        if counts["articles"] < args.articles:
            sys.exit(f"{db} holds {counts['articles']:,} articles, fewer than --articles; remove it to rebuild")

        port = processes.free_port()
        with processes.serving(db, env={**os.environ, "PYTHONPATH": str(REPO)}, port=port, wait_seconds=300):
            searched = [w for w in words[50:3000] if len(w) >= 5]  # neither stop words nor absent
            endpoints: dict[str, Callable[[], str]] = {
                "baseline_healthz": lambda: "/healthz",
                "river": lambda: "/",
                "story_page": lambda: f"/stories/{rng.choice(story_ids)}",
                "search": lambda: f"/search?q={quote(rng.choice(searched))}",
            }
            results = {}
            load_before = os.getloadavg()[0]
            for name, next_path in endpoints.items():
                print(f"{name}: {args.clients} clients for {args.seconds:.0f} s")
                results[name] = asyncio.run(measure(port, next_path, clients=args.clients, seconds=args.seconds, warmup=2.0))
                print(f"  {results[name]}")

    baseline = results["baseline_healthz"]
    for name, result in results.items():
        if name != "baseline_healthz" and result["requests"]:
            result["throughput_vs_baseline"] = round(result["requests_per_second"] / baseline["requests_per_second"], 3)
            result["p50_vs_baseline"] = round(result["p50_ms"] / baseline["p50_ms"], 1)
    payload = {
        "store": {
            **counts,
            "how": "synthetic articles written directly with SQLiteStore.save_batch (not through the pipeline): "
            "stories of 5-20 articles, titles and texts drawn Zipf-like from the words of examples/corpus, "
            "random languages, outlets and days",
            "build_seconds": build_seconds,
        },
        "method": {
            "server": "storyline serve (uvicorn, one process, access log on) on 127.0.0.1",
            "clients": f"{args.clients} concurrent keep-alive connections from one asyncio process on the same machine "
            "(a minimal HTTP/1.1 client: httpx.AsyncClient's pool was the bottleneck at this concurrency)",
            "seconds_per_endpoint": args.seconds,
            "warmup_seconds": 2.0,
            "load_average_before": round(load_before, 2),
            "endpoints": {"river": "GET / (20 stories)", "story_page": "GET /stories/{random story}", "search": "GET /search?q={random corpus word}"},
        },
        "results": results,
    }
    path = write_result("serve_load", payload)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
