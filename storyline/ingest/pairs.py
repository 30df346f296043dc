"""Article pairs to compare, from a CSV file (the SemEval-2022 Task 8 layout).

Required columns: ``pair_id, lang1, lang2, text_1, text_2``; any other column
is ignored. Every row ends up a pair or a problem naming its own line: a row
that cannot be used (a broken quote, a missing text, the wrong number of
fields) is reported and the rest of the file is still read.

Why rows are found here and not by the csv module alone: a quote opened and
never closed makes ``csv`` read on through the following rows as one field,
so they vanish silently and every later line number is off. Here a record
ends where its quotes balance, as in valid CSV, and a line that is plainly a
row of its own (its id and language columns in place) while a quote is still
open ends the broken record before it; each record is then parsed strictly.
The file is streamed (decompressed with a cap when gzipped), never held whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from charset_normalizer import from_bytes

from storyline.errors import InputError
from storyline.ingest.readers import DEFAULT_MAX_ARTICLE_BYTES, CappedGzip, ExpansionError, document_from_record
from storyline.model import InputProblem, RawDocument

REQUIRED_COLUMNS = ("pair_id", "lang1", "lang2", "text_1", "text_2")
# A pair id is one short token of the id column; anything else there is a row read out of step.
_ID = re.compile(r"[^\s,\"]{1,200}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")
_SAMPLE_BYTES = 1 << 20  # the encoding is recognised from this much of the start


@dataclass(frozen=True)
class ArticlePair:
    """One row: its id, its line in the file, and its two articles (or why each cannot be read)."""

    pair_id: str
    line: int
    first: RawDocument | InputProblem
    second: RawDocument | InputProblem


def read_pairs(path: str | os.PathLike[str], *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[ArticlePair | InputProblem]:
    """Yield each row of a pairs file in order: a pair, or a problem when the row is broken.

    Raises:
        InputError: when the file cannot be read or decoded, lacks a required column, or holds no row.
    """
    source = str(path)
    try:
        raw = Path(path).open("rb")
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc}); check the path", source=source) from exc
    with raw:
        binary = io.BufferedReader(CappedGzip(raw) if source.lower().endswith(".gz") else raw, _SAMPLE_BYTES)  # type: ignore[arg-type]
        try:
            yield from _rows(_text(binary, source), source, max_article_bytes)
        except (OSError, EOFError, ExpansionError) as exc:
            raise InputError(f"cannot be read to the end ({getattr(exc, 'strerror', None) or exc}); if gzipped, check it is complete", source=source) from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"is not valid {exc.encoding} throughout (byte {exc.start} of a line); save it as UTF-8", source=source) from exc


def _text(binary: io.BufferedReader, source: str) -> TextIO:
    """The file as text: UTF-8 when its start decodes as UTF-8, else the encoding charset-normalizer recognises there."""
    sample = binary.peek(_SAMPLE_BYTES)[:_SAMPLE_BYTES]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        best = from_bytes(sample).best()
        if best is None:
            raise InputError("is in no text encoding Storyline recognises; save it as UTF-8", source=source) from None
        encoding = best.encoding
    return io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")


def _rows(text: TextIO, source: str, max_article_bytes: int) -> Iterator[ArticlePair | InputProblem]:
    csv.field_size_limit(sys.maxsize)  # article texts are long fields
    records = _Records(text, max_chars=2 * max_article_bytes)
    header = next((r for r in records if r.text.strip() or r.problem), None)
    if header is None:
        raise InputError("is empty; a pairs file needs a header row and one row per pair", source=source)
    columns = _parse(header.text) if header.problem is None else None
    missing = [c for c in REQUIRED_COLUMNS if c not in (columns or [])]
    if columns is None or missing:
        raise InputError(
            f"has no column {', '.join(missing or REQUIRED_COLUMNS)}; a pairs file needs the columns {', '.join(REQUIRED_COLUMNS)}",
            source=source,
        )
    records.send_columns(columns)  # from now on a line can be recognised as a row of its own
    rows = 0
    for record in records:
        if not record.text.strip() and record.problem is None:
            continue
        rows += 1
        yield _pair(record, columns, source)
    if not rows:
        raise InputError("has a header but no row; add one row per pair", source=source)


def _pair(record: _Record, columns: list[str], source: str) -> ArticlePair | InputProblem:
    where = f"{source}:{record.line}"
    leading = record.text.split(",", 1)[0]
    given_id = leading if _ID.fullmatch(leading) else None  # the id column of its first line, when it holds an id
    if record.problem is not None:
        return InputProblem(where, record.problem, given_id)
    try:
        values = _parse(record.text)
    except csv.Error as exc:
        return InputProblem(where, f"has broken quoting ({exc}); {_QUOTING}", given_id)
    if len(values) != len(columns):
        return InputProblem(where, f"has the wrong number of fields ({len(values)} where the header has {len(columns)}); {_QUOTING}", given_id)
    row = dict(zip(columns, values))
    pair_id = row["pair_id"].strip()
    if not pair_id:
        return InputProblem(where, "has no pair_id; give every row an id", None)
    if not _ID.fullmatch(pair_id):
        return InputProblem(where, f"has a pair_id that is no id ({pair_id[:40]!r}); {_QUOTING}", None)
    return ArticlePair(
        pair_id,
        record.line,
        document_from_record({"text": row["text_1"], "language": row["lang1"] or None}, f"{where} text_1"),
        document_from_record({"text": row["text_2"], "language": row["lang2"] or None}, f"{where} text_2"),
    )


_QUOTING = 'quote every field that holds a comma, a quote or a line break, and double the quotes inside it ("")'


def _parse(text: str) -> list[str]:
    """The fields of one record, parsed strictly (a stray quote is an error, never silently dropped)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if len(rows) != 1:
        raise csv.Error(f"{len(rows)} rows in one record")
    return rows[0]


@dataclass(frozen=True)
class _Record:
    line: int  # its first line in the file, from 1
    text: str
    problem: str | None = None


class _Records:
    """Records of a CSV text, each with its first line; broken ones carry their problem.

    A generator would do, but the row recogniser needs the header's columns, known only
    after the first record: ``send_columns`` gives them.
    """

    def __init__(self, lines: Iterable[str], max_chars: int) -> None:
        self._records = self._split(lines, max_chars)
        self._columns: list[str] | None = None

    def send_columns(self, columns: list[str]) -> None:
        self._columns = columns

    def __iter__(self) -> Iterator[_Record]:
        return self

    def __next__(self) -> _Record:
        return next(self._records)

    def _split(self, lines: Iterable[str], max_chars: int) -> Iterator[_Record]:
        pending: list[str] = []  # the lines of the record being read (dropped once it is too long)
        first = ""  # its first line: a broken record is reported with the id that line starts with
        start = size = 0
        open_quote = oversized = False
        number = 0
        for number, line in enumerate(lines, 1):
            if open_quote and self._is_row(line):  # the record before never closed its quote
                yield self._unclosed(start, number - 1, first)
                pending, size, open_quote, oversized = [], 0, False, False
            if not size:
                start, first = number, line
            if line.count('"') % 2:
                open_quote = not open_quote
            size += len(line)
            if size > max_chars:
                pending, oversized = [], True
            elif not oversized:
                pending.append(line)
            if not open_quote:
                if oversized:
                    yield _Record(start, first, f"is a row of {size:,} characters, over the limit of {max_chars:,}; shorten its texts")
                else:
                    yield _Record(start, "".join(pending))
                pending, size, oversized = [], 0, False
        if open_quote:
            yield self._unclosed(start, number, first)

    @staticmethod
    def _unclosed(start: int, end: int, first: str) -> _Record:
        lines = f"; lines {start}-{end} could not be read as rows" if end > start else ""
        return _Record(start, first, f"opens a quote that is never closed{lines}; {_QUOTING}")

    def _is_row(self, line: str) -> bool:
        """Whether a line is plainly a row of its own: balanced quotes, the header's number of fields,
        an id in the id column and language codes in the language columns."""
        if self._columns is None or line.count('"') % 2:
            return False
        try:
            values = _parse(line)
        except csv.Error:
            return False
        if len(values) != len(self._columns):
            return False
        row = dict(zip(self._columns, values))
        return bool(_ID.fullmatch(row["pair_id"]) and _LANGUAGE.fullmatch(row["lang1"]) and _LANGUAGE.fullmatch(row["lang2"]))
