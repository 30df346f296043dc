"""The command line an analyst uses: stores it refuses, search, story filters, edits, progress (issue 16)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

import storyline
from storyline.api import cluster, score_pairs
from tests.conftest import CORPUS, REPO, copy_db, run_cli, running_server


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """Another application's SQLite database."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        raw.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    return path


@pytest.mark.parametrize("command", [["stories"], ["ingest", str(CORPUS / "a_wire.jsonl")], ["edits"]])
def test_a_file_that_is_not_a_store_is_refused_untouched(foreign: Path, tmp_path: Path, command: list[str]) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database\n" * 50)
    for path in (foreign, notes):
        before = _digest(path)
        result = run_cli(*command, "--db", str(path), check=False)
        assert result.returncode == 1, result.stderr
        assert str(path) in result.stderr and "not a Storyline store" in result.stderr
        assert _digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db", "other.db"]  # no -wal, no -shm beside it
    with sqlite3.connect(foreign) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["invoices"]


def test_read_commands_and_serve_never_create_a_store(tmp_path: Path) -> None:
    for command in (["stories"], ["search", "Geneva"], ["show", "s-0"], ["edits"], ["serve", "--port", "0"]):
        result = run_cli(*command, "--db", str(tmp_path / "typo.db"), check=False)
        assert result.returncode == 1 and "no Storyline store here yet" in result.stderr, (command, result.stderr)
        assert not (tmp_path / "typo.db").exists()
    assert "--create" in result.stderr  # serve names the way to start an empty store


def test_serve_create_starts_a_new_store_on_request(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with running_server(db, extra=("--create",)) as base:
        assert httpx.get(f"{base}/api/stories", timeout=30).json()["total"] == 0
    assert db.exists()


def test_search_and_story_filters(news_db: Path) -> None:
    found = json.loads(run_cli("search", "Riabkov", "--db", str(news_db), "--json").stdout)
    (story,) = found["stories"]
    assert {a["outlet"] for a in story["articles"]} == {"DW", "RFI"}
    assert "Sergei Ryabkov" in found["terms"][0]["spellings"]
    with storyline.open(news_db, create=False) as sl:
        (term,) = sl.query_terms("Ryabkov")
    assert "ryabkov" in {s.casefold() for s in term.spellings}  # the typed word is searched too...
    assert "Sergei Ryabkov" in term.other_spellings and all(s.casefold() != "ryabkov" for s in term.other_spellings)  # ...not shown again
    text = run_cli("search", "Istanbul", "--db", str(news_db)).stdout
    assert "Estambul" in text and "Стамбуле" in text and "articles, in" in text

    listed = json.loads(run_cli("stories", "--db", str(news_db), "--entity", "Ryabkov", "--since", "2021-07-01", "--json").stdout)
    assert [s["title"] for s in listed] == ["In Geneva, meeting between the number two of Russian and American diplomacy"]
    assert json.loads(run_cli("stories", "--db", str(news_db), "--q", "Riabkov", "--until", "2021-01-01", "--json").stdout) == []
    unknown = run_cli("stories", "--db", str(news_db), "--entity", "Nobody Atall", check=False)
    assert unknown.returncode == 1 and "names no entity" in unknown.stderr


def test_edit_commands_round_trip(news_db: Path, tmp_path: Path) -> None:
    db = copy_db(news_db, tmp_path)
    with storyline.open(db) as sl:
        story = next(s for s in sl.stories() if len(s.articles) >= 3)
        before = {s.id: sorted(a.id for a in s.articles) for s in sl.stories()}
    split = json.loads(run_cli("split", story.id, story.articles[-1].id, "--title", "Mine", "--db", str(db), "--json").stdout)
    assert split["kind"] == "split" and split["titles"][0]["after"] == "Mine"
    renamed = run_cli("rename", split["story"], "Mine, renamed", "--db", str(db)).stdout
    assert "renamed story" in renamed and "storyline undo" in renamed
    moved = run_cli("move", story.articles[0].id, split["story"], "--db", str(db)).stdout
    assert "moved article" in moved
    merged = run_cli("merge", story.id, split["story"], "--db", str(db)).stdout
    assert "merged story" in merged
    log = run_cli("edits", "--db", str(db)).stdout
    assert "4 of 4 edits" in log
    refused = run_cli("undo", str(split["id"]), "--db", str(db), check=False)
    assert refused.returncode == 1 and "undo it first" in refused.stderr
    for _ in range(4):
        run_cli("undo", "--db", str(db))
    with storyline.open(db) as sl:
        assert {s.id: sorted(a.id for a in s.articles) for s in sl.stories()} == before


def test_ingest_progress_counts_articles(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    with storyline.open(tmp_path / "p.db", batch_size=8) as sl:
        report = sl.ingest([CORPUS / "a_wire.jsonl", CORPUS / "html"], progress=lambda done, total: calls.append((done, total)))
    articles = report.added + report.already_stored + len(report.problems)
    assert calls[0] == (0, articles)  # the inputs are counted before the first article is processed
    assert calls[-1] == (articles, articles)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == articles + 1  # one step per article


def test_cluster_progress_counts_articles(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    with (tmp_path / "out.jsonl").open("w", encoding="utf-8") as out:
        cluster(CORPUS / "a_wire.jsonl", out, batch_size=4, progress=lambda done, total: calls.append((done, total)))
    lines = len((CORPUS / "a_wire.jsonl").read_text(encoding="utf-8").splitlines())
    assert calls[0] == (0, lines) and calls[-1] == (lines, lines)
    assert [d for d, _ in calls] == list(range(lines + 1))  # one step per article, none silent


def test_similarity_progress_covers_every_stage_to_the_end() -> None:
    """Each stage of `similarity` reports until it is done, scoring included: no silence after a bar ends."""
    calls: list[tuple[str, int, int]] = []
    score_pairs(REPO / "examples" / "pairs.csv", io.StringIO(), progress=lambda *call: calls.append(call))
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["analyzing texts", "embedding texts", "scoring pairs"]
    for stage in stages:
        last = [(done, total) for s, done, total in calls if s == stage][-1]
        assert last[0] == last[1] > 0, (stage, last)
    assert calls[-1] == ("scoring pairs", 3, 3)


def test_readme_path_with_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "news").mkdir(parents=True)
    (home / "news" / "a.jsonl").write_bytes((CORPUS / "a_wire.jsonl").read_bytes())
    monkeypatch.setenv("HOME", str(home))
    with storyline.open(tmp_path / "t.db") as sl:
        report = sl.ingest(["~/news/"])
    assert report.ok and report.added > 0
