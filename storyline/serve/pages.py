"""The web pages: the river of stories, a story, an article, an entity, search, sources, the edit log. Server-rendered, no script.

Each page is one template in ``templates/``; each section of a page is a template
block, so a new section (a story's timeline, its agreed facts, its quotes) is a new
block fed by a new field of the page's context.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from starlette.responses import RedirectResponse, Response

from storyline.api import Storyline, source_record
from storyline.ingest.sources import format_every
from storyline.model import Article, Entity, Explanation, Page, Place, Story, StoryEdit, StoryQuote
from storyline.serve.params import (
    Paging,
    StoryListing,
    hits_by_story,
    paging,
    requested_article,
    requested_entity,
    requested_story,
    story_listing,
    storyline_of,
)
from storyline.serve.auth import SESSION_COOKIE, SESSION_SECONDS, check_form, check_same_site, new_session, same_token, visitor
from storyline.serve.errors import HTTPProblem
from storyline.serve.templating import day, templates

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Share:
    """One row of a coverage table: a value (an outlet, a language, a day) and its number of articles."""

    label: str
    articles: int
    percent: float  # of the story's articles: bars of every table share one scale


@dataclass(frozen=True)
class PageLinks:
    previous: str | None
    next: str | None


def _shares(values: list[str], total: int) -> list[Share]:
    return [Share(label, n, round(100 * n / max(total, 1), 1)) for label, n in Counter(values).items()]


def coverage(story: Story) -> dict[str, list[Share]]:
    """How a story was covered: articles by outlet and by language (most first), and by day (in order)."""
    total = len(story.articles)
    by_outlet = sorted(_shares([a.outlet or "unknown outlet" for a in story.articles], total), key=lambda s: (-s.articles, s.label))
    by_language = sorted(_shares([a.language or "unknown" for a in story.articles], total), key=lambda s: (-s.articles, s.label))
    by_day = sorted(_shares([day(a.published) or "undated" for a in story.articles], total), key=lambda s: s.label)
    return {"outlet": by_outlet, "language": by_language, "day": by_day}


@dataclass(frozen=True)
class Speaker:
    """Who said what: one speaker's quotes in a story, and the outlets that reported them."""

    name: str
    entity: str | None
    quotes: list[StoryQuote]
    outlets: list[str]


def speakers(explanation: Explanation | None, outlet_of: dict[str, str]) -> list[Speaker]:
    """The story's quotes grouped by speaker (the same entity under any spelling), most quoted first; unknown speakers last."""
    groups: dict[str, list[StoryQuote]] = {}
    for said in explanation.quotes if explanation else []:
        groups.setdefault(said.speaker_entity or (said.speaker or "").strip() or "", []).append(said)
    found = [
        Speaker(
            Counter(q.speaker for q in quotes if q.speaker).most_common(1)[0][0] if any(q.speaker for q in quotes) else "Unknown speaker",
            quotes[0].speaker_entity,
            quotes,
            list(dict.fromkeys(outlet_of.get(q.article, "article") for q in quotes)),
        )
        for key, quotes in groups.items()
    ]
    return sorted(found, key=lambda s: (s.name == "Unknown speaker", -len(s.quotes), s.name))


@dataclass(frozen=True)
class MapPlace:
    """A place of a story on its map: where it is drawn (x = longitude, y = -latitude) and how many articles name it."""

    name: str
    country: str | None
    x: float
    y: float
    radius: float
    articles: int
    area: bool  # a country or region (drawn as a ring at its centre), not a point
    label: bool  # its name is drawn beside it (where it covers no other name or place)
    label_x: float
    label_y: float
    label_anchor: str  # SVG text-anchor: start (right of the place), end (left), middle (above or below)


@dataclass(frozen=True)
class StoryMap:
    view_box: str
    places: list[MapPlace]
    font_size: float
    stroke: float


# The land drawn under the places: storyline/serve/static/world.svg (scripts/world_map.py), in degrees.
WORLD_BOX = (-180.0, -84.0, 360.0, 144.0)
MAP_MIN_WIDTH = 40.0  # degrees: a story in one city still shows its region
MAP_RATIO = 2.2  # width / height of the drawing
MAP_LABELS = 10
GLYPH_WIDTH = 0.6  # em: a sans-serif letter's average advance, to tell where a name fits
Box = tuple[float, float, float, float]  # left, top, right, bottom


def story_map(story: Story) -> StoryMap | None:
    """The places a story's articles name, for a map drawn on the server; None when none has coordinates.

    The view frames the points (towns, sites) with some margin, or the countries when no point is named.
    """
    counted: dict[object, tuple[Place, set[str]]] = {}
    for article in story.articles:
        for place in article.places:
            if place.lat is None or place.lon is None:
                continue
            key = place.geonames_id or (place.name, place.lat, place.lon)
            counted.setdefault(key, (place, set()))[1].add(article.id)
    if not counted:
        return None
    places = sorted(counted.values(), key=lambda item: (-len(item[1]), item[0].name))
    points = [p for p, _ in places if p.feature_class != "A"] or [p for p, _ in places]
    xs, ys = [float(p.lon or 0) for p in points], [-float(p.lat or 0) for p in points]
    wx, wy, ww, wh = WORLD_BOX
    width = min(ww, max(MAP_MIN_WIDTH, (max(xs) - min(xs)) * 1.3, (max(ys) - min(ys)) * 1.3 * MAP_RATIO))
    height = min(wh, width / MAP_RATIO)
    left = min(max((max(xs) + min(xs)) / 2 - width / 2, wx), wx + ww - width)
    top = min(max((max(ys) + min(ys)) / 2 - height / 2, wy), wy + wh - height)
    unit = width / 160
    font_size = round(unit * 3.2, 3)
    shown = [
        (p, len(ids), round(unit * (1.2 + len(ids) ** 0.5), 3))
        for p, ids in places
        if left <= float(p.lon or 0) <= left + width and top <= -float(p.lat or 0) <= top + height
    ]
    circles = [(p.name, float(p.lon or 0), -float(p.lat or 0), radius) for p, _, radius in shown]
    labels = _label_spots(circles, (left, top, left + width, top + height), font_size, MAP_LABELS)
    drawn = [
        MapPlace(
            p.name, p.country, x, y, radius, articles, p.feature_class == "A", spot is not None,
            *(spot or (x, y, "start")),
        )
        for (p, articles, radius), (_, x, y, _), spot in zip(shown, circles, labels)
    ]
    return StoryMap(f"{left:.3f} {top:.3f} {width:.3f} {height:.3f}", drawn, font_size, round(unit * 0.35, 3))


def _label_spots(circles: list[tuple[str, float, float, float]], frame: Box, font_size: float, most: int) -> list[tuple[float, float, str] | None]:
    """Where each place's name goes (x, y, text-anchor), for the first ``most`` places (the most named first).

    Greedy: right of its circle, else left, above or below (centred, or from its left near the left
    edge): the first spot inside the map that covers no other circle and no name placed before;
    None when there is none (the caption under the map lists every place, and each circle has its
    name as a tooltip).
    """

    def overlap(a: Box, b: Box) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    def inside(box: Box) -> bool:
        return frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]

    circle_boxes = [(x - r, y - r, x + r, y + r) for _, x, y, r in circles]
    names: list[Box] = []
    spots: list[tuple[float, float, str] | None] = []
    for index, (name, x, y, r) in enumerate(circles[:most]):
        w, h, gap = GLYPH_WIDTH * font_size * len(name), font_size, r * 1.3
        candidates: list[tuple[Box, tuple[float, float, str]]] = [
            ((x + gap, y - h / 2, x + gap + w, y + h / 2), (x + gap, y, "start")),
            ((x - gap - w, y - h / 2, x - gap, y + h / 2), (x - gap, y, "end")),
            ((x - w / 2, y - gap - h, x + w / 2, y - gap), (x, y - gap - h / 2, "middle")),
            ((x - w / 2, y + gap, x + w / 2, y + gap + h), (x, y + gap + h / 2, "middle")),
            ((x - r, y - gap - h, x - r + w, y - gap), (x - r, y - gap - h / 2, "start")),  # near the left edge
            ((x - r, y + gap, x - r + w, y + gap + h), (x - r, y + gap + h / 2, "start")),
        ]
        others = circle_boxes[:index] + circle_boxes[index + 1 :] + names
        free = [(box, (round(sx, 3), round(sy, 3), anchor)) for box, (sx, sy, anchor) in candidates
                if inside(box) and not any(overlap(box, other) for other in others)]
        if free:
            names.append(free[0][0])
        spots.append(free[0][1] if free else None)
    return spots + [None] * (len(circles) - len(spots))


def page_links(request: Request, page: Page[Any]) -> PageLinks:
    """Links to the pages before and after ``page``, keeping the other query parameters."""

    def at(offset: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
        if offset:
            params["offset"] = str(offset)
        return f"{request.url.path}?{urlencode(params)}" if params else request.url.path

    limit = page.limit or len(page) or 1
    previous = at(max(0, page.offset - limit)) if page.offset > 0 else None
    return PageLinks(previous, None if page.next_offset is None else at(page.next_offset))


def render(request: Request, template: str, context: dict[str, Any], *, feed: str | None = None, status_code: int = 200) -> Response:
    """A page: ``context`` plus who is looking (may they edit, their forms' CSRF token) and the page's Atom feed."""
    return templates.TemplateResponse(
        request, template, {**context, "visitor": visitor(request), "feed": feed}, status_code=status_code
    )


def _feed_of(request: Request, path: str) -> str:
    """The feed of this page: ``path`` with the page's own query."""
    return f"{path}?{request.url.query}" if request.url.query else path


@router.get("/")
def river(request: Request, listing: Annotated[StoryListing, Depends(story_listing)]) -> Response:
    context = {
        "stories": listing.page,
        "filters": listing.filters,
        "links": page_links(request, listing.page),
        "filtered": any(listing.filters.values()),
    }
    return render(request, "river.html", context, feed=_feed_of(request, "/feed"))


NEARBY_DAYS = 30
NEARBY_STORIES = 60


def nearby_stories(sl: Storyline, first: str | None, last: str | None, *, besides: str) -> list[tuple[str, str]]:
    """(id, title) of the stories around these days: what an analyst merges a story with or moves an article to."""
    days = sorted(d for d in (day(first), day(last)) if d)
    window: dict[str, Any] = {}
    if days:
        window = {
            "since": dt.date.fromisoformat(days[0]) - dt.timedelta(days=NEARBY_DAYS),
            "until": dt.date.fromisoformat(days[-1]) + dt.timedelta(days=NEARBY_DAYS),
        }
    return [(s.id, s.title or "(untitled)") for s in sl.stories(**window, limit=NEARBY_STORIES) if s.id != besides]


@router.get("/stories/{story_id}")
def story_page(
    request: Request, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)],
    edit: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    outlet_of = {a.id: a.outlet or "unknown outlet" for a in story.articles}
    who = visitor(request)
    context = {
        "story": story,
        "coverage": coverage(story),
        "titles": {a.id: a.title for a in story.articles},
        "outlet_of": outlet_of,
        "languages": {a.id: a.language or "" for a in story.articles},
        "reports": sorted(story.articles, key=lambda a: (a.published or "9999", a.outlet or "")),
        "speakers": speakers(story.explanation, outlet_of),
        "map": story_map(story),
        "nearby": nearby_stories(sl, story.first_published, story.last_published, besides=story.id) if who.editor else [],
        "done": sl.edit(edit) if edit else None,
    }
    return render(request, "story.html", context, feed=f"/stories/{story.id}/feed")


@dataclass(frozen=True)
class Segment:
    """A stretch of an article's text; marked ones are a name (linked to its entity) or a date."""

    text: str
    kind: str | None = None  # "PERSON", "ORG", "PLACE" or "TIME"
    href: str | None = None
    note: str | None = None  # shown on hover: the entity's name, the date's value


def highlighted(article: Article, names: dict[str, str]) -> list[list[Segment]]:
    """The article's paragraphs cut into segments, names and dates marked (no mark overlaps another)."""
    marks = sorted(
        [(m.start, m.end, m.type, f"/entities/{quote(m.entity_id)}", names.get(m.entity_id)) for m in article.mentions if m.entity_id]
        + [(t.start, t.end, "TIME", None, t.value) for t in article.times]
    )
    paragraphs: list[list[Segment]] = []
    for paragraph in re.finditer(r"\S(?:.|\n(?!\n))*", article.text):
        segments, position = [], paragraph.start()
        for start, end, kind, href, note in marks:
            if start < position or end > paragraph.end():
                continue
            if start > position:
                segments.append(Segment(article.text[position:start]))
            segments.append(Segment(article.text[start:end], kind, href, note))
            position = end
        segments.append(Segment(article.text[position : paragraph.end()]))
        paragraphs.append(segments)
    return paragraphs


@router.get("/articles/{article_id}")
def article_page(
    request: Request, article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    story = sl.story(article.story_id) if article.story_id else None
    original = sl.article(article.duplicate_of) if article.duplicate_of else None
    analysis = sl.article_export(article)
    names = {e["id"]: e["name"] for e in analysis["entities"]}
    context = {
        "article": article, "story": story, "original": original, "analysis": analysis,
        "paragraphs": highlighted(article, names),
        "nearby": nearby_stories(sl, article.published, article.published, besides=article.story_id or "") if visitor(request).editor else [],
    }
    return render(request, "article.html", context, feed=f"/stories/{article.story_id}/feed" if story else None)


@router.get("/entities/{entity_id}")
def entity_page(
    request: Request, entity: Annotated[Entity, Depends(requested_entity)], sl: Annotated[Storyline, Depends(storyline_of)]
) -> Response:
    aliases = sorted(entity.aliases.items(), key=lambda item: (-item[1], item[0]))
    context = {"entity": entity, "aliases": aliases, "stories": sl.entity_stories(entity.id)}
    return render(request, "entity.html", context, feed=f"/entities/{entity.id}/feed")


@router.get("/search")
def search_page(
    request: Request,
    page_of: Annotated[Paging, Depends(paging)],
    sl: Annotated[Storyline, Depends(storyline_of)],
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    page = sl.search(q, limit=page_of.limit, offset=page_of.offset) if q.strip() else None
    context = {
        "q": q,
        "hits": page,
        "groups": hits_by_story(sl, page) if page is not None else [],
        "terms": [t for t in sl.query_terms(q) if t.entities] if page is not None else [],
        "links": page_links(request, page) if page is not None else PageLinks(None, None),
    }
    return render(request, "search.html", context, feed=f"/search/feed?{urlencode({'q': q})}" if q.strip() else None)


# ---- analysts' edits: the log, logging in, and the forms (POST, then back to a page) ----------


@router.get("/edits")
def edits_page(
    request: Request, page_of: Annotated[Paging, Depends(paging)], sl: Annotated[Storyline, Depends(storyline_of)],
    edit: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    page = sl.edits(limit=page_of.limit, offset=page_of.offset)
    story_ids = {s for e in page for s in e.stories}
    context = {"edits": page, "links": page_links(request, page), "titles": sl.story_titles(sorted(story_ids)), "done": sl.edit(edit) if edit else None}
    return render(request, "edits.html", context)


@router.get("/login")
def login_page(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:  # noqa: A002 - the usual name
    return render(request, "login.html", {"next": _local(next), "failed": False})


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form(max_length=1000)], next: Annotated[str, Form(max_length=500)] = "/") -> Response:  # noqa: A002
    check_same_site(request)
    expected: str | None = request.app.state.settings.token
    if not expected:
        raise HTTPProblem(403, "writes_disabled", "this server accepts no writes: restart it with --token TOKEN to let analysts edit stories")
    if not same_token(token, expected):
        await asyncio.sleep(LOGIN_DELAY_SECONDS)  # slows guessing down
        return render(request, "login.html", {"next": _local(next), "failed": True}, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, new_session(expected), max_age=SESSION_SECONDS, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )
    return response


@router.post("/logout")
def logout(_: FormWriter) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


LOGIN_DELAY_SECONDS = 1.0
StoryField = Annotated[str, Form(max_length=200)]


def form_writer(request: Request, csrf: Annotated[str, Form(max_length=200)]) -> None:
    """A form that writes: a logged-in visitor, on this site, with the form's CSRF token."""
    check_form(request, csrf)


FormWriter = Annotated[None, Depends(form_writer)]


def _local(target: str) -> str:
    """A path on this server to go back to (never another site)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _done(edit: StoryEdit) -> Response:
    """Back to the story the edit left (with a note of what was done and a way to undo it)."""
    return RedirectResponse(f"/stories/{quote(edit.story_id)}?{urlencode({'edit': edit.id})}", status_code=303)


@router.post("/stories/{story_id}/rename")
def rename_form(
    _: FormWriter, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)],
    title: Annotated[str, Form(max_length=1000)],
) -> Response:
    return _done(sl.rename_story(story.id, title, by="web"))


@router.post("/stories/{story_id}/merge")
def merge_form(
    _: FormWriter, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)],
    other: StoryField,
) -> Response:
    return _done(sl.merge_stories(story.id, other.strip(), by="web"))


@router.post("/stories/{story_id}/split")
def split_form(
    _: FormWriter, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)],
    article: Annotated[list[str], Form()] = [], title: Annotated[str, Form(max_length=1000)] = "",  # noqa: B006 - FastAPI reads it
) -> Response:
    return _done(sl.split_story(story.id, article, title=title.strip() or None, by="web"))


@router.post("/stories/{story_id}/move")
def move_checked_form(
    _: FormWriter, story: Annotated[Story, Depends(requested_story)], sl: Annotated[Storyline, Depends(storyline_of)],
    target: StoryField, article: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Move the checked articles of a story to another story (one edit per article)."""
    if not article:
        raise HTTPProblem(400, "invalid_parameter", "check at least one article to move")
    edits = [sl.move_article(a, target.strip(), by="web") for a in article]
    return _done(edits[-1])


@router.post("/articles/{article_id}/move")
def move_form(
    _: FormWriter, article: Annotated[Article, Depends(requested_article)], sl: Annotated[Storyline, Depends(storyline_of)],
    target: StoryField,
) -> Response:
    return _done(sl.move_article(article.id, target.strip(), by="web"))


@router.post("/edits/{edit_id}/undo")
def undo_form(_: FormWriter, edit_id: Annotated[int, PathParam(ge=1)], sl: Annotated[Storyline, Depends(storyline_of)]) -> Response:
    if sl.edit(edit_id) is None:
        raise HTTPProblem(404, "not_found", f"no edit {edit_id} in this store; /edits lists them")
    undo = sl.undo(edit_id, by="web")
    return RedirectResponse(f"/edits?{urlencode({'edit': undo.id})}", status_code=303)


@router.get("/sources")
def sources_page(request: Request, sl: Annotated[Storyline, Depends(storyline_of)]) -> Response:
    pages = sl.source_pages()
    rows = [{**source_record(s, pages.get(s.url, {})), "every": format_every(s.every)} for s in sl.sources()]
    counts = Counter(row["health"] for row in rows)
    return render(request, "sources.html", {"sources": rows, "counts": {h: counts[h] for h in ("ok", "failing", "dead", "new")}})
