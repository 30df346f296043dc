"""Sentence splitting: boundary precision and recall per language, and the cost per article.

Gold sentences, from data nobody here wrote:
- en: ECB+ (``ecbplus/documents.jsonl.gz``, 772 news documents, one sentence a line): a line that
  ends without punctuation (a headline, a date line) is joined to the next by a line break, as a
  page gives it, the others by a space;
- es: Spanish TimeBank (``xtn_timexes/timebank/es/train.tsv``): one token a line, a blank line
  between sentences, a DCT line between documents (the English file there is not split into
  sentences: unusable);
- de: GermEval 2014 dev (``germeval2014/NER-de-dev.tsv.gz``): single sentences of news and
  Wikipedia, joined ten at a time into pseudo-articles;
- fr, ru (no segmented data here): SemEval-2022 texts in those languages (most of them machine
  translations of English and German articles), where the candidate
  splitters disagree. Every such position was labelled by hand ("boundary" or not) in
  ``bench/labels/sentence_boundaries.json`` (text id = pair id and side, character offset);
  positions where all splitters agree count as they say. The scores there compare the splitters
  on the contested positions, plus the agreed ones: an error every splitter makes is not seen.

Tokens are joined back as a news text writes them (no space before a comma or a full stop, quotes
glued to the words they enclose). A boundary is the start of every sentence but the first; a
predicted boundary is right when a gold sentence starts there (whitespace ignored).

Splitters, same texts, same run: the old regular expression of ``analyze/sentences.py`` (the
baseline), pysbd, sentencex, razdel, and Storyline's ``split_sentences`` as it is now. Time is
per article of the SemEval-2022 texts in that language.

    python bench/sentences.py            # measure
    python bench/sentences.py --contested fr   # print the contested positions of fr/ru texts, to label
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, REPO, prf, write_result  # noqa: E402
from storyline.analyze.sentences import split_sentences  # noqa: E402

LABELS = REPO / "bench" / "labels" / "sentence_boundaries.json"
LANGUAGES = ("en", "de", "fr", "es", "ru")
LABELLED_TEXTS = 12  # fr and ru SemEval texts labelled at the contested positions
TIMED_TEXTS = 60
# The splitter ``analyze/sentences.py`` had before issue 15, kept here only as the baseline.
OLD_SENTENCE_END = re.compile(
    r"[.!?…](?<!\b[A-Za-z]\.[A-Za-z]\.)(?<!\bM[rs]\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bGen\.)(?<!\bSen\.)"
    r"(?<!\bRep\.)(?<!\bGov\.)[.!?…]*[\"'»”’)\]]*\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ\"«„“¿¡])|[。！？]+[」』”）]*\s*|\n\s*"
)
_NO_SPACE_BEFORE = re.compile(r" (?=[,.;:!?)\]%»”]|'(?:s|ve|re|ll|d|m)\b|n't\b)")
_NO_SPACE_AFTER = re.compile(r"(?<=[(\[¿¡«„“]) ")

Text = tuple[str, str, set[int] | None]  # id, text, gold boundaries (None: labelled positions only)
Splitter = Callable[[str, str], list[int]]  # (text, language) -> sentence start offsets but the first


def detokenize(tokens: list[str]) -> str:
    """Tokens as a news text writes them; straight double quotes alternate opening and closing."""
    out, opened = [], False
    for token in tokens:
        if token in ("``", "''"):
            out.append("“\x00" if token == "``" else "\x01”")
            continue
        if token == '"':
            out.append('"' if opened else '"\x00')  # \x00: glue to the next token
            opened = not opened
            if not opened:
                out[-1] = "\x01" + '"'  # glue to the previous token
            continue
        out.append(token)
    text = " ".join(out).replace(" \x01", "").replace("\x00 ", "").replace("\x00", "").replace("\x01", "")
    text = re.sub(r"(?<=\w) - (?=\w)", "-", text)  # "90 - day"
    text = re.sub(r"(?<=\d)\. (?=\d)", ".", text)  # "$27. 5 million"
    return _NO_SPACE_AFTER.sub("", _NO_SPACE_BEFORE.sub("", text))


def join_sentences(sentences: list[str]) -> tuple[str, set[int]]:
    text, starts = "", set()
    for sentence in sentences:
        if text:
            text += " " if text[-1] in ".!?…\"'”’»)" else "\n"
            starts.add(len(text))
        text += sentence
    return text, starts


def timebank(language: str) -> list[Text]:
    documents: list[list[list[str]]] = []
    sentence: list[str] = []
    for line in (DATA / "xtn_timexes" / "timebank" / language / "train.tsv").read_text(encoding="utf-8").splitlines():
        token = line.split("\t")[0]
        if token.startswith("*!-DCTVALUE"):
            documents.append([])
        elif not token:
            if sentence and documents:
                documents[-1].append(sentence)
            sentence = []
        else:
            sentence.append(token)
    texts = []
    for index, document in enumerate(documents):
        if len(document) > 1:
            text, starts = join_sentences([detokenize(s) for s in document])
            texts.append((f"timebank-{language}-{index}", text, starts))
    return texts


def ecbplus(limit: int = 300) -> list[Text]:
    texts = []
    with gzip.open(DATA / "ecbplus" / "documents.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            document = json.loads(line)
            sentences = [detokenize(s.split()) for s in document["text"].splitlines() if s.strip()]
            if len(sentences) > 1:
                text, starts = join_sentences(sentences)
                texts.append((f"ecbplus-{document['doc_id']}", text, starts))
    return texts[:limit]


def germeval() -> list[Text]:
    sentences, tokens = [], []
    with gzip.open(DATA / "germeval2014" / "NER-de-dev.tsv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                continue
            if len(fields) < 2:
                if tokens:
                    sentences.append(detokenize(tokens))
                tokens = []
            else:
                tokens.append(fields[1])
    texts = []
    for index in range(0, len(sentences) - 9, 10):
        text, starts = join_sentences(sentences[index : index + 10])
        texts.append((f"germeval-dev-{index}", text, starts))
    return texts


def semeval_texts(language: str, limit: int) -> list[tuple[str, str]]:
    """Texts of one language, by pair id and side, in file order (originals first: Russian and most
    French texts there are machine translations of English and German ones, still that language's text)."""
    csv.field_size_limit(1 << 30)
    found = []
    with gzip.open(DATA / "semeval2022_task8" / "train_texts_dev.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for side in "12":
                text = row[f"text_{side}"]
                if row[f"lang{side}"] == language and len(text) > 200:
                    found.append((row[f"original_lang{side}"] != language, f"{row['pair_id']}:{side}", text))
    return [(text_id, text) for _, text_id, text in sorted(found, key=lambda f: f[0])][:limit]


# ---- splitters --------------------------------------------------------------------


def _starts(text: str, spans: list[tuple[int, int]]) -> list[int]:
    return [start for start, _ in spans][1:]


def _located(text: str, pieces: list[str]) -> list[int]:
    """Start offsets of pieces that a library returns as strings, in order."""
    starts, position = [], 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        found = text.find(stripped, position)
        if found < 0:
            continue
        starts.append(found)
        position = found + len(stripped)
    return starts[1:]


def by_line(split: Splitter) -> Splitter:
    """A library splitter run on each line: a line break ends a sentence in a page's text, and the
    libraries (made for running prose) would otherwise join a headline to the first sentence."""

    def lines(text: str, language: str) -> list[int]:
        starts = []
        for match in re.finditer(r"[^\n]+", text):
            if match.group().strip():
                starts.append(match.start() + len(match.group()) - len(match.group().lstrip()))
                starts += [match.start() + s for s in split(match.group(), language)]
        return starts[1:]

    return lines


def old_regex(text: str, language: str) -> list[int]:
    starts = [m.end() for m in OLD_SENTENCE_END.finditer(text)]
    return [s + len(text[s:]) - len(text[s:].lstrip()) for s in starts if text[s:].strip()]


def pysbd_splitter() -> Splitter:
    import pysbd

    segmenters: dict[str, object] = {}

    def split(text: str, language: str) -> list[int]:
        segmenter = segmenters.setdefault(language, pysbd.Segmenter(language=language, clean=False))
        return _located(text, segmenter.segment(text))  # type: ignore[attr-defined]

    return split


def sentencex_splitter(text: str, language: str) -> list[int]:
    from sentencex import segment

    return _located(text, list(segment(language, text)))


def razdel_splitter(text: str, language: str) -> list[int]:
    import razdel

    return [s.start for s in razdel.sentenize(text)][1:]


def storyline_splitter(text: str, language: str) -> list[int]:
    return _starts(text, split_sentences(text, language))


def splitters() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {"old_regex (baseline)": old_regex}
    try:
        found["pysbd"] = by_line(pysbd_splitter())
    except ImportError:
        pass
    if importlib.util.find_spec("sentencex") is not None:  # optional: measured when installed
        found["sentencex"] = by_line(sentencex_splitter)
    found["razdel"] = by_line(razdel_splitter)
    found["storyline"] = storyline_splitter
    return found


# ---- scoring ----------------------------------------------------------------------


def labelled(language: str) -> list[Text]:
    return [(text_id, text, None) for text_id, text in semeval_texts(language, LABELLED_TEXTS)]


def contested(text: str, language: str, chosen: dict[str, Splitter]) -> tuple[set[int], set[int]]:
    """Positions some splitters call a boundary and others not; positions all of them do."""
    votes = [set(split(text, language)) for split in chosen.values()]
    return set.union(*votes) - set.intersection(*votes), set.intersection(*votes)


def score_language(language: str, texts: list[Text], chosen: dict[str, Splitter]) -> dict[str, object]:
    labels = json.loads(LABELS.read_text(encoding="utf-8")).get(language, {}) if LABELS.exists() else {}
    counts = {name: [0, 0, 0] for name in chosen}
    missing = 0  # contested positions nobody labelled (a splitter changed since): left out of the scores
    for text_id, text, gold in texts:
        predictions = {name: set(split(text, language)) for name, split in chosen.items()}
        if gold is None:  # labelled at contested positions; agreed ones stand
            disputed, agreed = contested(text, language, chosen)
            marks = {int(k): v for k, v in labels.get(text_id, {}).items()}
            gold = agreed | {p for p in disputed if marks.get(p, False)}
            unlabelled = disputed - marks.keys()
            missing += len(unlabelled)
            predictions = {name: found - unlabelled for name, found in predictions.items()}
        for name, found in predictions.items():
            counts[name][0] += len(found & gold)
            counts[name][1] += len(found)
            counts[name][2] += len(gold)
    return {
        "texts": len(texts),
        "gold_boundaries": next(iter(counts.values()))[2],
        "unlabelled_contested_positions": missing,
        "splitters": {name: {**prf(*c), "predicted": c[1]} for name, c in counts.items()},
    }


def timing(language: str, chosen: dict[str, Splitter]) -> dict[str, float]:
    texts = [t for _, t in semeval_texts(language, TIMED_TEXTS)]
    out = {}
    for name, split in chosen.items():
        split(texts[0], language)  # load
        start = time.perf_counter()
        for text in texts:
            split(text, language)
        out[name] = round(1000 * (time.perf_counter() - start) / len(texts), 3)
    return {"articles": len(texts), "average_characters": round(sum(map(len, texts)) / len(texts)), "ms_per_article": out}


def print_contested(language: str) -> None:
    """The contested positions of the texts to label, with context (label them in LABELS)."""
    chosen = splitters()
    for text_id, text in semeval_texts(language, LABELLED_TEXTS):
        disputed, _ = contested(text, language, chosen)
        for position in sorted(disputed):
            who = [n for n, s in chosen.items() if position in s(text, language)]
            context = text[max(0, position - 60) : position].replace("\n", "⏎") + " ‖ " + text[position : position + 40].replace("\n", "⏎")
            print(json.dumps({"id": text_id, "offset": position, "split_by": who, "context": context}, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contested", choices=("fr", "ru"), help="print contested positions to label")
    args = parser.parse_args()
    if args.contested:
        print_contested(args.contested)
        return
    chosen = splitters()
    gold = {"en": ecbplus(), "es": timebank("es"), "de": germeval(), "fr": labelled("fr"), "ru": labelled("ru")}
    result = {language: {**score_language(language, gold[language], chosen), "speed": timing(language, chosen)} for language in LANGUAGES}
    macro = {name: round(sum(result[lang]["splitters"][name]["f1"] for lang in LANGUAGES) / len(LANGUAGES), 4) for name in chosen}
    path = write_result("sentences", {"by_language": result, "macro_f1": macro})
    print(json.dumps({"macro_f1": macro, **{lang: {n: r["f1"] for n, r in result[lang]["splitters"].items()} for lang in LANGUAGES}}, indent=1))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
