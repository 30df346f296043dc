"""Timeline ordering: does Storyline put the events of a cross-document timeline in the right order?

Data: SemEval-2015 Task 4 (TimeLine) trial data, read from its tar.gz: 30 Wikinews
articles about Apple in TimeML (each with its creation time, DCT, used as the
publication date) and 6 gold timelines of a target entity ("iPhone 4", "Steve
Jobs"), each a list of events (document, sentence, word) with a position and a
date (or XXXX-XX-XX when the text gives none).

Each article is analyzed as Storyline analyzes any article (``analyze``). A gold
event is found by its word in its sentence, and dated as Storyline dates an event
(``events.date_near``: the resolved date nearest the word in its clause, else in
its sentence); an event whose sentence has no date falls back to its article's
publication date, as the story timeline does. An event with coreferent mentions
takes the most precise date of its mentions.

Measures, per method, over pairs of gold-dated events of one timeline with
different gold positions (undated gold events sit at position 0 by convention,
which says nothing about their order, so they are left out of pairs):
concordant, discordant and tied pairs (both events get the same day), and
accuracy = (concordant + ties / 2) / pairs; the same for the pairs whose events
are in one article (where the publication date ties every pair). Also: how many gold-dated events got a
date of their own (coverage), and how many of those dates agree with the gold date
at the gold's precision ("2010-06-07" for "2010-06" counts).

Methods, in the same run:
- baseline: every event at its article's publication date;
- storyline: ``date_near``, else the publication date;
- storyline + tense: as storyline, but an undated event told in the past tense
  (``TenseReader``) comes just before its article's publication date, one told in
  the future just after.

The task's official scorer (temporal awareness over timeline TLINKs) is not implemented.

    python bench/timelines.py [--show 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, write_result  # noqa: E402
from storyline.analyze import analyze  # noqa: E402
from storyline.analyze.events import date_near, dates_compatible  # noqa: E402
from storyline.analyze.times import TenseReader  # noqa: E402
from storyline.model import Article  # noqa: E402

ARCHIVE = DATA / "semeval2015_task4_timeline" / "timeline_trial.tar.gz"
DOCUMENTS = "Corpus-trial-data_task4_TimeML/"
TIMELINES = "TimeLines_trial_data_task4_v1.2/"
_SENTENCE = re.compile(r'<s id="(\d+)">(.*?)</s>', re.S)
_DCT = re.compile(r'<DCT><TIMEX3[^>]*value="([^"]+)"')
_TITLE = re.compile(r"<EXTRAINFO>(.*?)</EXTRAINFO>", re.S)
_TAG = re.compile(r"<[^>]+>")
# Tokens are separated by spaces in the data; glue punctuation back as a news text writes it.
_SPACE_BEFORE_PUNCTUATION = re.compile(r" (?=[,.;:!?)%]|'s\b|n't\b)")
_SPACE_AFTER_BRACKET = re.compile(r"(?<=\() ")

Key = tuple[dt.date, int]  # a day, then before (-1) / on (0) / after (+1) it, for undated events


@dataclass
class Document:
    article: Article
    sentences: dict[str, tuple[int, int]]  # gold sentence id -> span in the article text


@dataclass
class GoldEvent:
    timeline: str
    position: int
    date: str | None  # None for XXXX-XX-XX; "2008-03" for "2008-03-XX"
    mentions: list[tuple[str, str, str]]  # (document id, sentence id, word)


def read_data() -> tuple[dict[str, Document], list[GoldEvent]]:
    documents: dict[str, Document] = {}
    events: list[GoldEvent] = []
    with tarfile.open(ARCHIVE) as archive:
        for member in archive.getmembers():
            raw = archive.extractfile(member).read().decode("utf-8") if member.isfile() else ""
            if member.name.startswith(DOCUMENTS) and member.name.endswith(".tml"):
                document = _document(raw)
                documents[document.article.id] = document
            elif member.name.startswith(TIMELINES) and member.name.endswith(".txt"):
                events.extend(_timeline(Path(member.name).stem, raw))
    return documents, events


def _document(raw: str) -> Document:
    doc_id = re.search(r"<DOCID>(\d+)</DOCID>", raw).group(1)
    title = _TITLE.search(raw)
    pieces, sentences, length = [], {}, 0
    for sentence_id, body in _SENTENCE.findall(raw):
        words = html.unescape(_TAG.sub("", body)).split()
        sentence = _SPACE_AFTER_BRACKET.sub("", _SPACE_BEFORE_PUNCTUATION.sub("", " ".join(words)))
        sentences[sentence_id] = (length, length + len(sentence))
        pieces.append(sentence)
        length += len(sentence) + 1
    article = Article(
        id=doc_id, source=doc_id, title=html.unescape(title.group(1)) if title else None, text="\n".join(pieces),
        published=_DCT.search(raw).group(1)[:10], language="en", outlet="Wikinews",
    )
    return Document(article, sentences)


def _timeline(name: str, raw: str) -> list[GoldEvent]:
    events = []
    for line in raw.splitlines()[1:]:  # the first line names the entity
        if not line.strip():
            continue
        position, date, *mentions = line.split("\t")
        known = date.split("-XX")[0]
        events.append(GoldEvent(
            name, int(position), None if "X" in known else known,
            [_mention(m) for m in mentions],
        ))
    return events


def _mention(reference: str) -> tuple[str, str, str]:
    """"16844-2-unveiled" -> document, sentence, word (the word may hold a hyphen: "pre-orders")."""
    document, sentence, word = reference.split("-", 2)
    return document, sentence, word


def word_position(document: Document, sentence_id: str, word: str) -> int | None:
    """Where the gold event word ("court_case") first occurs in its sentence."""
    span = document.sentences.get(sentence_id)
    if span is None:
        return None
    pattern = r"(?<!\w)" + r"\s*".join(re.escape(part) for part in word.split("_")) + r"(?!\w)"
    match = re.compile(pattern, re.I).search(document.article.text, span[0], span[1])
    return match.start() if match else None


def first_day(value: str) -> dt.date | None:
    """The first day of a TIMEX3 date value: "2010-06-07", "2010-06", "2010", "2010-W23", "2010-Q2", "199" (1990s)."""
    try:
        if len(value) == 3 and value.isdigit():
            return dt.date(int(value) * 10, 1, 1)
        year, rest = int(value[:4]), value[5:].split("T")[0]
        if rest.startswith("W"):
            return dt.date.fromisocalendar(year, int(rest[1:3]), 1)
        if rest.startswith("Q"):
            return dt.date(year, 3 * int(rest[1]) - 2, 1)
        parts = [int(p) for p in rest.split("-") if p.isdigit()] if rest else []
        return dt.date(year, parts[0] if parts else 1, parts[1] if len(parts) > 1 else 1)
    except ValueError:
        return None


@dataclass
class Dated:
    """One gold event as a method places it."""

    key: Key | None  # None: the event was not found in the data
    own_date: str | None  # the date found near its word, if any


Method = Callable[[GoldEvent], Dated]


def make_methods(documents: dict[str, Document]) -> dict[str, Method]:
    tenses = {i: TenseReader(d.article.text, "en") for i, d in documents.items()}

    def located(event: GoldEvent) -> list[tuple[Document, int]]:
        found = []
        for doc_id, sentence_id, word in event.mentions:
            document = documents.get(doc_id)
            position = word_position(document, sentence_id, word) if document else None
            if position is not None:
                found.append((document, position))
        return found

    def baseline(event: GoldEvent) -> Dated:
        found = located(event)
        return Dated((found[0][0].article.published_day, 0) if found else None, None)

    def storyline(event: GoldEvent, *, with_tense: bool = False) -> Dated:
        found = located(event)
        if not found:
            return Dated(None, None)
        dates = [v for d, p in found if (v := date_near(d.article.text, p, d.article.times)) and first_day(v)]
        if dates:
            own = max(dates, key=len)  # the most precise, as events merge their mentions
            return Dated((first_day(own), 0), own)
        document, position = found[0]
        side = 0
        if with_tense:
            tense = tenses[document.article.id].tense(position, position + 1)
            side = -1 if tense < 0 else 1 if tense > 0 else 0
        return Dated((document.article.published_day, side), None)

    return {"baseline": baseline, "storyline": storyline, "storyline_tense": lambda e: storyline(e, with_tense=True)}


def score(events: list[GoldEvent], method: Method) -> dict[str, object]:
    placed = {id(e): method(e) for e in events}
    dated_gold = [e for e in events if e.date]
    found = [e for e in dated_gold if placed[id(e)].key is not None]
    own = [e for e in found if placed[id(e)].own_date]
    agree = [e for e in own if (placed[id(e)].own_date or "").startswith(e.date or "")]
    compatible = [e for e in own if dates_compatible(placed[id(e)].own_date, e.date)]
    pairs = [(a, b) for a, b in combinations(found, 2) if a.timeline == b.timeline and a.position != b.position]
    # Within one article the publication date ties every pair: there only a reading of the text orders events.
    same_document = [(a, b) for a, b in pairs if a.mentions[0][0] == b.mentions[0][0]]
    return {
        **_ordering(pairs, placed),
        "same_document": _ordering(same_document, placed),
        "gold_dated_events": len(dated_gold), "found_in_text": len(found),
        "dated_near_word": len(own), "date_agrees_with_gold": len(agree), "date_compatible_with_gold": len(compatible),
    }


def _ordering(pairs: list[tuple[GoldEvent, GoldEvent]], placed: dict[int, Dated]) -> dict[str, object]:
    concordant = discordant = tied = 0
    for a, b in pairs:
        key_a, key_b = placed[id(a)].key, placed[id(b)].key
        if key_a == key_b:
            tied += 1
        elif (key_a < key_b) == (a.position < b.position):  # type: ignore[operator]
            concordant += 1
        else:
            discordant += 1
    return {
        "pairs": len(pairs), "concordant": concordant, "discordant": discordant, "tied": tied,
        "accuracy_ties_half": round((concordant + tied / 2) / len(pairs), 4) if pairs else 0.0,
        "accuracy_untied_pairs": round(concordant / (concordant + discordant), 4) if concordant + discordant else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print this many gold events with the date Storyline gives them")
    args = parser.parse_args()
    documents, events = read_data()
    analyze([d.article for d in documents.values()])
    methods = make_methods(documents)
    results = {name: score(events, method) for name, method in methods.items()}
    per_timeline = {
        name: {t: score([e for e in events if e.timeline == t], method)["accuracy_ties_half"] for t in sorted({e.timeline for e in events})}
        for name, method in methods.items()
    }
    missing = sorted({m[0] for e in events for m in e.mentions if m[0] not in documents})
    for name, result in results.items():
        print(f"{name:16} {result}")
    for event in [e for e in events if e.date][: args.show]:
        placed = methods["storyline"](event)
        print(f"{event.timeline:20} {event.position:>2} gold {event.date:10} ours {placed.own_date or '-':12} {'-'.join(event.mentions[0])}")
    write_result("timelines", {
        "data": "SemEval-2015 Task 4 TimeLine trial data: 30 Wikinews documents, 6 gold timelines",
        "documents": len(documents),
        "gold_events": len(events),
        "documents_named_by_gold_but_absent": missing,
        "pairs": "gold-dated events of one timeline with different gold positions; ties = same day (and, for storyline_tense, same side of it)",
        "methods": results,
        "accuracy_ties_half_per_timeline": per_timeline,
    })


if __name__ == "__main__":
    main()
