"""Events: who did what to whom, where and when, planned, happened or cancelled.

Written by hand (no event extractor for news in five languages ships on PyPI; the ones that
exist need PyTorch), on top of what the other analyzers found:

1. Triggers. Each sentence (``sentences``) is read word by word; a word whose lemma is a trigger
   of a kind of the inventory (``_event_kinds``: ACE 2005 and CAMEO classes plus disasters, see
   ``docs/events.md``) reports an event of that kind, in en, fr, de, es and ru. Lemmas come from
   a table of forms (``models/event_forms.json``, built from simplemma and pymorphy2); German
   compounds count by their head. Ambiguous words need their context: "sign" needs an agreement
   named in the sentence, "launch" a rocket or a satellite, "fire" a person after it to be a
   dismissal and no determiner after it to be a blaze. A trigger right after a negation ("no one
   was killed") reports nothing.
2. Arguments. Person and organisation mentions of the sentence go to the nearest trigger of
   their clause (a clause that only reports, "the ministry said", names nobody): before it,
   "who"; after it, "whom" for kinds that act on someone. A town of the clause, else of the
   sentence, else a country of the clause is "where"; the date nearest the trigger in its clause,
   else the sentence's most precise one, is "when".
3. Status. Cancelled when the sentence says so (postponed, called off); an expiry or a deadline
   ("the treaty expires in February") is no event that happened: planned when it lies ahead,
   dropped otherwise; then the tense of the trigger's clause (``times.TenseReader``: future and
   planned forms -> planned, past -> happened), modality in the clause ("plans to", "could",
   "soll", "prevé") -> planned, and failing all that, whether "when" lies after the publication
   date.
4. Merging. Mentions of one kind of event in an article are one event unless their dates disagree
   ("met in Geneva" on 28 July and "talks in September" are two events); participants are pooled.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.analyze._event_kinds import GROUPS, KINDS, LANGUAGES, NOT_EVENTS, Pattern, parse
from storyline.analyze._quote_cues import CUES_BY_LANGUAGE
from storyline.analyze._time_rules import words_for as _words_for
from storyline.analyze.quotes import role_of
from storyline.analyze.sentences import split_sentences
from storyline.analyze.times import TenseReader
from storyline.model import Event, EventStatus, Mention, Place, TimeExpression

FORMS_FILE = Path(__file__).parent / "models" / "event_forms.json"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[–—-]\s")
# German compounds: a head must leave a modifier of this many letters ("Waldbrand" -> "brand").
_MODIFIER_LETTERS = 3
# Words whose last part is a trigger but that name something else (GermEval 2014 and SemEval-2022
# German texts: "Auswahl" is a choice, "Ansturm" a rush, "Weinbrand" a brandy).
_NOT_COMPOUNDS = frozenset({"auswahl", "ansturm", "weinbrand", "voranschlag", "kostenvoranschlag", "wahlkampf"})
# Words after a trigger among which a "@object" trigger looks for who is acted on.
_OBJECT_WINDOW = 3
_VETO_WINDOW = 3
_REQUIRES_REACH = 8  # words either side of a trigger where the word its condition needs must be ("signed ... the agreement")
_DEADLINE_REACH = 30  # characters from "expires" / "deadline" to the date it gives
_NEGATION_WINDOW = 3
# Kinds whose object is another event still to come ("talks on an exchange", "agreed to release"),
# and how many words before that event they may stand.
_DELIBERATIONS = frozenset({"meeting", "summit", "agreement"})
_TOPIC_REACH = 4  # "did not meet", "have not yet met", "no one was killed"


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    form: str  # lower case
    lemmas: frozenset[str]
    parts: frozenset[str] = frozenset()  # a German compound's modifier, with its lemmas: "gefangenen" of "Gefangenenaustausch"


@dataclass(frozen=True)
class _Lexicon:
    language: str
    triggers: dict[str, list[tuple[Pattern, str]]]  # first word ("lemma" or "=form") -> (pattern, kind), longest first
    groups: dict[str, dict[str, list[Pattern]]]  # group -> first word ("lemma" or "=form") -> its patterns
    forms: dict[str, tuple[str, ...]]
    directed: frozenset[str]
    attribution_verbs: frozenset[str]  # reporting verbs and "according to" words: a clause of these names no participant
    group_words: frozenset[str]  # single words of the groups (German compound heads may be one: "Waffenruhe")


@dataclass
class _Mention:
    """One sentence's report of an event, before merging."""

    kind: str
    start: int
    end: int
    sentence: str
    who: list[Mention] = field(default_factory=list)
    whom: list[Mention] = field(default_factory=list)
    where: str | None = None
    when: str | None = None
    status: EventStatus = "happened"


def find_events(
    text: str,
    *,
    language: str | None,
    published: dt.date | None,
    mentions: Sequence[Mention],
    places: Sequence[Place],
    times: Sequence[TimeExpression],
) -> list[Event]:
    """The article's events, one per kind and date (see the module docstring).

    ``language``: ISO 639-1; None reads English words; a language the inventory has no words
    for (see ``_event_kinds.LANGUAGES``) gives no events.
    """
    code = (language or "en")[:2]
    if code not in LANGUAGES:
        return []
    lexicon = _lexicon(code)
    found = []
    tenses = TenseReader(text, code)
    for start, end in split_sentences(text, code):
        found.extend(_in_sentence(text, start, end, lexicon, published, mentions, places, times, tenses))
    return [_event(group) for group in _merge(found)]


@functools.lru_cache(maxsize=None)
def _forms() -> dict[str, dict[str, tuple[str, ...]]]:
    table = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    return {language: {form: tuple(lemmas) for form, lemmas in forms.items()} for language, forms in table.items()}


@functools.lru_cache(maxsize=None)
def _lexicon(language: str) -> _Lexicon:
    triggers: dict[str, list[tuple[Pattern, str]]] = {}
    for kind in KINDS:
        for pattern in parse(kind.triggers.get(language, "")):
            triggers.setdefault(pattern.words[0], []).append((pattern, kind.name))
    for pattern in parse(NOT_EVENTS.get(language, "")):
        triggers.setdefault(pattern.words[0], []).append((pattern, ""))
    for entries in triggers.values():
        # longest first, then the ones with conditions: "fire @object" (a dismissal) before "=fire" (a blaze)
        entries.sort(key=lambda entry: (-len(entry[0].words), not (entry[0].needs_object or entry[0].requires)))
    groups: dict[str, dict[str, list[Pattern]]] = {}
    for name, by_language in GROUPS.items():
        for pattern in parse(by_language.get(language, "")):
            groups.setdefault(name, {}).setdefault(pattern.words[0], []).append(pattern)
    cues = CUES_BY_LANGUAGE[language]
    attribution = frozenset(cues.verbs | {w for phrase in cues.according_before | cues.according_after for w in phrase.lower().split()[:1]})
    group_words = frozenset(
        p.words[0] for index in groups.values() for patterns in index.values() for p in patterns if len(p.words) == 1 and not p.words[0].startswith("=")
    )
    directed = frozenset(k.name for k in KINDS if k.directed)
    return _Lexicon(language, triggers, groups, _forms().get(language, {}), directed, attribution, group_words)


def _tokens(text: str, start: int, end: int, lexicon: _Lexicon) -> list[_Token]:
    tokens = []
    for match in _WORD.finditer(text, start, end):
        form = match.group().lower()
        lemmas, parts = _lemmas(form, match.group()[0].isupper(), lexicon.language)
        tokens.append(_Token(match.start(), match.end(), form, lemmas, parts))
    return tokens


@functools.lru_cache(maxsize=100_000)
def _lemmas(form: str, capitalized: bool, language: str) -> tuple[frozenset[str], frozenset[str]]:
    """A word's lemmas (itself included), and a German compound's modifier."""
    forms = _lexicon(language).forms
    lemmas = frozenset({form, *forms.get(form, ())})
    if language == "de" and capitalized and form not in forms:
        heads, parts = _compound(form, language)
        return lemmas | heads, parts
    return lemmas, frozenset()


@functools.lru_cache(maxsize=20_000)
def _compound(form: str, language: str) -> tuple[frozenset[str], frozenset[str]]:
    """Lemmas of a German compound's head ("waldbrände" -> "brand") when its head is an event or group
    word, and its modifier ("wald"); nothing for other words."""
    lexicon = _lexicon(language)
    if form in _NOT_COMPOUNDS:
        return frozenset(), frozenset()
    for cut in range(_MODIFIER_LETTERS, len(form) - 3):
        head = form[cut:]
        if head in lexicon.triggers or head in lexicon.forms or head in lexicon.group_words:
            modifier = form[:cut].rstrip("-")
            # the longest head: "Gefangenenaustausch" -> "austausch", not "tausch"
            return frozenset({head, *lexicon.forms.get(head, ())}), frozenset({modifier, *lexicon.forms.get(modifier, ())})
    return frozenset(), frozenset()


def _matches(pattern: Pattern, tokens: list[_Token], index: int, *, parts: bool = False) -> bool:
    """Whether the pattern's words match the tokens from ``index``; ``parts``: a compound's modifier counts too."""
    if index + len(pattern.words) > len(tokens):
        return False
    for offset, word in enumerate(pattern.words):
        token = tokens[index + offset]
        if word.startswith("="):
            if token.form != word[1:]:
                return False
        elif word not in token.lemmas and not (parts and word in token.parts):
            return False
    return True


def _group_at(group: dict[str, list[Pattern]], tokens: list[_Token], first: int, last: int) -> bool:
    """Whether a word (or phrase) of the group starts among tokens[first:last] ("Gefangenenaustausch" names prisoners)."""
    for i in range(max(first, 0), min(last, len(tokens))):
        token = tokens[i]
        for key in (f"={token.form}", *token.lemmas, *token.parts):
            if any(_matches(p, tokens, i, parts=True) for p in group.get(key, ())):
                return True
    return False


def _negated(tokens: list[_Token], index: int, lexicon: _Lexicon) -> bool:
    before = range(max(0, index - _NEGATION_WINDOW), index)
    return any(tokens[i].form.endswith(("n't", "n’t")) for i in before) or _group_at(lexicon.groups.get("negation", {}), tokens, before.start, index)


def _has_object(tokens: list[_Token], index: int, actors: Sequence[Mention], lexicon: _Lexicon) -> bool:
    """A person, organisation or role among the words right after a trigger: "fired his finance minister"."""
    window = tokens[index + 1 : index + 1 + _OBJECT_WINDOW]
    if not window:
        return False
    low, high = window[0].start, window[-1].end
    return any(low <= m.start < high for m in actors) or any(role_of(t.form, lexicon.language) for t in window)


def _triggers(tokens: list[_Token], lexicon: _Lexicon, actors: Sequence[Mention]) -> list[tuple[int, int, str]]:
    """(token index, character offset, kind) of each trigger of a sentence, in order."""
    found = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        keys = [f"={token.form}", token.form, *sorted(token.lemmas - {token.form})]
        chosen = None
        for key in keys:
            for pattern, kind in lexicon.triggers.get(key, ()):
                if not _matches(pattern, tokens, index):
                    continue
                after = index + len(pattern.words)
                if pattern.requires and not _group_at(lexicon.groups.get(pattern.requires, {}), tokens, index - _REQUIRES_REACH, after + _REQUIRES_REACH):
                    continue
                if pattern.vetoed_by and _group_at(lexicon.groups.get(pattern.vetoed_by, {}), tokens, after, after + _VETO_WINDOW):
                    continue
                if pattern.needs_object and not _has_object(tokens, after - 1, actors, lexicon):
                    continue
                chosen = (pattern, kind)
                break
            if chosen:
                break
        if chosen is None:
            index += 1
            continue
        if chosen[1] and not _negated(tokens, index, lexicon):  # "" : a phrase that names no event ("heart attack")
            found.append((index, token.start, chosen[1]))
        index += len(chosen[0].words)
    return found


def _in_sentence(
    text: str,
    start: int,
    end: int,
    lexicon: _Lexicon,
    published: dt.date | None,
    mentions: Sequence[Mention],
    places: Sequence[Place],
    times: Sequence[TimeExpression],
    tenses: TenseReader,
) -> list[_Mention]:
    tokens = _tokens(text, start, end, lexicon)
    actors = [m for m in mentions if start <= m.start < end and m.type in ("PERSON", "ORG")]
    found = _triggers(tokens, lexicon, actors)
    if not found:
        return []
    located = [p for p in places if p.start is not None and start <= p.start < end]
    deadlines = [tokens[i].end for i in range(len(tokens)) if _group_at(lexicon.groups.get("deadline", {}), tokens, i, i + 1)]
    since = _words_for(lexicon.language).since
    # a date right after "expires", "deadline" dates the deadline, one after "since" the start of
    # what goes on ("negotiated since 1999"): neither dates an event of the sentence
    dated = [
        t for t in times
        if start <= t.start < end and _is_date(t) and not any(0 <= t.start - d <= _DEADLINE_REACH for d in deadlines)
        and _word_before(text, t.start) not in since
    ]
    cancelled = _group_at(lexicon.groups.get("cancel", {}), tokens, 0, len(tokens))
    clauses = _clauses(text[start:end], start)
    # a clause that only reports ("observe un diplomate en poste à Vienne") gives no place either
    reporting = [
        (a, b) for a, b in clauses
        if any(t.form in lexicon.attribution_verbs for t in tokens if a <= t.start < b) and not any(a <= q < b for _, q, _ in found)
    ]
    located = [p for p in located if not any(a <= (p.start or 0) < b for a, b in reporting)]
    triggers = [(position, kind) for _, position, kind in found]
    reports = []
    for index, position, kind in _distinct(found):
        clause = _clause_of(clauses, position)
        report = _Mention(kind, position, end, text[start:end].strip(), where=_where(located, clause), when=_nearest_date(dated, clause, position))
        for actor in actors:
            if _event_of(actor, clauses, triggers, text, tokens, lexicon) != position:
                continue
            side = report.whom if kind in lexicon.directed and actor.start > position else report.who
            side.append(actor)
        in_clause = [i for i, t in enumerate(tokens) if clause[0] <= t.start < clause[1]]
        first, last = (in_clause[0], in_clause[-1] + 1) if in_clause else (index, index + 1)
        status = _status(
            tenses.tense(position, position + 1),
            report.when,
            published,
            cancelled=cancelled,
            deadline=_group_at(lexicon.groups.get("deadline", {}), tokens, first, last),
            # modality before the trigger or right after it ("talks would ...", not "talks on a possible exchange")
            modal=_group_at(lexicon.groups.get("modal", {}), tokens, first, min(last, index + 3)) or _is_topic(found, index, tokens, clause, lexicon),
        )
        if status is None:
            continue
        report.status = status
        reports.append(report)
    return reports


def date_near(text: str, position: int, times: Sequence[TimeExpression], language: str | None = None) -> str | None:
    """The date of whatever the word at ``position`` names, as events date theirs: the resolved
    date nearest it in its clause, else in its sentence; None when its sentence has none."""
    start, end = next(((a, b) for a, b in split_sentences(text, language) if a <= position < b), (position, position + 1))
    dated = [t for t in times if start <= t.start < end and _is_date(t)]
    return _nearest_date(dated, _clause_of(_clauses(text[start:end], start), position), position)


def _is_date(time: TimeExpression) -> bool:
    """A date or time resolved to the calendar ("2021-07-28", "2021-W30"), not a duration or "PAST_REF"."""
    return time.type in ("DATE", "TIME") and time.value[:1].isdigit()


def _nearest_date(dated: list[TimeExpression], clause: tuple[int, int], position: int) -> str | None:
    """The date of the word's clause nearest it; else the sentence's most precise date, then the nearest.

    Outside its clause, a day dates the event more often than a background year or a year that
    describes something else ("Yesterday, at this year's conference, Jobs unveiled ...").
    """
    def rank(time: TimeExpression) -> tuple[bool, int, int]:
        in_clause = clause[0] <= time.start < clause[1]
        return not in_clause, 0 if in_clause else -len(time.value), abs(time.start - position)

    nearest = min(dated, key=rank, default=None)
    return nearest.value if nearest else None


def _clauses(sentence: str, start: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentence's clauses, split at commas, semicolons, brackets and dashes."""
    cuts = [start] + [start + m.end() for m in _CLAUSE_BREAK.finditer(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:] + [start + len(sentence)])]


def _where(places: list[Place], clause: tuple[int, int]) -> str | None:
    """A town or site of the trigger's clause, else of the sentence, else a country of the clause.

    Countries in a clause are mostly who acts ("US and Russian diplomats will meet
    in Vienna"), towns where: a country is the place only when no town is named.
    """
    in_clause = [p for p in places if clause[0] <= (p.start or 0) < clause[1]]
    towns = [p for p in places if p.feature_class != "A"]
    chosen = next(iter([p for p in in_clause if p.feature_class != "A"] or towns or in_clause), None)
    return chosen.name if chosen else None


def _clause_of(clauses: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return clauses[bisect.bisect_right([c[0] for c in clauses], position) - 1]


def _event_of(
    actor: Mention, clauses: list[tuple[int, int]], triggers: list[tuple[int, str]], text: str, tokens: list[_Token], lexicon: _Lexicon
) -> int | None:
    """Position of the event an actor takes part in: the nearest named in its clause, else in its sentence.

    A clause that only reports ("..., the ministry said", "according to X") names no participant.
    """
    clause = _clause_of(clauses, actor.start)
    in_clause = [t for t in triggers if clause[0] <= t[0] < clause[1]]
    if not in_clause:
        if any(t.form in lexicon.attribution_verbs for t in tokens if clause[0] <= t.start < clause[1]):
            return None
        in_clause = triggers
    return min(in_clause, key=lambda t: abs(t[0] - actor.start))[0]


def _distinct(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Triggers, without a second word of the same kind within a few words of the first ("talks and negotiations")."""
    kept: list[tuple[int, int, str]] = []
    for index, position, kind in found:
        if not any(k == kind and index - i <= 4 for i, _, k in kept):
            kept.append((index, position, kind))
    return kept


def _is_topic(found: list[tuple[int, int, str]], index: int, tokens: list[_Token], clause: tuple[int, int], lexicon: _Lexicon) -> bool:
    """Whether the trigger at ``index`` is what another event of its clause is about: "talks on a
    possible exchange", "an understanding on the exchange", "консультации по обмену". What talks or
    an agreement are about has not happened yet."""
    kind = next(k for i, _, k in found if i == index)
    earlier = [(i, k) for i, position, k in found if i < index and clause[0] <= position and k != kind]
    if any(k in _DELIBERATIONS and index - i <= _TOPIC_REACH for i, k in earlier):
        return True  # "pactan un canje", "agreed to release"
    return bool(earlier) and _group_at(lexicon.groups.get("topic", {}), tokens, index - 2, index)  # "on a possible exchange"


def _word_before(text: str, position: int) -> str:
    words = _WORD.findall(text, max(0, position - 30), position)
    return words[-1].lower() if words else ""


def _status(
    tense: int, when: str | None, published: dt.date | None, *, cancelled: bool, deadline: bool, modal: bool
) -> EventStatus | None:
    """Cancelled, planned or happened (None: an expiry or deadline now past, which is no event).

    The sentence's cancellation words first; then an expiry or deadline in the trigger's clause
    (planned while ahead); then the clause's tense; then its modality; then the date against the
    publication day.
    """
    ahead = bool(when and published and when[:10] > published.isoformat())
    if cancelled:
        return "cancelled"
    if deadline:
        return "planned" if tense > 0 or ahead or (not when and tense == 0) else None
    if tense > 0 or modal:
        return "planned"
    if tense < 0:
        return "happened"
    return "planned" if ahead else "happened"


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Two resolved dates can describe the same event: one is a prefix of the other, or either is unknown.

    Times of day do not tell events apart ("2024-04-12T18:47" and "2024-04-12TEV" are one day).
    """
    if not a or not b:
        return True
    a, b = a.split("T")[0], b.split("T")[0]
    if "W" in a or "W" in b:
        week, day = (a, b) if "W" in a else (b, a)
        try:
            return dt.date.fromisoformat(day[:10]).strftime("%G-W%V") == week[:8]
        except ValueError:
            return False
    return a.startswith(b) or b.startswith(a)


def _merge(reports: list[_Mention]) -> list[list[_Mention]]:
    """Group reports of one kind with compatible dates; undated ones join the first group of their kind and status."""
    groups: list[list[_Mention]] = []
    for report in (r for r in reports if r.when):
        target = next((g for g in groups if g[0].kind == report.kind and all(dates_compatible(report.when, r.when) for r in g if r.when)), None)
        if target is None:
            groups.append([report])
        else:
            target.append(report)
    for report in (r for r in reports if not r.when):
        target = next((g for g in groups if g[0].kind == report.kind and g[0].status == report.status), None)
        if target is None:
            groups.append([report])
        else:
            target.append(report)
    return sorted(groups, key=lambda g: min(r.start for r in g))


def _participants(mentions: Iterable[Mention]) -> dict[str, str]:
    """Entity id -> the longest name its mentions give, in order of first mention."""
    named: dict[str, str] = {}
    for mention in mentions:
        key = mention.entity_id or mention.name
        if len(mention.name) > len(named.get(key, "")):
            named[key] = mention.name
    return named


def _event(group: list[_Mention]) -> Event:
    first = min(group, key=lambda r: r.start)
    dated = [r.when for r in group if r.when]
    when = max(dated, key=len) if dated else None  # the most precise date
    votes = Counter(r.status for r in sorted(group, key=lambda r: r.start))  # ties: the first report's status
    status: EventStatus = "cancelled" if votes["cancelled"] else votes.most_common(1)[0][0]
    who = _participants(m for r in group for m in r.who)
    whom = {i: n for i, n in _participants(m for r in group for m in r.whom).items() if i not in who}
    return Event(
        what=first.kind,
        who=tuple(who.values()),
        whom=tuple(whom.values()),
        who_ids=tuple(who),
        whom_ids=tuple(whom),
        where=next((r.where for r in group if r.where), None),
        when=when,
        status=status,
        sentence=first.sentence,
        start=first.start,
        end=first.end,
    )
