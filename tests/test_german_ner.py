"""The German NER model shipped in storyline/analyze/models/de_ner/ loads offline and finds names in news text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

import storyline  # noqa: E402

MODEL_DIR = Path(storyline.__file__).resolve().parent / "analyze" / "models" / "de_ner"
MAX_MS_PER_SENTENCE = 20.0  # about 1 ms measured on 2 cores; generous so a busy CI machine does not flake


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(MODEL_DIR)


def entities(nlp, text: str) -> set[tuple[str, str]]:
    return {(ent.text, ent.label_) for ent in nlp(text).ents}


def test_model_identifies_itself(nlp) -> None:
    assert nlp.meta["name"] == "storyline_de_ner"
    assert nlp.meta["version"] == "0.1.0"
    assert nlp.lang == "de"
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG", "MISC"}
    assert nlp.meta["performance"]["ents_f"] > 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bundeskanzler Olaf Scholz traf am Mittwoch in Wien den russischen Vizeaußenminister Dmitrij Wolkonski.",
            {("Olaf Scholz", "PER"), ("Dmitrij Wolkonski", "PER"), ("Wien", "LOC")},
        ),
        (
            "Die Europäische Zentralbank in Frankfurt hat den Leitzins erneut angehoben, teilte Präsidentin Christine Lagarde mit.",
            {("Europäische Zentralbank", "ORG"), ("Frankfurt", "LOC"), ("Christine Lagarde", "PER")},
        ),
        (
            "Angela Merkel und Emmanuel Macron trafen sich am Freitag in Paris.",
            {("Angela Merkel", "PER"), ("Emmanuel Macron", "PER"), ("Paris", "LOC")},
        ),
        (
            "Siemens will in München 500 Stellen streichen, wie ein Sprecher des Konzerns bestätigte.",
            {("Siemens", "ORG"), ("München", "LOC")},
        ),
        (
            "Der FC Bayern München gewann am Samstag gegen Borussia Dortmund mit 3:1.",
            {("FC Bayern München", "ORG"), ("Borussia Dortmund", "ORG")},
        ),
    ],
)
def test_finds_names_in_news_sentences(nlp, text: str, expected: set[tuple[str, str]]) -> None:
    found = entities(nlp, text)
    assert expected <= found, f"missing {expected - found}; found {found}"


def test_sentence_without_names_yields_none(nlp) -> None:
    assert entities(nlp, "Am Abend regnete es stark, und die Straßen der Stadt blieben bis zum Morgen überflutet.") == set()


def test_adjectives_from_place_names_are_not_entities(nlp) -> None:
    # GermEval "deriv" forms are trained as O: "deutschen" is not a mention of Germany.
    found = entities(nlp, "Die deutschen Exporte sind im Mai gesunken, meldeten Händler.")
    assert not any(text == "deutschen" for text, _ in found), found


def test_runs_fast_enough_per_sentence(nlp) -> None:
    sentences = [
        "Der Präsident der Ukraine, Wolodymyr Selenskyj, sprach am Dienstag vor dem Parlament in Kiew über neue Hilfen.",
        "Die Polizei in Hamburg nahm nach der Demonstration am Samstag drei Männer fest.",
    ] * 50
    list(nlp.pipe(sentences[:4]))  # warm-up
    start = time.perf_counter()
    docs = list(nlp.pipe(sentences, batch_size=50))
    ms_per_sentence = 1000 * (time.perf_counter() - start) / len(docs)
    assert ms_per_sentence < MAX_MS_PER_SENTENCE
