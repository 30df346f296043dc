"""Hostile feeds and sitemaps (the fast part of bench/reliability.py's source probes): every probe
served by a loopback site of its own, beside a good feed, through one real `fetch`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from bench.probes import CONTROL, HOSTILE, SourceProbe, page, rss, source_probes
from storyline.ingest.fetch import FetchSettings
from storyline.ingest.watch import WatchSettings
from storyline.model import FetchReport
from tests.site import LoopbackSite

# Quick retries and a short wait: the run must end whatever the hostile sources answer.
SETTINGS = WatchSettings(FetchSettings(allow_private_addresses=True, delay=0, timeout=8), page_retry=1, max_wait=4)
# slow-answer sleeps past fetch's request limit; the campaign runs it (and the 10 MB pages)
FAST = [p for p in source_probes() if not p.slow and p.defect != "slow-answer"]


@pytest.fixture(scope="module")
def source_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with contextlib.ExitStack() as stack:
        control_site = stack.enter_context(LoopbackSite())
        control_page = control_site.add("/control/harvest.html", page(CONTROL, "Rice harvest starts early").encode())
        control_feed = control_site.add("/control/feed.xml", rss([control_page]), "application/rss+xml")
        sites = {}
        for probe in FAST:
            site = stack.enter_context(LoopbackSite())
            sites[probe.name] = (site, probe.serve(site))
        db = tmp_path_factory.mktemp("sources") / "s.db"
        with storyline.open(db, workers=1, seconds_per_article=60) as sl:
            sl.add_sources([control_feed] + [url for _, url in sites.values()])
            start = time.monotonic()
            report = sl.fetch(SETTINGS, everything=True)
            seconds = time.monotonic() - start
            urls = {a.url for a in sl.store.iter_articles()}
            integrity = sl.store.integrity_check()
        yield {"report": report, "sites": sites, "control": control_page, "urls": urls, "seconds": seconds, "integrity": integrity}


def _problems(report: FetchReport) -> list[Any]:
    return [*report.failed_sources, *report.failed_pages, *report.skipped_pages, *report.put_off_pages]


def test_the_run_ends_and_stores_the_good_feed(source_run: dict[str, Any]) -> None:
    # each hostile request is bounded by its 8 s, a few hosts at a time, and the wait for retries by 4 s
    assert source_run["seconds"] < 8 * len(FAST) / 2 + 60
    assert source_run["control"] in source_run["urls"]
    assert source_run["integrity"] == "ok"
    assert all("; " in p.message or "HTTP" in p.message for p in _problems(source_run["report"])), _problems(source_run["report"])


@pytest.mark.parametrize("probe", FAST, ids=lambda p: p.name)
def test_each_hostile_source_is_reported_by_its_url(source_run: dict[str, Any], probe: SourceProbe) -> None:
    site, _ = source_run["sites"][probe.name]
    told = [p for p in _problems(source_run["report"]) if p.source.startswith(site.url(HOSTILE))]
    if probe.expect == "error":
        assert told, f"nothing reported about {probe.name}"
    assert not any(url.startswith(site.url("/")) and "gone" in url for url in source_run["urls"])


def test_hostile_links_are_refused_or_left_for_later_and_never_hold_the_run(tmp_path: Path) -> None:
    """A feed linking to a closed port, a name that does not resolve, a URL with an escape sequence:
    the invalid URL is refused at once (no traceback), the unreachable pages are tried again while
    the run's wait lasts (max_wait in all, not per retry), then reported as left to the next run."""
    with LoopbackSite() as site:
        closed = "http://127.0.0.1:1/closed.html"
        escape = site.url(HOSTILE + "\x1b[31mred.html")
        feed = site.add("/links.xml", rss([closed, escape]), "application/rss+xml")
        with storyline.open(tmp_path / "s.db", workers=0) as sl:
            sl.add_sources([feed])
            start = time.monotonic()
            report = sl.fetch(SETTINGS)
            seconds = time.monotonic() - start
    assert seconds < SETTINGS.max_wait + 10
    (invalid,) = report.failed_pages
    assert invalid.source == escape and "is not a valid URL" in invalid.message and "; check the feed" in invalid.message
    (later,) = report.put_off_pages
    assert later.source == closed and "tried again after" in later.message
