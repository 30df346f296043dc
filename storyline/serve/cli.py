"""The ``storyline`` command: a thin layer over the Python API (``storyline.api``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from storyline import api
from storyline.backfill import DEFAULT_MASTER, ORDERS
from storyline.errors import StorylineError, TermsVersionError
from storyline.ingest.fetch import FetchSettings
from storyline.ingest.sources import format_every, parse_every
from storyline.ingest.watch import WatchSettings
from storyline.model import Article, Entity, Explanation, FetchReport, IngestReport, SearchHit, Story, StoryEdit
from storyline.pipeline import DEFAULT_ARTICLE_SECONDS, default_workers
from storyline.stories.edits import edit_summary
from storyline.store import DEFAULT_WRITER_WAIT, masked, store_exists
from storyline.store.location import LOCATION_VARIABLE

F = TypeVar("F", bound=Callable[..., Any])

# A POST waits this long for another process's batch (then 503 and Retry-After): a client would rather retry.
SERVE_WRITER_WAIT = 30.0

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class _Failure(click.ClickException):
    """A failure told in one line, its names made safe to print (see ``printable``)."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


def _errors_as_messages(command: F) -> F:
    """Show every failure a user can cause as one clear line (exit code 1), not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StorylineError as exc:
            raise _Failure(str(exc)) from exc
        except OSError as exc:  # a file the user named: unreadable, unwritable, the disk full
            where = f"{exc.filename}: " if exc.filename else ""
            raise _Failure(f"{where}{exc.strerror or exc}; check the path, its permissions and the free space") from exc
        except KeyboardInterrupt:
            err.print("Interrupted.")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


# C0 and C1 control characters (but tab and newline) and the bidirectional overrides: a file
# name or a page title holding them could move the cursor, recolour or retitle the terminal.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with its control characters shown as escapes (\\x1b), safe to print on a terminal."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape(text: str) -> str:
    """Untrusted text (names, titles) for Rich: control characters shown as escapes, markup escaped."""
    return rich_escape(printable(text))


@contextlib.contextmanager
def _output_file(path: str, inputs: Sequence[str], *, force: bool, newline: str | None = None) -> Iterator[TextIO]:
    """An output file written whole or not at all, never over an input, never over a file unless forced.

    It is written to a temporary file beside it and renamed over ``path`` once complete, so a
    failure or an interruption leaves what was there before.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise _Failure(f"{path}: the folder {folder} does not exist; create it first, or write the output elsewhere")
    for given in inputs:
        if target.exists() and Path(given).exists() and os.path.samefile(target, given):
            raise _Failure(f"{path} is the input {given}; write the output to another file")
    if target.is_dir():
        raise _Failure(f"{path} is a folder; give a file name for the output")
    if target.exists() and not force:
        raise _Failure(f"{path} already exists; pass --force to replace it, or choose another --out")
    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


force_option = click.option("--force", is_flag=True, help="Replace the --out file if it exists (never an input file).")


db_option = click.option(
    "--db",
    "db",
    default=api.DEFAULT_DB,
    show_default=True,
    envvar=LOCATION_VARIABLE,
    show_envvar=True,
    metavar="LOCATION",
    help="The store: a SQLite file (created on first ingest) or postgresql://user@host/database.",
)


def _wait_option(default: float, what: str) -> Callable[[F], F]:
    return click.option(
        "--wait", "wait", default=default, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
        help=f"How long {what} waits for another process writing to the store before giving up.",
    )


def _open_existing(db: str, first: str = "ingest PATH", **settings: Any) -> api.Storyline:
    """Read commands never create a store: a missing one is an error, as is a file that is not a store (left untouched)."""
    if not store_exists(db):
        raise _Failure(f"{masked(db)}: no Storyline store here yet; run `storyline {first} --db {masked(db)}` first")
    return api.open(db, create=False, **settings)


class _CommandGroup(click.Group):
    """Lists each command with its whole first sentence, wrapped; Click would cut it at the column's edge."""

    group_class = type  # the `sources` group lists its commands the same way

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, command.get_short_help_str(limit=200)) for name, command in commands if command and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storyline")
def cli() -> None:
    """Storyline turns news articles into stories.

    Ingest scraped text, HTML, JSONL files and web archives, or let Storyline
    follow feeds and sitemaps (`sources`, `fetch`, `watch`); it cleans each
    article, finds duplicates and groups articles about the same event into
    stories, across outlets, days and languages. Everything is kept in one
    SQLite file, or in PostgreSQL (--db postgresql://...) when several
    machines share it.

    \b
    Start here:
      storyline ingest examples/corpus     # read articles into ./storyline.db
      storyline stories                    # list the stories found
      storyline show STORY_OR_ARTICLE_ID   # look at one of them
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--batch-size", default=api.DEFAULT_BATCH_SIZE, show_default=True, type=click.IntRange(min=1), help="Articles written per transaction.")
@click.option(
    "--max-article-mb", default=10.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
    help="Largest .txt/.html file (or JSONL line) read as one article.",
)
@click.option(
    "--max-article-seconds", default=DEFAULT_ARTICLE_SECONDS, show_default=True, type=click.FloatRange(min=0, min_open=True),
    help="Time a worker may spend cleaning and analyzing one article; past it the article fails and the run goes on.",
)
@click.option(
    "--workers", type=click.IntRange(min=0), default=None,
    help="Processes cleaning and analyzing articles in parallel (0: none, and no time limit).  [default: one per core, at most 4]",
)
@_wait_option(DEFAULT_WRITER_WAIT, "each batch")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_errors_as_messages
def ingest(
    paths: tuple[str, ...], db: str, batch_size: int, max_article_mb: float, max_article_seconds: float, workers: int | None, wait: float,
    quiet: bool,
) -> None:
    """Read articles from files and directories into the store.

    PATHS are .txt (scraped text), .html/.htm pages, .jsonl files with one
    article per line (fields: id, text or html, and optionally title, url,
    outlet, published, language, author), each optionally gzipped (.gz), or web
    archives (.warc, .arc: each HTML page captured is an article). Directories are
    read recursively.

    Running the same command again adds nothing new and finishes an
    interrupted run. Several ingests (and a server taking POSTs) may write to
    one store at once: they take turns batch by batch. Inputs that cannot be
    read are listed at the end; the exit code is 1 when there were any.
    Warnings (a given date or language that is ignored, a text too long to
    read whole) do not change it.
    """
    for path in paths:
        if Path(db).exists() and Path(path).exists() and os.path.samefile(db, path):
            raise _Failure(f"--db {db} is the input {path}; give the store another file")
    workers = default_workers() if workers is None else workers
    with api.open(
        db, batch_size=batch_size, max_article_bytes=int(max_article_mb * 1024 * 1024), workers=workers, seconds_per_article=max_article_seconds,
        writer_wait=wait,
    ) as sl:
        with _article_progress("Ingesting", quiet) as advance:
            report = sl.ingest(list(paths), progress=advance)
        _print_report(report, db, sl.count())
    if not report.ok:
        sys.exit(1)


@contextmanager
def _article_progress(what: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar of articles processed out of those the inputs hold, with the time spent and left (Rich, on standard error).

    The first articles take longest (the models load while the first batch is analyzed): the
    spinner and the elapsed time show the work goes on.
    """
    progress = Progress(
        SpinnerColumn(), TextColumn(f"[bold]{what}"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
        TimeElapsedColumn(), TextColumn("·"), TimeRemainingColumn(), console=err, disable=quiet, transient=True,
    )
    with progress:
        task = progress.add_task(what, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@contextmanager
def _stage_progress(quiet: bool, label: Callable[[str], str] = str.capitalize) -> Iterator[Callable[[str, int, int], None]]:
    """A bar per stage of a long command (analyzing, embedding, ...), each with its count, the time spent and
    left; yields the ``progress(stage, done, total)`` callback the Python API takes. ``label`` names a stage's bar."""
    progress = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("·"), TimeRemainingColumn(), console=err, disable=quiet, transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def advance(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(label(stage), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    with progress:
        yield advance


def _print_report(report: IngestReport, db: str, counts: dict[str, int]) -> None:
    err.print(
        f"{report.added} new articles ({report.duplicates} exact and {report.near_duplicates} near duplicates), "
        f"{report.new_stories} new stories, {report.already_stored} already stored. "
        + (f"{report.skipped} web archive records hold no article (requests, metadata, revisits, other types). " if report.skipped else "")
        + f"{escape(masked(db))} now holds {counts['articles']} articles in {counts['stories']} stories."
    )
    if report.warnings:
        err.print(f"[bold yellow]{len(report.warnings)} warning(s):[/]")
        for warning in report.warnings:
            err.print(f"  {escape(str(warning))}")
    if report.problems:
        err.print(f"[bold red]{len(report.problems)} input(s) could not be ingested:[/]")
        for problem in report.problems:
            err.print(f"  {escape(str(problem))}")


@cli.command()
@db_option
@click.option("--since", metavar="YYYY-MM-DD", help="Stories with an article published on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="... published on or before this day.")
@click.option("--language", metavar="CODE", help="... in this language (ISO 639-1: en, fr, ...).")
@click.option("--outlet", help="... from this outlet (any case).")
@click.option("--entity", help="... naming this entity: an id (e-...) or a name, in any of its spellings.")
@click.option("--q", "--query", "query", metavar="WORDS", help="... whose title or text holds all these words (names in any spelling).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Show at most this many stories.")
@_errors_as_messages
def stories(
    db: str, since: str | None, until: str | None, language: str | None, outlet: str | None, entity: str | None, query: str | None,
    as_json: bool, limit: int | None,
) -> None:
    """List stories, most recent first, with their articles.

    Filters keep the stories with at least one article that matches all of them.
    """
    with _open_existing(db) as sl:
        found = sl.stories(since=since, until=until, language=language, outlet=outlet, entity=entity, query=query, limit=limit)
    if as_json:
        click.echo(json.dumps([api.story_detail(s) for s in found], ensure_ascii=False, indent=2))
        return
    for story in found:
        _print_story(story)
    out.print(f"[dim]{len(found)} of {found.total} stories[/]")


@cli.command()
@click.argument("words", nargs=-1, required=True)
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def search(words: tuple[str, ...], db: str, limit: int, as_json: bool) -> None:
    """Find articles holding all these words, best match first, grouped by story.

    Case and accents do not matter; a name finds every spelling of what it
    names, in every script (Riabkov finds Ryabkov and Рябков); word* finds
    words that start with "word".
    """
    query = " ".join(words)
    with _open_existing(db) as sl:
        hits = sl.search(query, limit=limit)
        terms = [t for t in sl.query_terms(query) if t.entities]
        titles = sl.story_titles(list(dict.fromkeys(h.article.story_id or "" for h in hits)))
    groups: dict[str, list[SearchHit]] = {}
    for hit in hits:
        groups.setdefault(hit.article.story_id or "", []).append(hit)
    if as_json:
        payload = {
            "query": query,
            "total": hits.total,
            "terms": [api.query_term_record(t) for t in terms],
            "stories": [
                {"id": story_id, "title": titles.get(story_id), "articles": [api.hit_record(h) for h in group]}
                for story_id, group in groups.items()
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for term in terms:
        out.print(f"[dim]{escape(term.text)} also as {escape(', '.join(term.other_spellings))}[/]")
    for story_id, group in groups.items():
        out.print(f"\n[bold]{escape(titles.get(story_id) or '(untitled)')}[/]  [dim]{story_id}[/]")
        for hit in group:
            article = hit.article
            out.print(
                f"   {(article.published or '')[:10]:10}  {article.language or '??'}  {escape((article.outlet or '?')[:24]):24}  "
                f"{escape(article.title or '(no title)')}  [dim]{article.id}[/]"
            )
            snippet = "".join(f"[bold yellow]{escape(text)}[/]" if match else escape(text) for text, match in hit.snippet)
            out.print(f"      {snippet}")
    out.print(f"\n[dim]{len(hits)} of {hits.total} articles, in {len(groups)} stories[/]")


# ---- analysts' edits ---------------------------------------------------------------


def _print_edit(edit: StoryEdit, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(api.edit_record(edit), ensure_ascii=False, indent=2))
        return
    out.print(f"Edit {edit.id}: {escape(edit_summary(edit))}.")
    if edit.kind != "undo":
        out.print(f"[dim]Undo it with `storyline undo {edit.id}`.[/]")


json_option = click.option("--json", "as_json", is_flag=True, help="Print the edit as JSON.")


@cli.command()
@click.argument("story")
@click.argument("other")
@db_option
@json_option
@_errors_as_messages
def merge(story: str, other: str, db: str, as_json: bool) -> None:
    """Merge story OTHER into STORY: its articles join, its id leads to STORY.

    Recorded in the edit log; `storyline undo` reverses it.
    """
    with _open_existing(db) as sl:
        _print_edit(sl.merge_stories(story, other, by="cli"), as_json)


@cli.command()
@click.argument("story")
@click.argument("articles", nargs=-1, required=True)
@db_option
@click.option("--title", help="The new story's title (default: its most central headline).")
@json_option
@_errors_as_messages
def split(story: str, articles: tuple[str, ...], db: str, title: str | None, as_json: bool) -> None:
    """Take ARTICLES (and their copies) out of STORY into a new story.

    The matcher never merges the two again. Articles are named by their id
    or their input id.
    """
    with _open_existing(db) as sl:
        _print_edit(sl.split_story(story, list(articles), title=title, by="cli"), as_json)


@cli.command()
@click.argument("article")
@click.argument("story")
@db_option
@json_option
@_errors_as_messages
def move(article: str, story: str, db: str, as_json: bool) -> None:
    """Move ARTICLE (and its copies) to STORY.

    The matcher never merges the story it left with STORY afterwards, so the
    article is not pulled back.
    """
    with _open_existing(db) as sl:
        _print_edit(sl.move_article(article, story, by="cli"), as_json)


@cli.command()
@click.argument("story")
@click.argument("title")
@db_option
@json_option
@_errors_as_messages
def rename(story: str, title: str, db: str, as_json: bool) -> None:
    """Give STORY the title TITLE; it stays when new articles join."""
    with _open_existing(db) as sl:
        _print_edit(sl.rename_story(story, title, by="cli"), as_json)


@cli.command()
@click.argument("edit_id", required=False, type=click.IntRange(min=1))
@db_option
@json_option
@_errors_as_messages
def undo(edit_id: int | None, db: str, as_json: bool) -> None:
    """Undo edit EDIT_ID (default: the latest edit not undone yet).

    An edit that a later edit built on must wait until that one is undone.
    """
    with _open_existing(db) as sl:
        _print_edit(sl.undo(edit_id, by="cli"), as_json)


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Show at most this many edits.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def edits(db: str, limit: int, as_json: bool) -> None:
    """List the analysts' edits (merge, split, move, rename, undo), most recent first."""
    with _open_existing(db) as sl:
        found = sl.edits(limit=limit)
    if as_json:
        click.echo(json.dumps([api.edit_record(e) for e in found], ensure_ascii=False, indent=2))
        return
    for edit in found:
        undone = f" [dim](undone by edit {edit.undone_by})[/]" if edit.undone_by else ""
        out.print(f"{edit.id:>4}  {edit.at[:19].replace('T', ' ')}  {edit.by or '':5}  {escape(edit_summary(edit))}{undone}")
    out.print(f"[dim]{len(found)} of {found.total} edits[/]")


@cli.command()
@click.argument("ident")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def show(ident: str, db: str, as_json: bool) -> None:
    """Show one story ("s-..."), entity ("e-...") or article (its id or its input id)."""
    with _open_existing(db) as sl:
        story = sl.story(ident)
        entity = None if story else sl.entity(ident)
        article = None if story or entity else sl.article(ident)
        if story is None and entity is None and article is None:
            raise _Failure(f"no story, entity or article {ident!r} in {masked(db)}; `storyline stories` lists them")
        if as_json:
            if story is not None:
                payload = {**api.story_summary(story), "articles": [sl.article_export(a) for a in story.articles]}
            elif entity is not None:
                payload = api.entity_record(entity)
            else:
                payload = sl.article_export(article)  # type: ignore[arg-type]
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        elif story is not None:
            _print_story(story)
        elif entity is not None:
            _print_entity(entity)
        else:
            _print_article(article)  # type: ignore[arg-type]


@cli.command()
@db_option
@_errors_as_messages
def export(db: str) -> None:
    """Print all stories and articles as one JSON document (format: docs/export-format.md)."""
    with _open_existing(db) as sl:
        sl.export(sys.stdout)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def extract(file: str, as_json: bool) -> None:
    """Clean one .txt or .html file and print title, date, outlet, language and text."""
    article = api.extract(file)
    if as_json:
        click.echo(json.dumps(article.extract_dict(), ensure_ascii=False, indent=2))
    else:
        _print_article(article)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--published", help="Publication date (ISO 8601) to resolve relative dates against; default: found in the page.")
@click.option("--language", help="ISO 639-1 language code; default: detected.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def analyze(file: str, published: str | None, language: str | None, as_json: bool) -> None:
    """Analyze one .txt or .html file: entities, places, dates, quotes and events."""
    article, entities = api.analyze_file(file, published=published, language=language)
    record = {**article.extract_dict(), **api.analysis_record(article, {e.id: e for e in entities})}
    record.pop("text")
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    out.print(f"[bold]{escape(article.title or '(no title)')}[/]  [dim]{article.published or 'undated'} · {article.language or '?'}[/]")
    sections = {
        "entities": [f"{e['name']} ({e['type']}, {e['mentions']}x)" for e in record["entities"]],
        "places": [f"{' / '.join(p['written'])} -> {p['name']}, {p['country']} ({p['lat']}, {p['lon']})" for p in record["places"]],
        "times": [f"{t['text']} -> {t['value']}" for t in record["times"]],
        "quotes": [f"{q['speaker'] or '?'}: {q['text']}" for q in record["quotes"]],
        "events": [
            f"{e['status']}: {', '.join(e['who'])} {e['what']} {', '.join(e['whom'])} @ {e['where'] or '?'} on {e['when'] or '?'}"
            for e in record["events"]
        ],
    }
    for name, lines in sections.items():
        out.print(f"\n[bold]{name}[/]")
        for line in lines or ["(none)"]:
            out.print("  " + escape(line))


@cli.command()
@click.argument("input_file", metavar="INPUT.jsonl", type=click.Path(dir_okay=False))
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False), help="Where to write one {id, story} line per input line.")
@force_option
@click.option(
    "--workers", type=click.IntRange(min=0), default=None,
    help="Processes cleaning and analyzing articles in parallel (0: none).  [default: one per core, at most 4]",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_errors_as_messages
def cluster(input_file: str, output: str, force: bool, workers: int | None, quiet: bool) -> None:
    """Group the articles of a JSONL file into stories, in file order, without a store.

    Does exactly what ingest does (clean, duplicates, incremental matching) on
    a temporary store and writes {"id", "story"} per input line to --out. The
    file appears complete or not at all; an existing one is replaced only with
    --force, and never when it is the input.
    """
    workers = default_workers() if workers is None else workers
    with _output_file(output, [input_file], force=force) as handle, _article_progress("Clustering", quiet) as advance:
        report = api.cluster(input_file, handle, workers=workers, progress=advance)
    err.print(f"{report.added + report.already_stored} articles in {report.new_stories} stories -> {escape(output)}")
    if report.problems:
        for problem in report.problems:
            err.print(f"  {escape(str(problem))}")
        sys.exit(1)


@cli.command()
@click.argument("first")
@click.argument("second")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_errors_as_messages
def compare(first: str, second: str, db: str, as_json: bool) -> None:
    """How similar two stored articles are, on seven dimensions, and why.

    Scores use SemEval-2022 Task 8's scale: 1 = most similar, 4 = least, for
    Geography, Entities, Time, Narrative, Overall, Style and Tone. The evidence
    lists what both articles share: entities, places, dates, events.
    """
    with _open_existing(db) as sl:
        similarity = sl.compare(first, second)
    if as_json:
        out.print_json(data=api.similarity_record(similarity))
        return
    for dimension, score in similarity.scores.items():
        out.print(f"{dimension:<10} {score:.2f}  " + "█" * round((4 - score) * 5))
    evidence = similarity.evidence
    out.print(f"\n[bold]Shared[/bold] (cosine of the texts' embeddings: {evidence.meaning:.2f})")
    for label, values in (("entities", evidence.entities), ("places", evidence.places), ("countries", evidence.countries),
                          ("dates", evidence.dates), ("years", evidence.years), ("events", evidence.events)):
        out.print(f"  {label:<10} " + (escape(", ".join(values)) if values else "-"))
    if evidence.nearest_places_km is not None:
        out.print(f"  {'distance':<10} {evidence.nearest_places_km:,.0f} km between the nearest places named")


@cli.command()
@click.argument("pairs_file", metavar="PAIRS.csv", type=click.Path(dir_okay=False))
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False), help="Where to write the scores (CSV).")
@force_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_errors_as_messages
def similarity(pairs_file: str, output: str, force: bool, quiet: bool) -> None:
    """Score article pairs from a CSV file on seven dimensions, without a store.

    PAIRS.csv (or .csv.gz) needs the columns pair_id, lang1, lang2, text_1,
    text_2 (others are ignored). --out gets pair_id, Geography, Entities, Time,
    Narrative, Overall, Style, Tone: one row per input row, in order, on the
    1 (most similar) to 4 scale. Rows that cannot be scored keep their pair_id
    with empty scores and are listed; the exit code is then 1. The --out file
    appears complete or not at all; an existing one is replaced only with
    --force, and never when it is the input. Each distinct text is read once,
    by two embedding models: about two texts a second on 2 cores.
    """
    with _output_file(output, [pairs_file], force=force, newline="") as handle, _stage_progress(quiet) as progress:
        report = api.score_pairs(pairs_file, handle, progress=progress)  # a bar each: analyzing, embedding, scoring
    err.print(f"{report.scored} pairs scored -> {escape(output)}")
    if report.problems:
        err.print(f"{len(report.problems)} could not be read:")
        for problem in report.problems:
            err.print(f"  {escape(str(problem))}")
        sys.exit(1)


# ---- watched sources -------------------------------------------------------------


def _web_options(command: F) -> F:
    """The options of every command that fetches from the web."""
    options = [
        click.option(
            "--allow-private-addresses", is_flag=True,
            help="Also fetch from loopback, private and link-local addresses (an intranet, tests). Off: refused.",
        ),
        click.option(
            "--contact", envvar="STORYLINE_CONTACT", show_envvar=True, default=None,
            help="An e-mail or URL sent in the User-Agent, so site owners can reach you.",
        ),
        click.option(
            "--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
            help="Seconds between two requests to the same host (more if its robots.txt asks); under 1 is impolite on the open web.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _worker_options(command: F) -> F:
    """The options of the commands that keep a worker process for the articles they receive (serve, fetch, watch)."""
    options = [
        click.option(
            "--workers", type=click.IntRange(min=0), default=1, show_default=True,
            help="Processes cleaning and analyzing the articles received (0: in this process, with no time limit).",
        ),
        click.option(
            "--max-article-seconds", default=DEFAULT_ARTICLE_SECONDS, show_default=True, type=click.FloatRange(min=0, min_open=True),
            help="Time a worker may spend on one article; past it the article fails and the others go on.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _watch_settings(allow_private_addresses: bool, contact: str | None, delay: float) -> WatchSettings:
    return WatchSettings(FetchSettings(contact=contact or None, allow_private_addresses=allow_private_addresses, delay=delay))


@cli.group()
def sources() -> None:
    """The feeds, sitemaps and pages that `fetch` and `watch` follow.

    \b
      storyline sources add https://example.com/rss.xml --every 10m
      storyline sources list
      storyline fetch
    """


@sources.command("add")
@click.argument("urls", nargs=-1, required=True)
@db_option
@click.option("--every", default=None, help="Time between polls: 90s, 15m, 2h, 1d.  [default: 15m; kept for a source already watched]")
@click.option("--name", default=None, help="A name to show for the source (one URL only).")
@_errors_as_messages
def sources_add(urls: tuple[str, ...], db: str, every: str | None, name: str | None) -> None:
    """Watch feeds (RSS, Atom), sitemaps (news, index, text) or single pages.

    What each URL is, is found at its first poll from what the server returns.
    Adding a URL already watched changes its interval or name and revives it
    if it was marked dead.
    """
    if name and len(urls) > 1:
        raise click.UsageError("--name names one source; add the URLs one at a time to name each")
    interval = parse_every(every) if every else None
    with api.open(db) as sl:
        added = sl.add_sources(list(urls), every=interval, name=name)
        total = len(sl.sources())
    for source in added:
        err.print(f"watching {escape(source.url)} every {format_every(source.every)}")
    err.print(f"{escape(masked(db))} now watches {total} sources; `storyline fetch --db {escape(masked(db))}` polls them")


@sources.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_errors_as_messages
def sources_list(db: str, as_json: bool) -> None:
    """List the watched sources and their health: kind, last poll and success,
    HTTP status, items seen, new articles, errors in a row, next poll."""
    with _open_existing(db, "sources add URL") as sl:
        found, pages = sl.sources(), sl.source_pages()
    if as_json:
        click.echo(json.dumps([api.source_record(s, pages.get(s.url, {})) for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        err.print(f"no sources in {escape(masked(db))}; add one with `storyline sources add URL --db {escape(masked(db))}`")
        return
    for source in found:
        counts = pages.get(source.url, {})
        out.print(f"[bold]{source.health:8}[/] {escape(source.url)}" + (f"  [dim]({escape(source.name)})[/]" if source.name else ""))
        status = f" (HTTP {source.status})" if source.status else ""
        out.print(
            f"         {source.kind or 'not polled yet'} · every {format_every(source.every)} · last poll {_when(source.last_poll)}{status} · "
            f"last success {_when(source.last_success)} · {source.items_seen} items seen · {source.new_articles} new articles · "
            f"{counts.get('pending', 0)} pages waiting · {source.errors_in_row} errors in a row · "
            f"next poll {'never (dead)' if source.dead else _when(source.next_poll)}"
        )
        if source.error or source.note:
            out.print(f"         [dim]{escape(source.error or source.note or '')}[/]")


def _when(moment: str | None) -> str:
    return moment[:16].replace("T", " ") + " UTC" if moment else "never"


@sources.command("remove")
@click.argument("urls", nargs=-1, required=True)
@db_option
@_errors_as_messages
def sources_remove(urls: tuple[str, ...], db: str) -> None:
    """Stop watching sources; the articles already stored from them stay."""
    with _open_existing(db, "sources add URL") as sl:
        removed = sl.remove_sources(list(urls))
    for url in removed:
        err.print(f"no longer watching {escape(url)}")
    missing = len(urls) - len(removed)
    if missing:
        raise _Failure(f"{missing} of the URLs given were not watched; `storyline sources list` shows those that are")


@sources.command("import")
@click.argument("file", metavar="FILE.opml", type=click.Path(dir_okay=False))
@db_option
@click.option("--every", default=None, help="Time between polls for every feed imported.  [default: 15m]")
@_errors_as_messages
def sources_import(file: str, db: str, every: str | None) -> None:
    """Watch every feed of an OPML file (what feed readers export)."""
    with api.open(db) as sl:
        added, problems = sl.import_opml(file, every=parse_every(every) if every else None)
    err.print(f"{len(added)} sources imported from {escape(file)}")
    for problem in problems:
        err.print(f"  {escape(str(problem))}")
    if problems:
        sys.exit(1)


@sources.command("export")
@db_option
@_errors_as_messages
def sources_export(db: str) -> None:
    """Print the watched sources as OPML, which any feed reader imports."""
    with _open_existing(db, "sources add URL") as sl:
        click.echo(sl.export_opml(), nl=False)


@cli.command()
@db_option
@_web_options
@click.option("--now", "everything", is_flag=True, help="Poll every live source now, even those not due yet.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary, no line per source.")
@_worker_options
@_errors_as_messages
def fetch(
    db: str, allow_private_addresses: bool, contact: str | None, delay: float, everything: bool, quiet: bool, workers: int, max_article_seconds: float
) -> None:
    """Poll every source that is due once, fetch the pages of new items, store the articles.

    Pages go through the same cleaning, analysis and matching as ingested
    files, each within a time limit (a hostile page fails alone). Exit code 1
    when a source could not be polled.
    """
    with _open_existing(db, "sources add URL", workers=workers, seconds_per_article=max_article_seconds) as sl:
        report = sl.fetch(_watch_settings(allow_private_addresses, contact, delay), everything=everything, on_event=None if quiet else _event)
        counts = sl.count()
    _print_fetch_report(report, db, counts)
    if not report.ok:
        sys.exit(1)


@cli.command()
@db_option
@_web_options
@_worker_options
@_errors_as_messages
def watch(db: str, allow_private_addresses: bool, contact: str | None, delay: float, workers: int, max_article_seconds: float) -> None:
    """Poll and fetch forever, each source on its own schedule, until Ctrl-C or SIGTERM.

    A stop finishes storing what was fetched. Killed outright, the next run
    picks up where this one was: nothing lost, nothing stored twice. Each page
    is cleaned and analyzed within a time limit: a hostile page fails alone,
    and the watch goes on.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        err.print("[bold]stopping[/] (storing what was fetched; press Ctrl-C again to quit at once)")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with _open_existing(db, "sources add URL", workers=workers, seconds_per_article=max_article_seconds) as sl:
        err.print(f"Watching the {len(sl.sources())} sources of {escape(masked(db))} · Ctrl-C to stop")
        report = sl.watch(_watch_settings(allow_private_addresses, contact, delay), stop=stop, on_event=_event)
        counts = sl.count()
    _print_fetch_report(report, db, counts)


def _event(line: str) -> None:
    err.print(f"[dim]{dt.datetime.now():%H:%M:%S}[/] {escape(line)}")


def _print_fetch_report(report: FetchReport, db: str, counts: dict[str, int]) -> None:
    err.print(
        f"{report.sources_polled} sources polled ({report.not_modified} unchanged, {len(report.failed_sources)} failed), "
        f"{report.new_items} new items, {report.pages_fetched} pages fetched: {report.added} new articles "
        f"({report.duplicates} duplicates, {report.new_versions} new versions), {report.new_stories} new stories. "
        f"{escape(masked(db))} now holds {counts['articles']} articles in {counts['stories']} stories."
    )
    for title, problems, colour in (
        ("sources could not be polled", report.failed_sources, "red"), ("pages could not be fetched", report.failed_pages, "red"),
        ("pages were skipped", report.skipped_pages, "yellow"),
        ("pages will be tried again by the next run", report.put_off_pages, "yellow"),
    ):
        if problems:
            err.print(f"[bold {colour}]{len(problems)} {title}:[/]")
            for problem in problems:
                err.print(f"  {escape(str(problem))}")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--token", envvar="STORYLINE_TOKEN", show_envvar=True, default=None,
    help="Bearer token that writes (POST /api/articles) must send. Without one, writes are refused.",
)
@click.option("--max-body-mb", default=10.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Largest request body accepted.")
@click.option("--watch", "watching", is_flag=True, help="Also poll the watched sources and fetch their pages (as `storyline watch`).")
@click.option("--create", is_flag=True, help="Start a new, empty store when --db names no file yet (to fill it with POST /api/articles).")
@_worker_options
@_web_options
@_wait_option(SERVE_WRITER_WAIT, "a POST")
@_errors_as_messages
def serve(
    db: str, host: str, port: int, token: str | None, max_body_mb: float, watching: bool, create: bool, workers: int, max_article_seconds: float,
    allow_private_addresses: bool, contact: str | None, delay: float, wait: float,
) -> None:
    """Serve the web pages and the HTTP API over the store.

    Pages: / (stories), /stories/ID, /articles/ID, /search, /sources. JSON API
    under /api/ (docs/http.md; schema at /openapi.json). Listens on 127.0.0.1
    only unless --host says otherwise. Stop with Ctrl-C.
    """
    from storyline.serve.app import ServeSettings, run  # the web stack loads only for this command

    if not create and not store_exists(db):  # a typo must not serve a new, empty store
        raise _Failure(
            f"{masked(db)}: no Storyline store here yet; run `storyline ingest PATH --db {masked(db)}` first, "
            "or pass --create to serve a new, empty one"
        )
    with api.open(db, create=create, workers=workers, seconds_per_article=max_article_seconds, writer_wait=wait) as sl:
        writes = "writes need the token" if token else "read only (no --token: writes are refused)"
        err.print(f"Serving {escape(masked(db))} at http://{host}:{port}/ · {writes}")
        settings = ServeSettings(token=token or None, max_body_bytes=int(max_body_mb * 1024 * 1024))
        if watching:
            try:
                sl.store.check_terms_version()
            except TermsVersionError as exc:  # reading still works: serve it, and say why nothing is fetched
                err.print(f"[bold yellow]Not watching the sources:[/] {escape(str(exc))}")
                watching = False
        if not watching:
            run(sl, host=host, port=port, settings=settings)
            return
        stop = threading.Event()
        watcher = threading.Thread(
            target=sl.watch, args=(_watch_settings(allow_private_addresses, contact, delay),),
            kwargs={"stop": stop, "on_event": _event}, name="storyline-watch", daemon=True,
        )
        err.print(f"Watching the {len(sl.sources())} sources of {escape(masked(db))} beside the server")
        watcher.start()
        try:
            run(sl, host=host, port=port, settings=settings)
        finally:
            stop.set()  # the watch stores what it fetched, then ends
            watcher.join(timeout=120)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@db_option
@click.option(
    "--spark", "master", default=DEFAULT_MASTER, show_default=True, metavar="MASTER",
    help="Where Spark runs: local[*] (this machine), local[N], spark://HOST:7077, yarn, k8s://https://HOST:443.",
)
@click.option(
    "--order", type=click.Choice(ORDERS), default="input", show_default=True,
    help="Match in the order ingest reads the inputs, or by publication day (published).",
)
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE", help="A Spark setting, e.g. spark.executor.memory=8g (repeatable).")
@click.option("--slice-mb", default=16.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="A JSONL file larger than this is read by several Spark tasks.")
@click.option("--batch-size", default=api.DEFAULT_BATCH_SIZE, show_default=True, help="Articles written per transaction.")
@click.option("--max-article-mb", default=10.0, show_default=True, help="Largest .txt/.html file (or JSONL line) read as one article.")
@_wait_option(DEFAULT_WRITER_WAIT, "each batch")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_errors_as_messages
def backfill(
    paths: tuple[str, ...], db: str, master: str, order: str, confs: tuple[str, ...], slice_mb: float, batch_size: int,
    max_article_mb: float, wait: float, quiet: bool,
) -> None:
    """Ingest an archive with Apache Spark: clean and analyze on the cluster, match here.

    INPUT... are files and folders as for ingest, readable at the same path on
    every Spark executor (a shared file system). Spark's executors read,
    clean and analyze them; this process then matches and stores the articles
    exactly as ingest would (the same stories), taking turns with other
    writers. Running it again skips what is stored and finishes an
    interrupted run. Needs pip install 'storyline[spark]' and Java 17+.
    """
    spark_conf = {}
    for conf in confs:
        key, equals, value = conf.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(f"{conf!r} is not KEY=VALUE", param_hint="--conf")
        spark_conf[key.strip()] = value.strip()
    with api.open(db, batch_size=batch_size, max_article_bytes=int(max_article_mb * 1024 * 1024), writer_wait=wait) as sl:
        phases = {"preparing": "Preparing on Spark (tasks)"}
        with _stage_progress(quiet, label=lambda phase: phases.get(phase, "Matching here (inputs)")) as progress:
            report = sl.backfill(list(paths), master=master, order=order, spark_conf=spark_conf, slice_mb=slice_mb, progress=progress)
        executors = report.executors
        retried = f" ({executors.failed_tasks} failed attempts were run again)" if executors.failed_tasks else ""
        err.print(f"Spark: {executors.documents_prepared} documents cleaned and analysed in {executors.tasks} tasks{retried}.")
        _print_report(report, db, sl.count())
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--from", "source", required=True, metavar="LOCATION", help="The store to copy: a SQLite file or postgresql://...")
@click.option("--to", "target", required=True, metavar="LOCATION", help="Where to copy it: a new, empty store.")
@_wait_option(DEFAULT_WRITER_WAIT, "each store")
@click.option("--quiet", "-q", is_flag=True, help="No progress.")
@_errors_as_messages
def migrate(source: str, target: str, wait: float, quiet: bool) -> None:
    """Copy a whole store to another backend: SQLite to PostgreSQL, or back.

    Every story, article, explanation and entity, the duplicate index, the
    term statistics and the raw inputs are copied in one transaction; the
    new store goes on exactly where the old one stopped. --to must be empty.
    """
    if not store_exists(source):
        raise click.ClickException(f"{masked(source)}: no store here to copy")
    with Progress(TextColumn("[bold]Copying {task.description}"), TextColumn("{task.completed} rows"), console=err, disable=quiet,
                  transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table)
            progress.update(tasks[table], completed=rows)

        copied = api.migrate(source, target, writer_wait=wait, progress=advance)
    err.print(
        f"Copied {escape(masked(source))} to {escape(masked(target))}: "
        f"{copied.get('articles', 0)} articles, {copied.get('stories', 0)} stories, {sum(copied.values())} rows in {len(copied)} tables."
    )


@cli.command("reindex-terms")
@db_option
@_wait_option(DEFAULT_WRITER_WAIT, "the rebuild")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_errors_as_messages
def reindex_terms(db: str, wait: float, quiet: bool) -> None:
    """Count the store's terms again, as this version of Storyline counts them.

    Needed once after an upgrade that changed how text becomes terms (writes
    to the store refuse to run until then and say so; reading works). The
    document frequencies and every story's wording are made again from the
    stored articles, in one transaction: an interrupted run leaves the store
    as it was, and running it again is harmless. Embeddings, entities and
    which article is in which story do not change.
    """
    with _open_existing(db, writer_wait=wait) as sl, _stage_progress(quiet) as progress:
        done = sl.reindex_terms(progress=progress)  # a bar each: counting terms, rewriting stories (articles)
    versions = f"terms version {done.version}" + (f", was {done.previous_version}" if done.previous_version != done.version else ", as before")
    err.print(
        f"Counted the terms of {done.articles_counted} articles again and rewrote the wording of {done.stories} stories ({versions}); "
        f"{escape(masked(db))} takes new articles again."
    )


# ---- text output ------------------------------------------------------------


def _print_story(story: Story) -> None:
    span = " .. ".join(sorted({(story.first_published or "")[:10], (story.last_published or "")[:10]} - {""}))
    out.print(f"[bold]{escape(story.title or '(untitled)')}[/]  [dim]{story.id}[/]")
    out.print(
        f"  {len(story.articles)} articles · {escape(', '.join(story.outlets) or 'unknown outlets')} · "
        f"{', '.join(story.languages) or '?'} · {span or 'undated'}"
    )
    roles = story.explanation.roles if story.explanation else {}
    for article in story.articles:
        mark = f" [dim]({article.duplicate_kind} duplicate)[/]" if article.duplicate_kind else ""
        role = f"[dim]{roles.get(article.id, ''):9}[/] " if roles else ""
        out.print(
            f"   {(article.published or '')[:10]:10}  {role}{article.language or '??'}  "
            f"{escape((article.outlet or '?')[:24]):24}  {escape(article.title or '(no title)')}{mark}"
        )
    if story.explanation is not None:
        _print_explanation(story.explanation, {a.id: a.outlet or a.id for a in story.articles})
    out.print()


def _print_explanation(explanation: Explanation, outlet_of: dict[str, str]) -> None:
    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.print(f"\n  [bold]{title}[/]")
            for line in lines:
                out.print("    " + escape(line))

    section("Summary", [f"{s.text} ({outlet_of.get(s.sources[0], s.sources[0])})" for s in explanation.summary])
    section("Timeline", [f"{t.date or 'undated':10} {t.status:9} {t.text} ({len(t.articles)} articles)" for t in explanation.timeline])
    section("Agreed by several sources", [f"{f.text} ({', '.join(f.outlets)})" for f in explanation.agreed_facts])
    section("Said by one source only", [f"{c.text} ({c.outlets[0]})" for c in explanation.single_source])
    section("Who said what", [f"{q.speaker or '?'}: {q.text} ({outlet_of.get(q.article, q.article)})" for q in explanation.quotes])
    absent = explanation.coverage.absent_outlets
    if absent:
        section("Active those days but silent on it", [", ".join(absent)])


def _print_entity(entity: Entity) -> None:
    out.print(f"[bold]{escape(entity.name)}[/]  [dim]{entity.type} · {entity.id}[/]")
    out.print(f"  {entity.mentions} mentions in {entity.articles} articles")
    aliases = sorted(entity.aliases, key=lambda a: -entity.aliases[a])
    out.print("  also written: " + escape(", ".join(f"{a} ({entity.aliases[a]})" for a in aliases)))
    if entity.place is not None:
        out.print(f"  GeoNames {entity.place.geonames_id}: {escape(entity.place.name)}, {entity.place.country} ({entity.place.lat}, {entity.place.lon})")


def _print_article(article: Article) -> None:
    out.print(f"[bold]{escape(article.title or '(no title)')}[/]")
    details = [article.outlet, article.published, article.language, article.author, article.url]
    out.print("[dim]" + escape(" · ".join(d for d in details if d)) + "[/]")
    if article.story_id:
        out.print(f"[dim]story {article.story_id} · article {article.id}[/]")
    out.print()
    out.print(escape(article.text))


def main() -> None:
    cli(prog_name="storyline")


if __name__ == "__main__":
    main()
