"""The web pages in a real browser (headless Chromium) against a real server (issues 7 and 16).

Checks are on what a person sees: computed layout (a marked name sits inline in its
sentence, nothing is wider than the window, the story's sections come in reading
order, bars are as long as their numbers), not only on the text being there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest

import storyline

from tests.conftest import copy_db, running_server

SEEDS_TITLE = "In Geneva, meeting between the number two of Russian and American diplomacy"
TOKEN = "web-test-token-77"
# The story page's sections, in the order an analyst reads them.
READING_ORDER = ["summary", "coverage", "timeline", "agreed-facts", "single-source", "who-said-what", "places"]
# Every element whose box ends right of the window (hidden ones excluded): what makes a page scroll sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest('.visually-hidden') || el.closest('details:not([open])')) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;  // an SVG clips what it draws
    if (box.right > width + 1) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right) + '>' + width);
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def base(news_db: Path) -> Iterator[str]:
    with running_server(news_db) as url:  # read only: the shared store is not changed
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield tab
    tab.close()
    assert errors == []  # no failed load, no refused resource, no script error


def _seeds_story(page: Any, base: str) -> str:
    page.goto(base + "/")
    page.locator("ol.river > li", has_text="Geneva, meeting between the number two").locator("h2 a").click()
    assert page.url.startswith(base + "/stories/s-")
    return str(page.url)


def test_from_the_river_into_a_story_and_an_article(page: Any, base: str, news_db: Path) -> None:
    with storyline.open(news_db) as sl:
        stored = sl.count()["stories"]
    page.goto(base + "/")
    stories = page.locator("ol.river > li")
    assert stories.count() == stored  # every story of the store fits on the first page
    first = stories.first
    assert "articles" in first.locator(".size").inner_text() and first.locator(".span").inner_text()

    _seeds_story(page, base)
    assert page.locator("h1").inner_text() == SEEDS_TITLE
    for table in ["outlet", "language", "day"]:
        assert page.locator(f"#coverage table.coverage-{table} tbody tr").count() >= 1
    outlets = page.locator("#coverage table.coverage-outlet tbody td:first-child").all_inner_texts()
    assert set(outlets) == {"DW", "RFI"}
    assert page.locator("#coverage table.coverage-day tbody td:first-child").all_inner_texts() == ["2021-07-24", "2021-07-28"]
    rows = page.locator("#articles tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td.role").inner_text() for i in range(2)] == ["preview", "report"]
    assert [rows.nth(i).locator("td.outlet").inner_text() for i in range(2)] == ["DW", "RFI"]
    # the explanation: timeline, agreed facts, single-source claims, who said what, summary
    timeline = page.locator("#timeline ol.timeline li").all_inner_texts()
    assert any("2021-07-28" in t and "Geneva" in t for t in timeline)
    facts = page.locator("#agreed-facts li").all_inner_texts()
    assert any("Geneva" in f and "Sherman" in f and "DW, RFI" in f for f in facts)
    assert page.locator("#single-source li", has_text="New START").count() >= 1
    assert page.locator("#who-said-what .speaker", has_text="Riabkov").count() == 1
    assert 3 <= page.locator("#summary li").count() <= 5

    rows.nth(0).locator("td.headline a").first.click()
    assert page.locator("h1").inner_text() == "US, Russia to hold high-level arms control negotiations next week"
    assert page.locator("dl.metadata").inner_text().count("DW") >= 1
    paragraphs = page.locator("section.text p")
    assert paragraphs.count() > 3
    assert "Geneva" in page.locator("section.text").inner_text()
    page.locator("p.crumb a").click()
    assert page.url.startswith(base + "/stories/s-")


def test_duplicates_are_marked_on_the_story_page(page: Any, base: str) -> None:
    page.goto(base + "/")
    for link in page.locator("ol.river h2 a").all():
        link.click()
        marked = page.locator("#articles tr.duplicate .copy-note")
        if marked.count():
            assert marked.first.inner_text().startswith(("exact copy of", "near copy of"))
            original = marked.first.locator("a")
            target = original.inner_text()
            original.click()
            assert page.locator("h1").inner_text() == target
            return
        page.go_back()
    pytest.fail("the sample corpus has duplicates, but no story page marked one")


def test_a_marked_name_sits_inline_in_its_sentence(page: Any, base: str) -> None:
    _seeds_story(page, base)
    page.locator("#articles tbody tr").nth(0).locator("td.headline a").first.click()
    names = page.locator("section.text a.name")
    assert names.count() > 10
    geneva = page.locator("section.text p", has_text="same city where President").locator("a.name", has_text="Geneva").first
    layout = geneva.evaluate(
        """el => {
          const p = el.closest('p'), box = el.getBoundingClientRect(), para = p.getBoundingClientRect();
          const line = parseFloat(getComputedStyle(p).lineHeight);
          const before = document.createRange();
          before.setStart(p, 0); before.setEndBefore(el);
          const prior = before.getClientRects(), last = prior[prior.length - 1];
          return {display: getComputedStyle(el).display, height: box.height, width: box.width, line, paraWidth: para.width,
                  top: box.top, priorTop: last ? last.top : null, priorRight: last ? last.right : null, left: box.left};
        }"""
    )
    assert layout["display"] == "inline"
    assert layout["height"] < 1.5 * layout["line"]  # one line high, not a block of its own
    assert layout["width"] < layout["paraWidth"] / 3  # as wide as the word, not the paragraph
    # the words before it end on the same line, just left of it: the name runs on in the sentence
    assert layout["priorTop"] is not None and abs(layout["priorTop"] - layout["top"]) < 2
    assert 0 <= layout["left"] - layout["priorRight"] < 20


@pytest.mark.parametrize("width", [1100, 380])
def test_no_page_is_wider_than_the_window(browser: Any, base: str, width: int) -> None:
    tab = browser.new_page()
    tab.set_viewport_size({"width": width, "height": 900})
    try:
        story = _seeds_story(tab, base)
        tab.locator("#articles td.headline a").first.click()
        article = tab.url
        tab.locator("section.text a.name.person").first.click()
        entity = tab.url
        for url in ["/", story, article, entity, "/search?q=Istanbul", "/edits", "/login"]:
            tab.goto(url if url.startswith("http") else base + url)
            measured = tab.evaluate(OVERFLOWING)
            assert measured["scroll"] <= measured["width"] and measured["wide"] == [], (url, measured)
    finally:
        tab.close()


def test_story_sections_come_in_reading_order(page: Any, base: str) -> None:
    _seeds_story(page, base)
    tops = [page.locator(f"#{section}").bounding_box()["y"] for section in READING_ORDER]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    # coverage names every outlet's headline, linked, before any analysis
    coverage = page.locator("#coverage").bounding_box()
    headlines = page.locator("#coverage td.headline a")
    assert headlines.count() == 2
    assert all(coverage["y"] <= headlines.nth(i).bounding_box()["y"] <= coverage["y"] + coverage["height"] for i in range(2))


def test_coverage_bars_are_as_long_as_their_numbers(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.locator("ol.river > li").first.locator("h2 a").click()  # the latest story: several outlets and days
    for table in ["outlet", "language", "day"]:
        rows = page.locator(f"#coverage table.coverage-{table} tbody tr")
        per_article = [
            rows.nth(i).locator("td.bar rect").bounding_box()["width"] / int(rows.nth(i).locator("td.num").inner_text())
            for i in range(rows.count())
        ]
        assert max(per_article) - min(per_article) < 0.5, (table, per_article)  # one scale: twice the articles, twice the bar
    total = sum(int(n) for n in page.locator("#coverage table.coverage-outlet td.num").all_inner_texts())
    bar = page.locator("#coverage table.coverage-outlet td.bar svg").first.bounding_box()["width"]
    first = page.locator("#coverage table.coverage-outlet tbody tr").first
    share = int(first.locator("td.num").inner_text()) / total
    assert abs(first.locator("rect").bounding_box()["width"] - share * bar) < 1.5  # a share of the story's articles


def test_long_quote_lists_are_folded(page: Any, base: str) -> None:
    _seeds_story(page, base)
    riabkov = page.locator("#who-said-what .speaker", has_text="Riabkov")
    assert riabkov.locator("> ul.quotes > li").count() == 2
    more = riabkov.locator("details.more")
    assert more.count() == 1 and not more.evaluate("d => d.open")
    hidden = more.locator("li").first
    assert not hidden.is_visible()
    more.locator("summary").click()
    assert hidden.is_visible()


def test_the_map_is_drawn_on_the_server_and_shows_the_places(page: Any, base: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _seeds_story(page, base)
    svg = page.locator("#places figure.map svg")
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    geneva = page.locator("#places g.place", has_text="Geneva").locator("circle")
    dot = geneva.bounding_box()
    assert box["x"] <= dot["x"] and dot["x"] + dot["width"] <= box["x"] + box["width"]
    assert box["y"] <= dot["y"] and dot["y"] + dot["height"] <= box["y"] + box["height"]
    washington = page.locator("#places g.place", has_text="Washington").locator("circle").bounding_box()
    assert washington["x"] < dot["x"]  # west is left
    places = [(g.locator("circle").bounding_box(), g.locator("text").bounding_box() if g.locator("text").count() else None)
              for g in page.locator("#places g.place").all()]
    labels = [label for _, label in places if label]
    assert len(labels) >= 4
    for own, label in places:  # every name is read whole: inside the map, over no other name or place
        if label is None:
            continue
        assert box["x"] <= label["x"] and label["x"] + label["width"] <= box["x"] + box["width"] + 0.5, label
        assert not any(_overlap(label, other, 1) for other in labels if other is not label)
        assert not any(_overlap(label, circle, 1) for circle, _ in places if circle is not own), label
    assert page.locator("#places image").get_attribute("href") == "/static/world.svg"
    assert all(url.startswith(base) for url in requests)  # nothing from elsewhere: works offline


def _overlap(a: dict[str, float], b: dict[str, float], tolerance: float) -> bool:
    """Do two boxes (playwright's x, y, width, height) overlap by more than ``tolerance`` pixels each way?"""
    return (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > tolerance
            and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > tolerance)


def test_search_for_riabkov_finds_both_spellings_grouped_by_story(page: Any, base: str) -> None:
    page.goto(base + "/search")
    page.fill("input[name=q]", "Riabkov")
    page.click("form.search button")
    assert "q=Riabkov" in page.url
    groups = page.locator("section.story-hits")
    assert groups.count() == 1 and SEEDS_TITLE in groups.locator("h2").inner_text()
    hits = groups.locator("ol.hits > li")
    assert hits.count() == 2
    marks = {hits.nth(i).locator("mark").first.inner_text() for i in range(2)}
    assert any("Riabkov" in m for m in marks) and any("Ryabkov" in m for m in marks)  # DW writes it Ryabkov
    assert "Ryabkov" in page.locator("p.terms").inner_text()
    groups.locator("h2 a").click()
    assert page.locator("h1").inner_text() == SEEDS_TITLE


def test_istanbul_finds_its_spellings_in_other_languages(page: Any, base: str) -> None:
    page.goto(base + "/search?q=Istanbul&limit=50")
    languages = set(page.locator("ol.hits > li .meta").all_inner_texts())
    text = " ".join(page.locator("ol.hits mark").all_inner_texts())
    assert "Estambul" in text and "Стамбуле" in text
    assert any(" es " in f" {m} " for m in languages) and any(" ru " in f" {m} " for m in languages)


def test_every_page_announces_a_feed_that_feed_readers_read(page: Any, base: str) -> None:
    story = _seeds_story(page, base)
    feeds = {}
    page.locator("#articles td.headline a").first.click()
    page.locator("section.text a.name", has_text="Ryabkov").first.click()
    entity = page.url
    for name, url in [("river", base + "/"), ("story", story), ("entity", entity), ("search", base + "/search?q=Riabkov")]:
        page.goto(url)
        link = page.locator('head link[rel=alternate][type="application/atom+xml"]')
        assert link.count() == 1, name
        response = httpx.get(base + link.get_attribute("href"), timeout=30)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
        feeds[name] = feedparser.parse(response.content)
        assert not feeds[name].bozo, (name, feeds[name].bozo_exception)
        assert feeds[name].version == "atom10"
    story_titles = [e.title for e in feeds["story"].entries]
    assert story_titles == [SEEDS_TITLE, "US, Russia to hold high-level arms control negotiations next week"]  # newest first
    assert feeds["story"].entries[0].link.startswith(base + "/articles/")
    assert {e.author for e in feeds["story"].entries} == {"DW", "RFI"}
    assert {e.author for e in feeds["entity"].entries} == {"DW", "RFI"}  # Ryabkov's entity: both spellings
    assert {e.author for e in feeds["search"].entries} == {"DW", "RFI"}
    assert feeds["river"].entries and all(e.link.startswith(base + "/stories/") for e in feeds["river"].entries)


def test_river_filters_and_pages(page: Any, base: str) -> None:
    page.goto(base + "/?limit=5")
    assert page.locator("ol.river > li").count() == 5
    page.click("nav.pager a[rel=next]")
    assert page.locator("ol.river").get_attribute("start") == "6"
    page.click("nav.pager a[rel=prev]")
    assert page.locator("ol.river").get_attribute("start") == "1"

    page.goto(base + "/")
    page.fill("input[name=outlet]", "dw")
    page.click("form.filters button")
    assert page.locator("ol.river > li").count() == 1
    assert "Geneva" in page.locator("ol.river h2").inner_text()
    assert page.locator("input[name=outlet]").input_value() == "dw"

    page.goto(base + "/")
    page.fill("input[name=entity]", "Ryabkov")
    page.click("form.filters button")
    assert page.locator("ol.river h2").all_inner_texts() == [SEEDS_TITLE]


# ---- analysts' edits in the browser ------------------------------------------------


@pytest.fixture(scope="module")
def editable(news_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with a write token over a private copy of the store."""
    db = copy_db(news_db, tmp_path_factory.mktemp("editable"))
    with running_server(db, token=TOKEN) as url:
        yield url, db


def _log_in(page: Any, base: str) -> None:
    page.goto(base + "/login?next=/")
    page.fill("input[name=token]", "not-the-token")
    page.click("form.login button")
    assert page.locator("p.error").inner_text() == "That is not the server's token."
    page.fill("input[name=token]", TOKEN)
    page.click("form.login button")
    assert page.url == base + "/" and page.locator("header .account").inner_text().startswith("editing")


def test_split_then_merge_back_then_undo_in_the_browser(browser: Any, editable: tuple[str, Path]) -> None:
    base, db = editable
    page = browser.new_page()
    try:
        page.goto(base + "/")
        page.locator("ol.river > li").first.locator("h2 a").click()
        assert page.locator("#edit").count() == 0  # not logged in: no forms, a way to log in
        _log_in(page, base)
        page.locator("ol.river > li").first.locator("h2 a").click()
        story_url = page.url
        story_id = story_url.rsplit("/", 1)[-1]
        before = page.locator("#articles td.headline > a").all_inner_texts()
        assert len(before) >= 3

        page.locator("#articles tbody tr").nth(1).locator("input[type=checkbox]").check()
        page.fill("#checked input[name=title]", "Split off in the browser")
        page.click("#checked button:not([formaction])")
        assert page.locator("h1").inner_text() == "Split off in the browser"
        assert page.locator("#articles tbody tr").count() == 1
        assert "split 1 article off story" in page.locator("div.done").inner_text()
        new_id = page.url.split("?")[0].rsplit("/", 1)[-1]

        page.goto(story_url)
        assert len(page.locator("#articles td.headline > a").all_inner_texts()) == len(before) - 1
        assert page.locator(f'datalist#nearby-stories option[value="{new_id}"]').count() == 1
        page.fill("form.edit input[name=other]", new_id)
        page.click("form.edit:has(input[name=other]) button")
        assert sorted(page.locator("#articles td.headline > a").all_inner_texts()) == sorted(before)
        assert "merged story" in page.locator("div.done").inner_text()

        page.goto(base + "/edits")
        rows = page.locator("table.edits tbody tr")
        assert rows.count() == 2 and "merged story" in rows.nth(0).inner_text() and "split 1 article" in rows.nth(1).inner_text()
        for _ in range(2):
            page.locator("table.edits button").first.click()
        assert page.locator("table.edits tbody tr.undone").count() == 2
        page.goto(story_url)
        assert page.locator("#articles td.headline > a").all_inner_texts() == before
        assert httpx.get(f"{base}/api/stories/{new_id}", timeout=30).json()["id"] == story_id  # the split-off id leads back
    finally:
        page.close()


def test_forms_need_the_session_and_its_csrf_token(browser: Any, editable: tuple[str, Path]) -> None:
    base, db = editable
    with storyline.open(db) as sl:
        story = sl.stories(limit=1)[0]
        edits = sl.edits().total
    target = f"{base}/stories/{story.id}/rename"
    html = {"Accept": "text/html"}
    # no session
    response = httpx.post(target, data={"csrf": "x", "title": "Hijacked"}, headers=html, timeout=30)
    assert response.status_code == 401 and "log in" in response.text
    # a session, but a form from elsewhere
    page = browser.new_page()
    try:
        _log_in(page, base)
        cookies = {c["name"]: c["value"] for c in page.context.cookies(base)}
        session = next(c for c in page.context.cookies(base) if c["name"] == "storyline_session")
        assert session["httpOnly"] and session["sameSite"] == "Strict"
    finally:
        page.close()
    response = httpx.post(target, data={"csrf": "forged", "title": "Hijacked"}, cookies=cookies, headers=html, timeout=30)
    assert response.status_code == 403 and "out of date" in response.text
    response = httpx.post(
        target, data={"csrf": "forged", "title": "Hijacked"}, cookies=cookies,
        headers={**html, "Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}, timeout=30,
    )
    assert response.status_code == 403 and "another site" in response.text
    with storyline.open(db) as sl:
        assert sl.story(story.id).title == story.title and sl.edits().total == edits


def test_a_read_only_server_offers_no_editing(page: Any, base: str) -> None:
    _seeds_story(page, base)
    assert page.locator("#edit").count() == 0 and page.locator("header .account").inner_text() == ""
    assert page.locator("#articles input[type=checkbox]").count() == 0
    page.goto(base + "/login")
    assert "accepts no writes" in page.locator("p.error").inner_text()


def test_the_editor_s_pages_fit_a_narrow_window(browser: Any, editable: tuple[str, Path]) -> None:
    base, _ = editable
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": 380, "height": 900})
        _log_in(page, base)
        page.locator("ol.river > li").first.locator("h2 a").click()
        story = page.url
        assert page.locator("#edit form").count() == 2 and page.locator("#articles input[type=checkbox]").count() >= 2
        page.locator("#articles td.headline a").first.click()
        assert page.locator("#edit form").count() == 1
        for url in [story, page.url, base + "/edits"]:
            page.goto(url)
            measured = page.evaluate(OVERFLOWING)
            assert measured["scroll"] <= measured["width"] and measured["wide"] == [], (url, measured)
    finally:
        page.close()
