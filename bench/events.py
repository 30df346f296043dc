"""Event kinds: precision and recall of ``analyze.events`` on sentences nobody here wrote.

Two label sets, both scored per sentence (the set of kinds it reports), same run, against a
baseline: the word-prefix rules events used before issue 15 (``OLD_TRIGGERS`` below, kept here
only for that).

1. Hand-labelled sentences (``bench/labels/event_kinds.json``): a seeded sample of 100 ECB+
   sentences (English news; from the fully annotated sentences of
   ``ECBplus_coreference_sentences.csv``, train and dev topics) and 25 sentences each of French,
   German, Spanish and Russian SemEval-2022 texts (``train_texts_dev.csv.gz``; seeded sample of
   sentences of eight words or more; many of the French and Russian ones are machine
   translations), plus 10 each drawn from the sentences where the old rules or the new ones find
   an event (random sentences seldom report one; drawing from both systems favours neither). Each was labelled by hand, from the sentence alone and before looking at any
   system's output, with the kinds of the inventory (``docs/events.md``) it reports, event by event
   (a kind named only as a topic, "the election campaign", counts; a noun naming a thing, "the
   treaty", does not), and the status of each (happened / planned / cancelled). Labels hold ids and
   offsets only. Scores: micro precision, recall and F1 over (sentence, kind) pairs, per language
   and overall; status accuracy over the kinds found right.
2. WEC-Eng (``story_training/wec_eng_dev_test``): each passage names one event whose WEC type
   maps to a kind for eight types (Earthquake, Flood, Wildfire, Airliner Accident, Terrorist
   Attack, Civilian Attack, Meetings, Weapons Test); recall = the passage's sentence that holds the
   event mention reports that kind. Precision at the mention itself: the kinds read from the
   mention alone ("the 2016 Lockhart hot air balloon crash"), right when they are the mapped kind,
   wrong otherwise (an award ceremony's or a festival's name that reads as an attack or a fire;
   "killings" of a Civilian Attack read as a death count as wrong too). WEC's catch-all type
   "News Event" says nothing about the kind and is left out of precision.

    python bench/events.py             # measure
    python bench/events.py --show de   # print the sampled sentences of a language (to label)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import random
import re
import sys
import tarfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, REPO, prf, write_result  # noqa: E402
from bench.sentences import detokenize  # noqa: E402
from storyline.analyze.entities import find_mentions_in  # noqa: E402
from storyline.analyze.events import find_events  # noqa: E402
from storyline.analyze.sentences import split_sentences  # noqa: E402
from storyline.analyze.times import find_times  # noqa: E402

LABELS = REPO / "bench" / "labels" / "event_kinds.json"
SEED = 15
ECB_SENTENCES = 100
SENTENCES_PER_LANGUAGE = 25
EVENTFUL_PER_LANGUAGE = 10
NON_ENGLISH = ("fr", "de", "es", "ru")
ECB_PUBLISHED = dt.date(2013, 1, 1)  # ECB+ has no publication dates; statuses there come from tense alone
WEC_KINDS = {
    "Earthquake": "earthquake", "Flood": "flood", "Wildfire": "fire", "Airliner Accident": "accident",
    "Terrorist Attack": "attack", "Civilian Attack": "attack", "Meetings": "meeting", "Weapons Test": "launch",
}
_SAME_KIND = {"summit": "meeting"}  # a summit is a meeting of leaders: either name is right for WEC's "Meetings"

# The trigger stems events.py had before issue 15 (word-start prefixes), the baseline.
OLD_TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "meeting": {"en": ("meet", "met ", "talks", "negotiat", "consultation", "dialogue", "convene", "discussions"),
                "fr": ("rencontr", "réuni", "pourparlers", "négociation", "consultation", "dialogue", "entretien", "discussions"),
                "de": ("treffen", "getroffen", "traf", "gespräch", "verhandlung", "verhandelt", "konsultation", "dialog"),
                "es": ("reuni", "reún", "encuentro", "conversaciones", "negociaci", "consultas", "diálogo"),
                "ru": ("встреч", "переговор", "консультаци", "диалог", "встрет")},
    "summit": {"en": ("summit",), "fr": ("sommet",), "de": ("gipfel",), "es": ("cumbre",), "ru": ("саммит",)},
    "strike": {"en": ("strike", "walkout", "stoppage"), "fr": ("grève", "grévist"), "de": ("streik", "arbeitsniederlegung"),
               "es": ("huelga", "paro "), "ru": ("забастовк", "стачк")},
    "earthquake": {"en": ("earthquake", "quake", "tremor"), "fr": ("séisme", "tremblement de terre"), "de": ("erdbeben", "beben"),
                   "es": ("sismo", "terremoto"), "ru": ("землетрясени", "толчк")},
    "launch": {"en": ("launch", "lift off", "liftoff", "lifted off"), "fr": ("lancement", "lancé", "décoll"),
               "de": ("start", "gestartet", "abgehoben"), "es": ("lanzamiento", "despeg"), "ru": ("запуск", "запущен", "стартовал")},
    "trial": {"en": ("trial", "court hearing", "hearing"), "fr": ("procès", "audience"), "de": ("prozess", "verhandlung vor"),
              "es": ("juicio",), "ru": ("суд ", "судебн", "процесс")},
    "verdict": {"en": ("sentenced", "verdict", "convicted", "acquitted"), "fr": ("condamn", "verdict", "relaxé", "acquitté"),
                "de": ("verurteil", "urteil", "freigesproch"), "es": ("conden", "sentencia", "veredicto", "absuelt"),
                "ru": ("приговор", "осужден", "оправдан")},
    "agreement": {"en": ("agreement", "signed", "sign ", "deal ", "deal.", "treaty"), "fr": ("accord ", "accords", "signé", "signature", "traité"),
                  "de": ("abkommen", "vereinbarung", "einigung", "unterzeichn", "vertrag"), "es": ("acuerdo", "firm", "tratado", "pacto"),
                  "ru": ("соглашени", "подписа", "договор")},
    "election": {"en": ("election", "vote", "ballot", "referendum"), "fr": ("élection", "scrutin", "vote", "référendum"),
                 "de": ("wahl", "abstimmung", "referendum"), "es": ("elecci", "votaci", "comicios", "referéndum"),
                 "ru": ("выбор", "голосован", "референдум")},
    "arrest": {"en": ("arrest", "detained", "detention"), "fr": ("arrest", "interpell", "garde à vue"),
               "de": ("festgenommen", "festnahme", "verhaftet"), "es": ("detenid", "detención", "arrest"),
               "ru": ("задержан", "арестован", "арест")},
    "exchange": {"en": ("exchange", "swap", "released", "freed"), "fr": ("échange", "libéré"),
                 "de": ("austausch", "freigelassen", "freilassung"), "es": ("canje", "intercambio", "liberad"), "ru": ("обмен", "освобожд")},
    "fire": {"en": ("wildfire", "fire", "blaze"), "fr": ("incendie", "feu de forêt"), "de": ("brand", "waldbrand", "feuer"),
             "es": ("incendio", "fuego"), "ru": ("пожар", "возгорани")},
    "attack": {"en": ("attack", "bombing", "shelling", "strike on"), "fr": ("attaque", "attentat", "bombardement"),
               "de": ("angriff", "anschlag", "beschuss"), "es": ("ataque", "atentado", "bombardeo"), "ru": ("атак", "теракт", "обстрел")},
    "protest": {"en": ("protest", "demonstration", "rally"), "fr": ("manifestation", "manifestant", "protest"),
                "de": ("protest", "demonstration", "kundgebung"), "es": ("protesta", "manifestaci"), "ru": ("протест", "митинг", "демонстраци")},
    "visit": {"en": ("visit",), "fr": ("visite",), "de": ("besuch",), "es": ("visita",), "ru": ("визит", "посет")},
}

Sentence = tuple[str, str, str]  # id, language, text


def old_kinds(text: str, language: str) -> set[str]:
    lowered = text.lower()
    found = set()
    for kind, stems in OLD_TRIGGERS.items():
        if any(re.search(rf"(?<!\w){re.escape(stem)}", lowered) for stem in stems.get(language, stems["en"])):
            found.add(kind)
    return found


def storyline_events(texts: list[str], language: str, published: dt.date | None) -> list[dict[str, str]]:
    """Kind -> status of each text, as the pipeline finds them (its NER, dates and events)."""
    mentions = find_mentions_in(texts, [language] * len(texts))
    out = []
    for text, names in zip(texts, mentions):
        times = find_times(text, language=language, published=published)
        events = find_events(text, language=language, published=published, mentions=names, places=[], times=times)
        out.append({e.what: e.status for e in events})
    return out


# ---- data ---------------------------------------------------------------------------


def ecb_sentences(chosen: list[tuple[str, str, int]] | None = None) -> list[Sentence]:
    """ECB+ sentences as text: the given (topic, file, sentence number), else the seeded sample of fully annotated ones."""
    if chosen is None:
        with tarfile.open(DATA / "ecbplus" / "ecbplus_xml.tar.gz") as archive:
            present = set(archive.getnames())  # train and dev topics: the test topics are withheld
        with (DATA / "ecbplus" / "ECBplus_coreference_sentences.csv").open(encoding="utf-8") as handle:
            keys = [(row["Topic"], row["File"], int(row["Sentence Number"])) for row in csv.DictReader(handle)]
        keys = [(topic, name, number) for topic, name, number in keys if f"ECB+/{topic}/{topic}_{name}.xml" in present]
        chosen = sorted(random.Random(SEED).sample(keys, ECB_SENTENCES))
    wanted = defaultdict(set)
    for topic, name, number in chosen:
        wanted[f"ECB+/{topic}/{topic}_{name}.xml"].add(number)
    texts: dict[tuple[str, int], str] = {}
    with tarfile.open(DATA / "ecbplus" / "ecbplus_xml.tar.gz") as archive:
        for member in archive:
            if member.name not in wanted:
                continue
            xml = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            tokens: dict[int, list[str]] = defaultdict(list)
            for number, token in re.findall(r'<token t_id="\d+" sentence="(\d+)" number="\d+">([^<]*)</token>', xml):
                tokens[int(number)].append(token.replace("&amp;", "&").replace("&quot;", '"').replace("&apos;", "'"))
            name = member.name.split("/")[-1][:-4]
            for number in wanted[member.name]:
                texts[(name, number)] = detokenize(tokens[number])
    return [(f"ecb:{topic}_{name}:{number}", "en", texts[(f"{topic}_{name}", number)]) for topic, name, number in chosen]


def semeval_texts() -> dict[str, tuple[str, str]]:
    """"language:pair_id:side" -> text of every SemEval-2022 text (a pair comes in several languages)."""
    csv.field_size_limit(1 << 30)
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8") as handle:
        return {f"{row[f'lang{side}']}:{row['pair_id']}:{side}": row[f"text_{side}"] for row in csv.DictReader(handle) for side in "12"}


def labelled_sentences(ids: list[str]) -> list[Sentence]:
    """The labelled sentences, read back from the data by their ids (the sample is fixed by the labels)."""
    ecb = [(name.split("_")[0], name.split("_", 1)[1], int(number)) for kind, name, number in (i.split(":") for i in ids if i.startswith("ecb:"))]
    texts = semeval_texts()
    found = ecb_sentences(ecb)
    for sentence_id in ids:
        if sentence_id.startswith("semeval:"):
            _, language, pair, side, start, end = sentence_id.split(":")
            found.append((sentence_id, language, texts[f"{language}:{pair}:{side}"][int(start) : int(end)]))
    return found


def semeval_sentences(language: str) -> list[Sentence]:
    csv.field_size_limit(1 << 30)
    candidates = []
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for side in "12":
                text = row[f"text_{side}"]
                if row[f"lang{side}"] != language:
                    continue
                for start, end in split_sentences(text, language):
                    if len(text[start:end].split()) >= 8:
                        candidates.append((f"semeval:{language}:{row['pair_id']}:{side}:{start}:{end}", language, text[start:end]))
    rng = random.Random(SEED)
    chosen = rng.sample(candidates, SENTENCES_PER_LANGUAGE)
    # Random sentences seldom report an event: add some that either system reads as one (the old
    # rules or this one, so neither is favoured), for recall and for precision on event words.
    rest = [c for c in candidates if c not in chosen]
    found = storyline_events([text for _, _, text in rest], language, None)
    eventful = [c for c, ours in zip(rest, found) if ours or old_kinds(c[2], language)]
    return chosen + rng.sample(eventful, min(EVENTFUL_PER_LANGUAGE, len(eventful)))


def wec_passages() -> list[tuple[str, str, str]]:
    """(passage text, event mention, WEC type) of every WEC-Eng passage."""
    mentions = {}
    with (DATA / "story_training" / "wec_eng_dev_test" / "mentions.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            mentions[row["id"]] = (row["mention"], row["event_topic"])
    passages = []
    with (DATA / "story_training" / "wec_eng_dev_test" / "documents.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in mentions:
                passages.append((row["text"], *mentions[row["id"]]))
    return passages


# ---- scoring ------------------------------------------------------------------------


def _normal(kinds: set[str]) -> set[str]:
    return {_SAME_KIND.get(k, k) for k in kinds}


def score_labelled(sentences: list[Sentence], labels: dict[str, dict[str, str]]) -> dict[str, object]:
    by_language: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        by_language[sentence[1]].append(sentence)
    counts: dict[str, dict[str, list[int]]] = {name: defaultdict(lambda: [0, 0, 0]) for name in ("storyline", "old_prefix_rules (baseline)")}
    status_right = status_total = 0
    errors: list[dict[str, object]] = []
    for language, own in by_language.items():
        published = ECB_PUBLISHED if language == "en" else None
        found = storyline_events([text for _, _, text in own], language, published)
        for (sentence_id, _, text), ours in zip(own, found):
            gold = labels[sentence_id]
            gold_kinds = _normal(set(gold))
            systems = {"storyline": _normal(set(ours)), "old_prefix_rules (baseline)": _normal(old_kinds(text, language))}
            for name, predicted in systems.items():
                for key in (language, "all"):
                    counts[name][key][0] += len(predicted & gold_kinds)
                    counts[name][key][1] += len(predicted)
                    counts[name][key][2] += len(gold_kinds)
            for kind, status in gold.items():
                if kind in ours:
                    status_total += 1
                    status_right += ours[kind] == status
            if systems["storyline"] != gold_kinds:
                errors.append({"id": sentence_id, "gold": sorted(gold_kinds), "storyline": sorted(systems["storyline"])})
    return {
        "sentences": {language: len(own) for language, own in by_language.items()},
        "kinds": {name: {key: {**prf(*c), "predicted": c[1], "gold": c[2]} for key, c in sorted(per.items())} for name, per in counts.items()},
        "status_accuracy_on_kinds_found": {"right": status_right, "of": status_total, "accuracy": round(status_right / status_total, 4) if status_total else None},
        "storyline_errors": errors,
    }


def score_wec() -> dict[str, object]:
    passages = wec_passages()
    mapped = [(text, mention, WEC_KINDS[topic]) for text, mention, topic in passages if topic in WEC_KINDS]
    sentence_texts = []
    for text, mention, _ in mapped:
        at = text.find(mention)
        span = next(((a, b) for a, b in split_sentences(text, "en") if a <= max(at, 0) < b), (0, len(text)))
        sentence_texts.append(text[span[0] : span[1]])
    ours_sentence = storyline_events(sentence_texts, "en", None)
    all_mentions = [mention for _, mention, _ in passages]
    ours_mention = storyline_events(all_mentions, "en", None)
    recall: dict[str, Counter[str]] = {"storyline": Counter(), "old_prefix_rules (baseline)": Counter()}
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, _, kind), sentence, ours in zip(mapped, sentence_texts, ours_sentence):
        for name, found in (("storyline", _normal(set(ours))), ("old_prefix_rules (baseline)", _normal(old_kinds(sentence, "en")))):
            recall[name]["hit" if _SAME_KIND.get(kind, kind) in found else "miss"] += 1
            per_kind[f"{name}:{kind}"]["hit" if _SAME_KIND.get(kind, kind) in found else "miss"] += 1
    precision: dict[str, Counter[str]] = {"storyline": Counter(), "old_prefix_rules (baseline)": Counter()}
    for (_, mention, topic), ours in zip(passages, ours_mention):
        if topic == "News Event":
            continue  # WEC's catch-all type: its shootings and fires are no errors, and nothing says which kind they are
        gold = WEC_KINDS.get(topic)
        for name, found in (("storyline", _normal(set(ours))), ("old_prefix_rules (baseline)", _normal(old_kinds(mention, "en")))):
            for kind in found:
                precision[name]["right" if gold and kind == _SAME_KIND.get(gold, gold) else "wrong"] += 1
    return {
        "passages": len(passages),
        "passages_of_mapped_types": len(mapped),
        "sentence_recall": {n: round(c["hit"] / (c["hit"] + c["miss"]), 4) for n, c in recall.items()},
        "sentence_recall_by_kind": {k: round(c["hit"] / (c["hit"] + c["miss"]), 4) for k, c in sorted(per_kind.items())},
        "mention_precision": {
            n: {"right": c["right"], "wrong": c["wrong"], "precision": round(c["right"] / (c["right"] + c["wrong"]), 4) if c else None}
            for n, c in precision.items()
        },
    }


def all_sentences() -> list[Sentence]:
    return ecb_sentences() + [s for language in NON_ENGLISH for s in semeval_sentences(language)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", choices=("en", *NON_ENGLISH), help="print the sampled sentences of a language, to label")
    args = parser.parse_args()
    if args.show:
        for sentence_id, language, text in all_sentences():
            if language == args.show:
                print(json.dumps({"id": sentence_id, "text": text}, ensure_ascii=False))
        return
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["sentences"]
    sentences = labelled_sentences(list(labels))
    result = {"labelled": score_labelled(sentences, labels), "wec_eng": score_wec()}
    path = write_result("events", result)
    summary = {
        "labelled_f1": {n: r["all"]["f1"] for n, r in result["labelled"]["kinds"].items()},  # type: ignore[index]
        "labelled_by_language": {n: {k: v["f1"] for k, v in r.items()} for n, r in result["labelled"]["kinds"].items()},  # type: ignore[index]
        "status": result["labelled"]["status_accuracy_on_kinds_found"],  # type: ignore[index]
        "wec": {k: v for k, v in result["wec_eng"].items() if k != "sentence_recall_by_kind"},  # type: ignore[union-attr]
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
