"""Property-based tests (Hypothesis) of the readers and parsers: any input ends as data or a named problem,
never an exception, a changed value or a lost row (issues 17 and 18)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storyline.analyze.sentences import LONGEST_SENTENCE, split_sentences
from storyline.analyze.times import find_times
from storyline.clean import clean_or_problem
from storyline.clean.metadata import normalize_published
from storyline.ingest.pairs import ArticlePair, read_pairs
from storyline.ingest.readers import CappedGzip, ExpansionError, document_from_record, read_upload
from storyline.model import InputProblem, RawDocument

SETTINGS = settings(
    max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
FIELDS = ["id", "text", "html", "title", "url", "outlet", "published", "language"]
records = st.dictionaries(st.sampled_from(FIELDS), json_values | st.text(max_size=60), max_size=6)


@SETTINGS
@given(records)
def test_a_record_becomes_a_document_with_its_values_unchanged_or_a_problem(record: dict[str, object]) -> None:
    result = document_from_record(record, "feed.jsonl:7")
    assert result.source == "feed.jsonl:7"
    if isinstance(result, InputProblem):
        assert "; " in result.message
        return
    given_values = result.given.as_dict()
    for name, key in (("title", "title"), ("url", "url"), ("outlet", "outlet"), ("published", "published"), ("language", "language")):
        if name in given_values:
            assert isinstance(record[key], str) and given_values[name] == record[key].strip()  # never a Python repr
    if "external_id" in given_values:
        assert given_values["external_id"] == str(record["id"]).strip() and not isinstance(record["id"], (bool, float, list, dict))


lines = st.lists(st.one_of(st.just(""), st.just("   "), st.builds(lambda n: json.dumps({"id": f"x{n}", "text": f"text {n}"}), st.integers(0, 999)),
                           st.text(alphabet="{}[]\",: ab\t", max_size=20)), max_size=30)


@SETTINGS
@given(lines, st.booleans(), st.booleans())
def test_every_jsonl_line_is_a_document_or_a_problem_at_its_own_number(content: list[str], compress: bool, final_newline: bool) -> None:
    data = ("\n".join(content) + ("\n" if final_newline else "")).encode()
    name = "feed.jsonl.gz" if compress else "feed.jsonl"
    items = list(read_upload(name, gzip.compress(data) if compress else data))
    numbered = {int(i.source.rsplit(":", 1)[1]): i for i in items if i.source.rsplit(":", 1)[-1].isdigit()}
    expected = {n for n, line in enumerate(content, 1) if line.strip()}
    assert set(numbered) == expected
    if not expected:
        assert [i.source for i in items] == [name] and isinstance(items[0], InputProblem)
    for number, item in numbered.items():
        line = content[number - 1]
        if isinstance(item, RawDocument):
            assert item.given.external_id == json.loads(line)["id"]


@SETTINGS
@given(st.binary(max_size=3000), st.integers(1, 2000))
def test_capped_gzip_gives_the_bytes_or_refuses_them(data: bytes, cut: int) -> None:
    compressed = gzip.compress(data)
    reader = io.BufferedReader(CappedGzip(io.BytesIO(compressed), max_bytes=1000))
    if len(data) > 1000:
        with pytest.raises(ExpansionError):
            reader.read()
    else:
        assert reader.read() == data
    truncated = io.BufferedReader(CappedGzip(io.BytesIO(compressed[: min(cut, len(compressed) - 1)])))
    with pytest.raises((EOFError, OSError)):
        truncated.read()


# What a CSV writer quotes (comma, quote, line breaks) and what it need not; a lone carriage return
# is left out: csv.writer does not quote it, and every reader then ends the row there.
cell = st.lists(st.sampled_from(["a", "b", " ", ",", '"', "\n", "\r\n", ";", "é", "«", "»", "\t"]), max_size=25).map("".join)


@SETTINGS
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=8), st.data())
def test_pairs_are_read_back_exactly_and_a_broken_quote_costs_its_own_row_only(texts: list[tuple[str, str]], data: st.DataObject) -> None:
    assume(all(a.strip() and b.strip() for a, b in texts))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pair_id", "lang1", "lang2", "text_1", "text_2"])
    starts = []
    for i, (a, b) in enumerate(texts):
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow([f"p{i}", "en", "fr", a, b])
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "pairs.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        rows = list(read_pairs(path))
        _check_broken_quote(path, buffer.getvalue(), texts, starts, data)
    assert [r.pair_id for r in rows if isinstance(r, ArticlePair)] == [f"p{i}" for i in range(len(texts))]
    assert [r.line for r in rows if isinstance(r, ArticlePair)] == starts
    for row, (a, b) in zip(rows, texts):
        assert isinstance(row, ArticlePair)
        for side, text in ((row.first, a), (row.second, b)):
            assert isinstance(side, RawDocument) and side.body.decode() == text



def _check_broken_quote(path: Path, written: str, texts: list[tuple[str, str]], starts: list[int], data: st.DataObject) -> None:
    """One quote more in one row whose texts hold no line break: the other one-line rows are still read exactly."""
    one_line = [i for i, (a, b) in enumerate(texts) if "\n" not in a + b and "\r" not in a + b]
    if not one_line:
        return
    broken = data.draw(st.sampled_from(one_line))
    source = written.split("\n")
    line = starts[broken] - 1
    source[line] = source[line].replace(",en,fr,", ',en,fr,"', 1)
    path.write_text("\n".join(source), encoding="utf-8", newline="")
    rows = list(read_pairs(path))
    by_line = {(r.line if isinstance(r, ArticlePair) else int(r.source.rsplit(":", 1)[1])): r for r in rows}
    for i in one_line:
        if i != broken:
            row = by_line[starts[i]]
            assert isinstance(row, ArticlePair) and row.pair_id == f"p{i}"


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["text", "html"]))
def test_cleaning_any_bytes_gives_an_article_or_a_problem(body: bytes, kind: str) -> None:
    result = clean_or_problem(RawDocument("x", "probe", kind, body))  # type: ignore[arg-type]
    assert result.source == "probe"


@SETTINGS
@given(st.text(max_size=3000))
def test_sentences_are_bounded_and_inside_the_text(text: str) -> None:
    for start, end in split_sentences(text):
        assert 0 <= start < end <= len(text) and end - start <= LONGEST_SENTENCE


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("0123456789 -./:Tapr MayJunemardi2021")), max_size=200), st.sampled_from(["en", "fr", "de", None]))
def test_dates_and_times_never_fail(text: str, language: str | None) -> None:
    normalize_published(text)
    for time in find_times(text, language=language, published=None):
        assert 0 <= time.start < time.end <= len(text)


def _archive(pages: list[bytes], kind: str) -> tuple[bytes, list[int]]:
    """A WARC (plain or gzipped per record) or ARC file of response records, and where each record ends."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer, ends = io.BytesIO(), []
    if kind == "arc":
        buffer.write(b"filedesc://p.arc 0.0.0.0 20240305100000 text/plain 76\n1 0 Storyline probes\nURL IP-address Archive-date Content-type Archive-length\n\n")
    writer = WARCWriter(buffer, gzip=kind == "warc.gz")
    for i, body in enumerate(pages):
        http = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if kind == "arc":
            block = b"HTTP/1.1 200 OK\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in http) + b"\r\n" + body
            buffer.write(f"\nhttp://p.example/{i} 0.0.0.0 20240305100000 text/html {len(block)}\n".encode() + block)
        else:
            fixed = {"WARC-Date": "2024-03-05T10:00:00Z", "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>"}  # the same bytes each time
            writer.write_record(writer.create_warc_record(
                f"http://p.example/{i}", "response", payload=io.BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", http, protocol="HTTP/1.1"), warc_headers_dict=fixed))
        ends.append(buffer.tell())
    return buffer.getvalue(), ends


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["warc", "warc.gz", "arc"]), st.integers(1, 4), st.data())
def test_an_archive_cut_anywhere_gives_its_whole_pages_and_names_the_damage(kind: str, count: int, data: st.DataObject) -> None:
    """A download cut at any byte: the pages before the cut are read whole, none is read cut short, and
    the damage is reported at its byte offset (unless the cut falls between two records)."""
    from storyline.ingest.warc import read_archive

    pages = [f"<html><head><title>Page {i}</title></head><body><p>{'Harbour workers voted on the offer. ' * (i + 3)}</p></body></html>".encode()
             for i in range(count)]
    archive, ends = _archive(pages, kind)
    cut = data.draw(st.integers(0, len(archive)))
    items = list(read_archive(io.BytesIO(archive[:cut]), "probe." + kind, max_article_bytes=1 << 20))
    documents = [i for i in items if isinstance(i, RawDocument)]
    problems = [i for i in items if isinstance(i, InputProblem)]
    whole = sum(end <= cut for end in ends)
    assert [d.body for d in documents] == pages[: len(documents)]  # a prefix, each page exactly as archived
    assert len(documents) >= whole  # (one more when only a record's trailer was cut: its page is whole)
    assert all(p.source.startswith("probe.") and "; " in p.message for p in problems)
    if len(documents) < count and cut not in ends and kind != "arc":  # ARC: warcio passes over a cut header line
        assert problems, (cut, ends, items)
    if cut == 0:
        assert [p.source for p in problems] == ["probe." + kind]


def test_an_archive_cut_inside_the_blank_line_closing_a_record_names_the_damage() -> None:
    """The record's page is whole, but the file was cut there (hypothesis found it): the reader must say so."""
    from storyline.ingest.warc import read_archive

    pages = [f"<html><body><p>{'Harbour workers voted on the offer. ' * 3}</p></body></html>".encode()] * 2
    archive, ends = _archive(pages, "warc")
    for cut in range(ends[0] - 4, ends[0]):  # cut just before the CRLF CRLF after the first record, or inside it
        items = list(read_archive(io.BytesIO(archive[:cut]), "probe.warc", max_article_bytes=1 << 20))
        assert [i.body for i in items if isinstance(i, RawDocument)] == pages[:1]
        assert [i.source for i in items if isinstance(i, InputProblem)] == ["probe.warc:0"], cut
    whole = list(read_archive(io.BytesIO(archive[: ends[0]]), "probe.warc", max_article_bytes=1 << 20))
    assert not [i for i in whole if isinstance(i, InputProblem)]  # a file that ends between two records is whole

