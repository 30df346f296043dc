"""Article pairs to compare, from a CSV file (the SemEval-2022 Task 8 layout).

Required columns: ``pair_id, lang1, lang2, text_1, text_2``; any other column
is ignored. A row that cannot be used (missing text, wrong number of fields)
becomes a problem naming its line, and the rest of the file is still read.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from storyline.errors import InputError
from storyline.ingest.readers import document_from_record
from storyline.model import InputProblem, RawDocument

REQUIRED_COLUMNS = ("pair_id", "lang1", "lang2", "text_1", "text_2")


@dataclass(frozen=True)
class ArticlePair:
    """One row: its id, its line in the file, and its two articles (or why each cannot be read)."""

    pair_id: str
    line: int
    first: RawDocument | InputProblem
    second: RawDocument | InputProblem


def read_pairs(path: str | os.PathLike[str]) -> Iterator[ArticlePair | InputProblem]:
    """Yield each row of a pairs file in order: a pair, or a problem when the row is broken.

    Raises:
        InputError: when the file cannot be read or lacks a required column.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
        if source.lower().endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot be read ({getattr(exc, 'strerror', None) or exc}); check the path and, if gzipped, that it is complete", source=source) from exc
    csv.field_size_limit(sys.maxsize)  # article texts are long fields
    reader = csv.DictReader(io.StringIO(_decode(raw), newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"has no column {', '.join(missing)}; a pairs file needs the columns {', '.join(REQUIRED_COLUMNS)}", source=source
        )
    for row in reader:
        line = reader.line_num
        where = f"{source}:{line}"
        pair_id = (row.get("pair_id") or "").strip()
        if None in row or any(row.get(c) is None for c in REQUIRED_COLUMNS):
            yield InputProblem(where, "has the wrong number of fields; check its quoting", pair_id or None)
        elif not pair_id:
            yield InputProblem(where, "has no pair_id; give every row an id", None)
        else:
            yield ArticlePair(
                pair_id,
                line,
                document_from_record({"text": row["text_1"], "language": row["lang1"]}, f"{where} text_1"),
                document_from_record({"text": row["text_2"], "language": row["lang2"]}, f"{where} text_2"),
            )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", errors="replace")
