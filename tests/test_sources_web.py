"""`serve --watch`: the server polls its sources, and the sources page shows their health in a real browser (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

import storyline
from tests.conftest import running_server
from tests.site import LoopbackSite, Reply

MARK = "XSS-EXECUTED"
SCRIPT = f'<script>console.log("{MARK}")</script>'


def _article(topic: str) -> bytes:
    sentence = f"The city council of Lowmoor voted on Tuesday to fund the {topic}, after a debate that lasted most of the night. "
    return f"<html><head><title>Lowmoor funds the {topic}</title></head><body><article><h1>Lowmoor funds the {topic}</h1><p>{sentence * 4}</p></article></body></html>".encode()


def test_serve_watch_and_the_sources_page(browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    with LoopbackSite() as site:
        links = [site.add(f"/news/{topic}.html", _article(topic)) for topic in ("bridge", "library")]
        items = "".join(f"<item><link>{link}</link></item>" for link in links)
        feed = site.add("/feed.xml", f"<rss version='2.0'><channel><title><![CDATA[{SCRIPT} Lowmoor Post]]></title>{items}</channel></rss>".encode(), "application/rss+xml")
        missing = site.add("/missing.xml", Reply(b"", status=404))
        page = site.add("/news/tram.html", _article("tram"))
        with storyline.open(db) as sl:
            sl.add_sources([feed])
            sl.add_sources([missing], name=f'Gone {SCRIPT}"><img src=x onerror=console.log("{MARK}")>')
            sl.add_sources([page])
        with running_server(db, extra=("--watch", "--allow-private-addresses", "--delay", "0")) as base:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                sources = httpx.get(f"{base}/api/sources").json()["sources"]
                if all(s["last_poll"] for s in sources) and sum(s["new_articles"] for s in sources) >= 3:
                    break
                time.sleep(0.5)
            by_url = {s["url"]: s for s in sources}
            assert (by_url[feed]["kind"], by_url[feed]["health"], by_url[feed]["items_seen"], by_url[feed]["new_articles"]) == ("feed", "ok", 2, 2)
            assert (by_url[missing]["health"], by_url[missing]["http_status"], by_url[missing]["errors_in_row"]) == ("failing", 404, 1)
            assert (by_url[page]["kind"], by_url[page]["new_articles"]) == ("page", 1)

            tab = browser.new_page()
            errors: list[str] = []
            tab.on("console", lambda message: errors.append(message.text))
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(base + "/")
            tab.locator("header nav a", has_text="Sources").click()
            assert tab.url == base + "/sources"
            rows = tab.locator("table.sources tbody tr")
            assert rows.count() == 3
            assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["ok", "failing", "ok"]
            assert SCRIPT in rows.nth(0).locator("td.url a").inner_text()  # the feed's own title, shown as text
            assert "Gone <script>" in rows.nth(1).locator("td.url").inner_text() and "HTTP 404" in rows.nth(1).inner_text()
            assert tab.locator("table.sources img").count() == 0 and tab.locator("main script").count() == 0
            assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the table fits the window
            main, table = tab.locator("main").bounding_box(), tab.locator("table.sources").bounding_box()
            assert main is not None and table is not None and table["x"] + table["width"] <= main["x"] + main["width"]
            tab.screenshot(path=str(tmp_path / "sources.png"), full_page=True)
            assert not [e for e in errors if MARK in e or "Refused" in e]
            tab.close()
