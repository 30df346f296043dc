"""Storyline: self-hosted news monitoring that turns a flood of articles into stories.

The public Python API::

    import storyline

    with storyline.open("storyline.db") as sl:
        sl.ingest(["examples/corpus"])
        for story in sl.stories(limit=5):
            print(story.id, story.title)
        for hit in sl.search("Riabkov"):
            print(hit.article.title)
"""

from storyline.api import Storyline, analyze_file, cluster, extract, migrate, open, score_pairs
from storyline.errors import ConfigError, FetchError, InputError, StoreError, StorylineError, TermsVersionError
from storyline.model import (
    Article,
    Entity,
    Event,
    FetchReport,
    IngestReport,
    InputProblem,
    Mention,
    Page,
    Place,
    QueryTerm,
    Quote,
    SearchHit,
    Source,
    Story,
    StoryEdit,
    TimeExpression,
)
from storyline.match.similarity import Evidence, Similarity
from storyline.pipeline import Outcome

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ConfigError",
    "Entity",
    "Event",
    "Evidence",
    "FetchError",
    "FetchReport",
    "IngestReport",
    "InputError",
    "InputProblem",
    "Mention",
    "Outcome",
    "Page",
    "Place",
    "QueryTerm",
    "Quote",
    "SearchHit",
    "Similarity",
    "Source",
    "StoreError",
    "Story",
    "StoryEdit",
    "Storyline",
    "StorylineError",
    "TermsVersionError",
    "TimeExpression",
    "analyze_file",
    "cluster",
    "extract",
    "migrate",
    "open",
    "score_pairs",
]
