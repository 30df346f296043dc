"""Explain a story from its analyzed articles: timeline, coverage, agreed facts, single-source claims,
who said what, and a short summary.

Written by hand: no library explains a cluster of multilingual news articles.
Everything is computed from one story's articles (and the outlets active in the
same days), so recomputing one story never touches another.

- Timeline: events of every article (``analyze.events``) merged when they are
  of one kind, at compatible dates and places; an event's status is what the
  latest article reporting it says (a preview's "planned" becomes "happened"
  once a report comes in; "cancelled" when a later article says postponed).
  Each article is a preview (it reports the main event as planned, before its
  date), a report (on or right after it) or a follow-up (later).
- Agreed facts: sentences of different outlets that say the same thing, in any
  language (multilingual sentence embeddings, helped by the names they share),
  and events reported by several outlets. Near-duplicates are one source.
- Single-source claims: events and sentences naming something no other outlet
  mentions. Never presented as agreed.
- Summary: central sentences of several sources, in the story's main language,
  chosen for coverage of the story and diversity (maximal marginal relevance).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import numpy as np

from storyline.analyze.names import TITLES, plain_key
from storyline.analyze.terms import WORD as _WORD, content_terms, stopwords
from storyline.model import Article, Coverage, Event, EventStatus, Explanation, Statement, StoryQuote, TimelineEntry

# Two sentences of different outlets say the same thing when the cosine of their embeddings
# (USE-multilingual: translations score 0.8-0.9, paraphrases 0.5-0.7), plus what they share
# (canonical entities, numbers, folded content words), reaches SAME_STATEMENT.
SAME_STATEMENT = 0.75
PER_SHARED_ENTITY = 0.08
PER_SHARED_WORD = 0.04
MOST_FOR_WORDS = 0.12
# A sentence this close (embedding cosine) to one of another outlet is told there too, in other
# words or another language: not a single-source claim. On the sample corpus's hand-labelled
# claims (bench/agreed_facts.py) nearly every claim above 0.55 was told elsewhere, most below it not.
ECHOED = 0.55
# A report comes out at most this long after the event it reports.
REPORT_DAYS = 2
SUMMARY_SENTENCES = 4
MAX_FACTS = 8
MAX_CLAIMS = 10
MAX_TIMELINE = 12


def explain_story(
    articles: list[Article],
    sentence_vectors: Mapping[str, np.ndarray],
    *,
    names: Mapping[str, str] | None = None,
    active_outlets: Mapping[str, int] | None = None,
) -> Explanation:
    """The explanation of the story made of ``articles`` (with their analysis and sentence embeddings).

    ``names``: the current name of each entity (names settle as articles arrive);
    ``active_outlets``: articles per outlet, story or not, in the story's days.
    """
    articles = sorted(articles, key=lambda a: (a.published or "9999", a.id))
    sources = [a for a in articles if a.duplicate_of is None]  # copies are not independent sources
    clusters = _event_clusters(articles, names or {})
    timeline = [entry for entry, _ in clusters]
    statements = _statements(sources, sentence_vectors)
    groups = _agreeing_groups(statements)
    agreed, claimed = _facts(clusters, statements, groups, names or {})
    topics = _shared_topics(sources)
    if topics:
        agreed.insert(min(1, len(agreed)), topics)
    return Explanation(
        timeline=timeline,
        roles=_roles(articles, timeline),
        coverage=_coverage(articles, active_outlets or {}),
        agreed_facts=agreed,
        single_source=claimed,
        quotes=[StoryQuote(q.speaker, q.speaker_entity, q.text, a.id) for a in sources for q in a.quotes],
        summary=_summary(statements, groups, _main_language(articles)),
    )


# ---- timeline ------------------------------------------------------------------


# Kinds that name one event differently ("the summit", "the meeting").
_SAME_KIND = {"summit": "meeting"}


def _same_event(a: Event, b: Event) -> bool:
    from storyline.analyze.events import dates_compatible  # the analysis modules load on first use: read-only commands import this one

    if _SAME_KIND.get(a.what, a.what) != _SAME_KIND.get(b.what, b.what) or not dates_compatible(a.when, b.when):
        return False
    if a.where and b.where and a.where != b.where:
        return False
    return bool(a.when and b.when) or bool(a.where and a.where == b.where) or bool(set(a.who + a.whom) & set(b.who + b.whom))


Cluster = list[tuple[Article, Event]]  # one event as each article reports it


def _event_clusters(articles: list[Article], names: Mapping[str, str]) -> list[tuple[TimelineEntry, Cluster]]:
    """The story's events, merged over articles, in time order, each with the reports it merges."""
    clusters: list[Cluster] = []
    for article in articles:  # in publication order: the latest report comes last
        for event in article.events:
            if _is_toll(event, article.events):
                continue
            target = next((c for c in clusters if any(_same_event(event, e) for _, e in c)), None)
            if target is None:
                clusters.append([(article, event)])
            else:
                target.append((article, event))
    entries = [(_entry(cluster, names), cluster) for cluster in clusters]
    # An event one article mentions in passing is background, not timeline, unless it has a
    # date and says who took part in it or where, or is planned (what is announced is news).
    entries = [(e, c) for e, c in entries if len(e.articles) > 1 or (e.date and (e.who or e.where or e.status == "planned"))]
    first_day = {id(c): min((a.published or "") for a, _ in c) for _, c in entries}
    return sorted(entries, key=lambda pair: (pair[0].date or first_day[id(pair[1])] or "9999")[:10])[:MAX_TIMELINE]


# Kinds that are the toll of another event when they share its date ("the quake killed three").
_TOLLS = frozenset({"death"})


def _is_toll(event: Event, events: list[Event]) -> bool:
    """A death on the day of an attack, a disaster or an accident of the same article is its toll, not an event of its own."""
    from storyline.analyze.events import dates_compatible  # the analysis modules load on first use: read-only commands import this one

    return event.what in _TOLLS and any(
        other.what not in _TOLLS and (event.when is None or (other.when and dates_compatible(event.when, other.when))) for other in events
    )


def _participants(event: Event) -> dict[str, str]:
    """Entity id (or name, when unlinked) -> name, for everyone an event names."""
    return {i: n for i, n in zip(event.who_ids + event.whom_ids, event.who + event.whom)} or {n: n for n in event.who + event.whom}


def _entry(cluster: list[tuple[Article, Event]], names: Mapping[str, str]) -> TimelineEntry:
    events = [e for _, e in cluster]
    latest = max(cluster, key=lambda pair: pair[0].published or "")[1]
    # an undated report ("they met in Vienna") does not make a dated plan ("in late May") happen
    dated = [e for e in events if e.when] or events
    status: EventStatus = "cancelled" if latest.status == "cancelled" else (
        "happened" if any(e.status == "happened" for e in dated) else latest.status
    )
    date = max((e.when for e in events if e.when), key=len, default=None)  # the most precise
    where = Counter(e.where for e in events if e.where).most_common(1)
    counted = Counter(i for e in events for i in _participants(e))
    written = {i: n for e in events for i, n in _participants(e).items()}
    who = tuple(names.get(i, written[i]) for i, _ in counted.most_common(4))
    text = events[0].what + (f" in {where[0][0]}" if where else "") + (f": {', '.join(who)}" if who else "")
    return TimelineEntry(
        date=date, status=status, text=text, articles=tuple(dict.fromkeys(a.id for a, _ in cluster)),
        what=events[0].what, where=where[0][0] if where else None, who=who,
    )


def _roles(articles: list[Article], timeline: list[TimelineEntry]) -> dict[str, str]:
    """Preview, report or follow-up of the story's main event (the one most articles report)."""
    dated = [e for e in timeline if e.date and e.date[:4].isdigit()]
    if not dated:
        return {a.id: ("report" if i == 0 else "follow-up") for i, a in enumerate(articles)}
    main = max(dated, key=lambda e: (len(e.articles), -timeline.index(e)))
    event_day = _first_day(main.date or "")
    roles = {}
    for article in articles:
        day = article.published_day
        if day is None or event_day is None:
            roles[article.id] = "report"
        elif day < event_day:
            roles[article.id] = "preview"
        elif (day - event_day).days <= REPORT_DAYS:
            roles[article.id] = "report"
        else:
            roles[article.id] = "follow-up"
    return roles


def _first_day(value: str) -> dt.date | None:
    """The first day of a TIMEX3 date value ("2021-07-28", "2021-W30", "2021-07")."""
    try:
        if "W" in value:
            return dt.date.fromisocalendar(int(value[:4]), int(value[6:8]), 1)
        parts = value[:10].split("-")
        return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


# ---- coverage -------------------------------------------------------------------


def _coverage(articles: list[Article], active_outlets: Mapping[str, int]) -> Coverage:
    outlets = Counter(a.outlet or "unknown" for a in articles)
    days = Counter((a.published or "")[:10] for a in articles if a.published)
    published = sorted(a.published for a in articles if a.published)
    absent = [o for o, n in sorted(active_outlets.items(), key=lambda item: (-item[1], item[0])) if o not in outlets and n >= 2]
    return Coverage(
        outlets=tuple(outlets.most_common()),
        languages=tuple(Counter(a.language or "unknown" for a in articles).most_common()),
        first_seen=published[0] if published else None,
        last_seen=published[-1] if published else None,
        per_day=tuple(sorted(days.items())),
        absent_outlets=tuple(absent[:8]),
    )


# ---- statements: sentences that can be compared across articles ----------------


class _Statement:
    __slots__ = ("article", "entities", "index", "language", "outlet", "text", "vector", "words")

    def __init__(self, article: Article, index: int, text: str, vector: np.ndarray, entities: frozenset[str]) -> None:
        self.article, self.index, self.text, self.vector, self.entities = article, index, text, vector, entities
        self.outlet = article.outlet or article.id
        self.language = article.language
        # Folded content words and numbers: names and figures match across languages too.
        self.words = frozenset(content_terms(text, article.language))

    def agreement(self, other: _Statement, cosine: float) -> float:
        shared_words = len(self.words & other.words) * PER_SHARED_WORD
        return cosine + PER_SHARED_ENTITY * len(self.entities & other.entities) + min(shared_words, MOST_FOR_WORDS)


def _statements(sources: list[Article], sentence_vectors: Mapping[str, np.ndarray]) -> list[_Statement]:
    statements = []
    for article in sources:
        vectors = sentence_vectors.get(article.id)
        if vectors is None:
            continue
        for index, ((start, end), vector) in enumerate(zip(article.sentences, vectors)):
            named = frozenset(m.entity_id for m in article.mentions if m.entity_id and start <= m.start < end)
            statements.append(_Statement(article, index, article.text[start:end], vector, named))
    return statements


def _agreeing_groups(statements: list[_Statement]) -> list[list[_Statement]]:
    """Groups of statements from different outlets that say the same thing.

    Best-agreeing pairs first; a statement joins a group only if it agrees with
    the group's first statement, so a chain of loose resemblances never makes
    one "fact" of several.
    """
    if len(statements) < 2:
        return []
    similar = _cosines(statements)
    reachable = SAME_STATEMENT - PER_SHARED_ENTITY * 4 - MOST_FOR_WORDS  # below this cosine nothing can agree
    pairs = []
    for i, j in zip(*np.nonzero(np.triu(similar, 1) >= reachable)):
        a, b = statements[i], statements[j]
        if a.outlet != b.outlet and (score := a.agreement(b, float(similar[i, j]))) >= SAME_STATEMENT:
            pairs.append((score, int(i), int(j)))
    group_of: dict[int, list[int]] = {}
    for _, i, j in sorted(pairs, reverse=True):
        if i in group_of and j in group_of:
            continue
        if i not in group_of and j not in group_of:
            group_of[i] = group_of[j] = [i, j]
            continue
        member, newcomer = (i, j) if i in group_of else (j, i)
        group = group_of[member]
        seed = group[0]
        if statements[newcomer].agreement(statements[seed], float(similar[newcomer, seed])) >= SAME_STATEMENT:
            group.append(newcomer)
            group_of[newcomer] = group
    unique_groups = {id(g): g for g in group_of.values()}.values()
    return [[statements[k] for k in g] for g in unique_groups]


def _central(group: list[_Statement], language: str | None, among: list[_Statement] | None = None) -> _Statement:
    """The group's most representative statement (of ``among`` when it has any), in the story's main language when one is."""
    candidates = among or group
    in_language = [s for s in candidates if s.language == language] or candidates
    centroid = np.mean([s.vector for s in group], axis=0)
    return max(in_language, key=lambda s: float(np.dot(s.vector, centroid)))


def _facts(
    clusters: list[tuple[TimelineEntry, Cluster]],
    statements: list[_Statement],
    groups: list[list[_Statement]],
    names: Mapping[str, str],
) -> tuple[list[Statement], list[Statement]]:
    language = _main_language(a for _, cluster in clusters for a, _ in cluster)
    agreed, claimed = [], []
    echoed = _echoed(statements)
    echoed_sentences = {(s.article.id, s.text) for s in statements if id(s) in echoed}
    for entry, cluster in clusters:
        outlets = tuple(dict.fromkeys(a.outlet or a.id for a, _ in cluster))
        if len(outlets) > 1:
            # Only what several outlets report is agreed: participants named by one are left out.
            named: Counter[str] = Counter()
            for outlet in outlets:
                # dict, not set: names in first-mention order, so the fact reads the same on every run
                named.update(list(dict.fromkeys(i for a, e in cluster if (a.outlet or a.id) == outlet for i in _participants(e))))
            written = {i: n for _, e in cluster for i, n in _participants(e).items()}
            agreed_names = tuple(names.get(i, written[i]) for i, n in named.most_common() if n > 1)
            agreed.append(Statement(_event_sentence(entry, agreed_names), entry.articles, outlets))
        elif not any((a.id, e.sentence) in echoed_sentences for a, e in cluster):
            claimed.append(Statement(_event_sentence(entry, entry.who), entry.articles, outlets))
    sentence_claims = _sentence_claims(statements, echoed)
    with_own_details = {id(s) for s in sentence_claims}
    for group in sorted(groups, key=lambda g: -len({s.outlet for s in g})):
        # An agreed fact reads as a member that adds nothing of its own outlet, when one does: the
        # member with a one-outlet detail stays a claim, and no sentence is shown as both.
        best = _central(group, language, among=[s for s in group if id(s) not in with_own_details])
        ids = tuple(dict.fromkeys(s.article.id for s in group))
        agreed.append(Statement(best.text, ids, tuple(dict.fromkeys(s.outlet for s in group))))
    agreed_texts = {fact.text for fact in agreed}
    kept = [s for s in sentence_claims if s.text not in agreed_texts]  # text, not identity: a copy under another outlet name
    for s in kept[: MAX_CLAIMS - len(claimed)]:
        claimed.append(Statement(s.text, (s.article.id,), (s.outlet,)))
    return agreed[:MAX_FACTS], claimed[:MAX_CLAIMS]


def _phrases(article: Article) -> set[str]:
    """Two-word phrases ("arms control") outside names and titles, in lower case: not both common words.

    jusText's stop lists are long frequency lists ("control" is in the English one), so one
    of the two words may be in them.
    """
    stop = stopwords(article.language)
    named = bytearray(len(article.text))  # 1 where a name is written: one lookup per word, not one per word and name
    for m in article.mentions:
        start, end = max(0, m.start), min(m.end, len(named))
        named[start:end] = b"\x01" * max(0, end - start)
    words = [(m.group(0).lower(), m.start()) for m in _WORD.finditer(article.text) if not named[m.start()]]
    return {
        f"{a} {b}" for (a, pa), (b, pb) in zip(words, words[1:])
        if not (a in stop and b in stop) and not {a, b} & TITLES and len(a) > 3 and len(b) > 3 and pb - pa <= len(a) + 2
    }


def _shared_topics(sources: list[Article]) -> Statement | None:
    """What several outlets write about in the same words: "arms control", "strategic stability"."""
    phrases_of = {a.id: _phrases(a) for a in sources}
    outlets: dict[str, set[str]] = defaultdict(set)
    for article in sources:
        for phrase in phrases_of[article.id]:
            outlets[phrase].add(article.outlet or article.id)
    shared = sorted((p for p, o in outlets.items() if len(o) > 1), key=lambda p: (-len(outlets[p]), p))[:4]
    if not shared:
        return None
    ids = tuple(a.id for a in sources if phrases_of[a.id] & set(shared))
    names = tuple(dict.fromkeys(o for p in shared for o in sorted(outlets[p])))
    return Statement("Several sources write about " + ", ".join(shared), ids, names)


def _sentence_claims(statements: list[_Statement], echoed: set[int]) -> list[_Statement]:
    """Sentences that name what no other outlet names, the most such names first.

    A sentence naming what no other outlet names is a claim of its own, even inside an agreed one
    ("Sherman, with Bonnie Jenkins, will represent Washington": Jenkins is one outlet's detail).
    When another outlet tells the same sentence (``echoed``), only a person, organisation or place
    of its own keeps it a claim. A line in brackets is a credit line ("(Reporting by ...; Editing
    by ...)"), whichever sentences it was split into.
    """
    outlet_names = {s.outlet.lower() for s in statements}  # an agency's own name in its dateline is no claim
    several_outlets = len({s.outlet for s in statements}) > 1
    items_of = {id(s): s.entities | _names(s.text) for s in statements}
    said_by: dict[object, set[str]] = defaultdict(set)  # entity or name-like word -> outlets that use it
    for s in statements:
        for item in items_of[id(s)]:
            said_by[item].add(s.outlet)
    # Every outlet's words folded to plain letters: a person or place another outlet writes in
    # another script or spelling that the linker did not merge ("Кузьмин" / "Kuzmin") is still there.
    # Folded when first needed, and only when there is another outlet (folding every text costs).
    words_by_outlet: dict[str, set[str]] = defaultdict(set)

    def folded_words() -> dict[str, set[str]]:
        if not words_by_outlet:
            for article in {id(s.article): s.article for s in statements}.values():
                words_by_outlet[article.outlet or article.id].update(plain_key(article.text).split())
        return words_by_outlet

    def told_elsewhere(s: _Statement, item: object) -> bool:
        if item not in s.entities or not several_outlets:
            return False  # acronyms and capitalised words are written alike everywhere: said_by decides
        keys = {plain_key(m.text).split()[-1] for m in s.article.mentions if m.entity_id == item and plain_key(m.text).split()}
        return any(keys & words for outlet, words in folded_words().items() if outlet != s.outlet)

    def unique_items(s: _Statement) -> list[object]:
        return [
            item for item in items_of[id(s)]
            if len(said_by[item]) == 1 and str(item).lower() not in outlet_names and not told_elsewhere(s, item)
        ]

    unique = {
        id(s): (s, items) for s in statements
        if (items := unique_items(s))
        and (id(s) not in echoed or any(item in s.entities for item in items))
        and not _on_bracketed_line(s)
    }
    ranked = sorted(unique.values(), key=lambda pair: (-len(pair[1]), pair[0].article.published or "", pair[0].index))
    return [s for s, _ in ranked]


def _on_bracketed_line(s: _Statement) -> bool:
    """Is the statement on a line that is all in brackets? (A sentence never crosses a line.)"""
    text = s.article.text
    start, end = s.article.sentences[s.index]
    line_end = text.find("\n", end)
    line = text[text.rfind("\n", 0, start) + 1 : len(text) if line_end < 0 else line_end].strip()
    return line.startswith("(") and line.endswith(")")


def _cosines(statements: list[_Statement]) -> np.ndarray:
    """Cosine of every pair of statements' embeddings."""
    matrix = np.stack([s.vector for s in statements]).astype(np.float32)
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T


def _echoed(statements: list[_Statement]) -> set[int]:
    """``id()`` of each statement with a close counterpart (``ECHOED``) from another outlet."""
    if len(statements) < 2:
        return set()
    outlets = np.array([s.outlet for s in statements])
    similar = np.where(outlets[:, None] != outlets[None, :], _cosines(statements), -1.0)
    return {id(s) for s, best in zip(statements, similar.max(axis=1)) if best >= ECHOED}


def _names(text: str) -> set[str]:
    """Acronyms and other words in capitals ("New START", "ICBMs", "TASS"): names a recogniser may miss."""
    words = (w.strip(".,;:!?\"'«»()") for w in text.split())
    return {w for w in words if len(w) > 2 and sum(ch.isupper() for ch in w) >= 3}


def _event_sentence(entry: TimelineEntry, who: tuple[str, ...]) -> str:
    """"meeting in Geneva (2021-07-28), happened: Wendy Sherman, Sergei Riabkov"."""
    where = f" in {entry.where}" if entry.where else ""
    when = f" ({entry.date})" if entry.date else ""
    names = f": {', '.join(who)}" if who else ""
    return f"{entry.what}{where}{when}, {entry.status}{names}"


# ---- summary -----------------------------------------------------------------------


def _main_language(articles: Iterable[Article]) -> str | None:
    counts = Counter(a.language for a in articles if a.language)
    return counts.most_common(1)[0][0] if counts else None


def _summary(statements: list[_Statement], groups: list[list[_Statement]], language: str | None) -> list[Statement]:
    pool = [s for s in statements if s.language == language and len(s.text.split()) >= 6] or statements
    if not pool:
        return []
    centroid = np.mean([s.vector for s in statements], axis=0)
    agreed = {id(s) for g in groups for s in g}
    relevance = {id(s): float(np.dot(s.vector, centroid)) + (0.1 if id(s) in agreed else 0.0) - 0.01 * s.index for s in pool}
    chosen: list[_Statement] = []
    per_article: Counter[str] = Counter()
    while len(chosen) < SUMMARY_SENTENCES:
        candidates = [s for s in pool if s not in chosen and per_article[s.article.id] < 2]
        if not candidates:
            break
        # Maximal marginal relevance: central, but unlike what is already chosen.
        best = max(candidates, key=lambda s: relevance[id(s)] - max((float(np.dot(s.vector, c.vector)) for c in chosen), default=0.0) * 0.7)
        if chosen and max(float(np.dot(best.vector, c.vector)) for c in chosen) > 0.85:
            pool.remove(best)
            continue
        chosen.append(best)
        per_article[best.article.id] += 1
    chosen.sort(key=lambda s: (s.article.published or "", s.article.id, s.index))
    return [Statement(s.text, (s.article.id,), (s.outlet,)) for s in chosen]
