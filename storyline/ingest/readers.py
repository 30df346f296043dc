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
    """A file found under the paths given to ``find_files``."""

    path: Path
    size: int

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
    directory such files are skipped quietly (a corpus folder may hold a README).
    """
    found: list[InputFile] = []
    problems: list[InputProblem] = []

    def add(path: Path, explicit: bool) -> None:
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
            return
        found.append(InputFile(path, status.st_size))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            def on_error(exc: OSError) -> None:
                problems.append(InputProblem(str(exc.filename), f"directory cannot be listed ({exc.strerror}); check its permissions"))

            for root, dirs, files in os.walk(path, onerror=on_error):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        add(Path(root) / name, explicit=False)
        elif path.exists() or path.is_symlink():
            add(path, explicit=True)
        else:
            problems.append(InputProblem(str(path), "no such file or directory"))
    return found, problems


def _unsupported(path: Path) -> str:
    return (
        f"unsupported file type {path.suffix or '(no suffix)'!r}; "
        f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))} (optionally gzipped, .gz)"
    )


def read_file(file: InputFile, *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[RawDocument | InputProblem]:
    """Yield the articles of one file (one for text/HTML, one per line for JSONL, one per page for web archives)."""
    source = str(file.path)
    if file.suffix in ARCHIVE_SUFFIXES:
        from storyline.ingest.warc import read_archive  # warc imports this module

        yield from read_archive(file.path, source, max_article_bytes=max_article_bytes)
        return
    if file.suffix not in JSONL_SUFFIXES and file.size > max_article_bytes:
        yield InputProblem(source, f"is {_mb(file.size)}, {_too_big(max_article_bytes)}")
        return
    try:
        handle = _open(file)
    except OSError as exc:
        yield InputProblem(source, f"cannot be read ({exc.strerror or exc}); check that it exists and is readable")
        return
    with handle:
        yield from _read_stream(handle, source, file.suffix, max_article_bytes)


def read_upload(name: str, content: bytes, *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[RawDocument | InputProblem]:
    """Yield the articles of a file received whole (an HTTP upload): its ``name`` tells its type, as for a path."""
    path = Path(name)
    suffix = file_suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield InputProblem(name, _unsupported(path))
        return
    if suffix in ARCHIVE_SUFFIXES:
        from storyline.ingest.warc import read_archive  # warc imports this module

        yield from read_archive(io.BytesIO(content), name, max_article_bytes=max_article_bytes)
        return
    handle = gzip.GzipFile(fileobj=io.BytesIO(content)) if path.suffix.lower() == GZIP_SUFFIX else io.BytesIO(content)
    with handle:
        yield from _read_stream(handle, name, suffix, max_article_bytes)


def _read_stream(handle: BinaryIO, source: str, suffix: str, max_article_bytes: int) -> Iterator[RawDocument | InputProblem]:
    """The articles in an open file: one per line of JSONL, else the whole content."""
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(handle, source, max_article_bytes)
        return
    try:
        body = handle.read(max_article_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        yield InputProblem(source, f"cannot be read ({getattr(exc, 'strerror', None) or exc}); check that it is readable and, if gzipped, complete")
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
    if b"\0" in head and not _looks_like_utf16(head):
        return "looks binary (NUL bytes), not text or HTML; convert it to text first"
    control = sum(head.count(bytes([b])) for b in _BINARY_BYTES)
    if control > len(head) * 0.05:
        return "looks binary (many control bytes), not text or HTML; convert it to text first"
    return None


def _looks_like_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _open(file: InputFile) -> BinaryIO:
    return gzip.open(file.path, "rb") if file.compressed else file.path.open("rb")


def _read_jsonl(handle: BinaryIO, path: str, max_article_bytes: int) -> Iterator[RawDocument | InputProblem]:
    # Stream line by line: a JSONL file may hold millions of articles.
    number = 0
    while True:
        try:
            line = handle.readline(max_article_bytes + 1)
            oversized = len(line) > max_article_bytes
            while line and oversized and not line.endswith(b"\n"):  # skip the rest without holding it
                line = handle.readline(1 << 20)
        except (OSError, EOFError, zlib.error) as exc:
            yield InputProblem(f"{path}:{number + 1}", f"cannot be read further ({exc}); the gzip file is damaged or truncated")
            return
        if not line:
            return
        number += 1
        source = f"{path}:{number}"
        if oversized:
            yield InputProblem(source, f"line is over the {_mb(max_article_bytes)} limit for one article; split the article or raise --max-article-mb")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            yield InputProblem(source, f"is not UTF-8 (byte {exc.start}); JSONL must be UTF-8, re-encode the file")
            continue
        except json.JSONDecodeError as exc:
            yield InputProblem(source, f"is not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
            continue
        yield document_from_record(record, source)


def document_from_record(record: Any, source: str) -> RawDocument | InputProblem:
    """Turn one JSON object (a JSONL line, an HTTP body) into a document.

    Fields: ``text`` or ``html`` (required), and optionally ``id``, ``title``,
    ``url``, ``outlet``, ``published``, ``language``, ``author``.
    """
    if not isinstance(record, dict):
        return InputProblem(source, f"is a JSON {type(record).__name__}, not an object with a 'text' or 'html' field")
    given = Given(**{name: _optional_str(record.get(key)) for name, key in _GIVEN_FIELDS})
    kind: DocumentKind
    if isinstance(record.get("html"), str) and record["html"].strip():
        kind, content = "html", record["html"]
    elif isinstance(record.get("text"), str) and record["text"].strip():
        kind, content = "text", record["text"]
    else:
        return InputProblem(source, "has no non-empty 'text' or 'html' field; add the article body", given.external_id)
    body = content.encode("utf-8", errors="surrogatepass")
    return RawDocument(content_id(kind, body, given), source, kind, body, given)


_GIVEN_FIELDS = (
    ("external_id", "id"),
    ("title", "title"),
    ("url", "url"),
    ("outlet", "outlet"),
    ("published", "published"),
    ("language", "language"),
    ("author", "author"),
)


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
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
        try:
            with _open(file) as handle:
                lines, last = 0, b"\n"
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
                total += lines + (last != b"\n")
        except (OSError, EOFError, zlib.error):
            total += 1  # reading it will report the problem
    return total
