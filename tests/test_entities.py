"""Entities: recognition in several languages and canonical entities across articles (issue 4)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

import storyline
from storyline.analyze.entities import find_mentions
from storyline.analyze.linking import EntityLinker
from storyline.analyze.names import sound_key
from storyline.model import Article, Entity, Mention
from tests.conftest import CORPUS, REPO, SEEDS, need


class MemoryRegistry:
    """The store's entity lookup, in memory: what a real store returns for keys."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.linker = EntityLinker(lambda keys: [e for e in self.entities.values() if e.keys & set(keys)])

    def link(self, language: str, *names: str, kind: str = "PERSON") -> list[str]:
        article = Article("a", "test", None, "", None, language, None)
        article.mentions = [Mention(n, 10 * i, 10 * i + len(n), kind, entity_id=f"local:{i}") for i, n in enumerate(names)]  # type: ignore[arg-type]
        self.linker.link(article)
        self.entities.update((e.id, e) for e in self.linker.take_changed())
        return [m.entity_id or "" for m in article.mentions]


@pytest.mark.parametrize(
    "variants",
    [
        [("en", "Sergei Ryabkov"), ("en", "Sergey Riabkov"), ("de", "Sergej Rjabkow"), ("fr", "Sergueï Riabkov"), ("ru", "Сергей Рябков"), ("es", "Serguéi Riabkov")],
        [("en", "Vladimir Putin"), ("fr", "Vladimir Poutine"), ("de", "Wladimir Putin"), ("ru", "Владимир Путин")],
        [("en", "Dmitry Volkonsky"), ("fr", "Dmitri Volkonski"), ("de", "Dmitrij Wolkonski"), ("ru", "Дмитрий Волконский")],
        [("en", "Daniel Whitcombe"), ("ru", "Дэниел Уиткомб")],
        [("fr", "Laurent Fabre-Marchetti"), ("en", "Fabre-Marchetti"), ("ru", "Лоран Фабр-Маркетти")],
    ],
)
def test_spellings_across_languages_are_one_person(variants: list[tuple[str, str]]) -> None:
    registry = MemoryRegistry()
    ids = {registry.link(language, name)[0] for language, name in variants}
    assert len(ids) == 1, ids


def test_surname_alone_links_to_the_person() -> None:
    registry = MemoryRegistry()
    (riabkov,) = registry.link("en", "Sergei Riabkov")
    assert registry.link("fr", "Riabkov") == [riabkov]
    assert registry.link("ru", "Рябков") == [riabkov]


def test_namesakes_and_look_alikes_stay_apart() -> None:
    registry = MemoryRegistry()
    (sherman,) = registry.link("en", "Wendy Sherman")
    (sharma,) = registry.link("en", "Sharma")
    (thomas,) = registry.link("en", "Thomas Reardon")
    (claire,) = registry.link("en", "Claire Reardon")
    assert sherman != sharma and thomas != claire
    assert registry.link("en", "Sherman") == [sherman]


def test_organisation_with_and_without_its_country() -> None:
    registry = MemoryRegistry()
    (full,) = registry.link("en", "US State Department", kind="ORG")
    assert registry.link("en", "State Department", kind="ORG") == [full]


def test_mentions_in_one_article_are_grouped() -> None:
    text = "Sergei Riabkov met Wendy Sherman in Geneva. Riabkov said the talks were useful, and Sherman agreed."
    mentions = find_mentions(text, "en")
    by_name = {m.text: m.entity_id for m in mentions}
    assert by_name["Riabkov"] == by_name["Sergei Riabkov"]
    assert by_name["Sherman"] == by_name["Wendy Sherman"]
    assert by_name["Riabkov"] != by_name["Sherman"]


def test_russian_names_are_found_in_their_base_form() -> None:
    mentions = find_mentions("По словам Волконского, переговоры с Маргарет Эллисон в Вене были трудными.", "ru")
    assert {(m.name, m.type) for m in mentions} >= {("Волконский", "PERSON"), ("Маргарет Эллисон", "PERSON")}


def test_seeds_name_the_same_people(tmp_path: Path) -> None:
    need(SEEDS)
    with storyline.open(tmp_path / "seeds.db") as sl:
        sl.ingest([SEEDS])
        mentions = [m for story in sl.stories() for a in story.articles for m in a.mentions]
        ids = defaultdict(set)
        for m in mentions:
            ids[m.text].add(m.entity_id)
        assert ids["Sergei Riabkov"] == ids["Sergei Ryabkov"]
        assert ids["Vladimir Poutine"] == ids["Vladimir Putin"]
        assert ids["Wendy Sherman"] and not ids["Wendy Sherman"] & ids["Sergei Riabkov"]
        (riabkov,) = ids["Sergei Riabkov"]
        entity = sl.entity(riabkov)
        assert entity is not None and {"Sergei Riabkov", "Sergei Ryabkov"} <= set(entity.aliases)
        assert entity.articles == 2


@pytest.fixture(scope="module")
def corpus_mentions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    with storyline.open(tmp_path_factory.mktemp("corpus") / "c.db") as sl:
        sl.ingest([CORPUS])
        by_surface: dict[str, set[str]] = defaultdict(set)
        for story in sl.stories():
            for article in story.articles:
                for mention in article.mentions:
                    if mention.entity_id:
                        by_surface[mention.text].add(mention.entity_id)
        return by_surface


def _gold() -> dict:
    merged: dict = {"entities": [], "distinct_people_same_surname": []}
    for path in sorted((REPO / "examples" / "gold").glob("part_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in merged:
            merged[key] += data.get(key, [])
    return merged


def test_corpus_people_are_merged_across_languages(corpus_mentions: dict[str, set[str]]) -> None:
    merged, checked, misses = 0, 0, []
    for person in (e for e in _gold()["entities"] if e["type"] == "PERSON"):
        found = [v for v in person["variants"] if v in corpus_mentions]
        if len(found) < 2:
            continue
        checked += 1
        ids = set().union(*(corpus_mentions[v] for v in found))
        if len(ids) == 1:
            merged += 1
        else:
            misses.append(person["canonical"])
    assert checked >= 20
    assert merged / checked >= 0.85, misses


def test_corpus_namesakes_stay_apart(corpus_mentions: dict[str, set[str]]) -> None:
    pairs = _gold()["distinct_people_same_surname"]
    assert pairs
    for pair in pairs:
        first, second = (corpus_mentions.get(name, set()) for name in pair["people"])
        assert first and second and not first & second, pair


def test_sound_keys_do_not_merge_look_alikes() -> None:
    assert sound_key("Sherman", "en") != sound_key("Sharma", "en")
    assert sound_key("Sergej Rjabkow", "de") == sound_key("Сергей Рябков", "ru") == sound_key("Serguei Riabkov", "fr")


def test_types_are_cross_checked_with_the_gazetteer_and_the_text() -> None:
    # issue 15: a strait written with "the" is no person, an acronym no place
    from storyline.analyze import analyze
    from storyline.model import Article

    article = Article("a", "t", None, "A tanker crossed the Dardanelles on Monday. The Dardanelles were closed for hours. "
                      "The pact limits deployed SLBMs the navies may have.", "2024-03-06", "en", None)
    analyze([article])
    assert not [m for m in article.mentions if m.text == "Dardanelles" and m.type == "PERSON"]
    assert not [m for m in article.mentions if m.text == "SLBMs" and m.type == "PLACE"]


def test_organisations_of_different_countries_stay_apart() -> None:
    # the country qualifier is stripped for any nationality, not six listed ones, yet two countries never merge
    from storyline.analyze.linking import entity_keys

    keys = [k for k in entity_keys("ORG", "Turkish Foreign Ministry", "en") if k.startswith("c:")]
    assert keys == [k for k in entity_keys("ORG", "Foreign Ministry", "en") if k.startswith("c:")]
    linker = EntityLinker(lambda keys: [])
    first = Article("a", "t", None, "The Turkish Foreign Ministry said talks would go on.", "2024-03-06", "en", None)
    second = Article("b", "t", None, "The Chilean Foreign Ministry said talks would go on.", "2024-03-06", "en", None)
    from storyline.analyze import analyze

    analyze([first, second])
    ids = [{m.entity_id for m in a.mentions if "Ministry" in m.text} for a in (first, second)]
    for article in (first, second):
        linker.link(article)
    linked = [{m.entity_id for m in a.mentions if "Ministry" in m.text} for a in (first, second)]
    assert all(ids) and not linked[0] & linked[1]


def test_a_place_one_article_could_not_locate_meets_the_one_another_located() -> None:
    # a town located through its article's context ("near Acari") and named alone in a later article is one entity;
    # two located places of one name stay two
    from storyline.model import Place

    registry = MemoryRegistry()

    def link(name: str, place: Place | None) -> str:
        article = Article("a", "test", None, "", None, "en", None)
        article.mentions = [Mention(name, 0, len(name), "PLACE", entity_id="local:0")]
        article.places = [replace(place, start=0, end=len(name))] if place else []
        registry.linker.link(article)
        registry.entities.update((e.id, e) for e in registry.linker.take_changed())
        return article.mentions[0].entity_id or ""

    peru = Place("Chala", "Chala", "PE", -15.87, -74.25, "P", 3944567)
    elsewhere = Place("Chala", "Chala", "TZ", -7.58, 31.27, "P", 160961)
    located = link("Chala", peru)
    assert link("Chala", None) == located
    assert link("Chala", elsewhere) != located
    # and the other way round: a place first named alone takes the location a later article finds
    alone = link("Atico", None)
    assert link("Atico", Place("Atico", "Atico", "PE", -16.21, -73.62, "P", 3947150)) == alone
    assert registry.entities[alone].place is not None
