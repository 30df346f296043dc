"""Read files and directories into ``RawDocument``s, reporting every bad input.

Nothing here decodes or cleans text (that is ``clean``): readers only find
articles in their containers and give each a content-derived id. A bad file or
line becomes an ``InputProblem`` and reading goes on with the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import stat
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from storyline.model import DocumentKind, Given, InputProblem, RawDocument

LOGGER = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ARCHIVE_SUFFIXES = {".warc", ".arc", ".wet"}  # web archives (.wet: Common Crawl's extracted text), read by ingest.warc
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | ARCHIVE_SUFFIXES
GZIP_SUFFIX = ".gz"  # any supported file may be gzipped: page.html.gz, feed.jsonl.gz

DEFAULT_MAX_ARTICLE_BYTES = 10 * 1024 * 1024
# A gzip input may expand at most this many times: text and JSON compress 3-30 times (27 at most
# over ../shared/data), a gzip bomb ~1,000 times. Judged once this much is decompressed.
MAX_GZIP_RATIO = 100
GZIP_RATIO_FROM = 1 << 20
# Longest metadata value of a record (title, url, outlet, id, ...): a longer one is no metadata.
MAX_FIELD_CHARS = 4096
_BLOCK = 1 << 20  # JSONL is read in blocks of this size, not line by line: blank lines cost nothing
# Control bytes other than tab, newline, form feed and carriage return: text never has many.
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})


# The caller's own id, and when a page was captured: the same bytes at the same URL are one article.
_NOT_CONTENT = {"external_id", "captured"}


def content_id(kind: DocumentKind, body: bytes, given: Given = Given()) -> str:
    """A stable 64-bit hex id for an article's content.

    The given metadata counts (the same text under two URLs is two inputs) but
    the caller's own id does not, so renaming a record does not make it new, nor
    does the capture time, so a page archived twice is one article.
    """
    digest = hashlib.sha256()
    digest.update(kind.encode())
    digest.update(b"\0")
    digest.update(body)
    meta = {k: v for k, v in given.as_dict().items() if k not in _NOT_CONTENT}
    if meta:
        digest.update(b"\0")
        digest.update(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class InputFile:
    """A file found under the paths given to ``find_files``.

    ``name`` is how articles read from it name their source: the path as given when it
    was given relative, else from the given file or folder's own name on ("news/a.txt" for
    /home/me/news/a.txt found in /home/me/news). It never holds an absolute path, so it can
    be shown to readers of a served store.
    """

    path: Path
    size: int
    name: str = ""

    @property
    def source(self) -> str:
        return self.name or self.path.name

    @property
    def compressed(self) -> bool:
        return self.path.suffix.lower() == GZIP_SUFFIX

    @property
    def suffix(self) -> str:
        """The content suffix: ".html" for both page.html and page.html.gz."""
        return file_suffix(self.path)


def file_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == GZIP_SUFFIX:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def find_files(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[InputFile], list[InputProblem]]:
    """Expand files and directories into supported input files, in a stable order.

    A path given explicitly with an unsupported suffix is a problem; inside a
    directory such files are skipped quietly (a corpus folder may hold a README),
    unless the directory holds no supported file at all.
    """
    found: list[InputFile] = []
    problems: list[InputProblem] = []

    def add(path: Path, root: Path, explicit: bool, skipped: Counter[str]) -> None:
        try:
            status = path.stat()
        except OSError as exc:
            problems.append(InputProblem(str(path), f"cannot be read ({exc.strerror or exc}); check that it exists and is readable"))
            return
        if not stat.S_ISREG(status.st_mode):
            problems.append(InputProblem(str(path), "is not a regular file (a pipe, socket or device); copy its content to a file"))
            return
        if file_suffix(path) not in SUPPORTED_SUFFIXES:
            if explicit:
                problems.append(InputProblem(str(path), _unsupported(path)))
            skipped[file_suffix(path) or "(no suffix)"] += 1
            return
        found.append(InputFile(path, status.st_size, shown_name(root, path)))

    for raw in paths:
        path = Path(raw)
        skipped: Counter[str] = Counter()
        if path.is_dir():
            def on_error(exc: OSError) -> None:
                problems.append(InputProblem(str(exc.filename), f"directory cannot be listed ({exc.strerror}); check its permissions"))

            before = len(found), len(problems)
            for root, dirs, files in os.walk(path, onerror=on_error):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        add(Path(root) / name, path, explicit=False, skipped=skipped)
            if (len(found), len(problems)) == before:
                problems.append(InputProblem(str(path), _nothing_to_read(skipped)))
        elif path.exists() or path.is_symlink():
            add(path, path, explicit=True, skipped=skipped)
        else:
            problems.append(InputProblem(str(path), "no such file or directory; check the path"))
    return found, problems


def shown_name(root: Path, path: Path) -> str:
    """``path`` (found under the given ``root``) as articles name their source: relative, never absolute."""
    if not root.is_absolute() and ".." not in root.parts:
        return path.as_posix()
    return path.relative_to(root.parent).as_posix() if root.name else path.relative_to(root).as_posix()


def _nothing_to_read(skipped: Counter[str]) -> str:
    readable = ", ".join(sorted(SUPPORTED_SUFFIXES))
    if not skipped:
        return f"holds no file to ingest (it is empty); put {readable} files in it"
    kinds = ", ".join(f"{n} {suffix}" for suffix, n in skipped.most_common())
    return f"holds no file Storyline reads, only {kinds}; convert them to {readable} (optionally gzipped, .gz)"


def _unsupported(path: Path) -> str:
    return (
        f"unsupported file type {path.suffix or '(no suffix)'!r}; "
        f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))} (optionally gzipped, .gz)"
    )


def read_file(file: InputFile, *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[RawDocument | InputProblem]:
    """Yield the articles of one file (one for text/HTML, one per line for JSONL, one per page for web archives)."""
    source = file.source
    if file.suffix in ARCHIVE_SUFFIXES:
        from storyline.ingest.warc import read_archive  # warc imports this module

        yield from read_archive(file.path, source, max_article_bytes=max_article_bytes)
        return
    if file.suffix not in JSONL_SUFFIXES and file.size > max_article_bytes:
        yield InputProblem(source, f"is {_mb(file.size)}, {_too_big(max_article_bytes)}")
        return
    try:
        raw = file.path.open("rb")
    except OSError as exc:
        yield InputProblem(source, f"cannot be read ({exc.strerror or exc}); check that it exists and is readable")
        return
    with raw, (io.BufferedReader(CappedGzip(raw)) if file.compressed else raw) as handle:
        yield from _read_stream(handle, source, file.suffix, max_article_bytes)


def read_upload(
    name: str, content: bytes, *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES, max_bytes: int | None = None
) -> Iterator[RawDocument | InputProblem]:
    """Yield the articles of a file received whole (an HTTP upload): its ``name`` tells its type, as for a path.

    ``max_bytes``: the most a gzipped upload may expand to (besides the ratio cap).
    """
    path = Path(name)
    suffix = file_suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield InputProblem(name, _unsupported(path))
        return
    if suffix in ARCHIVE_SUFFIXES:
        from storyline.ingest.warc import read_archive  # warc imports this module

        yield from read_archive(io.BytesIO(content), name, max_article_bytes=max_article_bytes)
        return
    raw = io.BytesIO(content)
    with io.BufferedReader(CappedGzip(raw, max_bytes=max_bytes)) if path.suffix.lower() == GZIP_SUFFIX else raw as handle:
        yield from _read_stream(handle, name, suffix, max_article_bytes)


class ExpansionError(ValueError):
    """A gzip stream expands past its cap (a gzip bomb, or more than the caller accepts)."""


class _Counting(io.RawIOBase):
    """A binary stream that counts the bytes read from it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class CappedGzip(io.RawIOBase):
    """Decompresses a gzip stream, refusing to expand it more than MAX_GZIP_RATIO times, or past ``max_bytes``.

    Python's gzip module has no such cap: a 100 KB file of zeros expands to 100 MB.
    Raises ``ExpansionError`` from ``read`` once a cap is passed. A raw stream: wrap it
    in ``io.BufferedReader`` to read it whole.
    """

    def __init__(self, compressed: BinaryIO, *, max_bytes: int | None = None) -> None:
        self._compressed = _Counting(compressed)
        self._gzip = gzip.GzipFile(fileobj=self._compressed, mode="rb")
        self.max_bytes = max_bytes
        self.expanded = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # read1: what was decompressed before a truncation is returned, not lost with the error
        data = self._gzip.read1(len(buffer))
        buffer[: len(data)] = data
        self.expanded += len(data)
        if self.max_bytes is not None and self.expanded > self.max_bytes:
            raise ExpansionError(f"expands past {_mb(self.max_bytes)} when decompressed; send it in smaller parts")
        if self.expanded > GZIP_RATIO_FROM and self.expanded > MAX_GZIP_RATIO * max(self._compressed.count, 1):
            raise ExpansionError(
                f"expands more than {MAX_GZIP_RATIO} times when decompressed (a gzip bomb?); "
                "real text compresses far less: check where it came from"
            )
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        super().close()


_READ_FAILURES = (OSError, EOFError, zlib.error, ExpansionError)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, ExpansionError):
        return str(exc)
    return f"cannot be read ({getattr(exc, 'strerror', None) or exc}); check that it is readable and, if gzipped, complete"


def _read_stream(handle: BinaryIO, source: str, suffix: str, max_article_bytes: int) -> Iterator[RawDocument | InputProblem]:
    """The articles in an open file: one per line of JSONL, else the whole content."""
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(handle, source, max_article_bytes)
        return
    try:
        body = handle.read(max_article_bytes + 1)
    except _READ_FAILURES as exc:
        yield InputProblem(source, _failure(exc))
        return
    if len(body) > max_article_bytes:
        yield InputProblem(source, f"is, uncompressed, {_too_big(max_article_bytes)}")
        return
    kind: DocumentKind = "html" if suffix in HTML_SUFFIXES else "text"
    problem = check_body(body)
    if problem:
        yield InputProblem(source, problem)
        return
    yield RawDocument(content_id(kind, body), source, kind, body)


def _too_big(max_article_bytes: int) -> str:
    return (
        f"over the {_mb(max_article_bytes)} limit for one article; "
        "if it holds many articles convert it to JSONL (one per line), otherwise raise --max-article-mb"
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def check_body(body: bytes) -> str | None:
    """Why these bytes cannot be an article (empty, binary), or None."""
    if not body.strip():
        return "is empty; nothing to ingest"
    head = body[:8192]
    if _looks_like_utf16(head):  # NUL bytes are half of UTF-16 text: judge the characters
        head = head.decode("utf-16", errors="replace").encode("utf-8")
        if not head.strip(b"\r\n\t \xef\xbb\xbf"):
            return "is empty; nothing to ingest"
    if b"\0" in head:
        return "looks binary (NUL bytes), not text or HTML; convert it to text first"
    control = sum(head.count(bytes([b])) for b in _BINARY_BYTES)
    if control > len(head) * 0.05:
        return "looks binary (many control bytes), not text or HTML; convert it to text first"
    return None


def _looks_like_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) of each line that is not blank, numbered from 1, without its newline; None for a line
    over ``max_bytes``, dropped unread. Memory stays within a block and one line however large the file.
    """
    number = 0
    pending = bytearray()  # the start of a line that continues in the next block
    oversized = False  # the pending line is over the limit: its rest is skipped
    while block := handle.read1(_BLOCK):  # type: ignore[attr-defined]  # one read: lines before a damaged part are kept
        pieces = block.split(b"\n")
        for piece in pieces[:-1]:
            number += 1
            if oversized:
                oversized = False
                yield number, None
            elif pending:
                pending += piece
                line, pending = bytes(pending), bytearray()
                if line.strip():
                    yield number, (line if len(line) <= max_bytes else None)
            elif piece.strip():
                yield number, (piece if len(piece) <= max_bytes else None)
        if not oversized:
            pending += pieces[-1]
            if len(pending) > max_bytes:
                oversized, pending = True, bytearray()
    if oversized or pending.strip():
        yield number + 1, None if oversized else bytes(pending)


def _read_jsonl(handle: BinaryIO, path: str, max_article_bytes: int) -> Iterator[RawDocument | InputProblem]:
    # Streamed: a JSONL file may hold millions of articles.
    lines = _lines(handle, max_article_bytes)
    number = 0
    while True:
        try:
            item = next(lines, None)
        except _READ_FAILURES as exc:
            yield InputProblem(f"{path}:{number + 1}", f"{_failure(exc)}; the lines before it were read")
            return
        if item is None:
            break
        number, line = item
        source = f"{path}:{number}"
        if line is None:
            yield InputProblem(source, f"line is over the {_mb(max_article_bytes)} limit for one article; split the article or raise --max-article-mb")
            continue
        try:
            record = json.loads(line.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            yield InputProblem(source, f"is not UTF-8 (byte {exc.start}); JSONL must be UTF-8, re-encode the file")
            continue
        except json.JSONDecodeError as exc:
            yield InputProblem(source, f"is not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
            continue
        except RecursionError:
            yield InputProblem(source, "nests arrays or objects too deeply to be an article; fix or remove the line")
            continue
        yield document_from_record(record, source)
    if number == 0:
        yield InputProblem(path, "holds no article (it is empty or has only blank lines); nothing to ingest")


def document_from_record(record: Any, source: str) -> RawDocument | InputProblem:
    """Turn one JSON object (a JSONL line, an HTTP body) into a document.

    Fields: ``text`` or ``html`` (required, a string), and optionally ``id`` (a string or
    an integer), ``title``, ``url``, ``outlet``, ``published``, ``language``, ``author``
    (strings or null). A field of another type is a problem: a value is never stored changed.
    """
    if not isinstance(record, dict):
        return InputProblem(source, f"is a JSON {_json_type(record)}, not an object with a 'text' or 'html' field; give one article as an object")
    given_id = record.get("id")
    external_id = given_id if isinstance(given_id, str) else None
    values: dict[str, str | None] = {}
    for name, key in _GIVEN_FIELDS:
        value = record.get(key)
        if key == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            return InputProblem(source, f"field {key!r} is a JSON {_json_type(value)}; give a string or leave the field out", external_id)
        if value is not None and len(value) > MAX_FIELD_CHARS:
            return InputProblem(
                source, f"field {key!r} is {len(value):,} characters long, over the {MAX_FIELD_CHARS:,} a value may have; shorten it", external_id
            )
        values[name] = _optional_str(value)
    given = Given(**values)
    for key in ("html", "text"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return InputProblem(source, f"field {key!r} is a JSON {_json_type(record[key])}; give the article body as a string", given.external_id)
    kind: DocumentKind
    if (record.get("html") or "").strip():
        kind, content = "html", record["html"]
    elif (record.get("text") or "").strip():
        kind, content = "text", record["text"]
    else:
        return InputProblem(source, "has no non-empty 'text' or 'html' field; add the article body", given.external_id)
    body = content.encode("utf-8", errors="surrogatepass")
    return RawDocument(content_id(kind, body, given), source, kind, body, given)


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


_GIVEN_FIELDS = (
    ("external_id", "id"),
    ("title", "title"),
    ("url", "url"),
    ("outlet", "outlet"),
    ("published", "published"),
    ("language", "language"),
    ("author", "author"),
)


def _optional_str(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def expected_documents(files: Sequence[InputFile]) -> int:
    """How many articles the files hold, about (for progress): one per page, one per JSONL line.

    Counts newlines a megabyte at a time, far faster than reading the articles.
    """
    total = 0
    for file in files:
        if file.suffix not in JSONL_SUFFIXES:
            total += 1
            continue
        lines, last = 0, b"\n"
        try:
            with file.path.open("rb") as raw, (io.BufferedReader(CappedGzip(raw)) if file.compressed else raw) as handle:
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
        except _READ_FAILURES:  # a gzip bomb stops the count as it stops the reading; reading reports the problem
            pass
        total += max(lines + (last != b"\n"), 1)
    return total
