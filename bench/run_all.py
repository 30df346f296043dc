"""Run every benchmark in turn (each writes its JSON under bench/results/), then the slow tests.

    python bench/run_all.py [--scale-sizes 10000,100000,1000000]

match_scale.py runs at 10k and 50k stored articles by default here (a few minutes);
the full 10k / 100k / 1M measurement takes about an hour: pass the sizes above.
scale_out.py needs a PostgreSQL server it may create databases on: $STORYLINE_TEST_POSTGRES
(`source .ci/start-postgres` starts one); without it, it is skipped and said so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "clean_quality.py", "metadata.py", "ingest.py", "ecbplus.py", "semeval_similarity.py", "corpus_stories.py", "match_scale.py", "places.py", "times.py",
    "quotes.py", "timelines.py", "agreed_facts.py", "entities.py", "analyze_speed.py", "serve_load.py", "scale_out.py", "startup.py", "write_reuse.py",
    # the story matchers on labelled sets left out, against baselines (story_clustering.json); the model is not rewritten
    "../scripts/train_story_matcher.py",
    "story_orders.py",  # how much the undated sets' story figures owe to their stream order
    "story_time.py",  # stories with months between their reports: the dated sets stretched in time
    "story_languages.py",  # joins per language pair, on the SemEval-2022 pairs
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale-sizes", default="10000,50000", help="stored articles match_scale.py measures at")
    args = parser.parse_args()
    options = {
        "match_scale.py": ["--sizes", args.scale_sizes],
        "scale_out.py": ["--sizes", args.scale_sizes],
        "../scripts/train_story_matcher.py": ["--check"],
    }
    failed = []
    for name in BENCHMARKS:
        if name == "scale_out.py" and not os.environ.get("STORYLINE_TEST_POSTGRES"):
            print(f"== {name} skipped: set STORYLINE_TEST_POSTGRES to a PostgreSQL server", flush=True)
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *options.get(name, [])]).returncode != 0:
            failed.append(name)
    print("== slow tests (pytest -m slow)", flush=True)
    if subprocess.run([sys.executable, "-m", "pytest", "-m", "slow", "-q"], cwd=HERE.parent).returncode != 0:
        failed.append("slow tests")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
