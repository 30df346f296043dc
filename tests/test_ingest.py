"""Reading inputs, and bad input: clear errors, nothing else lost (issue 3)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import storyline
from storyline.ingest import content_id, find_files, read_file
from storyline.model import InputProblem, RawDocument
from tests.conftest import run_cli

ARTICLE = (
    "Vienna talks end without agreement\n\n"
    "Delegations from both countries ended two days of talks in Vienna on Thursday without agreeing on a date "
    "for the next round, officials said, although both sides called the discussions useful and constructive.\n\n"
    "The head of the delegation said further consultations would take place at expert level in the coming weeks."
)


def _read_all(paths: list[Path]) -> list[RawDocument | InputProblem]:
    files, problems = find_files(paths)
    items: list[RawDocument | InputProblem] = list(problems)
    for file in files:
        items.extend(read_file(file))
    return items


def test_ids_are_stable_and_content_derived(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "sub" / "b.txt"
    b.parent.mkdir()
    a.write_text(ARTICLE)
    b.write_text(ARTICLE)
    first, second = _read_all([tmp_path])
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert first.id == second.id == content_id("text", ARTICLE.encode())
    assert len(first.id) == 16


def test_bad_inputs_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.html").write_text("   \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # a sparse 200 MB file: cheap to make, refused before reading
        handle.truncate(200 * 1024 * 1024)
    (tmp_path / "latin1.txt").write_bytes(ARTICLE.replace("Vienna", "Wien für Österreich").encode("cp1252"))
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # skipped quietly inside a directory
    lines = [
        json.dumps({"id": "ok-1", "text": ARTICLE}),
        "{not json",
        json.dumps({"id": "no-body", "title": "only a title"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "ok-2", "html": "<html><body><p>" + ARTICLE + "</p></body></html>"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")

    items = _read_all([tmp_path])
    problems = {Path(p.source.split(":")[0]).name + (":" + p.source.split(":")[1] if ":" in p.source else ""): p.message
                for p in items if isinstance(p, InputProblem)}
    documents = [d for d in items if isinstance(d, RawDocument)]
    assert "is empty" in problems["empty.txt"]
    assert "is empty" in problems["blank.html"]
    assert "binary" in problems["binary.txt"]
    assert "200.0 MB" in problems["huge.txt"] and "JSONL" in problems["huge.txt"]
    assert "cannot be read" in problems["dangling.txt"]
    assert "not valid JSON" in problems["feed.jsonl:2"]
    assert "no non-empty 'text' or 'html'" in problems["feed.jsonl:3"]
    assert "not an object" in problems["feed.jsonl:4"]
    assert "notes.pdf" not in problems
    assert sorted(Path(d.source).name for d in documents) == ["feed.jsonl:1", "feed.jsonl:5", "good.txt", "latin1.txt"]


def test_unsupported_file_given_explicitly_is_a_problem(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    (problem,) = _read_all([pdf, tmp_path / "missing.txt"])[:1]
    assert isinstance(problem, InputProblem) and "unsupported file type '.pdf'" in problem.message


def test_ingest_cli_reports_problems_and_stores_the_rest(tmp_path: Path, db: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(ARTICLE)
    (inputs / "latin1.txt").write_bytes(ARTICLE.replace("Vienna talks", "Gespräche in Wien über Österreich").encode("cp1252"))
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "feed.jsonl").write_text('{"id": "x", "text": "' + ARTICLE.replace("\n", "\\n").replace("Vienna", "Geneva") + '"}\n{broken\n')
    result = run_cli("ingest", str(inputs), "--db", str(db), check=False)
    assert result.returncode == 1
    assert "empty.txt: is empty" in result.stderr
    assert "feed.jsonl:2: is not valid JSON" in result.stderr
    with storyline.open(db) as sl:
        counts = sl.count()
        assert counts["articles"] == 3
        latin = [a for s in sl.stories() for a in s.articles if "Gespräche" in (a.title or "")]
        assert latin and "Österreich" in (latin[0].title or "")


def test_unreadable_directory_entries(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE)
    os.mkfifo(tmp_path / "pipe.txt")  # a FIFO is not a regular file: reading it would block forever
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    items = _read_all([tmp_path])
    names = {Path(i.source).name: i for i in items}
    assert isinstance(names["good.txt"], RawDocument)
    assert isinstance(names["loop.txt"], InputProblem)
    assert isinstance(names["pipe.txt"], InputProblem) and "not a regular file" in names["pipe.txt"].message


def test_gzipped_inputs_and_damaged_gzip(tmp_path: Path) -> None:
    import gzip

    with gzip.open(tmp_path / "page.html.gz", "wt", encoding="utf-8") as handle:
        handle.write("<html><body><article><p>" + ARTICLE + "</p></article></body></html>")
    with gzip.open(tmp_path / "feed.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "g1", "text": ARTICLE}) + "\n")
    (tmp_path / "broken.txt.gz").write_bytes(gzip.compress(ARTICLE.encode())[:-12])
    items = {Path(i.source).name: i for i in _read_all([tmp_path])}
    assert isinstance(items["page.html.gz"], RawDocument) and items["page.html.gz"].kind == "html"
    assert isinstance(items["feed.jsonl.gz:1"], RawDocument) and items["feed.jsonl.gz:1"].given.external_id == "g1"
    assert isinstance(items["broken.txt.gz"], InputProblem) and "gzipped, complete" in items["broken.txt.gz"].message


def test_oversized_jsonl_line_is_skipped_not_loaded(tmp_path: Path) -> None:
    feed = tmp_path / "big.jsonl"
    feed.write_text(json.dumps({"id": "big", "text": "word " * 400_000}) + "\n" + json.dumps({"id": "small", "text": ARTICLE}) + "\n")
    files, _ = find_files([feed])
    items = list(read_file(files[0], max_article_bytes=1_000_000))
    assert isinstance(items[0], InputProblem) and items[0].source.endswith(":1") and "limit" in items[0].message
    assert isinstance(items[1], RawDocument) and items[1].given.external_id == "small"


def _outlets(db: Path) -> set[str]:
    with storyline.open(db) as sl:
        return {a.outlet for s in sl.stories() for a in s.articles if a.outlet}


def test_an_abbreviation_and_its_outlet_are_one_outlet(tmp_path: Path) -> None:
    """Whichever comes first, the abbreviation made of a known outlet's initials ends up under that name."""
    first = {"text": ARTICLE, "outlet": "HPW", "id": "1"}
    second = {"text": ARTICLE.replace("Vienna", "Geneva"), "outlet": "Harbour Press Wire", "id": "2"}
    third = {"text": ARTICLE.replace("Vienna", "Prague"), "outlet": "HPW", "id": "3"}
    for order, db in (((first, second, third), tmp_path / "a.db"), ((second, first, third), tmp_path / "b.db")):
        with storyline.open(db) as sl:
            sl.ingest_records([order[0]])
            sl.ingest_records(list(order[1:]))
        assert _outlets(db) == {"Harbour Press Wire"}


def test_an_abbreviation_that_fits_two_outlets_stays_as_it_is(tmp_path: Path) -> None:
    records = [
        {"text": ARTICLE, "outlet": "Harbour Press Wire", "id": "1"},
        {"text": ARTICLE.replace("Vienna", "Geneva"), "outlet": "Highland Post Weekly", "id": "2"},
        {"text": ARTICLE.replace("Vienna", "Prague"), "outlet": "HPW", "id": "3"},
    ]
    with storyline.open(tmp_path / "s.db") as sl:
        sl.ingest_records(records)
    assert _outlets(tmp_path / "s.db") == {"Harbour Press Wire", "Highland Post Weekly", "HPW"}


def test_given_author_is_kept(tmp_path: Path) -> None:
    with storyline.open(tmp_path / "s.db") as sl:
        sl.ingest_records([{"text": ARTICLE, "author": "Mara Lindqvist", "id": "1"}])
        (article,) = [a for s in sl.stories() for a in s.articles]
    assert article.author == "Mara Lindqvist"


def test_a_guessed_date_is_stored_as_uncertain_and_does_not_date_the_article(tmp_path: Path, db: Path) -> None:
    page = tmp_path / "archive_photo.txt"
    page.write_text(
        "Vienna talks end without agreement\n\n"
        "Delegates at an earlier round of talks in Vienna, 3 June 2015. PHOTO DESK - ARCHIVE\n\n" + ARTICLE.split("\n\n", 1)[1]
    )
    with storyline.open(db) as sl:
        sl.ingest([page])
        (story,) = list(sl.stories())
        assert list(sl.stories(since="2015-06-01", until="2015-06-30"))  # the guess still places it in time
    (article,) = story.articles
    assert article.published == "2015-06-03" and article.published_uncertain
    export = json.loads(run_cli("export", "--db", str(db)).stdout)
    assert export["articles"][0]["published_uncertain"] is True
