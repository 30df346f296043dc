"""Watched sources and web archives: speed, against baselines measured in the same run.

1. Feed to store: a feed of real pages (trafilatura_eval) served by a local HTTP server
   (tests/site.py) with politeness off (no pause between requests, no robots.txt):
   pages/s of `fetch` end to end, against `ingest` of the same pages as files; and the
   latency from a poll that finds one new item to its article being stored.
2. Reading web archives: records/s of FastWARC and of warcio over the same archives
   (the real fixtures of ../shared/data/sources/warc both can read, and the news WARC below).
3. Archive to store: articles/s of `ingest` on a WARC written here with warcio from the same
   real pages (request + response per page, a revisit every 4th page, gzip per record:
   real pages, not a real crawl), against the same pages ingested as .html files.
4. Memory: peak RSS growth while streaming a WARC of 1,000,000 records (written here, byte by
   byte: request records and one HTML page per 10,000), at 100k and at 1M records read.

    python bench/sources.py [--pages 200]
"""

from __future__ import annotations

import argparse
import gzip
import io
import logging
import statistics
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, write_result  # noqa: E402
import storyline  # noqa: E402
from storyline.ingest.fetch import FetchSettings  # noqa: E402
from storyline.ingest.warc import ArchiveStats, read_archive  # noqa: E402
from storyline.ingest.watch import WatchSettings  # noqa: E402
from storyline.pipeline import default_workers  # noqa: E402
from tests.site import LoopbackSite, Reply, write_warc  # noqa: E402

PAGES = DATA / "trafilatura_eval" / "html"
WARCS = DATA / "sources" / "warc"
PAGE_EVERY = 10_000
WARM_UP = 40  # pages (others than those measured) run first, so that every lazily loaded model is loaded
POLITENESS_OFF = WatchSettings(FetchSettings(allow_private_addresses=True, delay=0, obey_robots=False))


def _pages(count: int, *, skip: int = 0) -> list[tuple[str, bytes]]:
    files = sorted(PAGES.glob("*.html.gz"))[skip : skip + count]
    return [(f.name.removesuffix(".html.gz"), gzip.decompress(f.read_bytes())) for f in files]


def _rss(links: list[str]) -> bytes:
    items = "".join(f"<item><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{items}</channel></rss>'.encode()


def _ingest_files(pages: list[tuple[str, bytes]], workers: int, tmp: Path) -> tuple[float, int]:
    folder = tmp / f"files-{workers}"
    folder.mkdir()
    for name, html in pages:
        (folder / f"{name}.html").write_bytes(html)
    with storyline.open(tmp / f"files-{workers}.db", workers=workers) as sl:
        start = time.perf_counter()
        report = sl.ingest([folder])
        return time.perf_counter() - start, report.added


def feed_to_store(pages: list[tuple[str, bytes]], tmp: Path) -> dict[str, object]:
    baseline_seconds, baseline_added = _ingest_files(pages, 0, tmp)
    with LoopbackSite() as site:
        links = [site.add(f"/news/{name}.html", html) for name, html in pages]
        site.add("/feed.xml", _rss(links), "application/rss+xml")
        with storyline.open(tmp / "fetch.db") as sl:
            sl.add_sources([site.url("/feed.xml")])
            start = time.perf_counter()
            report = sl.fetch(POLITENESS_OFF)
            seconds = time.perf_counter() - start

        # latency: a feed that gains one item between polls
        listed: list[str] = []
        site.add("/live.xml", lambda asked: Reply(_rss(listed), "application/rss+xml"))
        latencies = []
        with storyline.open(tmp / "live.db") as sl:
            sl.add_sources([site.url("/live.xml")])
            sl.fetch(POLITENESS_OFF)  # the models are loaded once, as in a running watch
            for name, _ in pages[:10]:
                listed.append(site.url(f"/news/{name}.html"))
                start = time.perf_counter()
                stored = sl.fetch(POLITENESS_OFF, everything=True).added
                latencies.append(time.perf_counter() - start)
                assert stored <= 1
    return {
        "pages": len(pages),
        "fetch": {"seconds": round(seconds, 2), "pages_per_s": round(len(pages) / seconds, 2), "added": report.added,
                  "failed": len(report.failed_pages), "workers": 0},
        "baseline_ingest_files": {"seconds": round(baseline_seconds, 2), "articles_per_s": round(baseline_added / baseline_seconds, 2),
                                  "added": baseline_added, "workers": 0},
        "fetch_vs_files": round((len(pages) / seconds) / (baseline_added / baseline_seconds), 3),
        "latency_s": {"median": round(statistics.median(latencies), 2), "max": round(max(latencies), 2), "polls": len(latencies),
                      "what": "from the start of a poll that finds one new item to its article stored (poll + page + pipeline)"},
    }


def _fastwarc_records(data: bytes) -> int:
    from fastwarc.warc import ArchiveIterator

    count = 0
    for record in ArchiveIterator(io.BytesIO(data), parse_http=False):
        record.reader.read()
        count += 1
    return count


def _warcio_records(data: bytes) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for record in ArchiveIterator(io.BytesIO(data)):
        record.raw_stream.read()
        count += 1
    return count


def reading_speed(news_warc: Path) -> dict[str, object]:
    archives = []
    for path in sorted(WARCS.rglob("*.warc*")):
        data = path.read_bytes()
        try:  # only archives both libraries read whole, so both do the same work
            if _fastwarc_records(data) == _warcio_records(data) > 0:
                archives.append(data)
        except Exception:  # noqa: BLE001 - a fixture one of them refuses is left out
            continue
    archives.append(news_warc.read_bytes())
    result: dict[str, object] = {"archives": len(archives), "megabytes": round(sum(map(len, archives)) / 2**20, 1), "rounds": 7}
    rates: dict[str, list[float]] = {"fastwarc": [], "warcio": []}
    for _ in range(7):  # alternated, and the median of each kept: the machine is shared and noisy
        for name, reader in (("fastwarc", _fastwarc_records), ("warcio", _warcio_records)):
            start = time.perf_counter()
            records = sum(reader(data) for data in archives)
            rates[name].append(records / (time.perf_counter() - start))
    for name, values in rates.items():
        result[name] = {"records_per_archive_pass": records, "records_per_s_median": round(statistics.median(values))}
    result["fastwarc_vs_warcio"] = round(statistics.median(rates["fastwarc"]) / statistics.median(rates["warcio"]), 2)
    return result


def archive_to_store(pages: list[tuple[str, bytes]], tmp: Path) -> tuple[dict[str, object], Path]:
    warc = tmp / "news.warc.gz"
    write_warc(warc, [(f"https://news.example/{name}", html, "2024-05-01T10:00:00Z") for name, html in pages], revisit_every=4)
    workers = default_workers()
    with storyline.open(tmp / "warc.db", workers=workers) as sl:
        start = time.perf_counter()
        report = sl.ingest([warc])
        seconds = time.perf_counter() - start
    baseline_seconds, baseline_added = _ingest_files(pages, workers, tmp)
    return {
        "written": "tests/site.py write_warc (warcio WARCWriter, gzip per record): a request and a response per page, "
                   "a revisit every 4th page; the pages are trafilatura_eval's real HTML",
        "records": 1 + 2 * len(pages) + len(pages) // 4,
        "workers": workers,
        "ingest_warc": {"seconds": round(seconds, 2), "articles_per_s": round(report.added / seconds, 2), "added": report.added,
                        "skipped_records": report.skipped},
        "baseline_ingest_files": {"seconds": round(baseline_seconds, 2), "articles_per_s": round(baseline_added / baseline_seconds, 2),
                                  "added": baseline_added},
        "warc_vs_files": round((report.added / seconds) / (baseline_added / baseline_seconds), 3),
    }, warc


def _gzip_member(record: bytes) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(record) + packer.flush()


def _record(kind: str, url: str, block: bytes, content_type: str) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def memory(pages: list[tuple[str, bytes]], tmp: Path, records: int) -> dict[str, object]:
    path = tmp / "million.warc.gz"
    with path.open("wb") as handle:
        for i in range(records):
            if i % PAGE_EVERY == PAGE_EVERY - 1:
                block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + pages[(i // PAGE_EVERY) % len(pages)][1]
                handle.write(_gzip_member(_record("response", f"https://news.example/{i}", block, "application/http; msgtype=response")))
            else:
                block = f"GET /{i} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode()
                handle.write(_gzip_member(_record("request", f"https://news.example/{i}", block, "application/http; msgtype=request")))
    before = _rss_mb()
    stats = ArchiveStats()
    rss_at: dict[int, float] = {}
    start = time.perf_counter()
    for _ in read_archive(path, str(path), max_article_bytes=10 * 2**20, stats=stats):
        rss_at[sum(stats.records.values())] = _rss_mb()  # sampled at each page, one per PAGE_EVERY records
    seconds = time.perf_counter() - start
    read = sum(stats.records.values())
    tenth = min(rss_at, key=lambda n: abs(n - read // 10))
    return {
        "written": f"here, record by record (gzip per record): request records, and one real HTML page per {PAGE_EVERY:,} records",
        "records": read,
        "megabytes": round(path.stat().st_size / 2**20),
        "documents": stats.documents,
        "records_per_s": round(read / seconds),
        "rss_mb_before": round(before, 1),
        "rss_mb_at": {str(tenth): round(rss_at[tenth], 1), str(max(rss_at)): round(rss_at[max(rss_at)], 1)},
    }


def _warm_up(pages: list[tuple[str, bytes]], tmp: Path) -> None:
    """Load every model once, as a running watch has: models load lazily, per language, so whatever
    runs first would otherwise pay for it. ``pages`` are others than those measured."""
    folder = tmp / "warm-up"
    folder.mkdir()
    for name, html in pages:
        (folder / f"{name}.html").write_bytes(html)
    with storyline.open(tmp / "warm-up.db") as sl:
        sl.ingest([folder])


def main() -> None:
    logging.getLogger("warcio").setLevel(logging.ERROR)  # it warns of every fixture's odd target URI
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200, help="real pages behind the feed and in the WARC")
    parser.add_argument("--records", type=int, default=1_000_000, help="records of the WARC streamed for the memory figure")
    args = parser.parse_args()
    pages = _pages(args.pages)
    with tempfile.TemporaryDirectory(prefix="storyline-bench-sources-") as name:
        tmp = Path(name)
        _warm_up(_pages(WARM_UP, skip=args.pages), tmp)
        feed = feed_to_store(pages, tmp)
        print("feed to store:", feed, flush=True)
        warc_result, warc = archive_to_store(pages, tmp)
        print("archive to store:", warc_result, flush=True)
        reading = reading_speed(warc)
        print("reading archives:", reading, flush=True)
        streamed = memory(pages, tmp, args.records)
        print("streaming memory:", streamed, flush=True)
    path = write_result("sources", {"feed_to_store": feed, "archive_to_store": warc_result, "reading_archives": reading, "streaming_memory": streamed})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
