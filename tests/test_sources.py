"""Watched sources: real feeds and sitemaps served on loopback, fetched, parsed and stored (issue 12).

Tests that take ``location`` run on each backend: a SQLite file, then a PostgreSQL database."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result

import storyline
from storyline.errors import InputError
from storyline.ingest.feeds import parse_feed
from storyline.ingest.fetch import Fetcher, FetchSettings, HTTPFailure, Refused, Unreachable
from storyline.ingest.safety import RefusedAddress
from storyline.ingest.sitemaps import gunzip, parse_sitemap
from storyline.ingest.sources import canonical_url, detect_kind, parse_every, read_opml
from storyline.ingest.watch import WatchSettings
from storyline.serve.cli import cli
from tests.conftest import SHARED, need, run_cli
from tests.site import Asked, LoopbackSite, Reply

SOURCES = SHARED / "data" / "sources"
FUNDUS = SHARED / "data" / "pages" / "fundus"
LOOPBACK = FetchSettings(allow_private_addresses=True, delay=0)
FAST = WatchSettings(LOOPBACK)


def _manifest(folder: Path) -> list[dict[str, str]]:
    with (need(folder) / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture
def site() -> Any:
    with LoopbackSite() as running:
        yield running


def _rss(items: list[str], title: str = "Loopback news") -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>{"".join(items)}</channel></rss>'.encode()


# ---- feeds and sitemaps --------------------------------------------------------------


def test_every_real_feed_gives_its_items_over_http(site: LoopbackSite, tmp_path: Path) -> None:
    """94 real feeds (13 languages, real defects) served on loopback: each is polled, recognised as a
    feed, gives as many items as feedparser reads in it, and an ill-formed one is reported, not fatal."""
    rows = [r for r in _manifest(SOURCES / "feeds") if r["file"]]
    expected: dict[str, tuple[int, bool]] = {}
    for row in rows:
        body = site.rewrite((SOURCES / "feeds" / row["file"]).read_bytes())
        url = site.add(f"/feeds/{row['file']}", body, "application/rss+xml")
        # feedparser's own reading, as the manifest recorded it (a gzipped file is read decompressed, by feedparser too)
        if body[:2] == b"\x1f\x8b":
            reading = feedparser.parse(io.BytesIO(gzip.decompress(body)))
            expected[url] = (len(reading.entries), bool(reading.bozo))
        else:
            expected[url] = (int(row["entries"]), row["bozo"] == "1")
    fetcher = Fetcher(LOOPBACK)
    try:
        for url, (items, bozo) in expected.items():
            response = fetcher.get(url, max_bytes=LOOPBACK.max_source_bytes)
            body = gunzip(response.body, LOOPBACK.max_source_bytes)
            assert detect_kind(body, response.content_type) == "feed", url
            listing = parse_feed(body, response.final_url, content_type=response.headers.get("content-type"))
            assert listing.items == items, url
            assert all(link.url.startswith(site.base) for link in listing.links), url  # relative links resolved, none leaves
            if bozo:
                assert listing.problem and "well-formed" in listing.problem, url
    finally:
        fetcher.close()
    assert len(expected) >= 90


def test_feedparser_conformance_cases_parse_without_a_crash() -> None:
    """feedparser's own 2,106 cases (well-formed, ill-formed, encodings, entities): parsing only, in seconds."""
    cases = need(SOURCES / "feedparser_tests")
    with (cases / "CASES.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 2106
    mismatched = []
    for row in rows:
        body = (cases / row["path"]).read_bytes()
        headers = dict(line.split(":", 1) for line in row["http_headers"].split(" | ") if ":" in line) if row["http_headers"] else {}
        content_type = next((v.strip() for k, v in headers.items() if k.strip().lower() == "content-type"), None)
        listing = parse_feed(body, "http://127.0.0.1:1/case.xml", content_type=content_type)
        reading = feedparser.parse(io.BytesIO(body), response_headers={"content-location": "http://127.0.0.1:1/case.xml", **({"content-type": content_type} if content_type else {})})
        if listing.items != len(reading.entries) or bool(reading.bozo) != (listing.problem is not None and "well-formed" in listing.problem):
            mismatched.append(row["path"])
        assert all(link.url.startswith(("http://", "https://")) for link in listing.links), row["path"]
    assert mismatched == []


def test_every_sitemap_gives_its_entries() -> None:
    """25 real sitemaps: kind told from the bytes (not the name), entries counted as lxml counts them."""
    for row in _manifest(SOURCES / "sitemaps"):
        body = gunzip((SOURCES / "sitemaps" / row["file"]).read_bytes(), 10**8)
        kind = detect_kind(body, "")
        root = row["root"].split(" ")[0]
        if root in {"feed", "rss"}:
            assert kind == "feed", row["file"]  # an Atom file, an RSS feed declaring the sitemap namespace
            continue
        listing = parse_sitemap(body, "http://127.0.0.1:1/sitemap.xml")
        if root == "XML-ERROR":
            assert listing.problem and "well-formed" in listing.problem
            continue
        assert kind == ("sitemap index" if root == "sitemapindex" else "sitemap"), row["file"]
        if root == "sitemapindex":
            assert len(listing.children) == int(row["sitemap_entries"]), row["file"]
        else:
            assert len(listing.links) == int(row["url_entries"]), row["file"]
            assert sum(1 for link in listing.links if link.published) == int(row["news_entries"]), row["file"]


def test_news_sitemap_hints() -> None:
    body = (need(SOURCES / "sitemaps") / "advertools" / "news_sitemap.xml").read_bytes()
    first = parse_sitemap(body, "https://www.nytimes.com/sitemap.xml").links[0]
    assert first.url.endswith("quarantine-insanity.html")  # whitespace inside <loc> trimmed
    assert first.outlet == "The New York Times" and first.language == "en-US"
    assert first.published == "2020-05-11T09:00:01Z" and first.title and first.title.startswith("Quarantine Was Driving Me Crazy")


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000)
    with pytest.raises(ValueError, match="over"):
        gunzip(bomb, 1_000_000)


def test_canonical_urls_and_intervals() -> None:
    assert canonical_url("https://Example.com:443/a/b?utm_source=rss&id=3#top") == canonical_url("https://example.com/a/b?id=3")
    assert canonical_url("https://example.com/a?b=2&a=1") == canonical_url("https://example.com/a?a=1&b=2")
    assert canonical_url("https://example.com/a?id=1") != canonical_url("https://example.com/a?id=2")
    assert (parse_every("15m"), parse_every("2h"), parse_every("1d"), parse_every("90s")) == (900, 7200, 86400, 90)
    with pytest.raises(storyline.ConfigError):
        parse_every("10s")


# ---- sources in the store, OPML ------------------------------------------------------------------


def _cli(*args: str, code: int = 0) -> Result:
    """The real `storyline` command, run in this process (the subprocess tests pay its start-up)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_sources_add_list_remove_and_opml_round_trip(location: str, tmp_path: Path) -> None:
    db = location
    _cli("sources", "add", "https://example.com/feed.xml", "--every", "10m", "--name", "Example", "--db", str(db))
    _cli("sources", "add", "https://news.example.org/sitemap.xml", "https://example.com/feed.xml#x", "--db", str(db))
    listed = json.loads(_cli("sources", "list", "--json", "--db", str(db)).stdout)
    assert [s["url"] for s in listed] == ["https://example.com/feed.xml", "https://news.example.org/sitemap.xml"]
    assert listed[0]["name"] == "Example" and listed[0]["every_seconds"] == 600  # adding again kept its name and interval
    assert listed[0]["health"] == "new" and listed[0]["kind"] is None
    text = _cli("sources", "list", "--db", str(db)).stdout
    assert "new      https://example.com/feed.xml  (Example)" in text and "not polled yet · every 10m" in text

    refused = _cli("sources", "add", "file:///etc/passwd", "--db", str(db), code=1)
    assert "only http and https" in refused.output

    opml = _cli("sources", "export", "--db", str(db)).stdout
    assert [e.url for e in read_opml(opml.encode(), "export")] == [s["url"] for s in listed]
    exported = tmp_path / "feeds.opml"
    exported.write_text(opml, encoding="utf-8")
    other = tmp_path / "other.db"
    _cli("sources", "import", str(exported), "--db", str(other))
    again = json.loads(_cli("sources", "list", "--json", "--db", str(other)).stdout)
    assert [(s["url"], s["name"], s["every_seconds"]) for s in again] == [(s["url"], s["name"], s["every_seconds"]) for s in listed]

    _cli("sources", "remove", "https://example.com/feed.xml", "--db", str(db))
    assert [s["url"] for s in json.loads(_cli("sources", "list", "--json", "--db", str(db)).stdout)] == ["https://news.example.org/sitemap.xml"]
    missing = _cli("sources", "remove", "https://nowhere.example/", "--db", str(db), code=1)
    assert "not watched" in missing.output


def test_opml_from_a_feed_reader(tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head><title>My feeds</title></head><body>'
        '<outline text="News"><outline text="One" type="rss" xmlUrl="https://one.example/rss"/>'
        '<outline title="Two" type="rss" xmlUrl="https://two.example/atom.xml"/></outline>'
        '<outline text="Bad" type="rss" xmlUrl="gopher://three.example/"/></body></opml>',
        encoding="utf-8",
    )
    with storyline.open(tmp_path / "s.db") as sl:
        added, problems = sl.import_opml(opml)
        assert [(s.url, s.name) for s in added] == [("https://one.example/rss", "One"), ("https://two.example/atom.xml", "Two")]
        assert len(problems) == 1 and "gopher" in problems[0].message
        with pytest.raises(InputError, match="not an OPML file"):
            (tmp_path / "not.opml").write_text("<html></html>", encoding="utf-8")
            sl.import_opml(tmp_path / "not.opml")


# ---- pages behind a feed ---------------------------------------------------------------


def _fundus_gold() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(index row, gold) per page: a publisher's n-th page by crawl date goes with its n-th gold version."""
    rows = [json.loads(line) for line in (need(FUNDUS) / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()]
    by_gold: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_gold[row["gold_json"]].append(row)
    pairs = []
    for gold_file, pages in by_gold.items():
        versions = list(json.loads((FUNDUS / gold_file).read_text(encoding="utf-8")).values())
        pairs.extend(zip(sorted(pages, key=lambda r: r["crawl_date"]), versions))
    return sorted(pairs, key=lambda pair: pair[0]["html"])


def _serve_pages(site: LoopbackSite, pairs: list[tuple[dict[str, Any], dict[str, Any]]], *, hints: bool) -> str:
    """The pages on the site, and a feed listing them (with or without titles and dates); returns the feed URL."""
    items = []
    for i, (row, gold) in enumerate(pairs):
        url = site.add(f"/news/{i}.html", gzip.decompress((FUNDUS / row["html"]).read_bytes()), "text/html")
        extra = ""
        if hints:
            published = dt.datetime.fromisoformat(gold["publishing_date"]).strftime("%a, %d %b %Y %H:%M:%S %z")
            extra = f"<title><![CDATA[{gold['title']}]]></title><pubDate>{published}</pubDate>"
        items.append(f"<item>{extra}<link>{url}?utm_source=rss&amp;utm_medium=feed</link><guid isPermaLink='false'>{i}</guid></item>")
    return site.add("/feed.xml", _rss(items), "application/rss+xml; charset=utf-8")


def _norm(text: str | None) -> str:
    return re.sub(r"\W+", "", (text or "").lower())


def test_pages_behind_a_feed_become_articles_with_their_titles_and_dates(site: LoopbackSite, location: str) -> None:
    pairs = _fundus_gold()[::8]  # 20 publishers, many languages
    feed = _serve_pages(site, pairs, hints=False)
    with storyline.open(location) as sl:
        sl.add_sources([feed])
        report = sl.fetch(FAST)
        assert report.ok and report.new_items == len(pairs) and report.pages_fetched == len(pairs)
        assert report.added + len(report.failed_pages) == len(pairs) and len(report.failed_pages) <= 1
        articles = {a.url.split("?")[0].rsplit("/", 1)[-1]: a for a in sl.store.iter_articles() if a.url}
        titles = dates = 0
        for i, (_, gold) in enumerate(pairs):
            article = articles.get(f"{i}.html")
            if article is None:
                continue
            titles += _norm(gold["title"]) in _norm(article.title)
            dates += (article.published or "")[:10] == gold["publishing_date"][:10]
        assert titles >= 0.8 * len(pairs) and dates >= 0.9 * len(pairs), (titles, dates)
        # the source's health is recorded
        (source,) = sl.sources()
        assert (source.kind, source.health, source.items_seen, source.new_articles, source.status) == ("feed", "ok", len(pairs), report.added, 200)
        asked_before = len(site.asked)

        # a second fetch adds nothing, and asks for the feed conditionally
        again = sl.fetch(FAST, everything=True)
        assert (again.added, again.new_items, again.pages_fetched, again.not_modified) == (0, 0, 0, 1)
        assert [a.path for a in site.asked[asked_before:] if a.path != "/robots.txt"] == ["/feed.xml"]  # no page again
        assert site.asked[-1].headers.get("if-none-match")


def test_what_a_feed_says_wins_and_tracking_parameters_do_not_make_two_articles(site: LoopbackSite, tmp_path: Path) -> None:
    pairs = _fundus_gold()[3::40][:3]
    feed = _serve_pages(site, pairs, hints=True)
    # a second feed links the same pages with other tracking parameters
    second = site.add("/other.xml", _rss([f"<item><link>{site.url(f'/news/{i}.html')}?fbclid=abc</link></item>" for i in range(len(pairs))]))
    with storyline.open(tmp_path / "hints.db") as sl:
        sl.add_sources([feed, second])
        report = sl.fetch(FAST)
        assert report.added == len(pairs) and report.new_items == len(pairs)
        for i in range(len(pairs)):
            assert len(site.requests_for(f"/news/{i}.html")) == 1  # fetched once, whichever feed led to it
        for article in sl.store.iter_articles():
            i = int(article.url.split("?")[0].rsplit("/", 1)[-1].split(".")[0])
            gold = pairs[i][1]
            assert article.title == gold["title"].strip()
            assert dt.datetime.fromisoformat(article.published or "") == dt.datetime.fromisoformat(gold["publishing_date"])


def test_a_changed_article_is_stored_as_a_new_version(site: LoopbackSite, location: str) -> None:
    texts = [
        "The harbour authority of the town said on Monday that the new pier would open in May, after two years of work.",
        "Officials added that ferries to the islands would double once the pier is open, and that fares would not rise.",
    ]
    page = {"body": "<html><head><title>Pier opens in May</title></head><body><article><h1>Pier opens in May</h1>"
            + "".join(f"<p>{t}</p>" for t in texts) + "</article></body></html>"}
    site.add("/pier.html", lambda asked: Reply(page["body"].encode()))
    item = {"date": "Mon, 03 Mar 2025 09:00:00 +0000"}
    site.add("/feed.xml", lambda asked: Reply(_rss([f"<item><link>{site.url('/pier.html')}</link><pubDate>{item['date']}</pubDate></item>"]), "application/rss+xml"))
    with storyline.open(location) as sl:
        sl.add_sources([site.url("/feed.xml")])
        assert sl.fetch(FAST).added == 1
        # the page changes markup only, the feed says the item was updated: fetched again, no new version
        page["body"] = page["body"].replace("<article>", "<article class='x'>")
        item["date"] = "Mon, 03 Mar 2025 10:00:00 +0000"
        report = sl.fetch(FAST, everything=True)
        assert (report.pages_fetched, report.added, report.new_versions) == (1, 0, 0)
        # the text changes: a new version, linked to the first
        page["body"] = page["body"].replace("would open in May", "will open in June, a month late,")
        item["date"] = "Tue, 04 Mar 2025 08:00:00 +0000"
        report = sl.fetch(FAST, everything=True)
        assert (report.added, report.new_versions) == (1, 1)
        first, second = sorted(sl.store.iter_articles(), key=lambda a: "June" in a.text)
        assert "June" in second.text and [v[1] for v in sl.article_versions(second.id)] == [1, 2]
        assert sl.article_versions(first.id)[0][0] == first.id
        assert sl.article_export(second)["versions"][1]["id"] == second.id
        assert len(site.requests_for("/pier.html")) == 3


# ---- a good citizen --------------------------------------------------------------------


def test_robots_txt_is_obeyed_and_the_user_agent_names_a_contact(site: LoopbackSite, tmp_path: Path) -> None:
    site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    page = b"<html><body><article><p>" + b"A public article about the council budget vote held on Tuesday evening. " * 5 + b"</p></article></body></html>"
    site.add("/public/a.html", page)
    site.add("/private/b.html", page.replace(b"public", b"private"))
    site.add("/feed.xml", _rss([f"<item><link>{site.url(p)}</link></item>" for p in ("/private/b.html", "/public/a.html")]), "application/rss+xml")
    # the default pause between two requests to a host
    settings = WatchSettings(FetchSettings(allow_private_addresses=True, delay=1.0, contact="news-desk@example.org"))
    with storyline.open(tmp_path / "robots.db") as sl:
        sl.add_sources([site.url("/feed.xml")])
        report = sl.fetch(settings)
    assert report.added == 1
    assert [a.path for a in site.asked] == ["/robots.txt", "/feed.xml", "/public/a.html"]
    assert all(later.at - earlier.at >= 1.0 for earlier, later in zip(site.asked, site.asked[1:]))
    assert site.requests_for("/private/b.html") == []
    assert any("robots.txt" in p.message for p in report.failed_pages)
    assert all("news-desk@example.org" in a.headers["user-agent"] and a.headers["user-agent"].startswith("Storyline/") for a in site.asked)
    assert len(site.requests_for("/robots.txt")) == 1  # read once, not before every request


def test_429_with_retry_after_is_honoured(site: LoopbackSite, tmp_path: Path) -> None:
    answers = iter([Reply(b"slow down", "text/plain", 429, {"Retry-After": "2"})])
    body = b"<html><body><article><p>" + b"The regional parliament approved the water plan after a long debate on Thursday. " * 5 + b"</p></article></body></html>"
    site.add("/busy.html", lambda asked: next(answers, Reply(body)))
    site.add("/feed.xml", _rss([f"<item><link>{site.url('/busy.html')}</link></item>"]), "application/rss+xml")
    with storyline.open(tmp_path / "retry.db") as sl:
        sl.add_sources([site.url("/feed.xml")])
        report = sl.fetch(FAST)
    first, second = site.requests_for("/busy.html")
    assert second.at - first.at >= 2.0  # waited as asked, then fetched it in the same run
    assert report.added == 1


def test_a_long_retry_after_puts_the_host_off_without_holding_fetch(site: LoopbackSite, location: str) -> None:
    site.add("/first.html", Reply(b"", "text/plain", 429, {"Retry-After": "3600"}))
    site.add("/second.html", b"<html><body><p>never asked</p></body></html>")
    site.add("/feed.xml", _rss([f"<item><link>{site.url(p)}</link></item>" for p in ("/first.html", "/second.html")]), "application/rss+xml")
    with storyline.open(location) as sl:
        sl.add_sources([site.url("/feed.xml")])
        started = time.monotonic()
        report = sl.fetch(FAST)
        assert time.monotonic() - started < 30 and report.ok and report.added == 0
        assert sl.source_pages()[site.url("/feed.xml")] == {"pending": 2}  # both wait for the host's hour, in the store
    assert site.requests_for("/second.html") == []


def test_failing_source_backs_off_and_dies_after_days(site: LoopbackSite, location: str) -> None:
    site.add("/gone.xml", Reply(b"", "text/plain", 503, {"Retry-After": "3600"}))
    with storyline.open(location) as sl:
        (source,) = sl.add_sources([site.url("/gone.xml")])
        report = sl.fetch(FAST)
        assert not report.ok and "come back in 3600 s" in report.failed_sources[0].message
        (source,) = sl.sources()
        assert source.health == "failing" and source.status == 503 and source.errors_in_row == 1
        assert dt.datetime.fromisoformat(source.next_poll) - dt.datetime.fromisoformat(source.last_poll or "") >= dt.timedelta(seconds=3600)
        # failing for four days already: the next failure marks it dead, and it is polled no more
        source.added = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=4)).isoformat(timespec="seconds")
        source.errors_in_row = 10
        sl.store.save_source(source)
        sl.fetch(FAST, everything=True)
        (source,) = sl.sources()
        assert source.dead and source.health == "dead" and "marked dead" in (source.error or "")
        asked = len(site.asked)
        assert sl.fetch(FAST, everything=True).sources_polled == 0 and len(site.asked) == asked
        (revived,) = sl.add_sources([site.url("/gone.xml")])  # adding it again revives it
        assert not revived.dead


# ---- safe by default ------------------------------------------------------------------


def test_private_addresses_are_refused_without_the_flag(site: LoopbackSite, db: Path) -> None:
    site.add("/feed.xml", _rss([]), "application/rss+xml")
    feed = site.url("/feed.xml")
    named = feed.replace("127.0.0.1", "localhost")  # refused after DNS resolution, not by its spelling
    run_cli("sources", "add", feed, named, "--db", str(db))
    refused = run_cli("fetch", "--db", str(db), check=False)
    assert refused.returncode == 1
    assert "refused: 127.0.0.1 is a loopback address" in refused.stderr and "--allow-private-addresses" in refused.stderr
    assert "refused: localhost (127.0.0.1) is a loopback address" in refused.stderr or "refused: localhost (::1)" in refused.stderr
    assert site.asked == []
    allowed = run_cli("fetch", "--db", str(db), "--now", "--allow-private-addresses", "--delay", "0")
    assert "2 sources polled (0 unchanged, 0 failed)" in allowed.stderr


def test_a_redirect_to_a_private_address_is_refused(site: LoopbackSite) -> None:
    # 127.0.0.1 (the site) is allowed here, any other private address is not: the redirect's target is checked too.
    site.add("/moved", Reply(b"", status=302, headers={"Location": "http://127.0.0.2:9/admin"}))
    site.add("/metadata", Reply(b"", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    site.add("/ftp", Reply(b"", status=302, headers={"Location": "ftp://127.0.0.1/file"}))
    fetcher = Fetcher(FetchSettings(allowed_networks=("127.0.0.1/32",), delay=0))
    try:
        with pytest.raises(RefusedAddress, match="127.0.0.2 is a loopback address"):
            fetcher.get(site.url("/moved"), max_bytes=1000)
        with pytest.raises(RefusedAddress, match="169.254.169.254 is a link-local address"):
            fetcher.get(site.url("/metadata"), max_bytes=1000)
        with pytest.raises(RefusedAddress, match="only http and https"):
            fetcher.get(site.url("/ftp"), max_bytes=1000)
    finally:
        fetcher.close()


def test_a_hostile_page_is_bounded_and_stalls_nothing(site: LoopbackSite, tmp_path: Path) -> None:
    """A page that never ends, one that drips, a redirect loop and a binary file cost themselves only."""
    good = b"<html><body><article><p>" + b"Farmers in the valley reported the best cherry harvest in a decade this summer. " * 5 + b"</p></article></body></html>"

    def dripping(asked: Asked) -> Reply:
        time.sleep(3)  # longer than the whole-request limit below
        return Reply(good)

    site.add("/huge.html", Reply(b"<html>" + b"x" * 3_000_000))
    site.add("/drip.html", dripping)
    site.add("/loop", Reply(b"", status=302, headers={"Location": "/loop"}))
    site.add("/file.pdf", Reply(b"%PDF-1.4" + b"\0" * 100, "application/pdf"))
    site.add("/good.html", good)
    links = ["/huge.html", "/drip.html", "/loop", "/file.pdf", "/good.html"]
    site.add("/feed.xml", _rss([f"<item><link>{site.url(p)}</link></item>" for p in links]), "application/rss+xml")
    settings = WatchSettings(FetchSettings(allow_private_addresses=True, delay=0, timeout=1.5, max_page_bytes=1_000_000), page_attempts=1)
    with storyline.open(tmp_path / "hostile.db") as sl:
        sl.add_sources([site.url("/feed.xml")])
        started = time.monotonic()
        report = sl.fetch(settings)
        assert time.monotonic() - started < 60
    assert report.added == 1
    problems = {p.source.rsplit("/", 1)[-1]: p.message for p in report.failed_pages + report.skipped_pages}
    assert "byte limit" in problems["huge.html"]
    assert "no answer within" in problems["drip.html"] or "took over" in problems["drip.html"]
    assert "redirects" in problems["loop"]
    assert "not an HTML page" in problems["file.pdf"]


def test_fetcher_errors_say_what_happened(site: LoopbackSite) -> None:
    site.add("/missing", Reply(b"", status=404))
    fetcher = Fetcher(LOOPBACK)
    try:
        with pytest.raises(HTTPFailure) as missing:
            fetcher.get(site.url("/missing"), max_bytes=1000)
        assert missing.value.status == 404 and missing.value.permanent
        with pytest.raises(Unreachable):
            fetcher.get("http://127.0.0.1:9/closed", max_bytes=1000)  # nothing listens on the discard port
        with pytest.raises(Refused, match="byte limit"):
            site.add("/big", b"x" * 5000)
            fetcher.get(site.url("/big"), max_bytes=1000)
    finally:
        fetcher.close()


def test_a_sitemap_index_is_followed_to_its_changed_sitemaps(site: LoopbackSite, location: str) -> None:
    """A news sitemap and a gzipped urlset behind an index, served over HTTP: kind found from the bytes,
    children read, and on the next poll only the child whose lastmod changed is asked for again."""
    folder = need(SOURCES / "sitemaps")
    news = site.add("/sitemaps/news.xml", site.rewrite((folder / "advertools" / "news_sitemap.xml").read_bytes()), "application/xml")
    # served as application/octet-stream under a name that says nothing: gzip is told by its bytes
    packed = site.add("/sitemaps/archive", site.rewrite((folder / "trafilatura" / "sitemap.xml.gz").read_bytes()), "application/octet-stream")
    lastmod = {"news": "2020-05-19", "archive": "2019-01-01"}

    def index(asked: Asked) -> Reply:
        entries = "".join(f"<sitemap><loc>{url}</loc><lastmod>{lastmod[key]}</lastmod></sitemap>" for key, url in (("news", news), ("archive", packed)))
        return Reply(f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode(), "text/xml")

    site.add("/sitemap_index.xml", index)
    settings = WatchSettings(LOOPBACK, page_attempts=1)
    with storyline.open(location) as sl:
        sl.add_sources([site.url("/sitemap_index.xml")])
        report = sl.fetch(settings)
        (source,) = sl.sources()
        assert source.kind == "sitemap index" and source.items_seen == 6 + 84 and report.new_items == 6 + 84
        assert set(source.children) == {news, packed}
        lastmod["news"] = "2020-05-20"
        sl.fetch(settings, everything=True)
    assert len(site.requests_for("/sitemaps/news.xml")) == 2 and len(site.requests_for("/sitemaps/archive")) == 1
