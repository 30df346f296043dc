"""A name finder for languages with no NER model on PyPI: capitalised word runs and cue words.

Good enough to propose mentions; the entity linker then recognises names
already known from articles in other languages ("Riabkov" found by spaCy in an
English article is the same "Riabkov" here). Types come from cue words: a
title before the name (presidente, Minister, alcalde) makes a person, an
organisation word inside it (Ministerio, Agency, Verband) an organisation.
"""

from __future__ import annotations

import re

from storyline.analyze.terms import stopwords
from storyline.model import EntityType, Mention

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s+|\n\s*|[«\"„“—–-]\s*)$")
# Lower-case words allowed inside a name: "Organización de las Naciones Unidas", "Ursula von der Leyen".
_PARTICLES = frozenset("de del la las los da do dos das di du des von van der den ter al el bin ibn y und and of for für pour et".split())
_PERSON_CUES = frozenset(
    """presidente presidenta ministro ministra señor señora sr sra don doña alcalde alcaldesa portavoz secretario secretaria
    diputado diputada senador senadora juez jueza fiscal general director directora comisario comisaria canciller
    presidente ministro signor signora sindaco portavoce
    herr frau minister ministerin kanzler kanzlerin präsident präsidentin bürgermeister bürgermeisterin sprecher sprecherin
    vorsitzende vorsitzender richter richterin staatssekretär
    president minister mr mrs ms dr mayor spokesman spokeswoman senator governor judge""".split()
)
_ORG_WORDS = frozenset(
    """ministerio ministry ministère ministerium agencia agency agence agentur universidad university université universität
    partido party parti partei comisión commission kommission consejo council conseil rat tribunal court gericht
    banco bank banque corporación corporation gesellschaft verband institut instituto institute asociación association
    federación federation unión union sindicato gewerkschaft empresa grupo group konzern ag gmbh sa cnn bbc
    policía polizei police ejército armee army parlamento parliament parlement bundestag congreso congress senado""".split()
)
_CALENDAR = frozenset(
    """enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre lunes martes miércoles
    jueves viernes sábado domingo januar februar märz april mai juni juli august september oktober november dezember
    montag dienstag mittwoch donnerstag freitag samstag sonntag gennaio febbraio aprile maggio giugno luglio agosto
    settembre ottobre dicembre lunedì martedì mercoledì giovedì venerdì sabato""".split()
)


def fallback_mentions(text: str, *, language: str | None) -> list[Mention]:
    stop = stopwords(language)
    lower_case_words = {w.group(0) for w in _WORD.finditer(text) if w.group(0).islower()}
    mentions: list[Mention] = []
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        run = _capitalised_run(words, i, text)
        if not run:
            i += 1
            continue
        i = words.index(run[-1]) + 1
        if _SENTENCE_START.search(text[max(0, run[0].start() - 3) : run[0].start()]):
            # A sentence's first word is capitalised anyway: drop it when the text also writes it in lower case.
            while run and run[0].group(0).lower() in lower_case_words:
                run = run[1:]
            if len(run) == 1 and run[0].group(0).lower() in lower_case_words | stop:
                continue
        if not run:
            continue
        first, last = run[0], run[-1]
        tokens = [w.group(0) for w in run]
        if len(tokens) == 1 and (tokens[0].lower() in stop or tokens[0].lower() in _CALENDAR):
            continue
        surface = text[first.start() : last.end()].rstrip("-")
        mentions.append(Mention(surface, first.start(), first.start() + len(surface), _guess_type(tokens, words, words.index(first))))
    return mentions


def _capitalised_run(words: list[re.Match[str]], i: int, text: str) -> list[re.Match[str]]:
    """The longest run of capitalised words from ``i`` (particles allowed between them)."""
    run: list[re.Match[str]] = []
    j = i
    while j < len(words):
        word = words[j].group(0)
        gap = text[words[j - 1].end() : words[j].start()] if run else ""
        if run and gap.strip(" -"):  # punctuation ends a name
            break
        if word[:1].isupper() and not (word.isupper() and len(word) > 5):
            run.append(words[j])
        elif run and word.lower() in _PARTICLES and j + 1 < len(words) and words[j + 1].group(0)[:1].isupper():
            run.append(words[j])
        else:
            break
        j += 1
    while run and run[-1].group(0).lower() in _PARTICLES:
        run.pop()
    return run


def _guess_type(tokens: list[str], words: list[re.Match[str]], index: int) -> EntityType:
    lowered = {t.lower().strip(".") for t in tokens}
    if lowered & _ORG_WORDS or (len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) >= 2):
        return "ORG"
    before = words[index - 1].group(0).lower().strip(".") if index else ""
    if before in _PERSON_CUES or tokens[0].lower().strip(".") in _PERSON_CUES:
        return "PERSON"
    if 2 <= len(tokens) <= 3 and all(t[:1].isupper() and t[1:].islower() for t in tokens):
        return "PERSON"
    return "OTHER"
