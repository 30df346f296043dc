"""Being a good citizen of the web: one request at a time per host with a pause between,
robots.txt (through protego), Retry-After, and exponential backoff."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

# A host may ask for a longer pause (robots.txt Crawl-delay); past this it is capped, not obeyed.
MAX_CRAWL_DELAY = 60.0
ROBOTS_TTL = 24 * 3600.0
# A robots.txt that cannot be fetched for a server error means "come back later" (RFC 9309 2.3.1.4).
ROBOTS_RETRY = 600.0


def host_of(url: str) -> str:
    """The host part requests are paced by: scheme, name and port ("https://example.com")."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc.rsplit('@', 1)[-1]).lower()}"


class HostGate:
    """One request at a time per host, and ``delay`` seconds from the end of one to the start of the next.

    A host can be paused longer (Retry-After, Crawl-delay); other hosts are never held up by it.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._free_at: dict[str, float] = {}  # time.monotonic() from which the host may be asked again
        self._delays: dict[str, float] = {}

    def ready_in(self, host: str) -> float:
        """Seconds until ``host`` may be asked (0: now), ignoring a request in flight."""
        with self._lock:
            return max(0.0, self._free_at.get(host, 0.0) - time.monotonic())

    def set_delay(self, host: str, seconds: float) -> None:
        """A pause the host asked for (Crawl-delay), when longer than the default."""
        with self._lock:
            self._delays[host] = min(MAX_CRAWL_DELAY, max(self.delay, seconds))

    def pause(self, host: str, seconds: float) -> None:
        """Ask ``host`` nothing for ``seconds`` (after a 429 or 503 with Retry-After)."""
        with self._lock:
            self._free_at[host] = max(self._free_at.get(host, 0.0), time.monotonic() + seconds)

    def turn(self, host: str, *, patience: float) -> _Turn:
        """``with gate.turn(host, patience=30):`` waits for the host's turn, and starts its pause when done.

        Raises (on entering) ``HostPaused`` when the host asked for a pause longer than ``patience``.
        """
        with self._lock:
            lock = self._hosts.setdefault(host, threading.Lock())
        return _Turn(self, host, lock, patience)

    def _release(self, host: str) -> None:
        with self._lock:
            delay = self._delays.get(host, self.delay)
            self._free_at[host] = max(self._free_at.get(host, 0.0), time.monotonic() + delay)


class HostPaused(Exception):
    """The host asked for a pause longer than the caller is willing to wait."""

    def __init__(self, host: str, seconds: float) -> None:
        super().__init__(f"{host} asked for a pause of {seconds:.0f} s")
        self.host, self.seconds = host, seconds


class _Turn:
    def __init__(self, gate: HostGate, host: str, lock: threading.Lock, patience: float) -> None:
        self.gate, self.host, self.lock, self.patience = gate, host, lock, patience

    def __enter__(self) -> None:
        self.lock.acquire()
        wait = self.gate.ready_in(self.host)
        if wait > self.patience:
            self.lock.release()
            raise HostPaused(self.host, wait)
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        self.gate._release(self.host)
        self.lock.release()


@dataclass(frozen=True)
class RobotsAnswer:
    """A host's robots.txt as fetched: its rules, or whether everything is allowed (none) or forbidden for now (and why)."""

    rules: Protego | None
    expires: float
    refusal: str | None = None


class RobotsRules:
    """The robots.txt of each host, fetched once a day through ``fetch_text`` and read by protego.

    ``fetch_text(url)`` returns (status, text) or raises. By RFC 9309: 4xx (no robots.txt)
    allows everything; 5xx or no answer forbids everything for a while. Exceptions of the
    ``passthrough`` types are not a robots.txt answer but a verdict on the host: they propagate.
    """

    def __init__(
        self, agent: str, fetch_text: Callable[[str], tuple[int, str]], gate: HostGate, *, passthrough: tuple[type[Exception], ...] = ()
    ) -> None:
        self.agent = agent
        self.fetch_text = fetch_text
        self.gate = gate
        self.passthrough = passthrough
        self._answers: dict[str, RobotsAnswer] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str) -> tuple[str, bool] | None:
        """Why the host's robots.txt keeps Storyline from ``url``, and whether only for now; None: allowed."""
        host = host_of(url)
        answer = self._answer(host)
        if answer.refusal is not None:
            return answer.refusal, True
        if answer.rules is not None and not answer.rules.can_fetch(url, self.agent):
            return f"robots.txt of {host} does not allow {self.agent} to fetch it", False
        return None

    def _answer(self, host: str) -> RobotsAnswer:
        with self._lock:
            cached = self._answers.get(host)
        if cached is not None and cached.expires > time.monotonic():
            return cached
        now = time.monotonic()
        try:
            status, text = self.fetch_text(f"{host}/robots.txt")
        except self.passthrough:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to get robots.txt means "not now", never a crash
            reason = getattr(exc, "message", None) or str(exc)
            answer = RobotsAnswer(None, now + ROBOTS_RETRY, f"its robots.txt cannot be fetched ({reason}); nothing else is asked of {host} for now")
        else:
            if status >= 500:
                answer = RobotsAnswer(None, now + ROBOTS_RETRY, f"its robots.txt answers HTTP {status}; nothing else is asked of {host} for now")
            elif status >= 400 or status < 200:
                answer = RobotsAnswer(None, now + ROBOTS_TTL)
            else:
                rules = Protego.parse(text)
                delay = rules.crawl_delay(self.agent)
                if delay:
                    self.gate.set_delay(host, float(delay))
                answer = RobotsAnswer(rules, now + ROBOTS_TTL)
        with self._lock:
            self._answers[host] = answer
        return answer


def retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - (now or dt.datetime.now(dt.timezone.utc))).total_seconds())


def backoff(errors_in_row: int, base: float, *, limit: float) -> float:
    """Seconds to wait after ``errors_in_row`` failures in a row: ``base`` doubled each time, at most ``limit``."""
    if errors_in_row <= 0:
        return base
    return min(limit, base * 2 ** (errors_in_row - 1))
