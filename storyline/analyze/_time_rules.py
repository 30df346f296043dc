"""The words and the grammar of time expressions, per language, for ``storyline.analyze.times``.

Vocabulary: month and weekday names (with their abbreviations) come from
dateparser's locale data, which is well kept and covers many spellings
("Jänner", "Setiembre", "сент"). The rest is written here because that data
has no grammar for it: modifiers that agree in gender and case ("следующую",
"kommenden", "dernière"), inflected units ("неделе", "Jahren"), ago/in words,
parts of the day, seasons, quarters, reference words and the verb forms that
tell tense. Keys are lower case with single spaces and a straight apostrophe;
``times`` folds what it matches the same way before looking up.

Grammar: ``rules`` turns a vocabulary into ordered regular expressions, one per
kind of expression; ``grammar`` joins them into one pattern that is only tried
where a word that can open an expression stands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

LANGUAGES = ("en", "fr", "de", "es", "ru", "it")
YEAR = r"(?:1\d|20)\d\d"
_TIMEZONES = r"(?:GMT|UTC|CET|CEST|MSK|EST|EDT|CST|CDT|PST|PDT|BST|мск)"
_WORD = re.compile(r"\w+")
# "two days after the match", "dos días después del partido": counted from an event, not a date; a duration then.
_EVENT_LINK = r"(?:de|del|d['’]|que|of|than|dem|der|des|di|dell['’]|della|che)\b"

V = TypeVar("V")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Words:
    """Everything the grammar needs to know about one language."""

    code: str
    months: dict[str, int]  # every spelling, abbreviations included -> 1..12
    full_months: frozenset[str]  # spellings that may stand without a day or a year
    weekdays: dict[str, int]  # -> ISO weekday 1..7
    weekday_sets: dict[str, int]  # habitual forms: "Mondays", "montags", "по средам"
    days: dict[str, tuple[int, str | None]]  # "yesterday" -> (-1, None), "tonight" -> (0, "TNI")
    parts: dict[str, str]  # parts of the day after a day word: "morning" -> "TMO"
    units: dict[str, str]  # singular (or ambiguous) unit words: "week" -> "W" (D W M Y HR MIN S DE CE WE FN)
    plural_units: dict[str, str]  # plural-only unit words: "weeks" -> "W"
    numbers: dict[str, int | None]  # None: a vague quantity ("several") -> "X" in values
    before: dict[str, int]  # modifiers before the noun: +1 next, -1 last, 0 this
    after: dict[str, int]  # modifiers after the noun ("mercredi prochain")
    stretches: dict[str, str | None]  # before plural units: "the last five years" (None: a duration), "recent months" (the REF)
    ago_before: tuple[str, ...]  # "il y a", "vor", "hace"
    ago_after: tuple[str, ...]  # "ago", "назад"
    relative_after: dict[str, int]  # after a duration, from the last date mentioned: "a year earlier" -1, "später" +1
    later_before: tuple[str, ...]  # "in", "dans", "через"
    positions: tuple[str, ...]  # "early", "the end of", "Anfang", "a finales de"
    seasons: dict[str, str]  # -> TIMEX season code
    ordinals: dict[str, int]
    periods: dict[str, str]  # "quarter" -> "Q", "semestre" -> "H"
    refs: dict[str, str]  # "now" -> "PRESENT_REF"
    sets: dict[str, str]  # "daily" -> "P1D"
    every: tuple[str, ...]
    range_from: tuple[str, ...]  # "del [7] al 11 de septiembre": the first day of a range takes the month of the second
    range_to: tuple[str, ...]
    day_of_month: str  # regex of a day without its month ("el día 8"), "{day}" standing for the number; "" for none
    cues: tuple[str, ...]  # prepositions that introduce a time: "at", "um", "в"
    until: tuple[str, ...]  # prepositions that point ahead: "by [Jan. 14]", "bis", "hasta"
    since: tuple[str, ...]  # prepositions that point back: "since [March]", "depuis", "seit"
    clock_suffixes: dict[str, int]  # "p.m." -> 12 (hours to add), "Uhr" -> 0
    noon: dict[str, int]  # "noon" -> 12, "midnight" -> 24
    year_suffix: str = ""  # regex after a year: " года", " г."
    day_suffix: str = ""  # regex after a day of the month: "st", "er", "."
    articles: tuple[str, ...] = ()  # articles kept in a span: "[el miércoles pasado]", "[l'an dernier]"
    of: str = r"(?:of\s+)?"  # regex between a month and its year
    future: str = ""  # regex of future/planned verb forms
    past: str = ""  # regex of past verb forms
    neutral: str = ""  # regex of forms that would otherwise look future or past but say nothing
    past_exceptions: frozenset[str] = frozenset()  # words the past regex catches but are not verbs
    exact_case: dict[str, str] = field(default_factory=dict)  # key -> the only spelling that counts ("may" -> "May")
    not_after: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word -> previous words that veto it
    part_joiner: str = r"\s+"  # between a day word and a part of the day ("" allows "Mittwochabend")
    not_future_after: str = ""  # regex before "in <n> <units>" that makes it a duration: "the first time in three years"
    newspaper_articles: tuple[str, ...] = ()  # words before "daily" that make it the newspaper: "el diario"
    seasons_need_cue: bool = True  # "été" is also a participle, "fall" a verb; Russian "летом" stands alone

    @functools.cached_property
    def any_units(self) -> dict[str, str]:
        """Singular and plural unit words."""
        return self.units | self.plural_units

    @functools.cached_property
    def calendar_units(self) -> dict[str, str]:
        """Singular unit words and quarters/halves: what "next ..." can go with."""
        return self.units | self.periods


def _names(locale_info: dict, keys: tuple[str, ...], shortest: int) -> tuple[dict[str, int], set[str]]:
    """Spellings -> 1-based index, and the abbreviations among them.

    An abbreviation is a spelling that starts another, longer spelling of the
    same name ("sept" of "september"); spellings shorter than ``shortest``
    ("mi", "sa", "срд") are dropped: they are words too, or too rare to matter.
    """
    spellings: dict[str, int] = {}
    abbreviations: set[str] = set()
    for index, key in enumerate(keys, start=1):
        names = [n.lower() for n in locale_info[key] if len(n) >= shortest and n.replace(".", "").isalpha()]
        for name in names:
            spellings[name] = index
            if any(other != name and other.startswith(name) for other in names):
                abbreviations.add(name)
    return spellings, abbreviations


def _spellings(forms_by_value: Mapping[V, str]) -> dict[str, V]:
    """{"D": "day|days", 0: "dies(e|en)"} -> {"day": "D", "days": "D", "diese": 0, "diesen": 0}.

    "|" separates spellings; "stem(a|b)" stands for the stem with each ending ("" allowed).
    """
    spellings: dict[str, V] = {}
    for value, forms in forms_by_value.items():
        for form in re.split(r"\|(?![^(]*\))", forms):
            stem, _, endings = form.partition("(")
            for ending in endings.rstrip(")").split("|") if endings else [""]:
                spellings[stem + ending] = value
    return spellings


_EN_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_PRESENT, _PAST, _FUTURE = "PRESENT_REF", "PAST_REF", "FUTURE_REF"
_SOFT = "ий|ая|ую|ей|ем|ее|его|ие|их"  # endings of Russian soft adjectives: "следующий", "следующую", ...
_ADVERB = "о|ый|ая|ое|ые|ого|ой|ых"  # "ежедневно", "ежедневный", ...

_BY_LANGUAGE: dict[str, dict] = {
    "en": dict(
        extra_months={},
        extra_weekdays={},
        weekday_sets=_spellings({day: name.capitalize() + "s" for day, name in enumerate(_WEEKDAY_KEYS, 1)}),
        days={
            "today": (0, None), "yesterday": (-1, None), "tomorrow": (1, None), "the day before yesterday": (-2, None),
            "the day after tomorrow": (2, None), "tonight": (0, "TNI"), "last night": (-1, "TNI"),
            "this morning": (0, "TMO"), "this afternoon": (0, "TAF"), "this evening": (0, "TEV"),
        },
        parts=_spellings({"TMO": "morning", "TAF": "afternoon", "TEV": "evening", "TNI": "night"}),
        units=_spellings({
            "D": "day", "W": "week", "M": "month", "Y": "year", "HR": "hour", "MIN": "minute", "DE": "decade",
            "CE": "century", "WE": "weekend", "FN": "fortnight",
        }),
        plural_units=_spellings({
            "D": "days", "W": "weeks", "M": "months", "Y": "years", "HR": "hours", "MIN": "minutes", "S": "seconds",
            "DE": "decades", "CE": "centuries", "WE": "weekends",
        }),
        numbers=_spellings({
            1: "a|an|one", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen",
            16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen", 100: "a hundred|one hundred|hundred",
            2: "a couple of", None: "a few|few|several|many",
        })
        | {name: value for value, name in enumerate(_EN_ONES[1:], 2)} | _EN_TENS
        | {f"{tens}{joint}{one}": value + unit for tens, value in _EN_TENS.items() for unit, one in enumerate(_EN_ONES, 1)
           for joint in "- "},
        before=_spellings({
            1: "next|coming|this coming", -1: "last|past|this past|previous|latest|most recent", 0: "this|current",
        }),
        after={},
        stretches=_spellings({_PAST: "recent", None: "past|last|previous|coming|next|upcoming"}),
        ago_before=(),
        ago_after=("ago",),
        relative_after={"earlier": -1, "later": 1},
        later_before=("in",),
        positions=(
            "early", "earlier", "late", "later", "mid", "the end of", "the beginning of", "the start of", "the middle of",
            "end of", "beginning of", "start of", "middle of",
        ),
        seasons=_spellings({"SP": "spring", "SU": "summer", "FA": "fall|autumn", "WI": "winter"}),
        ordinals=_spellings({1: "first|1st", 2: "second|2nd", 3: "third|3rd", 4: "fourth|4th"}),
        periods={"quarter": "Q", "half": "H"},
        refs=_spellings({
            _PRESENT: "now|right now|currently|at present|presently|nowadays|these days|current",
            _PAST: "recently|lately|the past|previously|formerly|recent",
            _FUTURE: "the future|the near future|soon|shortly|future",
        }),
        sets=_spellings({
            "P1D": "daily|nightly|per day", "P1W": "weekly|per week", "P1M": "monthly|per month",
            "P1Y": "yearly|annually|annual|per year", "PT1H": "hourly",
        }),
        every=("every", "each"),
        range_from=("from", "between"),
        range_to=("to", "and", "through"),
        day_of_month=r"the\s+(?P<d>{day})(?:st|nd|rd|th)(?=\s*[.,;:!?)]|\s+(?:and|or)\b)",
        until=("by", "until", "till", "through", "ahead"),
        since=("since",),
        cues=(
            "at", "by", "around", "about", "from", "until", "till", "before", "after", "since", "to", "in", "during",
            "over", "of", "the",
        ),
        noon={"noon": 12, "midday": 12, "midnight": 24},
        clock_suffixes=_spellings({0: "a.m.|am|a.m|o'clock", 12: "p.m.|pm|p.m"}),
        day_suffix=r"(?:st|nd|rd|th)?",
        articles=("the",),
        future=(
            r"\b(?:(?:will|shall|would|'ll|won't|wo\s+n't)(?:\s+(?:not|also|still|likely|probably|then|soon|now|be|have"
            r"|again))*(?:\s+[a-z]+)?|going\s+to|gonna|to\s+be\s+held|as\s+soon\s+as|upcoming"
            r"|(?:is|are|be|been)\s+(?:expected|due|scheduled|set|slated|planned|poised|supposed|about|likely|going)\s+to"
            r"|(?:plans?|planning|intends?|aims?|agrees?|decides?|promises?|pledges?|vows?|hopes?|expects?|prepares?"
            r"|wants?|seeks?|threatens?|offers?|proposes?|ready|set)\s+to|scheduled|slated"
            r"|(?:postponed|delayed|deferred|rescheduled|moved|pushed\s+back|put\s+off)\s+(?:to|until|till)"
            r"|(?:planned|expected|due|set)\s+(?:for|on|in))\b"
        ),
        neutral=(  # plans in the past and modals say nothing about the day: "agreed to hold talks", "could be delayed"
            r"\b(?:(?:was|were)\s+(?:expected|due|scheduled|set|slated|planned|supposed|about|going)\s+to"
            r"|(?:planned|intended|aimed|agreed|decided|promised|pledged|vowed|hoped|expected|prepared|wanted|sought"
            r"|threatened|offered|proposed|refused|tried|failed|declined|asked|urged|called\s+on\s+\w+)\s+to"
            r"|(?:can|could|may|might|must|should)(?:\s+(?:not|also|still|be|have|been))*\s+[a-z]+)\b"
        ),
        past=(
            r"\b(?:said|told|was|were|had|did|didn't|wasn't|weren't|hadn't|been|met|took|held|came|went|made|gave|saw"
            r"|began|won|lost|left|fell|rose|led|sent|spoke|wrote|brought|bought|caught|taught|built|spent|lent|meant"
            r"|felt|dealt|heard|laid|fled|fed|slid|stuck|struck|swore|tore|wore|rode|woke|drew|grew|threw|blew|shook"
            r"|forgot|kept|found|thought|knew|became|got|ran|broke|chose|drove|flew|fought|paid|sold|shot|stood|sat"
            r"|sank|sang|rang|slept|stole|froze|withdrew|overtook|undertook|oversaw|taken|given|seen|done|gone|spoken"
            r"|written|known|shown|begun|chosen|fallen|risen|broken|driven|quit|ago)\b|\b[a-z]{2,}ed\b"
        ),
        past_exceptions=frozenset(
            "need feed speed seed bleed breed greed indeed proceed exceed succeed steed weed deed heed hundred shed bred "
            "sacred naked wicked kindred rugged ragged beloved embed".split()
        ),
        not_after={  # holidays and events named after a weekday
            "monday": ("cyber", "easter", "black", "blue"), "tuesday": ("super", "shrove", "fat"), "wednesday": ("ash",),
            "thursday": ("holy", "maundy", "black"), "friday": ("black", "good"), "sunday": ("easter", "palm", "bloody"),
        },
        not_future_after=(
            r"\b(?:first|highest|lowest|biggest|largest|worst|best|longest|strongest|weakest|fastest)\b[^.!?]{0,40}$"
        ),
    ),
    "fr": dict(
        extra_months={"aout": 8, "fevrier": 2, "decembre": 12},
        extra_weekdays={},
        weekday_sets=_spellings({day: name + "s" for day, name in enumerate(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"), 1)}),
        days={
            "aujourd'hui": (0, None), "hier": (-1, None), "demain": (1, None), "avant-hier": (-2, None),
            "après-demain": (2, None), "ce matin": (0, "TMO"), "cet après-midi": (0, "TAF"), "ce soir": (0, "TEV"),
            "cette nuit": (0, "TNI"), "la nuit dernière": (-1, "TNI"),
        },
        parts=_spellings({"TMO": "matin|matinée", "TAF": "après-midi", "TEV": "soir|soirée", "TNI": "nuit"}),
        units=_spellings({
            "D": "jour|journée", "W": "semaine", "M": "mois", "Y": "an|année", "HR": "heure", "MIN": "minute",
            "DE": "décennie", "CE": "siècle", "WE": "week-end", "FN": "quinzaine",
        }),
        plural_units=_spellings({
            "D": "jours|journées", "W": "semaines", "Y": "ans|années", "HR": "heures", "MIN": "minutes", "S": "secondes",
            "DE": "décennies", "CE": "siècles",
        }),
        numbers=_spellings({
            1: "un|une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit", 9: "neuf",
            10: "dix", 11: "onze", 12: "douze", 13: "treize", 14: "quatorze", 15: "quinze", 16: "seize", 20: "vingt",
            30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante", 100: "cent", None: "quelques|plusieurs|de nombreuses|de nombreux",
        }),
        before=_spellings({0: "ce|cet|cette"}),
        after=_spellings({1: "prochain|prochaine|à venir", -1: "dernier|dernière|passé|passée", 0: "en cours"}),
        stretches=_spellings({
            None: "derniers|dernières|prochains|prochaines|ces derniers|ces dernières", _PAST: "récents|récentes",
        }),
        ago_before=("il y a", "il y a plus de", "il y a près de", "voici"),
        ago_after=(),
        relative_after={"plus tôt": -1, "plus tard": 1, "auparavant": -1},
        later_before=("dans",),
        positions=(
            "début", "fin", "mi", "courant", "au début de", "au début du", "au début de l'", "à la fin de", "à la fin du",
            "à la fin de l'", "la fin de", "la fin du", "fin de", "fin du", "début de", "début du", "plus tôt",
            "plus tard", "à la mi",
        ),
        seasons=_spellings({"SP": "printemps", "SU": "été", "FA": "automne", "WI": "hiver"}),
        ordinals=_spellings({
            1: "premier|première|1er", 2: "deuxième|second|seconde|2e", 3: "troisième|3e", 4: "quatrième|4e",
        }),
        periods={"trimestre": "Q", "semestre": "H"},
        refs=_spellings({
            _PRESENT: "maintenant|actuellement|à présent|à l'heure actuelle|en ce moment|de nos jours|actuel(|s|le|les)",
            _PAST: "récemment|dernièrement|le passé|autrefois|auparavant|récent(|s|e|es)",
            _FUTURE: "bientôt|prochainement|l'avenir|le futur|sous peu|futur(|s|e|es)",
        }),
        sets=_spellings({
            "P1D": "quotidien(|s|ne|nes)|quotidiennement|par jour", "P1W": "hebdomadaire(|s)|par semaine",
            "P1M": "mensuel(|s|le|les)|par mois", "P1Y": "annuel(|s|le|les)|annuellement|par an",
        }),
        every=("chaque", "tous les", "toutes les"),
        range_from=("du", "entre le", "les"),
        range_to=("au", "et le", "et"),
        day_of_month="",
        until=("d'ici", "jusqu'à", "jusqu'au", "jusqu'en"),
        since=("depuis",),
        cues=(
            "à", "vers", "dès", "avant", "après", "jusqu'à", "depuis", "de", "entre", "et", "en", "pendant", "cet", "l'",
            "d'", "au",
        ),
        noon={"midi": 12, "minuit": 24},
        clock_suffixes={"h": 0, "heures": 0, "heure": 0},
        day_suffix=r"(?:er|e)?",
        articles=("le", "la", "les", "l'"),
        future=(
            r"\b(?:(?:va|vont|vais|allons|allez)\s+(?:se\s+|s['’]|y\s+)?[a-zàâçéèêëîïôûù]+(?:er|ir|re|oir)"
            r"|doi(?:t|vent)|devr(?:ait|aient|a|ont)|pourr(?:ait|aient|a|ont)|prévoi(?:t|ent)|compte(?:nt)?|entend(?:ent)?"
            r"|s['’]apprête(?:nt)?|prévue?s?|programmée?s?|ser(?:a|ont|ait|aient)|aur(?:a|ont|ait|aient)|fer(?:a|ont)"
            r"|ir(?:a|ont)|viendr(?:a|ont)|tiendr(?:a|ont)|prendr(?:a|ont)|verr(?:a|ont)|faudra"
            r"|(?:(?:a|ont|est|sont)\s+(?:été\s+)?)?(?:report|repouss)ée?s?\s+(?:à|au)|(?:est|sont)\s+attendue?s?"
            r"|[a-zàâçéèêëîïôûù]{2,}(?:erai|eras|era|erons|erez|eront|erait|eraient|irai|iras|ira|irons|iront)"
            r"|[a-zàâçéèêëîïôûù]{2,}(?:dr|ttr|vr)(?:ai|as|a|ons|ez|ont|ait|aient))\b"
        ),
        past=(
            r"\b(?:(?:a|ont|avait|avaient|ai|avons|avez|eu|est|sont|était|étaient|fut|furent|s['’]est|se\s+sont)\s+"
            r"(?:(?:pas|déjà|également|aussi|notamment|bien|ensuite|alors|encore|ainsi|été|ne|n['’]|y)\s+)*"
            r"[a-zàâçéèêëîïôûù]+(?:é|ée|és|ées|i|ie|is|ies|u|ue|us|ues|it|ite|its|ites|ert|erte|ort|orte|eint|aint)"
            r"|[a-zàâçéèêëîïôûù]{2,}(?<!r)ai(?:t|ent))\b"
        ),
        past_exceptions=frozenset({"fait", "sait", "plait", "vrai"}),
        newspaper_articles=("le", "un", "du", "au"),
    ),
    "de": dict(
        extra_months={"maerz": 3, "jänner": 1},
        extra_weekdays={"sonnabend": 6},
        weekday_sets=_spellings({day: name + "s" for day, name in enumerate(
            ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag|sonnabend", "sonntag"), 1)})
        | {"sonnabends": 6},
        days={
            "heute": (0, None), "gestern": (-1, None), "morgen": (1, None), "vorgestern": (-2, None),
            "übermorgen": (2, None), "heute nacht": (0, "TNI"), "letzte nacht": (-1, "TNI"),
            "vergangene nacht": (-1, "TNI"),
        },
        parts=_spellings({"TMO": "morgen|früh|vormittag", "TAF": "nachmittag", "TEV": "abend", "TNI": "nacht"}),
        units=_spellings({
            "D": "tag|tages", "W": "woche", "M": "monat|monats", "Y": "jahr|jahres", "HR": "stunde", "MIN": "minute",
            "DE": "jahrzehnt|jahrzehnts", "CE": "jahrhundert|jahrhunderts", "WE": "wochenende|wochenendes",
        }),
        plural_units=_spellings({
            "D": "tage|tagen", "W": "wochen", "M": "monate|monaten", "Y": "jahre|jahren", "HR": "stunden",
            "MIN": "minuten", "S": "sekunden", "DE": "jahrzehnte|jahrzehnten", "CE": "jahrhunderte|jahrhunderten",
        }),
        numbers=_spellings({
            1: "ein|eine|einen|einem|einer|eines", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben",
            8: "acht", 9: "neun", 10: "zehn", 11: "elf", 12: "zwölf", 15: "fünfzehn", 20: "zwanzig", 30: "dreißig",
            40: "vierzig", 50: "fünfzig", 100: "hundert",
            None: "einige|einigen|mehrere|mehreren|wenige|wenigen|ein paar|viele|vielen",
        }),
        before=_spellings({
            1: "nächst(e|en|er|es|em)|kommend(e|en|er|es|em)", -1: "letzt(e|en|er|es|em)|vergangen(e|en|er|es|em)"
            "|vorig(e|en|er|es|em)", 0: "dies(e|en|er|es|em)|laufend(e|en|er|es|em)",
        }),
        after={},
        stretches=_spellings({None: "letzt(e|en)|vergangen(e|en)|kommend(e|en)|nächst(e|en)", _PAST: "jüngst(e|en)"}),
        ago_before=("vor", "vor mehr als", "vor fast", "vor knapp", "vor rund", "vor etwa"),
        ago_after=(),
        relative_after={"früher": -1, "später": 1, "zuvor": -1, "danach": 1},
        later_before=("in", "binnen"),
        positions=("anfang", "ende", "mitte", "anfang des", "ende des", "mitte des", "anfang der", "ende der", "mitte der"),
        seasons=_spellings({
            "SP": "frühling(|s)|frühjahr(|s|es)", "SU": "sommer(|s)", "FA": "herbst(|s|es)", "WI": "winter(|s)",
        }),
        ordinals=_spellings({
            1: "erst(e|en|er|es|em)|1.", 2: "zweit(e|en|er|es|em)|2.", 3: "dritt(e|en|er|es|em)|3.",
            4: "viert(e|en|er|es|em)|4.",
        }),
        periods=_spellings({"Q": "quartal(|s|es|en)", "H": "halbjahr(|s|es|en)|jahreshälfte"}),
        refs=_spellings({
            _PRESENT: "jetzt|nun|derzeit|zurzeit|zur zeit|gegenwärtig|heutzutage|aktuell(|e|en|er|es)"
            "|derzeitig(e|en|er|es)",
            _PAST: "kürzlich|jüngst|neulich|vor kurzem|unlängst|der vergangenheit",
            _FUTURE: "bald|demnächst|künftig(|e|en|er|es)|zukunft|naher zukunft|in kürze|zukünftig(|e|en|er|es)",
        }),
        sets=_spellings({
            "P1D": "täglich(|e|en|er|es)|pro tag", "P1W": "wöchentlich(|e|en|er|es)|pro woche",
            "P1M": "monatlich(|e|en|er|es)|pro monat", "P1Y": "jährlich(|e|en|er|es)|pro jahr|im jahr",
            "PT1H": "stündlich(|e|en|er|es)",
        }),
        every=("jeden", "jede", "jedes", "jedem", "alle"),
        range_from=("vom", "zwischen dem"),
        range_to=("bis", "bis zum", "und dem"),
        day_of_month="",
        until=("bis",),
        since=("seit",),
        cues=(
            "um", "gegen", "ab", "bis", "seit", "von", "vor", "nach", "im", "in", "am", "zum", "den", "der", "diesen",
            "während",
        ),
        noon={"mitternacht": 24},
        clock_suffixes={"uhr": 0},
        day_suffix=r"\.?",
        future=(
            r"\b(?:wird|werden|werde|wirst|werdet|soll|sollen|sollte|sollten|will|wollen|plant|planen|geplant"
            r"|beabsichtigt|voraussichtlich|bevorstehende?n?|verschoben\s+auf|vertagt\s+auf)\b"
        ),
        past=(
            r"\b(?:war|waren|hatte|hatten|hat|haben|wurde|wurden|sagten|erklärten|trafen|fand|fanden|kam|kamen|ging"
            r"|gingen|gab|gaben|hieß|stand|standen|begann|begannen|traf|sprach|sprachen|nahm|nahmen|hielt|hielten"
            r"|gewesen|worden|ge[a-zäöüß]{3,}(?:t|en)|[a-zäöüß]{3,}(?<!s)te)\b"
        ),
        past_exceptions=frozenset(
            "gegen gehen gelten gewinnen genau gestern geben gefallen heute gute weite breite bitte zweite dritte vierte "
            "fünfte sechste siebte achte neunte zehnte rechte harte alte späte leichte mitte halbte".split()
        ),
        exact_case={"morgen": "morgen"},  # "Morgen" is the morning
        not_after={"morgen": ("am", "den", "jeden", "guten", "heute", "gestern", "diesen")},
        part_joiner=r"\s*",
    ),
    "es": dict(
        extra_months={"setiembre": 9},
        extra_weekdays={"miercoles": 3, "sabado": 6},
        weekday_sets={},
        days={
            "hoy": (0, None), "ayer": (-1, None), "mañana": (1, None), "anteayer": (-2, None),
            "antes de ayer": (-2, None), "anteanoche": (-2, "TNI"), "pasado mañana": (2, None), "anoche": (-1, "TNI"),
            "esta mañana": (0, "TMO"), "esta tarde": (0, "TAF"), "esta noche": (0, "TNI"), "esta madrugada": (0, "TNI"),
        },
        parts=_spellings({
            "TMO": "por la mañana|de la mañana|en la mañana", "TAF": "por la tarde|de la tarde|en la tarde",
            "TNI": "por la noche|de la noche|en la noche",
        }),
        units=_spellings({
            "D": "día|jornada", "W": "semana", "M": "mes", "Y": "año", "HR": "hora", "MIN": "minuto", "DE": "década",
            "CE": "siglo", "WE": "fin de semana", "FN": "quincena",
        }),
        plural_units=_spellings({
            "D": "días|jornadas", "W": "semanas", "M": "meses", "Y": "años", "HR": "horas", "MIN": "minutos",
            "S": "segundos", "DE": "décadas", "CE": "siglos", "WE": "fines de semana",
        }),
        numbers=_spellings({
            1: "un|una|uno", 2: "dos|un par de", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho",
            9: "nueve", 10: "diez", 11: "once", 12: "doce", 13: "trece", 14: "catorce", 15: "quince", 20: "veinte",
            30: "treinta", 40: "cuarenta", 50: "cincuenta", 100: "cien",
            None: "unos|unas|varios|varias|algunos|algunas|pocos|pocas|muchos|muchas",
        }),
        before=_spellings({1: "próximo|próxima", -1: "pasado|pasada", 0: "este|esta"}),
        after=_spellings({1: "próximo|próxima|que viene|entrante", -1: "pasado|pasada", 0: "en curso"}),
        stretches=_spellings({None: "últimos|últimas|pasados|pasadas|próximos|próximas", _PAST: "recientes"}),
        ago_before=("hace", "hace ya", "hace más de", "hace casi", "hace unos", "hace unas"),
        ago_after=(),
        relative_after={"antes": -1, "después": 1, "más tarde": 1},
        later_before=("dentro de",),
        positions=tuple(
            f"{at}{when} {of}" for at in ("", "a ") for when in ("principios", "finales", "mediados", "comienzos", "fines")
            for of in ("de", "del")
        ) + ("inicios de",),
        seasons=_spellings({"SP": "primavera", "SU": "verano", "FA": "otoño", "WI": "invierno"}),
        ordinals=_spellings({
            1: "primer|primero|primera", 2: "segundo|segunda", 3: "tercer|tercero|tercera", 4: "cuarto|cuarta",
        }),
        periods={"trimestre": "Q", "semestre": "H"},
        refs=_spellings({
            _PRESENT: "ahora|actualmente|la actualidad|hoy en día|hoy por hoy|estos momentos|estos días"
                      "|hasta el momento|hasta ahora|actual(|es)",
            _PAST: "recientemente|el pasado|antaño|entonces|reciente(|s)|recién|pasad(a|as|os)",
            _FUTURE: "pronto|próximamente|el futuro|en breve|futur(o|a|os|as)|próxim(o|a|os|as)",
        }),
        sets=_spellings({
            "P1D": "diari(o|a|os|as)|diariamente|al día|por día", "P1W": "semanal(|es)|por semana|a la semana",
            "P1M": "mensual(|es)|al mes", "P1Y": "anual(|es)|anualmente|al año|por año",
        }),
        every=("cada", "todos los", "todas las"),
        range_from=("del", "entre el"),
        range_to=("al", "y el"),
        day_of_month=r"(?:el|del|al)\s+(?:(?P<mod>pasado|próximo)\s+)?día\s+(?P<d>{day})",
        until=("hasta",),
        since=("desde",),
        cues=("a", "hacia", "sobre", "desde", "hasta", "de", "y", "entre", "en", "durante", "el", "este"),
        noon={"mediodía": 12, "medianoche": 24},
        clock_suffixes=_spellings({0: "horas|h|hrs|de la mañana", 12: "de la tarde|de la noche"}),
        day_suffix=r"(?:º|°)?",
        articles=("el", "la", "los", "las", "del"),
        of=r"(?:de(?:l)?\s+)?",
        future=(
            r"\b(?:(?:va|van|vamos|voy|iba|iban)\s+a|prevé|prevén|previst[oa]s?|planea|planean|programad[oa]s?"
            r"|tiene\s+previsto|tienen\s+previsto|deberá|deberán|pretende|pretenden"
            r"|(?:aplazad|pospuest)[oa]s?\s+(?:hasta|para)|[a-záéíóúñ]{2,}(?:rá|rán|ré|remos|réis|ría|rían))\b"
        ),
        past=(
            r"\b(?:fue|fueron|dijo|dijeron|hizo|hicieron|tuvo|tuvieron|estuvo|estuvieron|hubo|pudo|pudieron|puso"
            r"|vino|vinieron|dio|dieron|era|eran|había|habían|estaba|estaban"
            r"|(?:ha|han|he|hemos|habían|había)\s+(?:sido\s+)?[a-záéíóúñ]+(?:ado|ada|ido|ida|to|cho)"
            r"|[a-záéíóúñ]{3,}(?:ó|aron|ieron|ió|aba|aban))\b"
        ),
        past_exceptions=frozenset({"dominó", "rococó"}),
        not_after={"mañana": ("la", "esta", "cada", "por", "una", "toda", "de", "en", "media")},
        newspaper_articles=("el", "un", "del", "al"),
    ),
    "ru": dict(
        extra_months=_spellings({
            1: "январе", 2: "феврале", 3: "марте", 4: "апреле", 5: "мае", 6: "июне", 7: "июле", 8: "августе",
            9: "сентябре", 10: "октябре", 11: "ноябре", 12: "декабре",
        }),
        extra_weekdays=_spellings({
            1: "понедельника", 2: "вторника", 3: "среды", 4: "четверга", 5: "пятницы", 6: "субботы", 7: "воскресенья",
        }),
        weekday_sets=_spellings({
            1: "по понедельникам", 2: "по вторникам", 3: "по средам", 4: "по четвергам", 5: "по пятницам",
            6: "по субботам", 7: "по воскресеньям",
        }),
        days={
            "сегодня": (0, None), "вчера": (-1, None), "завтра": (1, None), "позавчера": (-2, None),
            "послезавтра": (2, None), "этой ночью": (0, "TNI"), "прошлой ночью": (-1, "TNI"),
            "сегодня ночью": (0, "TNI"),
        },
        parts=_spellings({"TMO": "утром", "TAF": "днём|днем", "TEV": "вечером", "TNI": "ночью"}),
        units=_spellings({
            "D": "день|дня|дню|днём|днем|сутки", "W": "неделя|недели|неделю|неделе|неделей",
            "M": "месяц|месяца|месяцу|месяце|месяцем", "Y": "год|года|году|годом", "HR": "час|часа",
            "MIN": "минута|минуты|минуту", "DE": "десятилетие|десятилетия", "CE": "век|века|веке", "WE": "выходные",
        }),
        plural_units=_spellings({
            "D": "дней|дни|суток", "W": "недель|неделям", "M": "месяцев|месяцы", "Y": "лет|годы|годах", "HR": "часов",
            "MIN": "минут", "S": "секунд", "DE": "десятилетий", "CE": "веков", "WE": "выходных",
        }),
        numbers=_spellings({
            1: "од(ин|на|но|ну|ного|ной|ном)", 2: "дв(а|е|ух|ум)|пару|пары", 3: "три|трёх|трех", 4: "четыре|четырёх|четырех",
            5: "пят(ь|и)", 6: "шест(ь|и)", 7: "сем(ь|и)", 8: "восемь|восьми", 9: "девят(ь|и)", 10: "десят(ь|и)",
            11: "одиннадцат(ь|и)", 12: "двенадцат(ь|и)", 15: "пятнадцат(ь|и)", 20: "двадцат(ь|и)", 30: "тридцат(ь|и)",
            40: "сорок(|а)", 100: "сто|ста", None: "несколько|нескольких|много|многих",
        }),
        before=_spellings({
            1: f"следующ({_SOFT})|будущ({_SOFT})|ближайш({_SOFT})|наступающ({_SOFT})",
            -1: f"прошл(ый|ая|ую|ой|ом|ое|ого|ые|ых)|минувш({_SOFT})|прошедш({_SOFT})",
            0: f"текущ({_SOFT})|нынешн({_SOFT})|эт(от|а|у|ой|ом|о|ого)",
        }),
        after={},
        stretches=_spellings({None: "последн(ие|их)|прошедш(ие|их)|ближайш(ие|их)|следующ(ие|их)", _PAST: "недавн(ие|их)"}),
        ago_before=(),
        ago_after=("назад", "тому назад"),
        relative_after={},
        later_before=("через", "спустя"),
        positions=("начале", "конце", "середине", "концу", "началу", "конца", "начала", "середины"),
        seasons=_spellings({"SP": "весн(а|ой|у|ы|е)", "SU": "лет(о|ом|а|е)", "FA": "осен(ь|ью|и)", "WI": "зим(а|ой|у|ы|е)"}),
        ordinals=_spellings({
            1: "перв(ый|ом|ого|ая|ой|ое)", 2: "втор(ой|ом|ого|ая|ое)", 3: "трет(ий|ьем|ьего|ья|ьей|ье)",
            4: "четверт(ый|ом|ого|ая|ой|ое)",
        }),
        periods=_spellings({"Q": "квартал(|е|а)", "H": "полугоди(е|и|я)"}),
        refs=_spellings({
            _PRESENT: f"сейчас|теперь|в настоящее время|в данный момент|ныне|нынешн({_SOFT}|им)|текущ({_SOFT}|им)",
            _PAST: f"недавно|в прошлом|ранее|недавн({_SOFT}|им)",
            _FUTURE: f"скоро|вскоре|в будущем|в ближайшее время|в скором времени|будущ({_SOFT}|им)",
        }),
        sets=_spellings({
            "P1D": f"ежедневн({_ADVERB})|в день", "P1W": f"еженедельн({_ADVERB})|в неделю",
            "P1M": f"ежемесячн({_ADVERB})|в месяц", "P1Y": f"ежегодн({_ADVERB})|в год",
        }),
        every=tuple(_spellings({0: "кажд(ый|ую|ое|ые|ого|ой|ом)"})),
        range_from=("с",),
        range_to=("по", "до"),
        day_of_month=r"(?P<d>{day})-?го\s+числа",
        until=("до", "к"),
        since=(),
        cues=("в", "к", "до", "после", "с", "около", "по"),
        noon={"полдень": 12, "полночь": 24},
        clock_suffixes=_spellings({0: "часов|часа|час|ч"}),
        year_suffix=r"(?:\s*(?:года|году|год|г\.))?",
        day_suffix=r"(?:-?го)?",
        future=(
            r"(?<![а-яё])(?:будет|будут|буду|будем|будете|станет|станут|состоится|состоятся|пройдет|пройдёт|пройдут"
            r"|начнется|начнётся|начнутся|планируется|планирует|планируют|намерен[аы]?|собирается|собираются|предстоит"
            r"|ожидается|должен|должна|должно|должны|запланирован[аоы]?|проведут|проведет|проведёт|встретятся"
            r"|перенесен[аоы]?\s+на|перенесли\s+на"
            # perfective verbs of announcements, whose present form is a future: "посетит", "подпишут"
            r"|(?:посет|провед|обсуд|подпиш|прим|встрет|выступ|объяв|представ|откро|начн|заверш|вступ|реш|сообщ|собер"
            r"|отправ|прибуд|приед|верн|опублику|рассмотр|проголосу)(?:ит|ят|ет|ёт|ут|ют|ится|ятся|ется|ётся|утся|ются))(?![а-яё])"
        ),
        past=r"(?<![а-яё])(?:был|была|было|были|[а-яё]{2,}(?:ал|ял|ил|ел|ыл|ул|ла|ло|ли|лся|лась|лось|лись))(?![а-яё])",
        past_exceptions=frozenset(
            "или мили посол стол пол ели канал капитал финал материал генерал сериал журнал квартал арсенал идеал "
            "сигнал скандал персонал потенциал интервал предел отдел раздел протокол футбол дела села сила числа "
            "стекла недели цели модели детали дали земли мало тепло село зло весело".split()
        ),
        seasons_need_cue=False,
    ),
    "it": dict(
        extra_months={},
        extra_weekdays=_spellings({1: "lunedi", 2: "martedi", 3: "mercoledi", 4: "giovedi", 5: "venerdi"}),
        weekday_sets={},
        days={
            "oggi": (0, None), "ieri": (-1, None), "domani": (1, None), "l'altro ieri": (-2, None),
            "dopodomani": (2, None), "stamattina": (0, "TMO"), "stamani": (0, "TMO"), "stasera": (0, "TEV"),
            "stanotte": (0, "TNI"),
        },
        parts=_spellings({"TMO": "mattina|mattino", "TAF": "pomeriggio", "TEV": "sera", "TNI": "notte"}),
        units=_spellings({
            "D": "giorno|giornata", "W": "settimana", "M": "mese", "Y": "anno", "MIN": "minuto", "DE": "decennio",
            "CE": "secolo", "WE": "fine settimana",
        }),
        plural_units=_spellings({
            "D": "giorni|giornate", "W": "settimane", "M": "mesi", "Y": "anni", "HR": "ore", "MIN": "minuti",
            "S": "secondi", "DE": "decenni", "CE": "secoli",
        }),
        numbers=_spellings({
            1: "un|uno|una", 2: "due", 3: "tre", 4: "quattro", 5: "cinque", 6: "sei", 7: "sette", 8: "otto", 9: "nove",
            10: "dieci", 11: "undici", 12: "dodici", 15: "quindici", 20: "venti", 30: "trenta", 100: "cento",
            None: "alcuni|alcune|qualche|diversi|diverse|pochi|molti|molte",
        }),
        before=_spellings({0: "questo|questa|quest'", 1: "prossimo|prossima"}),
        after=_spellings({1: "prossimo|prossima", -1: "scorso|scorsa|passato|passata"}),
        stretches=_spellings({None: "ultimi|ultime|prossimi|prossime", _PAST: "recenti"}),
        ago_before=(),
        ago_after=("fa",),
        relative_after={"prima": -1, "dopo": 1, "più tardi": 1},
        later_before=("tra", "fra"),
        positions=("inizio", "fine", "metà", "all'inizio di", "alla fine di", "a metà", "inizio del", "fine del"),
        seasons=_spellings({"SP": "primavera", "SU": "estate", "FA": "autunno", "WI": "inverno"}),
        ordinals=_spellings({1: "primo|prima", 2: "secondo|seconda", 3: "terzo|terza", 4: "quarto|quarta"}),
        periods={"trimestre": "Q", "semestre": "H"},
        refs=_spellings({
            _PRESENT: "ora|adesso|attualmente|al momento|attual(e|i)",
            _PAST: "recentemente|di recente|in passato|recent(e|i)",
            _FUTURE: "presto|a breve|in futuro|prossimamente|futur(o|a|i|e)",
        }),
        sets=_spellings({
            "P1D": "quotidianamente|giornaliero|al giorno", "P1W": "settimanale", "P1M": "mensile|al mese",
            "P1Y": "annuale|annualmente|all'anno",
        }),
        every=("ogni", "tutti i", "tutte le"),
        range_from=("dal", "tra il"),
        range_to=("al",),
        day_of_month="",
        until=("entro", "fino"),
        since=(),
        cues=("alle", "ore", "dalle", "verso", "entro", "le", "in", "nel", "durante", "d'", "quest'"),
        noon={"mezzogiorno": 12, "mezzanotte": 24},
        clock_suffixes={},
        articles=("il", "la", "lo", "i", "le", "l'"),
        of=r"(?:del\s+)?",
        future=(
            r"\b(?:prevede|prevedono|previst[oaie]|dovrebbe|dovrebbero|dovrà|dovranno|sta\s+per|rinviat[oaie]\s+a"
            r"|[a-zàèéìòù]{2,}(?:rà|ranno|rò|remo))\b"
        ),
        past=(
            r"\b(?:(?:ha|hanno|ho|abbiamo|è|sono|era|erano|aveva|avevano)\s+(?:\w+\s+)?[a-zàèéìòù]+(?:ato|ata|ati|ate"
            r"|uto|uta|uti|ito|ita|iti)|disse|fu|furono|ebbe)\b"
        ),
    ),
}


@functools.lru_cache(maxsize=None)
def words_for(language: str) -> Words:
    """The vocabulary of a supported language (see ``LANGUAGES``)."""
    from dateparser.languages import default_loader  # its locale data loads once, in ~70 ms

    entry = dict(_BY_LANGUAGE[language])
    info = default_loader.get_locale(language).info
    months, month_abbreviations = _names(info, _MONTH_KEYS, shortest=3)
    months |= entry.pop("extra_months")
    weekdays, weekday_abbreviations = _names(info, _WEEKDAY_KEYS, shortest=4)
    weekdays = {name: day for name, day in weekdays.items() if name not in weekday_abbreviations}
    weekdays |= entry.pop("extra_weekdays")
    exact_case = dict(entry.pop("exact_case", {}))
    if language == "en":  # English capitalises months; "may", "march" are also verbs
        exact_case |= {name: name.capitalize() for name in months | weekdays}
        exact_case |= {name.lower(): name for name in entry["weekday_sets"]}
        entry["weekday_sets"] = {name.lower(): day for name, day in entry["weekday_sets"].items()}
    return Words(
        code=language,
        months=months,
        full_months=frozenset(set(months) - month_abbreviations),
        weekdays=weekdays,
        exact_case=exact_case,
        **entry,
    )


# ---- grammar ---------------------------------------------------------------------------------------------

def _alternation(spellings: Iterable[str], exact_case: Mapping[str, str]) -> str:
    """A regex matching any spelling, as a trie so each character is tried once; "never" when there is none.

    A flat alternation of a hundred words costs a hundred comparisons at every place it is tried.
    """
    spellings = set(spellings)
    cased = [rf"(?-i:{_literal(exact_case[s])})" for s in sorted(spellings & exact_case.keys(), key=len, reverse=True)]
    trie: dict = {}
    for spelling in spellings - exact_case.keys():
        node = trie
        for char in spelling:
            node = node.setdefault(char, {})
        node[""] = {}
    branches = cased + ([_trie_pattern(trie)] if trie else [])
    return f"(?:{'|'.join(branches)})" if branches else "(?!)"


def _literal(text: str) -> str:
    return "".join(_char(c) for c in text)


def _char(char: str) -> str:
    return {" ": r"\s+", "'": "['’]"}.get(char) or re.escape(char)


def _trie_pattern(node: dict) -> str:
    branches = [_char(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


def rules(w: Words) -> list[tuple[str, str]]:
    """(rule name, pattern) in matching order: where two rules can start at one place, the longer comes first.

    Group names are local to a rule (``_named`` prefixes them); resolvers in ``times`` read them by these names.
    """

    def alt(spellings: Iterable[str]) -> str:
        return _alternation(spellings, w.exact_case)

    def position(name: str) -> str:  # "the end of", "mid-", "fin", "a finales de", "конце"
        return rf"(?P<{name}>{alt(w.positions)})(?:\s+|-|(?<=['’]))"

    month = rf"(?:{alt(w.full_months)}|{alt(set(w.months) - w.full_months)}\.?)"
    weekday = alt(w.weekdays)
    day = r"(?:[12]\d|3[01]|0?[1-9])"
    number = rf"(?:\d+(?:[.,]\d+)?|{alt(w.numbers)})"
    any_unit, calendar_unit = alt(w.any_units), alt(w.calendar_units)
    elided = {a for a in w.articles if a.endswith("'")}  # "l'": no space before the noun
    articles = rf"(?:{alt(set(w.articles) - elided)}\s+|{alt(elided)}\s*)"
    article = f"{articles}?"
    modifier = rf"(?:(?P<mod>{alt(w.before)})\s+)?"
    modifier_after = rf"(?:\s+(?P<modafter>{alt(w.after)}))?"
    part = rf"(?:{w.part_joiner}(?P<part>{alt(w.parts)}))?"
    of_year = rf"(?:,?\s+{w.of}(?P<y>{YEAR}){w.year_suffix})?"
    day_of = rf"{w.day_suffix}\s+(?:de\s+|of\s+)?(?P<m>{month}){of_year}"  # "28 July 2021", "28 de julio de 2021"
    clock_suffix = alt(w.clock_suffixes)
    weekend = alt(word for word, unit in w.units.items() if unit == "WE")
    return [
        # 2021-07-28, 2021-07-28T14:05
        ("iso", r"(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d))?"),
        # 28.07.2021, 7/28/2021
        ("numeric", r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d\d)(?![.,/]?\d)"),
        # "del [7] al 11 de septiembre": the first day, with the month of the second read ahead
        ("range", rf"(?:{alt(w.range_from)})\s+(?P<d>{day}){w.day_suffix}"
                  rf"(?=\s*(?:{alt(w.range_to)}|[-–])\s*{article}{day}{day_of})"),
        # "Wednesday, 28 July 2021", "le 1er août", "el próximo día 9 de julio", "28 июля 2021 года"
        ("dmy", rf"{article}{modifier}(?:(?P<wd>{weekday}),?\s+{article})?(?:día\s+)?(?P<d>{day}){day_of}"),
        # "July 28, 2021", "Sept. 12"
        ("mdy", rf"(?:(?P<wd>{weekday}),?\s+)?(?P<m>{month})\s+(?P<d>{day})(?:st|nd|rd|th)?(?![\d:])"
                rf"(?:,?\s+(?P<y>{YEAR})(?!\d))?"),
        # "el día 8", "the 15th.", "15-го числа"
        ("dayonly", w.day_of_month.format(day=day) or "(?!)"),
        # "14:05", "2 p.m.", "14h05", "14.05 Uhr", "las 14.05 horas", "noon"
        ("clock", rf"{article}(?:(?P<h>[01]?\d|2[0-4])(?:\s*(?P<sep>[:.h])\s*(?P<mi>[0-5]\d)(?:\s*(?P<suffix>{clock_suffix}))?"
                  rf"|\s*(?P<suffix2>{clock_suffix}))(?:\s+(?P<tz>{_TIMEZONES}))?|(?P<noon>{alt(w.noon)}))"),
        # "yesterday", "earlier today", "hier soir", "heute Morgen", "hoy, miércoles"
        ("relday", rf"(?:{position('pos')})?(?P<rel>{alt(w.days)}){part}(?:\s*,?\s*(?P<wd>{weekday}))?"),
        # "the 1990s", "the '90s", "les années 1990", "die 1990er Jahre", "los años 90", "1990-х годов"
        ("decade", rf"{article}(?:{position('pos')})?(?:(?:années|anni|años|década\s+de(?:\s+los)?)\s+"
                   r"(?P<d1>(?:1\d|20)?\d0)(?!\d)|['’]?(?P<d2>(?:1\d|20)?\d0)(?:['’]?s|er(?:[\s-]*jahren?)?"
                   r"|-(?:е|х|ые|ых)(?:\s+(?:годы|годов|годах))?))"),
        # "the third quarter of 2021", "third-quarter", "im dritten Quartal", "Q3 2021", "H1 2021"
        ("quarter", rf"{article}(?:(?P<ord>{alt(w.ordinals)})[\s-]+(?:fiscal\s+|financial\s+)?(?P<period>{alt(w.periods)})"
                    rf"(?:,?\s+(?:(?:of|de|del|des|du)\s+)?(?P<y>{YEAR}){w.year_suffix})?"
                    rf"|(?P<qh>[QH])(?P<qn>[1-4])(?:\s*(?P<y2>{YEAR}))?)"),
        # "June", "last May", "mid-June", "juillet 2021", "en septembre dernier", "Ende Juli"
        ("month", rf"(?:{position('pos')})?{article}{modifier}(?P<m>{month}){modifier_after}{of_year}"),
        # "this summer", "l'été dernier", "im Herbst", "летом"
        ("season", rf"(?:{position('pos')})?{article}{modifier}(?P<season>{alt(w.seasons)}){modifier_after}{of_year}"),
        # "Wednesday", "next Wednesday", "Thursday night", "mercredi prochain", "el miércoles pasado", "следующую среду"
        ("weekday", rf"{article}{modifier}(?P<wd>{weekday}){part}{modifier_after}"),
        # "every Monday", "every two years", "chaque lundi", "tous les lundis", "jeden Montag", "каждую среду"
        ("every", rf"(?P<every>{alt(w.every)})\s+(?:(?P<num>{number})\s+)?(?:(?P<wd>{alt(w.weekdays | w.weekday_sets)})"
                  rf"|(?P<m>{alt(w.full_months)})|(?P<unit>{any_unit})|(?P<part>{alt(w.parts)}))"),
        # "a year earlier", "two days later", "the year-ago quarter"
        ("relative", rf"{article}(?:(?:(?P<num>{number})\s+)?(?P<unit>{any_unit})\s+(?P<rel>{alt(w.relative_after)})"
                     rf"(?!\s+{_EVENT_LINK})|(?P<unit2>{calendar_unit})-(?P<rel2>{alt(w.relative_after.keys() | w.ago_after)})"
                     rf"(?:\s+(?P<period>{alt(w.periods)}|period))?)"),
        # "two days ago", "il y a deux jours", "vor zwei Tagen", "hace dos días", "два дня назад"
        ("ago", rf"(?P<pre>{alt(w.ago_before)})\s+(?:(?P<num>{number})\s+)?(?P<unit>{any_unit})"
                rf"|(?:(?P<num2>{number})\s+)?(?P<unit2>{any_unit})\s+(?P<post>{alt(w.ago_after)})"),
        # "in three weeks", "dans trois semaines", "через три недели"
        ("later", rf"(?P<pre>{alt(w.later_before)})\s+(?:(?P<num>{number})\s+)?(?P<unit>{any_unit})"),
        # "next week", "earlier this month", "la semaine prochaine", "на следующей неделе", "the end of the month",
        # "the quarter", "the weekend"
        ("relunit", rf"(?:{position('pos')})?{article}(?:(?P<mod>{alt(w.before)})\s+(?P<unit>{calendar_unit})(?:-ci)?"
                    rf"|(?P<unit2>{calendar_unit})(?:-ci)?\s+(?P<modafter>{alt(w.after)}))"
                    rf"|{position('pos2')}{article}(?P<unit3>{calendar_unit})"
                    rf"|{articles}(?P<unit4>{alt(w.periods)}|{weekend})(?!-)"),
        # "the past two months", "recent months", "les cinq dernières années", "in den kommenden Wochen"
        ("stretch", rf"{article}(?:(?P<num1>{number})\s+)?(?P<mod>{alt(w.stretches)})\s+(?:(?P<num>{number})\s+)?"
                    rf"(?P<unit>{any_unit})"),
        # "five years", "90-day", "a week", "пять лет"
        ("duration", rf"(?P<num>{number})(?:\s+|-)(?P<unit>{any_unit})(?:-long|(?P<old>-old))?"),
        # "2026", "mid-2022", "fiscal 1989", "2026 году"
        ("year", rf"(?:{position('pos')})?(?:(?P<fiscal>fiscal)\s+)?(?<![\d$€£.,/:#№])(?P<y>{YEAR})(?![.,]\d)"
                 rf"(?P<ys>{w.year_suffix})"),
        # "daily", "annual", "montags", "по средам"
        ("setword", rf"(?P<set>{alt(w.sets)})(?!\s+(?:siguiente|anterior|{_EVENT_LINK}))|(?P<wdset>{alt(w.weekday_sets)})"),
        # "now", "recently", "the future", "actuellement", "derzeit", "сейчас"
        ("ref", rf"(?P<ref>{alt(w.refs)})(?!\s+(?:{any_unit}|{weekday}|{month}))"),
    ]


def _named(rule: str, pattern: str) -> str:
    """The rule as one named group, its own groups prefixed with its name, bounded by non-word characters."""
    local = re.sub(r"\(\?P([<=])(\w+)", lambda g: f"(?P{g[1]}{rule}__{g[2]}", pattern)
    return rf"(?P<{rule}>(?<!\w)(?:{local})(?!\w))"


@functools.lru_cache(maxsize=None)
def grammar(language: str) -> re.Pattern[str]:
    """All rules of a language as one alternation, in order.

    It is only tried where a word that can start a rule stands (or a digit): trying twenty rules at
    every character would cost several times the whole budget.
    """
    alternation = "|".join(_named(name, pattern) for name, pattern in rules(words_for(language)))
    strong, weak = (_alternation(words, {}) for words in _starters(language))
    start = rf"(?:{strong})(?!\w)|\d|(?:{weak})(?:\s+|['’]\s*|-)(?:{strong}(?!\w)|{weak}(?!\w)|\d)"
    return re.compile(rf"(?<!\w)(?={start})(?:{alternation})", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def rule_patterns(language: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    """For each rule, the rules after it, each compiled on its own: they read a place whose first reading was rejected."""
    compiled = [re.compile(_named(name, pattern), re.IGNORECASE) for name, pattern in rules(words_for(language))]
    names = [name for name, _ in rules(words_for(language))]
    return {name: tuple(compiled[index + 1:]) for index, name in enumerate(names)}


def _starters(language: str) -> tuple[set[str], set[str]]:
    """(strong, weak) first words of the rules.

    Weak words (articles, "in", "a", short words that only open longer phrases: "at present", "il y a") are
    so common that the grammar is only tried on them when a starter or a digit follows.
    """
    w = words_for(language)
    whole: list[Iterable[str]] = [
        w.months, w.weekdays, w.weekday_sets, w.days, w.refs, w.sets, w.noon, w.seasons,
        ("fiscal", "années", "anni", "años", "década", "q1", "q2", "q3", "q4", "h1", "h2"),
    ]
    openers: list[Iterable[str]] = [
        w.numbers, w.before, w.after, w.stretches, w.ago_before, w.later_before, w.positions, w.ordinals, w.every,
        w.units, w.plural_units, w.periods, w.range_from,
    ]
    phrases = [_WORD.findall(phrase.lower()) for group in whole + openers for phrase in group]
    standalone = {words[0] for group in whole for phrase in group if len(words := _WORD.findall(phrase.lower())) == 1}
    weak = set(w.articles) | set(w.later_before) | {n for n, value in w.numbers.items() if value == 1 and len(n) <= 3}
    weak |= {words[0] for words in phrases if len(words) > 1 and len(words[0]) <= 3} - standalone
    weak = {_WORD.match(word).group() for word in weak}
    strong = {words[0] for words in phrases if words} | {words[1] for words in phrases if len(words) > 1 and words[0] in weak}
    return strong - weak, weak


@functools.lru_cache(maxsize=None)
def tense_markers(language: str) -> re.Pattern[str]:
    """Future, neutral and past verb forms, in that order of preference; case-sensitive so "United" is no past."""
    w = words_for(language)
    return re.compile(f"(?P<future>{w.future})|(?P<neutral>{w.neutral or '(?!)'})|(?P<past>{w.past})")
