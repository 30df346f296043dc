"""Reliability campaign: hostile inputs, regex audit, kill -9 of ingest, the HTTP server under load and faults.

Parts (each can be run alone with --only):

files   every probe of bench/probes.py (input kind x defect), each beside a good control
        input, through the real `storyline ingest` / `storyline similarity` in a subprocess,
        under a time limit proportional to its size: hangs, tracebacks, unclear errors
        (exit code 0 for a bad input, an error that does not name the input or say what
        to do), controls lost, store integrity.
sources every probe of bench/probes.py's source_probes (hostile feeds and sitemaps, and pages
        behind a feed) served on loopback beside a good feed, through the real `storyline fetch`.
regex   every regular expression of the package (module globals, and those compiled while
        the pipeline runs) against pathological subjects at two sizes: a pattern whose
        time grows faster than its subject backtracks.
kill    kill -9 of `storyline ingest` at random points, a re-run after each, then a
        final one: articles lost, doubled, `PRAGMA integrity_check`.
watch-kill  kill -9 of `storyline watch` at random points (polling, fetching, storing) over a
        loopback feed and sitemap, then one `storyline fetch`: pages lost, stored twice,
        fetched twice, integrity.
backfill-kill  kill -9 of `storyline backfill` on Spark local[2] (the driver and its JVM and Python workers, or the
        driver alone) at random points, a re-run after each; every store filled this way is compared with an
        uninterrupted backfill's: articles lost, doubled, integrity, the same stories and articles, processes
        left running, Spark scratch files left.
http    a real `storyline serve` on loopback: read load and mixed read/write load from
        several clients (errors, p50/p99, with /healthz answered during a slow write);
        kill -9 of the server during POST load and a restart (every POST answered 2xx
        stored exactly once); hostile requests (no 500, no traceback, no server path,
        security headers on every answer).

    python bench/reliability.py [--only files,sources,regex,kill,watch-kill,backfill-kill,http] [--watch-kills 100] [--kills 100]
        [--backfill-kills 100 --backfill-minutes 60] [--seconds 20] [--fast]

--fast skips the slow probes (10 MB and more) and runs fewer kills: what the tests run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import processes  # noqa: E402
from bench.common import REPO, write_result  # noqa: E402
from bench.probes import ARTICLE, CONTROL, HOSTILE, Probe, SourceProbe, control_files, is_root, page, probes, rss, source_probes  # noqa: E402

PYTHON = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# A probe's time limit: the command's start (models loaded on a busy machine) plus its size at a
# pace far slower than Storyline reads (~20 MB/s for refusals, ~1 MB/s cleaned).
START_SECONDS = 120.0
SECONDS_PER_MB = 6.0
TRACEBACK = "Traceback (most recent call last)"


def storyline(*args: str, timeout: float, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str] | None, float]:
    """Run the real command; None when it had to be killed at ``timeout`` (a hang)."""
    start = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "-m", "storyline", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=cwd,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None, time.monotonic() - start
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), time.monotonic() - start


# ---- files -------------------------------------------------------------------------------


@dataclass
class ProbeResult:
    name: str
    seconds: float
    limit: float
    exit_code: int | None
    hang: bool = False
    traceback: bool = False
    unclear: list[str] = field(default_factory=list)  # what is wrong with how the run told about the probe
    controls_lost: int = 0
    integrity: str = "ok"

    @property
    def ok(self) -> bool:
        return not (self.hang or self.traceback or self.unclear or self.controls_lost) and self.integrity == "ok"


def probe_size(path: Path) -> int:
    """Bytes the probe really holds (a sparse file counts what is allocated, a symlink loop nothing)."""
    try:
        status = path.lstat()
    except OSError:
        return 0
    return min(status.st_size, status.st_blocks * 512) if path.is_file() and not path.is_symlink() else 0


def run_probe(probe: Probe, folder: Path, *, workers: int = 1, article_seconds: float = 60.0) -> ProbeResult:
    """One probe and its control through the real command; what a correct run must show is checked."""
    inputs = folder / "inputs"
    inputs.mkdir(parents=True)
    path = probe.write(inputs)
    control = control_files(inputs, probe.kind)
    limit = START_SECONDS + SECONDS_PER_MB * probe_size(path) / 2**20
    if probe.command == "similarity":
        return _run_pairs_probe(probe, path, control, folder, limit)
    db = folder / "store.db"
    run, seconds = storyline(
        "ingest", str(inputs), "--db", str(db), "-q", "--workers", str(workers), "--max-article-seconds", str(article_seconds), timeout=limit
    )
    result = ProbeResult(probe.name, round(seconds, 2), round(limit), run.returncode if run else None, hang=run is None)
    if run is None:
        return result
    output = run.stdout + run.stderr
    result.traceback = TRACEBACK in output
    problems = _problem_lines(run.stderr)
    mine = [line for line in problems if path.name in line]
    if any("; " not in line for line in problems):
        result.unclear.append("a problem line says not what to do: " + next(line for line in problems if "; " not in line))
    sources = _stored_sources(db)
    result.integrity = _integrity(db)
    result.controls_lost = 0 if any(s.endswith(control.name) for s in sources) else 1
    stored = [s for s in sources if path.name in s]
    readable = not (probe.defect == "unreadable" and is_root())  # root reads a file of mode 000
    if probe.expect == "error" and readable:
        if run.returncode == 0:
            result.unclear.append("exit code 0 for an input that cannot be ingested")
        if not mine:
            result.unclear.append("no problem names the input")
        if stored:
            result.unclear.append(f"stored from an input that should be refused: {stored}")
    elif probe.expect == "stored" and not stored:
        result.unclear.append("not stored: " + "; ".join(mine or problems or ["(nothing said)"]))
    elif probe.expect == "rows":
        if not stored:
            result.unclear.append("none of its good lines stored")
        if not mine or run.returncode == 0:
            result.unclear.append("its bad lines are not reported (or the exit code is 0)")
        elif not all(re.search(rf"{re.escape(path.name)}:\d+", line) for line in mine):
            result.unclear.append("a bad line is reported without its line number")
    elif probe.expect == "either" and run.returncode != 0 and not mine:
        result.unclear.append("failed without naming the input")
    return result


def _run_pairs_probe(probe: Probe, path: Path, control: Path, folder: Path, limit: float) -> ProbeResult:
    out = folder / "scores.csv"
    run, seconds = storyline("similarity", str(path), "--out", str(out), "--quiet", timeout=limit)
    result = ProbeResult(probe.name, round(seconds, 2), round(limit), run.returncode if run else None, hang=run is None)
    control_run, control_seconds = storyline("similarity", str(control), "--out", str(folder / "control-scores.csv"), "--quiet", timeout=START_SECONDS)
    result.seconds = round(result.seconds + control_seconds, 2)
    if control_run is None or control_run.returncode != 0:
        result.controls_lost = 1
    if run is None:
        return result
    output = run.stdout + run.stderr
    result.traceback = TRACEBACK in output or (control_run is not None and TRACEBACK in control_run.stderr)
    rows = _csv_rows(out)
    if probe.expect == "error":
        if run.returncode == 0:
            result.unclear.append("exit code 0 for an input that cannot be scored")
        if path.name not in run.stderr:
            result.unclear.append("the error does not name the input")
        if out.exists() and rows:
            result.unclear.append("scores written for an input that should be refused")
    elif probe.expect == "rows":
        good = [r for r in rows if r["pair_id"].startswith("g") and r["Overall"]]
        bad = [r for r in rows if r["pair_id"].startswith("b")]
        if len(good) != sum(1 for r in rows if r["pair_id"].startswith("g")):
            result.unclear.append("a good row was not scored")
        if not bad or any(r["Overall"] for r in bad):
            result.unclear.append("the broken row is missing from the output, or scored")
        if run.returncode == 0 or not re.search(rf"{re.escape(path.name)}:3\b", run.stderr):
            result.unclear.append("the broken row is not reported at its own line (3)")
        if any(not re.fullmatch(r"[gb]\d", r["pair_id"]) for r in rows):
            result.unclear.append(f"a pair_id not from the id column: {[r['pair_id'] for r in rows]}")
    elif probe.expect == "stored" and not (rows and all(r["Overall"] for r in rows)):
        result.unclear.append("a good row was not scored: " + run.stderr.strip()[-300:])
    return result


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _problem_lines(stderr: str) -> list[str]:
    """The lines listing inputs that could not be ingested (after the 'could not be ingested' line)."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if "could not be ingested" in line), None)
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")] if start is not None else []


def _stored_sources(db: Path) -> list[str]:
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as raw:
        return [row[0] for row in raw.execute("SELECT source FROM sources")]


def _integrity(db: Path) -> str:
    if not db.exists():
        return "ok"
    with contextlib.closing(sqlite3.connect(db)) as raw:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])


def file_campaign(work: Path, *, fast: bool, jobs: int = 1) -> dict[str, Any]:
    return _campaign([p for p in probes() if not (fast and p.slow)], run_probe, work, jobs)


def _campaign(chosen: list[Any], run: Callable[[Any, Path], ProbeResult], work: Path, jobs: int) -> dict[str, Any]:
    """Each probe in a folder of its own, ``jobs`` at a time (each its own process: the time limits are
    generous enough for a busy machine), in the order given."""
    from concurrent.futures import ThreadPoolExecutor

    def one(probe: Any) -> ProbeResult:
        result = run(probe, work / probe.name)
        _print_probe(probe.name, result)
        shutil.rmtree(work / probe.name, ignore_errors=True)
        return result

    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, chosen))
    return _summary(results, kinds={p.kind for p in chosen}, defects={p.defect for p in chosen})


def _print_probe(name: str, result: ProbeResult) -> None:
    print(f"  {'ok  ' if result.ok else 'FAIL'} {name:34} {result.seconds:7.1f} s (limit {result.limit:.0f})"
          + ("" if result.ok else f"  {result.unclear or ''} hang={result.hang} tb={result.traceback} lost={result.controls_lost}"), flush=True)


def _summary(results: list[ProbeResult], *, kinds: set[str], defects: set[str]) -> dict[str, Any]:
    return {
        "probes_tried": len(results),
        "hangs": sum(r.hang for r in results),
        "tracebacks": sum(r.traceback for r in results),
        "unclear_errors": sum(bool(r.unclear) for r in results),
        "articles_lost": sum(r.controls_lost for r in results),
        "integrity_failures": sum(r.integrity != "ok" for r in results),
        "slowest": sorted(({"probe": r.name, "seconds": r.seconds, "limit": r.limit} for r in results), key=lambda r: -r["seconds"])[:5],
        "failures": [asdict(r) for r in results if not r.ok],
        "kinds": sorted(kinds),
        "defects": sorted(defects),
    }


# ---- feeds and sitemaps ------------------------------------------------------------------


def run_source_probe(probe: SourceProbe, folder: Path, *, workers: int = 1, article_seconds: float = 60.0) -> ProbeResult:
    """One hostile feed or sitemap beside a good feed (one control article) on a loopback site, through the real
    `storyline fetch`: what a correct run must show is checked as for the files."""
    import storyline as package
    from tests.site import LoopbackSite

    folder.mkdir(parents=True)
    db = folder / "store.db"
    limit = START_SECONDS + 60 + SECONDS_PER_MB * probe.served_mb  # 60: a request may take fetch's 30 s, twice
    with LoopbackSite() as site:
        control_page = site.add("/control/harvest.html", page(CONTROL, "Rice harvest starts early").encode())
        control_feed = site.add("/control/feed.xml", rss([control_page]), "application/rss+xml")
        hostile = probe.serve(site)
        with package.open(db) as sl:
            sl.add_sources([control_feed, hostile])
        run, seconds = storyline(
            "fetch", "--db", str(db), "--now", "--allow-private-addresses", "--delay", "0", "--workers", str(workers),
            "--max-article-seconds", str(article_seconds), timeout=limit,
        )
    result = ProbeResult(probe.name, round(seconds, 2), round(limit), run.returncode if run else None, hang=run is None)
    result.integrity = _integrity(db)
    result.controls_lost = 0 if control_page in _stored_urls(db) else 1
    if run is None:
        return result
    result.traceback = TRACEBACK in run.stdout + run.stderr
    problems = [line.strip() for line in run.stderr.splitlines() if line.startswith("  ")]
    if any("; " not in line and "HTTP" not in line for line in problems):
        result.unclear.append("a problem line says not what to do: " + next(line for line in problems if "; " not in line))
    if probe.expect == "error" and not any(HOSTILE in line for line in problems):
        result.unclear.append("no problem names the hostile source or its page")
    return result


def _stored_urls(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with contextlib.closing(sqlite3.connect(db)) as raw:
        return {row[0] for row in raw.execute("SELECT url FROM articles WHERE url IS NOT NULL")}


def source_campaign(work: Path, *, fast: bool, jobs: int = 1) -> dict[str, Any]:
    return _campaign([p for p in source_probes() if not (fast and p.slow)], run_source_probe, work, jobs)


# ---- regex -------------------------------------------------------------------------------


def package_patterns() -> dict[str, re.Pattern[str]]:
    """Every regular expression of the package: module globals (in tuples and dicts too), those of the
    per-language builders, and those the package compiles on the fly while the pipeline cleans and
    analyzes sample articles (libraries' own patterns are theirs, and left out)."""
    import importlib
    import pkgutil

    import storyline
    from storyline.analyze import _time_rules
    from storyline.model import RawDocument
    from storyline.pipeline import prepare

    found: dict[str, re.Pattern[str]] = {}

    def collect(value: Any, depth: int = 0) -> None:
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            found.setdefault(value.pattern, value)
        elif depth < 2 and isinstance(value, (tuple, list)):
            for item in value:
                collect(item, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for item in value.values():
                collect(item, depth + 1)

    for module_info in pkgutil.walk_packages(storyline.__path__, "storyline."):
        for value in vars(importlib.import_module(module_info.name)).values():
            collect(value)
    for code in _time_rules.LANGUAGES:
        collect(_time_rules.grammar(code))
        collect(_time_rules.rule_patterns(code))
        collect(_time_rules.tense_markers(code))
    compile_ = re._compile  # type: ignore[attr-defined]

    def compiled_by_storyline(pattern: Any, flags: Any) -> Any:
        compiled = compile_(pattern, flags)
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "") in ("re", "re._compiler", __name__):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is not None and frame.f_globals.get("__name__", "").startswith("storyline"):
            collect(compiled)
        return compiled

    samples = [
        ("text", "Dock strike\n\n" + ARTICLE), ("text", CONTROL + "\n\n© 2024 Ebro Herald. All rights reserved."),
        ("html", f"<html><head><title>T</title><meta charset='latin-1'></head><body><article><p>{ARTICLE}</p></article></body></html>"),
    ]
    re._compile = compiled_by_storyline  # type: ignore[attr-defined]
    try:
        re.purge()
        prepare([RawDocument(f"r{i}", f"r{i}", kind, body.encode()) for i, (kind, body) in enumerate(samples)])  # type: ignore[arg-type]
    finally:
        re._compile = compile_  # type: ignore[attr-defined]
    return found


SUBJECTS: dict[str, Callable[[int], str]] = {
    "one-line-words": lambda n: (" ".join(ARTICLE.split()) + " ") * (n // len(ARTICLE) + 1),
    "letters": lambda n: "a" * n,
    "spaces": lambda n: "a" + " " * n + "!",
    "digits": lambda n: "1" * n,
    "dots": lambda n: ". " * (n // 2),
    "capitals": lambda n: "Ab " * (n // 3),
    "quotes": lambda n: '"a ' * (n // 3),
    "dashes": lambda n: "- " * (n // 2),
    "newlines": lambda n: "a\n" * (n // 2),
    "tags": lambda n: "<a " * (n // 3),
    "commas": lambda n: "a, " * (n // 3),
    "mixed": lambda n: "".join(random.Random(3).choice("aA1 .,;:-\"'«»\n<>()") for _ in range(n)),
}


# Below this a time says nothing on a machine shared by several busy processes (a pause of the
# process is tens of milliseconds); a quadratic pattern on the large subjects takes seconds.
NOISE_SECONDS = 0.25


class _OverBudget(Exception):
    pass


def _time_pattern(pattern: re.Pattern[str], subject: str, budget: float) -> float:
    """Seconds for finditer over the subject, stopped at the budget (a timer signal: the regex engine
    checks signals while it backtracks)."""

    def stop(signum: int, frame: Any) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, stop)
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        for _ in pattern.finditer(subject):
            pass
    except _OverBudget:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - start


def _backtracks(t_short: float, t_long: float, budget: float) -> bool:
    """10x the text, over 40x the time (once past the noise of a shared machine), or over the budget."""
    return t_long > budget or (t_long > NOISE_SECONDS and t_long > 40 * max(t_short, 1e-4))


def regex_audit(*, small: int = 20_000, large: int = 200_000, budget: float = 5.0, one_line_sizes: tuple[int, ...] = (2**20, 10 * 2**20)) -> dict[str, Any]:
    """Each pattern on each pathological subject at two sizes, and on one line of words of 1 MB and 10 MB.

    A pattern is flagged when its time grows much faster than the text (10x the text, over 40x
    the time, once it takes NOISE_SECONDS at least): it backtracks. A scan of the 10 MB line is also
    timed against the budget (a linear scan of 10 MB by a complex alternation takes seconds;
    Storyline never hands one article's 10 MB to a pattern, the clean stage cuts it first).
    """
    patterns = package_patterns()
    flagged = []
    slowest = []
    for text, pattern in patterns.items():
        for shape, make in SUBJECTS.items():
            short, long_ = make(small)[:small], make(large)[:large]
            t_short = _time_pattern(pattern, short, budget)
            t_long = _time_pattern(pattern, long_, budget)
            if _backtracks(t_short, t_long, budget):  # timed again, the best of three: a shared machine pauses a process now and then
                t_short = min(t_short, *(_time_pattern(pattern, short, budget) for _ in range(2)))
                t_long = min(t_long, *(_time_pattern(pattern, long_, budget) for _ in range(2)))
            slowest.append((t_long, shape, text[:80]))
            if _backtracks(t_short, t_long, budget):
                flagged.append({"pattern": text[:200], "subject": shape, f"seconds_{small}": round(t_short, 4), f"seconds_{large}": round(t_long, 4)})
    one_line = SUBJECTS["one-line-words"](one_line_sizes[-1])
    growth = []
    def too_fast(times: list[float]) -> bool:
        return times[-1] > NOISE_SECONDS and times[-1] > 40 * max(times[0], 1e-4) * one_line_sizes[-1] / one_line_sizes[0] / 10

    for text, pattern in patterns.items():
        times = [_time_pattern(pattern, one_line[:size], 10 * budget) for size in one_line_sizes]
        if too_fast(times):  # timed again, the best of three (see above)
            times = [min(t, *(_time_pattern(pattern, one_line[:size], 10 * budget) for _ in range(2))) for t, size in zip(times, one_line_sizes)]
        growth.append((times[-1], text[:80], times))
        if too_fast(times):
            flagged.append({"pattern": text[:200], "subject": "one-line-words", **{f"seconds_{s}": round(t, 3) for s, t in zip(one_line_sizes, times)}})
    slowest.sort(reverse=True)
    growth.sort(reverse=True)
    return {
        "patterns": len(patterns),
        "subjects": sorted(SUBJECTS),
        "sizes": [small, large, *one_line_sizes],
        "flagged": flagged,
        "slowest": [{"seconds": round(t, 4), "subject": s, "pattern": p} for t, s, p in slowest[:5]],
        "slowest_on_one_line": [{"pattern": p, **{f"seconds_{s}": round(t, 3) for s, t in zip(one_line_sizes, times)}} for _, p, times in growth[:5]],
    }


# ---- kill -9 -----------------------------------------------------------------------------


def synthetic_feed(path: Path, articles: int) -> None:
    """Distinct articles on a few recurring topics, so that matching has real work to do."""
    topics = ["harbour strike", "river flood", "chess final", "satellite launch", "wine harvest", "rail tunnel", "bird census", "tax reform"]
    places = ["Hamburg", "Valparaíso", "Kourou", "Lyon", "Tromsø", "Malatya", "Arequipa", "Rabat", "Montevideo", "Vienna"]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(articles):
            topic, place = topics[i % len(topics)], places[(i * 7) % len(places)]
            text = (
                f"Report {i} on the {topic} in {place}\n\n"
                f"Officials in {place} gave new details on Tuesday about the {topic}, number {i} in our series. "
                f"Residents told reporters that the {topic} had changed daily life in {place} in ways few expected. "
                f"Local authorities promised a further statement on the {topic} later in the week, item {i * 31 % 97}."
            )
            handle.write(json.dumps({"id": f"doc-{i}", "text": text, "published": f"2024-03-{1 + i % 28:02d}"}) + "\n")


def stored_count(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as raw:
            return int(raw.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_until(progressed: Callable[[], bool], process: subprocess.Popen, *, seconds: float) -> None:
    """Poll until the run has done something new, has ended, or ``seconds`` passed: a kill then lands in work, not in start-up."""
    deadline = time.monotonic() + seconds
    while not progressed() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def _kill_group_after(process: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the run's whole process group ``delay`` seconds from now; True when it had finished by itself first."""
    time.sleep(delay)
    finished = process.poll() is not None
    if not finished:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return finished


def kill_campaign(work: Path, *, kills: int, articles: int | None = None, batch_size: int = 8, workers: int = 1, seed: int = 11) -> dict[str, Any]:
    """``kills`` runs of ingest on one store, each killed with SIGKILL after a random time; then a run to the end.

    Each kill point is a random delay past the moment the run has stored something new (or
    its start): the kills land in reading, preparing, matching and committing alike. A run
    stores 20 to 60 articles before its kill (less on a loaded machine), so 80 per kill leave
    enough for every kill; the final run stores the rest (on a machine at load 12, 6,000 of them
    took more than an hour: ``--kill-articles`` sizes the input down).
    """
    articles = articles or max(400, 80 * kills)
    rng = random.Random(seed)
    feed = work / "feed.jsonl"
    db = work / "killed.db"
    synthetic_feed(feed, articles)
    command = [PYTHON, "-m", "storyline", "ingest", str(feed), "--db", str(db), "--batch-size", str(batch_size), "-q", "--workers", str(workers)]
    integrity_failures = partial_batches = finished_early = 0
    points = []
    for _ in range(kills):
        before = stored_count(db)
        if before >= articles:
            break
        process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_until(lambda: stored_count(db) != before, process, seconds=300)
        delay = rng.uniform(0, 1.5)
        finished_early += _kill_group_after(process, delay)  # the ingest and its workers, as a crash would
        after = stored_count(db)
        points.append({"stored_before": before, "stored_after": after, "delay": round(delay, 2)})
        integrity_failures += _integrity(db) != "ok"
        partial_batches += (after - before) % batch_size != 0 and after != articles
    final, final_seconds = storyline(*command[3:], timeout=7200)  # None: it had to be killed (a hang), reported below
    with contextlib.closing(sqlite3.connect(db)) as raw:
        ids = [row[0] for row in raw.execute("SELECT external_id FROM articles")]
        orphans = raw.execute("SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)").fetchone()[0]
    expected = {f"doc-{i}" for i in range(articles)}
    return {
        "articles": articles,
        "kills": len(points) - finished_early,
        "runs_that_finished_before_their_kill": finished_early,
        "lost": len(expected - set(ids)),
        "doubled": len(ids) - len(set(ids)),
        "integrity_failures": integrity_failures + (_integrity(db) != "ok"),
        "partial_batches": partial_batches,
        "articles_without_story": orphans,
        "final_exit_code": final.returncode if final else None,
        "final_run_seconds": round(final_seconds),
        "points": points,
    }


def _progress_mark(db: Path) -> tuple[int, int]:
    """What a watch has done so far: pages it knows of and pages in a final state, articles stored."""
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as raw:
            pages = raw.execute("SELECT COUNT(*), SUM(state != 'pending') FROM watched_pages").fetchone()
            return int(pages[0] or 0) + int(pages[1] or 0), int(raw.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0, 0


def watch_kill_campaign(work: Path, *, kills: int, pages: int = 240, seed: int = 13) -> dict[str, Any]:
    """``kills`` runs of `storyline watch`, each killed with SIGKILL at a random moment once it has done something
    new (polled, fetched, stored), in rounds: each round a new store watching a new loopback site whose feed and
    sitemap list ``pages`` articles, killed again and again until it holds them all, then one `storyline fetch --now`:
    every page stored exactly once, the store whole. (A watch stores a few dozen pages before its kill: a site of
    thousands of pages to fill 100 kills would test the feed reader more than the kills.)"""
    rng = random.Random(seed)
    texts = work / "texts.jsonl"
    synthetic_feed(texts, pages)
    bodies = [json.loads(line)["text"].partition("\n\n") for line in texts.read_text(encoding="utf-8").splitlines()]
    points: list[dict[str, Any]] = []
    rounds = []
    while len(points) < kills:
        (work / f"round-{len(rounds)}").mkdir()
        rounds.append(_watch_kill_round(work / f"round-{len(rounds)}", bodies, kills=kills - len(points), rng=rng, points=points))
        for point in points[-rounds[-1]["runs"]:]:
            point["round"] = len(rounds) - 1
    finished_early = sum(r["runs_that_ended_before_their_kill"] for r in rounds)
    return {
        "pages_per_round": pages,
        "rounds": len(rounds),
        "kills": len(points) - finished_early,
        "runs_that_ended_before_their_kill": finished_early,
        **{key: sum(r[key] for r in rounds) for key in ("lost", "doubled", "integrity_failures", "articles_without_story", "pages_fetched_more_than_once")},
        "final_exit_codes": sorted({r["final_exit_code"] for r in rounds}, key=str),
        "points": points,
    }


def _watch_kill_round(work: Path, bodies: list[tuple[str, str, str]], *, kills: int, rng: random.Random, points: list[dict[str, Any]]) -> dict[str, Any]:
    """One store watching one site, killed at most ``kills`` times (its points appended to ``points``), then a fetch."""
    import storyline as package
    from tests.site import LoopbackSite

    db = work / "watched.db"
    pages = len(bodies)
    runs = finished_early = integrity_failures = 0
    with LoopbackSite() as site:
        urls = [site.add(f"/news/{i}.html", page(body, title).encode()) for i, (title, _, body) in enumerate(bodies)]
        half = pages // 2
        feed = site.add("/feed.xml", rss(urls[:half]), "application/rss+xml")
        sitemap = site.add("/sitemap.xml", "".join(
            ["<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", *(f"<url><loc>{u}</loc></url>" for u in urls[half:]),
             "</urlset>"]).encode(), "application/xml")
        with package.open(db) as sl:
            sl.add_sources([feed, sitemap])
        command = [PYTHON, "-m", "storyline", "watch", "--db", str(db), "--allow-private-addresses", "--delay", "0", "--workers", "1"]
        while runs < kills:
            before = _progress_mark(db)
            if before[1] >= pages:
                break
            process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            # half the kills once it has polled or fetched something new, half once it has stored more
            moment = rng.choice(["polled or fetched", "stored"])
            moved = (lambda now: now != before) if moment == "polled or fetched" else (lambda now: now[1] > before[1])
            _wait_until(lambda: moved(_progress_mark(db)), process, seconds=300)
            delay = rng.uniform(0, 2.0)
            finished_early += _kill_group_after(process, delay)
            runs += 1
            after = _progress_mark(db)
            points.append({"after": moment, "delay": round(delay, 2), "stored_before": before[1], "stored_after": after[1]})
            integrity_failures += _integrity(db) != "ok"
        final, _ = storyline("fetch", "--db", str(db), "--now", "--allow-private-addresses", "--delay", "0", timeout=1800)
        requests = {u: len(site.requests_for(urlsplit(u).path)) for u in urls}  # a page asked again was killed before it was saved
    with contextlib.closing(sqlite3.connect(db)) as raw:
        stored = [row[0] for row in raw.execute("SELECT url FROM articles")]
        orphans = raw.execute("SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)").fetchone()[0]
    counts = Counter(stored)
    return {
        "runs": runs,
        "runs_that_ended_before_their_kill": finished_early,
        "lost": sum(1 for u in urls if counts[u] == 0),
        "doubled": sum(1 for u in urls if counts[u] > 1),
        "integrity_failures": integrity_failures + (_integrity(db) != "ok"),
        "articles_without_story": orphans,
        "pages_fetched_more_than_once": sum(1 for n in requests.values() if n > 1),
        "final_exit_code": final.returncode if final else None,
    }


# ---- kill -9 of backfill -------------------------------------------------------------------


def export_of(db: Path) -> dict[str, Any]:
    """The store as `storyline export` writes it."""
    return json.loads(subprocess.run([PYTHON, "-m", "storyline", "export", "--db", str(db)], env=ENV, capture_output=True, text=True,
                                     check=True, timeout=600).stdout)


def without_explanations(export: dict[str, Any]) -> dict[str, Any]:
    """The export but the stories' explanations. The sentence encoder's output moves in the 7th decimal with the
    other texts of its batch, and a re-run analyses the rest of a crashed run in other batches: now and then an
    agreed fact or a summary sentence falls on the other side of a threshold. Stories and articles do not move."""
    kept = ("id", "title", "articles", "first_published", "last_published", "outlets", "languages")
    return {**export, "stories": [{key: story[key] for key in kept} for story in export["stories"]]}


def backfill_kill_campaign(work: Path, *, kills: int, articles: int = 80, minutes: float | None = None, seed: int = 17) -> dict[str, Any]:
    """``kills`` runs of `storyline backfill` (Spark local[2]: a JVM, Python workers), each killed with SIGKILL, and a
    re-run after each; when a store holds everything, one more run, then its export is compared with an uninterrupted
    backfill's, and the next round starts on a new store.

    Inputs: a synthetic JSONL feed of ``articles`` read in slices by several Spark tasks, and the sample corpus
    (JSONL, HTML pages, scraped pages). Half the kills land at a random moment of the run (most of it is Spark starting
    and the executors preparing), half a random moment after the run stored something new (matching and committing).
    Half kill the whole process tree at once (a machine or container going down), half the driver alone (the OOM
    killer): then the JVM and Spark's Python workers must go by themselves (those left after 30 s are orphans).
    ``minutes``: no kill starts past this budget (Spark starts slowly; the count reached is reported).
    """
    started = time.monotonic()
    rng = random.Random(seed)
    feed = work / "feed.jsonl"
    synthetic_feed(feed, articles)
    spark_dir = work / "spark-local"  # Spark's scratch files (shuffle, the persisted prepared articles): what a kill leaves
    spark_dir.mkdir()
    inputs = [str(feed), str(REPO / "examples" / "corpus")]

    def command(db: Path) -> list[str]:
        return [PYTHON, "-m", "storyline", "backfill", *inputs, "--db", str(db), "--spark", "local[2]", "--batch-size", "8",
                "--slice-mb", "0.01", "--conf", f"spark.local.dir={spark_dir}", "-q"]

    reference_started = time.monotonic()
    reference_db = work / "uninterrupted.db"
    reference_run = subprocess.run(command(reference_db), env=ENV, capture_output=True, text=True, timeout=3600)
    if reference_run.returncode != 0:
        raise RuntimeError(f"the uninterrupted backfill failed: {reference_run.stderr[-2000:]}")
    reference_seconds = time.monotonic() - reference_started
    reference = export_of(reference_db)
    expected = Counter((a["source"], a["external_id"]) for a in reference["articles"])
    total = len(reference["articles"])
    left_by_finished_run = len(list(spark_dir.iterdir()))

    points: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    integrity_failures = partial_batches = orphans = finished_early = 0
    round_number, db = 0, work / "killed-0.db"

    def close_round() -> None:
        """One more run on the round's store, then the store compared with the uninterrupted one."""
        final = subprocess.run(command(db), env=ENV, capture_output=True, text=True, timeout=3600)
        export = export_of(db)
        stored = Counter((a["source"], a["external_id"]) for a in export["articles"])
        rounds.append({
            "kills": sum(1 for p in points if p["round"] == round_number and not p["finished_before_kill"]),
            "final_exit_code": final.returncode,
            "lost": sum((expected - stored).values()),
            "doubled": sum(n - 1 for n in stored.values() if n > 1),
            "unexpected": sum((stored - expected).values()),
            "same_store_as_uninterrupted": without_explanations(export) == without_explanations(reference),
            "same_explanations": export == reference,
            "integrity": _integrity(db),
        })

    for _ in range(kills):
        if minutes is not None and time.monotonic() - started > minutes * 60:
            break
        before = stored_count(db)
        if before >= total:
            close_round()
            round_number += 1
            db = work / f"killed-{round_number}.db"
            before = 0
        moment = rng.choice(["any time", "after it stored"])
        target = rng.choice(["process tree", "driver alone"])
        process = subprocess.Popen(command(db), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        run_started = time.monotonic()
        if moment == "any time":
            delay = rng.uniform(0, reference_seconds)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=delay)
        else:
            _wait_until(lambda: stored_count(db) != before, process, seconds=600)
            delay = rng.uniform(0, 1.0)  # the driver stores about 100 articles a second: most of these land mid-storing
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=delay)
        seconds = time.monotonic() - run_started
        finished = process.poll() is not None
        tree: dict[int, bytes] = {}
        left: list[int] = []
        if finished:
            finished_early += 1
        elif target == "process tree":
            tree = processes.kill_tree(process.pid)
        else:
            tree = {pid: processes.command(pid) for pid in [process.pid, *processes.descendants(process.pid)]}
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            tree.update({pid: processes.command(pid) for pid in processes.descendants(*tree)})  # forked meanwhile
        process.wait()
        gone_by = time.monotonic() + 30  # the JVM and Spark's Python workers must notice their driver is gone, and go
        while (left := processes.alive(tree)) and time.monotonic() < gone_by:
            time.sleep(0.2)
        orphans += len(left)
        processes.kill_all(left)
        after = stored_count(db)
        integrity = _integrity(db)
        integrity_failures += integrity != "ok"
        partial_batches += (after - before) % 8 != 0 and after != total
        points.append({
            "round": round_number, "moment": moment, "killed": target, "seconds": round(seconds, 1), "finished_before_kill": finished,
            "processes": len(tree), "orphans": len(left), "stored_before": before, "stored_after": after,
            "spark_scratch_entries": len(list(spark_dir.iterdir())), "integrity": integrity,
        })
        print(f"  kill {len(points)}: round {round_number}, {moment}, {target}, {seconds:.1f} s, stored {before} -> {after}"
              f"{', finished first' if finished else ''}{f', {len(left)} orphans' if left else ''}", flush=True)
    close_round()
    scratch = sum(f.stat().st_size for f in spark_dir.rglob("*") if f.is_file())
    return {
        "articles": total,
        "uninterrupted_seconds": round(reference_seconds, 1),
        "kills": len(points) - finished_early,
        "runs_that_finished_before_their_kill": finished_early,
        "kills_by_moment": dict(Counter(p["moment"] for p in points if not p["finished_before_kill"])),
        "kills_by_target": dict(Counter(p["killed"] for p in points if not p["finished_before_kill"])),
        "kills_while_storing": sum(1 for p in points if not p["finished_before_kill"] and p["stored_after"] > p["stored_before"]),
        "rounds": len(rounds),
        "lost": sum(r["lost"] for r in rounds),
        "doubled": sum(r["doubled"] for r in rounds),
        "unexpected": sum(r["unexpected"] for r in rounds),
        "integrity_failures": integrity_failures + sum(r["integrity"] != "ok" for r in rounds),
        "partial_batches": partial_batches,
        "rounds_not_the_uninterrupted_store": sum(not r["same_store_as_uninterrupted"] for r in rounds),
        "rounds_with_other_explanations": sum(not r["same_explanations"] for r in rounds),
        "final_exit_codes": sorted({r["final_exit_code"] for r in rounds}),
        "orphan_processes": orphans,
        "spark_scratch_left": {"entries_after_uninterrupted_run": left_by_finished_run, "entries_at_end": len(list(spark_dir.iterdir())),
                               "bytes_at_end": scratch},
        "seconds": round(time.monotonic() - started),
        "round_results": rounds,
        "points": points,
    }


# ---- http --------------------------------------------------------------------------------


def server(db: Path, token: str, *, port: int | None = None) -> contextlib.AbstractContextManager[tuple[str, subprocess.Popen[bytes]]]:
    """`storyline serve` on loopback with ``token``, its log beside the store; yields its base URL and process."""
    return processes.serving(
        db, env={**ENV, "STORYLINE_TOKEN": token}, log=db.with_suffix(".serve.log"), port=port, wait_seconds=180,
    )


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(1000 * values[min(len(values) - 1, int(q * (len(values) - 1)))], 1)


async def _load(base: str, token: str, *, clients: int, seconds: float, write_every: int, prefix: str) -> dict[str, Any]:
    """``clients`` clients in a loop for ``seconds``: reads, and with ``write_every`` one POST in so many requests."""
    latencies: dict[str, list[float]] = {"read": [], "write": []}
    failures: dict[str, int] = {"read": 0, "write": 0}
    end = time.monotonic() + seconds
    paths = ["/api/stories?limit=5", "/", "/search?q=strike", "/api/search?q=harbour", "/healthz"]
    counter = 0

    async def client(number: int) -> None:
        nonlocal counter
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            i = 0
            while time.monotonic() < end:
                i += 1
                kind = "write" if write_every and i % write_every == 0 else "read"
                start = time.monotonic()
                try:
                    if kind == "write":
                        counter += 1
                        text = f"{CONTROL} Report {prefix}-{number}-{i}: officials in Lyon counted {counter} new cases on Tuesday."
                        response = await http.post(
                            "/api/articles", json={"id": f"{prefix}-{number}-{i}", "text": text, "language": "en"},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                        ok = response.status_code in (200, 201)
                    else:
                        response = await http.get(random.choice(paths))
                        ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies[kind].append(time.monotonic() - start)
                else:
                    failures[kind] += 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return {
        kind: {"served": len(latencies[kind]), "failed": failures[kind], "p50_ms": _percentile(latencies[kind], 0.5),
               "p99_ms": _percentile(latencies[kind], 0.99)}
        for kind in ("read", "write") if latencies[kind] or failures[kind]
    }


def _post_stream(base: str, token: str, prefix: str, answered: list[str], stop: threading.Event) -> None:
    """POST articles one after another until stopped; the ids answered 2xx are appended to ``answered``."""
    i = 0
    with httpx.Client(base_url=base, timeout=60) as http:
        while not stop.is_set():
            i += 1
            ident = f"{prefix}-{i}"
            text = f"{ARTICLE} Dispatch {ident}: the port authority counted {i} ships waiting at anchor on Tuesday."
            try:
                response = http.post("/api/articles", json={"id": ident, "text": text, "language": "en"}, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code in (200, 201):
                answered.append(ident)


def hostile_requests(base: str, token: str, secrets: list[str]) -> dict[str, Any]:
    """Requests a hostile client sends; each answer must be no 500, carry no traceback nor server path, and have the headers."""
    auth = {"Authorization": f"Bearer {token}"}
    json_type = {"Content-Type": "application/json"}
    requests: list[tuple[str, Callable[[httpx.Client], httpx.Response]]] = [
        ("huge body (declared)", lambda h: h.post("/api/articles", content=b"x" * (11 * 2**20), headers={**auth, **json_type})),
        ("malformed json", lambda h: h.post("/api/articles", content=b'{"text": ', headers={**auth, **json_type})),
        ("json of wrong types", lambda h: h.post("/api/articles", json={"text": ["a"], "title": {"x": 1}}, headers=auth)),
        ("deep json", lambda h: h.post("/api/articles", content=b"[" * 100_000 + b"]" * 100_000, headers={**auth, **json_type})),
        ("no token", lambda h: h.post("/api/articles", json={"text": ARTICLE})),
        ("wrong token", lambda h: h.post("/api/articles", json={"text": ARTICLE}, headers={"Authorization": "Bearer not-it"})),
        ("token in the query string", lambda h: h.post(f"/api/articles?token={token}", json={"text": ARTICLE})),
        ("path traversal (static)", lambda h: h.get("/static/../../../../etc/passwd")),
        ("path traversal (encoded)", lambda h: h.get("/static/..%2f..%2f..%2fetc%2fpasswd")),
        ("path traversal (article id)", lambda h: h.get("/api/articles/..%2f..%2fetc%2fpasswd")),
        ("extreme offset", lambda h: h.get("/api/stories", params={"offset": str(10**30)})),
        ("extreme offset (pages)", lambda h: h.get("/", params={"offset": str(2**63)})),
        ("negative limit", lambda h: h.get("/api/search", params={"q": "a", "limit": "-1"})),
        ("huge limit", lambda h: h.get("/api/stories", params={"limit": str(10**12)})),
        ("long query", lambda h: h.get("/api/search", params={"q": "a " * 30_000})),
        ("fts syntax", lambda h: h.get("/api/search", params={"q": 'NEAR("a" "b") OR * AND ^'})),
        ("unknown route", lambda h: h.get("/api/../../etc/passwd")),
        ("wrong method", lambda h: h.delete("/api/stories")),
        ("nul in path", lambda h: h.get("/api/articles/a%00b")),
        ("gzip bomb upload", lambda h: h.post(
            "/api/articles", files=[("file", ("bomb.jsonl.gz", gzip.compress(b"\n" * (50 * 2**20)), "application/gzip"))], headers=auth)),
        ("gzip zeros upload", lambda h: h.post(
            "/api/articles", files=[("file", ("zeros.txt.gz", gzip.compress(b"\0" * (50 * 2**20)), "application/gzip"))], headers=auth)),
        ("upload name with a path", lambda h: h.post(
            "/api/articles", files=[("file", ("../../etc/evil\x1b[31m.txt", ARTICLE.encode(), "text/plain"))], headers=auth)),
        ("wrong content type", lambda h: h.post("/api/articles", content=b"<xml/>", headers={**auth, "Content-Type": "application/xml"})),
    ]
    answers = []
    with httpx.Client(base_url=base, timeout=120) as http:
        for name, send in requests:
            try:
                response = send(http)
            except httpx.HTTPError as exc:
                answers.append({"request": name, "status": None, "problem": f"no answer ({exc})"})
                continue
            problems = []
            if response.status_code >= 500:
                problems.append(f"status {response.status_code}")
            if "Traceback" in response.text or 'File "' in response.text:
                problems.append("a traceback")
            leaked = [s for s in secrets if s and s in response.text]
            if leaked:
                problems.append(f"a server path or secret: {leaked}")
            missing = [h for h in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy") if h not in response.headers]
            if missing:
                problems.append(f"no {', '.join(missing)}")
            answers.append({"request": name, "status": response.status_code, "problem": "; ".join(problems) or None})
    return {"requests": len(answers), "with_problems": [a for a in answers if a["problem"]], "statuses": {a["request"]: a["status"] for a in answers}}


def http_campaign(work: Path, *, seconds: float, clients: int) -> dict[str, Any]:
    token = "bench-token-7c1f"
    db = work / "served.db"
    corpus = work / "corpus.jsonl"
    synthetic_feed(corpus, 200)
    subprocess.run([PYTHON, "-m", "storyline", "ingest", str(corpus), "--db", str(db), "-q"], env=ENV, check=True, timeout=3600)
    results: dict[str, Any] = {"store_articles": stored_count(db), "clients": clients, "seconds_per_load": seconds}
    with server(db, token) as (base, _process):
        httpx.post(f"{base}/api/articles", json={"id": "warm-up", "text": ARTICLE}, headers={"Authorization": f"Bearer {token}"}, timeout=600)
        results["read_load"] = asyncio.run(_load(base, token, clients=clients, seconds=seconds, write_every=0, prefix="r"))
        results["mixed_load"] = asyncio.run(_load(base, token, clients=clients, seconds=seconds, write_every=5, prefix="m"))
        results["healthz_during_gzip_upload"] = healthz_during_upload(base, token)
        results["hostile"] = hostile_requests(base, token, secrets=[str(work), str(REPO), token, "/tmp/"])
    results["kill_during_posts"] = kill_during_posts(work, db, token)
    return results


def healthz_during_upload(base: str, token: str) -> dict[str, Any]:
    """A 100 KB gzip of blank lines uploaded (with the token) while /healthz and a read are asked over and over."""
    bomb = gzip.compress(b"\n" * (100 * 2**20), compresslevel=9)
    answer: dict[str, Any] = {}

    def upload() -> None:
        start = time.monotonic()
        response = httpx.post(f"{base}/api/articles", files=[("file", ("blank.jsonl.gz", bomb, "application/gzip"))],
                              headers={"Authorization": f"Bearer {token}"}, timeout=600)
        answer.update(status=response.status_code, seconds=round(time.monotonic() - start, 2), error=response.json().get("error"))

    thread = threading.Thread(target=upload)
    thread.start()
    latencies = []
    while thread.is_alive() and len(latencies) < 500:
        start = time.monotonic()
        httpx.get(f"{base}/healthz", timeout=60)
        httpx.get(f"{base}/api/stories?limit=1", timeout=60)
        latencies.append(time.monotonic() - start)
    thread.join()
    return {"upload_bytes": len(bomb), "upload": answer, "reads_during": len(latencies), "slowest_read_ms": _percentile(latencies, 1.0)}


def kill_during_posts(work: Path, db: Path, token: str, *, rounds: int = 3, posters: int = 4) -> dict[str, Any]:
    """kill -9 of the server while clients POST, then a restart; every POST answered 2xx must be stored exactly once.

    Each round starts the server, sends one article and waits for its answer (the worker has then loaded
    its models), lets ``posters`` clients POST for a random 3 to 10 s, and kills the server.
    """
    answered: list[str] = []
    rng = random.Random(5)
    port = processes.free_port()
    auth = {"Authorization": f"Bearer {token}"}
    for round_number in range(rounds):
        with server(db, token, port=port) as (base, process):
            first = f"k{round_number}-first"
            response = httpx.post(f"{base}/api/articles", json={"id": first, "text": f"{ARTICLE} Round {round_number}."}, headers=auth, timeout=600)
            if response.status_code in (200, 201):
                answered.append(first)
            stop = threading.Event()
            threads = [threading.Thread(target=_post_stream, args=(base, token, f"k{round_number}-{n}", answered, stop)) for n in range(posters)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(3, 10))
            process.send_signal(signal.SIGKILL)
            process.wait()
            stop.set()
            for thread in threads:
                thread.join()
    with server(db, token, port=port) as (base, _process):  # the killed store opens and serves again
        restarted = httpx.get(f"{base}/api/stories?limit=1", timeout=60).status_code
    with contextlib.closing(sqlite3.connect(db)) as raw:
        stored = [row[0] for row in raw.execute("SELECT external_id FROM articles WHERE external_id LIKE 'k%'")]
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    counts = {ident: stored.count(ident) for ident in set(answered)}
    return {
        "rounds": rounds,
        "posts_answered_2xx": len(answered),
        "lost": sum(1 for n in counts.values() if n == 0),
        "doubled": sum(1 for n in counts.values() if n > 1) + len(stored) - len(set(stored)),
        "integrity": integrity,
        "status_after_restart": restarted,
    }


# ---- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="files,sources,regex,kill,watch-kill,backfill-kill,http",
                        help="comma-separated parts: files, sources, regex, kill, watch-kill, backfill-kill, http")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--kill-articles", type=int, default=None,
                        help="articles of the ingest killed (default 80 per kill; on a loaded machine a run stores ~20 before its kill)")
    parser.add_argument("--watch-kills", type=int, default=100)
    parser.add_argument("--backfill-kills", type=int, default=100)
    parser.add_argument("--backfill-minutes", type=float, default=None, help="start no backfill kill past this many minutes")
    parser.add_argument("--jobs", type=int, default=1, help="probes run at once (files, sources)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of each HTTP load")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--fast", action="store_true", help="skip the slow probes; 10 kills")
    parser.add_argument("--result", default="reliability", help="name of the results file under bench/results/ (one per set of parts run)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    payload: dict[str, Any] = {"method": {"parts": sorted(parts), "fast": args.fast, "jobs": args.jobs, "kills": args.kills, "watch_kills": args.watch_kills,
                                 "backfill_kills": args.backfill_kills, "backfill_minutes": args.backfill_minutes, "start_seconds": START_SECONDS, "seconds_per_mb": SECONDS_PER_MB}}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="storyline-reliability-") as tmp:
        work = Path(tmp)
        if "regex" in parts:
            print("regex audit")
            payload["regex"] = regex_audit()
            print(f"  {payload['regex']['patterns']} patterns, flagged: {payload['regex']['flagged']}")
        if "files" in parts:
            print("file probes")
            payload["files"] = file_campaign(work / "files", fast=args.fast, jobs=args.jobs)
        if "sources" in parts:
            print("feed and sitemap probes")
            payload["sources"] = source_campaign(work / "sources", fast=args.fast, jobs=args.jobs)
        if "kill" in parts:
            print("kill -9 campaign")
            (work / "kill").mkdir()
            payload["kill"] = kill_campaign(work / "kill", kills=10 if args.fast else args.kills, articles=args.kill_articles)
            print({k: v for k, v in payload["kill"].items() if k != "points"})
        if "watch-kill" in parts:
            print("kill -9 of watch")
            (work / "watch-kill").mkdir()
            payload["watch_kill"] = watch_kill_campaign(work / "watch-kill", kills=10 if args.fast else args.watch_kills)
            print({k: v for k, v in payload["watch_kill"].items() if k != "points"})
        if "backfill-kill" in parts:
            print("kill -9 of backfill")
            (work / "backfill-kill").mkdir()
            payload["backfill_kill"] = backfill_kill_campaign(work / "backfill-kill", kills=5 if args.fast else args.backfill_kills,
                                                              minutes=args.backfill_minutes)
            print({k: v for k, v in payload["backfill_kill"].items() if k not in ("points", "round_results")})
        if "http" in parts:
            print("http campaign")
            (work / "http").mkdir()
            payload["http"] = http_campaign(work / "http", seconds=args.seconds, clients=args.clients)
            print(json.dumps({k: v for k, v in payload["http"].items() if k != "hostile"}, indent=1))
    payload["seconds"] = round(time.monotonic() - started)
    path = write_result(args.result, payload)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
