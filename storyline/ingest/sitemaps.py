"""Sitemaps (sitemaps.org): URL sets, sitemap indexes, the Google News extension, text and gzip.

Read with lxml, forgiving: elements are found by their local name (a wrong or prefixed
namespace still reads), a ``<loc>`` may carry whitespace or CDATA, an index may list bare
URLs, and a document that is not well-formed is read as far as it goes and reported.
"""

from __future__ import annotations

import codecs
import zlib
from urllib.parse import urljoin, urlsplit

from lxml import etree

from storyline.ingest.feeds import Listing
from storyline.model import Link

GZIP_MAGIC = b"\x1f\x8b"


class TooLarge(ValueError):
    """Decompressed, the document is over the size limit."""


def gunzip(body: bytes, max_bytes: int) -> bytes:
    """``body`` decompressed when it is gzip (told by its bytes, not its name), else as it is.

    Raises:
        TooLarge: when it decompresses to more than ``max_bytes`` (a gzip bomb).
        zlib.error: when the gzip data is damaged.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    out: list[bytes] = []
    size = 0
    data = body
    while data.startswith(GZIP_MAGIC):  # a gzip file may hold several members
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while data and not inflater.eof:
            chunk = inflater.decompress(data, max_bytes + 1 - size)
            size += len(chunk)
            out.append(chunk)
            if size > max_bytes:
                raise TooLarge(f"decompresses to over {max_bytes:,} bytes")
            data = inflater.unconsumed_tail
        data = inflater.unused_data
    return b"".join(out)


def parse_sitemap(body: bytes, url: str) -> Listing:
    """The pages (or, for an index, the child sitemaps) a sitemap lists. ``body`` is already gunzipped."""
    if _is_text(body):
        links = [Link(line) for line in _text_lines(body)]
        return Listing(links, len(links))
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        return Listing([], 0, problem=f"not a readable sitemap ({exc})")
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    problem = f"not a well-formed sitemap ({errors[0].message.strip()}, line {errors[0].line}); read as far as it goes" if errors else None
    if root is None:
        return Listing([], 0, problem=problem or "empty sitemap")
    if _local(root) == "sitemapindex":
        children = []
        for entry in root:
            if _local(entry) != "sitemap":
                continue
            loc = _child_text(entry, "loc") or _own_text(entry)  # some indexes list bare URLs
            if loc and _is_web(loc):
                children.append((urljoin(url, loc), _child_text(entry, "lastmod")))
        return Listing([], len(children), problem=problem, children=children)
    links = []
    for entry in root:
        if _local(entry) != "url":
            continue
        loc = _child_text(entry, "loc")
        if not loc or not _is_web(urljoin(url, loc)):
            continue
        news = _first(entry, "news")
        publication = _first(news, "publication") if news is not None else None
        links.append(
            Link(
                url=urljoin(url, loc),
                title=_child_text(news, "title") if news is not None else None,
                published=_child_text(news, "publication_date") if news is not None else None,
                updated=_child_text(entry, "lastmod"),
                language=_child_text(publication, "language") if publication is not None else None,
                outlet=_child_text(publication, "name") if publication is not None else None,
            )
        )
    return Listing(links, len(links), problem=problem)


def _is_text(body: bytes) -> bool:
    """A text sitemap: one URL per line, no markup."""
    head = body[:512].lstrip(codecs.BOM_UTF8).lstrip()
    return head[:7].lower() in (b"http://", b"https:/")


def _text_lines(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig", errors="replace")
    return [line.strip() for line in text.splitlines() if _is_web(line.strip())]


def _is_web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _first(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child) == name), None)


def _child_text(element: etree._Element | None, name: str) -> str | None:
    child = _first(element, name)
    return _own_text(child) if child is not None else None


def _own_text(element: etree._Element) -> str | None:
    text = " ".join((element.text or "").split())
    return text or None
