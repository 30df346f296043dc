"""The page templates (Jinja2, autoescaped) and the filters they use.

Everything an article carries (title, outlet, text, URL) comes from the open web
and is treated as hostile: templates only ever print it escaped, and a URL becomes
a link only when it is plain http(s).
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

import jinja2
from starlette.templating import Jinja2Templates

from storyline import __version__
from storyline.model import Story
from storyline.stories.edits import edit_summary


def web_link(url: str | None) -> str | None:
    """``url`` when it is safe to link to (http or https with a host), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def day(published: str | None) -> str:
    """The day part of an ISO 8601 date or date-time."""
    return (published or "")[:10]


def date_span(story: Story) -> str:
    """"2021-07-24 – 2021-07-28", one day when the story has one, "undated" when none."""
    days = sorted({day(story.first_published), day(story.last_published)} - {""})
    return " – ".join(days) or "undated"


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a cleaned text (separated by blank lines)."""
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def copy_label(duplicate_kind: str | None) -> str | None:
    """How an article's duplicate mark reads."""
    return {"exact": "exact copy of", "near": "near copy of"}.get(duplicate_kind or "")


def moment(value: str | None) -> str:
    """"2026-03-07 14:05 UTC" from an ISO 8601 UTC time; "never" when there is none."""
    return value[:16].replace("T", " ") + " UTC" if value else "never"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 article", "3 articles"."""
    return f"{count} {singular}" if count == 1 else f"{count} {plural_form or singular + 's'}"


def listing(items: list[str], most: int = 6) -> str:
    """"A, B, C and 4 more": a list kept short."""
    shown = ", ".join(items[:most])
    return f"{shown} and {len(items) - most} more" if len(items) > most else shown


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("storyline.serve", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        web_link=web_link, day=day, date_span=date_span, paragraphs=paragraphs, plural=plural, listing=listing, copy_label=copy_label,
        moment=moment,
        edit_summary=edit_summary,
    )
    env.globals["version"] = __version__
    # What a page that does not say otherwise (an error page) assumes: no feed, a visitor who does not edit.
    env.globals["feed"] = None
    env.globals["visitor"] = SimpleNamespace(writes_enabled=False, editor=False, csrf="")
    return env


templates = Jinja2Templates(env=_environment())
