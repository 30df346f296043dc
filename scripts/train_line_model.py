"""Train the paragraph classifier of the plain-text cleaner (``storyline/clean/models/lines.*``).

    pip install -e '.[bench]'
    python scripts/train_line_model.py [--sets l3s_gn1,scrapinghub,fundus] [--folds 5] [--no-save] [--each-set-held-out]
    python scripts/train_line_model.py --patterns   # evidence for the hand-written furniture patterns

1. Every page of the training sets (``bench/page_sets.py``; of ScrapingHub and fundus only the
   sites of one half, ``page_sets.held_out``: the benchmarks score the other half) is rendered to plain text by three
   scrapers' renderers (``blocks``, ``html_text``, ``inscriptis``) and split into paragraphs
   exactly as the cleaner splits them.
2. Each paragraph is labelled content when at least half of its words align with the page's
   gold body (``page_sets.gold_fraction``): the annotators' blocks for L3S-GN1, the gold
   ``articleBody`` for ScrapingHub, fundus's reviewed body paragraphs.
3. Grouped cross-validation (a site's pages, in every rendering, stay in one fold) scores the
   cleaner with each fold's model exactly as ``storyline.clean`` runs it (token precision /
   recall / F1 against the gold body, mean over pages); the probability cutoff is the one with
   the best mean F1 over the sets. With ``--each-set-held-out``, each set is also held out whole
   (trained on the others).
4. The model fitted on all the training pages is written with a card of these figures.

Deterministic; on 2 shared cores about 20-40 minutes (the rendering and the alignment take
about a third).
"""

from __future__ import annotations

import argparse
import logging
import pickle
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.page_sets import LOADERS, RENDERERS, gold_fraction, held_out, token_prf, tokens  # noqa: E402
from storyline.clean import line_model  # noqa: E402
from storyline.clean.language import detect_language  # noqa: E402
from storyline.clean.lines import FEATURES, features  # noqa: E402
from storyline.clean.scraped import is_title_line, label_paragraphs, reflow, split_paragraphs, tidy  # noqa: E402

# Few, shallow-ish trees: enough for the interactions of length, punctuation and position, small
# to ship and fast to evaluate. Not tuned beyond a handful of tries (the machine is shared).
PARAMETERS = {"max_iter": 150, "learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 40, "l2_regularization": 1.0}
CUTOFFS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
CONTENT_SHARE = 0.5  # a paragraph is content when this share of its words aligns with the gold body


@dataclass
class Rendering:
    """One page as one renderer wrote it, cut into the cleaner's paragraphs."""

    dataset: str
    renderer: str
    page: str
    site: str
    paragraphs: list[str]
    language: str | None
    title_line: bool
    rows: np.ndarray
    content: np.ndarray  # gold label per paragraph
    weight: np.ndarray  # words per paragraph (+1): the score counts words, not lines
    gold: str


def _rendered(name: str, cache: Path | None) -> list[tuple]:
    """(renderer, page id, site, paragraphs, language, gold labels, gold text) for every page of a set."""
    path = cache / f"{name}.pickle" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes())
    out = []
    pages = [p for p in LOADERS[name]() if tokens(p.gold)]
    for renderer, render in RENDERERS.items():
        for page in pages:
            text = render(page.html)
            paragraphs = reflow(split_paragraphs(text))
            if paragraphs:
                labels = np.array(gold_fraction(paragraphs, page.gold)) >= CONTENT_SHARE
                out.append((renderer, page.id, page.site, paragraphs, detect_language(text), labels, page.gold))
    if path is not None:
        path.write_bytes(pickle.dumps(out))
    return out


def renderings(sets: list[str], cache: Path | None) -> list[Rendering]:
    out = []
    for name in sets:
        start = time.perf_counter()
        for renderer, page, site, paragraphs, language, labels, gold in _rendered(name, cache):
            if held_out(name, site):
                continue
            out.append(
                Rendering(
                    name, renderer, page, site, paragraphs, language, is_title_line(paragraphs, language),
                    features(paragraphs, language).astype(np.float32), labels,
                    np.array([len(tokens(p)) + 1.0 for p in paragraphs]), gold,
                )
            )
        print(f"{name}: rendered, labelled and described in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return out


def fit(items: list[Rendering]) -> object:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows = np.vstack([r.rows for r in items])
    labels = np.concatenate([r.content for r in items])
    weights = np.concatenate([r.weight for r in items])
    return HistGradientBoostingClassifier(**PARAMETERS, random_state=0).fit(rows, labels, sample_weight=weights)


def cleaned_text(item: Rendering, probabilities: np.ndarray, cutoff: float) -> str:
    """The body the cleaner returns for this rendering, given the classifier's probabilities."""
    labels = label_paragraphs(item.paragraphs, item.language, probabilities, cutoff, title_line=item.title_line)
    return "\n\n".join(tidy(p) for p, label in zip(item.paragraphs, labels) if label == "content")


def scores(items: list[Rendering], probabilities: list[np.ndarray], cutoff: float) -> dict[str, dict[str, dict[str, float]]]:
    """Mean token precision/recall/F1 per set and renderer, each page scored by a model that did not see it."""
    found: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for item, probability in zip(items, probabilities):
        found[(item.dataset, item.renderer)].append(token_prf(cleaned_text(item, probability, cutoff), item.gold)[:3])
    table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (dataset, renderer), values in sorted(found.items()):
        table[dataset][renderer] = {
            "pages": len(values),
            **{k: round(statistics.fmean(v[i] for v in values), 4) for i, k in enumerate(("precision", "recall", "f1"))},
        }
    return dict(table)


def mean_f1(table: dict[str, dict[str, dict[str, float]]]) -> float:
    return statistics.fmean(s["f1"] for per_renderer in table.values() for s in per_renderer.values())


def pattern_evidence(items: list[Rendering]) -> None:
    """Print, for each hand-written furniture pattern of ``boilerplate``, the training paragraphs it
    matches (html_text renderings), on how many sites, and the share that is furniture by the gold."""
    from storyline.clean import boilerplate as bp
    from storyline.clean.metadata import author_from_byline

    checks: dict[str, object] = {
        f"LINE_PATTERNS[{i}] {pattern.pattern[:60]}": (
            lambda text, pattern=pattern: bp.word_count(text) <= bp.MAX_BOILERPLATE_WORDS and bool(pattern.search(text.strip()))
        )
        for i, pattern in enumerate(bp.LINE_PATTERNS)
    }
    checks |= {
        "SHORT_LINE_WORDS": lambda t: bp.word_count(t) <= 12 and bool(bp.SHORT_LINE_WORDS.search(t)) and not bp.SENTENCE_END.search(t.strip()),
        "RELATED_HEADER": lambda t: bool(bp.RELATED_HEADER.match(t.strip())),
        "MEDIA_MARKER": lambda t: bp.word_count(t) <= 6 and bool(bp.MEDIA_MARKER.match(t.strip())),
        "TEASER": lambda t: bool(bp.TEASER.match(t.strip())),
        "RELATED_PROMPT": lambda t: bool(bp.RELATED_PROMPT.match(t.strip())),
        "is_menu": bp.is_menu,
        "is_caption_with_credit": bp.is_caption_with_credit,
        "byline": lambda t: author_from_byline(t) is not None,
    }
    paragraphs = [(r.site, text, bool(label)) for r in items if r.renderer == "html_text" for text, label in zip(r.paragraphs, r.content)]
    for name, check in checks.items():
        hits = [(site, content) for site, text, content in paragraphs if check(text)]  # type: ignore[operator]
        furniture = sum(1 for _, content in hits if not content) / len(hits) if hits else 0.0
        print(f"{len(hits):6d} on {len({site for site, _ in hits}):4d} sites, {furniture:4.0%} furniture  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="l3s_gn1,scrapinghub,fundus", help="page sets to train on (bench/page_sets.py)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-save", action="store_true", help="cross-validate only")
    parser.add_argument("--cache", type=Path, default=None, help="keep the rendered, labelled pages in DIR between runs")
    parser.add_argument("--each-set-held-out", action="store_true", help="also train without each set in turn and score it (3 more fits)")
    parser.add_argument("--patterns", action="store_true", help="only print the evidence for the hand-written furniture patterns")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from sklearn.model_selection import GroupKFold

    sets = args.sets.split(",")
    items = renderings(sets, args.cache)
    if args.patterns:
        pattern_evidence(items)
        return
    pages = sorted({(r.dataset, r.page, r.site) for r in items})
    groups = [site for _, _, site in pages]
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(items)
    for fold, (train, test) in enumerate(GroupKFold(n_splits=args.folds).split(pages, groups=groups)):
        train_pages = {pages[i][:2] for i in train}
        model = line_model.from_sklearn(fit([r for r in items if (r.dataset, r.page) in train_pages]), FEATURES, 0.5)
        test_pages = {pages[i][:2] for i in test}
        for k, item in enumerate(items):
            if (item.dataset, item.page) in test_pages:
                probabilities[k] = model.probabilities(item.rows)
        print(f"fold {fold + 1}/{args.folds} fitted", file=sys.stderr, flush=True)
    by_cutoff = {cutoff: scores(items, probabilities, cutoff) for cutoff in CUTOFFS}
    cutoff = max(CUTOFFS, key=lambda c: mean_f1(by_cutoff[c]))
    print(f"cutoff {cutoff}: mean F1 {mean_f1(by_cutoff[cutoff]):.4f}", file=sys.stderr)

    held_out = {}
    for name in sets if len(sets) > 1 and args.each_set_held_out else []:
        model = line_model.from_sklearn(fit([r for r in items if r.dataset != name]), FEATURES, cutoff)
        tested = [r for r in items if r.dataset == name]
        held_out[name] = scores(tested, [model.probabilities(r.rows) for r in tested], cutoff)[name]
        print(f"held out {name}: {held_out[name]}", file=sys.stderr, flush=True)

    card = {
        "trained_on": {name: sum(1 for p in pages if p[0] == name) for name in sets},
        "renderers": list(RENDERERS),
        "label": f"a paragraph is content when >= {CONTENT_SHARE} of its words align with the gold body",
        "parameters": PARAMETERS,
        "cross_validation": {
            "folds": args.folds,
            "grouped_by": "site (publisher or host): no site in both training and test folds",
            "cutoffs_mean_f1": {str(c): round(mean_f1(t), 4) for c, t in by_cutoff.items()},
            "at_cutoff": by_cutoff[cutoff],
        },
        **({"set_held_out": held_out} if held_out else {}),
    }
    print(card["cross_validation"]["at_cutoff"], file=sys.stderr)
    if not args.no_save:
        final = line_model.from_sklearn(fit(items), FEATURES, cutoff)
        final.save(card=card)
        print(f"wrote {line_model.MODEL_PATH} and {line_model.CARD_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
