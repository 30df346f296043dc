"""Seven-dimension article similarity: `storyline similarity` on a pairs file, `storyline compare` on stored articles."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import storyline
from storyline.api import score_pairs
from storyline.errors import InputError
from storyline.match.similarity import ANY_LANGUAGE, DIMENSIONS, MIN_LANGUAGE_TEXTS, SimilarityModel, _centred_cosine, language_means
from tests.conftest import run_cli

QUAKE_EN = (
    "A magnitude 6.4 earthquake struck the mountains of central Albania early on Tuesday, collapsing houses in Durres "
    "and killing at least twenty people, the defence ministry in Tirana said. Rescue teams from Italy and Greece "
    "arrived in the afternoon to search the rubble of a hotel near the port."
)
QUAKE_FR = (
    "Un séisme de magnitude 6,4 a frappé le centre de l'Albanie mardi à l'aube, détruisant des maisons à Durres et "
    "faisant au moins vingt morts, selon le ministère de la Défense à Tirana. Des secouristes venus d'Italie et de "
    "Grèce sont arrivés dans l'après-midi pour fouiller les décombres d'un hôtel près du port."
)
FOOTBALL = (
    "Bayern Munich beat Borussia Dortmund 3-1 on Saturday evening to move four points clear at the top of the "
    "Bundesliga. Two goals from the striker in the second half settled a tense match in front of 80,000 fans, and the "
    "coach praised his defence after the final whistle."
)
HEADER = ["pair_id", "lang1", "lang2", "text_1", "text_2", "Overall"]


def _write_pairs(path: Path, rows: list[list[str]], *, header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, str]], str, int]:
    """A pairs file with good rows and bad ones, scored by the real command."""
    directory = tmp_path_factory.mktemp("pairs")
    pairs = _write_pairs(
        directory / "pairs.csv",
        [
            ["same-event", "en", "fr", QUAKE_EN, QUAKE_FR, "1.0"],
            ["unrelated", "en", "en", QUAKE_EN, FOOTBALL, "4.0"],
            ["empty-text", "en", "en", "", FOOTBALL, "4.0"],
            ["one-word", "en", "en", "Earthquake", QUAKE_EN, "3.0"],
            ["unknown-language", "xx", "en", FOOTBALL, FOOTBALL, "1.0"],
        ],
    )
    # A row with one field too many (an unquoted comma in the text), written by hand.
    with pairs.open("a", encoding="utf-8") as handle:
        handle.write('broken,en,en,"first text","second text",extra,4.0\n')
    _write_pairs(directory / "tail.csv", [["after-broken", "en", "fr", QUAKE_EN, QUAKE_FR, "1.0"]])
    with pairs.open("a", encoding="utf-8") as handle:
        handle.write((directory / "tail.csv").read_text(encoding="utf-8").split("\n", 1)[1])
    out = directory / "scores.csv"
    result = run_cli("similarity", str(pairs), "--out", str(out), "--quiet", check=False)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows, result.stderr, result.returncode


def test_one_row_per_input_row_in_order(scored: tuple[list[dict[str, str]], str, int]) -> None:
    rows, _, _ = scored
    assert [r["pair_id"] for r in rows] == ["same-event", "unrelated", "empty-text", "one-word", "unknown-language", "broken", "after-broken"]
    assert list(rows[0]) == ["pair_id", *DIMENSIONS]


def test_scores_are_on_the_semeval_scale_and_rank_pairs(scored: tuple[list[dict[str, str]], str, int]) -> None:
    rows, _, _ = scored
    by_id = {r["pair_id"]: r for r in rows}
    for pair_id in ("same-event", "unrelated", "one-word", "unknown-language", "after-broken"):
        assert all(1.0 <= float(by_id[pair_id][d]) <= 4.0 for d in DIMENSIONS), pair_id
    # The same earthquake told in English and French is closer than an earthquake and a football match.
    assert float(by_id["same-event"]["Overall"]) + 1.0 < float(by_id["unrelated"]["Overall"])
    assert float(by_id["same-event"]["Geography"]) < float(by_id["unrelated"]["Geography"])
    assert float(by_id["unknown-language"]["Overall"]) < float(by_id["unrelated"]["Overall"])  # a text with itself


def test_bad_rows_are_named_and_the_rest_is_scored(scored: tuple[list[dict[str, str]], str, int]) -> None:
    rows, stderr, code = scored
    by_id = {r["pair_id"]: r for r in rows}
    assert code == 1
    assert all(by_id["empty-text"][d] == "" for d in DIMENSIONS)
    assert all(by_id["broken"][d] == "" for d in DIMENSIONS)
    assert "pairs.csv:4 text_1" in stderr and "no non-empty 'text'" in stderr
    assert "pairs.csv:7" in stderr and "wrong number of fields" in stderr
    assert "5 pairs scored" in stderr
    assert by_id["after-broken"] == {**by_id["same-event"], "pair_id": "after-broken"}  # the same texts score the same


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    pairs = _write_pairs(tmp_path / "pairs.csv", [["p", "en", QUAKE_EN]], header=["pair_id", "lang1", "text_1"])
    with pytest.raises(InputError, match="no column lang2, text_2"):
        score_pairs(pairs, io.StringIO())
    result = run_cli("similarity", str(pairs), "--out", str(tmp_path / "out.csv"), check=False)
    assert result.returncode == 1 and "pairs.csv" in result.stderr and "no column lang2, text_2" in result.stderr


def test_gzipped_and_mis_encoded_texts_are_read(tmp_path: Path) -> None:
    mojibake = QUAKE_FR.encode("utf-8").decode("latin-1")  # "sÃ©isme": UTF-8 read as Latin-1
    plain = _write_pairs(tmp_path / "pairs.csv", [["p", "en", "fr", QUAKE_EN, mojibake, "1"]])
    packed = tmp_path / "pairs.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    out = io.StringIO()
    report = score_pairs(packed, out)
    assert report.scored == 1 and not report.problems
    assert float(out.getvalue().splitlines()[1].split(",")[DIMENSIONS.index("Overall") + 1]) < 2.5


def test_the_shipped_model_covers_every_dimension() -> None:
    model = SimilarityModel.load()
    assert set(model.weights) == set(DIMENSIONS)
    assert all(len(w) == len(model.signals) * (1 + len(model.knots)) for w in model.weights.values())


def test_the_model_blends_ridge_and_trees_per_dimension() -> None:
    one_signal = {
        "signals": ["meaning"],
        "mean": [0.5],
        "scale": [0.25],
        "knots": [],
        "weights": {d: [-1.0] for d in DIMENSIONS},
        "intercepts": {d: 2.5 for d in DIMENSIONS},
        # one tree: meaning <= 0.6 -> +1, else -1 (feature -1 marks a leaf)
        "trees": {"Overall": {"baseline": 2.5, "trees": [[[0, -1, -1], [0.6, 0.0, 0.0], [1, 0, 0], [2, 0, 0], [0.0, 1.0, -1.0]]]}},
        "blend": {"Overall": 0.25},
        "language_means": {"*": [0.0]},
    }
    model = SimilarityModel(one_signal)
    rows = np.array([[0.5], [0.75]])  # standardised 0 and 1
    scores = model.predict_rows(rows)
    geography, overall = DIMENSIONS.index("Geography"), DIMENSIONS.index("Overall")
    assert scores[:, geography].tolist() == [2.5, 1.5]  # no trees: the ridge alone
    assert scores[:, overall].tolist() == [0.25 * 2.5 + 0.75 * 3.5, 0.25 * 1.5 + 0.75 * 1.5]


def test_the_second_reading_is_compared_without_its_language_direction() -> None:
    # Texts of one language share a direction (one axis per language) that says nothing about their topic.
    rng = np.random.default_rng(0)

    def text(language: str, direction: np.ndarray) -> SimpleNamespace:
        vector = direction + 0.05 * rng.standard_normal(4)
        return SimpleNamespace(article=SimpleNamespace(language=language), text_vector_e5=vector / np.linalg.norm(vector))

    german, english, topic_a, topic_b = np.eye(4)
    texts = [text(language, 2 * axis + (topic_a if i % 2 else topic_b)) for language, axis in (("de", german), ("en", english)) for i in range(MIN_LANGUAGE_TEXTS)]
    means = language_means([*texts, text("fr", topic_a)])  # type: ignore[list-item]
    assert set(means) == {"de", "en", ANY_LANGUAGE}  # one French text is too few for a mean of its own
    german_a, german_b, english_a = texts[1], texts[0], texts[MIN_LANGUAGE_TEXTS + 1]
    # Read raw, two German texts on different topics look closer than one topic in German and English ...
    assert float(german_a.text_vector_e5 @ german_b.text_vector_e5) > 0.7 > 0.3 > float(german_a.text_vector_e5 @ english_a.text_vector_e5)
    # ... and with each language's mean taken away, the topic decides.
    assert _centred_cosine(german_a, german_b, means) < -0.5 < 0.5 < _centred_cosine(german_a, english_a, means)  # type: ignore[arg-type]


def test_compare_shows_scores_and_evidence_for_the_seeds(news_db: Path) -> None:
    with storyline.open(news_db) as sl:
        (story,) = [s for s in sl.stories() if {"DW", "RFI"} <= set(s.outlets)]
        dw = next(a for a in story.articles if a.outlet == "DW")
        rfi = next(a for a in story.articles if a.outlet == "RFI")
        other = next(a for s in sl.stories() if s.id != story.id for a in s.articles if a.language == "en")
        same, different = sl.compare(dw.id, rfi.id), sl.compare(dw.id, other.id)
    assert same.scores["Overall"] < different.scores["Overall"]
    assert any("Ryabkov" in e and "Riabkov" in e for e in same.evidence.entities)
    assert "Geneva" in same.evidence.places and "CH" in same.evidence.countries
    assert "meeting" in same.evidence.events

    result = run_cli("compare", dw.id, rfi.id, "--db", str(news_db), "--json")
    record = json.loads(result.stdout)
    assert list(record["scores"]) == list(DIMENSIONS)
    assert "Geneva" in record["evidence"]["places"]
    text = run_cli("compare", dw.id, rfi.id, "--db", str(news_db)).stdout
    assert "Overall" in text and "Geneva" in text


def test_compare_names_an_unknown_article(news_db: Path) -> None:
    result = run_cli("compare", "no-such-article", "another", "--db", str(news_db), check=False)
    assert result.returncode == 1 and "no-such-article" in result.stderr
