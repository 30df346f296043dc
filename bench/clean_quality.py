"""Clean stage: article body extraction (boilerplate removal) against gold bodies, with baselines.

Two real datasets, every system run in the same process on the same pages:

- Zyte/Scrapinghub article extraction benchmark (181 news/blog pages, gold ``articleBody``);
- CleanEval dev set (general web pages, gold cleaned text; read from the tarball).

Systems on the HTML:

- ``trafilatura_default``: ``trafilatura.extract(html)`` with its defaults (the baseline);
- ``storyline_html``: ``storyline.clean.clean`` on an ``html`` RawDocument, body ``Article.text``;
- ``storyline_html_with_title``: the same run scored as ``title + "\\n\\n" + text`` (gold bodies
  may start with the headline and trafilatura's output may include it);
- ``justext_default``: jusText with default settings and the stoplist of the page language
  (lingua on the page's sentence-like lines, else ``<html lang>``, else English).

Systems on a naive "scraped" plain-text rendering of the page (lxml: script/style/noscript
dropped, a newline around block elements and a blank line around paragraphs, runs of blank
lines collapsed, the ``<title>``
as first line, as in the scraped files of examples/corpus/scraped):

- ``raw_rendered_text``: the rendering itself, no cleaning (the floor for the text path);
- ``storyline_scraped_text``: ``clean`` on a ``text`` RawDocument holding the rendering.

Metric per page: token precision/recall/F1 of the extracted text against the gold text, tokens
``re.findall(r"\\w+", text.lower())`` counted as multisets; reported as the mean over pages
(macro) and over all tokens pooled (micro), with the number of empty outputs. Pages with empty
gold are skipped. Each system is timed over all pages (after one untimed warm-up call).

    python bench/clean_quality.py [--limit N] [--dump DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, peak_rss_mb, prf, write_result  # noqa: E402
from storyline.clean import clean  # noqa: E402
from storyline.clean.language import detect_language  # noqa: E402
from storyline.errors import InputError  # noqa: E402
from storyline.ingest import content_id  # noqa: E402
from storyline.model import Article, RawDocument  # noqa: E402

SCRAPINGHUB = DATA / "scrapinghub_article_extraction"
CLEANEVAL = DATA / "cleaneval" / "cleaneval-dev.tar.gz"

TOKEN = re.compile(r"\w+")
# A naive scraper's line breaks, innerText-like: one newline around these blocks, a blank line
# around paragraphs and headings; adjacent breaks collapse to the larger one, <br> is a literal newline.
LINE_TAGS = frozenset(
    "div li tr section article header footer nav ul ol dl dt dd table figure figcaption aside main form".split()
)
PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre hr".split())
CELL_TAGS = frozenset(("td", "th"))
DROP_TAGS = ("script", "style", "noscript", "template")
CLEANEVAL_WRAPPER_OPEN = re.compile(rb"^\s*<text\b[^>]*>", re.IGNORECASE)
CLEANEVAL_WRAPPER_CLOSE = re.compile(rb"</text>\s*$", re.IGNORECASE)
CLEANEVAL_MARKUP = re.compile(r"<\s*/?\s*[phl]\s*>", re.IGNORECASE)


@dataclass
class Page:
    id: str
    url: str | None
    html: bytes
    gold: str


# --------------------------------------------------------------------------- data


def load_scrapinghub() -> list[Page]:
    truth = json.loads((SCRAPINGHUB / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        html = gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, truth[key].get("url"), html, truth[key].get("articleBody") or ""))
    return pages


def cleaneval_gold(raw: str) -> str:
    """Drop the ``URL: ...`` header line and the ``<p>``/``<h>``/``<l>`` paragraph markers."""
    lines = raw.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("URL:"):
        lines = lines[1:]
    return CLEANEVAL_MARKUP.sub(" ", "\n".join(lines)).strip()


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
        header = CLEANEVAL_WRAPPER_OPEN.match(raw)
        url = None
        if header:
            found = re.search(rb'id="([^"]*)"', header.group(0))
            url = found.group(1).decode("utf-8", errors="replace") if found else None
            # The <text id=... title=... encoding=...> wrapper is CleanEval packaging, not the page.
            raw = CLEANEVAL_WRAPPER_CLOSE.sub(b"", raw[header.end() :])
        pages.append(Page(stem, url, raw, golds[stem]))
    return pages


# --------------------------------------------------------------------------- systems


def trafilatura_default(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.html) or ""


def storyline_article(page: Page) -> Article | None:
    doc = RawDocument(content_id("html", page.html), page.id, "html", page.html)
    try:
        return clean(doc)
    except InputError:
        return None


def storyline_scraped(page: Page, rendered: str) -> str:
    body = rendered.encode("utf-8")
    doc = RawDocument(content_id("text", body), page.id, "text", body)
    try:
        return clean(doc).text
    except InputError:
        return ""


def render_text(html: bytes) -> str:
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


def page_language(html: bytes, rendered: str) -> str:
    """jusText stoplist name: lingua on the page's sentence-like lines, else ``<html lang>``, else English.

    ``<html lang>`` alone is unreliable here (English Business Insider pages declare ``de``).
    """
    from lingua import IsoCode639_1, Language

    sentences = "\n".join(line for line in rendered.split("\n") if len(TOKEN.findall(line)) >= 8)
    code = detect_language(sentences)
    if not code:
        match = re.search(rb"<html\b[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", html[:20000], re.IGNORECASE)
        code = match.group(1).decode().lower() if match else None
    if not code or not hasattr(IsoCode639_1, code.upper()):
        return "English"
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.capitalize()
    except ValueError:
        return "English"


def justext_default(page: Page, language: str) -> str:
    import justext

    stoplists = justext.get_stoplists()
    stoplist = justext.get_stoplist(language if language in stoplists else "English")
    try:
        paragraphs = justext.justext(page.html, stoplist)
    except Exception:  # noqa: BLE001 - jusText raises lxml/parser errors on odd pages: count as empty output
        return ""
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


# --------------------------------------------------------------------------- scoring


def tokens(text: str) -> Counter[str]:
    return Counter(TOKEN.findall(text.lower()))


def page_scores(predicted: str, gold: str) -> tuple[float, float, float, int, int, int]:
    pred, ref = tokens(predicted), tokens(gold)
    tp = sum((pred & ref).values())
    n_pred, n_gold = sum(pred.values()), sum(ref.values())
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, n_pred, n_gold


def summarize(outputs: dict[str, str], pages: list[Page], seconds: float | None) -> tuple[dict, dict[str, float]]:
    per_page = {page.id: page_scores(outputs[page.id], page.gold) for page in pages}
    tp = sum(s[3] for s in per_page.values())
    n_pred = sum(s[4] for s in per_page.values())
    n_gold = sum(s[5] for s in per_page.values())
    summary = {
        "macro": {
            "precision": round(statistics.fmean(s[0] for s in per_page.values()), 4),
            "recall": round(statistics.fmean(s[1] for s in per_page.values()), 4),
            "f1": round(statistics.fmean(s[2] for s in per_page.values()), 4),
        },
        "micro": prf(tp, n_pred, n_gold),
        "micro_f1": prf(tp, n_pred, n_gold)["f1"],
        "empty_outputs": sum(1 for page in pages if not TOKEN.search(outputs[page.id])),
        "seconds": round(seconds, 2) if seconds is not None else None,
        "pages_per_second": round(len(pages) / seconds, 2) if seconds else None,
    }
    return summary, {pid: s[2] for pid, s in per_page.items()}


def timed(pages: list[Page], fn: Callable[[Page], object]) -> tuple[dict[str, object], float]:
    fn(pages[0])  # warm-up: imports, lingua model, htmldate caches
    start = time.perf_counter()
    out = {page.id: fn(page) for page in pages}
    return out, time.perf_counter() - start


def _norm(text: str) -> str:
    return " ".join(TOKEN.findall(text.lower()))


def run_dataset(name: str, pages: list[Page], dump: Path | None) -> dict:
    skipped = [p for p in pages if not TOKEN.search(p.gold)]
    pages = [p for p in pages if TOKEN.search(p.gold)]
    print(f"[{name}] {len(pages)} pages ({len(skipped)} skipped: empty gold)", file=sys.stderr)
    outputs: dict[str, dict[str, str]] = {}
    seconds: dict[str, float | None] = {}

    raw, seconds["trafilatura_default"] = timed(pages, trafilatura_default)
    outputs["trafilatura_default"] = {k: str(v) for k, v in raw.items()}

    articles, seconds["storyline_html"] = timed(pages, storyline_article)
    outputs["storyline_html"] = {k: (a.text if a else "") for k, a in articles.items()}  # type: ignore[union-attr]
    outputs["storyline_html_with_title"] = {
        k: ((f"{a.title}\n\n{a.text}" if a.title else a.text) if a else "")  # type: ignore[union-attr]
        for k, a in articles.items()
    }
    seconds["storyline_html_with_title"] = seconds["storyline_html"]

    rendered, seconds["raw_rendered_text"] = timed(pages, lambda p: render_text(p.html))
    outputs["raw_rendered_text"] = {k: str(v) for k, v in rendered.items()}

    scraped, seconds["storyline_scraped_text"] = timed(pages, lambda p: storyline_scraped(p, outputs["raw_rendered_text"][p.id]))
    outputs["storyline_scraped_text"] = {k: str(v) for k, v in scraped.items()}

    languages = {p.id: page_language(p.html, outputs["raw_rendered_text"][p.id]) for p in pages}
    jt, seconds["justext_default"] = timed(pages, lambda p: justext_default(p, languages[p.id]))
    outputs["justext_default"] = {k: str(v) for k, v in jt.items()}

    systems: dict[str, dict] = {}
    page_f1: dict[str, dict[str, float]] = {}
    for system, out in outputs.items():
        systems[system], page_f1[system] = summarize(out, pages, seconds[system])

    # Does the gold body start with the headline? (Compared with the title Storyline extracts.)
    titled = [a for a in articles.values() if a is not None and a.title]  # type: ignore[union-attr]
    gold_by_id = {p.id: p.gold for p in pages}
    gold_starts_with_title = sum(
        1 for a in titled if _norm(gold_by_id[a.source]).startswith(_norm(a.title)[:60])  # type: ignore[union-attr]
    )
    traf_starts_with_title = sum(
        1 for a in titled if _norm(outputs["trafilatura_default"][a.source]).startswith(_norm(a.title)[:60])  # type: ignore[union-attr]
    )

    losses = sorted(
        pages, key=lambda p: page_f1["storyline_html"][p.id] - page_f1["trafilatura_default"][p.id]
    )[:10]
    largest_losses = [
        {
            "id": p.id,
            "url": p.url,
            "trafilatura_default_f1": round(page_f1["trafilatura_default"][p.id], 4),
            "storyline_html_f1": round(page_f1["storyline_html"][p.id], 4),
            "storyline_html_with_title_f1": round(page_f1["storyline_html_with_title"][p.id], 4),
            "gold_tokens": sum(tokens(p.gold).values()),
            "trafilatura_tokens": sum(tokens(outputs["trafilatura_default"][p.id]).values()),
            "storyline_tokens": sum(tokens(outputs["storyline_html"][p.id]).values()),
        }
        for p in losses
    ]
    if dump is not None:
        folder = dump / name
        folder.mkdir(parents=True, exist_ok=True)
        for p in pages:
            record = {"id": p.id, "url": p.url, "gold": p.gold, "language": languages[p.id]}
            record.update({s: outputs[s][p.id] for s in outputs})
            record["f1"] = {s: round(page_f1[s][p.id], 4) for s in outputs}
            (folder / f"{p.id}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")

    return {
        "pages": len(pages),
        "skipped_empty_gold": len(skipped),
        "systems": systems,
        "gold_starts_with_storyline_title": gold_starts_with_title,
        "trafilatura_output_starts_with_storyline_title": traf_starts_with_title,
        "pages_with_storyline_title": len(titled),
        "justext_languages": dict(Counter(languages.values())),
        "largest_storyline_html_losses_vs_trafilatura": largest_losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each dataset (smoke test; no result file)")
    parser.add_argument("--dump", type=Path, default=None, help="write every page's outputs and scores to DIR/<dataset>/<id>.json")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura/htmldate/justext chatter on odd pages

    datasets = {"scrapinghub": load_scrapinghub(), "cleaneval": load_cleaneval()}
    if args.limit:
        datasets = {k: v[: args.limit] for k, v in datasets.items()}
    results = {name: run_dataset(name, pages, args.dump) for name, pages in datasets.items()}

    ratios = {}
    for name, res in results.items():
        s = res["systems"]

        def ratio(a: str, b: str, key: str = "macro") -> float | None:
            x = s[a]["macro"]["f1"] if key == "macro" else s[a]["micro_f1"]
            y = s[b]["macro"]["f1"] if key == "macro" else s[b]["micro_f1"]
            return round(x / y, 4) if y else None

        ratios[name] = {
            "storyline_html_f1_vs_trafilatura_default": ratio("storyline_html", "trafilatura_default"),
            "storyline_scraped_text_f1_vs_raw_rendered_text": ratio("storyline_scraped_text", "raw_rendered_text"),
            "storyline_html_micro_f1_vs_trafilatura_default": ratio("storyline_html", "trafilatura_default", "micro"),
            "storyline_scraped_text_micro_f1_vs_raw_rendered_text": ratio("storyline_scraped_text", "raw_rendered_text", "micro"),
        }

    sh = results["scrapinghub"]
    ce = results["cleaneval"]
    notes = [
        "Ratios use macro F1 (mean of per-page F1); *_micro_* ratios use F1 over all pooled tokens.",
        "Token = re.findall(r'\\w+', text.lower()), multiset (Counter) intersection; empty output scores P=R=F1=0.",
        f"Scrapinghub gold articleBody: {sh['gold_starts_with_storyline_title']} of {sh['pages_with_storyline_title']} pages "
        "with a Storyline-extracted title start with that title, so the gold body does NOT include the headline; "
        f"trafilatura.extract's default output starts with it on {sh['trafilatura_output_starts_with_storyline_title']} pages "
        "(an in-article <h1>), which costs it precision. storyline_html_with_title (title + blank line + text, same run "
        "and timing as storyline_html) shows the effect of adding the headline. "
        f"CleanEval gold starts with the Storyline title on {ce['gold_starts_with_storyline_title']} of "
        f"{ce['pages_with_storyline_title']} pages (it keeps on-page headings).",
        "CleanEval gold: the 'URL: ...' first line and the <p>/<h>/<l> markers were removed before scoring; the CleanEval "
        "<text id=... title=... encoding=...> wrapper around each input page was removed before extraction. CleanEval "
        "gold keeps page headings and lists of the main content (general web pages, not news).",
        "storyline_html seconds include Storyline's whole clean stage (ftfy decoding, trafilatura bare_extraction with "
        "metadata, htmldate extensive date search, outlet cues, lingua language detection), not only body extraction.",
        "raw_rendered_text seconds = time to render the HTML to scraped text (trafilatura.utils.load_html + lxml); "
        "storyline_scraped_text seconds = clean() on the already-rendered text only.",
        "trafilatura.html2txt flattens the page to one line, so the scraped rendering is done with lxml: script/style/"
        "noscript/template and comments dropped, browser-innerText-like breaks: a newline around " + " ".join(sorted(LINE_TAGS))
        + ", a blank line around " + " ".join(sorted(PARAGRAPH_TAGS)) + ", <br> a newline, adjacent breaks collapsed "
        "(runs of blank lines become one), and the page <title> as first line followed by a blank line "
        "(the layout of examples/corpus/scraped).",
        "justext_default: justext.justext(raw bytes, stoplist) with default parameters; stoplist of the language lingua "
        "(restricted to Storyline's languages) finds in the rendered page's sentence-like lines (>= 8 tokens), else <html lang>, "
        "else English; languages without a jusText stoplist (Japanese) use English. jusText's defaults reject the short "
        "one-or-two-sentence paragraphs of many news pages (BBC, NY Post), hence its empty outputs.",
        "trafilatura_default and justext receive the raw bytes and decode them themselves; Storyline decodes with its own "
        "storyline.clean.encoding.decode.",
        "Each system gets one untimed warm-up call on the first page; systems run one after another over all pages.",
        "peak_rss_mb is the peak of the whole process (all systems, both datasets).",
    ]
    payload = {"datasets": results, "ratios": ratios, "notes": notes, "peak_rss_mb": round(peak_rss_mb(), 1)}
    if args.limit:
        print("--limit given: result file not written", file=sys.stderr)
    else:
        path = write_result("clean_quality", payload)
        print(f"wrote {path}", file=sys.stderr)

    header = f"{'dataset':<12} {'system':<26} {'P':>6} {'R':>6} {'F1':>6} {'microF1':>7} {'empty':>5} {'sec':>7} {'pages/s':>8}"
    print(header)
    print("-" * len(header))
    for name, res in results.items():
        for system, s in res["systems"].items():
            m = s["macro"]
            print(
                f"{name:<12} {system:<26} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {s['micro_f1']:>7.3f} "
                f"{s['empty_outputs']:>5} {s['seconds']:>7.1f} {s['pages_per_second']:>8.1f}"
            )
        print(
            f"{name:<12} pages={res['pages']} skipped_empty_gold={res['skipped_empty_gold']}  "
            + "  ".join(f"{k}={v}" for k, v in ratios[name].items())
        )
    print(f"peak RSS {payload['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
