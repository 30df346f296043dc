"""Run every benchmark in turn (each writes its JSON under bench/results/), then the slow tests.

    python bench/run_all.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "clean_quality.py", "ingest.py", "ecbplus.py", "semeval_similarity.py", "places.py", "times.py", "quotes.py",
    "timelines.py", "agreed_facts.py", "entities.py", "analyze_speed.py", "serve_load.py",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)]).returncode != 0:
            failed.append(name)
    print("== slow tests (pytest -m slow)", flush=True)
    if subprocess.run([sys.executable, "-m", "pytest", "-m", "slow", "-q"], cwd=HERE.parent).returncode != 0:
        failed.append("slow tests")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
