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
    re.compile(r"(?<![\d.])(?P<date>\d{1,2}[./]\d{1,2}[./]\d{4})\b" + _TIME),
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
            day = _parse_span(match.group("date"), language)
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

_OUTLET_CUES = (
    # "© 2024 Tagesblick", "Copyright 2024 The Herald. All rights reserved."
    re.compile(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?P<name>[^.|©]{2,40}?)\s*(?:\d{4})?(?:\s*[.|,·•–—]|\s{2,}|$)", re.IGNORECASE),
    # "Text by: RFI Follow", "Texte par : RLI Suivre"
    re.compile(r"^(?:text|texte|texto|testo)\s+(?:by|par|von|por|di)\s*:\s*(?P<name>.+?)(?:\s+(?:follow|suivre|folgen|seguir|segui))?$", re.IGNORECASE),
    # A wire dateline: "ANKARA, March 21 (AWS) - ...", "Arequipa, 18 mar (Noticias Andinas).- ..."
    re.compile(r"^[A-ZÀ-ÖØ-ÞА-Я][\w' .-]{1,40},\s+[\w .]{1,20}\((?P<name>[^)\d]{2,40})\)\s*[.\-–—:]"),
    # "Visit the new DW website"
    re.compile(r"^visit (?:the|our) new (?P<name>.+?) (?:website|site)\b", re.IGNORECASE),
    # "... by downloading the RFI application"
    re.compile(r"\b(?:download(?:ing)?|télécharge(?:z|ant)?|descarga(?:ndo)?)\s+(?:the |l'|la |de )?(?:application |app |aplicación )?(?P<name>[\w\s]{2,30}?)\s+(?:app|application|appli|aplicación)\b", re.IGNORECASE),
)

GENERIC_SECTIONS = {
    "news", "world", "politics", "business", "europe", "international", "home", "latest", "top stories",
    "monde", "politique", "actualités", "international", "welt", "politik", "nachrichten", "ausland", "inland",
    "mundo", "política", "internacional", "noticias", "mondo", "politica", "esteri", "мир", "политика", "новости", "в мире",
}


def clean_outlet_name(name: str) -> str:
    """Strip the quotes and punctuation around a name: «Вечерний Вестник» -> Вечерний Вестник."""
    return name.strip(" .,:;-–—\"'«»„“”")


def outlet_from_cues(paragraphs: list[str]) -> str | None:
    """The outlet named by a copyright line, a "Text by:" credit or an app/website prompt."""
    for cue in _OUTLET_CUES:
        for text in paragraphs:
            match = cue.search(text.strip())
            if match:
                name = clean_outlet_name(match.group("name"))
                if 1 <= len(name.split()) <= 5 and name.lower() not in GENERIC_SECTIONS:
                    return name
    return None


_NAME = r"[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]+(?:\s+[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]+){1,3}"
def outlet_from_url(url: str | None) -> str | None:
    """The host of a URL without "www.", as a last resort for naming the outlet."""
    if not url:
        return None
    match = re.match(r"(?:[a-z]+://)?(?:www\.)?([^/:?#]+)", url.strip(), re.IGNORECASE)
    return match.group(1).lower() if match else None


_BYLINE = re.compile(
    rf"^(?i:by|par|von|por|di|автор:?)\s+(?P<name>{_NAME})"
    rf"(?:\s+(?i:and|et|und|y|e|и)\s+{_NAME})*"
    r"(?:\s*[,|]\s*.*|\s+(?i:in|à|en|aus|in|в|из)\s+\S.*)?$"
)


def author_from_byline(text: str) -> str | None:
    """"By Jane Doe", "Par Jean Dupont, à Vienne" -> the name."""
    match = _BYLINE.match(text.strip())
    return match.group("name") if match else None
