"""What an extractor finds in one page, before given metadata is applied."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Extracted:
    text: str
    title: str | None = None
    published: str | None = None
    published_uncertain: bool = False  # the date was guessed (a photo caption, a stray date in the furniture)
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
