"""Events: who did what to whom, where and when, planned or happened.

Written by hand (no event extractor for news in five languages ships on PyPI),
on top of what the other analyzers found:

1. Triggers. Each sentence is searched for words of a small multilingual
   lexicon of news events (meetings and talks, summits, strikes, earthquakes,
   launches, trials and verdicts, agreements, elections, arrests, exchanges,
   fires, attacks, ...), matched by stem so that inflections count.
2. Arguments. Person and organisation mentions of the sentence go to the
   nearest trigger: before it, "who"; after it, "whom". The sentence's first
   place is "where"; its date expression nearest the trigger is "when".
3. Status. Postponed or cancelled when the sentence says so; otherwise from
   tense (future and planned forms -> planned, past forms -> happened, the
   same markers ``times`` uses) and, failing that, from whether "when" lies
   after the publication date.
4. Merging. Mentions of one kind of event in an article are one event unless
   their dates disagree ("met in Geneva" on 28 July and "talks in September"
   are two events); participants are pooled.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from storyline.analyze.sentences import split_sentences
from storyline.analyze.times import TenseReader
from storyline.model import Event, EventStatus, Mention, Place, TimeExpression

# Kind of event -> stems that announce it, per language (lower case, matched at word start).
TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "meeting": {
        "en": ("meet", "met ", "talks", "negotiat", "consultation", "dialogue", "convene", "discussions"),
        "fr": ("rencontr", "réuni", "pourparlers", "négociation", "consultation", "dialogue", "entretien", "discussions"),
        "de": ("treffen", "getroffen", "traf", "gespräch", "verhandlung", "verhandelt", "konsultation", "dialog"),
        "es": ("reuni", "reún", "encuentro", "conversaciones", "negociaci", "consultas", "diálogo"),
        "ru": ("встреч", "переговор", "консультаци", "диалог", "встрет"),
    },
    "summit": {
        "en": ("summit",), "fr": ("sommet",), "de": ("gipfel",), "es": ("cumbre",), "ru": ("саммит",),
    },
    "strike": {
        "en": ("strike", "walkout", "stoppage"), "fr": ("grève", "grévist"), "de": ("streik", "arbeitsniederlegung"),
        "es": ("huelga", "paro "), "ru": ("забастовк", "стачк"),
    },
    "earthquake": {
        "en": ("earthquake", "quake", "tremor"), "fr": ("séisme", "tremblement de terre"), "de": ("erdbeben", "beben"),
        "es": ("sismo", "terremoto"), "ru": ("землетрясени", "толчк"),
    },
    "launch": {
        "en": ("launch", "lift off", "liftoff", "lifted off"), "fr": ("lancement", "lancé", "décoll"), "de": ("start", "gestartet", "abgehoben"),
        "es": ("lanzamiento", "despeg"), "ru": ("запуск", "запущен", "стартовал"),
    },
    "trial": {
        "en": ("trial", "court hearing", "hearing"), "fr": ("procès", "audience"), "de": ("prozess", "verhandlung vor"),
        "es": ("juicio",), "ru": ("суд ", "судебн", "процесс"),
    },
    "verdict": {
        "en": ("sentenced", "verdict", "convicted", "acquitted"), "fr": ("condamn", "verdict", "relaxé", "acquitté"),
        "de": ("verurteil", "urteil", "freigesproch"), "es": ("conden", "sentencia", "veredicto", "absuelt"),
        "ru": ("приговор", "осужден", "оправдан"),
    },
    "agreement": {
        "en": ("agreement", "signed", "sign ", "deal ", "deal.", "treaty"), "fr": ("accord ", "accords", "signé", "signature", "traité"),
        "de": ("abkommen", "vereinbarung", "einigung", "unterzeichn", "vertrag"), "es": ("acuerdo", "firm", "tratado", "pacto"),
        "ru": ("соглашени", "подписа", "договор"),
    },
    "election": {
        "en": ("election", "vote", "ballot", "referendum"), "fr": ("élection", "scrutin", "vote", "référendum"),
        "de": ("wahl", "abstimmung", "referendum"), "es": ("elecci", "votaci", "comicios", "referéndum"),
        "ru": ("выбор", "голосован", "референдум"),
    },
    "arrest": {
        "en": ("arrest", "detained", "detention"), "fr": ("arrest", "interpell", "garde à vue"), "de": ("festgenommen", "festnahme", "verhaftet"),
        "es": ("detenid", "detención", "arrest"), "ru": ("задержан", "арестован", "арест"),
    },
    "exchange": {
        "en": ("exchange", "swap", "released", "freed"), "fr": ("échange", "libéré"), "de": ("austausch", "freigelassen", "freilassung"),
        "es": ("canje", "intercambio", "liberad"), "ru": ("обмен", "освобожд"),
    },
    "fire": {
        "en": ("wildfire", "fire", "blaze"), "fr": ("incendie", "feu de forêt"), "de": ("brand", "waldbrand", "feuer"),
        "es": ("incendio", "fuego"), "ru": ("пожар", "возгорани"),
    },
    "attack": {
        "en": ("attack", "bombing", "shelling", "strike on"), "fr": ("attaque", "attentat", "bombardement"),
        "de": ("angriff", "anschlag", "beschuss"), "es": ("ataque", "atentado", "bombardeo"), "ru": ("атак", "теракт", "обстрел"),
    },
    "protest": {
        "en": ("protest", "demonstration", "rally"), "fr": ("manifestation", "manifestant", "protest"),
        "de": ("protest", "demonstration", "kundgebung"), "es": ("protesta", "manifestaci"), "ru": ("протест", "митинг", "демонстраци"),
    },
    "visit": {
        "en": ("visit",), "fr": ("visite",), "de": ("besuch",), "es": ("visita",), "ru": ("визит", "посет"),
    },
}
# Kinds that act on someone (whom = the acted on); for the others participants are all "who".
DIRECTED = {"verdict", "arrest", "attack", "visit"}
POSTPONED = re.compile(
    r"\b(postpone|delay|put off|cancel|call(?:ed)? off|report(?:é|ée)|annul|verschoben|verschieb|abgesagt|aplaz|suspend|"
    r"cancel|отлож|перенес|отмен)",
    re.IGNORECASE,
)
# A clause that attributes what is said to someone, rather than naming who acted.
ATTRIBUTION = re.compile(
    r"\b(said|says|told|stated|according to|reported|announced|selon|a (?:dit|déclaré|indiqué|annoncé)|"
    r"laut|sagte|erklärte|teilte|según|dijo|afirmó|informó|по словам|сообщил|заявил|передает)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[–—-]\s")


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
    """The article's events, one per kind and date (see the module docstring)."""
    found = []
    tenses = TenseReader(text, language)
    for start, end in split_sentences(text, language):
        found.extend(_in_sentence(text, start, end, language or "en", published, mentions, places, times, tenses))
    return [_event(group) for group in _merge(found)]


def _in_sentence(
    text: str,
    start: int,
    end: int,
    language: str,
    published: dt.date | None,
    mentions: Sequence[Mention],
    places: Sequence[Place],
    times: Sequence[TimeExpression],
    tenses: TenseReader,
) -> list[_Mention]:
    sentence = text[start:end]
    lowered = sentence.lower()
    pattern, kinds = _trigger_pattern(language)
    triggers = [(start + m.start(), kinds[m.lastgroup or ""]) for m in pattern.finditer(lowered)]
    if not triggers:
        return []
    actors = [m for m in mentions if start <= m.start < end and m.type in ("PERSON", "ORG")]
    located = [p for p in places if p.start is not None and start <= p.start < end]
    dated = [t for t in times if start <= t.start < end and _is_date(t)]
    postponed = bool(POSTPONED.search(lowered))
    clauses = _clauses(sentence, start)
    reports = []
    for position, kind in _distinct(triggers):
        clause = _clause_of(clauses, position)
        report = _Mention(kind, position, end, sentence.strip(), where=_where(located, clause), when=_nearest_date(dated, clause, position))
        for actor in actors:
            if _event_of(actor, clauses, triggers, text_of=text) != position:
                continue
            side = report.whom if kind in DIRECTED and actor.start > position else report.who
            side.append(actor)
        report.status = "cancelled" if postponed else _status(tenses.tense(position, position + 1), report.when, published)
        reports.append(report)
    return reports


@functools.lru_cache(maxsize=None)
def _trigger_pattern(language: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regular expression for every trigger of a language; its group names say the kind."""
    groups, kinds = [], {}
    for kind, stems in TRIGGERS.items():
        name = f"k{len(kinds)}"
        kinds[name] = kind
        alternatives = "|".join(re.escape(s) for s in sorted(stems.get(language, stems["en"]), key=len, reverse=True))
        groups.append(f"(?P<{name}>{alternatives})")
    return re.compile(rf"(?<!\w)(?:{'|'.join(groups)})"), kinds


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


def _event_of(actor: Mention, clauses: list[tuple[int, int]], triggers: list[tuple[int, str]], *, text_of: str) -> int | None:
    """Position of the event an actor takes part in: the nearest named in its clause, else in its sentence.

    A clause that only reports ("..., the ministry said", "according to X") names no participant.
    """
    clause = _clause_of(clauses, actor.start)
    in_clause = [t for t in triggers if clause[0] <= t[0] < clause[1]]
    if not in_clause:
        if ATTRIBUTION.search(text_of[clause[0] : clause[1]]):
            return None
        in_clause = triggers
    return min(in_clause, key=lambda t: abs(t[0] - actor.start))[0]


def _distinct(triggers: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Triggers, without a second word of the same kind inside the first's phrase ("talks and negotiations")."""
    kept: list[tuple[int, str]] = []
    for position, kind in triggers:
        if not any(k == kind and position - p < 25 for p, k in kept):
            kept.append((position, kind))
    return kept


def _status(tense: int, when: str | None, published: dt.date | None) -> EventStatus:
    """Planned or happened: the sentence's tense first, else the date against the publication day."""
    if tense > 0:
        return "planned"
    if tense < 0:
        return "happened"
    if when and published and when[:10] > published.isoformat():
        return "planned"
    return "happened"


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
