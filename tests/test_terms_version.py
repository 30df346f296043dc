"""A store remembers how its terms were counted (``analyze.terms.TERMS_VERSION``), refuses writes in other
terms, and `storyline reindex-terms` counts them again from its articles.

An old store is made honestly: its articles are ingested with version 1's ``content_terms`` (Chinese cut
into chunks of two characters, transliterated), then the store's record of its version is removed, as in a
store written before versions were recorded. Chinese articles are the ones whose terms differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import storyline
from storyline.analyze import terms
from storyline.analyze.terms import TERMS_VERSION, content_terms, term_counts, term_id, with_entity_terms
from storyline.errors import TermsVersionError
from storyline.match.lexical import TermStatistics, accumulate
from storyline.model import SparseVector
from storyline.serve.cli import cli
from storyline.words import WORD, is_unspaced, stopwords
from tests.conftest import BACKENDS, postgres_database, run_sql, table_rows

FLOOD = [
    {
        "id": "zh-flood-1", "language": "zh", "published": "2024-07-02", "outlet": "Xinhua Wire",
        "title": "武汉暴雨引发洪水 数千居民被疏散",
        "text": "湖北省武汉市周二遭遇特大暴雨，长江支流水位迅速上涨，洪水淹没了多个社区。当地政府紧急疏散了三千多名居民，"
        "并在学校和体育馆设立了临时安置点。气象部门表示，未来两天武汉仍将有强降雨，防汛指挥部已启动二级应急响应。",
    },
    {
        "id": "zh-flood-2", "language": "zh", "published": "2024-07-03", "outlet": "Hubei Daily",
        "title": "武汉洪水：救援人员连夜转移被困群众",
        "text": "武汉市防汛指挥部周三表示，救援人员连夜用橡皮艇转移了被洪水围困的群众。暴雨导致武汉多个社区积水超过一米，"
        "地铁部分线路暂停运营。官员说，已有三千多名居民被疏散到临时安置点，洪水水位预计周四开始回落。",
    },
]
LAUNCH = [
    {
        "id": "zh-launch-1", "language": "zh", "published": "2024-07-01", "outlet": "Xinhua Wire",
        "title": "酒泉卫星发射中心成功发射新型气象卫星",
        "text": "我国周一在酒泉卫星发射中心用长征二号丁运载火箭成功发射一颗新型气象卫星。卫星顺利进入预定轨道，"
        "将用于天气预报和气候监测。这是长征系列运载火箭的第五百次飞行。",
    },
    {
        "id": "zh-launch-2", "language": "zh", "published": "2024-07-03", "outlet": "Science Daily China",
        "title": "新型气象卫星传回首批云图",
        "text": "周一从酒泉卫星发射中心发射的新型气象卫星周三传回了首批云图。国家卫星气象中心表示，卫星各项设备工作正常，"
        "云图清晰，将显著提高天气预报的准确性。长征二号丁运载火箭将卫星送入了预定轨道。",
    },
]
STRIKE = [
    {
        "id": "en-strike-1", "language": "en", "published": "2024-07-02", "outlet": "Harbour Post",
        "title": "Dock workers strike at the port of Hamburg",
        "text": "Dock workers at the port of Hamburg walked out on Tuesday over pay, leaving container ships waiting in the Elbe. "
        "The union said the strike would last 48 hours; the port authority said talks would resume on Thursday.",
    },
    {
        "id": "en-strike-1-copy", "language": "en", "published": "2024-07-02", "outlet": "Wire Copies",
        "title": "Dock workers strike at the port of Hamburg",
        "text": "Dock workers at the port of Hamburg walked out on Tuesday over pay, leaving container ships waiting in the Elbe. "
        "The union said the strike would last 48 hours; the port authority said talks would resume on Thursday.",
    },
]
# A follow-up of the flood, written after the store was counted again.
FLOOD_FOLLOW_UP = {
    "id": "zh-flood-3", "language": "zh", "published": "2024-07-04", "outlet": "Xinhua Wire",
    "title": "武汉洪水水位开始回落 被疏散居民陆续返回家园",
    "text": "武汉市防汛指挥部周四表示，洪水水位开始回落，被疏散的居民陆续返回家园。此前暴雨导致长江支流水位暴涨，"
    "三千多名居民被转移到临时安置点。救援人员正在清理被洪水淹没的社区，地铁线路将于周五恢复运营。",
}
ARTICLES = FLOOD + LAUNCH + STRIKE


def version_1_content_terms(text: str, language: str | None) -> Iterator[int]:
    """``content_terms`` as terms version 1 counted them: every word transliterated and cut, Chinese in chunks of two characters."""
    stop = stopwords(language)
    for match in WORD.finditer(text):
        word = match.group(0).lower()
        if (len(word) >= 3 or is_unspaced(word)) and word not in stop:
            yield term_id(word)


def _feed(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _frequencies(location: str) -> dict[int, int]:
    return dict(run_sql(location, "SELECT term, documents FROM term_frequencies"))


def _counters(location: str) -> dict[str, int]:
    return {name: int(value) for name, value in run_sql(location, "SELECT name, value FROM counters")}


def _story_terms(location: str) -> dict[str, bytes]:
    return {story_id: bytes(blob) for story_id, blob in run_sql(location, "SELECT id, terms FROM stories")}


def _profiles(location: str) -> list[tuple[object, ...]]:
    """Every story's profile but its wording."""
    return [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in run_sql(location, "SELECT id, title, size, first_day, last_day, vector_sum, entities, undated_articles FROM stories ORDER BY id")
    ]


def _snapshot(location: str) -> tuple[object, ...]:
    return table_rows(location), _frequencies(location), _counters(location), _story_terms(location)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[int, int], int]:
    """The document frequencies, and the documents behind them, that one ingest of the articles in today's terms counts."""
    folder = tmp_path_factory.mktemp("fresh")
    with storyline.open(folder / "fresh.db") as sl:
        assert sl.ingest([_feed(folder / "articles.jsonl", ARTICLES)]).ok
        frequencies, documents = sl.store.term_frequencies()
        assert sl.terms_version() == TERMS_VERSION
    return frequencies, documents


@pytest.fixture(params=BACKENDS)
def old_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A store of ``ARTICLES`` written by a Storyline of terms version 1, before stores recorded their version."""
    if request.param == "sqlite":
        location = str(tmp_path / "old.db")
        _ingest_old(location, tmp_path, monkeypatch)
        yield location
        return
    with postgres_database() as location:
        _ingest_old(location, tmp_path, monkeypatch)
        yield location


def _ingest_old(location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest ``ARTICLES`` as version 1 counted terms, then remove the record of the version (as before versions were recorded)."""
    with monkeypatch.context() as old, storyline.open(location) as sl:
        old.setattr(terms, "content_terms", version_1_content_terms)
        assert sl.ingest([_feed(tmp_path / "old.jsonl", ARTICLES)]).ok
    run_sql(location, "DELETE FROM counters WHERE name = 'terms_version'")


def test_an_old_store_refuses_writes_until_its_terms_are_counted_again(old_store: str, fresh: tuple[dict[int, int], int], tmp_path: Path) -> None:
    fresh_frequencies, fresh_documents = fresh
    assert _frequencies(old_store) != fresh_frequencies  # the Chinese articles' terms were counted otherwise
    with storyline.open(old_store) as sl:
        assert sl.terms_version() == 1 and _counters(old_store)["terms_version"] == 1  # recorded when opened
        before, profiles_before = _snapshot(old_store), _profiles(old_store)
        flood_story = sl.article("zh-flood-1").story_id

        # Every write that places articles in stories is refused before it changes anything.
        with pytest.raises(TermsVersionError) as refused:
            sl.ingest([_feed(tmp_path / "new.jsonl", [FLOOD_FOLLOW_UP])])
        message = str(refused.value)
        assert message.startswith(f"[SL021] {sl.store.location}: ")
        assert "terms version 1" in message and f"version {TERMS_VERSION}" in message
        assert f"`storyline reindex-terms --db {sl.store.location}`" in message and "nothing was changed" in message
        with pytest.raises(TermsVersionError):
            sl.ingest_records([FLOOD_FOLLOW_UP])
        with pytest.raises(TermsVersionError):
            sl.merge_stories(flood_story, sl.article("zh-launch-1").story_id)
        with pytest.raises(TermsVersionError):  # the store's own guard, for a writer that did not ask first
            sl.store.save_batch(storyline.model.Batch())
        assert _snapshot(old_store) == before

        # Reading works as before.
        assert sl.count()["articles"] == len(ARTICLES)
        assert len(sl.stories()) == before[0]["stories"]
        assert {hit.article.external_id for hit in sl.search("Hamburg")} == {"en-strike-1", "en-strike-1-copy"}
        assert sl.story(flood_story) is not None
        assert sl.compare("zh-flood-1", "zh-flood-2").scores
        export = tmp_path / "export.json"
        with export.open("w", encoding="utf-8") as out:
            sl.export(out)
        assert len(json.loads(export.read_text(encoding="utf-8"))["articles"]) == len(ARTICLES)

        done = sl.reindex_terms()
        assert (done.previous_version, done.version) == (1, TERMS_VERSION)
        assert done.articles_counted == len(ARTICLES) - 1  # the copy is not counted, as matching does not count it
        assert sl.terms_version() == TERMS_VERSION and _counters(old_store)["terms_version"] == TERMS_VERSION

        # The frequencies are those one ingest of the same articles counts today.
        assert _frequencies(old_store) == fresh_frequencies
        assert sl.store.term_frequencies()[1] == fresh_documents == len(ARTICLES) - 1
        # Each story's wording is the sum of its members' vectors weighed with them, bounded as matching bounds it.
        statistics = TermStatistics(*sl.store.term_frequencies())
        stories = {s.id: s for s in sl.stories()}
        assert _story_terms(old_store).keys() == stories.keys()
        for profile in sl.store.profiles_by_ids(list(stories)):
            expected: dict[str, SparseVector] = {}
            for article in sl.store.articles_for_rebuild([a.id for a in stories[profile.id].articles]):
                if article.duplicate_of is None:
                    weighed = statistics.weigh(with_entity_terms(term_counts(article), article))
                    expected[article.language or ""] = accumulate(expected.get(article.language or "", SparseVector.empty()), weighed)
            assert profile.terms.keys() == expected.keys()
            for language, vector in expected.items():
                assert np.array_equal(profile.terms[language].terms, vector.terms)
                assert np.allclose(profile.terms[language].weights, vector.weights, atol=1e-6)
        (flood,) = sl.store.profiles_by_ids([flood_story])
        assert set(content_terms(FLOOD[0]["title"], "zh")) <= set(flood.terms["zh"].terms.tolist())  # jieba's words, not the old chunks
        # Nothing else moved: members, centroids and entities are as they were.
        rows = {table: count for table, count in table_rows(old_store).items() if table not in ("term_frequencies", "counters")}
        assert rows == {table: count for table, count in before[0].items() if table not in ("term_frequencies", "counters")}
        assert _profiles(old_store) == profiles_before
        assert {s.id: [a.id for a in s.articles] for s in sl.stories()} == {s: [a.id for a in stories[s].articles] for s in stories}

        # Writes work again, and a follow-up of a story joins it.
        (outcome,) = sl.ingest_records([FLOOD_FOLLOW_UP])
        assert outcome.status == "added"
        assert outcome.story_id == sl.article("zh-flood-1").story_id
        assert _frequencies(old_store) != fresh_frequencies  # counted into today's terms
        assert sl.store.term_frequencies()[1] == fresh_documents + 1


def test_a_failed_reindex_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    location = str(tmp_path / "old.db")
    _ingest_old(location, tmp_path, monkeypatch)
    with storyline.open(location) as sl:
        before = _snapshot(location)
        assert len(before[3]) >= 3
        from storyline import pipeline

        rewritten: list[str] = []
        real = pipeline.rebuild_profile

        def failing(story_id, members, statistics):  # type: ignore[no-untyped-def]
            rewritten.append(story_id)
            if len(rewritten) == 2:  # the first story's wording is written by now, the frequencies not yet
                raise RuntimeError("killed midway")
            return real(story_id, members, statistics)

        monkeypatch.setattr(pipeline, "rebuild_profile", failing)
        with pytest.raises(RuntimeError, match="killed midway"):
            sl.reindex_terms()
        assert _snapshot(location) == before
        assert sl.terms_version() == 1
        with pytest.raises(TermsVersionError):
            sl.ingest_records([FLOOD_FOLLOW_UP])
        monkeypatch.setattr(pipeline, "rebuild_profile", real)
        sl.reindex_terms()
        assert sl.terms_version() == TERMS_VERSION


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_or_empty_store_takes_the_current_version(backend: str, tmp_path: Path) -> None:
    with postgres_database() if backend == "postgresql" else _sqlite(tmp_path) as location:
        with storyline.open(location):
            pass
        assert _counters(location)["terms_version"] == TERMS_VERSION  # a new store records it
        run_sql(location, "DELETE FROM counters WHERE name = 'terms_version'")  # an empty store from before versions
        with storyline.open(location) as sl:
            assert sl.terms_version() == TERMS_VERSION
            (outcome,) = sl.ingest_records([FLOOD[0]])  # no reindex needed
            assert outcome.status == "added"
        assert _counters(location)["terms_version"] == TERMS_VERSION


def test_a_store_of_a_newer_terms_version_is_refused_too(tmp_path: Path) -> None:
    location = str(tmp_path / "newer.db")
    with storyline.open(location) as sl:
        assert sl.ingest_records([FLOOD[0]])[0].status == "added"
    run_sql(location, f"UPDATE counters SET value = {TERMS_VERSION + 1} WHERE name = 'terms_version'")
    with storyline.open(location) as sl:
        with pytest.raises(TermsVersionError, match="newer Storyline.*Upgrade Storyline, or run `storyline reindex-terms"):
            sl.ingest_records([FLOOD[1]])


class _sqlite:
    def __init__(self, folder: Path) -> None:
        self.location = str(folder / "store.db")

    def __enter__(self) -> str:
        return self.location

    def __exit__(self, *exc: object) -> None:
        pass


def test_the_commands_on_an_old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    location = str(tmp_path / "old.db")
    _ingest_old(location, tmp_path, monkeypatch)
    runner = CliRunner()
    new = _feed(tmp_path / "new.jsonl", [FLOOD_FOLLOW_UP])
    refused = runner.invoke(cli, ["ingest", str(new), "--db", location, "--workers", "0", "-q"])
    assert refused.exit_code == 1
    assert f"[SL021] {location}: " in refused.output and f"`storyline reindex-terms --db {location}`" in refused.output
    for reading in (["stories"], ["search", "Hamburg"], ["show", "zh-flood-1"], ["export"]):
        assert runner.invoke(cli, [*reading, "--db", location]).exit_code == 0, reading

    rebuilt = runner.invoke(cli, ["reindex-terms", "--db", location, "-q"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"terms version {TERMS_VERSION}, was 1" in rebuilt.output
    assert runner.invoke(cli, ["ingest", str(new), "--db", location, "--workers", "0", "-q"]).exit_code == 0
    with storyline.open(location, create=False) as sl:
        assert sl.article("zh-flood-3").story_id == sl.article("zh-flood-1").story_id


def test_the_http_api_reads_an_old_store_and_refuses_its_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from storyline.serve.app import ServeSettings, create_app

    location = str(tmp_path / "old.db")
    _ingest_old(location, tmp_path, monkeypatch)
    with storyline.open(location, create=False) as sl, TestClient(create_app(sl, ServeSettings(token="t"))) as client:
        assert client.get("/api/stories").status_code == 200
        assert client.get("/api/search", params={"q": "Hamburg"}).status_code == 200
        answer = client.post("/api/articles", json=FLOOD_FOLLOW_UP, headers={"Authorization": "Bearer t"})
        assert answer.status_code == 409
        error = answer.json()["error"]
        assert error["code"] == "store_needs_reindex" and "storyline reindex-terms" in error["message"]
        assert location not in error["message"]  # the server's paths are not shown


def test_version_1_terms_differ_from_todays_in_chinese() -> None:
    """The old store above is made honestly: version 1 counts English as today, Chinese otherwise."""
    assert list(version_1_content_terms(STRIKE[0]["text"], "en")) == list(content_terms(STRIKE[0]["text"], "en"))
    assert set(version_1_content_terms(FLOOD[0]["text"], "zh")) != set(content_terms(FLOOD[0]["text"], "zh"))
