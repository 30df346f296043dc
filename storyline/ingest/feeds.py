"""RSS 0.9x/1.0/2.0 and Atom feeds, read by feedparser, into the links to fetch and their hints."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import feedparser

from storyline.model import Link

# Hints are for cleaning and display; a summary longer than this is cut.
MAX_SUMMARY_CHARS = 2000


@dataclass(frozen=True)
class Listing:
    """What a feed or a sitemap lists: the pages to fetch, and how reading it went.

    ``items`` counts every entry, with or without a usable link; ``problem`` says what is
    wrong with a document read as far as it goes (ill-formed XML, items without links).
    """

    links: list[Link]
    items: int
    title: str | None = None
    problem: str | None = None
    children: list[tuple[str, str | None]] = field(default_factory=list)  # a sitemap index: (sitemap URL, lastmod)


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> Listing:
    """The items of a feed; relative links are resolved against ``url`` (and xml:base).

    ``content_type`` is the HTTP header as received: its charset counts (RFC 3023).
    Never raises for bad bytes: an ill-formed feed gives what could be read, and a problem.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A file object, never bytes or str: feedparser fetches a str that looks like a URL
    # and opens one that looks like a file name.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    links: list[Link] = []
    without_link = 0
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link is None:
            without_link += 1
            continue
        links.append(
            Link(
                url=link,
                guid=_text(entry.get("id")),
                title=_text(entry.get("title")),
                author=_author(entry),
                published=feed_date(entry.get("published"), entry.get("published_parsed")),
                # Read as stored: feedparser answers "updated" with the published date when there is none.
                updated=feed_date(dict.get(entry, "updated"), dict.get(entry, "updated_parsed")),
                summary=(_text(entry.get("summary")) or "")[:MAX_SUMMARY_CHARS] or None,
            )
        )
    problems = []
    if parsed.bozo:
        exception = parsed.get("bozo_exception")
        problems.append(f"not a well-formed feed ({type(exception).__name__}: {exception}); read as far as it goes")
    if without_link:
        problems.append(f"{without_link} of {len(parsed.entries)} items have no link to fetch")
    return Listing(links, len(parsed.entries), _text(parsed.feed.get("title")), "; ".join(problems) or None)


def _entry_link(entry: Any) -> str | None:
    """The item's page: its link, else its guid when that is a web address."""
    for candidate in (entry.get("link"), entry.get("id") if entry.get("guidislink", True) else None):
        text = _text(candidate)
        if text and urlsplit(text).scheme.lower() in {"http", "https"} and urlsplit(text).netloc:
            return text
    return None


def _author(entry: Any) -> str | None:
    detail = entry.get("author_detail") or {}
    return _text(detail.get("name")) or _text(entry.get("author"))


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def feed_date(raw: Any, parsed: time.struct_time | None) -> str | None:
    """A feed date as ISO 8601, keeping the feed's own UTC offset when it gives one.

    feedparser's parsed dates are converted to UTC, which can move an article to
    another day; the raw value is read first (ISO 8601, then RFC 822).
    """
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(text).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    if parsed:
        try:
            return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).isoformat()
        except (TypeError, ValueError):
            return None
    return None
