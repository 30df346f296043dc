"""The web pages in a real browser (headless Chromium) against a real server (issue 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline

from tests.conftest import running_server


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


def test_from_the_river_into_a_story_and_an_article(page: Any, base: str, news_db: Path) -> None:
    with storyline.open(news_db) as sl:
        stored = sl.count()["stories"]
    page.goto(base + "/")
    stories = page.locator("ol.river > li")
    assert stories.count() == stored  # every story of the store fits on the first page
    first = stories.first
    assert "articles" in first.locator(".size").inner_text() and first.locator(".span").inner_text()

    page.locator("ol.river > li", has_text="Geneva, meeting between the number two").locator("h2 a").click()
    assert page.url.startswith(base + "/stories/s-")
    assert page.locator("h1").inner_text() == "In Geneva, meeting between the number two of Russian and American diplomacy"
    for table in ["outlet", "language", "day"]:
        assert page.locator(f"#coverage table.coverage-{table} tbody tr").count() >= 1
    outlets = page.locator("#coverage table.coverage-outlet tbody td:first-child").all_inner_texts()
    assert set(outlets) == {"DW", "RFI"}
    assert page.locator("#coverage table.coverage-day tbody td:first-child").all_inner_texts() == ["2021-07-24", "2021-07-28"]
    rows = page.locator("#articles tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)] == ["preview", "report"]
    assert rows.nth(0).locator("td").nth(3).inner_text() == "DW"
    # the explanation: timeline, agreed facts, single-source claims, who said what, summary
    timeline = page.locator("#timeline ol.timeline li").all_inner_texts()
    assert any("2021-07-28" in t and "Geneva" in t for t in timeline)
    facts = page.locator("#agreed-facts li").all_inner_texts()
    assert any("Geneva" in f and "Sherman" in f and "DW, RFI" in f for f in facts)
    assert page.locator("#single-source li", has_text="New START").count() >= 1
    assert page.locator("#who-said-what li", has_text="Riabkov").count() >= 1
    assert 3 <= page.locator("#summary li").count() <= 5

    rows.nth(0).locator("a").first.click()
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
        marked = page.locator("#articles tr.duplicate .mark")
        if marked.count():
            assert marked.first.inner_text().startswith(("exact copy of", "near copy of"))
            original = marked.first.locator("a")
            target = original.inner_text()
            original.click()
            assert page.locator("h1").inner_text() == target
            return
        page.go_back()
    pytest.fail("the sample corpus has duplicates, but no story page marked one")


def test_search_for_riabkov_finds_the_seeds_story(page: Any, base: str) -> None:
    page.goto(base + "/search")
    page.fill("input[name=q]", "Riabkov")
    page.click("form.search button")
    assert "q=Riabkov" in page.url
    hits = page.locator("ol.hits > li")
    assert hits.count() >= 1
    rfi = page.locator("ol.hits > li", has_text="RFI")
    assert rfi.locator("mark").first.inner_text() == "Riabkov"
    rfi.get_by_role("link", name="its story").click()
    assert page.locator("h1").inner_text() == "In Geneva, meeting between the number two of Russian and American diplomacy"


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
