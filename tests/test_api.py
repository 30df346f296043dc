"""The Python API beyond ingest: story filters, pages, search, writes from records and uploads (issue 7)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import storyline
from storyline.errors import ConfigError
from storyline.store import SQLiteStore
from storyline.store.sqlite import _migrations
from tests.conftest import copy_db

MEETING = (
    "Russian Deputy Foreign Minister Sergei Riabkov and US Deputy Secretary of State Wendy Sherman met again in Geneva "
    "on Thursday to continue the strategic stability dialogue on arms control. Both sides said the talks at the US "
    "mission were professional and substantial, and agreed that expert groups would meet before the next round."
)


@pytest.fixture(scope="module")
def sl(news_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[storyline.Storyline]:
    """A private copy of the corpus store: some tests here write."""
    with storyline.open(copy_db(news_db, tmp_path_factory.mktemp("api"))) as opened:
        yield opened


def _seeds_story(sl: storyline.Storyline) -> storyline.Story:
    (story,) = [s for s in sl.stories() if {"DW", "RFI"} <= set(s.outlets)]
    return story


def test_pages_know_the_total_and_where_the_next_starts(sl: storyline.Storyline) -> None:
    everything = sl.stories()
    assert everything.total == len(everything) >= 13 and everything.next_offset is None
    first = sl.stories(limit=5)
    assert len(first) == 5 and first.total == everything.total and first.next_offset == 5
    seen = [s.id for s in first]
    offset = first.next_offset
    while offset is not None:
        page = sl.stories(limit=5, offset=offset)
        seen += [s.id for s in page]
        offset = page.next_offset
    assert seen == [s.id for s in everything]  # same order, nothing twice, nothing missed
    days = [s.last_published[:10] for s in everything if s.last_published]
    assert days == sorted(days, reverse=True)  # most recent first


def test_story_filters_keep_stories_with_an_article_matching_them_all(sl: storyline.Storyline) -> None:
    seeds = _seeds_story(sl)
    russian = sl.stories(language="RU")
    assert russian.total > 0 and all("ru" in s.languages for s in russian)
    assert len(russian) < len(sl.stories())
    assert [s.id for s in sl.stories(outlet="rfi", query="Riabkov")] == [seeds.id]
    assert sl.stories(outlet="DW", language="ru").total == 0  # DW wrote in English only

    inside = sl.stories(since="2021-07-24", until=dt.date(2021, 7, 24))
    assert [s.id for s in inside] == [seeds.id]  # the DW preview, published that day
    assert sl.stories(since="2021-07-25", until="2021-07-27").total == 0  # no article on those days
    later = sl.stories(since="2024-04-20")
    assert later.total > 0
    for story in later:
        assert any(a.published and a.published[:10] >= "2024-04-20" for a in story.articles)


def test_bad_filter_values_are_config_errors(sl: storyline.Storyline) -> None:
    with pytest.raises(ConfigError, match="since='24/07/2021' is not a day; write it as YYYY-MM-DD"):
        sl.stories(since="24/07/2021")
    with pytest.raises(ConfigError, match="limit=-1"):
        sl.search("Geneva", limit=-1)


def test_search_finds_words_in_titles_and_texts_whatever_their_case_and_accents(sl: storyline.Storyline) -> None:
    hits = sl.search("riabkov")
    # DW writes "Ryabkov": the name finds its entity's every spelling, and each passage shows the article's own
    assert {h.article.outlet for h in hits} >= {"RFI", "DW"}
    for hit in hits:
        text = (hit.article.title + hit.article.text).lower()
        assert "riabkov" in text or "ryabkov" in text
        assert any(matched and "abkov" in piece for piece, matched in hit.snippet)
    assert sl.search("MONTEVIDEO").total == sl.search("montévideo").total > 0
    assert 1 <= sl.search("Riab*").total < hits.total  # a prefix is a prefix, not a name
    assert sl.search("Riabkov Montevideo").total == 0  # every word is required


def test_search_syntax_typed_by_a_reader_cannot_break_the_query(sl: storyline.Storyline) -> None:
    for query in ['"unbalanced', "NEAR(", "title:Geneva OR", "AND", "*", "-", "((", "';--"]:
        sl.search(query)  # no exception
    assert sl.search("   ").total == 0
    assert sl.stories(query="!!!").total == 0


def test_search_pages(sl: storyline.Storyline) -> None:
    every = sl.search("the", limit=None)
    assert every.total == len(every) > 10
    first, second = sl.search("the", limit=4), sl.search("the", limit=4, offset=4)
    assert [h.article.id for h in [*first, *second]] == [h.article.id for h in every[:8]]
    assert first.next_offset == 4


def test_ingest_records_places_each_record_and_reports_the_bad_ones(sl: storyline.Storyline) -> None:
    seeds = _seeds_story(sl)
    before = sl.count()["articles"]
    outcomes = sl.ingest_records(
        [
            {"id": "geneva-2", "title": "Riabkov and Sherman meet again in Geneva", "text": MEETING, "outlet": "Test Wire",
             "published": "2021-07-29", "language": "en"},
            {"id": "no-body", "title": "A title alone"},
        ],
        source="test",
    )
    added, failed = outcomes
    assert added.status == "added" and added.story_id == seeds.id and added.external_id == "geneva-2" and added.source == "test:1"
    assert failed.status == "failed" and "no non-empty 'text' or 'html'" in (failed.problem or "")
    assert sl.count()["articles"] == before + 1
    assert sl.article("geneva-2").story_id == seeds.id
    assert sl.search("Riabkov Sherman Thursday").total >= 1  # the search index follows new articles
    (again,) = sl.ingest_records([{"id": "geneva-2", "title": "Riabkov and Sherman meet again in Geneva", "text": MEETING,
                                  "outlet": "Test Wire", "published": "2021-07-29", "language": "en"}])
    assert again.status == "already stored" and again.story_id == seeds.id


def test_ingest_upload_reads_content_by_its_name(sl: storyline.Storyline) -> None:
    lines = "\n".join(json.dumps({"id": f"up-{i}", "text": MEETING.replace("Thursday", day), "language": "en"})
                      for i, day in enumerate(["Monday", "Tuesday"]))
    outcomes = sl.ingest_upload("feed.jsonl.gz", gzip.compress(lines.encode()))
    assert [o.source for o in outcomes] == ["upload:feed.jsonl.gz:1", "upload:feed.jsonl.gz:2"]
    assert {o.status for o in outcomes} == {"added"}
    (text,) = sl.ingest_upload("note.txt", ("Geneva talks, day three\n\n" + MEETING.replace("Thursday", "Friday")).encode())
    assert text.status == "added" and text.story_id
    (pdf,) = sl.ingest_upload("scan.pdf", b"%PDF-1.4")
    assert pdf.status == "failed" and "unsupported file type '.pdf'" in (pdf.problem or "")


def test_reads_from_many_threads_while_one_writes(sl: storyline.Storyline) -> None:
    """One SQLite connection must not serve several threads at once: each reading thread gets its own."""
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                for story in sl.stories(limit=5):
                    assert sl.story(story.id) is not None
                sl.search("Geneva")
                sl.count()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(6)]
    for thread in readers:
        thread.start()
    try:
        writes = [threading.Thread(target=sl.ingest_records, args=([{"text": f"{MEETING} Update {i}.", "language": "en"}],)) for i in range(3)]
        for thread in writes:
            thread.start()
        for thread in writes:
            thread.join()
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert failures == []
    assert sl.store.integrity_check() == "ok"
    assert sl.search("Update").total >= 3


def test_migration_indexes_articles_stored_before_search_existed(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    raw = sqlite3.connect(db, isolation_level=None)
    for version, _, sql in _migrations():
        if version < 3:
            raw.executescript(sql)
    raw.execute("INSERT INTO raw_documents (id, kind, body, given) VALUES ('a1', 'text', x'00', '{}')")
    raw.execute("INSERT INTO stories (id, size, vector_sum) VALUES ('s-a1', 1, x'00')")
    raw.execute(
        "INSERT INTO articles (id, source, title, text, text_hash, story_id) "
        "VALUES ('a1', 'old.txt', 'Harbour strike ends', 'Dockers in Hamburg voted to end the strike.', 'h', 's-a1')"
    )
    raw.execute("PRAGMA user_version = 2")
    raw.close()
    store = SQLiteStore(db)
    try:
        assert store.schema_version >= 3
        assert [h.article.id for h in store.search("dockers hamburg")] == ["a1"]
    finally:
        store.close()
