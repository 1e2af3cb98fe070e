"""A Redis cache that degrades instead of failing: while Redis refuses or hangs, every call returns at once.

The cache is an optimisation (rendered fragments, progress figures, rate-limit counters, circuit breakers):
pages must keep working without it. Django's RedisCache raises on every call while Redis is down, and waits
for its socket timeout first. This backend answers each call as a miss (get → default, set → False, incr →
a fresh counter) when Redis fails, and for `RETRY_SECONDS` afterwards does not even try, so a dead Redis costs
each request nothing after the first failure in a process. Readiness reports the outage as `warn`.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "Redis is not reachable now", as opposed to a bug in how it is called.
UNAVAILABLE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_RETRY_SECONDS = 5.0
METRICS_LABEL = "redis"

T = TypeVar("T")


class CacheUnavailable(Exception):
    """Raised by `ResilientRedisCache.probe()` when Redis does not answer."""


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls fall back to a miss while Redis is unreachable (OPTIONS: `RETRY_SECONDS`)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        if not self.available:
            return fallback
        try:
            return call()
        except UNAVAILABLE_ERRORS as error:
            with self._lock:
                first = self.available
                self._down_until = time.monotonic() + self.retry_seconds
            if first:
                logger.warning("cache: Redis unavailable (%s); serving without the cache", type(error).__name__)
            return fallback

    def probe(self) -> None:
        """A real round trip for the readiness check, ignoring the back-off; raises CacheUnavailable."""
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE_ERRORS as error:
            self._down_until = time.monotonic() + self.retry_seconds
            raise CacheUnavailable(type(error).__name__) from error
        self._down_until = 0.0

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        django_cache_get_total.labels(backend=METRICS_LABEL).inc()
        if not self.available:
            django_cache_get_fail_total.labels(backend=METRICS_LABEL).inc()
            return default
        missing = object()
        value = self._guard(lambda: super(ResilientRedisCache, self).get(key, missing, version), None)
        if value is None and not self.available:
            django_cache_get_fail_total.labels(backend=METRICS_LABEL).inc()
            return default
        if value is missing:
            django_cache_misses_total.labels(backend=METRICS_LABEL).inc()
            return default
        django_cache_hits_total.labels(backend=METRICS_LABEL).inc()
        return value

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # A counter that cannot be read counts from here: rate limits fail open while Redis is down.
        return self._guard(lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).clear(), None)
