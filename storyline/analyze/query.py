"""What a search query names: its words, and for the names among them, every spelling the store knows.

A reader types one spelling ("Riabkov", "Istanbul"); articles write others ("Ryabkov",
"Рябков", "Estambul", "Стамбуле"). The linker has already gathered these spellings
under canonical entities (``analyze.linking``), so a query is read against them: the
longest run of words that names an entity (by the linker's own lookup keys, or by being
one of its spellings) becomes a term that matches any spelling of that entity; other
words stay words. Only exact names count (the whole name, or a person's surname): a
near spelling is for the linker to judge with context, not for a query of two words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from storyline.analyze.linking import entity_keys
from storyline.analyze.names import as_acronym, plain_key, sound_key, surname
from storyline.model import Entity, QueryTerm

# A query word: letters and digits, optionally ending in * (a prefix); what FTS5 calls a token.
_WORD = re.compile(r"(\w+)(\*?)")
LONGEST_NAME = 4  # words
EXPANDED_WORDS = 12  # only the first words of a long query are looked up as names

FindEntities = Callable[[Sequence[str], Sequence[str]], list[Entity]]  # (lookup keys, alias phrases) -> entities


def query_words(query: str) -> list[tuple[str, bool]]:
    """The words of a query, each with whether it ends in * (a prefix)."""
    return [(word, bool(star)) for word, star in _WORD.findall(query)]


def name_keys(phrase: str) -> list[str]:
    """The lookup keys a phrase would have as a person's or an organisation's name (see ``linking.entity_keys``).

    Only keys that name it whole: a person's surname key for one word alone, an acronym key for an
    acronym alone ("Riabkov Montevideo" is no one's surname, nor the acronym "RM").
    """
    keys = set(entity_keys("PERSON", phrase, None) + entity_keys("ORG", phrase, None))
    single = len(phrase.split()) == 1
    return sorted(
        k for k in keys
        if k.startswith(("p:", "s:", "c:")) or (single and k.startswith(("n:", "m:"))) or (k.startswith("a:") and as_acronym(phrase))
    )


def names(phrase: str, entity: Entity) -> bool:
    """Does ``phrase`` name ``entity``: one of its keys, one of its spellings, or a person's surname?"""
    if set(name_keys(phrase)) & entity.keys:
        return True
    wanted = {plain_key(phrase), sound_key(phrase)}
    for alias in entity.aliases:
        if {plain_key(alias), sound_key(alias)} & wanted:
            return True
        if entity.type == "PERSON" and " " not in phrase.strip() and {surname(plain_key(alias)), surname(sound_key(alias))} & wanted:
            return True
    return False


def query_terms(query: str, find: FindEntities) -> list[QueryTerm]:
    """The query as terms: runs of words naming entities (longest first) with their spellings, other words as typed."""
    words = query_words(query)
    looked_up = words[:EXPANDED_WORDS]
    phrases = {
        " ".join(w for w, _ in looked_up[i : i + n])
        for i in range(len(looked_up))
        for n in range(1, LONGEST_NAME + 1)
        if i + n <= len(looked_up) and not any(star for _, star in looked_up[i : i + n])
    }
    candidates = find(sorted({k for p in phrases for k in name_keys(p)}), sorted(phrases)) if phrases else []
    terms: list[QueryTerm] = []
    i = 0
    while i < len(words):
        word, star = words[i]
        for n in range(min(LONGEST_NAME, len(looked_up) - i), 0, -1):
            phrase = " ".join(w for w, _ in words[i : i + n])
            if star or phrase not in phrases:
                continue
            named = [e for e in candidates if names(phrase, e)]
            if named:
                spellings = {phrase.lower()} | {alias for e in named for alias in e.aliases}
                terms.append(QueryTerm(phrase, False, tuple(sorted(spellings, key=str.lower)), tuple(e.id for e in named)))
                i += n
                break
        else:
            terms.append(QueryTerm(word, star, (word,), ()))
            i += 1
    return terms

