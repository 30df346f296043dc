"""Web archives: every HTML page captured in a WARC (or ARC) file becomes a raw document.

WARC files are read by FastWARC, ARC files by warcio (FastWARC reads no ARC):
``bench/sources.py`` measures both on the same archives (FastWARC reads records about
3x faster), and FastWARC also reads archives gzipped whole rather than per record.
Records stream one at a time: memory stays flat whatever the size of the archive.

A response record with status 200 and an HTML payload is an article, with the record's
target URI and capture date; an HTML resource record too, and the plain text of a
conversion record (Common Crawl WET). Requests, metadata, warcinfo, other statuses and
other types are skipped; so are revisits (their payload is a capture seen before, by
definition a copy). A record cut short, or bytes that are no record, end the reading
with a problem naming the file and the byte offset; every record before is kept.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import io
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from fastwarc.stream_io import BrotliReader, ChunkedReader, GzipReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from storyline.ingest.pages import is_html, page_document
from storyline.ingest.readers import check_body, content_id
from storyline.model import Given, InputProblem, RawDocument

LOGGER = logging.getLogger(__name__)

# HTTP headers before a page's payload are rarely over a few kB; this much is read to find them.
HEAD_BYTES = 64 * 1024

# Called with (offset, WARC-Record-ID) for each document read, in order: where to resume from.
DocumentCallback = Callable[[int, str], None]


@dataclass
class ArchiveStats:
    """What an archive held: records by type, and how many became documents."""

    records: Counter[str] = field(default_factory=Counter)
    documents: int = 0

    @property
    def skipped(self) -> int:
        return sum(self.records.values()) - self.documents


def read_archive(
    source: Path | BinaryIO,
    name: str,
    *,
    start: int = 0,
    max_article_bytes: int,
    on_document: DocumentCallback | None = None,
    stats: ArchiveStats | None = None,
) -> Iterator[RawDocument | InputProblem]:
    """The articles of one WARC or ARC file (plain, gzipped per record or whole), from byte ``start``.

    Documents are named ``NAME:OFFSET`` (the record's byte offset in the file).
    """
    stats = stats if stats is not None else ArchiveStats()
    try:
        handle = source.open("rb") if isinstance(source, Path) else source
    except OSError as exc:
        yield InputProblem(name, f"cannot be read ({exc.strerror or exc}); check that it exists and is readable")
        return
    records_before = sum(stats.records.values())
    try:
        arc = _is_arc(handle)
        handle.seek(start)
        reader = _read_arc if arc else _read_warc
        told = False  # a problem was reported (bytes that are no record are one)
        for item in reader(handle, name, max_article_bytes, on_document or (lambda offset, record_id: None), stats):
            told = told or isinstance(item, InputProblem)
            yield item
        if start == 0 and not told and sum(stats.records.values()) == records_before:
            yield InputProblem(name, "holds no web archive record (it is empty, or no WARC or ARC file); check that it was written whole")
    finally:
        if isinstance(source, Path):
            handle.close()
    LOGGER.info("%s: %d records, %d documents, by type %s", name, sum(stats.records.values()), stats.documents, dict(stats.records))


def _is_arc(handle: BinaryIO) -> bool:
    """ARC files open with a ``filedesc://`` record (the first gzip member, when gzipped)."""
    handle.seek(0)
    head = handle.read(4096)
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip().startswith(b"filedesc://")


def _damaged(name: str, offset: int, where: str, read: int, what: str) -> InputProblem:
    """The problem ending the reading of a damaged archive: ``where`` says where, ``what`` what is wrong."""
    return InputProblem(
        f"{name}:{offset}",
        f"the archive is damaged {where} byte offset {offset} ({what}); the {read} records before were read, "
        "none after; re-download or repair the file to get the rest",
    )


def _read_warc(
    handle: BinaryIO, name: str, max_bytes: int, on_document: DocumentCallback, stats: ArchiveStats
) -> Iterator[RawDocument | InputProblem]:
    # Payloads are decoded here, not by FastWARC: archives often say "chunked" of bodies stored
    # de-chunked, and a tolerant decoder keeps those pages.
    records = iter(ArchiveIterator(handle, parse_http=False, auto_decode="none", max_header_len=64 * 1024))
    read = 0
    last = handle.tell()  # the offset of the last record read whole
    while True:
        try:
            record = next(records)
        except StopIteration:
            if read and _member_cut_or_followed(handle, last):
                yield _damaged(name, last, "after the record at", read, "the file ends inside a gzip member")
            elif read and _trailer_cut(handle, last):
                yield _damaged(name, last, "after the record at", read, "the file ends before the blank line that closes a record")
            return
        except OSError as exc:
            yield _damaged(name, last, "after the record at" if read else "at", read, str(exc))
            return
        offset = last = record.stream_pos
        if not (record.headers.get("Content-Length") or "").strip().isdigit():  # mandatory: a header without it was cut short
            yield _damaged(name, offset, "in the record at", read, "its header is cut short")
            return
        stats.records[str(record.record_type).rsplit(".", 1)[-1]] += 1
        if record.record_type not in (WarcRecordType.response, WarcRecordType.resource, WarcRecordType.conversion):
            read += 1
            continue
        item = _document(record, record.reader.read(HEAD_BYTES), name, offset, max_bytes)
        if isinstance(item, _Truncated):
            yield _damaged(name, offset, "in the record at", read, f"the record holds {item.got:,} of the {item.expected:,} bytes it declares")
            return
        read += 1
        if item is None:
            continue
        if isinstance(item, RawDocument):
            stats.documents += 1
            on_document(offset, str(record.record_id))
        yield item


def _member_cut_or_followed(handle: BinaryIO, start: int) -> bool:
    """Whether the gzip member at ``start`` (the last record FastWARC read) lacks its end, or bytes that
    are no whole member follow it: FastWARC passes over both in silence. False for a plain archive."""
    handle.seek(start)
    if handle.read(2) != b"\x1f\x8b":
        return False
    handle.seek(start)
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while not member.eof:  # read through, output dropped: memory stays flat whatever the member expands to
        chunk = member.unconsumed_tail or handle.read(1 << 20)
        if not chunk:
            return True
        try:
            member.decompress(chunk, 1 << 20)
        except zlib.error:  # no member starts there (an archive gzipped whole): nothing to judge by
            return False
    return bool((member.unused_data + handle.read(64)).strip(b"\0\r\n "))


def _trailer_cut(handle: BinaryIO, last: int) -> bool:
    """Whether a plain archive ends inside the blank line (CRLF CRLF) that closes its last record: FastWARC
    reads such a record whole in silence, but the file was cut there, and records may have followed.
    False for a gzipped archive (per record or whole), where ``_member_cut_or_followed`` judges."""
    handle.seek(0)
    if handle.read(2) == b"\x1f\x8b":
        return False
    handle.seek(0, io.SEEK_END)
    handle.seek(max(last, handle.tell() - 64))
    tail = handle.read().rstrip(b"\0 ")
    return not tail.endswith((b"\r\n\r\n", b"\n\n"))


@dataclass(frozen=True)
class _Truncated:
    expected: int
    got: int


def _document(record: WarcRecord, head: bytes, name: str, offset: int, max_bytes: int) -> RawDocument | InputProblem | _Truncated | None:
    """The article in a response, resource or conversion record; None when the record holds none."""
    source = f"{name}:{offset}"
    expected = int(record.content_length)
    headers = record.headers
    url = (headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    captured = record.record_date.isoformat() if record.record_date else None
    given = Given(url=url, captured=captured)
    if len(head) < min(expected, HEAD_BYTES):  # cut short before the page's headers end
        return _Truncated(expected, len(head))
    if record.record_type == WarcRecordType.response:
        parsed = _http_head(head)
        if parsed is None:
            return None  # not an HTTP response (dns:, ftp:, whois: captures)
        status, http_headers, payload_start = parsed
        content_type = (http_headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if status != 200 or not is_html(content_type, head[payload_start : payload_start + 1024]):
            return None
    else:
        http_headers, payload_start = Message(), 0
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if record.record_type == WarcRecordType.conversion:
            if content_type != "text/plain":
                return None
        elif not is_html(content_type, head[:1024]):
            return None
    limit = max_bytes + payload_start
    block = head + record.reader.read(limit + 1 - len(head)) if len(head) < limit + 1 else head
    if len(block) < expected and len(block) <= limit:
        return _Truncated(expected, len(block))
    if len(block) > limit:
        return InputProblem(source, f"page is over the {max_bytes / 2**20:.1f} MB limit for one article; skipped (raise --max-article-mb)")
    try:
        payload = _decoded(block[payload_start:], http_headers, max_bytes)
    except ValueError as exc:
        return InputProblem(source, f"page cannot be decoded ({exc}); skipped")
    if record.record_type == WarcRecordType.conversion:
        problem = check_body(payload)
        return InputProblem(source, problem) if problem else RawDocument(content_id("text", payload, given), source, "text", payload, given)
    return page_document(payload, source, charset=_charset(http_headers.get("Content-Type") or headers.get("Content-Type")), given=given)


def _http_head(block: bytes) -> tuple[int, Message, int] | None:
    """(status, headers, where the payload starts) of an HTTP response block; None when it is not one."""
    end, gap = block.find(b"\r\n\r\n"), 4
    if end < 0:
        end, gap = block.find(b"\n\n"), 2
    if end < 0:
        return None
    first, _, rest = block[:end].partition(b"\n")
    parts = first.split()
    if len(parts) < 2 or not parts[0].upper().startswith(b"HTTP") or not parts[1].isdigit():
        return None
    headers = email.message_from_bytes(rest.lstrip(b"\r\n") + b"\r\n\r\n", policy=email.policy.compat32)
    return int(parts[1]), headers, end + gap


def _decoded(payload: bytes, headers: Message, max_bytes: int) -> bytes:
    """The payload without its transfer and content encodings, at most ``max_bytes`` decoded.

    A body said to be chunked that is not (archives often store it de-chunked) is kept as it is.

    Raises:
        ValueError: for a content encoding that cannot be undone, or a page decoding to more than ``max_bytes``.
    """
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        try:
            payload = ChunkedReader(io.BytesIO(payload)).read(max_bytes + 1)
        except OSError:
            pass
    encodings = [e.strip().lower() for e in (headers.get("Content-Encoding") or "").split(",") if e.strip()]
    for encoding in reversed(encodings):
        if encoding in {"identity", "none"}:
            continue
        if payload.lstrip()[:1] == b"<" and encoding != "br":
            continue  # stored decoded, header kept: common in archives
        readers = {"gzip": GzipReader, "x-gzip": GzipReader, "br": BrotliReader}
        try:
            if encoding in readers:
                payload = readers[encoding](io.BytesIO(payload)).read(max_bytes + 1)
            elif encoding == "deflate":
                payload = zlib.decompressobj(zlib.MAX_WBITS | 32 if payload[:1] == b"\x78" else -zlib.MAX_WBITS).decompress(payload, max_bytes + 1)
            else:
                raise ValueError(f"unknown content encoding {encoding!r}")
        except (OSError, zlib.error) as exc:
            raise ValueError(f"{encoding} content is damaged: {exc}") from None
    if len(payload) > max_bytes:
        raise ValueError(f"decodes to over {max_bytes:,} bytes")
    return payload


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip(" \"'"):
            label = value.strip(" \"'")
            try:
                codecs.lookup(label)
            except LookupError:
                return None
            return label
    return None


def _read_arc(
    handle: BinaryIO, name: str, max_bytes: int, on_document: DocumentCallback, stats: ArchiveStats
) -> Iterator[RawDocument | InputProblem]:
    from warcio.archiveiterator import ArchiveIterator as WarcioIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = WarcioIterator(handle, arc2warc=True)
    iterator = iter(records)
    read, last = 0, handle.tell()
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error) as exc:
            yield _damaged(name, last, "after the record at" if read else "at", read, " ".join(str(exc).split()))
            return
        stats.records[record.rec_type] += 1
        item = _arc_document(record, max_bytes)
        if isinstance(item, _Truncated):
            yield _damaged(name, records.get_record_offset(), "in the record at", read, f"the page holds {item.got:,} of the {item.expected:,} bytes it declares")
            return
        read += 1
        # warcio knows a record's offset once it has been read to its end (by _arc_document or here).
        last = records.get_record_offset()
        if item is None:
            continue
        source = f"{name}:{last}"
        if isinstance(item, str):
            yield InputProblem(source, item)
            continue
        body, given, charset = item
        document = page_document(body, source, charset=charset, given=given)
        if isinstance(document, RawDocument):
            stats.documents += 1
            on_document(last, _arc_id(last))
        yield document


def _arc_document(record: object, max_bytes: int) -> tuple[bytes, Given, str | None] | str | _Truncated | None:
    """The page in an ARC record (warcio's view of it), why it cannot be read, whether the record is cut
    short, or None when there is none."""
    headers = getattr(record, "http_headers", None)
    if getattr(record, "rec_type", None) != "response" or headers is None:
        return None
    content_type = headers.get_header("Content-Type") or ""
    try:
        status = int(headers.get_statuscode() or 0)
        body = record.content_stream().read(max_bytes + 1) if status == 200 else b""  # type: ignore[attr-defined]
    except (ValueError, OSError, EOFError, zlib.error) as exc:
        return f"page cannot be decoded ({exc}); skipped"
    # A body shorter than its Content-Length was cut short (the record's own length is no guide: old ARC
    # files often count line ends they no longer hold).
    declared = (headers.get_header("Content-Length") or "").strip()
    if status == 200 and declared.isdigit() and not headers.get_header("Content-Encoding") and len(body) < int(declared) <= max_bytes:
        return _Truncated(int(declared), len(body))
    # Without a Content-Length: the file ended well inside the record (more than the line ends an old
    # ARC file may have counted and lost: warcio's own example lacks 12 of its 1,591 bytes).
    missing = getattr(getattr(record, "raw_stream", None), "limit", 0) or 0
    if status == 200 and not declared.isdigit() and len(body) <= max_bytes and missing > 64:
        length = int(getattr(record, "length", 0) or 0)
        return _Truncated(length, length - missing)
    if status != 200 or not is_html(content_type.split(";")[0].strip().lower(), body):
        return None
    if len(body) > max_bytes:
        return f"page is over the {max_bytes / 2**20:.1f} MB limit for one article; skipped"
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    return body, Given(url=rec_headers.get_header("WARC-Target-URI"), captured=rec_headers.get_header("WARC-Date")), _charset(content_type)


def record_id_at(path: Path, offset: int) -> str | None:
    """The WARC-Record-ID of the record starting at byte ``offset``, or None when no record starts there."""
    try:
        with path.open("rb") as handle:
            if _is_arc(handle):
                from warcio.archiveiterator import ArchiveIterator as WarcioIterator

                handle.seek(offset)
                record = next(iter(WarcioIterator(handle, arc2warc=True)), None)
                return _arc_id(offset) if record is not None else None
            handle.seek(offset)
            first = next(iter(ArchiveIterator(handle, parse_http=False, auto_decode="none")), None)
            return str(first.record_id) if first is not None and first.stream_pos == offset else None
    except Exception:  # noqa: BLE001 - any failure means "not the record expected": read from the start
        return None


def _arc_id(offset: int) -> str:
    # ARC records have no id of their own (warcio makes up a new one at each reading).
    return f"arc:{offset}"
