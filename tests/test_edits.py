"""Analysts' control over stories: merge, split, move, rename, undo; and the matcher respecting them (issue 16)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import storyline
from storyline.errors import ConfigError, InputError
from storyline.ingest import document_from_record, find_files, read_file
from storyline.match import MatchSettings, TermStatistics
from storyline.match.analyst import rebuild_profile
from storyline.match.lexical import cosine
from storyline.model import RawDocument
from storyline.pipeline import Pipeline
from tests.conftest import BACKENDS, CORPUS, DW_SEED, RFI_SEED, assert_intact, need, postgres_database, run_sql, table_rows
from tests.test_http import MEETING

FOLLOW_UP = MEETING  # a third report of the seeds' meeting, in English like both seeds
SECOND_FOLLOW_UP = {
    "id": "geneva-second-round",
    "title": "Sherman and Riabkov set date for second Geneva round on strategic stability",
    "outlet": "Other Wire",
    "published": "2021-07-31",
    "language": "en",
    "text": (
        "Wendy Sherman and Sergei Riabkov have agreed on a date for the second round of their strategic stability talks "
        "in Geneva, officials in Washington and Moscow said. The two deputy ministers met at the US mission in Geneva "
        "this week; arms control working groups will meet before the next round."
    ),
}
# Merge thresholds at their loosest: any article that joins two stories would merge them. What keeps
# stories apart is then only the analyst's word (StorySource.kept_apart).
MERGE_ANY = MatchSettings(merge_threshold=0.0, merge_centroids=-1.0, merge_wording=-1.0)


def _state(sl: storyline.Storyline) -> dict[str, tuple[str | None, list[str]]]:
    """Every story's title and members: what an undo must give back."""
    return {s.id: (s.title, [a.id for a in s.articles]) for s in sl.stories()}


def _ingest(sl: storyline.Storyline, documents: list[RawDocument], settings: MatchSettings | None = None) -> None:
    Pipeline(sl.store, match_settings=settings).run(documents)  # it takes the writers' lock batch by batch


@contextlib.contextmanager
def _new_store(backend: str, path: Path) -> Iterator[str]:
    """A new store's location: the SQLite file ``path``, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield str(path)
    else:
        with postgres_database() as database:
            yield database


def _seed_documents() -> list[RawDocument]:
    files, _ = find_files([need(DW_SEED), need(RFI_SEED)])
    return [d for f in files for d in read_file(f) if isinstance(d, RawDocument)]


@pytest.mark.parametrize("news_location", BACKENDS, indirect=True)
def test_merge_split_move_rename_and_undo_round_trip(news_location: str) -> None:
    with storyline.open(news_location) as sl:
        before = _state(sl)
        big = [s for s in sl.stories() if len(s.articles) >= 5]
        first, second = big[0], big[1]

        merge = sl.merge_stories(first.id, second.id, by="test")
        merged = sl.story(first.id)
        assert merged is not None and len(merged.articles) == len(first.articles) + len(second.articles)
        assert sl.story(second.id).id == first.id  # the merged id leads to the survivor
        assert merge.kind == "merge" and merge.removed == (second.id,) and len(merge.moves) == len(second.articles)

        taken = [merged.articles[-1].id]
        split = sl.split_story(first.id, taken, title="Taken apart by hand")
        new = sl.story(split.story_id)
        assert new is not None and new.title == "Taken apart by hand" and [a.id for a in new.articles] == taken
        assert sl.store.kept_apart(first.id, new.id)
        assert new.explanation is not None and sl.story(first.id).explanation is not None

        moved = sl.article(sl.story(first.id).articles[0].id)
        move = sl.move_article(moved.id, new.id)
        assert sl.article(moved.id).story_id == new.id and move.apart == ()  # already kept apart by the split

        rename = sl.rename_story(first.id, "  A title of my own ")
        assert sl.story(first.id).title == "A title of my own"

        log = sl.edits()
        assert [e.id for e in log] == [rename.id, move.id, split.id, merge.id] and log.total == 4
        with pytest.raises(ConfigError, match="changed the same stories later; undo it first"):
            sl.undo(merge.id)
        for edit in (rename, move, split, merge):
            undo = sl.undo()
            assert undo.kind == "undo" and undo.undoes == edit.id
        assert _state(sl) == before
        assert not sl.store.kept_apart(first.id, split.story_id)
        assert sl.story(second.id).id == second.id  # its own story again, not a redirect
        with pytest.raises(ConfigError, match="no edit to undo"):
            sl.undo()
        assert all(e.undone_by for e in sl.edits() if e.kind != "undo")
    assert_intact(news_location)


@pytest.mark.parametrize("news_location", BACKENDS, indirect=True)
def test_edits_refuse_what_makes_no_sense_and_change_nothing(news_location: str) -> None:
    with storyline.open(news_location) as sl:
        story = next(s for s in sl.stories() if len(s.articles) >= 2)
        rows = table_rows(news_location)
        with pytest.raises(ConfigError, match="with itself"):
            sl.merge_stories(story.id, story.id)
        with pytest.raises(ConfigError, match="every article of story"):
            sl.split_story(story.id, [a.id for a in story.articles])
        with pytest.raises(InputError, match="not a story of this store"):
            sl.merge_stories(story.id, "s-0000000000000000")
        with pytest.raises(InputError, match="not an article of this store"):
            sl.move_article("no-such-article", story.id)
        with pytest.raises(ConfigError, match="title is empty"):
            sl.rename_story(story.id, "   ")
        with pytest.raises(ConfigError, match="already in story"):
            sl.move_article(story.articles[0].id, story.id)
        assert table_rows(news_location) == rows


@pytest.mark.parametrize("news_location", BACKENDS, indirect=True)
def test_copies_go_with_their_original(news_location: str) -> None:
    with storyline.open(news_location) as sl:
        story = next(s for s in sl.stories() if any(a.duplicate_of for a in s.articles) and len(s.articles) > 2)
        copy = next(a for a in story.articles if a.duplicate_of and any(o.id == a.duplicate_of for o in story.articles))
        split = sl.split_story(story.id, [copy.duplicate_of])
        assert {a.id for a in sl.story(split.story_id).articles} == {copy.duplicate_of, copy.id}


def test_rebuild_profile_replays_the_matcher(tmp_path: Path) -> None:
    """The hook for edits makes the profile the matcher itself grew, from the same members."""
    with storyline.open(tmp_path / "seeds.db") as sl:
        _ingest(sl, _seed_documents())
        (story,) = sl.stories()
        (grown,) = sl.store.profiles_by_ids([story.id])
        members = sl.store.articles_for_rebuild([a.id for a in story.articles])
        frequencies, documents = sl.store.term_frequencies()
        rebuilt = rebuild_profile(story.id, members, TermStatistics(frequencies, documents))
    assert (rebuilt.id, rebuilt.size, rebuilt.first_day, rebuilt.last_day, rebuilt.undated_articles) == (
        grown.id, grown.size, grown.first_day, grown.last_day, grown.undated_articles,
    )
    assert float(np.dot(rebuilt.centroid, grown.centroid)) > 0.999
    assert rebuilt.entities == grown.entities
    assert rebuilt.terms.keys() == grown.terms.keys()
    # term weights are those of the statistics now, not as each article arrived: close, not equal
    assert all(cosine(rebuilt.terms[k], grown.terms[k]) > 0.9 for k in grown.terms)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kept_apart_stops_the_matcher_merging_a_split_back(backend: str, tmp_path: Path) -> None:
    """The hook StorySource.kept_apart: with merges otherwise certain, an analyst's split holds."""
    results = {}
    for kept in (True, False):
        with _new_store(backend, tmp_path / f"{kept}.db") as location, storyline.open(location) as sl:
            _ingest(sl, _seed_documents())
            (story,) = sl.stories()
            rfi = next(a for a in story.articles if a.outlet == "RFI")
            split = sl.split_story(story.id, [rfi.id])
            if not kept:  # the control: the same stores without the analyst's pair
                run_sql(location, "DELETE FROM stories_kept_apart")
            _ingest(sl, [document_from_record(FOLLOW_UP, "test:1")], MERGE_ANY)
            results[kept] = {s.id: [a.outlet for a in s.articles] for s in sl.stories()}
            if kept:
                assert sl.article(rfi.id).story_id == split.story_id
    assert len(results[False]) == 1  # without the pair, the follow-up merges the two halves back
    assert len(results[True]) == 2 and sorted(o for outlets in results[True].values() for o in outlets) == ["DW", "RFI", "Test Wire"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_moved_article_is_not_pulled_back(backend: str, tmp_path: Path) -> None:
    """An article moved from S to T stays away from S's articles, though later articles fit both stories."""
    dw, rfi = sorted(_seed_documents(), key=lambda d: "RFI" in d.body.decode("utf-8", "replace"))
    results = {}
    for kept in (True, False):
        with _new_store(backend, tmp_path / f"{kept}.db") as location, storyline.open(location) as sl:
            _ingest(sl, [dw, document_from_record(FOLLOW_UP, "test:1")], MatchSettings(threshold=0.0))  # one story
            _ingest(sl, [rfi], MatchSettings(threshold=2.0))  # RFI in a story of its own
            wire = sl.article("geneva-followup")
            move = sl.move_article(wire.id, sl.article(rfi.id).story_id)
            assert move.apart and sl.store.kept_apart(*move.apart[0])
            if not kept:
                run_sql(location, "DELETE FROM stories_kept_apart")
            _ingest(sl, [document_from_record(SECOND_FOLLOW_UP, "test:2")], MERGE_ANY)
            results[kept] = {o for a in sl.story(sl.article(wire.id).story_id).articles for o in [a.outlet]}
    assert "DW" in results[False]  # the control: the matcher merges the stories, the article is back with DW
    assert "DW" not in results[True] and {"RFI", "Test Wire"} <= results[True]


def test_later_articles_meet_the_stories_as_the_analyst_left_them(tmp_path: Path) -> None:
    """After a split, each story's stored profile is made of its own members only."""
    with storyline.open(tmp_path / "split.db") as sl:
        _ingest(sl, _seed_documents())
        (story,) = sl.stories()
        rfi = next(a for a in story.articles if a.outlet == "RFI")
        split = sl.split_story(story.id, [rfi.id])
        profiles = {p.id: p for p in sl.store.profiles_by_ids([story.id, split.story_id])}
        members = {s: sl.store.articles_for_rebuild([a.id for a in sl.story(s).articles]) for s in profiles}
    for story_id, profile in profiles.items():
        (member,) = members[story_id]
        assert profile.size == 1 and profile.first_day == member.published_day == profile.last_day
        assert float(np.dot(profile.centroid, member.embedding / np.linalg.norm(member.embedding))) > 0.999


def test_a_renamed_title_stays_when_articles_join(tmp_path: Path) -> None:
    with storyline.open(tmp_path / "renamed.db") as sl:
        _ingest(sl, _seed_documents())
        (story,) = sl.stories()
        sl.rename_story(story.id, "Geneva arms talks (analyst's title)")
        report = sl.ingest_records([FOLLOW_UP])
        assert report[0].story_id == story.id
        assert sl.story(story.id).title == "Geneva arms talks (analyst's title)"
        assert dataclasses.asdict(sl.edits()[0])["kind"] == "rename"


def test_corpus_story_ids_stay_stable_after_an_undone_edit(tmp_path: Path) -> None:
    """Undo gives back the ids and the redirects: a link to a merged story works again as before."""
    with storyline.open(tmp_path / "corpus.db") as sl:
        sl.ingest([CORPUS])
        a, b = (s.id for s in sl.stories()[:2])
        sl.merge_stories(a, b)
        assert sl.story(b).id == a
        sl.undo()
        assert sl.story(b).id == b and sl.story(a).id == a


def test_an_undone_merge_gives_the_removed_story_its_own_title_back(tmp_path: Path) -> None:
    """The merged story's title is in the merge's log: an undo does not choose it afresh."""
    with storyline.open(tmp_path / "corpus.db") as sl:
        sl.ingest([CORPUS])
        a, b, c = (s.id for s in sl.stories()[:3])
        grown = sl.story(c).title
        sl.rename_story(b, "A title no headline has")
        sl.merge_stories(a, b)
        sl.merge_stories(a, c)
        sl.undo()
        sl.undo()
        assert sl.story(c).title == grown and sl.story(b).title == "A title no headline has"
        sl.ingest_records([FOLLOW_UP])
        assert sl.story(b).title == "A title no headline has"  # still the analyst's, pinned


def test_a_writer_that_matched_before_an_edit_matches_against_the_stories_as_edited(tmp_path: Path) -> None:
    """One Storyline keeps its matcher between ingests: after an edit (stamped as a saved batch) the profiles it
    saves next are made of the members the analyst left (a stale one would undo the split)."""
    with storyline.open(tmp_path / "kept.db") as sl:
        sl.ingest([need(DW_SEED), need(RFI_SEED)])
        (story,) = sl.stories()
        rfi = next(a for a in story.articles if a.outlet == "RFI")
        split = sl.split_story(story.id, [rfi.id])
        sl.ingest_records([FOLLOW_UP])
        stories = {s.id: len(s.articles) for s in sl.stories()}
        assert split.story_id in stories and sum(stories.values()) == 3
        for profile in sl.store.profiles_by_ids(list(stories)):
            assert profile.size == stories[profile.id]
