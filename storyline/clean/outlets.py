"""Outlet names: comparing them, taking them off titles, and one name per outlet.

A page names its outlet in several ways: "Börsen-Zeitung" (og:site_name), "boersen-zeitung.de"
(the host), "FAZ" in a title and "Frankfurter Allgemeine Zeitung" in the publisher's record,
"(AWS)" in a wire dateline and "Atlantic Wire Service" in a copyright line. The comparisons here
are deliberately loose (case, accents, punctuation, spaces, initials) because the names come from
the page's own signals and only ever meet names from the same page or the same store.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict

from anyascii import anyascii

# Letters that German transliterates with an "e" ("Börsen" -> "Boersen" in host names).
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
# Words skipped when reading initials ("The New York Times" -> NYT).
_MINOR_WORDS = frozenset("the of and for a an de del la le les el los das der die des du di y et und & l".split())
# Title segments are separated by bars, spaced dashes, bullets, or a colon glued to the site name
# ("Headline:朝日新聞デジタル"). Measured on fundus and trafilatura_eval pages (bench/metadata.py).
# Matches start where a run of spaces starts (the look-behinds): a long run of spaces is tried once, not from each space.
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|\-–—·•»:]\s+|(?<!\s)\s*[|ㅣ｜：]\s*|(?<=\S):(?=[^\s\d])")


def _squashed(name: str) -> tuple[str, ...]:
    """Lower-case letters and digits only, in the two common transliterations."""
    return tuple(dict.fromkeys(re.sub(r"[\W_]+", "", anyascii(variant).lower()) for variant in (name, name.translate(_GERMAN))))


def initials(name: str) -> str:
    words = [w for w in re.findall(r"[^\W_]+", anyascii(name)) if w.lower() not in _MINOR_WORDS]
    return "".join(w[0] for w in words).lower()


def is_abbreviation(short: str, long: str) -> bool:
    """"AWS" for "Atlantic Wire Service": an all-capitals name made of the other's initials."""
    letters = re.sub(r"[\W_]+", "", short)
    if not (2 <= len(letters) <= 8 and letters.isupper()) or len(long.split()) < 2:
        return False
    return letters.lower() == initials(long)


# A bare host name: "eldiariodelsur.example", "www.boersen-zeitung.de" (bounded as in DNS).
_HOST = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def is_host_of(host: str, name: str) -> bool:
    """"eldiariodelsur.example" for "El Diario del Sur": a host whose site label is the name's letters."""
    if not _HOST.fullmatch(host) or _HOST.fullmatch(name):
        return False
    site = host_name(host)
    return bool(site) and bool(set(_squashed(site)) & set(_squashed(name)))


def stands_for(short: str, long: str) -> bool:
    """``short`` is another form of the proper name ``long``: its abbreviation or its host."""
    return is_abbreviation(short, long) or is_host_of(short, long)


def same_outlet(a: str | None, b: str | None) -> bool:
    """Two spellings of one outlet's name: equal once squashed, one inside the other, or one the other's initials."""
    if not a or not b:
        return False
    for x in _squashed(a):
        for y in _squashed(b):
            if x and y and (x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x))):
                return True
    return is_abbreviation(a, b) or is_abbreviation(b, a)


def host_name(host: str | None) -> str | None:
    """The part of a host that names the site: "www.boersen-zeitung.de" -> "boersen-zeitung"."""
    if not host:
        return None
    labels = [label for label in host.lower().split(".") if label and label not in ("www", "m", "amp")]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else None)


def title_segments(title: str) -> list[str]:
    """A title cut at its separators: "Headline | Section | Outlet" -> three segments."""
    return [part.strip() for part in _TITLE_SEPARATOR.split(title) if part.strip()]


def strip_outlet(title: str, names: list[str | None]) -> str:
    """The title without the segments that name the outlet: "Headline - Seznam Zprávy" -> "Headline".

    Only end segments that match one of ``names`` (site name, publisher, host) go; a title
    that would be left empty stays whole.
    """
    known = [n for n in names if n and len(n.strip()) >= 2]
    if not known:
        return title
    parts = _TITLE_SEPARATOR.split(title)
    separators = _TITLE_SEPARATOR.findall(title)
    if len(parts) < 2:
        return title

    def is_outlet(segment: str) -> bool:
        return any(same_outlet(segment.strip(), name) for name in known)

    while len(parts) > 1 and is_outlet(parts[-1]):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and is_outlet(parts[0]):
        parts.pop(0)
        separators.pop(0)
    stripped = parts[0] + "".join(s + p for s, p in zip(separators, parts[1:]))
    return stripped.strip() or title


# A key of the index ``OutletNames`` keeps: ("initials", letters) or ("letters", squashed name).
_Key = tuple[str, str]


@functools.lru_cache(maxsize=8192)
def _keys(name: str) -> tuple[frozenset[_Key], frozenset[_Key]]:
    """``name``'s keys as a short form and as a long form: ``stands_for(a, b)`` holds exactly when a's
    short keys meet b's long keys (an abbreviation's letters are the long name's initials, or a bare
    host's site label squashed is the name squashed). Lets ``OutletNames`` look up the few names a name
    may stand for, or be stood for by, instead of comparing it with every known name."""
    letters = re.sub(r"[\W_]+", "", name)
    is_host = _HOST.fullmatch(name) is not None
    site = host_name(name) if is_host else None
    short: set[_Key] = {("initials", letters.lower())} if 2 <= len(letters) <= 8 and letters.isupper() else set()
    if site:
        short.update(("letters", key) for key in _squashed(site))
    long: set[_Key] = {("initials", initials(name))} if len(name.split()) >= 2 else set()
    if not is_host:
        long.update(("letters", key) for key in _squashed(name))
    return frozenset(short), frozenset(long)


class OutletNames:
    """One name per outlet over a whole store: an abbreviation or a host name joins the one known
    proper name it stands for.

    "AWS" becomes "Atlantic Wire Service" and "eldiariodelsur.example" "El Diario del Sur" once
    that name is known (from any article), and a name seen first only in its short form is renamed
    when the full name arrives (``take_renames``). A short form that fits two known names stays
    as it is.
    """

    def __init__(self, known: dict[str, int] | None = None) -> None:
        self._counts: Counter[str] = Counter()
        self._renames: list[tuple[str, str]] = []
        # Known names by their keys (``_keys``): a name is compared with a few candidates, not with
        # every name of the store, which made ingest quadratic in outlets. And the order names became
        # known in: when several known short forms stand for a new name, the earliest joins it.
        self._as_short: dict[_Key, set[str]] = defaultdict(set)
        self._as_long: dict[_Key, set[str]] = defaultdict(set)
        self._order: dict[str, int] = {}
        self._next = itertools.count()
        for name, count in (known or {}).items():
            self._add(name, count)
        for name in list(self._counts):
            full = self._expansion(name)
            if full is not None:
                self._rename(name, full)

    def _add(self, name: str, count: int) -> None:
        if name not in self._counts:
            short, long = _keys(name)
            for key in short:
                self._as_short[key].add(name)
            for key in long:
                self._as_long[key].add(name)
            self._order[name] = next(self._next)
        self._counts[name] += count

    def _remove(self, name: str) -> int:
        if name not in self._counts:
            return 0
        short, long = _keys(name)
        for key in short:
            self._as_short[key].discard(name)
        for key in long:
            self._as_long[key].discard(name)
        del self._order[name]
        return self._counts.pop(name)

    def _long_forms(self, name: str) -> set[str]:
        """The known names ``name`` stands for."""
        return {known for key in _keys(name)[0] for known in self._as_long.get(key, ())}

    def _expansion(self, name: str) -> str | None:
        candidates = self._long_forms(name) - {name}
        return candidates.pop() if len(candidates) == 1 else None

    def _rename(self, old: str, new: str) -> None:
        self._add(new, self._remove(old))
        self._renames.append((old, new))

    def resolve(self, name: str | None) -> str | None:
        """The outlet's one name for ``name``; remembers it."""
        if not name:
            return name
        full = self._expansion(name)
        if full is not None:
            name = full
        else:
            shorts = {known for key in _keys(name)[1] for known in self._as_short.get(key, ())}
            for short in sorted(shorts, key=self._order.__getitem__):
                if not self._long_forms(short):
                    self._rename(short, name)
        self._add(name, 1)
        return name

    def take_renames(self) -> list[tuple[str, str]]:
        """(old name, new name) pairs decided since the last call: stored articles to rename."""
        renames, self._renames = self._renames, []
        return renames
