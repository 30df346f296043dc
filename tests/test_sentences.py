"""One sentence splitter for the whole project (issue 15): abbreviations and initials in every language."""

from __future__ import annotations

import pytest

from storyline.analyze.sentences import split_sentences


def _sentences(text: str, language: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, language)]


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        ("en", "Prof. Ada Lang met Gen. Ruiz and Dr. J. Okafor at 5 p.m. on Monday. They talked for an hour.", 2),
        ("fr", "M. Durand a reçu Mme Perrin et le Dr. Valois à Lyon. Ils ont parlé une heure.", 2),
        ("de", "Prof. Dr. Weber kam am 3. Mai nach Kiel, z. B. mit Hr. Lutz. Das Treffen dauerte 2 Std. und 10 Min. lang.", 2),
        ("es", "El Sr. Ortega llegó con la Dra. Ibáñez y el Lic. Soto. Luego hablaron una hora.", 2),
        ("ru", "В. В. Орлов встретился с С. Л. Бойко в г. Твери. Они говорили час.", 2),
    ],
)
def test_abbreviations_and_initials_end_no_sentence(language: str, text: str, count: int) -> None:
    sentences = _sentences(text, language)
    assert len(sentences) == count, sentences


def test_line_breaks_end_sentences_and_offsets_point_into_the_text() -> None:
    text = "A headline without a stop\n\nThe first sentence. The second one!  \nA last line"
    spans = split_sentences(text, "en")
    assert [text[a:b] for a, b in spans] == ["A headline without a stop", "The first sentence.", "The second one!", "A last line"]
    assert all(text[a:b] == text[a:b].strip() for a, b in spans)


def test_etc_at_the_end_of_a_russian_sentence_ends_it() -> None:
    assert len(_sentences("Они принесли книги, тетради и т. д. Затем все ушли.", "ru")) == 2
