"""Hostile inputs for the reliability campaign (bench/reliability.py) and its fast part (tests/test_reliability.py).

Every input kind Storyline reads (txt, html, jsonl, each gzipped too, web archives
(warc, warc.gz, arc), and pairs CSV for `storyline similarity`) crossed with the
defects a hostile or careless user brings: empty, blank, binary junk, huge, one 10 MB
line, 100,000 nested divs, UTF-16 / Latin-1 / Shift-JIS, NUL bytes, truncated gzip,
gzip bombs (zeros, blank lines, a page's own Content-Encoding), symlink loops,
unreadable files, wrong JSON types, broken CSV quoting, unreadable dates and
languages, a record declaring more bytes than the archive holds. Feeds and sitemaps
are probed over HTTP (``source_probes``). Each probe is written beside one good control
input, which must be stored (or scored) whatever the probe does.

``expect`` says what a correct run does with the probe itself: "error" (reported,
naming it), "stored" (ingested, perhaps with a warning), "either" (its content
decides, e.g. a page whose text trafilatura may or may not find), "rows" (a JSONL
or CSV file of good and bad lines: the good ones in, each bad one reported at its
own line).
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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
    kind: str  # txt, html, jsonl, txt.gz, html.gz, jsonl.gz, warc, warc.gz, arc, csv, csv.gz
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


# ---- web archives ----------------------------------------------------------------------------

Record = tuple[str, bytes, list[tuple[str, str]]]  # (URL, HTTP payload, HTTP headers)


def _html_record(url: str, html: str | bytes, **headers: str) -> Record:
    body = html.encode() if isinstance(html, str) else html
    return url, body, [("Content-Type", "text/html; charset=utf-8"), *headers.items()]


def _warc(name: str, records: list[Record], *, compress: bool, cut: float | None = None, arc: bool = False) -> Callable[[Path], Path]:
    """An archive of response records written with warcio (one gzip member per record when ``compress``);
    ``cut``: keep only that share of its bytes (a truncated download)."""

    def write(folder: Path) -> Path:
        import io

        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        path = folder / name
        if arc:
            path.write_bytes(_as_arc(records))
        else:
            with path.open("wb") as handle:
                writer = WARCWriter(handle, gzip=compress)
                for url, body, headers in records:
                    http = StatusAndHeaders("200 OK", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                                  warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"}))
        if cut is not None:
            data = path.read_bytes()
            path.write_bytes(data[: int(len(data) * cut)])
        return path

    return write


def _as_arc(records: list[Record]) -> bytes:
    """An ARC (version 1) file of the records: the format warcio reads and FastWARC does not."""
    lines = [b"filedesc://probe.arc 0.0.0.0 20240305100000 text/plain 76\n1 0 Storyline probes\nURL IP-address Archive-date Content-type Archive-length\n\n"]
    for url, body, headers in records:
        http = b"HTTP/1.1 200 OK\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n" + body
        lines.append(f"\n{url} 0.0.0.0 20240305100000 text/html {len(http)}\n".encode() + http)
    return b"".join(lines)


def _declared_too_long(name: str, good: Record) -> Callable[[Path], Path]:
    """A good record, then one whose header declares a terabyte the file does not hold."""

    def write(folder: Path) -> Path:
        path = _warc(name, [good], compress=False)(folder)
        with path.open("ab") as handle:
            handle.write(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://probe.example/huge\r\n"
                         b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\nWARC-Date: 2024-03-05T10:00:00Z\r\n"
                         b"Content-Type: application/http; msgtype=response\r\nContent-Length: 1000000000000\r\n\r\n"
                         b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>short</p></body></html>")
        return path

    return write


def _encoded_bomb(size: int) -> bytes:
    """A gzip body (a page's Content-Encoding) expanding to ``size`` bytes of spaces."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * MB
    return b"".join(packer.compress(chunk) for _ in range(size // MB)) + packer.flush()


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

    good_page = _html_record("http://probe.example/strike", page(ARTICLE))
    items = [_html_record(f"http://probe.example/{i}", page(ARTICLE + f" Item {i}.")) for i in range(3)]
    for kind, compress in (("warc", False), ("warc.gz", True)):
        name = "probe." + kind
        add(kind, "empty", _file(name, b""), "error")
        add(kind, "binary-junk", _file(name, junk), "error")
        add(kind, "truncated", _warc(name, [good_page, *items], compress=compress, cut=0.8), "rows")
        add(kind, "one-line-2mb-page", _warc(name, [_html_record("http://probe.example/line", page(one_line(2 * MB)))], compress=compress), "stored")
        add(kind, "one-line-10mb-page", _warc(name, [_html_record("http://probe.example/line", page(one_line(10 * MB - 4096)))], compress=compress),
            "stored", slow=True)
        add(kind, "nested-divs-100k", _warc(name, [good_page, _html_record(
            "http://probe.example/divs", "<html><body>" + "<div>" * 100_000 + ARTICLE + "</div>" * 100_000 + "</body></html>")],
            compress=compress), "stored")
        add(kind, "page-over-limit", _warc(name, [good_page, _html_record("http://probe.example/big", page(one_line(11 * MB)))], compress=compress),
            "rows", slow=True)
        add(kind, "content-encoding-bomb", _warc(name, [good_page, _html_record("http://probe.example/bomb", _encoded_bomb(200 * MB),
                                                                                Content_Encoding="gzip")], compress=compress), "rows")
        add(kind, "utf-16-page", _warc(name, [_html_record("http://probe.example/u16", page(ARTICLE).encode("utf-16"))], compress=compress), "stored")
    add("warc", "declared-length-1tb", _declared_too_long("probe.warc", good_page), "rows")
    add("warc.gz", "gzip-bomb", _bomb("probe.warc.gz", b"\0", 200 * MB), "error")
    add("warc.gz", "gzip-bomb-record", _bomb("probe.warc.gz", b"WARC/1.0\r\n", 100 * MB), "error")
    add("arc", "empty", _file("probe.arc", b""), "error")
    add("arc", "binary-junk", _file("probe.arc", junk), "error")
    add("arc", "truncated", _warc("probe.arc", [good_page, _html_record("http://probe.example/2", page(ARTICLE + " Second."))], compress=False,
                                  arc=True, cut=0.8), "rows")
    add("arc", "one-line-2mb-page", _warc("probe.arc", [_html_record("http://probe.example/line", page(one_line(2 * MB)))], compress=False, arc=True),
        "stored")

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
        # under --max-article-mb: stored, its text cut (a warning, which leaves the exit code 0)
        add(kind, "one-line-9mb", _jsonl("probe.jsonl", [json.dumps({"id": "long", "text": one_line(9 * MB)}), good], compress=compress),
            "stored", slow=True)
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


# ---- feeds and sitemaps, over HTTP --------------------------------------------------------------

# Hostile routes live under this path of the loopback site; the control feed and page under /control/.
HOSTILE = "/hostile/"


@dataclass(frozen=True)
class SourceProbe:
    """One hostile feed or sitemap (or a page behind one), served on loopback beside a good feed."""

    name: str  # "feed-gzip-bomb": kind and defect
    kind: str  # feed, sitemap
    defect: str
    serve: Callable[[Any], str] = field(repr=False)  # adds its routes to a tests.site.LoopbackSite, returns the source URL
    expect: Literal["error", "either"]  # error: reported, naming a /hostile/ URL; either: its content decides
    served_mb: float = 0.0  # what the site sends (or makes expand), for the time limit
    slow: bool = False


def rss(links: list[str], title: str = "Probe feed") -> bytes:
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{items}</channel></rss>".encode()


def urlset(links: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{link}</loc></url>" for link in links)
    return f"<?xml version='1.0' encoding='utf-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode()


def _laughs(root: str) -> bytes:
    """The billion laughs: ten levels of ten entities each, 10^9 copies of one word if expanded."""
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (f"<?xml version='1.0'?><!DOCTYPE {root} [<!ENTITY lol0 'lol'>{entities}]>"
            f"<{root}><channel><title>&lol9;</title><item><title>&lol9;</title><link>&lol9;</link></item></channel></{root}>").encode()


@functools.lru_cache(maxsize=4)  # the same bomb serves several probes; 1 GB takes seconds to pack
def _gzip_of(unit: bytes, size: int) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = unit * (MB // len(unit))
    return b"".join(packer.compress(chunk) for _ in range(size // MB)) + packer.flush()


def source_probes() -> list[SourceProbe]:
    """Every feed and sitemap probe, the slow ones (pages of 10 MB) marked."""
    from tests.site import Reply  # the loopback site of the tests, as bench/sources.py uses it

    found: list[SourceProbe] = []
    junk = random.Random(8).randbytes(64 * 1024)
    xml = "application/xml"

    def add(kind: str, defect: str, serve: Callable[[Any], str], expect: Literal["error", "either"], served_mb: float = 0.0, *, slow: bool = False) -> None:
        found.append(SourceProbe(f"{kind}-{defect}", kind, defect, serve, expect, served_mb, slow))

    def serving(path: str, body: bytes | Any, content_type: str = "application/rss+xml", **options: Any) -> Callable[[Any], str]:
        return lambda site: site.add(HOSTILE + path, body, content_type, **options)

    def behind_feed(page_body: bytes | Any, content_type: str = "text/html; charset=utf-8") -> Callable[[Any], str]:
        def serve(site: Any) -> str:
            link = site.add(HOSTILE + "page.html", page_body, content_type)
            return site.add(HOSTILE + "feed.xml", rss([link]), "application/rss+xml")

        return serve

    def slow_answer(site: Any) -> str:
        def reply(asked: Any) -> Any:
            time.sleep(35)  # past fetch's 30 s for a whole request
            return Reply(rss([]), "application/rss+xml")

        return site.add(HOSTILE + "slow.xml", reply)

    def redirect_loop(site: Any) -> str:
        site.add(HOSTILE + "b.xml", Reply(b"", status=302, headers={"Location": site.url(HOSTILE + "a.xml")}))
        return site.add(HOSTILE + "a.xml", Reply(b"", status=302, headers={"Location": site.url(HOSTILE + "b.xml")}))

    def many(count: int, make: Callable[[list[str]], bytes], content_type: str) -> Callable[[Any], str]:
        return lambda site: site.add(HOSTILE + "many.xml", make([site.url(f"{HOSTILE}gone/{i}.html") for i in range(count)]), content_type)

    def hostile_links(site: Any) -> str:
        links = ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<p>x</p>", "http://[::1]:1/closed", "ftp://127.0.0.1/x",
                 "http://user:secret@127.0.0.1:1/", "//no-scheme/x", "http://" + "a" * 300 + ".example/", site.url(HOSTILE + "\x1b[31mred.html")]
        return site.add(HOSTILE + "links.xml", rss(links), "application/rss+xml")

    def index_loop(site: Any) -> str:
        index = site.url(HOSTILE + "index.xml")
        child = site.url(HOSTILE + "child.xml")
        entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in (index, child))
        site.add(HOSTILE + "child.xml", f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap><loc>{index}</loc></sitemap></sitemapindex>".encode(), xml)
        return site.add(HOSTILE + "index.xml", f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</sitemapindex>".encode(), xml)

    add("feed", "empty", serving("empty.xml", b""), "error")
    add("feed", "binary-junk", serving("junk.xml", junk), "error")
    add("feed", "billion-laughs", serving("laughs.xml", _laughs("rss")), "either")
    add("feed", "nested-100k", serving("deep.xml", b"<rss><channel>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</channel></rss>"), "either", 0.7)
    add("feed", "gzip-bomb", serving("bomb.xml", Reply(_gzip_of(b"\n", 1024 * MB), "application/rss+xml", headers={"Content-Encoding": "gzip"})),
        "error", 50)
    add("feed", "huge-60mb", serving("huge.xml", rss([]).replace(b"Probe feed", b"x" * (60 * MB))), "error", 60)
    add("feed", "slow-answer", slow_answer, "error", 5)
    add("feed", "redirect-loop", redirect_loop, "error")
    add("feed", "latin-1-said-utf-8", serving("latin.xml", rss([], title="Häfen für Großschiffe").decode().encode("latin-1")), "either")
    add("feed", "hostile-links", hostile_links, "either")
    add("feed", "items-2000-gone", many(2000, rss, "application/rss+xml"), "either", 2)
    add("feed", "page-one-line-2mb", behind_feed(page(one_line(2 * MB)).encode()), "either", 2)
    add("feed", "page-one-line-10mb", behind_feed(page(one_line(10 * MB - 4096)).encode()), "either", 10, slow=True)
    add("feed", "page-nested-divs", behind_feed(("<html><body>" + "<div>" * 100_000 + ARTICLE + "</div>" * 100_000 + "</body></html>").encode()),
        "either", 1)
    add("feed", "page-encoding-bomb", behind_feed(Reply(_gzip_of(b" ", 1024 * MB), "text/html", headers={"Content-Encoding": "gzip"})), "error", 10)
    add("feed", "page-binary", behind_feed(junk), "error")
    add("sitemap", "empty-urlset", serving("empty.xml", urlset([]), xml), "either")
    add("sitemap", "binary-junk", serving("junk.xml", junk, xml), "error")
    add("sitemap", "gzip-bomb", serving("bomb.xml.gz", _gzip_of(b"\n", 1024 * MB), "application/gzip"), "error", 50)
    add("sitemap", "billion-laughs", serving("laughs.xml", _laughs("urlset"), xml), "either")
    add("sitemap", "index-loop", index_loop, "either")
    add("sitemap", "urls-2000-gone", many(2000, urlset, xml), "either", 2)
    add("sitemap", "text-one-line-10mb", serving("line.txt", one_line(10 * MB - 4096).encode(), "text/plain"), "either", 10, slow=True)
    return found
