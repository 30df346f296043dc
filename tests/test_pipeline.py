"""From files to stories: the seeds, re-runs, duplicates, export, show, cluster (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storyline
from tests.conftest import DW_SEED, RFI_SEED, SEEDS, need, run_cli

WIRE = (
    "Negotiators from the United States and Russia met for five hours in Vienna on Wednesday in a first round of "
    "arms-control talks since the collapse of the previous framework. Both delegations described the discussions as "
    "frank and useful but announced no agreement. The American delegation was led by Under Secretary Margaret Ellison, "
    "the Russian one by Deputy Foreign Minister Dmitry Volkonsky. A second round is expected in April, diplomats said, "
    "after expert groups have met to prepare a list of priority topics, including verification and missile deployments."
)
REWRITE = WIRE.replace("Negotiators from the United States and Russia met for five hours", "US and Russian negotiators held five hours of talks") + (
    " Analysts in Vienna said the meeting itself was a modest success."
)


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    run_cli("ingest", str(need(SEEDS)), "--db", str(db))
    return db


def test_seeds_make_one_story(seeds_db: Path) -> None:
    export = json.loads(run_cli("export", "--db", str(seeds_db)).stdout)
    assert len(export["stories"]) == 1
    assert len(export["articles"]) == 2
    story = export["stories"][0]
    by_outlet = {a["outlet"]: a for a in export["articles"]}
    assert set(by_outlet) == {"DW", "RFI"}
    assert by_outlet["DW"]["title"] == "US, Russia to hold high-level arms control negotiations next week"
    assert by_outlet["RFI"]["title"] == "In Geneva, meeting between the number two of Russian and American diplomacy"
    assert by_outlet["DW"]["published"] == "2021-07-24"
    assert by_outlet["RFI"]["published"] == "2021-07-28"
    assert {a["language"] for a in export["articles"]} == {"en"}
    assert sorted(story["articles"]) == sorted(a["id"] for a in export["articles"])
    assert all(a["story"] == story["id"] and a["duplicate_of"] is None for a in export["articles"])


def test_export_fields_are_stable(seeds_db: Path) -> None:
    export = json.loads(run_cli("export", "--db", str(seeds_db)).stdout)
    assert {"id", "title", "articles"} <= set(export["stories"][0])
    assert {"id", "story", "title", "outlet", "published", "language", "text", "duplicate_of"} <= set(export["articles"][0])


def test_reingest_adds_nothing(seeds_db: Path) -> None:
    before = run_cli("export", "--db", str(seeds_db)).stdout
    result = run_cli("ingest", str(SEEDS), str(DW_SEED), "--db", str(seeds_db))
    assert "0 new articles" in result.stderr and "3 already stored" in result.stderr
    assert run_cli("export", "--db", str(seeds_db)).stdout == before


def test_show_story_and_article(seeds_db: Path) -> None:
    stories = json.loads(run_cli("stories", "--db", str(seeds_db), "--json").stdout)
    story_id = stories[0]["id"]
    shown = json.loads(run_cli("show", story_id, "--db", str(seeds_db), "--json").stdout)
    assert shown["id"] == story_id and len(shown["articles"]) == 2
    article_id = shown["articles"][0]["id"]
    article = json.loads(run_cli("show", article_id, "--db", str(seeds_db), "--json").stdout)
    assert article["id"] == article_id and article["story"] == story_id
    text = run_cli("show", story_id, "--db", str(seeds_db)).stdout
    assert "US, Russia to hold high-level arms control negotiations next week" in text
    missing = run_cli("show", "nope", "--db", str(seeds_db), check=False)
    assert missing.returncode == 1 and "no story, entity or article 'nope'" in missing.stderr


def test_read_commands_need_an_existing_store(tmp_path: Path) -> None:
    result = run_cli("stories", "--db", str(tmp_path / "none.db"), check=False)
    assert result.returncode == 1 and "run `storyline ingest" in result.stderr
    assert not (tmp_path / "none.db").exists()


def _jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_exact_and_near_duplicates_are_linked_not_dropped(tmp_path: Path) -> None:
    feed = _jsonl(
        tmp_path / "feed.jsonl",
        [
            {"id": "wire-1", "text": WIRE, "outlet": "Atlantic Wire Service", "published": "2024-03-13"},
            {"id": "copy-1", "text": WIRE, "outlet": "Northbridge Herald", "published": "2024-03-13"},
            {"id": "rewrite-1", "text": REWRITE, "outlet": "Northbridge Herald", "published": "2024-03-14"},
        ],
    )
    with storyline.open(tmp_path / "dups.db") as sl:
        report = sl.ingest([feed])
        assert (report.added, report.duplicates, report.near_duplicates) == (3, 1, 1)
        original, copy, rewrite = (sl.article(i) for i in ("wire-1", "copy-1", "rewrite-1"))
        assert original and copy and rewrite
        assert copy.duplicate_of == original.id and copy.duplicate_kind == "exact"
        assert rewrite.duplicate_of == original.id and rewrite.duplicate_kind == "near"
        assert original.story_id == copy.story_id == rewrite.story_id
        assert sl.count()["articles"] == 3


def test_cluster_streams_jsonl_without_a_store(tmp_path: Path) -> None:
    records = [
        {"id": "dw", "text": need(DW_SEED).read_text(encoding="utf-8")},
        {"id": "rfi", "text": RFI_SEED.read_text(encoding="utf-8")},
        {"id": "empty", "text": ""},
        {"id": "quake", "text": "Strong earthquake shakes southern Peru\n\nA magnitude 7.1 earthquake struck the Arequipa region of southern "
         "Peru on Monday, destroying dozens of adobe homes and cutting roads, the national civil defence institute said."},
        {"id": "dw-again", "text": DW_SEED.read_text(encoding="utf-8")},
    ]
    feed = _jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    result = run_cli("cluster", str(feed), "--out", str(out), check=False)
    assert result.returncode == 1 and "in.jsonl:3" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["dw", "rfi", "empty", "quake", "dw-again"]
    story = {line["id"]: line["story"] for line in lines}
    assert story["dw"] == story["rfi"] == story["dw-again"]
    assert story["quake"] not in (None, story["dw"])
    assert story["empty"] is None and "error" in lines[2]
    assert not list(tmp_path.glob("*.db"))


def test_workers_fork_with_the_models_loaded() -> None:
    """The pool's fork server loads the models once; a worker forks from it with them and loads none itself.

    Loading every model takes several seconds of CPU; a worker forked with them, having prepared
    one short text, has used a small fraction of that (CPU time, not elapsed: a loaded machine does
    not change it much).
    """
    import os

    from storyline.model import RawDocument
    from storyline.pipeline import ArticleWorkers

    pool = ArticleWorkers(1)
    try:
        text = b"Talks resumed\n\nNegotiators from both sides met in Vienna on Tuesday and agreed to meet again, officials said."
        (article,), _, _ = pool.submit([RawDocument("talks", "talks.txt", "text", text)]).result()
        assert article.mentions  # analyzed by the worker, with its models
        process = pool._workers[0].process
        assert process is not None
        with open(f"/proc/{process.pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        worker_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        assert worker_cpu < 1.5, f"the worker used {worker_cpu:.1f} s of CPU: it loaded models of its own"
    finally:
        pool.shutdown()
