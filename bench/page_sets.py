"""Real article pages with gold bodies and metadata, and the ways scrapers turn a page into text.

Shared by the clean benchmarks (``bench/clean_quality.py``, ``bench/metadata.py``) and by the
script that trains the plain-text line classifier (``scripts/train_line_model.py``).

Page sets (all under ``../shared/data``, read by path, never copied):

- ``scrapinghub``: 181 article pages, gold ``articleBody``;
- ``l3s_gn1``: 621 Google News pages of 2008, gold = the blocks annotated "full text"
  (``x-nc-sel2``), headline = ``x-nc-sel1``;
- ``fundus``: 153 pages from 103 publishers, gold title, authors, date and body
  (summary + section headlines + paragraphs);
- ``newspaper4k``: 23 pages with that library's expected text and metadata (its own regression
  output, not hand-checked);
- ``cleaneval``: 58 general web pages (not news) with cleaned gold text.

Renderers (what a scraper saves): ``blocks`` (lxml, browser-innerText-like line breaks, the
``<title>`` as first line), ``html_text`` (``html_text.extract_text``, the title first too) and
``inscriptis`` (``inscriptis.get_text``: no title, indented layout, list bullets).
"""

from __future__ import annotations

import gzip
import json
import re
import tarfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from bench.common import DATA

SCRAPINGHUB = DATA / "scrapinghub_article_extraction"
L3S = DATA / "l3s_gn1"
FUNDUS = DATA / "pages" / "fundus"
NEWSPAPER4K = DATA / "pages" / "newspaper4k"
CLEANEVAL = DATA / "cleaneval" / "cleaneval-dev.tar.gz"
TRAFILATURA_EVAL = DATA / "trafilatura_eval"

TOKEN = re.compile(r"\w+")
# The plain-text cleaner's classifier trains on L3S-GN1 and on half of the sites of these sets; the
# other half (chosen by a hash of the site) is never trained on, so the benchmarks score it apart.
HALVED = frozenset(("scrapinghub", "fundus"))


@dataclass
class Page:
    """One real page: its HTML, gold body and, where the set has them, gold metadata."""

    id: str
    dataset: str
    site: str  # publisher or host: pages of one site stay in one cross-validation fold
    url: str | None
    html: bytes
    gold: str
    title: str | None = None
    authors: list[str] | None = None
    date: str | None = None  # YYYY-MM-DD
    extra: dict = field(default_factory=dict)


def held_out(dataset: str, site: str) -> bool:
    """Is this site of a halved set kept out of the line classifier's training?"""
    return dataset in HALVED and zlib.crc32(site.encode("utf-8")) % 2 == 1


def host(url: str | None) -> str:
    netloc = urlsplit(url or "").netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


# --------------------------------------------------------------------------- loaders


def load_scrapinghub() -> list[Page]:
    truth = json.loads((SCRAPINGHUB / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        html = gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes())
        url = truth[key].get("url")
        pages.append(Page(key, "scrapinghub", host(url), url, html, truth[key].get("articleBody") or ""))
    return pages


def _class_text(tree: lxml.html.HtmlElement, css_class: str) -> str:
    return "\n".join(" ".join(el.text_content().split()) for el in tree.xpath(f'//span[@class="{css_class}"]'))


def load_l3s() -> list[Page]:
    urls = {}
    for line in (L3S / "url-mapping.txt").read_text(encoding="utf-8", errors="replace").splitlines():
        if "\t" in line:
            key, url = line.split("\t", 1)
            urls[key.strip("<>").removeprefix("urn:uuid:")] = url.strip()
    pages = []
    for path in sorted((L3S / "original").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        annotated = gzip.decompress((L3S / "annotated" / path.name).read_bytes())
        tree = lxml.html.fromstring(annotated)
        url = urls.get(key)
        pages.append(
            Page(
                key, "l3s_gn1", host(url), url, gzip.decompress(path.read_bytes()),
                _class_text(tree, "x-nc-sel2"), title=_class_text(tree, "x-nc-sel1") or None,
            )
        )
    return pages


def _fundus_body(body: dict) -> str:
    parts = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return "\n".join(parts)


def load_fundus() -> list[Page]:
    """Each page with its gold version: the n-th page of a publisher by crawl date has the n-th version."""
    index = [json.loads(line) for line in (FUNDUS / "INDEX.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    by_gold: dict[str, list[dict]] = defaultdict(list)
    for entry in index:
        by_gold[entry["gold_json"]].append(entry)
    pages = []
    for gold_file, entries in sorted(by_gold.items()):
        gold = json.loads((FUNDUS / gold_file).read_text(encoding="utf-8"))
        for entry, version in zip(sorted(entries, key=lambda e: e["crawl_date"]), list(gold)):
            record = gold[version]
            date = record.get("publishing_date")
            pages.append(
                Page(
                    entry["html"], "fundus", entry["publisher"], entry["url"],
                    gzip.decompress((FUNDUS / entry["html"]).read_bytes()),
                    _fundus_body(record.get("body") or {}),
                    title=record.get("title"), authors=list(record.get("authors") or []),
                    date=date[:10] if date else None, extra={"country": entry.get("country")},
                )
            )
    return pages


def load_newspaper4k() -> list[Page]:
    pages = []
    for line in (NEWSPAPER4K / "INDEX.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        gold_text = NEWSPAPER4K / entry["gold_text"]
        date = entry.get("publish_date")
        pages.append(
            Page(
                entry["html"], "newspaper4k", host(entry.get("url")), entry.get("url"),
                gzip.decompress((NEWSPAPER4K / entry["html"]).read_bytes()),
                gold_text.read_text(encoding="utf-8") if gold_text.exists() else "",
                title=entry.get("title"), authors=entry.get("authors") or [], date=date[:10] if date else None,
                extra={"language": entry.get("language")},
            )
        )
    return pages


_CLEANEVAL_WRAPPER_OPEN = re.compile(rb"^\s*<text\b[^>]*>", re.IGNORECASE)
_CLEANEVAL_WRAPPER_CLOSE = re.compile(rb"</text>\s*$", re.IGNORECASE)
_CLEANEVAL_MARKUP = re.compile(r"<\s*/?\s*[phl]\s*>", re.IGNORECASE)


def cleaneval_gold(raw: str) -> str:
    """Drop the ``URL: ...`` header line and the ``<p>``/``<h>``/``<l>`` paragraph markers."""
    lines = raw.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("URL:"):
        lines = lines[1:]
    return _CLEANEVAL_MARKUP.sub(" ", "\n".join(lines)).strip()


def load_cleaneval() -> list[Page]:
    inputs: dict[str, bytes] = {}
    golds: dict[str, str] = {}
    with tarfile.open(CLEANEVAL, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            parts = member.name.split("/")
            stem = parts[-1].rsplit(".", 1)[0]
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if "input" in parts and parts[-1].endswith(".html"):
                inputs[stem] = data
            elif "GoldStandard" in parts and parts[-1].endswith(".txt"):
                golds[stem] = cleaneval_gold(data.decode("utf-8", errors="replace"))
    pages = []
    for stem in sorted(set(inputs) & set(golds), key=lambda s: (len(s), s)):
        raw = inputs[stem]
        header = _CLEANEVAL_WRAPPER_OPEN.match(raw)
        url = None
        if header:
            found = re.search(rb'id="([^"]*)"', header.group(0))
            url = found.group(1).decode("utf-8", errors="replace") if found else None
            # The <text id=... title=... encoding=...> wrapper is CleanEval packaging, not the page.
            raw = _CLEANEVAL_WRAPPER_CLOSE.sub(b"", raw[header.end() :])
        pages.append(Page(stem, "cleaneval", host(url) or stem, url, raw, golds[stem]))
    return pages


def load_trafilatura_eval() -> list[Page]:
    """990 pages with hand-written must-contain / must-not-contain snippets and metadata (no full gold body)."""
    pages = []
    for line in (TRAFILATURA_EVAL / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        author = entry.get("author")
        pages.append(
            Page(
                entry["html_file"], "trafilatura_eval", host(entry.get("url")), entry.get("url"),
                gzip.decompress((TRAFILATURA_EVAL / entry["html_file"]).read_bytes()), "",
                title=entry.get("title"), authors=author if isinstance(author, list) else ([author] if author else None),
                date=entry.get("date"), extra={"with": entry.get("with", []), "without": entry.get("without", []), "sitename": entry.get("sitename")},
            )
        )
    return pages


LOADERS: dict[str, Callable[[], list[Page]]] = {
    "scrapinghub": load_scrapinghub,
    "l3s_gn1": load_l3s,
    "fundus": load_fundus,
    "newspaper4k": load_newspaper4k,
    "cleaneval": load_cleaneval,
    "trafilatura_eval": load_trafilatura_eval,
}


# --------------------------------------------------------------------------- renderers

# A naive scraper's line breaks, innerText-like: one newline around these blocks, a blank line
# around paragraphs and headings; adjacent breaks collapse to the larger one, <br> is a literal newline.
LINE_TAGS = frozenset(
    "div li tr section article header footer nav ul ol dl dt dd table figure figcaption aside main form".split()
)
PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre hr".split())
CELL_TAGS = frozenset(("td", "th"))
DROP_TAGS = ("script", "style", "noscript", "template")


def render_blocks(html: bytes) -> str:
    """The page as a naive scraper would save it: title line, blank line, then the body text with block line breaks."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return ""
    lxml.etree.strip_elements(tree, *DROP_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    title_el = tree.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    body = tree.find(".//body")
    root = body if body is not None else tree
    out: list[str] = []
    pending = 0  # line breaks owed before the next text

    def emit(text: str | None) -> None:
        nonlocal pending
        if not text:
            return
        text = re.sub(r"\s+", " ", text)
        if pending:
            if not text.strip():
                return
            out.append("\n" * pending)
            pending = 0
        out.append(text)

    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        breaks = 2 if tag in PARAGRAPH_TAGS else 1 if tag in LINE_TAGS else 0
        if event == "start":
            pending = max(pending, breaks)
            if tag == "br":
                out.append("\n")
                pending = 0
            emit(el.text)
        else:
            pending = max(pending, breaks)
            if tag in CELL_TAGS:
                emit(" ")
            if el is not root:
                emit(el.tail)
    lines = [line.strip() for line in "".join(out).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return f"{title}\n\n{text}" if title else text


def _decoded(html: bytes) -> str:
    from storyline.clean.encoding import decode

    return decode(html, html=True)


def render_html_text(html: bytes) -> str:
    import html_text

    try:
        return html_text.extract_text(_decoded(html))
    except (ValueError, lxml.etree.ParserError):
        return ""


def render_inscriptis(html: bytes) -> str:
    import inscriptis

    try:
        return inscriptis.get_text(_decoded(html))
    except (ValueError, lxml.etree.ParserError):
        return ""


RENDERERS: dict[str, Callable[[bytes], str]] = {
    "blocks": render_blocks,
    "html_text": render_html_text,
    "inscriptis": render_inscriptis,
}


# --------------------------------------------------------------------------- scoring


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def token_prf(predicted: str, gold: str) -> tuple[float, float, float, int, int, int]:
    """Token multiset precision, recall, F1 (and the counts behind them) of ``predicted`` against ``gold``."""
    from collections import Counter

    pred, ref = Counter(tokens(predicted)), Counter(tokens(gold))
    tp = sum((pred & ref).values())
    n_pred, n_gold = sum(pred.values()), sum(ref.values())
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, n_pred, n_gold


def gold_fraction(units: list[str], gold: str) -> list[float]:
    """For each unit of text (a paragraph of the rendered page), the share of its tokens that align with the gold body.

    A longest-matching-blocks alignment (difflib) of the page's tokens with the gold tokens, in
    order, so a word that occurs in the gold elsewhere (a menu's "Politics") does not count.
    """
    import difflib

    page_tokens: list[str] = []
    owner: list[int] = []
    for i, unit in enumerate(units):
        found = tokens(unit)
        page_tokens += found
        owner += [i] * len(found)
    matched = [0] * len(units)
    matcher = difflib.SequenceMatcher(None, page_tokens, tokens(gold), autojunk=False)
    for block in matcher.get_matching_blocks():
        # Runs of one or two tokens are coincidences ("the", "said"), not the same passage.
        if block.size < 3:
            continue
        for k in range(block.a, block.a + block.size):
            matched[owner[k]] += 1
    sizes = [len(tokens(unit)) for unit in units]
    return [m / s if s else 0.0 for m, s in zip(matched, sizes)]


def iter_sets(names: list[str]) -> Iterator[tuple[str, list[Page]]]:
    for name in names:
        yield name, LOADERS[name]()
