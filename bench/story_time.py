"""Stories with months between their reports: the labelled story sets with their time stretched.

No labelled set holds a story whose reports are months apart (the longest, in the story chains,
spans 27 days), so each dated set is replayed with every gap between publication days made
``FACTORS`` times longer, through the default matcher (as ``storyline cluster`` places articles),
oldest first (as news arrives) and newest first (an archive loaded after the news that followed
it), in two ways in the same run:

- ``shipped``: a story quiet for longer than ``window_days`` stays within reach for
  ``reach_days``, found by the entities an article names, the time penalty stopping at
  ``BlendScorer.penalty_ceiling``;
- ``window_only``: as before quiet stories were looked up: ``reach_days`` equal to
  ``window_days``, and no ceiling.

Newest first, a story's first reports come after its later ones, months apart once stretched: the
matcher looks ahead for stories that begin past the article's window as it looks back for quiet ones.

The single-pass TF-IDF baseline (threshold tuned on each set) does not look at time: its figure
is the same at every factor.

    python bench/story_time.py        # writes bench/results/story_time.json (4 minutes on 2 cores once the sets are analysed)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from bench.story_orders import undated  # noqa: E402
from bench.story_streams import ALL_SETS, load_all, newest_first, stretched  # noqa: E402
from scripts.train_story_matcher import LOADED_SETS, on_both_cores, baseline_vectors, cluster, f1, threshold_sweep  # noqa: E402
from storyline.match import MatchSettings  # noqa: E402
from storyline.match.scoring import BlendScorer  # noqa: E402

FACTORS = (1, 3, 6, 12)
ORDERS = ("oldest_first", "newest_first")
WINDOW_ONLY = MatchSettings(reach_days=MatchSettings().window_days)


def _f1_at(job: tuple[str, int, str, bool]) -> float:
    name, factor, order, shipped = job
    story_set = stretched(LOADED_SETS[name], factor)
    if order == "newest_first":
        story_set = newest_first(story_set)
    if shipped:
        return round(f1(story_set, cluster(story_set, BlendScorer(), MatchSettings())), 4)
    scorer = BlendScorer(window_days=WINDOW_ONLY.window_days, penalty_ceiling=math.inf)
    return round(f1(story_set, cluster(story_set, scorer, WINDOW_ONLY)), 4)


def main() -> None:
    sets = {name: s for name, s in load_all(ALL_SETS).items() if not undated(s)}
    LOADED_SETS.update(sets)
    jobs = [(name, factor, order, shipped) for name in sets for factor in FACTORS for order in ORDERS for shipped in (True, False)]
    scores = dict(zip(jobs, on_both_cores(_f1_at, jobs)))
    report: dict = {"factors": list(FACTORS), "sets": {}}
    for name, story_set in sets.items():
        tfidf = threshold_sweep(story_set, baseline_vectors(story_set)["tfidf"])
        report["sets"][name] = {
            "tfidf_tuned": round(max(tfidf.values()), 4),
            **{
                f"x{factor}": {
                    order: {"shipped": scores[(name, factor, order, True)], "window_only": scores[(name, factor, order, False)]}
                    for order in ORDERS
                }
                for factor in FACTORS
            },
        }
        print(name, report["sets"][name], flush=True)
    report["command"] = "python bench/story_time.py"
    write_result("story_time", report)


if __name__ == "__main__":
    main()
