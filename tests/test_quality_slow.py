"""Slow quality guards on real data; run with `pytest -m slow` (bench/run_all.py does)."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED, need

pytestmark = pytest.mark.slow


def test_ecbplus_event_clustering_beats_floor() -> None:
    """Issue 3: streaming ECB+ through `cluster` keeps two same-kind events per topic apart."""
    need(SHARED / "data" / "ecbplus" / "documents.jsonl.gz")
    from bench.common import bcubed
    from bench.ecbplus import load_documents, run_storyline

    docs = load_documents()
    predicted, _ = run_storyline(docs)
    score = bcubed(predicted, {d["doc_id"]: d["event_cluster"] for d in docs})
    assert score["precision"] >= 0.8 and score["f1"] >= 0.85, score
