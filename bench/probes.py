"""Hostile inputs for the reliability campaign (bench/reliability.py) and its fast part (tests/test_reliability.py).

Every input kind Storyline reads (txt, html, jsonl, each gzipped too, and pairs CSV
for `storyline similarity`) crossed with the defects a hostile or careless user
brings: empty, blank, binary junk, huge, one 10 MB line, 100,000 nested divs,
UTF-16 / Latin-1 / Shift-JIS, NUL bytes, truncated gzip, gzip bombs (zeros, blank
lines), symlink loops, unreadable files, wrong JSON types, broken CSV quoting,
unreadable dates and languages. Each probe is written beside one good control
input, which must be stored (or scored) whatever the probe does.

``expect`` says what a correct run does with the probe itself: "error" (reported,
naming it), "stored" (ingested, perhaps with a warning), "either" (its content
decides, e.g. a page whose text trafilatura may or may not find), "rows" (a JSONL
or CSV file of good and bad lines: the good ones in, each bad one reported at its
own line).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Expect = Literal["error", "stored", "either", "rows"]

ARTICLE = (
    "Harbour workers in Rotterdam will strike for three days from Monday, the dock workers' union said on Friday, "
    "after talks with port operators on pay and shift patterns broke down late on Thursday. The union said ships "
    "would be turned away from the container terminals while the strike lasts. Port operators called the decision "
    "regrettable and said they remained open to further talks. Shipping companies warned of delays to deliveries "
    "across northern Europe if the stoppage goes ahead as planned next week."
)
CONTROL = (
    "Farmers in the Ebro valley began the rice harvest on Tuesday, two weeks earlier than usual, after an unusually "
    "warm spring, the regional agriculture office said. Cooperatives expect a yield close to last year's despite the "
    "dry summer, and processing plants in Amposta have taken on seasonal staff. Prices for the new crop will be set "
    "at the cooperatives' meeting in Tortosa next month, officials added."
)
WORDS = ARTICLE.replace(",", "").replace(".", "").split()
MB = 1024 * 1024


@dataclass(frozen=True)
class Probe:
    """One hostile input: how to write it, what a correct run does with it."""

    name: str  # "txt-empty": kind and defect
    kind: str  # txt, html, jsonl, txt.gz, html.gz, jsonl.gz, csv, csv.gz
    defect: str
    write: Callable[[Path], Path] = field(repr=False)  # writes the probe into a folder, returns its path
    expect: Expect
    slow: bool = False  # too big for the default test suite (run by the benchmark)

    @property
    def command(self) -> str:
        return "similarity" if self.kind.startswith("csv") else "ingest"


def one_line(size: int, seed: int = 1) -> str:
    """``size`` characters of words with no line break: the shape that stalled the tense reader."""
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def page(body: str, title: str = "Dock strike") -> str:
    return f"<html><head><title>{title}</title></head><body><article><p>{body}</p></article></body></html>"


def control_files(folder: Path, kind: str) -> Path:
    """The good input beside a probe: a text file for ingest, a good row in its own file for similarity."""
    if kind.startswith("csv"):
        return write_pairs(folder / "control.csv", [["control-1", "en", "en", CONTROL, ARTICLE]])
    path = folder / "control.txt"
    path.write_text("Rice harvest starts early\n\n" + CONTROL + "\n", encoding="utf-8")
    return path


def write_pairs(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pair_id", "lang1", "lang2", "text_1", "text_2"])
        writer.writerows(rows)
    return path


def _file(name: str, content: bytes | str, *, compress: bool = False, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        data = content.encode(encoding) if isinstance(content, str) else content
        path = folder / (name + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data) if compress else data)
        return path

    return write


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return write


def _bomb(name: str, unit: bytes, size: int) -> Callable[[Path], Path]:
    """A small gzip file that expands to ``size`` bytes of ``unit`` repeated."""

    def write(folder: Path) -> Path:
        path = folder / name
        with gzip.open(path, "wb", compresslevel=9) as handle:
            chunk = unit * (MB // len(unit))
            for _ in range(size // MB):
                handle.write(chunk)
        return path

    return write


def _truncated(name: str, content: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        data = gzip.compress(content)
        path.write_bytes(data[: len(data) * 2 // 3])
        return path

    return write


def _symlink_loop(name: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.symlink_to(path)
        return path

    return write


def _unreadable(name: str, content: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        path.chmod(0)
        return path

    return write


def _jsonl(name: str, lines: list[str], *, compress: bool = False) -> Callable[[Path], Path]:
    return _file(name, "\n".join(lines) + "\n", compress=compress)


def _pairs(name: str, text: str, *, compress: bool = False) -> Callable[[Path], Path]:
    return _file(name, text, compress=compress)


def _good_row(pair_id: str) -> str:
    return f'{pair_id},en,en,"{CONTROL}","{ARTICLE}"\n'


PAIRS_HEADER = "pair_id,lang1,lang2,text_1,text_2\n"


def probes() -> list[Probe]:
    """Every probe of the campaign, the slow ones (sizes of 10 MB and more) marked."""
    found: list[Probe] = []

    def add(kind: str, defect: str, write: Callable[[Path], Path], expect: Expect, *, slow: bool = False) -> None:
        found.append(Probe(f"{kind}-{defect}", kind, defect, write, expect, slow))

    junk = random.Random(7).randbytes(64 * 1024)
    article = "Dock strike in Rotterdam\n\n" + ARTICLE
    html = page(ARTICLE)
    for kind, compress in (("txt", False), ("html", False), ("txt.gz", True), ("html.gz", True)):
        suffix = kind.replace(".gz", "")
        name = f"probe.{suffix}"
        content = article if suffix == "txt" else html
        add(kind, "empty", _file(name, b"", compress=compress), "error")
        add(kind, "blank", _file(name, " \n\n\t \n", compress=compress), "error")
        add(kind, "binary-junk", _file(name, junk, compress=compress), "error")
        add(kind, "nul-bytes", _file(name, content.replace(" ", "\0", 40).encode(), compress=compress), "error")
        add(kind, "utf-16", _file(name, content, compress=compress, encoding="utf-16"), "stored")
        add(kind, "latin-1", _file(name, content.replace("Rotterdam", "Rotterdam für Großhäfen"), compress=compress, encoding="latin-1"), "stored")
        add(kind, "shift-jis", _file(name, content + " 港湾労働者がストライキを行った。", compress=compress, encoding="shift_jis"), "stored")
        add(kind, "one-line-2mb", _file(name, one_line(2 * MB) if suffix == "txt" else page(one_line(2 * MB)), compress=compress), "stored")
        add(kind, "one-line-10mb", _file(name, one_line(10 * MB - 4096) if suffix == "txt" else page(one_line(10 * MB - 4096)), compress=compress),
            "stored", slow=True)
        if compress:
            add(kind, "truncated-gzip", _truncated(name + ".gz", content.encode() * 50), "error")
            add(kind, "gzip-bomb", _bomb(name + ".gz", b"\0", 200 * MB), "error")
        else:
            add(kind, "huge-150mb", _sparse(name, 150 * MB), "error")
            add(kind, "symlink-loop", _symlink_loop(name), "error")
            add(kind, "unreadable", _unreadable(name, content), "error")
    add("html", "nested-divs-100k", _file("probe.html", "<html><body>" + "<div>" * 100_000 + ARTICLE + "</div>" * 100_000 + "</body></html>"), "either")
    add("html", "navigation-4mb", _file("probe.html", "<html><body><nav>" + "".join(
        f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(100_000)) + "</nav>" + html[12:]), "either")
    add("html", "navigation-20mb", _file("probe.html", "<html><body><nav>" + "".join(
        f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(500_000)) + "</nav>" + html[12:]), "either", slow=True)

    good = json.dumps({"id": "good-line", "text": article})
    for kind, compress in (("jsonl", False), ("jsonl.gz", True)):
        add(kind, "empty", _file("probe.jsonl", b"", compress=compress), "error")
        add(kind, "blank-lines", _file("probe.jsonl", "\n \n\n", compress=compress), "error")
        add(kind, "binary-junk", _file("probe.jsonl", junk, compress=compress), "error")
        add(kind, "not-json", _jsonl("probe.jsonl", ["{broken", good, "[1, 2", "plain words"], compress=compress), "rows")
        add(kind, "wrong-types", _jsonl("probe.jsonl", [
            json.dumps({"id": "t1", "text": 42}),
            json.dumps({"id": "t2", "text": ARTICLE, "title": ["a", "list"]}),
            json.dumps({"id": "t3", "text": ARTICLE, "published": {"day": 1}}),
            json.dumps({"id": ["t4"], "text": ARTICLE}),
            json.dumps({"id": "t5", "html": True}),
            json.dumps(["a", "list"]),
            json.dumps(None),
            good,
        ], compress=compress), "rows")
        add(kind, "bad-values", _jsonl("probe.jsonl", [
            json.dumps({"id": "v1", "text": ARTICLE, "language": "xx"}),
            json.dumps({"id": "v2", "text": ARTICLE.replace("Monday", "Tuesday"), "published": "sometime last spring"}),
        ], compress=compress), "stored")
        add(kind, "utf-16", _file("probe.jsonl", good + "\n", compress=compress, encoding="utf-16"), "error")
        add(kind, "nul-bytes", _file("probe.jsonl", good.replace(" ", "\0", 5) + "\n" + good.replace("good-line", "second") + "\n",
                                     compress=compress), "rows")
        add(kind, "one-line-9mb", _jsonl("probe.jsonl", [json.dumps({"id": "long", "text": one_line(9 * MB)}), good], compress=compress),
            "rows", slow=True)
        add(kind, "line-over-limit", _jsonl("probe.jsonl", [json.dumps({"id": "long", "text": one_line(11 * MB)}), good], compress=compress),
            "rows", slow=True)
        add(kind, "no-newline-at-end", _file("probe.jsonl", good, compress=compress), "stored")
    add("jsonl.gz", "truncated-gzip", _truncated("probe.jsonl.gz", ((good + "\n") * 200).encode()), "rows")
    add("jsonl.gz", "gzip-bomb-blank-lines", _bomb("probe.jsonl.gz", b"\n", 100 * MB), "error")
    add("jsonl.gz", "gzip-bomb-zeros", _bomb("probe.jsonl.gz", b"\0", 100 * MB), "error")
    add("jsonl", "huge-150mb-sparse", _sparse("probe.jsonl", 150 * MB), "error", slow=True)
    add("jsonl", "symlink-loop", _symlink_loop("probe.jsonl"), "error")
    add("jsonl", "unreadable", _unreadable("probe.jsonl", good + "\n"), "error")

    for kind, compress in (("csv", False), ("csv.gz", True)):
        name = "probe.csv"
        add(kind, "empty", _pairs(name, "", compress=compress), "error")
        add(kind, "header-only", _pairs(name, PAIRS_HEADER, compress=compress), "error")
        add(kind, "missing-columns", _pairs(name, "pair_id,text_1\np1,hello\n", compress=compress), "error")
        add(kind, "binary-junk", _file(name, junk, compress=compress), "error")
        add(kind, "broken-quote", _pairs(name, PAIRS_HEADER + _good_row("g1") + 'b2,en,en,"Talks will resume next week.,"' + ARTICLE + '\n'
                                          + _good_row("g3") + _good_row("g4"), compress=compress), "rows")
        add(kind, "stray-quote", _pairs(name, PAIRS_HEADER + _good_row("g1") + f'b2,en,en,"He said "no" today","{ARTICLE}"\n'
                                         + _good_row("g3"), compress=compress), "rows")
        add(kind, "extra-field", _pairs(name, PAIRS_HEADER + _good_row("g1") + f'b2,en,en,"{ARTICLE}","{CONTROL}",extra\n'
                                         + _good_row("g3"), compress=compress), "rows")
        add(kind, "latin-1", _file(name, PAIRS_HEADER + _good_row("g1").replace("Rotterdam", "Rotterdam für Häfen"), compress=compress,
                                   encoding="latin-1"), "stored")
    add("csv.gz", "gzip-bomb", _bomb("probe.csv.gz", b"a,", 400 * MB), "error", slow=True)
    add("csv.gz", "gzip-bomb-small", _bomb("probe.csv.gz", b"a,", 30 * MB), "error")
    add("csv.gz", "truncated-gzip", _truncated("probe.csv.gz", (PAIRS_HEADER + _good_row("g1") * 50).encode()), "error")
    return found


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
