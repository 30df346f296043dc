"""Link each article's name mentions to canonical entities shared across articles and languages.

Runs in the main process, article by article in arrival order, because every
article may create entities the next one links to. Candidates come from the
store by key (``analyze.names``): the plain spelling, the folded sound of the
name, the surname, a surname prefix for near spellings, or a GeoNames id for
places (with their name: a place one article could not locate still meets the
same name another article located; two different GeoNames ids never meet). A candidate is accepted when the name agrees closely enough for its
type; for persons, different given names veto ("Thomas Reardon" is not
"Claire Reardon"), and near spellings or a bare surname need context: other
entities of the article that the candidate was mentioned with before.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from storyline.analyze.names import (
    acronyms,
    as_acronym,
    given_names,
    given_names_compatible,
    latin,
    plain_key,
    similarity,
    skeleton,
    sound_key,
    surname,
)
from storyline.analyze.places import country_of_word
from storyline.model import Article, Entity, EntityType, Event, Mention, Place, Quote

# A candidate scoring below this is not the same entity: a new one is created.
ACCEPT = 0.75
NEIGHBORS_KEPT = 30
PREFIX_LETTERS = 4
# Articles that qualify an organisation without naming it; countries and nationalities do too
# ("US State Department", "Russian Foreign Ministry"): ``places.country_of_word`` knows them all.
_ARTICLES = frozenset("the le la les l der die das el los las".split())
_NAME_WORD = re.compile(r"\w+(?:\.\w+)*\.?")

LookupKeys = Callable[[Sequence[str]], list[Entity]]


def entity_keys(entity_type: EntityType, name: str, language: str | None, place: Place | None = None) -> list[str]:
    """Lookup keys of a name; see the module docstring."""
    person = entity_type == "PERSON"
    plain, sound = plain_key(name, person), sound_key(name, language, person)
    if place is not None and place.geonames_id is not None:
        # The name too: an article whose context does not place "Chala" must still meet the Chala another placed
        return [f"g:{place.geonames_id}", f"p:{plain}", f"s:{sound}"]
    keys = [f"p:{plain}", f"s:{sound}"]
    if entity_type == "PERSON":
        last = surname(sound)
        # n: folded surname, m: surname as spelled, x: its first letters (near spellings), k: its consonants.
        keys += [f"n:{last}", f"m:{surname(plain)}", f"x:{last[:PREFIX_LETTERS]}", f"k:{skeleton(surname(plain))}"]
    elif entity_type == "ORG":
        kept = [w for w in _NAME_WORD.findall(name) if w.lower() not in _ARTICLES and not country_of_word(w, language)]
        core = plain_key(" ".join(kept), False) if kept else ""
        if core:
            keys.append(f"c:{core}")  # "US State Department" and "State Department" meet here
        acronym = as_acronym(name)
        keys += [f"a:{a}" for a in ({acronym} if acronym else acronyms(name))]
    return keys


def entity_id(entity_type: EntityType, key: str) -> str:
    """Stable id from the key an entity was created under."""
    return "e-" + hashlib.sha1(f"{entity_type}|{key}".encode()).hexdigest()[:12]


class EntityLinker:
    """Assigns canonical entity ids to mentions; keeps the entities it touched until the store saves them."""

    def __init__(self, lookup: LookupKeys) -> None:
        self._lookup = lookup
        self._known: dict[str, Entity] = {}  # entities seen in this batch (from the store or new)
        self._by_key: dict[str, set[str]] = defaultdict(set)  # key -> ids, for entities in _known
        self._looked_up: set[str] = set()  # keys already asked of the store in this batch
        self._changed: dict[str, Entity] = {}

    def link(self, article: Article) -> list[Entity]:
        """Rewrite local mention ids to canonical ids (mentions, quotes); return the article's entities."""
        groups: dict[str, list[Mention]] = defaultdict(list)
        for mention in article.mentions:
            if mention.entity_id:
                groups[mention.entity_id].append(mention)
        places = {(p.start, p.end): p for p in article.places if p.start is not None}
        self._fetch(
            key
            for mentions in groups.values()
            for key in entity_keys(mentions[0].type, mentions[0].name, article.language, places.get((mentions[0].start, mentions[0].end)))
        )
        canonical: dict[str, str] = {}
        # Places and organisations first: they are the context that tells persons apart.
        order = sorted(groups.items(), key=lambda item: ("PLACE", "ORG", "OTHER", "PERSON").index(item[1][0].type))
        for local_id, mentions in order:
            entity = self._link_group(mentions, article.language, places, set(canonical.values()))
            for mention in mentions:
                mention.entity_id = entity.id if entity else None
            if entity is not None:
                canonical[local_id] = entity.id
        entities = [self._known[i] for i in dict.fromkeys(canonical.values())]
        self._record_article(entities, article)
        article.quotes = [_with_speaker(q, canonical, self._known) for q in article.quotes]
        article.events = [_with_participants(e, canonical, self._known) for e in article.events]
        return entities

    def take_changed(self) -> list[Entity]:
        """Entities created or changed since the last call; forgets the batch's working set."""
        changed = list(self._changed.values())
        self._changed.clear()
        self._known.clear()
        self._by_key.clear()
        self._looked_up.clear()
        return changed

    # ---- one group of mentions -------------------------------------------------

    def _link_group(
        self, mentions: list[Mention], language: str | None, places: dict[tuple[int, int], Place], context: set[str]
    ) -> Entity | None:
        """The entity these mentions name; None for an unknown name of no clear type (not worth an entity)."""
        place = next((places[(m.start, m.end)] for m in mentions if (m.start, m.end) in places), None)
        entity_type: EntityType = "PLACE" if place is not None else mentions[0].type
        name = max((m.name for m in mentions), key=lambda n: (len(n.split()), len(n)))
        keys = entity_keys(entity_type, name, language, place)
        best, best_score = None, 0.0
        for candidate in self._candidates(keys):
            # Ties (a bare surname shared by two people, no context) go to the more mentioned one.
            score = _agreement(entity_type, name, language, keys, candidate, context) + 1e-9 * candidate.mentions
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= ACCEPT:
            entity = best
            if entity.place is None and place is not None:  # first placed here: it is that place
                entity.place = place
        elif entity_type == "OTHER":
            return None
        else:
            entity = self._create(entity_type, keys[0], place, name)
        for mention in mentions:
            entity.aliases[mention.text] = entity.aliases.get(mention.text, 0) + 1
        entity.mentions += len(mentions)
        entity.name = _display_name(entity)
        self._remember(entity, keys)
        return entity

    def _fetch(self, keys: Iterable[str]) -> None:
        """Load the stored entities under these keys (one query per article, not one per name)."""
        wanted = sorted(set(keys) - self._looked_up)
        if not wanted:
            return
        self._looked_up.update(wanted)
        for entity in self._lookup(wanted):
            if entity.id not in self._known:
                self._known[entity.id] = entity
                for key in entity.keys:
                    self._by_key[key].add(entity.id)

    def _candidates(self, keys: list[str]) -> list[Entity]:
        self._fetch(keys)
        # Sorted: ties must break the same way in every run (sets of strings iterate in random order).
        return [self._known[i] for i in sorted({i for key in keys for i in self._by_key.get(key, ())})]

    def _create(self, entity_type: EntityType, key: str, place: Place | None, name: str) -> Entity:
        entity = Entity(entity_id(entity_type, key), entity_type, place.name if place else name, place=place)
        if entity.id in self._known:  # created earlier in this batch under the same key
            return self._known[entity.id]
        self._known[entity.id] = entity
        return entity

    def _remember(self, entity: Entity, keys: Iterable[str]) -> None:
        entity.keys.update(keys)
        for key in entity.keys:
            self._by_key[key].add(entity.id)
        self._known[entity.id] = entity
        self._changed[entity.id] = entity

    def _record_article(self, entities: list[Entity], article: Article) -> None:
        """Count the article for each entity and note which entities appeared together."""
        mentioned = Counter(m.entity_id for m in article.mentions if m.entity_id)
        top = [e for e in entities if e.id in dict(mentioned.most_common(15))]
        for entity in entities:
            entity.articles += 1
            self._changed[entity.id] = entity
        for entity in top:
            for other in top:
                if other.id != entity.id:
                    entity.neighbors[other.id] = entity.neighbors.get(other.id, 0) + 1
            if len(entity.neighbors) > NEIGHBORS_KEPT:
                entity.neighbors = dict(Counter(entity.neighbors).most_common(NEIGHBORS_KEPT))


def _agreement(entity_type: EntityType, name: str, language: str | None, keys: list[str], candidate: Entity, context: set[str]) -> float:
    """How surely ``candidate`` is the entity named ``name`` (0: not at all)."""
    exact = [k for k in keys if k[0] in "pg" or k.startswith("s:")]
    if candidate.type != entity_type and "OTHER" not in (candidate.type, entity_type):
        # Recognisers disagree on types; a name of several words spelled the same is still the same thing,
        # and one recogniser's "organisation" is often another's person.
        multiword = len(plain_key(name, person=True).split()) > 1
        if multiword and any(k in candidate.keys for k in exact if not k.startswith("g:")):
            return 0.9
        if multiword and {entity_type, candidate.type} == {"PERSON", "ORG"}:
            score = _person_agreement(name, language, keys, candidate, len(context & candidate.neighbors.keys()))
            return score if score >= 0.8 else 0.0
        return 0.0
    support = len(context & candidate.neighbors.keys())
    bonus = 0.05 * min(support, 2)
    mine, theirs = {k for k in keys if k.startswith("g:")}, {k for k in candidate.keys if k.startswith("g:")}
    if mine and theirs and not mine & theirs:
        return 0.0  # two places of one name: Paris, France is not Paris, Texas
    if any(k in candidate.keys for k in exact):
        if entity_type != "PERSON" or _given_names_agree(keys, candidate):
            return 1.0 + bonus
        return 0.0
    if entity_type == "PERSON":
        return _person_agreement(name, language, keys, candidate, support) + bonus
    core = next((k for k in keys if k.startswith("c:")), None)
    if core is not None and (core in candidate.keys or f"p:{core[2:]}" in candidate.keys):
        mine, theirs = _countries(name, language), {c for alias in candidate.aliases for c in _countries(alias, language)}
        if mine and theirs and not mine & theirs:
            return 0.0  # "Russian Foreign Ministry" is not the "Turkish Foreign Ministry"
        return 0.8 + bonus
    if support and any(k.startswith("a:") and k in candidate.keys for k in keys):
        return 0.8 + bonus  # an acronym is ambiguous on its own: "AU" needs the company it keeps
    sound = sound_key(name, language)
    best = max((similarity(sound, k[2:]) for k in candidate.keys if k.startswith("s:")), default=0.0)
    return (0.8 if best >= 0.95 else 0.0) + bonus


def _countries(name: str, language: str | None) -> set[str]:
    """The countries an organisation's name is qualified by ("US State Department" -> {"US"})."""
    return {code for word in _NAME_WORD.findall(name) if (code := country_of_word(word, language))}


def _person_agreement(name: str, language: str | None, keys: list[str], candidate: Entity, support: int) -> float:
    plain, sound = plain_key(name, person=True), sound_key(name, language, person=True)
    if _crosses_script(name, candidate):
        # Back-transliteration ("Уиткомб" for Whitcombe, "Лоран" for Laurent) keeps only the consonants:
        # enough when both sides give a full name whose consonants agree, or the context agrees.
        return _cross_script_agreement(plain, sound, candidate, support)
    if not _given_names_agree(keys, candidate):
        return 0.0
    their_sounds = [k[2:] for k in candidate.keys if k.startswith("s:")]
    if f"n:{surname(sound)}" in candidate.keys or f"m:{surname(plain)}" in candidate.keys:
        # Same surname: a full name with compatible given names, or a bare surname.
        full = any(given_names(s) for s in their_sounds) and given_names(sound)
        return 0.9 if full else (0.8 if support or len(candidate.aliases) else 0.7)
    best = max((similarity(sound, s) for s in their_sounds), default=0.0)
    if best >= 0.92:
        return 0.8
    if best >= 0.85 and support:
        return 0.75
    return 0.0


def _cross_script_agreement(plain: str, sound: str, candidate: Entity, support: int) -> float:
    """A name in one script against an entity known only in another ("Рашид Беннани" / "Rachid Bennani")."""
    bones = skeleton(surname(plain))
    if len(bones) >= 3 and f"k:{bones}" in candidate.keys:
        theirs = {skeleton(given_names(k[2:])) for k in candidate.keys if k.startswith("p:")} - {""}
        mine = skeleton(given_names(plain))
        if mine and theirs:
            if any(t.startswith(mine) or mine.startswith(t) for t in theirs):
                return 0.8
        elif support:
            return 0.75
    # Short surnames have too few consonants to trust: compare the folded sounds instead.
    best = max((similarity(sound, k[2:]) for k in candidate.keys if k.startswith("s:")), default=0.0)
    if best >= 0.9 and " " in sound:
        return 0.8
    return 0.75 if best >= 0.85 and support else 0.0


def _crosses_script(name: str, candidate: Entity) -> bool:
    """The candidate is known only in the other script (Latin vs Cyrillic and others)."""
    return all(latin(alias) != latin(name) for alias in candidate.aliases)


def _given_names_agree(keys: list[str], candidate: Entity) -> bool:
    """No known given name of the candidate contradicts the mention's (same surname, other person).

    Spellings (p:) and folded sounds (s:) are each compared with their own kind:
    "Jörg" folds differently in a French article, but is spelled the same.
    """
    for kind in ("p:", "s:"):
        mine = given_names(next((k[2:] for k in keys if k.startswith(kind)), ""))
        theirs = {given_names(k[2:]) for k in candidate.keys if k.startswith(kind)} - {""}
        if not mine or not theirs or any(given_names_compatible(mine, t) for t in theirs):
            return True
    return False


def _display_name(entity: Entity) -> str:
    """A place keeps its GeoNames name; others the most frequent of their longest spellings, Latin script first."""
    if entity.place is not None:
        return entity.place.name
    return max(entity.aliases, key=lambda a: (latin(a), len(a.split()), entity.aliases[a]))


def _with_participants(event: Event, canonical: dict[str, str], known: dict[str, Entity]) -> Event:
    """An event whose participants were local mention ids now names their canonical entities."""

    def linked(ids: tuple[str, ...], names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        pairs = {canonical[i]: known[canonical[i]].name for i, n in zip(ids, names) if i in canonical}
        return tuple(pairs), tuple(pairs.values())

    who_ids, who = linked(event.who_ids, event.who)
    whom_ids, whom = linked(event.whom_ids, event.whom)
    return replace(event, who=who, who_ids=who_ids, whom=whom, whom_ids=whom_ids)


def _with_speaker(quote: Quote, canonical: dict[str, str], known: dict[str, Entity]) -> Quote:
    """A quote whose speaker was a local mention id now names the canonical entity."""
    if quote.speaker_entity in canonical:
        entity = known[canonical[quote.speaker_entity]]
        return replace(quote, speaker_entity=entity.id, speaker=entity.name)
    return quote
