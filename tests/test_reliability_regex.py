"""No regular expression of the package backtracks catastrophically (issue 17): each one, on pathological
subjects at two sizes and on one long line of words, takes time in proportion to its subject.

The same audit at 10x the sizes, and on a 10 MB line, is part of bench/reliability.py.
"""

from __future__ import annotations

from bench.reliability import package_patterns, regex_audit


def test_the_audit_sees_the_package_patterns() -> None:
    patterns = package_patterns()
    assert len(patterns) > 150
    from storyline.analyze.sentences import _LAST_WORD
    from storyline.analyze.times import _CLAUSE_BREAK

    assert {_LAST_WORD.pattern, _CLAUSE_BREAK.pattern} <= set(patterns)
    assert any("(?P<future>" in p for p in patterns)  # the tense markers of every language
    # one compiled on the fly, from the sample article's words: quotes' adverbials after a speech verb
    assert any(p.startswith(r"(?:\s*(?:") and p.endswith(r"))*\s*") for p in patterns)


def test_no_pattern_grows_faster_than_its_subject() -> None:
    result = regex_audit(small=2_000, large=20_000, budget=3.0, one_line_sizes=(20_000, 200_000))
    assert result["flagged"] == []
