"""Incremental story clustering: each article joins the best-fitting story or opens a new one.

Articles are placed one by one in arrival order; the past is never
re-clustered. Candidate stories are found by index, never by scanning every
story, so placing an article costs about the same however large the store grows:

- time: a story can only take an article published within ``window_days`` of
  its span (the scorer's window). Days are cut into periods of
  ``PERIOD_DAYS``. The matcher holds in memory only the stories within reach
  of the periods recent articles fell in: the first article of a period loads
  that period's stories from the store (so an article dated last year finds
  last year's stories), and a period no article used during a batch is
  released. Each period has its own ANN index, so stories long past never
  crowd out live ones. Undated articles fit any story (the scorer has no
  gap to penalise): stories holding undated articles have an index of their
  own, searched for every article; an undated article is also compared with
  the stories of the newest day seen.
- meaning: the nearest story centroids in those indexes (usearch);
- entities: the stories most recently joined by articles naming the same
  canonical entities (postings kept for the stories in memory).
- quiet stories: a story quiet for longer than ``window_days`` but less than
  ``reach_days`` is not in memory. When no story within the window takes an
  article, stories naming its main entities are looked up further back (the
  store's ``story_ids_naming``), and, for an article older than the stories
  stored, further ahead. They must fit well: the scorer's time penalty
  stops at a ceiling, so a follow-up months later joins when it clears the
  threshold by that ceiling.

Two stories merge when an article fits both of them well and they are about
the same event (close centroids and shared wording): the younger story goes
into the older one, and the merge is recorded so the younger id stays
resolvable.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from usearch.index import Index

from storyline.analyze.embed import EMBEDDING_DIM
from storyline.analyze.terms import with_entity_terms
from storyline.match.lexical import TermStatistics, accumulate, cosine
from storyline.match.join import shipped_model
from storyline.match.scoring import REACH_DAYS, BlendScorer, Scorer
from storyline.model import Article, SparseVector, StoryProfile

PERIOD_DAYS = 14
# A story remembers this many of the entities its articles name (the most named).
STORY_ENTITIES = 64
# Entity postings: the article's most mentioned entities, and the most recently joined stories of each.
ENTITIES_LOOKED_UP = 6
STORIES_PER_ENTITY = 4

Period = int | None  # days since 0001-01-01 // PERIOD_DAYS; None for the stories holding undated articles


@dataclass(frozen=True)
class MatchSettings:
    """How articles are placed.

    ``threshold``: lowest score that joins a story; ``candidates``: stories found
    by centroid per article; ``window_days``: how far from its span a story is
    searched by meaning and entities (the stories held in memory);
    ``reach_days``: how long after its last day (or, for an older article, before its
    first day) a story past the window can still take an article, found through the
    entities the article names (the scorer gives it no chance beyond).
    Two stories merge when an article scores at least ``merge_threshold`` with
    both, their centroids' cosine is at least ``merge_centroids`` and the
    TF-IDF cosine of their wording (same language) at least ``merge_wording``.
    """

    # The threshold (with BlendScorer's weights), then the merge settings, chosen on labelled story sets
    # by scripts/train_story_matcher.py. Merges are rare there: the merge settings move the mean
    # B-cubed F1 by less than 0.005.
    threshold: float = 0.35
    candidates: int = 32
    window_days: int = 60
    reach_days: int = REACH_DAYS
    merge_threshold: float = 0.45
    merge_centroids: float = 0.8
    merge_wording: float = 0.4

    @classmethod
    def learned(cls, **changes: Any) -> MatchSettings:
        """The settings for ``LearnedScorer``: its probabilities with the thresholds chosen with the model."""
        model = shipped_model()
        return cls(**{"threshold": model.threshold, "merge_threshold": model.merge_threshold, **changes})


class StorySource(Protocol):
    """Where the matcher loads the stories it does not hold in memory (the store)."""

    def story_ids_overlapping(self, first_day: dt.date, last_day: dt.date) -> list[str]:
        """Ids of the dated stories whose span shares a day with ``first_day`` .. ``last_day``."""
        ...

    def story_ids_naming(
        self, entity_ids: Sequence[str], first_day: dt.date, last_day: dt.date, *, per_entity: int, latest: bool = True
    ) -> list[str]:
        """Ids of the stories naming each entity whose last day falls in ``first_day`` .. ``last_day``: per entity,
        the ``per_entity`` with the latest last days (``latest=False``: the earliest)."""
        ...

    def undated_profiles(self) -> Iterator[StoryProfile]:
        """Stories holding at least one undated article."""
        ...

    def profiles_by_ids(self, ids: Sequence[str]) -> list[StoryProfile]: ...

    def latest_story_day(self) -> dt.date | None: ...

    def kept_apart(self, story_id: str, other_id: str) -> bool:
        """Did an analyst separate these two stories (a split, or an article moved between them)? Then never merge them.

        A hook for analysts' edits (see ``match.analyst``): asked before every merge.
        """
        ...


class NoStories:
    """A source with no stories: the matcher starts from nothing."""

    def story_ids_overlapping(self, first_day: dt.date, last_day: dt.date) -> list[str]:
        return []

    def story_ids_naming(
        self, entity_ids: Sequence[str], first_day: dt.date, last_day: dt.date, *, per_entity: int, latest: bool = True
    ) -> list[str]:
        return []

    def undated_profiles(self) -> Iterator[StoryProfile]:
        return iter(())

    def profiles_by_ids(self, ids: Sequence[str]) -> list[StoryProfile]:
        return []

    def latest_story_day(self) -> dt.date | None:
        return None

    def kept_apart(self, story_id: str, other_id: str) -> bool:
        return False


def story_id_for(article_id: str) -> str:
    """A story is named after the article that opened it: stable and reproducible."""
    return f"s-{article_id}"


def _key(story_id: str) -> int:
    return int(story_id.removeprefix("s-")[:16], 16)


def period_of(day: dt.date) -> int:
    return day.toordinal() // PERIOD_DAYS


def _period_days(period: int) -> tuple[dt.date, dt.date]:
    first = dt.date.fromordinal(max(1, period * PERIOD_DAYS))
    return first, first + dt.timedelta(days=PERIOD_DAYS - 1)


class StoryMatcher:
    """Places new articles among known stories, holding in memory only the stories within reach."""

    def __init__(
        self,
        source: StorySource | None = None,
        *,
        term_statistics: TermStatistics | None = None,
        scorer: Scorer | None = None,
        settings: MatchSettings | None = None,
    ) -> None:
        settings = settings or MatchSettings()
        self.scorer: Scorer = scorer or BlendScorer(window_days=settings.reach_days)
        self.term_statistics = term_statistics or TermStatistics()
        self.settings = settings
        self._source: StorySource = source or NoStories()
        self._stored = source is not None  # without a store, no story is ever released: all are in memory
        self._window = dt.timedelta(days=settings.window_days)
        self._reach = dt.timedelta(days=settings.reach_days)
        self._profiles: dict[int, StoryProfile] = {}  # every story in memory
        self._indexes: dict[Period, Index] = {}  # centroids of the stories within reach of each period in memory
        self._members: dict[Period, set[int]] = {}  # the keys in each of those indexes
        self._postings: dict[str, dict[int, None]] = {}  # entity id -> stories naming it, least recently joined first
        self._used: set[Period] = set()  # periods searched since the last release
        self._newest_day: dt.date | None = source.latest_story_day() if source else None
        self._changed: dict[str, StoryProfile] = {}
        self._merged_into: dict[str, str] = {}  # merged story id -> surviving story id, for this run
        self._merges: list[str] = []  # story ids merged since the last take_merges

    def __len__(self) -> int:
        """Stories held in memory."""
        return len(self._profiles)

    @property
    def periods_in_memory(self) -> list[Period]:
        return sorted(self._indexes, key=lambda p: (p is not None, p or 0))

    # ---- placing -----------------------------------------------------------------

    def candidates(self, article: Article) -> list[StoryProfile]:
        """Stories within the article's time window: the nearest centroids, then stories naming its entities."""
        day = article.published_day
        found: dict[int, StoryProfile] = {}
        if article.embedding is not None:
            query = article.embedding.astype(np.float32)
            for period in self._periods_for(day):
                index = self._period_index(period)
                if not len(index):
                    continue
                # Some stories of the period are out of reach of this very day: ask for more, keep the reachable.
                hits = index.search(query, min(2 * self.settings.candidates, len(index)))
                reachable = [int(k) for k in hits.keys if self._reaches(self._profiles[int(k)], day)]
                found.update((k, self._profiles[k]) for k in reachable[: self.settings.candidates])
        for entity_id in _main_entities(article):
            taken = 0
            for key in reversed(self._postings.get(entity_id, {})):
                profile = self._profiles[key]
                if self._reaches(profile, day):
                    found.setdefault(key, profile)
                    taken += 1
                    if taken == STORIES_PER_ENTITY:
                        break
        return list(found.values())

    def quiet_candidates(self, article: Article) -> list[StoryProfile]:
        """Stories naming the article's main entities that are past its window, but within reach.

        Mostly stories that went quiet before the article: those whose last day came ``window_days`` to
        ``reach_days`` before it, the latest per entity. Also, for an article older than what is stored
        (an archive loaded after the news that followed it), stories that began ``window_days`` to
        ``reach_days`` after it: per entity, those whose last day comes first after its window. The
        store finds both by index; without a store every story is in memory, under its entities.
        """
        day, entity_ids = article.published_day, _main_entities(article)
        if day is None or not entity_ids or self._reach <= self._window:
            return []
        one_day = dt.timedelta(days=1)
        before = (day - self._reach, day - self._window - one_day)  # where a quiet story's last day lies
        after = (day + self._window + one_day, day + self._reach)  # where a later story's first day lies

        def quiet(profile: StoryProfile) -> bool:
            if profile.last_day is None or profile.first_day is None:
                return False
            return before[0] <= profile.last_day <= before[1] or after[0] <= profile.first_day <= after[1]

        if self._stored:
            ids = [
                *self._source.story_ids_naming(entity_ids, *before, per_entity=STORIES_PER_ENTITY),
                *self._source.story_ids_naming(entity_ids, after[0], dt.date.max, per_entity=STORIES_PER_ENTITY, latest=False),
            ]
            ids = [i for i in dict.fromkeys(ids) if i not in self._merged_into]
            for profile in self._source.profiles_by_ids([i for i in ids if _key(i) not in self._profiles]):
                self._hold(profile)  # released at the next release_idle unless the article joins it
            profiles = {key: self._profiles[key] for key in map(_key, ids) if key in self._profiles}
        else:
            profiles = {}
            for entity_id in entity_ids:
                naming = [self._profiles[key] for key in self._postings.get(entity_id, {})]
                earlier = sorted((p for p in naming if p.last_day and before[0] <= p.last_day <= before[1]), key=lambda p: p.last_day, reverse=True)
                later = sorted((p for p in naming if p.last_day and p.last_day >= after[0]), key=lambda p: p.last_day)
                for profile in [*earlier[:STORIES_PER_ENTITY], *later[:STORIES_PER_ENTITY]]:
                    profiles.setdefault(_key(profile.id), profile)  # a story naming two of the entities comes once
        # A story in memory may have taken articles since the store saw it: only the quiet ones.
        return [p for p in profiles.values() if quiet(p)]

    def weigh_terms(self, article: Article) -> None:
        """Give the article its TF-IDF vector against every article seen before, and count it in."""
        terms = with_entity_terms(article.terms or {}, article)
        article.term_vector = self.term_statistics.weigh(terms)
        self.term_statistics.add(terms)
        if article.published_day is not None and (self._newest_day is None or article.published_day > self._newest_day):
            self._newest_day = article.published_day

    def place(self, article: Article) -> StoryProfile:
        """Put the article in its story (new or existing); sets ``story_id`` and ``match_score``.

        When the article also fits a second story that is the same event, the two merge.
        """
        self.weigh_terms(article)
        scored = self._ranked(article, self.candidates(article))
        if not scored or scored[0][0] < self.settings.threshold:
            # Only an article that no live story takes looks further back: a report months after the last.
            scored = sorted([*scored, *self._ranked(article, self.quiet_candidates(article))], key=lambda s: s[0], reverse=True)
        if not scored or scored[0][0] < self.settings.threshold:
            article.match_score = None
            return self._open(article)
        best_score, best = scored[0]
        article.match_score = best_score
        story = self._join(best, article, move_centroid=True)
        if best_score >= self.settings.merge_threshold:
            for score, other in scored[1:]:
                if score < self.settings.merge_threshold:
                    break
                if self._same_event(story, other) and not self._source.kept_apart(story.id, other.id):
                    story = self._merge(story, other)
                    article.story_id = story.id
        return story

    def _ranked(self, article: Article, candidates: Iterable[StoryProfile]) -> list[tuple[float, StoryProfile]]:
        """The candidates with their scores, best first."""
        return sorted(((self.scorer.score(article, p), p) for p in candidates), key=lambda s: s[0], reverse=True)

    def place_in(self, article: Article, story_id: str | None) -> StoryProfile:
        """Put an article whose terms are weighed (``weigh_terms``) in a story in memory, or in a new one (``None``).

        How known stories are replayed, for example to learn from labelled streams
        what the candidates of each article look like.
        """
        if story_id is None:
            return self._open(article)
        return self._join(self._profiles[_key(self.resolve(story_id))], article, move_centroid=True)

    def attach(self, article: Article, story_id: str) -> StoryProfile:
        """Add a duplicate to its original's story without moving the centroid."""
        story_id = self.resolve(story_id)
        profile = self._profiles.get(_key(story_id))
        if profile is None:  # the original is older than anything in memory
            (profile,) = self._source.profiles_by_ids([story_id])
            self._hold(profile)
        return self._join(profile, article, move_centroid=False)

    def resolve(self, story_id: str) -> str:
        """The story a story id now stands for: itself, or the story it was merged into during this run."""
        return self._merged_into.get(story_id, story_id)

    # ---- what the store must save ---------------------------------------------------

    def take_changed(self) -> list[StoryProfile]:
        """Profiles changed since the last call (what the store must save for this batch)."""
        changed = list(self._changed.values())
        self._changed.clear()
        return changed

    def take_merges(self) -> list[tuple[str, str]]:
        """(merged story id, surviving story id) of the merges since the last call, in order."""
        merges = [(merged, self.resolve(merged)) for merged in self._merges]
        self._merges.clear()
        return merges

    def release_idle(self) -> None:
        """Forget the periods no article used since the last call, and the stories only they reached.

        Call after the batch is saved: the store then answers for every story released.
        """
        assert not self._changed, "save the changed stories before releasing them"
        for period in set(self._indexes) - self._used:
            del self._indexes[period], self._members[period]
        self._used.clear()
        kept = set().union(*self._members.values())
        for key in set(self._profiles) - kept:
            self._forget(self._profiles[key])

    def refresh(self, saved: Sequence[StoryProfile], merged_away: Sequence[str]) -> None:
        """Take in what another writer saved since this matcher's last batch: the stories it wrote, those it merged away.

        Only stories in memory, or within reach of a period in memory, change here; the others
        are read from the store when their period is needed, as always.
        """
        assert not self._changed, "save the changed stories before taking in another writer's"
        for story_id in merged_away:
            if (gone := self._profiles.get(_key(story_id))) is not None:
                self._forget(gone)
        for profile in saved:
            if (old := self._profiles.get(_key(profile.id))) is not None:
                self._forget(old)
            if any(self._reaches_period(profile, period) for period in self._indexes):
                self._hold(profile)
                self._reindex(profile)
            if profile.last_day is not None and (self._newest_day is None or profile.last_day > self._newest_day):
                self._newest_day = profile.last_day

    # ---- periods and their indexes -----------------------------------------------------

    def _periods_for(self, day: dt.date | None) -> list[Period]:
        """Stories with undated articles are searched for every article; an undated article is taken as of the newest day seen."""
        day = day or self._newest_day
        return [None] if day is None else [None, period_of(day)]

    def _reaches(self, profile: StoryProfile, day: dt.date | None) -> bool:
        if day is None or profile.first_day is None or profile.last_day is None:
            return True
        return profile.first_day - self._window <= day <= profile.last_day + self._window

    def _reaches_period(self, profile: StoryProfile, period: Period) -> bool:
        if period is None:
            return profile.undated_articles > 0
        if profile.first_day is None or profile.last_day is None:
            return False
        first, last = _period_days(period)
        return profile.first_day - self._window <= last and first <= profile.last_day + self._window

    def _period_index(self, period: Period) -> Index:
        """The period's index, made from the store and the stories in memory the first time it is needed."""
        self._used.add(period)
        index = self._indexes.get(period)
        if index is not None:
            return index
        # Stories in memory are newer than their stored copy; merged ones are gone even if the store still has them.
        if period is None:
            loaded = [p for p in self._source.undated_profiles() if _key(p.id) not in self._profiles]
        else:
            first, last = _period_days(period)
            ids = self._source.story_ids_overlapping(first - self._window, last + self._window)
            loaded = self._source.profiles_by_ids([i for i in ids if _key(i) not in self._profiles])
        for profile in loaded:
            if profile.id not in self._merged_into:
                self._hold(profile)
        members = {key for key, profile in self._profiles.items() if self._reaches_period(profile, period)}
        index = self._index_like(period, members)
        self._indexes[period], self._members[period] = index, members
        return index

    def _index_like(self, period: Period, members: set[int]) -> Index:
        """An index of ``members``: a copy of the nearest period's index, changed where they differ.

        Consecutive periods share most of their stories, and copying an HNSW graph is
        far cheaper than building it again (seconds for tens of thousands of stories).
        """
        dated = [p for p in self._indexes if p is not None]
        nearest = min(dated, key=lambda p: abs(p - period)) if period is not None and dated else None
        if nearest is not None and 2 * len(self._members[nearest] & members) >= len(members):
            index, present = self._indexes[nearest].copy(), self._members[nearest]
        else:  # little in common (an article dated long ago): a graph of mostly removed nodes would search poorly
            index, present = Index(ndim=EMBEDDING_DIM, metric="cos", dtype="f32"), set()
        gone = present - members
        if gone:
            index.remove(np.fromiter(gone, dtype=np.uint64, count=len(gone)))
        new = members - present
        if new:
            keys = np.fromiter(new, dtype=np.uint64, count=len(new))
            index.add(keys, np.stack([self._profiles[int(k)].centroid.astype(np.float32) for k in keys]))
        return index

    def _reindex(self, profile: StoryProfile) -> None:
        """Put the story's current centroid in the index of every period in memory it reaches (and only those)."""
        key = _key(profile.id)
        for period, index in self._indexes.items():
            members = self._members[period]
            if key in members:
                index.remove(key)
                members.discard(key)
            if self._reaches_period(profile, period):
                index.add(key, profile.centroid.astype(np.float32))
                members.add(key)

    def _hold(self, profile: StoryProfile) -> None:
        """Keep a story in memory (its indexes are updated by the caller) and post it under its entities."""
        key = _key(profile.id)
        self._profiles[key] = profile
        for entity_id in profile.entities:
            self._postings.setdefault(entity_id, {})[key] = None

    def _forget(self, profile: StoryProfile) -> None:
        key = _key(profile.id)
        del self._profiles[key]
        for entity_id in profile.entities:
            self._unpost(entity_id, key)
        for period, index in self._indexes.items():
            if key in self._members[period]:
                index.remove(key)
                self._members[period].discard(key)

    def _unpost(self, entity_id: str, key: int) -> None:
        posting = self._postings.get(entity_id)
        if posting is not None:
            posting.pop(key, None)
            if not posting:
                del self._postings[entity_id]

    # ---- changing stories ---------------------------------------------------------------

    def _open(self, article: Article) -> StoryProfile:
        assert article.embedding is not None, "analyze() must run before match"
        day = article.published_day
        profile = StoryProfile(
            id=story_id_for(article.id),
            vector_sum=article.embedding.astype(np.float32).copy(),
            size=1,
            first_day=day,
            last_day=day,
            terms={article.language or "": article.term_vector} if article.term_vector is not None else {},
            undated_articles=int(day is None),
        )
        self._hold(profile)
        self._add_entities(profile, _entities_named(article))
        self._reindex(profile)
        article.story_id = profile.id
        self._changed[profile.id] = profile
        return profile

    def _join(self, profile: StoryProfile, article: Article, *, move_centroid: bool) -> StoryProfile:
        profile.size += 1
        profile.undated_articles += article.published_day is None
        profile.first_day, profile.last_day = _widen(profile.first_day, profile.last_day, article.published_day)
        if move_centroid and article.embedding is not None:
            profile.vector_sum = profile.vector_sum + article.embedding.astype(np.float32)
            if article.term_vector is not None:
                language = article.language or ""
                profile.terms[language] = accumulate(profile.terms.get(language, SparseVector.empty()), article.term_vector)
            self._add_entities(profile, _entities_named(article))
        self._reindex(profile)
        article.story_id = profile.id
        self._changed[profile.id] = profile
        return profile

    def _add_entities(self, profile: StoryProfile, added: Counter[str]) -> None:
        """Count entities into the story and post it last (most recent) under them."""
        if not added:
            return
        key = _key(profile.id)
        merged = Counter(profile.entities) + added
        profile.entities = dict(merged.most_common(STORY_ENTITIES))
        for entity_id in merged.keys() - profile.entities.keys():
            self._unpost(entity_id, key)
        for entity_id in added.keys() & profile.entities.keys():
            posting = self._postings.setdefault(entity_id, {})
            posting.pop(key, None)
            posting[key] = None

    def _same_event(self, story: StoryProfile, other: StoryProfile) -> bool:
        if float(np.dot(story.centroid, other.centroid)) < self.settings.merge_centroids:
            return False
        shared = story.terms.keys() & other.terms.keys()
        return any(cosine(story.terms[language], other.terms[language]) >= self.settings.merge_wording for language in shared)

    def _merge(self, a: StoryProfile, b: StoryProfile) -> StoryProfile:
        """Merge the younger of two stories into the older; returns the older, now holding both."""
        older, younger = sorted((a, b), key=_age_order)
        older.size += younger.size
        older.undated_articles += younger.undated_articles
        older.vector_sum = older.vector_sum + younger.vector_sum
        for day in (younger.first_day, younger.last_day):
            older.first_day, older.last_day = _widen(older.first_day, older.last_day, day)
        for language, vector in younger.terms.items():
            older.terms[language] = accumulate(older.terms.get(language, SparseVector.empty()), vector)
        self._forget(younger)
        self._add_entities(older, Counter(younger.entities))
        self._reindex(older)
        self._changed.pop(younger.id, None)
        self._changed[older.id] = older
        for merged, into in self._merged_into.items():
            if into == younger.id:
                self._merged_into[merged] = older.id
        self._merged_into[younger.id] = older.id
        self._merges.append(younger.id)
        return older


def _age_order(profile: StoryProfile) -> tuple[bool, dt.date, int, str]:
    """Older first: the earlier first day (undated last), then the larger story."""
    return profile.first_day is None, profile.first_day or dt.date.max, -profile.size, profile.id


def _entity_counts(article: Article) -> Counter[str]:
    """Mentions of each canonical entity in the article."""
    return Counter(m.entity_id for m in article.mentions if m.entity_id)


def _main_entities(article: Article) -> list[str]:
    """The entities the article mentions most: those its candidate stories are looked up by."""
    return [entity_id for entity_id, _ in _entity_counts(article).most_common(ENTITIES_LOOKED_UP)]


def _entities_named(article: Article) -> Counter[str]:
    """One for each canonical entity the article names: a story counts the articles naming an entity."""
    return Counter(set(_entity_counts(article)))


def _widen(first: dt.date | None, last: dt.date | None, day: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    if day is None:
        return first, last
    return (min(first, day) if first else day), (max(last, day) if last else day)
