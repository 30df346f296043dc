"""What a source is (told by what its server returns), canonical URLs, poll intervals, and OPML."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import courlan
from lxml import etree

from storyline.errors import ConfigError, InputError
from storyline.ingest.safety import check_url
from storyline.model import Source, SourceKind

DEFAULT_EVERY = 15 * 60
MIN_EVERY = 60  # a source polled more often than once a minute is being hammered
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_FEED_ROOTS = {"rss", "rdf", "feed", "channel"}
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def parse_every(text: str) -> int:
    """Seconds from "15m", "1h", "90s", "2d" (no unit: minutes).

    Raises:
        ConfigError: for anything else, or under a minute.
    """
    match = _DURATION.match(text or "")
    if not match:
        raise ConfigError(f"--every {text!r} is not a duration; write it like 15m, 1h, 90s or 1d")
    seconds = int(float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "m").lower()])
    if seconds < MIN_EVERY:
        raise ConfigError(f"--every {text!r} is under a minute; poll a source at most once a minute")
    return seconds


def format_every(seconds: int) -> str:
    """15m, 1h, 2d: the shortest exact spelling."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def canonical_url(url: str) -> str:
    """The key that makes one page of many spellings: courlan's normalisation (host case, default
    port, tracking parameters, sorted query), without the fragment (never sent to the server)."""
    try:
        normal = courlan.normalize_url(url.strip())
    except (ValueError, AttributeError):
        return url.strip()
    return normal.split("#", 1)[0]


def source_url(url: str) -> str:
    """A URL given for a source, checked (http/https with a host) and with its spelling tidied.

    Raises:
        InputError: for a URL Storyline cannot watch.
    """
    url = url.strip()
    check_url(url)
    try:
        return str(courlan.normalize_url(url, trailing_slash=True)).split("#", 1)[0]
    except (ValueError, AttributeError):
        return url


def detect_kind(body: bytes, content_type: str) -> SourceKind | None:
    """What a source is, from the bytes its server returned (and the type it declared when they are unclear).

    A document's root element decides: rss, rdf:RDF or feed is a feed (even one declaring the
    sitemap namespace), urlset a sitemap, sitemapindex a sitemap index, html a page. Lines of
    URLs are a text sitemap. None: none of these.
    """
    root = _root_name(body)
    if root in _FEED_ROOTS:
        return "feed"
    if root == "urlset":
        return "sitemap"
    if root == "sitemapindex":
        return "sitemap index"
    if root == "html" or content_type in {"text/html", "application/xhtml+xml"}:
        return "page"
    head = body[:512].lstrip(codecs.BOM_UTF8).lstrip()
    if head[:7].lower() in (b"http://", b"https:/"):
        return "sitemap"
    if content_type in _FEED_TYPES:
        return "feed"
    return None


def _root_name(body: bytes) -> str | None:
    """The local name of the first element, read from the start of the document only."""
    parser = etree.XMLPullParser(events=("start",), recover=True, resolve_entities=False, no_network=True)
    try:
        parser.feed(body[:65536].lstrip(codecs.BOM_UTF8).lstrip())
        for _, element in parser.read_events():
            return etree.QName(element.tag).localname.lower() if isinstance(element.tag, str) else None
    except etree.XMLSyntaxError:
        return None
    return None


def feed_links(html: bytes, base: str) -> list[str]:
    """The feeds a page announces (``<link rel="alternate" type="application/rss+xml" href>``)."""
    found = []
    try:
        tree = etree.fromstring(html[:1_000_000], etree.HTMLParser(no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if tree is None:
        return []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and (link.get("type") or "").lower() in _FEED_TYPES and link.get("href"):
            found.append(courlan.fix_relative_urls(base, link.get("href").strip()))
    return list(dict.fromkeys(found))


# ---- OPML ------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineEntry:
    url: str
    name: str | None
    every: str | None = None  # as Storyline exported it


def read_opml(data: bytes, source: str) -> Iterator[OutlineEntry]:
    """Every outline with a feed URL (``xmlUrl``, or ``url`` for other links), at any depth.

    Raises:
        InputError: when the file is not OPML.
    """
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"is not an OPML file ({exc}); export your feed list as OPML", source=source) from None
    if root is None or etree.QName(root.tag).localname.lower() != "opml":
        raise InputError("is not an OPML file (no <opml> root element); export your feed list as OPML", source=source)
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or outline.get("url") or "").strip()
        if url:
            name = (outline.get("title") or outline.get("text") or "").strip()
            yield OutlineEntry(url, name if name and name != url else None, outline.get("storylineEvery"))


def write_opml(sources: Iterable[Source], title: str = "Storyline sources") -> str:
    """OPML 2.0: feeds as ``type="rss"`` outlines (what feed readers import), other sources as links."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', f"  <head><title>{escape(title)}</title></head>", "  <body>"]
    for source in sources:
        name = source.name or source.title or source.url
        if source.kind in (None, "feed"):
            attributes = f'type="rss" text={quoteattr(name)} title={quoteattr(name)} xmlUrl={quoteattr(source.url)}'
        else:
            attributes = f'type="link" text={quoteattr(name)} url={quoteattr(source.url)}'
        lines.append(f"    <outline {attributes} storylineKind={quoteattr(source.kind or 'unknown')} storylineEvery={quoteattr(format_every(source.every))}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
