"""Web archives (WARC, ARC): real fixtures read or refused clearly; pages ingested; kill -9 and resume (issue 12)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.ingest import find_files, read_file
from storyline.model import InputProblem, RawDocument
from tests.conftest import REPO, SHARED, assert_intact, kill_when, need, run_cli, stored_urls
from tests.site import write_warc

WARCS = SHARED / "data" / "sources" / "warc"
FUNDUS = SHARED / "data" / "pages" / "fundus"
DAMAGED = {
    "resiliparse/clipped.warc.gz": "in the record at byte offset 0",
    "warcio/example-trunc.warc": "after the record at byte offset 1197",
    "warcio.js/example-bad-length.warc": "after the record at byte offset 1197",
}


def _html_pages(path: Path) -> int:
    """What a second reader (warcio) finds: status-200 HTML responses and HTML resources, plain-text conversions."""
    from warcio.archiveiterator import ArchiveIterator

    found = 0
    with path.open("rb") as handle:
        try:
            for record in ArchiveIterator(handle, arc2warc=True):
                kind = (record.http_headers.get_header("Content-Type") if record.http_headers else record.rec_headers.get_header("Content-Type")) or ""
                if record.rec_type == "response" and record.http_headers and record.http_headers.get_statuscode() == "200":
                    body = record.content_stream().read()
                    found += "html" in kind and bool(body.strip())
                elif record.rec_type == "resource":
                    found += "html" in kind
                elif record.rec_type == "conversion":
                    found += "text/plain" in kind
        except Exception:  # noqa: BLE001 - warcio gives up on some fixtures that FastWARC reads; counted so far
            pass
    return found


def test_every_archive_fixture_is_read_or_refused_clearly() -> None:
    rows = list(csv.DictReader((need(WARCS) / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) == 51
    for row in rows:
        path = WARCS / row["file"]
        files, problems = find_files([path])
        if not files:  # not an archive of pages by its name: example-bad.warc.gz.bad, a WAT (metadata only)
            assert path.suffixes[-1] == ".bad" or ".wat" in path.suffixes
            assert problems[0].message.startswith("unsupported file type") and ".warc" in problems[0].message
            continue
        items = list(read_file(files[0]))
        documents = [i for i in items if isinstance(i, RawDocument)]
        failures = [i for i in items if isinstance(i, InputProblem)]
        damage = DAMAGED.get(row["file"])
        if damage:
            assert failures and damage in failures[-1].message and failures[-1].source.startswith(str(path)), row["file"]
            assert "records before were read" in failures[-1].message
        else:
            assert all("is empty" in f.message or "limit" in f.message for f in failures), (row["file"], failures)
        assert len(documents) >= _html_pages(path) - len(failures), row["file"]
        for document in documents:
            assert document.kind in {"html", "text"} and document.given.url and document.source.startswith(f"{path}:")
    # request, metadata, warcinfo and revisit records are never articles
    items = list(read_file(find_files([WARCS / "pywb" / "iana.warc.gz"])[0][0]))
    assert len(items) == 16  # 48 responses: 20 HTML, 16 of them with status 200; 123 revisits skipped


def _fundus_pages(count: int) -> list[tuple[str, bytes, str]]:
    rows = [json.loads(line) for line in (need(FUNDUS) / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()]
    pages = []
    for row in rows[::3][:count]:
        captured = row["crawl_date"][:19].replace(" ", "T") + "Z"
        pages.append((row["url"], gzip.decompress((FUNDUS / row["html"]).read_bytes()), captured))
    return pages


@pytest.fixture(scope="module")
def news_warc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, bytes, str]]]:
    """A WARC written here, with warcio, from real article pages (fundus test pages): real pages, not a real crawl."""
    pages = _fundus_pages(24)
    path = tmp_path_factory.mktemp("warc") / "news.warc.gz"
    write_warc(path, pages, revisit_every=4)
    return path, pages


def test_pages_of_an_archive_become_articles(news_warc: tuple[Path, list[Any]], tmp_path: Path) -> None:
    path, pages = news_warc
    with storyline.open(tmp_path / "warc.db") as sl:
        report = sl.ingest([path])
        assert report.ok and report.added == len(pages)
        assert report.skipped == 1 + len(pages) + len(pages) // 4  # warcinfo, a request per page, the revisits
        by_url = {a.url: a for a in sl.store.iter_articles()}
        assert set(by_url) == {url for url, _, _ in pages}
        # the page's own date first; the capture date only when the page has none
        assert sum(1 for url, _, captured in pages if by_url[url].published) == len(pages)
        again = sl.ingest([path])
        assert again.added == 0 and again.already_stored <= 1  # resumed at the last record stored, not read again


def test_kill_minus_nine_during_an_archive_ingest_then_rerun(news_warc: tuple[Path, list[Any]], location: str, tmp_path: Path) -> None:
    path, pages = news_warc
    crashed, clean = location, tmp_path / "clean.db"  # the crashed store on each backend, the clean run on SQLite
    process = subprocess.Popen(
        [sys.executable, "-m", "storyline", "ingest", str(path), "--db", crashed, "--batch-size", "2", "--workers", "0", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    kill_when(process, lambda: len(stored_urls(crashed)) >= 6)
    partial = len(stored_urls(crashed))
    assert 6 <= partial < len(pages)
    assert_intact(crashed)

    resumed = run_cli("ingest", str(path), "--db", crashed, "--batch-size", "2", "--workers", "0", "-q")
    assert f"{len(pages) - partial} new articles" in resumed.stderr
    already = int(resumed.stderr.split(" already stored")[0].rsplit(" ", 1)[-1])
    assert already < partial  # resumed from the checkpoint, not from the start of the file
    with storyline.open(clean, batch_size=2) as sl:
        assert sl.ingest([path]).added == len(pages)
    crashed_export, clean_export = _export(crashed), _export(clean)
    assert len(crashed_export["articles"]) == len(pages)
    assert crashed_export == clean_export  # nothing lost, nothing doubled, the same stories


def _export(db: Path | str) -> dict[str, Any]:
    out = io.StringIO()
    with storyline.open(db) as sl:
        sl.export(out)
    return json.loads(out.getvalue())
