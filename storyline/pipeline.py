"""The one place that knows the order of the stages.

    read (ingest) -> clean -> analyze -> duplicates + stories (match) -> titles (stories) -> store

Documents are processed in batches: the expensive steps (embeddings) run once
per batch, matching still places articles one by one in arrival order, and
each batch is written in one transaction, so a crash loses at most the batch
in flight and a re-run picks up where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from storyline.analyze import analyze
from storyline.analyze.fingerprint import text_hash
from storyline.clean import clean
from storyline.errors import InputError
from storyline.match import DuplicateFinder, MatchSettings, Scorer, StoryMatcher, TermStatistics, band_keys
from storyline.model import Article, Batch, IngestReport, InputProblem, KnownArticle, RawDocument
from storyline.stories import refresh_title
from storyline.store.base import Store

LOGGER = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64


@dataclass(frozen=True)
class Outcome:
    """What happened to one input, in input order."""

    source: str
    status: Literal["added", "already stored", "failed"]
    article_id: str | None = None
    external_id: str | None = None
    story_id: str | None = None
    duplicate_kind: str | None = None
    new_story: bool = False
    problem: str | None = None


class Pipeline:
    """Runs documents through every stage into a store.

    The matcher's state (story profiles) is loaded from the store once, so the
    same pipeline object must be the store's only writer while it runs.
    """

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        scorer: Scorer | None = None,
        match_settings: MatchSettings = MatchSettings(),
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        frequencies, documents = store.term_frequencies()
        self.matcher = StoryMatcher(
            store.story_profiles(), term_statistics=TermStatistics(frequencies, documents), scorer=scorer, settings=match_settings
        )
        self.duplicates = DuplicateFinder(store.find_exact, store.find_by_bands)

    def process(self, items: Iterable[RawDocument | InputProblem]) -> Iterator[Outcome]:
        """Yield one ``Outcome`` per input item, batch by batch, each batch committed before its outcomes."""
        pending: list[RawDocument | InputProblem] = []
        for item in items:
            pending.append(item)
            if sum(isinstance(i, RawDocument) for i in pending) >= self.batch_size:
                yield from self._process_batch(pending)
                pending = []
        if pending:
            yield from self._process_batch(pending)

    def run(self, items: Iterable[RawDocument | InputProblem], *, on_outcome: Callable[[Outcome], None] | None = None) -> IngestReport:
        """Process everything and summarise it."""
        report = IngestReport()
        for outcome in self.process(items):
            if on_outcome:
                on_outcome(outcome)
            if outcome.status == "failed":
                report.problems.append(InputProblem(outcome.source, outcome.problem or "failed"))
            elif outcome.status == "already stored":
                report.already_stored += 1
            else:
                report.added += 1
                report.new_stories += outcome.new_story
                report.duplicates += outcome.duplicate_kind == "exact"
                report.near_duplicates += outcome.duplicate_kind == "near"
        return report

    def _process_batch(self, items: list[RawDocument | InputProblem]) -> list[Outcome]:
        documents = [i for i in items if isinstance(i, RawDocument)]
        stored = self.store.stored_stories([d.id for d in documents])
        batch = Batch()
        fresh: dict[str, RawDocument] = {}
        cleaned: list[Article] = []
        problems: dict[str, str] = {}
        for document in documents:
            if document.id in stored or document.id in fresh:
                batch.sightings.append((document.id, document.source))
                continue
            fresh[document.id] = document
            try:
                cleaned.append(clean(document))
            except InputError as exc:
                problems[document.id] = exc.message
                batch.failed.append((document, InputProblem(document.source, exc.message)))
        opened: set[str] = set()  # ids of articles that opened a story
        for article in analyze(cleaned):
            self._match(article, batch, opened)
            batch.documents.append(fresh[article.id])
            batch.articles.append(article)
        batch.stories = self.matcher.take_changed()
        batch.term_frequencies = self.matcher.term_statistics.take_changed()
        batch.documents_counted = self.matcher.term_statistics.documents
        self.store.save_batch(batch)
        self.duplicates.forget_pending()
        LOGGER.debug("batch of %d inputs: %d new articles, %d failed", len(items), len(batch.articles), len(batch.failed))

        placed = {a.id: a for a in batch.articles}
        outcomes = []
        for item in items:
            if isinstance(item, InputProblem):
                outcomes.append(Outcome(item.source, "failed", external_id=item.external_id, problem=item.message))
            elif item.id in problems:
                outcomes.append(Outcome(item.source, "failed", article_id=item.id, external_id=item.given.external_id, problem=problems[item.id]))
            elif item.id in placed and fresh[item.id] is item:
                article = placed[item.id]
                outcomes.append(
                    Outcome(
                        item.source, "added", article.id, item.given.external_id, article.story_id,
                        article.duplicate_kind, new_story=article.id in opened,
                    )
                )
            else:
                story = stored.get(item.id) or (placed[item.id].story_id if item.id in placed else None)
                outcomes.append(Outcome(item.source, "already stored", item.id, item.given.external_id, story))
        return outcomes

    def _match(self, article: Article, batch: Batch, opened: set[str]) -> None:
        assert article.fingerprint is not None
        digest = text_hash(article.text)
        bands = band_keys(article.fingerprint)
        duplicate = self.duplicates.check(article, digest, bands)
        if duplicate is not None:
            article.duplicate_of = duplicate.original.original_id
            article.duplicate_kind = duplicate.kind
            article.match_score = duplicate.similarity
            self.matcher.attach(article, duplicate.original.story_id)
        else:
            before = len(self.matcher)
            story = self.matcher.place(article)
            if len(self.matcher) > before:
                opened.add(article.id)
            refresh_title(story, article)
        self.duplicates.remember(KnownArticle(article.id, article.story_id or "", article.duplicate_of or article.id, article.fingerprint), digest, bands)
        batch.text_hashes[article.id] = digest
        batch.band_keys[article.id] = bands
