"""Date and time expressions in news text, resolved against the publication date.

``find_times`` returns every date, time, duration and set expression of an
article with a TIMEX3-style value ("2021-07-28", "2021-07-28T14:05", "2021-W30",
"2021-06", "2021-Q3", "2021-SU", "199", "P5Y", "XXXX-WXX-1", "PAST_REF") and
character offsets into the text. English, French, German, Spanish, Russian and
Italian; other languages are read with English words (numeric dates still work).

How it works:

1. Spans. One regular expression per language, an ordered alternation of rules
   (ISO date, day-month-year, weekday, "next week", "two days ago", ...) built
   from the vocabulary in ``_time_rules``; it is only tried where a word that
   can open a rule stands, which keeps it near 3 ms per 1,000 words. Where two
   rules can start at one place the longer is listed first. Prepositions stay
   out of spans as in TimeML ("on [Wednesday]", "в [среду]"); articles and
   modifiers that belong to the expression stay in ("[el miércoles pasado]").
2. Reading. Each match goes to its rule's resolver, which may reject it
   ("Theresa May", "2021 people", a video length "02:09", an age "6-year-old");
   the rules after it then get a try at the same place.
3. Direction. A weekday, month or day without a modifier ("on Wednesday", "in
   September") goes the way of its sentence: a preposition just before ("by",
   "since", "bis", "desde"), else the nearest tense marker: future and planned
   forms ("will", "is expected to", "postponed to", futur simple, "wird",
   "va a", "будет") or past forms ("said", -ed, passé composé, Präteritum,
   pretérito, the Russian -л past). With no marker, the nearest such day wins
   (ties to the future); the publication day counts as both. Explicit modifiers
   ("next", "dernier", "vergangenen", "próximo", "прошлую") decide alone. One
   weekday name is one day throughout an article. A day and month without a
   year stay within half a year of publication (news gives the year otherwise).
4. Combining. A clock time takes the day beside it, else the nearest day of its
   sentence, else the publication day; "May last year" and "Wednesday next
   week" take their year and week; "a year earlier" counts from the last date
   mentioned, at its precision ("the third quarter" ... "a year earlier" ->
   the third quarter of the year before).

Why not dateparser for everything: ``dateparser.parse`` costs about 1 ms per
date and ``search_dates`` about 60 ms per 1,000 words (bench/times.py measures
both), against a budget of ~5 ms per article; ``search_dates`` also has false
hits (German "die"), misses "next <weekday>" outside English, and knows nothing
of tense, ISO weeks, durations, sets or reference values. Its locale data
supplies the month and weekday names, abbreviations included.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from storyline.analyze._time_rules import LANGUAGES, YEAR, Words, grammar, rule_patterns, tense_markers, words_for
from storyline.analyze.sentences import split_sentences
from storyline.model import TimeExpression, TimeType

__all__ = ["TenseReader", "find_times"]

_ZULU = {"gmt", "utc"}
_TOKEN = re.compile(r"[\w'’.#№]+")
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"“”«»—–]|\s-\s")
# A quantity after a number says it is no year ("2021 people") and no clock time ("at 2.46 billion").
_QUANTITY_AFTER = re.compile(
    r"\s*(?:%|percent|per\s+cent|prozent|por\s+ciento|pour\s+cent|процент|km|kg|mm|cm|mw|kw|tonnes?|tons?|euros?"
    r"|dollars?|rubles?|рубл|человек|personnes|people|persons|menschen|personas|soldiers|troops|votes|cases"
    r"|billion|million|thousand|milliards?|millions?|milliarden|millionen|mil|millones|млрд|млн|тыс|points?)",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:-|–|and|to|through|et|au|à|und|bis|y|al|a|и|по|до|e)\s*", re.IGNORECASE)
# "twice a year", "3 euros an hour", "99,000 tonnes of beef a year": a rate, not a duration
_PER_AMOUNT = re.compile(r"(?:\d[\d.,]*\s*%?(?:\s*[^\s\d,.;:]+){0,3}|twice|once|thrice|times)\s*$", re.IGNORECASE)
# Words that may stand between two pieces of one expression: "Wednesday at 14:05", "May of last year", "mercredi à 14h".
_JOINER = re.compile(
    r"\s*,?\s*(?:(?:at|on|of|the|around|about|à|le|du|de|del|um|am|gegen|a|las|el|hacia|sobre|в|во|около|alle|verso)\s+)*",
    re.IGNORECASE,
)
_CALENDAR = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?|-Q[1-4])?")


def _key(text: str) -> str:
    """The lexicon key of matched text: lower case, single spaces, straight apostrophe."""
    return " ".join(text.lower().replace("’", "'").split())


class _Hit:
    """One rule match, with the rule's groups by their local names."""

    __slots__ = ("match", "rule")

    def __init__(self, match: re.Match[str], rule: str) -> None:
        self.match, self.rule = match, rule

    def __getitem__(self, name: str) -> str | None:
        """The group's text; None when it did not take part or the rule has no such group."""
        try:
            return self.match.group(f"{self.rule}__{name}")
        except IndexError:
            return None

    @property
    def start(self) -> int:
        return self.match.start()

    @property
    def end(self) -> int:
        return self.match.end()


@dataclass(frozen=True)
class _Found:
    """A resolved expression; ``weekday``/``year_suffix`` let a neighbour complete it."""

    start: int
    end: int
    value: str
    type: TimeType = "DATE"
    grain: str = "other"  # "day", "week", "year", "clock": what neighbours may combine with
    weekday: int | None = None  # set for a weekday, so "Wednesday next week" can be placed
    year_suffix: str | None = None  # "-05" for "May" without a year, so "May last year" can take one


class _Context:
    """The text being read, its publication day and the tense markers of its sentences."""

    def __init__(self, text: str, words: Words, published: dt.date | None) -> None:
        self.text, self.words, self.published = text, words, published
        self.sentence_starts = [0] + [start for start, _ in split_sentences(text, words.code)[1:]]
        self._markers: dict[int, list[tuple[int, int, int]]] = {}  # by sentence start, found when first asked
        self.weekdays: dict[int, dt.date] = {}  # the day each weekday name was first read as
        self.anchor: str | None = None  # the last calendar date read, for "a year earlier"

    def sentence(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.sentence_starts, position) - 1
        end = self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else len(self.text)
        return self.sentence_starts[index], end

    def markers(self, first: int, last: int) -> list[tuple[int, int, int]]:
        """(start, end, +1 future / -1 past) of the sentence [first, last)."""
        if first not in self._markers:
            exceptions = self.words.past_exceptions
            self._markers[first] = [
                (m.start(), m.end(), 1 if m.lastgroup == "future" else -1)
                for m in tense_markers(self.words.code).finditer(self.text, first, last)
                if m.lastgroup == "future" or m.lastgroup == "past" and m.group().lower() not in exceptions
            ]
        return self._markers[first]

    def tense(self, start: int, end: int) -> int:
        """+1 future, -1 past, 0 unknown, for the expression at [start, end).

        A preposition just before decides ("by", "since"); else the nearest tense marker of the expression's
        clause ("will go on strike from Monday, the union said": "will go", not "said"); a clause with no
        marker that is little more than the expression ("On Friday, the ministry said") takes the nearest
        marker of the sentence; other clauses say nothing (present tense, nominal phrases).
        """
        previous = self.previous_word(start)
        if previous in self.words.until or previous in self.words.since:
            return 1 if previous in self.words.until else -1
        first, last = self.sentence(start)
        clause_start = max([first, *(m.end() for m in _CLAUSE_BREAK.finditer(self.text, first, start))])
        clause_end = next((m.start() for m in _CLAUSE_BREAK.finditer(self.text, end, last)), last)
        markers = self.markers(first, last)
        in_clause = [m for m in markers if clause_start <= m[0] and m[1] <= clause_end]
        if not in_clause:
            words_around = len(self.text[clause_start:start].split()) + len(self.text[end:clause_end].split())
            if words_around > 2:
                return 0
        return _nearest_marker(in_clause or markers, start, end)

    def _previous_token(self, start: int) -> re.Match[str] | None:
        """The word just before ``start``, with only spaces or commas between."""
        token = None
        for token in _TOKEN.finditer(self.text, max(0, start - 40), start):
            pass
        return token if token and not self.text[token.end():start].strip(" ,\n\t") else None

    def previous_word(self, start: int) -> str:
        token = self._previous_token(start)
        return _key(token.group()) if token else ""

    def follows_name(self, start: int) -> bool:
        """Whether a capitalised word that does not open the sentence comes just before: "Theresa May"."""
        token = self._previous_token(start)
        return bool(token and token.group()[:1].isupper() and token.start() > self.sentence(start)[0])


def _nearest_marker(markers: list[tuple[int, int, int]], start: int, end: int) -> int:
    """The polarity of the marker closest to [start, end), before or after it; 0 when there is none."""
    best, best_distance = 0, float("inf")
    for marker_start, marker_end, polarity in markers:
        if marker_end <= start:
            distance = start - marker_end
        elif marker_start >= end:
            distance = marker_start - end
        else:
            continue
        if distance < best_distance:
            best, best_distance = polarity, distance
    return best


# ---- values ------------------------------------------------------------------------------------------------

def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _shift_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _shifted(published: dt.date, unit: str, amount: int) -> tuple[str, str]:
    """(value, grain) of the period ``amount`` units away from the publication day, at the unit's precision."""
    if unit in ("D", "HR", "MIN", "S"):
        return (published + dt.timedelta(days=amount if unit == "D" else 0)).isoformat(), "day"
    if unit in ("W", "FN", "WE"):
        week = _week(published + dt.timedelta(weeks=amount * (2 if unit == "FN" else 1)))
        return (f"{week}-WE", "other") if unit == "WE" else (week, "week")
    if unit == "M":
        return "%04d-%02d" % _shift_months(published, amount), "month"
    if unit == "Q":
        year, month = _shift_months(published, 3 * amount)
        return f"{year:04d}-Q{(month - 1) // 3 + 1}", "other"
    if unit == "H":  # a half year
        year, month = _shift_months(published, 6 * amount)
        return f"{year:04d}-H{1 if month <= 6 else 2}", "other"
    if unit == "DE":
        return f"{published.year // 10 + amount:03d}", "other"
    if unit == "CE":
        return f"{published.year // 100 + amount:02d}", "other"
    return f"{published.year + amount:04d}", "year"


# unit -> (how many of the designator one unit makes, designator, vague designator); clock units take a "T".
_DURATION_UNITS = {
    "D": (1, "D", "D"), "W": (1, "W", "W"), "M": (1, "M", "M"), "Y": (1, "Y", "Y"), "Q": (1, "Q", "Q"),
    "DE": (10, "Y", "DE"), "CE": (100, "Y", "CE"), "FN": (2, "W", "W"), "WE": (1, "WE", "WE"),
    "HR": (1, "TH", "TH"), "MIN": (1, "TM", "TM"), "S": (1, "TS", "TS"),
}


def _duration(amount: float | None, unit: str) -> str:
    """TIMEX duration: 5 years -> P5Y, 3 hours -> PT3H, 2 decades -> P20Y (as TimeBank writes them), vague -> PXY."""
    scale, designator, vague = _DURATION_UNITS[unit]
    if amount is None:
        return f"P{'T' if vague[0] == 'T' else ''}X{vague.lstrip('T')}"
    total = amount * scale
    count = str(int(total)) if total == int(total) else str(total)
    return f"P{'T' if designator[0] == 'T' else ''}{count}{designator.lstrip('T')}"


def _count(text: str, w: Words) -> float | None:
    """Digits ("2,000", "2.5") or a number word; None when vague ("several", "a few")."""
    if text[0].isdigit():
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
            return float(re.sub(r"[.,]", "", text))
        return float(text.replace(",", "."))
    return w.numbers[_key(text)]


def _nearest_weekday(published: dt.date, weekday: int, direction: int, strict: bool) -> dt.date:
    """The weekday in the direction (+1, -1; 0: nearest); ``strict`` skips the publication day itself."""
    ahead = (weekday - published.isoweekday()) % 7
    if direction > 0:
        days = ahead or (7 if strict else 0)
    elif direction < 0:
        days = ahead - 7 if ahead else (-7 if strict else 0)
    else:
        days = ahead if ahead <= 3 else ahead - 7
    return published + dt.timedelta(days=days)


def _month_year(published: dt.date, month: int, direction: int, strict: bool) -> int:
    """The year of the month in the direction (+1, -1; 0: nearest, ties to the future)."""
    if direction == 0:
        direction = 1 if (month - published.month) % 12 <= 6 else -1
    if direction > 0:
        return published.year + (month < published.month or (strict and month == published.month))
    return published.year - (month > published.month or (strict and month == published.month))


def _day_in_year(published: dt.date, month: int, day: int, direction: int) -> dt.date | None:
    """The day-month without a year, placed in the direction (0: nearest, ties to the future).

    News writes the year of a day more than a few months away, so tense only chooses within half a year;
    beyond, the nearest reading wins ("by Jan. 14" in a January article that "said" it is this January).
    """
    candidates = [d for year in (published.year - 1, published.year, published.year + 1) if (d := _date(year, month, day))]
    return _pick(candidates, published, direction, window=183)


def _pick(candidates: list[dt.date], published: dt.date, direction: int, window: int) -> dt.date | None:
    """The nearest candidate in the direction within ``window`` days, else the nearest (ties to the future)."""
    directed = [d for d in candidates if (d - published).days * direction >= 0 and abs((d - published).days) <= window]
    if direction and directed:
        return min(directed, key=lambda d: abs((d - published).days))
    return min(candidates, key=lambda d: (abs((d - published).days), d < published), default=None)


_MONTHS_IN = {"Y": 12, "H": 6, "Q": 3, "M": 1, "DE": 120, "CE": 1200}
_DAYS_IN = {"W": 7, "FN": 14, "D": 1, "WE": 7}


def _shift_value(value: str, unit: str, amount: int) -> str | None:
    """A calendar value moved by ``amount`` units, at its own precision ("1989-Q3" - 1 year = "1988-Q3").

    None when the move does not fit the precision (days from a year).
    """
    months, days = _MONTHS_IN.get(unit, 0) * amount, _DAYS_IN.get(unit, 0) * amount
    if match := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", value):
        day = dt.date(*map(int, match.groups()))
        year, month = _shift_months(day, months)
        return ((_date(year, month, day.day) or dt.date(year, month, 28)) + dt.timedelta(days=days)).isoformat()
    if days:
        return None
    if match := re.fullmatch(r"(\d{4})-(\d\d)", value):
        return "%04d-%02d" % _shift_months(dt.date(int(match[1]), int(match[2]), 1), months)
    if (match := re.fullmatch(r"(\d{4})-Q([1-4])", value)) and months % 3 == 0:
        year, month = _shift_months(dt.date(int(match[1]), 3 * int(match[2]), 1), months)
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    if re.fullmatch(r"\d{4}", value) and months % 12 == 0:
        return f"{int(value) + months // 12:04d}"
    return None


def _with_century(two_digits: int, ctx: _Context, ahead: int) -> int:
    """The latest year ending in ``two_digits`` at most ``ahead`` years after the publication (or today)."""
    reference = (ctx.published or dt.date.today()).year + ahead
    year = reference // 100 * 100 + two_digits
    return year if year <= reference else year - 100


def _unanchored(direction: int) -> str:
    return {1: "FUTURE_REF", -1: "PAST_REF", 0: "PRESENT_REF"}[direction]


_SEASON_ORDER = {"WI": 0, "SP": 1, "SU": 2, "FA": 3}


def _season_year(published: dt.date, season: str, direction: int) -> int:
    """The year of "this/last/next summer": winter counts in the year of its January."""
    current = _SEASON_ORDER[("WI", "WI", "SP", "SP", "SP", "SU", "SU", "SU", "FA", "FA", "FA", "WI")[published.month - 1]]
    year = published.year + (published.month == 12)
    target = _SEASON_ORDER[season]
    if direction > 0:
        return year + (target <= current)
    if direction < 0:
        return year - (target >= current)
    return year


# ---- resolvers: (hit, context) -> _Found or None to reject the reading --------------------------------------

def _direction(hit: _Hit, ctx: _Context, *groups: str) -> tuple[int, bool]:
    """(direction, explicit): from a modifier in the named groups, else from the sentence's tense."""
    w = ctx.words
    for group in groups:
        if word := hit[group]:
            key = _key(word)
            return w.before.get(key, w.after.get(key, 0)), True
    return ctx.tense(hit.start, hit.end), False


def _found(
    hit: _Hit, value: str, type: TimeType = "DATE", *, grain: str = "other", weekday: int | None = None,
    year_suffix: str | None = None,
) -> _Found:
    return _Found(hit.start, hit.end, value, type, grain, weekday, year_suffix)


def _with_part(value: str, part: str | None, ctx: _Context) -> tuple[str, TimeType]:
    if not part:
        return value, "DATE"
    return value + ctx.words.parts[_key(part)], "TIME"


def _resolve_iso(hit: _Hit, ctx: _Context) -> _Found | None:
    day = _date(int(hit["y"]), int(hit["m"]), int(hit["d"]))
    if not day:
        return None
    if hit["hh"]:
        return _found(hit, f"{day.isoformat()}T{hit['hh']}:{hit['mm']}", "TIME", grain="day")
    return _found(hit, day.isoformat(), grain="day")


def _resolve_numeric(hit: _Hit, ctx: _Context) -> _Found | None:
    first, second, year = int(hit["a"]), int(hit["b"]), int(hit["y"])
    if len(hit["y"]) == 2:  # "28.07.21": up to ten years after the publication, else the century before
        year = _with_century(year, ctx, ahead=10)
    # Slashes in English are month first (US); dots and other languages are day first.
    month_first = hit["sep"] == "/" and ctx.words.code == "en"
    day = _date(year, first, second) if month_first else _date(year, second, first)
    day = day or (_date(year, second, first) if month_first else None)
    return _found(hit, day.isoformat(), grain="day") if day else None


def _resolve_day_month(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    month_key = _key(hit["m"]).rstrip(".")
    month, day = w.months[month_key], int(hit["d"])
    if hit["y"]:
        date = _date(int(hit["y"]), month, day)
    elif ctx.published:
        direction, _ = _direction(hit, ctx, "mod")
        date = _day_in_year(ctx.published, month, day, direction)
    else:
        return _found(hit, f"XXXX-{month:02d}-{day:02d}", grain="day") if 1 <= day <= 31 else None
    return _found(hit, date.isoformat(), grain="day") if date else None


def _resolve_day_of_month(hit: _Hit, ctx: _Context) -> _Found | None:
    """"el día 8", "the 15th.": in the publication month or a neighbour, by tense."""
    day = int(hit["d"])
    if ctx.anchor and (month := re.match(r"(\d{4})-(\d\d)", ctx.anchor)):
        # the month of the date just mentioned: "el 11 de septiembre ... El día 12"
        date = _date(int(month[1]), int(month[2]), day)
        return _found(hit, date.isoformat(), grain="day") if date else None
    if not ctx.published:
        return _found(hit, f"XXXX-XX-{day:02d}", grain="day")
    months = [_shift_months(ctx.published, shift) for shift in (-1, 0, 1)]
    candidates = [d for year, month in months if (d := _date(year, month, day))]
    direction, _ = _direction(hit, ctx, "mod")
    date = _pick(candidates, ctx.published, direction, window=31)
    return _found(hit, date.isoformat(), grain="day") if date else None


def _resolve_clock(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    if hit["noon"]:
        return _found(hit, f"T{w.noon[_key(hit['noon'])]:02d}:00", "TIME", grain="clock")
    hour, minute = int(hit["h"]), int(hit["mi"] or 0)
    suffix = _key(hit["suffix"] or hit["suffix2"] or "")
    cued = ctx.previous_word(hit.start) in w.cues or _key(hit.match.group()).split()[0] in w.articles
    if suffix in w.any_units and not cued:
        return None  # "24 horas", "14 heures": durations unless a cue says "at"
    if not (suffix or hit["tz"] or hit["sep"] == "h" or cued) or _QUANTITY_AFTER.match(ctx.text, hit.end):
        return None  # "14.05", "02:09", "at 2.46 billion": numbers, a score, a video length
    hour += w.clock_suffixes.get(suffix, 0) if hour < 12 else 0
    if suffix.startswith("a") and hour == 12:
        hour = 0
    if hour > 24 or (hour == 24 and minute):
        return None
    zone = "Z" if hit["tz"] and _key(hit["tz"]) in _ZULU else ""
    return _found(hit, f"T{hour:02d}:{minute:02d}{zone}", "TIME", grain="clock")


def _resolve_relday(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    key = _key(hit["rel"])
    if ctx.previous_word(hit.start) in w.not_after.get(key, ()):
        return None
    offset, part = w.days[key]
    if not ctx.published:
        return _found(hit, _unanchored((offset > 0) - (offset < 0)))
    day = (ctx.published + dt.timedelta(days=offset)).isoformat()
    if part:
        return _found(hit, day + part, "TIME", grain="day")
    value, type = _with_part(day, hit["part"], ctx)
    return _found(hit, value, type, grain="day")


def _resolve_decade(hit: _Hit, ctx: _Context) -> _Found | None:
    digits = hit["d1"] or hit["d2"]
    if len(digits) == 2:  # "the '90s": the latest such decade that has begun
        digits = str(_with_century(int(digits), ctx, ahead=0))
    return _found(hit, digits[:3])


def _resolve_quarter(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    if hit["qn"]:
        kind, index, year_text = hit["qh"].upper(), int(hit["qn"]), hit["y2"]
    else:
        kind, index, year_text = w.periods[_key(hit["period"])], w.ordinals[_key(hit["ord"])], hit["y"]
    if kind == "H" and (index > 2 or not year_text):  # "the first half" alone is usually a match, not a year
        return None
    suffix = f"-{kind}{index}"
    if year_text:
        return _found(hit, year_text + suffix)
    if not ctx.published:
        return _found(hit, "XXXX" + suffix, year_suffix=suffix)
    year = ctx.published.year
    current = (ctx.published.month - 1) // 3 + 1
    if ctx.tense(hit.start, hit.end) < 0 and index > current:
        year -= 1
    return _found(hit, f"{year:04d}{suffix}", year_suffix=suffix)


def _resolve_month(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    key = _key(hit["m"])
    month = w.months[key.rstrip(".")]
    if hit["y"]:
        return _found(hit, f"{hit['y']}-{month:02d}", grain="month")
    explicit = hit["mod"] or hit["modafter"] or hit["pos"]
    if key not in w.full_months or not explicit and key in w.exact_case and ctx.follows_name(hit.start):
        return None
    if not ctx.published:
        return _found(hit, f"XXXX-{month:02d}", year_suffix=f"-{month:02d}")
    direction, strict = _direction(hit, ctx, "mod", "modafter")
    year = ctx.published.year if strict and direction == 0 else _month_year(ctx.published, month, direction, strict)
    return _found(hit, f"{year:04d}-{month:02d}", grain="month", year_suffix=f"-{month:02d}")


def _resolve_season(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    season = w.seasons[_key(hit["season"])]
    if hit["y"]:
        return _found(hit, f"{hit['y']}-{season}")
    explicit = hit["mod"] or hit["modafter"] or hit["pos"]
    if not explicit and w.seasons_need_cue and ctx.previous_word(hit.start) not in w.cues:
        return None
    if re.match(r"\s+of\s", ctx.text[hit.end:hit.end + 4]):  # "the fall of the Wall"
        return None
    if not ctx.published:
        return _found(hit, f"XXXX-{season}", year_suffix=f"-{season}")
    direction, strict = _direction(hit, ctx, "mod", "modafter")
    year = _season_year(ctx.published, season, direction if strict else 0)
    return _found(hit, f"{year:04d}-{season}", year_suffix=f"-{season}")


def _resolve_weekday(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    weekday = w.weekdays[_key(hit["wd"])]
    if ctx.previous_word(hit.start) in w.not_after.get(_key(hit["wd"]), ()):
        return None  # "Black Friday", "Super Tuesday"
    if not ctx.published:
        return _found(hit, f"XXXX-WXX-{weekday}", weekday=weekday)
    direction, explicit = _direction(hit, ctx, "mod", "modafter")
    if not explicit and weekday in ctx.weekdays:
        day = ctx.weekdays[weekday]
    elif explicit and direction == 0:  # "this Wednesday": by tense, else the one of this week
        tense = ctx.tense(hit.start, hit.end)
        day = _nearest_weekday(ctx.published, weekday, tense, False) if tense else (
            ctx.published + dt.timedelta(days=weekday - ctx.published.isoweekday()))
    else:
        day = _nearest_weekday(ctx.published, weekday, direction, explicit)
    ctx.weekdays.setdefault(weekday, day)
    value, type = _with_part(day.isoformat(), hit["part"], ctx)
    return _found(hit, value, type, grain="day", weekday=weekday)


def _resolve_every(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    if hit["wd"]:
        key = _key(hit["wd"])
        return _found(hit, f"XXXX-WXX-{w.weekdays.get(key) or w.weekday_sets[key]}", "SET")
    if hit["m"]:
        return _found(hit, f"XXXX-{w.months[_key(hit['m'])]:02d}", "SET")
    if hit["part"]:
        return _found(hit, f"XXXX-XX-XX{w.parts[_key(hit['part'])]}", "SET")
    amount = _count(hit["num"], w) if hit["num"] else 1
    return _found(hit, _duration(amount, w.any_units[_key(hit["unit"])]), "SET")


def _unit_and_amount(hit: _Hit, ctx: _Context, unit: str = "unit", number: str = "num") -> tuple[str, float | None]:
    """(unit code, amount) of the named groups: no number means one, unless the unit is plural ("years ago": vague)."""
    w = ctx.words
    key = _key(hit[unit])
    if hit[number]:
        return w.any_units[key], _count(hit[number], w)
    return w.any_units[key], None if key in w.plural_units else 1


def _resolve_ago(hit: _Hit, ctx: _Context) -> _Found | None:
    unit, amount = _unit_and_amount(hit, ctx) if hit["unit"] else _unit_and_amount(hit, ctx, "unit2", "num2")
    if amount is None or not ctx.published:
        return _found(hit, "PAST_REF")
    value, grain = _shifted(ctx.published, unit, -round(amount))
    return _found(hit, value, grain=grain)


def _resolve_later(hit: _Hit, ctx: _Context) -> _Found | None:
    unit, amount = _unit_and_amount(hit, ctx)
    head = ctx.text[max(0, hit.start - 60):hit.start]
    superlative = ctx.words.not_future_after and re.search(ctx.words.not_future_after, head, re.IGNORECASE)
    if superlative or ctx.tense(hit.start, hit.end) < 0:  # "the first time in three years", "built in two years"
        return _found(hit, _duration(amount, unit), "DURATION")
    if amount is None or not ctx.published:
        return _found(hit, "FUTURE_REF")
    value, grain = _shifted(ctx.published, unit, round(amount))
    return _found(hit, value, grain=grain)


def _resolve_relunit(hit: _Hit, ctx: _Context) -> _Found | None:
    """"next week", "l'an dernier", "на следующей неделе", "the end of the month", "the quarter", "the weekend"."""
    w = ctx.words
    unit = w.calendar_units[_key(hit["unit"] or hit["unit2"] or hit["unit3"] or hit["unit4"])]
    if hit["unit3"] and unit == "D":  # "at the end of the day" is an idiom
        return None
    # "the end of the month", "Anfang des Jahres": the current one
    direction = 0 if hit["unit3"] else _direction(hit, ctx, "mod", "modafter")[0]
    if not ctx.published:
        return _found(hit, _unanchored(direction))
    if hit["unit4"] and unit == "WE":  # "the weekend": the nearest one in the direction of the tense
        saturday = _nearest_weekday(ctx.published, 6, direction, False)
        return _found(hit, f"{_week(saturday)}-WE")
    if hit["unit4"]:  # "the quarter" of a report is the one just ended when told in the past, else the current one
        direction = min(direction, 0)
    value, grain = _shifted(ctx.published, unit, direction)
    return _found(hit, value, grain=grain)


def _resolve_relative(hit: _Hit, ctx: _Context) -> _Found | None:
    """"a year earlier", "two days later", "the year-ago quarter": counted from the last date mentioned."""
    w = ctx.words
    if hit["unit2"]:  # "year-earlier", "year-ago"
        unit, amount = w.calendar_units[_key(hit["unit2"])], 1.0
        direction = w.relative_after.get(_key(hit["rel2"]), -1)
    else:
        unit, amount = _unit_and_amount(hit, ctx)
        direction = w.relative_after[_key(hit["rel"])]
    anchor = ctx.anchor or (ctx.published.isoformat() if ctx.published else None)
    if amount is None or anchor is None:  # "years later": a vague duration, read by the rules after this one
        return None
    value = _shift_value(anchor, unit, direction * round(amount))
    return _found(hit, value) if value else None


def _resolve_stretch(hit: _Hit, ctx: _Context) -> _Found | None:
    """"the last five years" -> P5Y, "the coming weeks" -> PXW, "recent months" -> PAST_REF."""
    w = ctx.words
    unit = w.any_units[_key(hit["unit"])]
    number = hit["num"] or hit["num1"]
    reference = w.stretches[_key(hit["mod"])]
    if reference and not number:
        return _found(hit, reference)
    return _found(hit, _duration(_count(number, w) if number else None, unit), "DURATION")


def _resolve_duration(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    if hit["old"]:
        return None  # "a 6-year-old boy": an age, no time of the story
    unit, amount = _unit_and_amount(hit, ctx)
    if unit == "Y" and _key(hit["unit"]) in w.units and re.fullmatch(YEAR, hit["num"]):
        return None  # "в 2026 году", "im Jahr": a year, read by the year rule
    if _key(hit["num"]) in ("a", "an") and _PER_AMOUNT.search(ctx.text, max(0, hit.start - 40), hit.start):
        return _found(hit, _duration(1, unit), "SET")  # "twice a year", "$5 a day"
    return _found(hit, _duration(amount, unit), "DURATION")


def _resolve_year(hit: _Hit, ctx: _Context) -> _Found | None:
    year = int(hit["y"])
    marked = hit["pos"] or hit["fiscal"] or hit["ys"] or ctx.previous_word(hit.start) in ctx.words.cues
    if year < 1900 and not marked or ctx.published and year > ctx.published.year + 100:
        return None
    if _QUANTITY_AFTER.match(ctx.text, hit.end):
        return None
    return _found(hit, f"{year:04d}", grain="year")


def _resolve_setword(hit: _Hit, ctx: _Context) -> _Found | None:
    w = ctx.words
    if hit["wdset"]:
        return _found(hit, f"XXXX-WXX-{w.weekday_sets[_key(hit['wdset'])]}", "SET")
    value = w.sets[_key(hit["set"])]
    if value == "P1D" and ctx.previous_word(hit.start) in w.newspaper_articles:
        return None  # "el diario", "le quotidien": the newspaper
    return _found(hit, value, "SET")


def _resolve_ref(hit: _Hit, ctx: _Context) -> _Found | None:
    return _found(hit, ctx.words.refs[_key(hit["ref"])])


_RESOLVERS: dict[str, Callable[[_Hit, _Context], _Found | None]] = {
    "iso": _resolve_iso, "numeric": _resolve_numeric, "range": _resolve_day_month, "dmy": _resolve_day_month,
    "mdy": _resolve_day_month, "dayonly": _resolve_day_of_month, "relative": _resolve_relative,
    "clock": _resolve_clock, "relday": _resolve_relday, "decade": _resolve_decade, "quarter": _resolve_quarter,
    "month": _resolve_month, "season": _resolve_season, "weekday": _resolve_weekday, "every": _resolve_every,
    "ago": _resolve_ago, "later": _resolve_later, "relunit": _resolve_relunit, "stretch": _resolve_stretch,
    "duration": _resolve_duration, "year": _resolve_year, "setword": _resolve_setword, "ref": _resolve_ref,
}


# ---- combining neighbours ----------------------------------------------------------------------------------

def _merge(first: _Found, second: _Found) -> _Found | None:
    """One expression from two neighbours, when they are pieces of one: clock + day, weekday + week, month + year."""
    grains = {first.grain, second.grain}
    if grains == {"clock", "day"}:
        day, clock = (first, second) if first.grain == "day" else (second, first)
        value = day.value[:10] + clock.value
        return replace(day, start=first.start, end=second.end, value=value, type="TIME", grain="time")
    if first.weekday and second.grain == "week":
        year, week = int(second.value[:4]), int(second.value[6:8])
        day = dt.date.fromisocalendar(year, week, first.weekday).isoformat()
        return replace(first, end=second.end, value=day + first.value[10:], weekday=None)
    if first.year_suffix and second.grain == "year":
        return replace(first, end=second.end, value=second.value + first.year_suffix, year_suffix=None)
    return None


def _sum_durations(first: _Found, second: _Found) -> _Found | None:
    """"two years and three months" -> P2Y3M, "two hours and 30 minutes" -> PT2H30M."""
    if first.type != "DURATION" or second.type != "DURATION" or "X" in first.value + second.value:
        return None
    (date_1, _, time_1), (date_2, _, time_2) = (f.value[1:].partition("T") for f in (first, second))
    clock = time_1 + time_2
    return replace(first, end=second.end, value=f"P{date_1}{date_2}" + (f"T{clock}" if clock else ""))


def _combine(found: list[_Found], ctx: _Context) -> list[_Found]:
    combined: list[_Found] = []
    for item in found:
        previous = combined[-1] if combined else None
        if previous and _JOINER.fullmatch(ctx.text, previous.end, item.start) and (merged := _merge(previous, item)):
            combined[-1] = merged
            continue
        if previous and _RANGE.fullmatch(ctx.text, previous.end, item.start):
            if previous.year_suffix and item.grain in ("day", "month"):  # "between January and March 1998"
                combined[-1] = replace(previous, value=item.value[:4] + previous.year_suffix, year_suffix=None)
            elif total := _sum_durations(previous, item):
                combined[-1] = total
                continue
        combined.append(item)
    return [_anchor_clock(item, combined, ctx) if item.grain == "clock" else item for item in combined]


def _anchor_clock(clock: _Found, found: list[_Found], ctx: _Context) -> _Found:
    """A lone clock time on the nearest day of its sentence, else on the publication day."""
    first, last = ctx.sentence(clock.start)
    days = [f for f in found if f.grain == "day" and first <= f.start < last]
    if days:
        day = min(days, key=lambda f: abs(f.start - clock.start)).value[:10]
    else:
        day = ctx.published.isoformat() if ctx.published else "XXXX-XX-XX"
    return replace(clock, value=day + clock.value, grain="time")


def _read(match: re.Match[str], ctx: _Context) -> _Found | None:
    rule = match.lastgroup or ""
    return _RESOLVERS[rule](_Hit(match, rule), ctx)


# ---- entry point -------------------------------------------------------------------------------------------

def _language_code(language: str | None) -> str:
    code = (language or "").lower()[:2]
    return code if code in LANGUAGES else "en"


class TenseReader:
    """The tense of any words of one text: +1 future or planned, -1 past, 0 unknown.

    The same reading ``find_times`` gives a bare weekday: the nearest tense
    marker of the words' clause. Events use it for planned versus happened.
    """

    def __init__(self, text: str, language: str | None) -> None:
        self._context = _Context(text, words_for(_language_code(language)), None)

    def tense(self, start: int, end: int) -> int:
        return self._context.tense(start, end)


def find_times(
    text: str, *, language: str | None, published: dt.date | dt.datetime | None
) -> list[TimeExpression]:
    """Every date, time, duration and set expression of ``text``, resolved against ``published``.

    Args:
        text: the article text; offsets in the result index into it.
        language: ISO 639-1 code ("en", "fr-CH" works too); unknown or None reads English words.
        published: the publication date (a datetime counts by its date); None leaves relative
            expressions unresolved ("XXXX-WXX-3", "PAST_REF").

    Returns:
        The expressions in text order, without overlaps.
    """
    code = _language_code(language)
    day = published.date() if isinstance(published, dt.datetime) else published
    ctx = _Context(text, words_for(code), day)
    rules, later_rules = grammar(code), rule_patterns(code)
    found: list[_Found] = []
    position = 0
    while match := rules.search(text, position):
        start = match.start()
        if not (result := _read(match, ctx)):  # rejected: let the rules after this one read the same place
            later = (m for rule in later_rules[match.lastgroup or ""] if (m := rule.match(text, start)))
            result = next((r for m in later if (r := _read(m, ctx))), None)
        if result:
            found.append(result)
            if _CALENDAR.fullmatch(result.value):
                ctx.anchor = result.value
        position = result.end if result else start + 1
    return [TimeExpression(text[f.start:f.end], f.start, f.end, f.value, f.type) for f in _combine(found, ctx)]
