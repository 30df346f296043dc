"""Page metadata (title, authors, date, outlet) against gold, with trafilatura as the same-run baseline.

Pages: ``pages/fundus`` (153 pages, 103 publishers, gold title/authors/date; the publisher's id
stands for the outlet), ``trafilatura_eval`` (990 pages, hand-annotated title/author/date, a site
name on 18) and ``pages/newspaper4k`` (23 pages; that library's own regression output, noisy).

Systems, each on the same pages in the same process:

- ``trafilatura``: ``trafilatura.bare_extraction(html, url=url, with_metadata=True)`` (the baseline);
- ``storyline_html``: ``storyline.clean.clean`` on the page as an ``html`` document with its URL;
- ``storyline_text/<renderer>``: ``clean`` on the page rendered to plain text by a scraper
  (``bench/page_sets.py``: ``blocks``, ``html_text``, ``inscriptis``), no URL: what a scraped
  text file says by itself (title, date, outlet; authors are seldom printed as a byline);
- ``trafilatura_text/<renderer>``: ``trafilatura.bare_extraction`` on that same plain text (the
  text path's same-input baseline).

Exact match after normalisation: titles and authors lower-cased with runs of spaces collapsed,
authors compared as sets of names (split at ";", ",", "&", " and "/" und "/" et "/" y "),
dates as the day (YYYY-MM-DD). Outlets: the same outlet when the two names, lower-cased, transliterated and
without spaces or punctuation, are equal, one contains the other, or one is the initials of
the other ("FAZ" / "Frankfurter Allgemeine Zeitung"). ``outlet_is_author`` counts pages whose
outlet is one of the page's gold authors or the extracted author (a byline read as the outlet),
unless the outlet names the page's host (a blog named after its writer, an organisation signing
its own page).

    python bench/metadata.py [--limit N] [--sets fundus,trafilatura_eval,newspaper4k]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from bench.page_sets import LOADERS, RENDERERS, Page, host  # noqa: E402
from storyline.clean import clean, outlets  # noqa: E402
from storyline.errors import InputError  # noqa: E402
from storyline.ingest import content_id  # noqa: E402
from storyline.model import Given, RawDocument  # noqa: E402

FIELDS = ("title", "authors", "date", "outlet")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def author_set(value: str | list[str] | None) -> frozenset[str]:
    if not value:
        return frozenset()
    names = value if isinstance(value, list) else [value]
    return frozenset(norm(part) for name in names for part in _AUTHOR_SPLIT.split(name) if norm(part))


def same_outlet(found: str | None, gold: str | None) -> bool:
    """The outlet comparison of ``storyline.clean.outlets`` (case, accents, punctuation, containment,
    initials), applied alike to every system; fundus ids are CamelCase ("SalzburgerNachrichten")."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", gold or "")
    return outlets.same_outlet(found, gold) or outlets.same_outlet(found, spaced)


# --------------------------------------------------------------------------- systems


def trafilatura_metadata(page: Page) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None:
        return {}
    return {"title": doc.title, "authors": doc.author, "date": doc.date, "outlet": doc.sitename}


def trafilatura_text_metadata(rendered: str) -> dict:
    """trafilatura on the same plain text as the text path. It refuses text that is not HTML, so each
    line becomes a ``<p>`` of a page without ``<head>``: no markup says what is title or date."""
    import html

    import trafilatura

    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in rendered.splitlines() if line.strip())
    try:
        doc = trafilatura.bare_extraction(f"<html><body>{paragraphs}</body></html>", with_metadata=True)
    except ValueError:  # trafilatura refuses some inputs it cannot parse: counts as nothing found
        return {}
    if doc is None:
        return {}
    return {"title": doc.title, "authors": doc.author, "date": doc.date, "outlet": doc.sitename}


def _article_metadata(document: RawDocument) -> dict:
    try:
        article = clean(document)
    except InputError:
        return {}
    return {"title": article.title, "authors": article.author, "date": article.published, "outlet": article.outlet}


def storyline_html_metadata(page: Page) -> dict:
    given = Given(url=page.url)
    return _article_metadata(RawDocument(content_id("html", page.html, given), page.id, "html", page.html, given))


def storyline_text_metadata(rendered: str, page: Page) -> dict:
    body = rendered.encode("utf-8")
    return _article_metadata(RawDocument(content_id("text", body), page.id, "text", body))


# --------------------------------------------------------------------------- scoring


def gold_outlet(page: Page) -> str | None:
    if page.dataset == "fundus":
        return page.site
    return page.extra.get("sitename")


def score(found: dict, page: Page) -> dict[str, bool | None]:
    """Per field: True/False when the page has gold for it, None otherwise."""
    outlet = gold_outlet(page)
    gold_authors = author_set(page.authors)
    return {
        "title": norm(found.get("title")) == norm(page.title) if page.title else None,
        "authors": author_set(found.get("authors")) == gold_authors if gold_authors else None,
        "date": (found.get("date") or "")[:10] == page.date if page.date else None,
        "outlet": same_outlet(found.get("outlet"), outlet) if outlet else None,
    }


def outlet_is_author(found: dict, page: Page) -> bool:
    """The outlet found is a person's name from the byline, not the site credited as author (a
    blog named after its writer, "wolfgangschmale.eu"; an organisation signing its own page)."""
    outlet = norm(found.get("outlet"))
    if not outlet or (gold_outlet(page) and same_outlet(outlet, gold_outlet(page))):
        return False
    if outlets.same_outlet(outlet, outlets.host_name(host(page.url))):
        return False
    return outlet in author_set(page.authors) or outlet in author_set(found.get("authors"))


def run_system(pages: list[Page], fn: Callable[[Page], dict]) -> tuple[dict, float, list[dict]]:
    fn(pages[0])  # warm-up: imports, models
    start = time.perf_counter()
    outputs = [fn(page) for page in pages]
    seconds = time.perf_counter() - start
    totals: dict[str, list[int]] = {f: [0, 0] for f in FIELDS}
    for found, page in zip(outputs, pages):
        for field, ok in score(found, page).items():
            if ok is not None:
                totals[field][0] += ok
                totals[field][1] += 1
    summary = {
        field: {"exact": round(ok / n, 3) if n else None, "pages_with_gold": n} for field, (ok, n) in totals.items()
    }
    summary["outlet_is_author"] = sum(outlet_is_author(found, page) for found, page in zip(outputs, pages))
    summary["outlet_missing"] = sum(1 for found in outputs if not found.get("outlet"))
    summary["seconds"] = round(seconds, 2)
    return summary, seconds, outputs


def run_set(name: str, pages: list[Page]) -> dict:
    print(f"[{name}] {len(pages)} pages", file=sys.stderr)
    systems: dict[str, dict] = {}
    outputs: dict[str, list[dict]] = {}
    systems["trafilatura"], traf_seconds, outputs["trafilatura"] = run_system(pages, trafilatura_metadata)
    systems["storyline_html"], html_seconds, outputs["storyline_html"] = run_system(pages, storyline_html_metadata)
    for renderer, render in RENDERERS.items():
        rendered = {page.id: render(page.html) for page in pages}
        key = f"storyline_text/{renderer}"
        systems[key], _, outputs[key] = run_system(pages, lambda p, r=rendered: storyline_text_metadata(r[p.id], p))
        key = f"trafilatura_text/{renderer}"
        systems[key], _, outputs[key] = run_system(pages, lambda p, r=rendered: trafilatura_text_metadata(r[p.id]))
    misses = []
    for i, page in enumerate(pages):
        ours, theirs = score(outputs["storyline_html"][i], page), score(outputs["trafilatura"][i], page)
        lost = [f for f in FIELDS if theirs[f] and not ours[f]]
        if lost:
            misses.append(
                {
                    "page": page.id,
                    "fields": lost,
                    **{f"storyline_{f}": outputs["storyline_html"][i].get(f) for f in lost},
                    **{f"trafilatura_{f}": outputs["trafilatura"][i].get(f) for f in lost},
                }
            )
    return {
        "pages": len(pages),
        "systems": systems,
        "ratio_storyline_html_seconds_vs_trafilatura": round(html_seconds / traf_seconds, 2) if traf_seconds else None,
        "fields_trafilatura_right_storyline_wrong": misses[:40],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set (smoke test; no result file)")
    parser.add_argument("--sets", default="fundus,trafilatura_eval,newspaper4k")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    results = {}
    for name in args.sets.split(","):
        pages = LOADERS[name]()
        if args.limit:
            pages = pages[: args.limit]
        results[name] = run_set(name, pages)
    notes = [
        "Exact match rates over the pages that have gold for the field; trafilatura and storyline_html get the page URL.",
        "fundus: the outlet gold is the publisher id of the fundus test data (CamelCase, e.g. 'SalzburgerNachrichten'), "
        "matched leniently (see same_outlet); trafilatura's outlet is its sitename.",
        "storyline_text/* are cleaned from the rendered text alone (no URL, no markup); trafilatura_text/* is trafilatura "
        "given that same text.",
        "newspaper4k gold is that library's own regression output, not hand-checked.",
    ]
    payload = {"sets": results, "notes": notes}
    if args.limit:
        print("--limit given: result file not written", file=sys.stderr)
    else:
        print(f"wrote {write_result('metadata', payload)}", file=sys.stderr)
    header = f"{'set':<17} {'system':<26} " + " ".join(f"{f:>8}" for f in FIELDS) + f" {'out=auth':>8} {'sec':>6}"
    print(header)
    for name, res in results.items():
        for system, s in res["systems"].items():
            cells = " ".join(f"{s[f]['exact'] if s[f]['exact'] is not None else '-':>8}" for f in FIELDS)
            print(f"{name:<17} {system:<26} {cells} {s['outlet_is_author']:>8} {s['seconds']:>6}")


if __name__ == "__main__":
    main()
