"""Build ``storyline/analyze/models/event_forms.json``: every inflected form of the event lemmas.

``analyze/events`` matches triggers by lemma. Lemmatising every word of every article with a
full lemmatizer costs memory (simplemma holds about 400 MB of dictionaries for five languages)
and time; only the words that can be triggers matter. So this script takes, per language, the
lemmas ``_event_kinds`` names and writes the forms that lemmatize to them:

- en, fr, de, es: simplemma's dictionaries, inverted (form -> lemma);
- ru: the same, plus pymorphy2's full paradigm of each lemma (through natasha), which
  lists every case and tense.

A form that is its own lemma is left out (the look-up falls back to the word itself).

    python scripts/build_event_forms.py
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyline.analyze._event_kinds import LANGUAGES, lemmas_used  # noqa: E402

OUTPUT = Path(__file__).resolve().parents[1] / "storyline" / "analyze" / "models" / "event_forms.json"


def simplemma_forms(language: str, lemmas: set[str]) -> dict[str, set[str]]:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms: dict[str, set[str]] = defaultdict(set)
    for form, lemma in DefaultDictionaryFactory().get_dictionary(language).items():
        if lemma.lower() in lemmas and form.lower() != lemma.lower():
            forms[form.lower()].add(lemma.lower())
    return forms


def pymorphy_forms(lemmas: set[str]) -> dict[str, set[str]]:
    from natasha import MorphVocab  # pymorphy2's analyzer, patched by natasha to run on this Python

    analyzer = MorphVocab()
    forms: dict[str, set[str]] = defaultdict(set)
    for lemma in lemmas:
        for parse in analyzer.parse(lemma):
            if parse.normal_form != lemma and parse.normal_form.replace("ё", "е") != lemma.replace("ё", "е"):
                continue
            for form in parse.lexeme:
                if form.word != lemma:
                    forms[form.word].add(lemma)
    return forms


def main() -> None:
    table: dict[str, dict[str, list[str]]] = {}
    for language in LANGUAGES:
        lemmas = lemmas_used(language)
        forms = simplemma_forms(language, lemmas)
        if language == "ru":
            for form, found in pymorphy_forms(lemmas).items():
                forms[form] |= found
        table[language] = {form: sorted(found) for form, found in sorted(forms.items())}
        print(f"{language}: {len(lemmas)} lemmas, {len(table[language])} forms")
    OUTPUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"-> {OUTPUT}")


if __name__ == "__main__":
    main()
