"""A circuit breaker per external host, its state in the shared cache so every process and machine agrees.

closed → open after CIRCUIT_FAILURE_THRESHOLD consecutive failures of the host → half-open after
CIRCUIT_RESET_SECONDS (one caller may try; the others still wait) → closed on a success, open again on a failure.
Only the host's own failures count (connection errors, timeouts, 5xx): callers decide what those are.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX = "circuit:"
INDEX_KEY = PREFIX + "hosts"


class CircuitOpen(Exception):
    """Raised by `guard()` while a host's circuit is open: the call was not made."""

    def __init__(self, host: str, retry_in: int):
        self.host = host
        self.retry_in = retry_in
        super().__init__(f"{host} failed repeatedly; not contacted again for {retry_in} s (circuit open)")


@dataclass(frozen=True)
class CircuitState:
    host: str
    failures: int
    opened_at: float | None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class Circuit:
    def __init__(self, host: str):
        self.host = host.lower()
        self._failures = f"{PREFIX}{self.host}:failures"
        self._opened = f"{PREFIX}{self.host}:opened"
        self._trial = f"{PREFIX}{self.host}:trial"

    def state(self) -> CircuitState:
        values = cache.get_many([self._failures, self._opened])
        return CircuitState(self.host, int(values.get(self._failures) or 0), values.get(self._opened))

    def allow(self) -> bool:
        """Whether a call may go out now. While half-open, exactly one caller gets True (an atomic cache add)."""
        opened_at = cache.get(self._opened)
        if opened_at is None:
            return True
        if time.time() - opened_at < settings.CIRCUIT_RESET_SECONDS:
            return False
        return cache.add(self._trial, 1, timeout=settings.CIRCUIT_RESET_SECONDS)

    def guard(self) -> None:
        if not self.allow():
            opened_at = cache.get(self._opened) or time.time()
            retry_in = max(1, int(settings.CIRCUIT_RESET_SECONDS - (time.time() - opened_at)))
            raise CircuitOpen(self.host, retry_in)

    def record_success(self) -> None:
        if cache.get(self._opened) is not None:
            logger.info("circuit closed for %s", self.host)
        cache.delete_many([self._failures, self._opened, self._trial])

    def record_failure(self) -> None:
        # incr is atomic in Redis (and under the local-memory cache's lock); add makes the key exist first.
        cache.add(self._failures, 0, timeout=None)
        try:
            failures = cache.incr(self._failures)
        except ValueError:  # expired between add and incr
            cache.set(self._failures, 1, timeout=None)
            failures = 1
        if failures >= settings.CIRCUIT_FAILURE_THRESHOLD:
            # Opening again from half-open restarts the wait; the next trial comes after it.
            cache.set(self._opened, time.time(), timeout=None)
            cache.delete(self._trial)
            _remember(self.host)
            logger.warning("circuit open for %s after %s consecutive failures", self.host, failures)


def circuit_for(host: str) -> Circuit:
    return Circuit(host)


def _remember(host: str) -> None:
    """The hosts health checks look at. A lost update under a race heals with the host's next failure."""
    hosts = set(cache.get(INDEX_KEY) or ())
    if host not in hosts:
        cache.set(INDEX_KEY, sorted(hosts | {host}), timeout=None)


def open_circuits() -> list[CircuitState]:
    """Circuits open now (half-open ones included: the host has not answered well yet)."""
    states = (Circuit(host).state() for host in cache.get(INDEX_KEY) or ())
    return [state for state in states if state.is_open]
