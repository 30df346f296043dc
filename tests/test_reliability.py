"""No input can stall, crash or destroy anything (issues 17 and 18): the fast part of bench/reliability.py.

Every fast probe of bench/probes.py goes through one real `storyline ingest` (each in a
folder of its own beside a good control file), the pairs probes through `score_pairs`;
then the user errors of the command line, the output files, and the time budget of the
worker processes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from bench.probes import ARTICLE, CONTROL, Probe, control_files, is_root, page, probes, write_pairs
from bench.reliability import START_SECONDS, TRACEBACK, probe_size
from storyline.api import score_pairs
from storyline.errors import InputError
from tests.conftest import run_cli

FAST = [p for p in probes() if not p.slow]
INGEST_PROBES = [p for p in FAST if p.command == "ingest"]
PAIRS_PROBES = [p for p in FAST if p.command == "similarity"]


@pytest.fixture(scope="module")
def probe_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every fast ingest probe, each in its own folder with its own control, through one real `storyline ingest`."""
    root = tmp_path_factory.mktemp("probes") / "probes"
    paths = {}
    size = 0
    for probe in INGEST_PROBES:
        folder = root / probe.name
        folder.mkdir(parents=True)
        paths[probe.name] = probe.write(folder)
        control = control_files(folder, probe.kind)
        control.write_text(control.read_text(encoding="utf-8") + f" Filed under {probe.name}.\n", encoding="utf-8")
        size += probe_size(paths[probe.name])
    db = root.parent / "probes.db"
    limit = START_SECONDS + 6.0 * size / 2**20 + 3 * len(INGEST_PROBES)
    start = time.monotonic()
    result = run_cli("ingest", str(root), "--db", str(db), "-q", "--workers", "1", check=False, timeout=limit)
    seconds = time.monotonic() - start
    with contextlib.closing(sqlite3.connect(db)) as raw:
        sources = [row[0] for row in raw.execute("SELECT source FROM sources")]
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    yield {"result": result, "paths": paths, "sources": sources, "integrity": integrity, "seconds": seconds, "limit": limit, "db": db}
    for path in paths.values():  # the unreadable probes, so that the folder can be removed
        with contextlib.suppress(OSError):
            path.chmod(0o644)


def test_the_probe_run_ends_in_time_whole_and_without_traceback(probe_run: dict[str, Any]) -> None:
    result = probe_run["result"]
    assert TRACEBACK not in result.stdout + result.stderr
    assert result.returncode == 1  # there are bad inputs, and it says so
    assert probe_run["integrity"] == "ok"
    assert probe_run["seconds"] < probe_run["limit"]
    problems = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert problems and all("; " in line for line in problems), [line for line in problems if "; " not in line]


@pytest.mark.parametrize("probe", INGEST_PROBES, ids=lambda p: p.name)
def test_each_probe_is_handled_and_its_control_stored(probe_run: dict[str, Any], probe: Probe) -> None:
    sources, stderr = probe_run["sources"], probe_run["result"].stderr
    folder = f"probes/{probe.name}/"
    assert any(s == folder + "control.txt" for s in sources), "the good file beside the probe was not stored"
    name = probe_run["paths"][probe.name].name
    stored = [s for s in sources if s.startswith(folder + name)]
    reported = [line for line in stderr.splitlines() if folder + name in line]
    if probe.expect == "error" and not (probe.defect == "unreadable" and is_root()):
        assert reported and not stored
    elif probe.expect == "stored":
        assert stored, reported
    elif probe.expect == "rows":
        assert stored and reported
        assert all(re.search(rf"{re.escape(folder + name)}:\d+: ", line) for line in reported), reported


def test_cut_texts_say_so_in_their_record(probe_run: dict[str, Any]) -> None:
    with storyline.open(probe_run["db"]) as sl:
        (article,) = [a for a in sl.store.iter_articles() if a.source == "probes/txt-one-line-2mb/probe.txt"]
        record = sl.article_export(article)
    assert record["cuts"] and {c["what"] for c in record["cuts"]} <= {"page", "text"}
    assert all(c["kept"] < c["total"] for c in record["cuts"])
    assert len(article.text) <= 200_000
    warnings = [line for line in probe_run["result"].stderr.splitlines() if "txt-one-line-2mb" in line]
    assert any("too long to read whole" in line for line in warnings)


@pytest.mark.parametrize("probe", PAIRS_PROBES, ids=lambda p: p.name)
def test_each_pairs_probe_is_scored_row_by_row_or_refused(probe: Probe, tmp_path: Path) -> None:
    path = probe.write(tmp_path)
    out = io.StringIO()
    start = time.monotonic()
    if probe.expect == "error":
        with pytest.raises(InputError) as raised:
            score_pairs(path, out)
        assert path.name in str(raised.value) and "; " in str(raised.value)
        return
    report = score_pairs(path, out)
    assert time.monotonic() - start < START_SECONDS
    rows = list(csv_rows(out.getvalue()))
    assert all(re.fullmatch(r"[gb]\d", r["pair_id"]) for r in rows), "a pair_id that is not from the id column"
    assert all(r["Overall"] for r in rows if r["pair_id"].startswith("g"))
    if probe.expect == "rows":
        (problem,) = report.problems
        assert problem.source == f"{path}:3" and problem.external_id == "b2"
        assert [r["Overall"] for r in rows if r["pair_id"] == "b2"] == [""]


def csv_rows(text: str) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_gzip_bomb_of_pairs_is_refused_quickly_and_in_little_memory(tmp_path: Path) -> None:
    """A 400 KB .csv.gz that expands to 400 MB: refused once it expands past 100 times its size."""
    import gzip
    import resource

    bomb = tmp_path / "pairs.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b"pair_id,lang1,lang2,text_1,text_2\n")
        for _ in range(400):
            handle.write(b"a," * (2**19))
    assert bomb.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match="expands more than 100 times"):
        score_pairs(bomb, io.StringIO())
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: well under 200 MB more


# ---- the command line: user errors, outputs -----------------------------------------------


def _one_clear_error(result: Any, *names: str) -> str:
    """The run failed with exit code != 0, said why in words naming each of ``names``, without a traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert TRACEBACK not in output
    for name in names:
        assert name in output, output
    return output


def test_user_errors_are_one_clear_sentence(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    _one_clear_error(run_cli("ingest", str(empty), "--db", db, "-q", check=False), "empty.jsonl", "holds no article")
    header_only = tmp_path / "header.csv"
    header_only.write_text("pair_id,lang1,lang2,text_1,text_2\n")
    _one_clear_error(run_cli("similarity", str(header_only), "--out", str(tmp_path / "o.csv"), check=False), "header.csv", "no row")
    assert not (tmp_path / "o.csv").exists()
    _one_clear_error(run_cli("ingest", str(empty), "--db", db, "--batch-size", "0", check=False), "--batch-size")
    _one_clear_error(run_cli("ingest", str(empty), "--db", db, "--max-article-mb", "-1", check=False), "--max-article-mb")
    folder = tmp_path / "nothing"
    folder.mkdir()
    _one_clear_error(run_cli("ingest", str(folder), "--db", db, "-q", check=False), "nothing", "is empty")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "notes.md").write_text("# notes")
    output = _one_clear_error(run_cli("ingest", str(folder), "--db", db, "-q", check=False), "nothing", ".pdf", ".md")
    assert "holds no file Storyline reads" in output


def test_bad_values_are_warnings_naming_their_line_and_the_rows_are_kept(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "a", "text": ARTICLE, "language": "xx"}) + "\n"
        + json.dumps({"id": "b", "text": CONTROL, "published": "sometime last spring"}) + "\n"
        + json.dumps({"id": "c", "text": CONTROL + " More.", "title": ["not", "a", "string"]}) + "\n"
    )
    db = tmp_path / "s.db"
    result = run_cli("ingest", str(feed), "--db", str(db), "-q", "--workers", "0", check=False)
    assert result.returncode == 1 and TRACEBACK not in result.stderr
    assert re.search(r"feed\.jsonl:1: language 'xx' is not a language code.*; the language is detected", result.stderr)
    assert re.search(r"feed\.jsonl:2: published 'sometime last spring' is not a date.*; the date found", result.stderr)
    assert re.search(r"feed\.jsonl:3: field 'title' is a JSON array; give a string", result.stderr)
    with storyline.open(db) as sl:
        assert sl.count()["articles"] == 2
        assert sl.article("a").language == "en"  # type: ignore[union-attr]
        assert sl.article("c") is None


def test_an_output_never_replaces_an_input_nor_a_file_unless_forced(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n" + json.dumps({"id": "b", "text": CONTROL}) + "\n")
    original = feed.read_bytes()
    link, hard = tmp_path / "link.jsonl", tmp_path / "hard.jsonl"
    link.symlink_to(feed)
    os.link(feed, hard)
    for out in (feed, link, hard):
        _one_clear_error(run_cli("cluster", str(feed), "--out", str(out), "--force", check=False), "is the input")
    assert feed.read_bytes() == original
    _one_clear_error(run_cli("cluster", str(feed), "--out", str(tmp_path / "missing" / "out.jsonl"), check=False), "does not exist")
    out = tmp_path / "stories.jsonl"
    out.write_text("keep me\n")
    _one_clear_error(run_cli("cluster", str(feed), "--out", str(out), check=False), "already exists", "--force")
    assert out.read_text() == "keep me\n"
    run_cli("cluster", str(feed), "--out", str(out), "--force", "--workers", "0")
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    pairs = write_pairs(tmp_path / "pairs.csv", [["g1", "en", "en", ARTICLE, CONTROL]])
    before = pairs.read_bytes()
    _one_clear_error(run_cli("similarity", str(pairs), "--out", str(pairs), "--force", check=False), "is the input")
    assert pairs.read_bytes() == before


def test_control_characters_in_names_are_escaped_in_the_output(tmp_path: Path) -> None:
    name = "evil\x1b]0;pwned\x07\x1b[31mred.txt"
    (tmp_path / name).write_bytes(b"")
    result = run_cli("ingest", str(tmp_path), "--db", str(tmp_path / "s.db"), "-q", check=False)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b]0;pwned\\x07\\x1b[31mred.txt" in result.stderr


def test_sources_are_relative_whatever_path_was_given(tmp_path: Path) -> None:
    news = tmp_path / "news" / "2024"
    news.mkdir(parents=True)
    (news / "strike.txt").write_text("Dock strike\n\n" + ARTICLE)
    with storyline.open(tmp_path / "s.db") as sl:
        sl.ingest([tmp_path / "news"])
        (article,) = sl.store.iter_articles()
        assert article.source == "news/2024/strike.txt"
        assert sl.article_export(article)["source"] == "news/2024/strike.txt"


# ---- the time budget of the workers -------------------------------------------------------


def test_an_article_past_its_time_fails_and_the_run_goes_on(tmp_path: Path) -> None:
    """A page whose cleaning takes long (4 MB of navigation: 3.5 s to extract on a fast machine) against a
    budget of 1 s per article; the small controls beside it take a tenth of that. One article per batch:
    a batch's articles share their budget, so fast neighbours would lend the slow page their time."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    navigation = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(100_000))
    (inputs / "slow.html").write_text("<html><body><nav>" + navigation + "</nav>" + page(ARTICLE)[12:])
    (inputs / "control.txt").write_text("Rice harvest\n\n" + CONTROL)
    (inputs / "other.txt").write_text("Dock strike\n\n" + ARTICLE)
    db = tmp_path / "s.db"
    start = time.monotonic()
    result = run_cli("ingest", str(inputs), "--db", str(db), "-q", "--workers", "1", "--batch-size", "1", "--max-article-seconds", "1", check=False)
    assert time.monotonic() - start < START_SECONDS + 60
    assert result.returncode == 1 and TRACEBACK not in result.stderr
    assert re.search(r"in/slow\.html: took more than 1 s to clean and analyze.*; if it is a real article, raise --max-article-seconds", result.stderr)
    with storyline.open(db) as sl:
        assert sorted(a.source for a in sl.store.iter_articles()) == ["in/control.txt", "in/other.txt"]


def test_a_killed_worker_is_replaced_and_nothing_is_lost(tmp_path: Path) -> None:
    """kill -9 of the worker process in the middle of a run: its chunk is prepared again by a new worker."""
    import signal
    import subprocess

    feed = tmp_path / "feed.jsonl"
    with feed.open("w") as handle:
        for i in range(120):
            handle.write(json.dumps({"id": f"n{i}", "text": f"Item {i}. " + (ARTICLE if i % 2 else CONTROL)}) + "\n")
    db = tmp_path / "s.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "storyline", "ingest", str(feed), "--db", str(db), "-q", "--workers", "1", "--batch-size", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    killed = 0
    deadline = time.monotonic() + 600
    while not killed and process.poll() is None and time.monotonic() < deadline:
        for child in _children(process.pid):
            if _stored(db) > 0:
                os.kill(child, signal.SIGKILL)
                killed += 1
        time.sleep(0.2)
    _, stderr = process.communicate(timeout=600)
    assert killed, "the run ended before a worker could be killed"
    assert process.returncode == 0 and TRACEBACK not in stderr, stderr
    with storyline.open(db) as sl:
        assert sl.count()["articles"] == 120


def _children(pid: int) -> list[int]:
    """The worker processes of an ingest: children of its forkserver, itself a child of the ingest."""
    return [worker for server in _direct_children(pid) for worker in _direct_children(server)]


def _direct_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, AttributeError):
                if int(re.search(r"PPid:\s+(\d+)", (entry / "status").read_text()).group(1)) == pid:  # type: ignore[union-attr]
                    found.append(int(entry.name))
    return found


def _stored(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as raw:
            return int(raw.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0

