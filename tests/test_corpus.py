"""The bundled sample corpus: cleaning and stories against its hand-written gold (issue 3).

The gold files (examples/gold/part_*.json) list, per article, its story, title,
outlet, date and language, and every boilerplate line of each scraped file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

import storyline
from storyline.clean import clean
from storyline.ingest import find_files, read_file
from storyline.model import Article, RawDocument
from tests.conftest import CORPUS, REPO

GOLD_FILES = sorted((REPO / "examples" / "gold").glob("part_*.json"))
# Outlets that sign with an abbreviation the page never expands.
OUTLET_ABBREVIATIONS = {"Radio Lumière Internationale": "RLI"}
# Distractor pairs: same kind of event, same weeks, different event.
DISTRACTORS = [("S1", "S2"), ("S3", "S4"), ("S6", "S7")]


def _gold() -> tuple[dict[tuple[str, str | None], dict], dict[str, list[str]]]:
    articles, boilerplate = {}, {}
    for path in GOLD_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data["articles"]:
            articles[(entry["file"], entry["jsonl_id"])] = entry
        boilerplate.update(data["boilerplate_lines"])
    return articles, boilerplate


def _key(article: Article) -> tuple[str, str | None]:
    # Sources are named from the folder given to ingest on: "corpus/en/x.txt" for CORPUS.
    return str((CORPUS.parent / article.source.split(":")[0]).relative_to(REPO)), article.external_id


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> list[Article]:
    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    with storyline.open(db) as sl:
        report = sl.ingest([CORPUS])
        assert report.ok, report.problems
        return [a for story in sl.stories() for a in story.articles]


def test_corpus_shape() -> None:
    gold, _ = _gold()
    assert 40 <= len(gold) <= 80
    assert {"en", "fr", "de", "es", "ru"} <= {g["language"] for g in gold.values()}
    assert len({g["outlet"] for g in gold.values()}) >= 8
    assert 8 <= len({g["story"] for g in gold.values()}) <= 12
    suffixes = {Path(f).suffix for f, _ in gold}
    assert suffixes == {".txt", ".html", ".jsonl"}


def test_metadata_matches_gold() -> None:
    gold, _ = _gold()
    files, problems = find_files([CORPUS])
    assert not problems
    misses: dict[str, list[str]] = defaultdict(list)
    for file in files:
        for document in read_file(file):
            assert isinstance(document, RawDocument)
            article = clean(document)
            expected = gold[_key(article)]
            if article.language != expected["language"]:
                misses["language"].append(article.source)
            if expected["title"] and article.title != expected["title"]:
                misses["title"].append(article.source)
            if article.outlet not in {expected["outlet"], OUTLET_ABBREVIATIONS.get(expected["outlet"])}:
                misses["outlet"].append(f"{article.source}: {article.outlet}")
            if (article.published or "")[:10] != expected["published"]:
                misses["published"].append(f"{article.source}: {article.published}")
    total = len(gold)
    assert not misses["language"]
    assert len(misses["title"]) <= 1, misses["title"]  # one HTML page whose <title> differs from its <h1>
    # Misses below are wire copies given as bare text whose only clues are "(AWS)" and a dateline without a year.
    assert len(misses["outlet"]) <= 0.1 * total, misses["outlet"]
    assert len(misses["published"]) <= 0.1 * total, misses["published"]


def test_no_boilerplate_left(corpus_store: list[Article]) -> None:
    _, boilerplate = _gold()
    left = []
    by_file = {_key(a)[0]: a for a in corpus_store if a.source.endswith(".txt")}
    for file, lines in boilerplate.items():
        paragraphs = {p.strip() for p in by_file[file].text.split("\n\n")}
        left += [f"{file}: {line}" for line in lines if line.strip() in paragraphs]
    total = sum(len(lines) for lines in boilerplate.values())
    assert total > 300
    # Known miss: a byline without "By" ("Sofia Lindqvist in Chala") looks like a heading.
    assert len(left) <= 1, left


def test_stories_match_gold(corpus_store: list[Article]) -> None:
    gold, _ = _gold()
    predicted: dict[str, set[str]] = defaultdict(set)
    languages: dict[str, set[str]] = defaultdict(set)
    for article in corpus_store:
        expected = gold[_key(article)]
        predicted[article.story_id or ""].add(expected["story"])
        languages[article.story_id or ""].add(article.language or "")
    # precision: no story mixes two gold stories, in particular no distractor pair
    mixed = {story: labels for story, labels in predicted.items() if len(labels) > 1}
    assert not mixed, mixed
    for a, b in DISTRACTORS:
        assert not any({a, b} <= labels for labels in predicted.values())
    # recall: every gold story is found as one multilingual story holding all of its articles but at
    # most one. Known miss: with the cross-language scale chosen on training data (not on this corpus),
    # a French report of the parliament's debate, weeks after the EU-Mercosur signing, stays alone.
    left_out = []
    for label in {g["story"] for g in gold.values()}:
        size = sum(1 for g in gold.values() if g["story"] == label)
        found = [story for story, labels in predicted.items() if label in labels]
        largest = max(found, key=lambda s: sum(1 for a in corpus_store if a.story_id == s))
        held = sum(1 for a in corpus_store if a.story_id == largest)
        left_out += [f"{label}: largest story holds {held} of {size} articles"] * (size - held)
        if size >= 4:
            assert len(languages[largest]) >= 3, f"{label}: only {languages[largest]}"
    assert len(left_out) <= 1, left_out


def test_duplicates_in_corpus_are_linked(corpus_store: list[Article]) -> None:
    gold, _ = _gold()
    by_key = {_key(a): a for a in corpus_store}
    expected = [(k, g) for k, g in gold.items() if g.get("duplicate_of")]
    assert expected
    for key, entry in expected:
        original = by_key[(entry["duplicate_of"]["file"], entry["duplicate_of"]["jsonl_id"])]
        copy = by_key[key]
        assert copy.duplicate_of == original.id, key
        assert copy.duplicate_kind == entry["duplicate_kind"], key
        assert copy.story_id == original.story_id
