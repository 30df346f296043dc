"""Article text is hostile: no script it carries may run on any page (issue 7).

Articles whose title, outlet, body and URL carry script payloads are submitted
through the write endpoint, then every page that shows them is opened in a real
browser. Escaping is checked apart from the Content-Security-Policy (which would
block an inline script anyway): no element the payload describes may exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import copy_db, running_server

TOKEN = "xss-test-token"
MARK = "XSS-EXECUTED"
SCRIPT = f'<script>console.log("{MARK}");alert(1)</script>'
ATTRIBUTE = f'" onerror=alert(1) onmouseover=console.log("{MARK}") x="'
IMAGE = f'<img src=x onerror="console.log(\'{MARK}\');alert(2)">'
CLOSE_JSON = f'</script><script>console.log("{MARK}")</script>'
WORD = "Zanzibarquux"  # finds the hostile articles in search
HOSTILE = [
    {
        "id": "hostile-text",
        "title": f"{WORD} {SCRIPT}{ATTRIBUTE}{CLOSE_JSON}",
        "outlet": f"{IMAGE}{ATTRIBUTE}",
        "url": "javascript:alert(document.domain)",
        "published": "2031-01-02",
        "language": "en",
        "text": (
            f"The port authority of {WORD} announced a new ferry timetable on Monday. {SCRIPT}\n\n"
            f"Passengers were told to expect delays of up to an hour. {IMAGE} {ATTRIBUTE}\n\n"
            f"The timetable takes effect next week, officials said. {CLOSE_JSON}\n\n"
            f'"We will keep the old ferries {SCRIPT}," said harbour master Harold Quimbleton on Tuesday.'
        ),
    },
    {
        "id": "hostile-html",
        "published": "2031-01-03",
        "language": "en",
        "url": f'https://example.org/"><script>console.log("{MARK}")</script>',
        "html": (
            f"<html><head><title>{WORD} ferries &lt;script&gt;alert(3)&lt;/script&gt;</title></head><body><article>"
            f"<p>The ferry company of {WORD} said on Tuesday that new timetables would be printed this week.</p>"
            f"<p>Escaped in the page, a payload becomes text: &lt;img src=x onerror=alert(4)&gt; &lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;</p>"
            f"<p>Passengers welcomed the change, while unions asked for talks.</p>{SCRIPT}"
            "</article></body></html>"
        ),
    },
]


@pytest.fixture(scope="module")
def base(news_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = copy_db(news_db, tmp_path_factory.mktemp("xss"))
    with running_server(db, token=TOKEN) as url:
        response = httpx.post(f"{url}/api/articles", json=HOSTILE, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        assert response.status_code == 201, response.text
        assert {r["status"] for r in response.json()["articles"]} == {"added"}
        yield url


def _hostile_pages(base: str) -> list[str]:
    found = httpx.get(f"{base}/api/search", params={"q": WORD}).json()["articles"]
    assert len(found) == 2
    stories = sorted({a["story"] for a in found})
    entities = sorted({e["id"] for a in found for e in httpx.get(f"{base}/api/articles/{a['id']}").json()["entities"]})
    assert entities  # the articles name people and places: their pages show hostile neighbours' text too
    return [
        "/",
        *[f"/stories/{s}" for s in stories],
        *[f"/articles/{a['id']}" for a in found],
        *[f"/entities/{e}" for e in entities],
        f"/search?q={WORD}",
        f"/search?q={quote(SCRIPT + ATTRIBUTE)}",  # the query is echoed in the form and the title
        f"/stories/{quote(SCRIPT, safe='')}",  # so is a missing id, on the error page
    ]


def test_no_script_from_an_article_runs_on_any_page(browser: Any, base: str) -> None:
    tab = browser.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("console", lambda message: console.append(message.text))
    try:
        for path in _hostile_pages(base):
            tab.goto(base + path)
            tab.mouse.move(300, 300)  # would fire an injected onmouseover
            assert tab.locator("script").count() == 0, path  # no page has any script, so none was injected
            assert tab.evaluate("document.querySelectorAll('[onerror], [onmouseover], img').length") == 0, path
            hrefs = tab.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
            assert not [h for h in hrefs if not h.startswith(("/", "?", "http://", "https://"))], (path, hrefs)
            assert WORD in tab.content() or path.startswith(("/stories/%3C", "/search?q=%3C")), path
    finally:
        tab.close()
    assert dialogs == []
    assert not [m for m in console if MARK in m]


def test_payloads_are_shown_as_text(browser: Any, base: str) -> None:
    tab = browser.new_page()
    try:
        tab.goto(f"{base}/articles/hostile-text")
        assert tab.locator("h1").inner_text() == HOSTILE[0]["title"]
        metadata = tab.locator("dl.metadata").inner_text()
        assert HOSTILE[0]["outlet"] in metadata
        assert "javascript:alert(document.domain)" in metadata and "not linked" in metadata
        assert tab.locator("dl.metadata a[href^='javascript']").count() == 0
        assert SCRIPT in tab.locator("section.text").inner_text()

        tab.goto(f"{base}/articles/hostile-html")
        link = tab.locator("dl.metadata a[rel~=nofollow]")
        assert link.get_attribute("href") == HOSTILE[1]["url"]  # an http(s) URL stays a link, its quotes escaped
        assert "<script>alert(5)</script>" in tab.locator("section.text").inner_text()
    finally:
        tab.close()
