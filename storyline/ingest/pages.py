"""An article page received over HTTP (fetched, or read from a web archive) as a raw document."""

from __future__ import annotations

import codecs

from storyline.ingest.readers import check_body, content_id
from storyline.model import Given, InputProblem, RawDocument

HTML_TYPES = {"text/html", "application/xhtml+xml"}
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_html(content_type: str, body: bytes) -> bool:
    """An HTML page by its declared type, or, when none is declared, by its first bytes."""
    if content_type:
        return content_type in HTML_TYPES
    head = body[:1024].lstrip(codecs.BOM_UTF8).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--"))


def page_document(body: bytes, source: str, *, charset: str | None, given: Given) -> RawDocument | InputProblem:
    """The page as a raw HTML document, its bytes re-encoded as UTF-8 when the HTTP header names their charset.

    Which charset wins follows the HTML standard (a byte order mark, then the
    Content-Type header, then the page's ``<meta charset>``, read by the clean stage),
    with one exception: bytes that are valid UTF-8 stay UTF-8, whatever a server's
    default header claims (other encodings almost never form valid UTF-8 by chance).
    """
    problem = check_body(body)
    if problem:
        return InputProblem(source, problem)
    if charset and not body.startswith(_BOMS):
        body = _as_utf8(body, charset)
    return RawDocument(content_id("html", body, given), source, "html", body, given)


def _as_utf8(body: bytes, charset: str) -> bytes:
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return body  # an unknown label: leave the bytes to the page's meta charset or detection
    if codec == "utf-8":
        return body
    if codec in {"latin-1", "iso8859-1", "ascii"}:
        codec = "cp1252"  # browsers read these labels as windows-1252 (WHATWG Encoding Standard)
    try:
        return body.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        return body  # the header is wrong about these bytes: detection does better
