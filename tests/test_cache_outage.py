"""A Redis that refuses or hangs: cache calls answer at once as misses, pages work, readiness warns."""

import socket
import threading
import time

import pytest
from django.core.cache import cache

from core.cache import CacheUnavailable

ANSWER_WITHIN_SECONDS = 1.5


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hanging_redis():
    """Accepts connections and never answers, like a Redis whose host stopped responding."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _redis_cache(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3, "RETRY_SECONDS": 30},
        }
    }


@pytest.mark.parametrize("outage", ["closed_port", "hanging_redis"])
def test_it_answers_misses_at_once_while_redis_is_down(settings, request, outage):
    _redis_cache(settings, request.getfixturevalue(outage))

    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("anything", 1)
    assert cache.add("counter", 0) is False
    assert cache.incr("counter") == 1
    assert time.monotonic() - started < ANSWER_WITHIN_SECONDS

    # After the first failure the process does not wait for Redis again until the retry time has passed.
    started = time.monotonic()
    for _ in range(50):
        cache.get("anything")
    assert time.monotonic() - started < 0.1

    with pytest.raises(CacheUnavailable):
        cache.probe()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/gantt/", "/bookings/import/", "/board/", "/bookings/"])
def test_pages_work_without_redis(settings, client, manager, hanging_redis, path):
    client.force_login(manager)
    started = time.monotonic()
    assert client.get(path).status_code == 200
    with_cache = time.monotonic() - started

    _redis_cache(settings, hanging_redis)
    started = time.monotonic()
    response = client.get(path)
    assert response.status_code == 200
    # At most one socket timeout more than with a working cache, however often the page uses the cache.
    assert time.monotonic() - started < with_cache + ANSWER_WITHIN_SECONDS
