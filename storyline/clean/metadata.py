"""Publication dates, outlets and authors found in the words of a page.

dateparser knows month names in every supported language; the regular
expressions here only find the spans worth handing to it, so that a stray
"die" or "mar" in running text is never read as a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re

LOGGER = logging.getLogger(__name__)

_TIME = r"(?:,?\s*(?:à|at|um|a las|alle|в|-)?\s*(?P<time>\d{1,2}[:h.]\d{2})(?:\s*(?:uhr|h|Uhr))?)?"
DATE_SPANS = (
    re.compile(r"\b(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2})(?::\d{2})?)?"),
    # "07.03.2024", "7/3/2024", and with spaces as Czech and Austrian sites write it: "06. 01. 2026"
    re.compile(r"(?<![\d.])(?P<date>\d{1,2}(?:\.\s?|/)\d{1,2}(?:\.\s?|/)\d{4})\b" + _TIME),
    re.compile(r"\b(?P<date>\d{1,2}(?:er|\.|º)?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4})\b" + _TIME),
    re.compile(r"\b(?P<date>[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b" + _TIME),
)

# Lines that announce the publication date ("Stand:", "Publié le", "Опубликовано").
DATE_CUE = re.compile(
    r"\b(published|updated|posted|publié|mis à jour|stand|veröffentlicht|aktualisiert|erstellt|"
    r"publicado|actualizado|pubblicato|aggiornato|опубликовано|обновлено|дата публикации)\b",
    re.IGNORECASE,
)

_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY", "PREFER_LOCALE_DATE_ORDER": False}


@functools.lru_cache(maxsize=4096)
def _parse_span(span: str, language: str | None) -> dt.date | None:
    import dateparser  # slow to import; only needed for scraped text

    # Unknown language: let dateparser try them all (slower, only for undetectable texts).
    languages = ([language, "en"] if language != "en" else ["en"]) if language else None
    try:
        parsed = dateparser.parse(span, languages=languages, settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None


def find_dates(text: str, language: str | None = None) -> list[tuple[int, str]]:
    """Every full date (day, month, year) in ``text`` as (offset, ISO value), in text order.

    A time next to the date is kept: "07.03.2024 14:05 Uhr" -> "2024-03-07T14:05:00".
    """
    found: dict[int, str] = {}
    for pattern in DATE_SPANS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < start + 12 for start in found):
                continue
            day = _parse_span(re.sub(r"(?<=\d)\.\s+(?=\d)", ".", match.group("date")), language)
            if day is None or not 1800 < day.year < 2200:
                continue
            value = day.isoformat()
            time = match.groupdict().get("time")
            if time:
                hours, minutes = re.split(r"[:h.]", time)
                if int(hours) < 24 and int(minutes) < 60:
                    value += f"T{int(hours):02d}:{int(minutes):02d}:00"
            found[match.start()] = value
    return sorted(found.items())


def normalize_published(value: str | None) -> str | None:
    """An ISO 8601 date or datetime from a given value ("2024-03-07", "2024-03-07T14:05Z", "07.03.2024")."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        dates = find_dates(value)
        return dates[0][1] if dates else None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


# ---- outlets -------------------------------------------------------------

# "© 2024 Tagesblick", "Copyright 2024 The Herald. All rights reserved."
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?P<name>[^.|©]{2,40}?)\s*(?:\d{4})?(?:\s*[.|,·•–—]|\s{2,}|$)",
    re.IGNORECASE,
)
_RIGHTS = re.compile(r"\b(all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|все права защищены)\b", re.IGNORECASE)
# An app prompt names the outlet ("Download the Telegraph App", a fundus page), but on L3S-GN1 pages
# the same words give "the", "our", "infamous Zango adware": the name counts only when another
# line of the page names it too. (Credits such as "Text by: X" and newsletter prompts named no
# outlet on any of the annotated pages: no such rule.)
_APP_PROMPT = re.compile(
    r"\b(?:download(?:ing)?|télécharge(?:z|ant)?|descarga(?:ndo)?|laden sie)\s+(?:the |l'|la |de |die )?(?:application |app |aplicación )?"
    r"(?P<name>[\w\s]{2,30}?)[ -](?:app|application|appli|aplicación)\b",
    re.IGNORECASE,
)
# French and Spanish put the name after the word: "Téléchargez l'application X pour ...",
# "Descarga la app de X": the name runs to the next lower-case word, a punctuation mark or the end.
_APP_PROMPT_NAME_AFTER = re.compile(
    r"\b(?i:télécharge(?:z|r)?|descarga(?:r)?)\s+(?i:l'|la\s+)(?i:application|appli|app|aplicación)\s+(?:de\s+|del\s+)?"
    r"(?P<name>\w[\w'-]{0,30}(?:\s+\w[\w'-]{0,30}){0,4}?)(?=\s+[a-zà-ÿ]|\s*[.,!:;]|\s*$)"
)
# A wire dateline: "ANKARA, March 21 (AWS) - ...", "Arequipa, 18 mar (Noticias Andinas).- ..."
_DATELINE_SOURCE = re.compile(r"^[A-ZÀ-ÖØ-ÞА-Я][\w' .-]{1,40},\s+[\w .]{1,20}\((?P<name>[^)\d]{2,40})\)\s*[.\-–—:]")

GENERIC_SECTIONS = {
    "news", "world", "politics", "business", "europe", "international", "home", "latest", "top stories",
    "monde", "politique", "actualités", "international", "welt", "politik", "nachrichten", "ausland", "inland",
    "mundo", "política", "internacional", "noticias", "mondo", "politica", "esteri", "мир", "политика", "новости", "в мире",
}


def clean_outlet_name(name: str) -> str:
    """Strip the quotes and punctuation around a name: «Вечерний Вестник» -> Вечерний Вестник."""
    return name.strip(" .,:;-–—\"'«»„“”")


def _is_name(name: str) -> bool:
    """Shaped like a proper name: one to five words, each capitalised (or a number), not a section heading."""
    words = name.split()
    return (
        1 <= len(words) <= 5
        and all(w[:1].isupper() or w[:1].isdigit() for w in words)
        and any(ch.isalpha() for ch in name)
        and name.lower() not in GENERIC_SECTIONS
        and not _RIGHTS.search(name)
    )


def outlet_from_cues(paragraphs: list[str], *, author: str | None = None) -> str | None:
    """The outlet named in the page's furniture, never the byline's author.

    A copyright line names it alone (470 lines on 264 sites of L3S-GN1, ScrapingHub and fundus);
    an app prompt only when the same name appears in another line of the page; a wire
    dateline's source ("(AWS)") last (54 lines on 34 sites, mostly agencies: AP, Reuters).
    """
    def acceptable(name: str) -> bool:
        return _is_name(name) and (author is None or name.lower() != author.lower())

    for text in paragraphs:
        match = _COPYRIGHT.search(text.strip())
        if match and acceptable(name := clean_outlet_name(match.group("name"))):
            return name
    for i, text in enumerate(paragraphs):
        match = _APP_PROMPT.search(text.strip()) or _APP_PROMPT_NAME_AFTER.search(text.strip())
        if not match or not acceptable(name := clean_outlet_name(match.group("name"))):
            continue
        mention = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        if any(mention.search(other) for j, other in enumerate(paragraphs) if j != i):
            return name
    for text in paragraphs:
        match = _DATELINE_SOURCE.search(text.strip())
        if match and acceptable(name := clean_outlet_name(match.group("name"))):
            return name
    return None


# Each match starts where a run of spaces starts: a long run without a bar is then tried once, not from each space.
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+\|\s+")


def outlet_from_title_line(line: str, language: str | None) -> tuple[str, str | None, str | None]:
    """Split "Title | Section | Outlet | 24.07.2021" into title, outlet and date.

    A dash is too common in headlines to split at here; ``scraped.headline_of`` splits
    "Title - Outlet" when the page repeats the headline alone.
    """
    segments = _TITLE_SEPARATOR.split(line.strip())
    if len(segments) == 1:
        return line.strip(), None, None
    title, rest = segments[0], segments[1:]
    published = None
    names = []
    for segment in rest:
        dates = find_dates(segment, language)
        if dates and published is None:
            published = dates[0][1]
        elif not dates and segment.lower() not in GENERIC_SECTIONS and len(segment.split()) <= 5:
            names.append(segment)
    return title, (clean_outlet_name(names[-1]) if names else None), published


def outlet_from_url(url: str | None) -> str | None:
    """The host of a URL without "www.", as a last resort for naming the outlet."""
    if not url:
        return None
    match = re.match(r"(?:[a-z]+://)?(?:www\.)?([^/:?#]+)", url.strip(), re.IGNORECASE)
    return match.group(1).lower() if match else None


# A person's name: two to four capitalised words. It ends before a button label that is furniture
# on its own line ("Follow": 5 lines on 2 sites of the training pages, boilerplate.LINE_PATTERNS),
# which a renderer may glue to the byline.
_FOLLOW = r"(?:follow|suivre|folgen|seguir)"
_NAME = rf"(?!(?i:{_FOLLOW})\b)[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]+(?:\s+(?!(?i:{_FOLLOW})\b)[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]+){{1,3}}"


# "By Jane Doe", "Von Max Muster, Wien"; a role word may come first: "Text von Christian Seiler"
# (trafilatura_eval), "Posted by ..." (bylines: 269 lines on 136 sites of L3S-GN1, ScrapingHub and fundus, 97 % furniture).
_BYLINE = re.compile(
    rf"^(?:(?i:text|texte|texto|testo|written|posted)\s+)?(?i:by|par|von|por|di|автор)\s*:?\s+(?P<name>{_NAME})"
    rf"(?:\s+(?i:and|et|und|y|e|и)\s+{_NAME})*(?:\s+(?i:{_FOLLOW}))?"
    r"(?:\s*[,|]\s*.*|\s+(?i:in|à|en|aus|in|в|из)\s+\S.*)?$"
)


def author_from_byline(text: str) -> str | None:
    """"By Jane Doe", "Par Jean Dupont, à Vienne", "Text von Max Muster" -> the name."""
    match = _BYLINE.match(text.strip())
    return match.group("name") if match else None
