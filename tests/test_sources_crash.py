"""A watch killed with kill -9, or stopped with SIGTERM, loses nothing and fetches nothing again (issue 12), on both backends."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import storyline
from storyline.ingest.fetch import FetchSettings
from storyline.ingest.watch import WatchSettings
from tests.conftest import REPO, SHARED, assert_intact, kill_when, need, run_sql, stored_urls
from tests.site import Asked, LoopbackSite, Reply

FUNDUS = SHARED / "data" / "pages" / "fundus"
PAGES = 24


def _watch(db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyline", "watch", "--db", db, "--allow-private-addresses", "--delay", "0"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_watch_killed_then_stopped_then_finished(location: str) -> None:
    rows = [json.loads(line) for line in (need(FUNDUS) / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()][1::6][:PAGES]
    db = location
    with LoopbackSite() as site:
        def slowly(body: bytes) -> object:
            def reply(asked: Asked) -> Reply:
                time.sleep(0.15)  # a page takes a moment, so the kill lands mid-run
                return Reply(body, "text/html")
            return reply

        links = []
        for i, row in enumerate(rows):
            links.append(site.add(f"/news/{i}.html", slowly(gzip.decompress((FUNDUS / row["html"]).read_bytes()))))
        items = "".join(f"<item><link>{link}</link></item>" for link in links)
        site.add("/feed.xml", f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(), "application/rss+xml")
        with storyline.open(db) as sl:
            sl.add_sources([site.url("/feed.xml")])

        first = _watch(db)
        kill_when(first, lambda: len(stored_urls(db)) >= 4)
        before_kill = set(stored_urls(db))
        assert_intact(db)
        fetched = {row[0] for row in run_sql(db, "SELECT fetched_url FROM watched_pages WHERE state = 'fetched'")}
        asked_at_kill = Counter(a.path for a in site.asked)

        second = _watch(db)  # starts with the pages fetched but not stored, then goes on
        deadline = time.monotonic() + 300
        while len(stored_urls(db)) < len(before_kill) + 4 and time.monotonic() < deadline and second.poll() is None:
            time.sleep(0.05)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=120) == 0  # a clean stop
        assert b"stopping" in (second.stderr.read() if second.stderr else b"")

        with storyline.open(db) as sl:
            report = sl.fetch(WatchSettings(FetchSettings(allow_private_addresses=True, delay=0)))
            assert report.ok

    with storyline.open(db) as sl:
        stored = [a.url for a in sl.store.iter_articles()]
    assert sorted(stored) == sorted(links)  # nothing lost, nothing doubled
    asked = Counter(a.path for a in site.asked)
    for link in before_kill | fetched:  # stored, or fetched and saved, before the kill: never asked again
        path = link.split(str(site.base), 1)[1]
        assert asked[path] == 1, path
    in_flight = sum(1 for path, n in asked.items() if path.startswith("/news/") and n > 1)
    assert in_flight <= WatchSettings().threads  # only pages in flight at the kill were asked twice
    assert sum(n for path, n in asked_at_kill.items() if path.startswith("/news/")) >= len(before_kill)
