"""Analysts' edits of stories, planned: merge, split, move, rename and undo.

Each function takes the stories as they are (``StoryState``, read from the store) and
returns the ``StoryEdit`` that says what changes: which articles move where, which
stories appear or go, which titles change, which pairs of stories the matcher must
keep apart from now on. Nothing here touches the store; ``pipeline.apply_edit``
rebuilds the stories an edit leaves behind and saves it all in one transaction.

Rules an analyst can rely on:
- copies go with their original: moving or splitting out an article takes the exact
  and near copies of it that sit in the same story;
- a story emptied by an edit is gone, and its id leads to where its articles went;
- stories an analyst separated (a split, an article moved from one to the other) are
  never merged again by the matcher; merging two stories by hand lifts that;
- every edit can be undone, as long as no later edit touched the same stories: the
  undo is an edit of its own that puts articles, titles and pairs back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

from storyline.errors import ConfigError
from storyline.model import ArticleMove, StoryEdit, StoryState, TitleChange

MAX_TITLE = 300


def now() -> str:
    """The time an edit is made: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def clean_title(title: str) -> str:
    """A title as typed, trimmed; refused when empty or too long."""
    title = " ".join(title.split())
    if not title:
        raise ConfigError("the title is empty; type the story's new title")
    if len(title) > MAX_TITLE:
        raise ConfigError(f"the title is {len(title)} characters long; keep it under {MAX_TITLE}")
    return title


def with_copies(story: StoryState, article_ids: Iterable[str]) -> list[str]:
    """The articles and the copies of them in the same story, in the story's order."""
    chosen = set(article_ids)
    chosen.update(member for member, original in story.duplicates.items() if original in chosen)
    return [a for a in story.articles if a in chosen]


def plan_merge(survivor: StoryState, merged: StoryState, *, by: str | None = None) -> StoryEdit:
    """Merge ``merged`` into ``survivor``: its articles join, its id leads to ``survivor`` from now on."""
    if survivor.id == merged.id:
        raise ConfigError(f"cannot merge story {survivor.id} with itself; name two different stories")
    return StoryEdit(
        id=None, kind="merge", at=now(), story_id=survivor.id, by=by,
        moves=tuple(ArticleMove(a, merged.id, survivor.id) for a in merged.articles),
        removed=(merged.id,),
        merged_into=((merged.id, survivor.id),),
        redirected=tuple((earlier, merged.id, survivor.id) for earlier in merged.merged_in),
        # The analyst overrides an earlier separation of the two; the merged story's other separations pass to the survivor.
        released=tuple((merged.id, other) for other in sorted(merged.kept_apart)),
        apart=tuple((survivor.id, other) for other in sorted(merged.kept_apart - {survivor.id} - survivor.kept_apart)),
    )


def split_story_id(article_ids: Sequence[str], taken: Callable[[str], bool], named_after: Callable[[str], str]) -> str:
    """The id of a story split off: named after its first article, as the matcher names stories, unless that id is taken."""
    first = named_after(article_ids[0])
    if not taken(first):
        return first
    return "s-" + hashlib.sha1(("split:" + ",".join(sorted(article_ids))).encode()).hexdigest()[:16]


def plan_split(story: StoryState, article_ids: Sequence[str], new_id: str, *, title: str | None = None, by: str | None = None) -> StoryEdit:
    """Take ``article_ids`` (and their copies) out of ``story`` into a new story ``new_id``, kept apart from it."""
    missing = [a for a in article_ids if a not in story.articles]
    if missing:
        raise ConfigError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in story {story.id}; list its articles with `storyline show {story.id}`")
    if not article_ids:
        raise ConfigError("name at least one article to split off")
    moving = with_copies(story, article_ids)
    if len(moving) == len(story.articles):
        raise ConfigError(f"that is every article of story {story.id}; a split must leave at least one (to rename it, use rename)")
    titles = (TitleChange(new_id, None, clean_title(title)),) if title else ()
    return StoryEdit(
        id=None, kind="split", at=now(), story_id=new_id, by=by,
        moves=tuple(ArticleMove(a, story.id, new_id) for a in moving),
        created=(new_id,), titles=titles, apart=((story.id, new_id),),
    )


def plan_move(article_id: str, source: StoryState, target: StoryState, *, by: str | None = None) -> StoryEdit:
    """Move an article (and its copies) from ``source`` to ``target``; the two are kept apart from then on."""
    if source.id == target.id:
        raise ConfigError(f"article {article_id} is already in story {target.id}")
    moving = with_copies(source, [article_id])
    emptied = len(moving) == len(source.articles)
    return StoryEdit(
        id=None, kind="move", at=now(), story_id=target.id, by=by,
        moves=tuple(ArticleMove(a, source.id, target.id) for a in moving),
        # An emptied story is gone, and its id leads to where its articles are; otherwise the two stay apart.
        removed=(source.id,) if emptied else (),
        merged_into=((source.id, target.id),) if emptied else (),
        redirected=tuple((earlier, source.id, target.id) for earlier in source.merged_in) if emptied else (),
        apart=() if emptied or target.id in source.kept_apart else ((source.id, target.id),),
    )


def plan_rename(story: StoryState, title: str, *, by: str | None = None) -> StoryEdit:
    """Give a story the analyst's title; it stays when articles join later."""
    return StoryEdit(
        id=None, kind="rename", at=now(), story_id=story.id, by=by,
        titles=(TitleChange(story.id, story.title, clean_title(title), was_pinned=story.title_pinned),),
    )


def check_undoable(edit: StoryEdit, later: Sequence[StoryEdit]) -> None:
    """Refuse to undo an undo, an edit undone already, or one a later edit built on."""
    if edit.kind == "undo":
        raise ConfigError(f"edit {edit.id} is an undo itself; to redo edit {edit.undoes}, make that edit again")
    if edit.undone_by is not None:
        raise ConfigError(f"edit {edit.id} was undone already (by edit {edit.undone_by})")
    articles = {m.article_id for m in edit.moves}
    for other in later:
        if other.kind == "undo" or other.undone_by is not None:
            continue
        if other.stories & edit.stories or articles & {m.article_id for m in other.moves}:
            raise ConfigError(f"edit {other.id} ({other.kind}) changed the same stories later; undo it first")


def plan_undo(
    edit: StoryEdit,
    *,
    story_of: Mapping[str, str],
    states: Mapping[str, StoryState],
    resolve: Callable[[str], str | None],
    by: str | None = None,
) -> StoryEdit:
    """The edit that reverses ``edit`` in the stories as they are now.

    ``story_of``: where each article ``edit`` moved is now; ``states``: the stories it touched
    that still exist; ``resolve``: the story an id leads to now (the matcher may have merged
    stories since). Articles go back to their story (recreated when ``edit`` removed it), titles
    and separations are restored, and stories ``edit`` created are removed once emptied.
    """
    recreated = set(edit.removed)

    def home(story_id: str) -> str:
        return story_id if story_id in recreated else (resolve(story_id) or story_id)

    moves = tuple(
        ArticleMove(m.article_id, story_of[m.article_id], home(m.from_story))
        for m in edit.moves
        if m.article_id in story_of and story_of[m.article_id] != home(m.from_story)
    )
    leaving: dict[str, int] = {}
    for m in moves:
        leaving[m.from_story] = leaving.get(m.from_story, 0) + 1
    emptied = tuple(s for s in edit.created if s in states and leaving.get(s, 0) == len(states[s].articles))
    back_to = {m.from_story: m.to_story for m in moves}
    titles = tuple(
        TitleChange(t.story_id, states[t.story_id].title, t.before, was_pinned=states[t.story_id].title_pinned, pinned=t.was_pinned)
        for t in edit.titles
        if t.story_id in states
    )

    def pair(p: tuple[str, str]) -> tuple[str, str] | None:
        a, b = home(p[0]), home(p[1])
        return (a, b) if a != b else None

    return StoryEdit(
        id=None, kind="undo", at=now(), story_id=edit.story_id, by=by, undoes=edit.id,
        moves=moves, titles=titles,
        created=tuple(sorted(recreated)),
        removed=emptied,
        merged_into=tuple((s, back_to.get(s) or resolve(edit.story_id) or edit.story_id) for s in emptied),
        redirected=tuple((merged, after, before) for merged, before, after in edit.redirected),
        apart=tuple(p for p in map(pair, edit.released) if p),
        released=tuple(p for p in map(pair, edit.apart) if p),
    )


def edit_summary(edit: StoryEdit) -> str:
    """What an analyst's edit did, in one line."""
    moved = len(edit.moves)
    if edit.kind == "merge":
        return f"merged story {', '.join(edit.removed)} into {edit.story_id} ({_count(moved, 'article')} joined)"
    if edit.kind == "split":
        source = edit.moves[0].from_story if edit.moves else "?"
        return f"split {_count(moved, 'article')} off story {source} into the new story {edit.story_id}"
    if edit.kind == "move":
        source = edit.moves[0].from_story if edit.moves else "?"
        copies = f" (with {_count(moved - 1, 'copy', 'copies')})" if moved > 1 else ""
        return f"moved article {edit.moves[0].article_id if edit.moves else '?'}{copies} from story {source} to {edit.story_id}"
    if edit.kind == "rename":
        change = edit.titles[0] if edit.titles else None
        return f"renamed story {edit.story_id}: “{change.before if change else ''}” → “{change.after if change else ''}”"
    return f"undid edit {edit.undoes} ({_count(moved, 'article')} moved back)"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
