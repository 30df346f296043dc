"""Shared fixtures: real SQLite files in temporary directories, paths to shared data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
DW_SEED = SEEDS / "002_29e6ec3318bbf1d0.txt"
RFI_SEED = SEEDS / "000_67d5cd4230ea23dc.txt"
CORPUS = REPO / "examples" / "corpus"


def need(path: Path) -> Path:
    """Skip (loudly) when shared data is not beside the repository, as it is in CI."""
    if not path.exists():
        pytest.skip(f"{path} is missing: clone the repository next to ../shared")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


def run_cli(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `storyline` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
