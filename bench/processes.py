"""Processes for benches and tests: `storyline serve` on loopback, and the processes a command started, read from
/proc (what a kill -9 campaign must kill, and what it must not find alive after).

psutil would do the /proc part, but is not a dependency; /proc is enough on the Linux machines the campaign runs on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port nothing listens on at this moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(
    db: Path | str, *, env: Mapping[str, str], extra: Sequence[str] = (), log: Path | None = None,
    port: int | None = None, wait_seconds: float = 60,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`storyline serve --db db` on loopback until the block ends; yields its base URL and process once /healthz answers.

    The server writes to ``log`` (appended; discarded when None). A server that exits first, or does not answer
    within ``wait_seconds``, raises RuntimeError with the end of its log."""
    port = port or free_port()
    with open(log or os.devnull, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "storyline", "serve", "--db", str(db), "--port", str(port), *extra],
            stdout=output, stderr=subprocess.STDOUT, env=dict(env),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_seconds
        while not _answers(f"{base}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                why = f"exited with {process.returncode}" if process.poll() is not None else f"did not answer within {wait_seconds:.0f} s"
                said = log.read_text(errors="replace")[-4000:] if log else "(its output was discarded)"
                raise RuntimeError(f"storyline serve --db {db} {why}:\n{said}")
            time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def parent(pid: int | None) -> int | None:
    """The parent of ``pid``; None once it is gone."""
    try:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):  # gone meanwhile
        return None


def command(pid: int | None) -> bytes:
    """The command line of ``pid`` (NUL-separated), empty once it is gone."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def descendants(*pids: int) -> list[int]:
    """Processes started, directly or not, by any of ``pids`` (a process that left its group, as Spark's Python daemon does, too)."""
    children: dict[int | None, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            children.setdefault(parent(int(entry.name)), []).append(int(entry.name))
    found, pending = [], list(pids)
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def alive(pids: dict[int, bytes]) -> list[int]:
    """Which of ``pids`` (pid -> command line when seen) still run that command (a reused pid does not count);
    a zombie, dead but not yet reaped by its parent, does not count either."""
    running = []
    for pid, seen in pids.items():
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and command(pid) == seen:
            running.append(pid)
    return running


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_tree(root: int) -> dict[int, bytes]:
    """SIGKILL ``root`` and every process it started, as one crash would; returns them (pid -> command line).

    Each is stopped first, so that none forks or is re-parented (and so lost from sight) while the tree is read."""
    tree: dict[int, bytes] = {}
    new = [root]
    while new:
        for pid in new:
            tree[pid] = command(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        new = [pid for pid in descendants(*tree) if pid not in tree]
    kill_all(list(tree))
    return tree
