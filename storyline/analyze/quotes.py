"""Direct and indirect quotations in a news article, each with its speaker resolved to an entity mention.

No parser: this runs on every article and the caller has no parse, so the work is
done with quotation marks, per-language word lists (``_quote_cues``) and the
entity mentions the NER already found: 3-5 ms for a 750-word article.

1. Quoted spans. Quotation marks are paired within each paragraph ("…", “…”,
   ‘…’, ''…'', «…», „…“, »…«), outermost pairs only. An unpaired mark at a
   paragraph's edge opens or closes a span running to the other edge; such a span
   is kept only when an attribution confirms it. Sentences are the project's (``sentences``), less
   the breaks inside quoted spans and after a quoted question or exclamation ("“Why?” she asked").
2. Cues. Reporting verbs ("said", "a déclaré", "sagte", "afirmó", "заявил"),
   "according to" forms ("selon", "laut", "según", "по словам", "X zufolge") and
   participles ("adding"), found by a token scan with dict look-ups.
3. Direct quotations. A quoted span with a cue right after it ("…," he said;
   «…», a déclaré X; „…“, so X; «…», — заявил он) or right before it (X said: "…"),
   or a dialogue-dash paragraph (— …, — заявил он. / —…—dijo—. / — …, dijo X).
   Two spans around one cue are one quotation ("We are ready," he said, "to
   talk."), and so is a cue-less span going on in the same paragraph ("A," he
   said. "B."). A span inside a longer clause ("… and "risk reduction measures,"
   the State Department said") is a mixed quotation, reported as indirect over
   the clause. A cue-less span of three words or more that opens a sentence takes
   the speaker of the neighbouring quotation, or after a colon the subject of the
   introducing clause; shorter ones and ones inside a sentence are scare quotes
   or titles ("a "killer"") and are skipped.
4. Indirect quotations. A cue followed by a complementizer ("that", "que",
   "dass", "что"), an English "said" followed by a clause, a cue closing the
   sentence ("…, the ministry said."), or an "according to" phrase. The reported
   clause ends at the sentence end or where another cue takes over (", adding").
5. Speakers. The phrase next to the cue resolves to a person mention, else an
   appositive person ("Ned Price, the spokesman, said"), else an organisation.
   A pronoun, or no subject at all ("—dijo"), resolves to the person quoted in,
   else the subject of, the latest sentence naming a person of a fitting gender
   ("Mr.", "Mme" tell). A definite description ("the spokesman", "le vice-ministre
   russe") resolves to the person whose titles elsewhere share its role word, else
   to a person quoted by name, else named, in the sentences around it; a clashing
   nationality ("US" vs "Russian") rules a person out. Anything else ("the
   Americans", "a senior official", "the summary", "the candidate" with no one
   near) stays as written with no entity, when it is a noun phrase: a chunk that
   starts with a preposition or holds a clause ("he told the group") is no
   speaker. Mentions inside quoted words never speak.

A quotation split around its attribution is one ``Quote`` whose ``text`` joins
the parts with a space; ``start``/``end`` then cover the whole, attribution included.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from storyline.analyze._quote_cues import CUES_BY_LANGUAGE, LanguageCues
from storyline.analyze.sentences import split_sentences
from storyline.model import Mention, Quote, QuoteKind

__all__ = ["find_quotes", "role_of"]

CueKind = Literal["verb", "participle", "according_before", "according_after", "after_quote_only"]
Speaker = tuple[str | None, str | None]  # resolved: (surface, entity key)

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_QUOTE_MARK = re.compile("''|``|[\"“”«»„‘’‚']")
_DOUBLED_MARKS = {"''": '"', "``": '"'}  # typewriter quotation marks: ''Wow,'' she said
_BOUNDARY_CHARS = ",;:()[]\"“”«»„—–\n"
_SPACES = " \t\u00a0\u202f\u2009"
_CLOSING = "\"'”’»“)]"  # what may follow a sentence's stop: closing quotation marks and brackets
_LEAD_PUNCTUATION = re.compile(r"[\s,;]*(?:[—–-]+\s*)?")
_DIALOGUE_LEAD = re.compile(r"[ \t\u00a0]*[—–][ \t\u00a0]*")
_FRENCH_INVERSION = re.compile(r"-(?:t-)?(il|elle)s?\b")  # "a-t-il déclaré", "dit-elle"
MIN_CONTENT_WORDS = 3  # indirect content and cue-less quotations: "a "killer"" is a word, not a quotation


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    kind: CueKind
    first_token: int  # index into the token list


@dataclass(frozen=True)
class _Span:
    """Quoted words between ``start`` and ``end``; ``open``/``close`` include the marks."""

    open: int
    close: int
    start: int
    end: int
    unopened: bool = False  # no opening mark: the span starts at its paragraph's start
    unclosed: bool = False  # no closing mark: the span runs to its paragraph's end


@dataclass(frozen=True)
class _Phrase:
    """Where a speaker is: a phrase as written, nowhere ("—dijo": implicit), or the clause's subject."""

    how: Literal["phrase", "implicit", "subject"]
    start: int
    end: int


@dataclass(frozen=True)
class _Attribution:
    cue: _Cue | None
    speaker: _Phrase
    end: int  # where the attribution's words stop
    colon: bool = False  # "X said: …" introduces what follows more surely than anything else


@dataclass
class _Found:
    parts: list[tuple[int, int]]
    kind: QuoteKind
    attribution: _Attribution | None
    inherit: Literal["previous", "next", None] = None  # whose speaker a cue-less quotation takes
    speaker: Speaker = (None, None)


@dataclass(frozen=True)
class _Lexicon:
    language: str | None
    cues: LanguageCues
    phrases: dict[str, list[tuple[tuple[str, ...], CueKind]]]  # first word -> (words, kind), longest first


def find_quotes(text: str, *, language: str | None, mentions: Sequence[Mention]) -> list[Quote]:
    """Direct and indirect quotations in ``text``, in order, with speakers resolved to ``mentions``.

    ``language`` picks the cue words (en, fr, de, es, ru); any other value, or
    None, uses all of them. ``mentions`` are the article's entity mentions
    (character offsets into ``text``); speakers resolve to person and
    organisation mentions, named by the entity's longest mention (``Mention.name``).
    """
    if not text.strip():
        return []
    return _Finder(text, _lexicon(language if language in CUES_BY_LANGUAGE else None), mentions).quotes()


@functools.lru_cache(maxsize=None)
def _lexicon(language: str | None) -> _Lexicon:
    cues = CUES_BY_LANGUAGE[language] if language else _all_languages()
    phrases: dict[str, list[tuple[tuple[str, ...], CueKind]]] = {}
    kinds: dict[CueKind, frozenset[str]] = {
        "verb": cues.verbs,
        "participle": cues.participles,
        "according_before": cues.according_before,
        "according_after": cues.according_after,
        "after_quote_only": cues.after_quote_only,
    }
    for kind, forms in kinds.items():
        for form in forms:
            words = tuple(_TOKEN.findall(_fold(form)))
            phrases.setdefault(words[0], []).append((words, kind))
    for entries in phrases.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return _Lexicon(language, cues, phrases)


def _all_languages() -> LanguageCues:
    """Every language's words at once, for articles of unknown language."""
    merged: dict[str, object] = {}
    for spec in dataclasses.fields(LanguageCues):
        values = [getattr(cues, spec.name) for cues in CUES_BY_LANGUAGE.values()]
        if isinstance(values[0], frozenset):
            merged[spec.name] = frozenset().union(*values)
        elif isinstance(values[0], dict):
            merged[spec.name] = {key: value for mapping in values for key, value in mapping.items()}
        else:  # a switch is on if any language has it; patterns come from the first language, English
            merged[spec.name] = any(values) if isinstance(values[0], bool) else values[0]
    merged["role_match"] = "prefix"  # covers plurals, feminines and Russian cases alike, at the price of a few false roles
    return LanguageCues(**merged)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=100_000)
def role_of(word: str, language: str | None) -> str | None:
    """The title or role a word names, as listed ("ministerin" -> "minister" in German, "министра" -> "министр")."""
    cues = _lexicon(language).cues
    if word in cues.role_abbreviations:
        return cues.role_abbreviations[word]
    if cues.role_match == "part":
        return next((role for role in cues.roles if role in word), None)
    if cues.role_match == "prefix":
        return next((word[:k] for k in range(len(word), 1, -1) if word[:k] in cues.roles), None)
    return next((w for w in (word, word[:-1] if word.endswith("s") else word, *word.split("-")) if w in cues.roles), None)


@functools.lru_cache(maxsize=None)
def _character_class(characters: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(characters)}]" if characters else "(?!)")


def _fold(word: str) -> str:
    return word.lower().replace("’", "'")


class _Finder:
    """One article's quotations; built once per call."""

    def __init__(self, text: str, lexicon: _Lexicon, mentions: Sequence[Mention]) -> None:
        self.text = text
        self.lexicon = lexicon
        self.words = lexicon.cues
        folded = _fold(text)
        if len(folded) != len(text):  # a few capitals lower-case to two characters ("İ"): fold word by word
            self.tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text)]
        else:
            self.tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]
        self.token_starts = [start for start, _, _ in self.tokens]
        self.paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        self.paragraph_starts = [start for start, _ in self.paragraphs]
        self.spans, self.edge_spans = self._quoted_spans()
        self.span_starts = [span.start for span in self.spans]
        self.span_opens = [span.open for span in self.spans]
        self.sentence_starts = self._sentence_starts()
        self.cues = self._find_cues()
        self.cue_starts = [cue.start for cue in self.cues]
        self.mentions = sorted((m for m in mentions if 0 <= m.start < m.end <= len(text)), key=lambda m: m.start)
        self.mention_starts = [m.start for m in self.mentions]
        self.canonical: dict[str, str] = {}
        for mention in self.mentions:  # the longest name, in its base form: "Сергей Рябков", not "Сергея Рябкова"
            key = self._entity(mention)
            if len(mention.name) > len(self.canonical.get(key, "")):
                self.canonical[key] = mention.name
        self.persons = [m for m in self.mentions if m.type == "PERSON" and not self._in_span(m.start)]
        self.person_starts = [m.start for m in self.persons]

    def quotes(self) -> list[Quote]:
        found = self._dialogue() + self._direct()
        used = {f.attribution.cue for f in found if f.attribution and f.attribution.cue}
        covered = [part for f in found for part in f.parts]
        found += self._indirect(used, covered)
        found.sort(key=lambda f: f.parts[0][0])
        self._resolve(found)
        quotes: dict[tuple[int, int], Quote] = {}
        for f in found:
            start, end = f.parts[0][0], f.parts[-1][1]
            cue = self.text[f.attribution.cue.start : f.attribution.cue.end] if f.attribution and f.attribution.cue else None
            speaker, entity = f.speaker
            words = " ".join(self.text[a:b] for a, b in f.parts)
            quotes.setdefault((start, end), Quote(words, start, end, f.kind, speaker, entity if speaker else None, cue))
        return list(quotes.values())

    # -- text helpers -------------------------------------------------------------------------

    @staticmethod
    def _entity(mention: Mention) -> str:
        return mention.entity_id or mention.text

    def _tokens_in(self, start: int, end: int) -> range:
        return range(bisect.bisect_left(self.token_starts, start), bisect.bisect_left(self.token_starts, end))

    def _word_count(self, start: int, end: int) -> int:
        return len(self._tokens_in(start, end))

    def _word_before(self, cue: _Cue) -> str:
        """The word right before a cue, with nothing but spaces between ("and said", not "But, said")."""
        if cue.first_token == 0:
            return ""
        _, end, word = self.tokens[cue.first_token - 1]
        return "" if self.text[end : cue.start].strip(_SPACES) else word

    def _paragraph_of(self, position: int) -> tuple[int, int]:
        index = max(bisect.bisect_right(self.paragraph_starts, position) - 1, 0)
        return self.paragraphs[index] if self.paragraphs else (0, len(self.text))

    def _sentence_of(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.sentence_starts, position)
        start = self.sentence_starts[index - 1]
        end = self.sentence_starts[index] if index < len(self.sentence_starts) else len(self.text)
        return start, self._trim_end(start, end)

    def _trim_end(self, start: int, end: int, characters: str = ".,;:!?…") -> int:
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in characters + _SPACES):
            end -= 1
        return end

    def _trim_start(self, start: int, end: int) -> int:
        while start < end and (self.text[start].isspace() or self.text[start] in ",;:—–-" + _SPACES):
            start += 1
        return start

    def _in_span(self, position: int) -> bool:
        index = bisect.bisect_right(self.span_starts, position) - 1
        return index >= 0 and self.spans[index].start <= position < self.spans[index].end

    def _has_boundary(self, start: int, end: int, characters: str = ".;:!?\"“”«»„\n") -> bool:
        """Whether one of ``characters`` lies between the offsets; "." only where a sentence ends ("Mr. Tribe" is one)."""
        if "." in characters and bisect.bisect_right(self.sentence_starts, end) > bisect.bisect_right(self.sentence_starts, start):
            return True
        return _character_class(characters.replace(".", "")).search(self.text, start, end) is not None

    # -- 1. quoted spans and sentences --------------------------------------------------------

    def _quoted_spans(self) -> tuple[list[_Span], list[_Span]]:
        """Paired spans (outermost only), and spans with a mark missing at a paragraph's edge (unconfirmed)."""
        spans = [span for start, end in self.paragraphs for span in self._paragraph_spans(start, end)]
        outermost: list[_Span] = []
        for span in sorted((s for s in spans if not (s.unopened or s.unclosed)), key=lambda s: (s.open, -s.close)):
            if not outermost or span.open >= outermost[-1].close:
                outermost.append(span)
        edges = [s for s in spans if (s.unopened or s.unclosed) and not any(o.open <= s.start < o.close for o in outermost)]
        return outermost, edges

    def _paragraph_spans(self, paragraph_start: int, paragraph_end: int) -> list[_Span]:
        """Pair the marks of one paragraph; unpaired marks at its edges make edge-to-mark spans."""
        text = self.text
        stack: list[tuple[str, int, int]] = []  # opening mark (normalised), its offset and end
        spans: list[_Span] = []
        unpaired: list[tuple[int, int]] = []  # closing-looking marks with no opening mark
        for match in _QUOTE_MARK.finditer(text, paragraph_start, paragraph_end):
            mark, i, j = _DOUBLED_MARKS.get(match.group(), match.group()), match.start(), match.end()
            before = text[i - 1] if i > paragraph_start else " "
            after = text[j] if j < paragraph_end else " "
            opens = (before.isspace() or before in "([{—–-/" or _QUOTE_MARK.match(before) is not None) and not after.isspace()
            closes = not before.isspace() and not after.isalnum()
            pending = [m for m, _, _ in stack]
            target: str | None = None
            if mark == '"':
                target = next((m for m in reversed(pending) if m in '"“'), None) if closes or not opens else None  # “…" happens
                if target is None and not opens:
                    unpaired.append((i, j))
                    continue
            elif mark in "”»":
                target = next((m for m in reversed(pending) if m in ('“„"' if mark == "”" else "«")), None)
                if target is None and (mark == "”" or not opens):  # »…« opens with »
                    unpaired.append((i, j))
                    continue
            elif mark in "“«":
                target = "„" if mark == "“" and "„" in pending else "»" if mark == "«" and pending[-1:] == ["»"] else None
            elif mark in "‘’'":
                opener = "‚" if mark == "‘" else ("‘" if mark == "’" else "'")
                if opener in pending and closes:
                    target = opener
                elif not (mark != "’" and opens and after.isalpha()):
                    continue  # an apostrophe
            if target is None:
                stack.append((mark, i, j))
                continue
            depth = max(k for k, (m, _, _) in enumerate(stack) if m == target)
            spans.append(self._span(stack[depth][1], stack[depth][2], i, j))
            del stack[depth:]
        leftover = [(i, j) for m, i, j in stack if m not in "'‘‚"]
        if leftover:
            spans.append(self._span(leftover[0][0], leftover[0][1], paragraph_end, paragraph_end, unclosed=True))
        elif unpaired and text[unpaired[-1][0]] == '"' and not any(span.close > unpaired[-1][0] for span in spans):
            spans.append(self._span(unpaired[-1][0], unpaired[-1][1], paragraph_end, paragraph_end, unclosed=True))
        if unpaired and not any(span.open < unpaired[0][0] for span in spans):
            spans.append(self._span(paragraph_start, paragraph_start, unpaired[0][0], unpaired[0][1], unopened=True))
        return [span for span in spans if span.end > span.start and any(c.isalnum() for c in text[span.start : span.end])]

    def _span(self, open_: int, start: int, end: int, close: int, *, unopened: bool = False, unclosed: bool = False) -> _Span:
        """A span from its marks' offsets: ``open_``-``start`` is the opening mark, ``end``-``close`` the closing one."""
        start = self._trim_start(start, end)
        return _Span(open_, close, start, self._trim_end(start, end, ",;:"), unopened, unclosed)

    def _sentence_starts(self) -> list[int]:
        """Where sentences start, but not inside a quotation ("He said: "We are ready. We will go."" is one),
        nor after a quotation ending in a question or an exclamation on the same line: ""Why?" Obama asked." is one sentence,
        as English punctuation has it, and its attribution must stay with it (PolNeAR has many)."""
        starts = [0]
        sentences = split_sentences(self.text, self.lexicon.language)
        for (_, end), (start, _) in zip(sentences, sentences[1:]):
            stop = len(self.text[:end].rstrip(_CLOSING)) - 1  # the stop itself, before closing marks
            index = bisect.bisect_right(self.span_opens, stop) - 1
            if index >= 0 and self.spans[index].open < stop < self.spans[index].close - 1 and "\n" not in self.text[end:start]:
                final = not self.text[stop + 1 : self.spans[index].close].strip(_CLOSING + _SPACES)
                if not final or self.text[stop] in "?!…":
                    continue
            starts.append(start)
        return starts

    # -- 2. cues ------------------------------------------------------------------------------

    def _find_cues(self) -> list[_Cue]:
        """Cue phrases, longest first at each token, never overlapping, never inside quoted words."""
        cues: list[_Cue] = []
        tokens, phrases = self.tokens, self.lexicon.phrases
        taken = -1
        for index in [i for i, token in enumerate(tokens) if token[2] in phrases]:
            if index <= taken:
                continue
            for words, kind in phrases[tokens[index][2]]:
                last = index + len(words) - 1
                if last < len(tokens) and all(tokens[index + k][2] == word for k, word in enumerate(words)):
                    if all(self.text[tokens[k][1] : tokens[k + 1][0]].strip(_SPACES) == "" for k in range(index, last)):
                        if not self._in_span(tokens[index][0]):
                            cues.append(_Cue(tokens[index][0], tokens[last][1], kind, index))
                        taken = last
                        break
        return cues

    def _cue_at(self, position: int, kinds: Iterable[CueKind]) -> _Cue | None:
        index = bisect.bisect_left(self.cue_starts, position)
        if index < len(self.cues) and self.cues[index].start == position and self.cues[index].kind in kinds:
            return self.cues[index]
        return None

    def _cues_between(self, start: int, end: int, kinds: Iterable[CueKind]) -> list[_Cue]:
        chosen = set(kinds)
        low, high = bisect.bisect_left(self.cue_starts, start), bisect.bisect_left(self.cue_starts, end)
        return [cue for cue in self.cues[low:high] if cue.kind in chosen]

    def _takes_subject(self, cue: _Cue) -> bool:
        """Cues whose speaker is the sentence's subject: ", adding that", "and suggested that", "went on to say"."""
        before = self._word_before(cue)
        return cue.kind == "participle" or before in self.words.coordinators or bool(before) and before == self.words.infinitive_marker

    # -- 3. direct quotations -----------------------------------------------------------------

    def _direct(self) -> list[_Found]:
        dialogue_paragraphs = {start for start, _ in self.paragraphs if _DIALOGUE_LEAD.match(self.text, start)}
        found: list[_Found] = []
        previous: tuple[_Span, _Attribution | None] | None = None
        consumed = 0  # end of the last attribution: what comes before it is not part of the next clause
        for span in sorted(self.spans + self.edge_spans, key=lambda s: s.open):
            if self._paragraph_of(span.open)[0] in dialogue_paragraphs:
                continue
            floor = max(self._sentence_of(span.open)[0], self._paragraph_of(span.open)[0], previous[0].close if previous else 0)
            after = self._after_attribution(span)
            before = self._before_attribution(span, floor)
            attribution = before if before and (before.colon or not after) else after
            clause_start = self._trim_start(max(floor, consumed), span.open)
            if previous and previous[1] and attribution and attribution.cue == previous[1].cue and found and found[-1].kind == "direct":
                found[-1].parts.append((span.start, span.end))  # "We are ready," he said, "to talk."
            elif attribution is after and after and self._word_count(clause_start, span.open) >= MIN_CONTENT_WORDS:
                found.append(_Found([(clause_start, self._trim_end(clause_start, span.close, ",;:"))], "indirect", after))
            elif attribution:
                found.append(_Found([(span.start, span.end)], "direct", attribution))
            elif not (span.unopened or span.unclosed) or self._continues_next_paragraph(span):
                uncued = self._uncued(span, clause_start)
                if uncued and self._continues(found[-1] if found else None, span):
                    found[-1].parts.append((span.start, span.end))  # "A," he said. "B." is one quotation
                elif uncued:
                    found.append(uncued)
            if attribution:
                consumed = max(consumed, attribution.end)
            previous = (span, attribution)
        return found

    def _uncued(self, span: _Span, clause_start: int) -> _Found | None:
        """A quotation without a cue of its own, kept when it opens a sentence or follows a colon."""
        if self._word_count(span.start, span.end) < MIN_CONTENT_WORDS:
            return None
        colon = self._colon_before(span.open, clause_start)
        if colon is not None:
            return _Found([(span.start, span.end)], "direct", self._colon_attribution(colon))
        if self.text[clause_start : span.open].strip(_SPACES + "\n"):
            return None
        return _Found([(span.start, span.end)], "direct", None, "next" if span.unclosed else "previous")

    def _colon_before(self, position: int, clause_start: int) -> int | None:
        """The colon introducing what starts at ``position``: "Here's Clinton in 1992: “…”", or ending the paragraph before."""
        paragraph_start = self._paragraph_of(position)[0]
        if self.text[paragraph_start:position].strip(_SPACES):
            introduction = self.text[:position].rstrip(_SPACES) if self.text[clause_start:position].strip(_SPACES) else ""
        else:
            introduction = self.text[:paragraph_start].rstrip()
        return len(introduction) - 1 if introduction.endswith(":") else None

    def _colon_attribution(self, colon: int) -> _Attribution:
        """The speaker of what a colon introduces: the cue's ("X told reporters on Friday: …"), else the subject's."""
        sentence_start = self._sentence_of(colon)[0]
        for cue in self._cues_between(sentence_start, colon, ("verb", "participle"))[-1:]:
            if self._word_count(cue.end, colon) > 12:
                break
            speaker = _Phrase("subject", cue.start, cue.start) if self._takes_subject(cue) else None
            speaker = speaker or self._phrase_before(cue.start, sentence_start) or self._phrase_after(cue.end, colon)
            return _Attribution(cue, speaker or _Phrase("implicit", cue.start, cue.start), cue.end, True)
        return _Attribution(None, _Phrase("subject", colon, colon), colon, True)

    def _continues(self, previous: _Found | None, span: _Span) -> bool:
        """Whether a cue-less span goes on with the direct quotation just before it in the same paragraph."""
        if previous is None or previous.kind != "direct" or previous.attribution is None or span.unclosed:
            return False
        end = max(previous.parts[-1][1], previous.attribution.end)
        return self._paragraph_of(end) == self._paragraph_of(span.open) and not self._cues_between(end, span.open, ("verb", "participle"))

    def _continues_next_paragraph(self, span: _Span) -> bool:
        """An unclosed quotation whose next paragraph opens with a quotation mark goes on there."""
        index = bisect.bisect_right(self.paragraph_starts, span.open)
        return span.unclosed and index < len(self.paragraphs) and _QUOTE_MARK.match(self.text, self.paragraphs[index][0]) is not None

    def _after_attribution(self, span: _Span) -> _Attribution | None:
        """"…," he said / «…», a déclaré X / „…“, so X / «…», — заявил он."""
        if span.unclosed:
            return None
        index = bisect.bisect_left(self.span_opens, span.close)
        next_open = self.spans[index].open if index < len(self.spans) else len(self.text)
        limit = min(next_open, self._paragraph_of(span.open)[1], self._sentence_of(span.close - 1)[1] + 1)
        position = _LEAD_PUNCTUATION.match(self.text, span.close, max(limit, span.close)).end()
        cue = self._cue_at(position, ("verb", "after_quote_only", "according_before"))
        if cue:
            return self._inverted(cue, limit, required=cue.kind == "after_quote_only")
        if not self._starts_attribution(span, position):
            return None  # "“excesses” are sickening, Hollande said": the clause goes on after the quote
        for cue in self._cues_between(position, limit, ("verb",))[:1]:
            longest = 25 if "," in self.text[position : cue.start] else 10  # appositives: "X, a professor at Y, said"
            if self._word_count(position, cue.start) <= longest and not self._has_boundary(position, cue.start):
                phrase = self._phrase_before(cue.start, position)
                if phrase:
                    return _Attribution(cue, phrase, cue.end)
        return None

    def _starts_attribution(self, span: _Span, position: int) -> bool:
        """Whether what follows a quotation can be its attribution: after its punctuation, or a name or pronoun."""
        if any(c in ",!?—–" for c in self.text[span.end : position]):
            return True
        first = _TOKEN.match(self.text, position)
        words = self.words
        return first is not None and (
            first.group()[0].isupper() or _fold(first.group()) in words.pronouns | words.plural_pronouns | words.definite | words.indefinite
        )

    def _inverted(self, cue: _Cue, limit: int, *, required: bool = False) -> _Attribution | None:
        """The speaker after the cue: "said Smith", "a-t-il déclaré", "sagte er", "dijo el ministro", "заявил он"."""
        inside = _FRENCH_INVERSION.search(self.text, cue.start, cue.end)
        if inside:
            return _Attribution(cue, _Phrase("phrase", inside.start(1), inside.end(1)), cue.end)
        phrase = self._phrase_after(cue.end, limit)
        if phrase and _fold(self.text[phrase.start : phrase.end]) in self.words.object_pronouns:
            return None  # "…, told me this week": the speaker came before
        if phrase:
            return _Attribution(cue, phrase, phrase.end)
        return None if required else _Attribution(cue, _Phrase("implicit", cue.start, cue.start), cue.end)

    def _before_attribution(self, span: _Span, floor: int) -> _Attribution | None:
        """X said: "…" / Selon X, « … » / Он заявил: «…» / He told CNN "…"."""
        cues = self._cues_between(floor, span.open, ("verb", "participle", "according_before"))
        if span.unopened or not cues:
            return None
        cue = cues[-1]
        gap = self.text[cue.end : span.open].strip(_SPACES + "\n")
        if cue.kind == "according_before":
            phrase = self._phrase_after(cue.end, span.open)
            if phrase and self.text[phrase.end : span.open].strip(_SPACES + ",:") == "":
                return _Attribution(cue, phrase, phrase.end, gap.endswith(":"))
            return None
        if not self._gap_introduces(cue, gap) or self._clause_goes_on(span):
            return None
        speaker = _Phrase("subject", cue.start, cue.start) if self._takes_subject(cue) else None
        speaker = speaker or self._phrase_before(cue.start, floor) or self._phrase_after(cue.end, span.open)
        return _Attribution(cue, speaker or _Phrase("implicit", cue.start, cue.start), cue.end, gap.endswith(":"))

    def _gap_introduces(self, cue: _Cue, gap: str) -> bool:
        """Whether the words between a cue and a quotation let the cue introduce it.

        "said: …", "said, …", "said that …", "told reporters on Friday: …", "told CNN …";
        not "said that if he won, …" nor "emphasized the threat that …": there the quoted
        words are part of a reported clause, which the indirect pass takes whole.
        """
        complementizers = self.words.complementizers
        if gap in ("", ":", ",") or _fold(gap) in complementizers:
            return True
        words = [_fold(w) for w in _TOKEN.findall(gap)]
        if any(c in gap for c in ".;!?\"“”«»") or any(w in complementizers for w in words):
            return False
        if gap[-1] == ":" and len(words) <= 12 or gap[-1] == "," and len(words) <= 5:
            return True
        return self._is_object(cue, gap.rstrip(",:"))

    def _is_object(self, cue: _Cue, words: str) -> bool:
        """"told reporters", "told CNN": the object of a verb that takes one before what is said."""
        return _fold(self.text[cue.start : cue.end]) in self.words.object_verbs and re.fullmatch(self.words.object_pattern, words) is not None

    def _clause_goes_on(self, span: _Span) -> bool:
        """"declaring that “real Christians” don’t support …": the quoted words are only part of the clause."""
        if any(c in ",.!?" for c in self.text[span.end : span.close]):
            return False  # the quotation ends with its own punctuation: "… ridiculous,” drawing jeers"
        following = _TOKEN.match(self.text, self._trim_start(span.close, len(self.text)))
        if following is None or following.start() >= self._sentence_of(span.open)[1]:
            return False
        return not self._cue_at(following.start(), ("verb", "participle"))

    def _dialogue(self) -> list[_Found]:
        """Dialogue-dash paragraphs: "— Мы готовы, — заявил он. — Но …", "—Estamos listos —dijo—. Vamos …", "— …, dijo X."."""
        found: list[_Found] = []
        for paragraph_start, paragraph_end in self.paragraphs:
            lead = _DIALOGUE_LEAD.match(self.text, paragraph_start, paragraph_end)
            if not lead:
                continue
            cues = [c for c in self._cues_between(lead.end(), paragraph_end, ("verb",)) if self.text[: c.start].rstrip(_SPACES)[-1:] in ",—–"]
            if not cues:
                colon = self._colon_before(lead.end(), paragraph_start)
                if colon is not None and self._cues_between(self._sentence_of(colon)[0], colon, ("verb",)):
                    found.append(_Found([(lead.end(), self._trim_end(lead.end(), paragraph_end))], "direct", self._colon_attribution(colon)))
                continue
            sentence_end = self._sentence_of(cues[0].start)[1]
            closing_dash = self.text.find("—", cues[0].end, sentence_end)
            attribution = self._inverted(cues[0], closing_dash if closing_dash >= 0 else sentence_end + 1)
            if attribution is None:
                continue
            parts = [(lead.end(), self._trim_end(lead.end(), cues[0].start, ",;: —–-"))]
            resume = max(attribution.end, closing_dash + 1, sentence_end)
            while resume < paragraph_end and self.text[resume] in ".,;—–" + _SPACES:
                resume += 1
            if resume < paragraph_end:  # the speaker goes on after the attribution
                parts.append((resume, self._trim_end(resume, paragraph_end, ",;: ")))
            found.append(_Found([(a, b) for a, b in parts if b > a], "direct", attribution))
        return found

    # -- 4. indirect quotations ---------------------------------------------------------------

    def _indirect(self, used: set[_Cue], covered: list[tuple[int, int]]) -> list[_Found]:
        found: list[_Found] = []
        for cue in self.cues:
            if cue in used or any(a <= cue.start < b for a, b in covered):
                continue
            quote = None
            if cue.kind == "according_before":
                quote = self._according(cue)
            elif cue.kind == "according_after":
                quote = self._according_after(cue)
            elif cue.kind in ("verb", "participle") and self._word_before(cue) not in self.words.passive_auxiliaries:
                quote = self._reported(cue)
            counts = [self._word_count(a, b) for a, b in quote.parts] if quote else []
            if quote and all(counts) and sum(counts) >= MIN_CONTENT_WORDS:
                found.append(quote)
        return found

    def _content_end(self, start: int, sentence_end: int) -> int:
        """The reported clause runs to the sentence end, or to another cue taking over (", adding that …", "and added")."""
        for cue in self._cues_between(start, sentence_end, ("participle", "verb")):
            if self._word_before(cue) in self.words.coordinators:
                return self._trim_end(start, self.tokens[cue.first_token - 1][0])
            if cue.kind == "participle" and self.text[: cue.start].rstrip(_SPACES).endswith(","):
                return self._trim_end(start, cue.start)
        return self._trim_end(start, sentence_end)

    def _reported(self, cue: _Cue) -> _Found | None:
        """X said that … / X sagte, dass … / X said the talks … / …, X said. / The talks, X said, were …"""
        sentence_start, sentence_end = self._sentence_of(cue.start)
        subject = self._takes_subject(cue)
        phrase = self._phrase_before(cue.start, sentence_start)
        # "…, said Lee Epstein, who …" puts the speaker after the verb; "Suu Kyi, 70, said it was …" does not
        inverted = cue.kind == "verb" and self.text[sentence_start : cue.start].rstrip(_SPACES + "—–").endswith(",")
        if inverted and phrase and self._heads(phrase.start, phrase.end, ("PERSON", "ORG")):
            after = self._phrase_after(cue.end, sentence_end)
            inverted = after is not None and bool(self._heads(after.start, after.end, ("PERSON", "ORG"))) and (
                after.end >= sentence_end or self.text[after.end : sentence_end].lstrip(_SPACES)[:1] in (",", ";")
            )
        content_start = self._clause_after(cue, sentence_end, bare=not inverted)
        if content_start is None:
            return None if subject else self._closing_attribution(cue, sentence_start, sentence_end)
        speaker = _Phrase("subject", cue.start, cue.start) if subject else phrase
        if self.words.subject_required and (speaker is None or speaker.how == "phrase" and self._word_count(speaker.start, speaker.end) > 8):
            return None  # English names its subject, and briefly: "Alleged interference …" is no quotation
        speaker = speaker or self._phrase_after(cue.end, content_start) or _Phrase("implicit", cue.start, cue.start)
        return _Found([(content_start, self._content_end(content_start, sentence_end))], "indirect", _Attribution(cue, speaker, cue.end))

    def _clause_after(self, cue: _Cue, sentence_end: int, *, bare: bool) -> int | None:
        """Where the reported clause after a cue starts: after a complementizer, or (``bare``) with none."""
        complementizers = self.words.complementizers
        for count, index in enumerate(self._tokens_in(cue.end, sentence_end)):
            start, end, word = self.tokens[index]
            if count > 6 or self._has_boundary(cue.end, start, ".;!?\"“”«»„"):
                break
            elided = next((c for c in complementizers if c.endswith("'") and word.startswith(c)), None)  # "qu'il"
            if word in complementizers or elided:
                gap = self.text[cue.end : start].strip(_SPACES + ",")
                if not self._plain_gap(cue, gap):
                    return None
                return self._trim_start(start + len(elided) if elided else end, sentence_end)
        if not bare:
            return None
        if self.words.comma_clause and self.text[cue.end : sentence_end].lstrip(_SPACES).startswith(","):
            return self._trim_start(self.text.index(",", cue.end) + 1, sentence_end)  # "Er sagte, die Gespräche seien …"
        return self._bare_clause(cue, sentence_end)

    def _plain_gap(self, cue: _Cue, gap: str) -> bool:
        """What may stand between a cue and "that": adverbials, an object ("told reporters"); in English only these."""
        if not gap or self.words.subject_adverbials == "(?!)":
            return True
        adverbials = rf"(?:\s*(?:{self.words.subject_adverbials}|to\s+{self.words.object_pattern}))+\s*"
        return re.fullmatch(adverbials, gap, re.IGNORECASE) is not None or self._is_object(cue, gap)

    def _bare_clause(self, cue: _Cue, sentence_end: int) -> int | None:
        """"X said the talks were useful": a clause straight after the verb (or its adverbials and object)."""
        words = self.words
        if _fold(self.text[cue.start : cue.end]) not in words.clause_verbs | words.participles or not words.clause_verbs:
            return None
        position = re.compile(rf"(?:\s*(?:{words.subject_adverbials}))*\s*", re.IGNORECASE).match(self.text, cue.end, sentence_end).end()
        if _fold(self.text[cue.start : cue.end]) in words.object_verbs:
            obj = re.compile(words.object_pattern).match(self.text, position, sentence_end)
            if not obj:
                return None
            position = obj.end()
        first = _TOKEN.match(self.text, position, sentence_end)
        if not first or _fold(first.group()) in words.not_clause_start | words.clause_words:
            return None
        return position if self._word_count(position, sentence_end) >= MIN_CONTENT_WORDS else None

    def _closing_attribution(self, cue: _Cue, sentence_start: int, sentence_end: int) -> _Found | None:
        """"…, the ministry said (in a statement)." / "…, a déclaré X." / "The talks, he said, were …"."""
        attribution: _Attribution | None
        if self.text[: cue.start].rstrip(_SPACES + "—–-").endswith(","):
            attribution = self._inverted(cue, sentence_end)
            comma = self.text.rindex(",", sentence_start, cue.start)
        else:
            phrase = self._phrase_before(cue.start, sentence_start)
            comma = self.text.rfind(",", sentence_start, phrase.start) if phrase else -1
            if phrase is None or comma < 0 or self.text[comma : phrase.start].strip(_SPACES + ","):
                return None
            attribution = _Attribution(cue, phrase, cue.end)
        if attribution is None:
            return None
        parts = [(self._trim_start(sentence_start, comma), self._trim_end(sentence_start, comma))]
        resume = self.text.find(",", attribution.end, sentence_end)
        if self._word_count(attribution.end, resume if resume >= 0 else sentence_end) > 6:
            return None  # "Later that day, Trump fired back a response …": the words after the verb are what is said
        if resume >= 0:  # "The talks, he said, were useful."
            continuation = self._trim_start(resume + 1, sentence_end)
            if not self._cue_at(continuation, ("participle",)) and self._word_count(continuation, sentence_end) >= 2:
                parts.append((continuation, self._content_end(continuation, sentence_end)))
        return _Found(parts, "indirect", attribution)

    def _according(self, cue: _Cue) -> _Found | None:
        """According to X, … / …, selon X. / Laut X … / По словам X, …"""
        sentence_start, sentence_end = self._sentence_of(cue.start)
        phrase = self._phrase_after(cue.end, sentence_end)
        if phrase is None:
            return None
        parts = []
        before = (self._trim_start(sentence_start, cue.start), self._trim_end(sentence_start, cue.start))
        if self._word_count(*before) >= 2 and not self._cues_between(*before, ("verb",)):
            parts.append(before)  # "…, according to X" (not "X said that according to Y, …")
        after_start = self._trim_start(phrase.end, sentence_end)
        if not parts or "," in self.text[phrase.end : after_start]:  # "According to X, …", "Laut X sollen …"
            after = (after_start, self._content_end(after_start, sentence_end))
            if self._word_count(*after) >= 2:
                parts.append(after)
        return _Found(parts, "indirect", _Attribution(cue, phrase, phrase.end)) if parts else None

    def _according_after(self, cue: _Cue) -> _Found | None:
        """"Dem Ministerium zufolge …": the speaker comes before the cue."""
        sentence_start, sentence_end = self._sentence_of(cue.start)
        phrase = self._phrase_before(cue.start, sentence_start)
        if phrase is None:
            return None
        start = self._trim_start(cue.end, sentence_end)
        return _Found([(start, self._content_end(start, sentence_end))], "indirect", _Attribution(cue, phrase, cue.end))

    # -- speaker phrases ----------------------------------------------------------------------

    def _phrase_before(self, cue_start: int, floor: int) -> _Phrase | None:
        """The subject right before a cue: the last chunk between commas, trimmed to a noun phrase.

        Fillers ("has", "also") and a parenthesis ("(R-Fla.)") before the cue are skipped;
        a chunk that is an adjunct ("who met Putin", "after a long pause") gives way to the one before.
        """
        end = self._subject_end(cue_start, floor)
        while end is not None and end > floor:
            boundary = _character_class(_BOUNDARY_CHARS).search(self.text[floor:end][::-1])
            chunk_start = self._trim_start(end - boundary.start(), end) if boundary else floor
            indexes = self._tokens_in(chunk_start, end)
            if not indexes:
                return None
            first_start, _, first = self.tokens[indexes[0]]
            if boundary and self.text[end - boundary.start() - 1] == "," and self._adjunct(first, first_start):
                end = self._trim_end(floor, end - boundary.start() - 1)
                continue
            start = next((self.tokens[i][1] for i in reversed(indexes) if self.tokens[i][2] in self.words.clause_words), chunk_start)
            start = self._trim_start(start, end)
            if start >= end:
                return None
            if self._heads(start, end, ("PERSON", "ORG")):
                return _Phrase("phrase", start, end)
            return self._appositive_person(chunk_start) or _Phrase("phrase", start, end)
        return None

    def _adjunct(self, word: str, position: int) -> bool:
        """A chunk between commas that is no subject: "who met Putin", "after a long pause", "reacting to …"."""
        if word in self.words.clause_words or word in self.words.prepositions:
            return True
        return self.words.subject_required and word.endswith(("ing", "ed")) and self.text[position].islower()

    def _subject_end(self, cue_start: int, floor: int) -> int | None:
        """Where the subject before a cue ends, past fillers and a parenthesis; None across a sentence end."""
        end = cue_start
        while True:
            stripped = self.text[floor:end].rstrip(_SPACES + ",")
            if stripped.endswith(")") and "(" in stripped[-60:]:
                end = floor + stripped.rindex("(")
                continue
            indexes = self._tokens_in(floor, floor + len(stripped))
            last = self.tokens[indexes[-1]] if indexes else None
            if last and last[2] in self.words.fillers and last[1] == floor + len(stripped) and self.text[last[0]].islower():
                end = last[0]
                continue
            end = floor + len(stripped)
            break
        if end <= floor or self._has_boundary(end, cue_start, ".;:!?\"“”«»„\n"):
            return None
        return end

    def _appositive_person(self, chunk_start: int) -> _Phrase | None:
        """"Ned Price, the spokesman, said": a chunk without a name of its own takes the name before its comma."""
        before = self.text[:chunk_start].rstrip(_SPACES)
        if not before.endswith(","):
            return None
        comma = len(before) - 1
        for mention in self._mentions_in(max(0, comma - 80), comma + 1, ("PERSON",))[-1:]:
            if self.text[mention.end : comma].strip(_SPACES) == "":
                return _Phrase("phrase", mention.start, mention.end)
        return None

    def _phrase_after(self, start: int, limit: int) -> _Phrase | None:
        """The speaker after a cue, up to punctuation, a preposition or a clause word; names are kept whole."""
        words = self.words
        start = self._trim_start(start, limit)
        end = start
        for index in self._tokens_in(start, limit):
            token_start, token_end, word = self.tokens[index]
            if self._has_boundary(end, token_start, ",;:.!?()\"“”«»„—–\n"):
                break
            if end > start and (word in words.prepositions or word in words.clause_words or self._cue_at(token_start, ("verb",))):
                break
            end = token_end
        for mention in self._mentions_in(start, end, ("PERSON", "ORG")):
            end = max(end, mention.end)
            following = _TOKEN.match(self.text, self._trim_start(mention.end, limit))
            if following and following.group()[0].islower() and _fold(following.group()) not in words.complement_words:
                end = mention.end  # "Laut Scholz sollen die Gespräche …": the name ends the speaker
                break
        if end <= start:
            return None
        if self._word_count(start, end) > 3 and not self._mentions_in(start, end, ("PERSON", "ORG")):
            end = self._capitalized_run_end(start, end)
        if self.text[end:limit].lstrip(_SPACES).startswith(","):  # "a déclaré le ministre, Sergueï Lavrov"
            after = self._trim_start(self.text.index(",", end) + 1, limit)
            for mention in self._mentions_in(after, after + 1, ("PERSON",)):
                return _Phrase("phrase", start, mention.end)
        return _Phrase("phrase", start, end)

    def _capitalized_run_end(self, start: int, end: int) -> int:
        """Where a speaker with no name the NER knows ends: "Laut Regierungssprecher Hebestreit sollen …",
        "Nach Angaben des türkischen Außenministeriums landeten …": no comma ends it, its head does (a
        capitalized word or a role, after its determiner and adjectives); the words after it are the clause."""
        run_end, head = start, False
        for index in self._tokens_in(start, end):
            token_start, token_end, word = self.tokens[index]
            if self.text[token_start].isupper() or self._role(word):
                run_end, head = token_end, True
            elif word in self.words.definite | self.words.indefinite or not head:
                continue  # a determiner, or an adjective before the head
            else:
                break
        return run_end if head else end

    def _mentions_in(self, start: int, end: int, types: Iterable[str]) -> list[Mention]:
        """Mentions within the offsets that can be a speaker: not a possessor nor a complement."""
        chosen = set(types)
        low, high = bisect.bisect_left(self.mention_starts, start), bisect.bisect_left(self.mention_starts, end)
        return [m for m in self.mentions[low:high] if m.end <= end + 1 and m.type in chosen and not self._possessor(m) and not self._complement(m)]

    def _heads(self, start: int, end: int, types: Iterable[str]) -> list[Mention]:
        """Mentions heading the phrase between the offsets: not "Trump" in "a Trump supporter said"."""
        words = self.words
        heads = []
        for mention in self._mentions_in(start, end, types):
            following = [self.tokens[i] for i in self._tokens_in(mention.end, end)]
            modifier = 0 < len(following) <= 2 and all(
                self.text[a].islower() and w not in words.complement_words | words.fillers | words.pronouns | words.plural_pronouns
                for a, _, w in following
            )
            if not modifier:
                heads.append(mention)
        return heads

    def _complement(self, mention: Mention) -> bool:
        """"a spokesman for (House Speaker) Paul Ryan", "the head of the WHO": the name completes another noun."""
        start = mention.start
        for index in range(bisect.bisect_left(self.token_starts, start) - 1, -1, -1):
            token_start, token_end, word = self.tokens[index]
            if self.text[token_end:start].strip(_SPACES) or start - token_start > 40:
                return False
            if word in self.words.complement_words:
                return True
            if not (self.text[token_start].isupper() or self._role(word)):
                return False
            start = token_start
        return False

    def _possessor(self, mention: Mention) -> bool:
        """"Trump's lawyer said": Trump owns the speaker, he is not it."""
        return self.text[mention.end : mention.end + 2] in ("'s", "’s") or self.text[mention.end - 2 : mention.end] in ("'s", "’s")

    def _role(self, word: str) -> str | None:
        return role_of(word, self.lexicon.language)

    # -- 5. speakers --------------------------------------------------------------------------

    def _resolve(self, found: list[_Found]) -> None:
        named = self._named_speakers(found)
        for index, quote in enumerate(found):
            if quote.attribution:
                quote.speaker = self._speaker(quote.attribution.speaker, found[:index], named)
            elif quote.inherit == "previous":
                self._inherit(quote, found[:index][::-1])
        for index in reversed(range(len(found))):
            if found[index].inherit == "next" and found[index].attribution is None:
                self._inherit(found[index], found[index + 1 :])

    def _inherit(self, quote: _Found, candidates: Sequence[_Found]) -> None:
        """A cue-less quotation speaks with the closest attributed one in the same or the adjacent paragraph."""
        paragraph = bisect.bisect_right(self.paragraph_starts, quote.parts[0][0])
        for other in candidates:
            if abs(bisect.bisect_right(self.paragraph_starts, other.parts[0][0]) - paragraph) > 1:
                return
            if other.attribution:
                quote.attribution, quote.speaker = other.attribution, other.speaker
                return

    def _named_speakers(self, found: list[_Found]) -> dict[str, int]:
        """Entities quoted by name somewhere in the article, with where: what a description most likely means."""
        named: dict[str, int] = {}
        for quote in found:
            speaker = quote.attribution.speaker if quote.attribution else None
            if speaker and speaker.how == "phrase":
                for mention in self._mentions_in(speaker.start, speaker.end, ("PERSON",)):
                    named.setdefault(self._entity(mention), mention.start)
        return named

    def _speaker(self, speaker: _Phrase, earlier: list[_Found], named: dict[str, int]) -> Speaker:
        if speaker.how == "implicit":
            return self._pronoun(speaker.start, earlier)
        if speaker.how == "subject":
            return self._subject(speaker.start, earlier)
        words = self.words
        persons = self._heads(speaker.start, speaker.end, ("PERSON",))
        if persons:
            return self._named(persons[-1])
        organisations = self._heads(speaker.start, speaker.end, ("ORG",))
        folded = [_fold(word) for word in _TOKEN.findall(self.text[speaker.start : speaker.end])]  # "il" of "a-t-il" is inside a token
        role = any(self._role(word) for word in folded)
        if organisations and not role:
            return self._named(organisations[-1])
        if not folded or folded[0] in words.plural_pronouns and len(folded) == 1:
            return None, None
        if len(folded) == 1 and folded[0] in words.pronouns:
            return self._pronoun(speaker.start, earlier, folded[0])
        if role:
            determiner = next((i for i, w in enumerate(folded) if self._article(w) or w in words.indefinite), 0)
            resolved = self._description(speaker.start, speaker.end, folded[determiner:], named)
            if resolved[1]:
                return resolved
        return (self.text[speaker.start : speaker.end], None) if len(folded) <= 6 and self._names_someone(speaker) else (None, None)

    def _names_someone(self, phrase: _Phrase) -> bool:
        """Whether an unresolved speaker phrase is a noun phrase, so someone or something that speaks.

        Most are ("the summary", "respondents", "Two in three", "Trump fans": PolNeAR's sources are
        such phrases as often as names). Chunking errors are not, and grammar tells them: a phrase
        that starts with a preposition ("by pointing a finger"), holds a finite auxiliary or a subject
        pronoun with more words (a clause: "he told the group", "is likely to be"), is only a number,
        or, where nouns need a determiner or a capital (French, Spanish, German), has neither ("prête").
        """
        words = self.words
        indexes = self._tokens_in(phrase.start, phrase.end)
        folded = [self.tokens[i][2] for i in indexes]
        if not folded or any(self._role(w) or w in words.anonymous_roles or w in words.collective_speakers for w in folded):
            return bool(folded)
        first = folded[0]
        if first in words.speaker_prepositions | words.complement_words | words.clause_words or all(w.isdigit() for w in folded):
            return False
        if any((w in words.auxiliaries or w.endswith("n't")) and self.text[self.tokens[i][0]].islower() for i, w in zip(indexes, folded)):
            return False  # lower case only: "Will" is George Will
        if len(folded) > 1 and first in words.pronouns | words.plural_pronouns:
            return False
        if words.bare_nouns:
            return True
        determined = first in words.definite or first in words.indefinite or self._article(first) or first[0].isdigit()
        return determined or any(self.text[self.tokens[i][0]].isupper() for i in indexes)

    def _named(self, mention: Mention) -> tuple[str, str]:
        key = self._entity(mention)
        return self.canonical[key], key

    def _pronoun(self, position: int, earlier: list[_Found], pronoun: str | None = None) -> Speaker:
        """"he said": the person quoted in, else the subject of, the latest sentence naming a person of that gender."""
        gender = None if pronoun is None else "f" if pronoun in self.words.feminine_pronouns else "m"
        index = bisect.bisect_left(self.person_starts, position)
        while index > 0 and not self._gender_fits(self._entity(self.persons[index - 1]), gender):
            index -= 1
        if index == 0:
            return None, None
        sentence_start = self._sentence_of(self.persons[index - 1].start)[0]
        person_keys = {self._entity(m) for m in self.persons}
        for other in reversed(earlier):
            cue = other.attribution.cue if other.attribution else None
            if cue and sentence_start <= cue.start < position and other.speaker[1] in person_keys and self._gender_fits(other.speaker[1], gender):
                return other.speaker
        for mention in self._mentions_in(sentence_start, position, ("PERSON",)):
            if not self._in_span(mention.start) and self._gender_fits(self._entity(mention), gender):
                return self._named(mention)
        return None, None

    def _gender_fits(self, key: str | None, gender: str | None) -> bool:
        return gender is None or self._genders.get(key or "", gender) == gender

    @functools.cached_property
    def _genders(self) -> dict[str, str]:
        """Entities whose gender a title gives away: "Mr. Autor", "Mme Dupont", "Frau Merkel"."""
        genders: dict[str, str] = {}
        for mention in self.persons:
            index = bisect.bisect_left(self.token_starts, mention.start) - 1
            if index >= 0 and self.tokens[index][2] in self.words.honorifics:
                genders.setdefault(self._entity(mention), self.words.honorifics[self.tokens[index][2]])
        return genders

    def _subject(self, position: int, earlier: list[_Found]) -> Speaker:
        """Who a clause is about (", adding that …", "X in 1992: “…”"): the sentence's speaker, else its first name."""
        sentence_start = self._sentence_of(position)[0]
        for other in reversed(earlier):
            cue = other.attribution.cue if other.attribution else None
            if cue and sentence_start <= cue.start < position:
                return other.speaker
        for types in (("PERSON",), ("ORG",)):
            for mention in self._mentions_in(sentence_start, position, types):
                if not self._in_span(mention.start):
                    return self._named(mention)
        return self._pronoun(position, earlier)

    def _article(self, word: str) -> bool:
        """A definite article, elided ones included: "l'ambassadeur" is one token."""
        return word in self.words.definite or any(word.startswith(a) for a in self.words.definite if a.endswith("'"))

    def _description(self, start: int, end: int, words: list[str], named: dict[str, int]) -> Speaker:
        """"the Russian Deputy Minister of Foreign Affairs" -> the person whose titles share its role."""
        cues = self.words
        plural = cues.role_match == "word" and words[-1] not in cues.roles and words[-1].endswith("s") and words[-1][:-1] in cues.roles
        if words[0] in cues.indefinite or plural or cues.anonymous_roles & set(words):
            return None, None  # "a senior official", "law enforcement officials", "the source": nobody named
        roles = {role for role in map(self._role, words) if role}
        wanted = roles | {word[:5] for word in words if len(word) >= 4 and not self._role(word)}
        qualifiers = self._qualifiers(start, end)
        compatible = {key for key, (_, theirs) in self._titles.items() if not (qualifiers and theirs and not qualifiers & theirs)}
        scored = [(len(wanted & self._titles[key][0]), key) for key in compatible if roles & self._titles[key][0]]
        best = max(scored, default=(0, ""), key=lambda item: (item[0], -self._distance(item[1], start)))
        if best[0] > 0:
            return self.canonical[best[1]], best[1]
        if cues.definite and not self._article(words[0]):
            return None, None  # "Trump's lawyer" is not Trump, and may be nobody named
        # No title says who: a person named in the sentences around may be meant ("the Russian Deputy
        # Minister …" then "Sergei Riabkov said"); farther away it is a guess, right for 4 of 14 such
        # descriptions in PolNeAR's tuning articles ("the candidate" given to the last person quoted)
        low, high = self._neighbourhood(start)
        near = {self._entity(m) for m in self.persons[bisect.bisect_left(self.person_starts, low) : bisect.bisect_left(self.person_starts, high)]}
        speakers = [key for key in named if key in compatible and key in near]
        if speakers:
            key = min(speakers, key=lambda k: self._distance(k, start))
            return self.canonical[key], key
        for mention in reversed(self.persons[bisect.bisect_left(self.person_starts, low) : bisect.bisect_left(self.person_starts, start)]):
            if self._entity(mention) in compatible:
                return self._named(mention)
        return None, None

    def _neighbourhood(self, position: int) -> tuple[int, int]:
        """From the start of the sentence before ``position``'s to the end of the one after."""
        index = bisect.bisect_right(self.sentence_starts, position) - 1
        low = self.sentence_starts[max(index - 1, 0)]
        high = self.sentence_starts[index + 2] if index + 2 < len(self.sentence_starts) else len(self.text)
        return low, high

    @functools.cached_property
    def _titles(self) -> dict[str, tuple[set[str], set[str]]]:
        """Each person's title words (roles as listed, other words by five letters) and qualifiers, over all their mentions."""
        titles: dict[str, tuple[set[str], set[str]]] = {}
        for mention in self.persons:
            title_words, qualifiers = titles.setdefault(self._entity(mention), (set(), set()))
            for a, b in self._title_context(mention):
                title_words |= {self._role(self.tokens[i][2]) or self.tokens[i][2][:5] for i in self._tokens_in(a, b)}
                qualifiers |= self._qualifiers(a, b)
        return titles

    def _distance(self, key: str, position: int) -> int:
        return min((abs(m.start - position) for m in self.persons if self._entity(m) == key), default=len(self.text))

    def _title_context(self, mention: Mention) -> list[tuple[int, int]]:
        """Titles around a name: "Deputy Foreign Minister [X]", "[X], the spokesman,", "The spokesman …, [X]"."""
        start = mention.start
        for index in reversed(list(self._tokens_in(max(0, mention.start - 80), mention.start))[-6:]):
            if self._has_boundary(self.tokens[index][1], start, ".;:!?()\"“”«»„\n,") or self._person_overlaps(*self.tokens[index][:2]):
                break  # "Außenministerin Annalena Baerbock traf [Lawrow]": Baerbock's title is not Lawrow's
            start = self.tokens[index][0]
        contexts = [(start, mention.start)]
        text = self.text
        if text[mention.end : mention.end + 2].strip(_SPACES).startswith(","):
            after = text.index(",", mention.end) + 1
            stop = re.search(r"[,.;:!?\n]", text[after : after + 100])
            contexts.append((after, after + stop.start() if stop else after))
        before = text[:start].rstrip(_SPACES)
        if before.endswith(","):
            sentence_start = self._sentence_of(len(before) - 1)[0]
            contexts.append((max(sentence_start, text.rfind(",", sentence_start, len(before) - 1) + 1), len(before) - 1))
        return contexts

    def _person_overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.person_starts, end)
        return index > 0 and self.persons[index - 1].end > start

    def _qualifiers(self, start: int, end: int) -> set[str]:
        """Capitalized words that are no title ("Russian", "US"): two different ones mean two different people."""
        if not self.words.capitalized_demonyms:
            return set()
        sentence_start = self._sentence_of(start)[0]
        qualifiers = set()
        for index in self._tokens_in(start, end):
            token_start, token_end, word = self.tokens[index]
            if token_start == sentence_start or not self.text[token_start].isupper() or self._role(word) or word in self.words.office_words:
                continue
            if not self._person_overlaps(token_start, token_end):
                qualifiers.add(word[:5])
        return qualifiers
