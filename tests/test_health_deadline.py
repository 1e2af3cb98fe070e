"""Readiness answers within HEALTH_DB_TIMEOUT_MS whatever the network does, and a cache outage only warns."""

import socket
import threading
import time

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from core import health

DEADLINE_SLACK_SECONDS = 0.8


class BlackholeProxy:
    """A TCP proxy to PostgreSQL that, once `drop()` is called, forwards nothing more: packets vanish."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.dropping = threading.Event()
        self.stopped = threading.Event()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client = self.server.accept()[0]
            except OSError:
                continue
            self.sockets.append(client)
            if self.dropping.is_set():
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.2)
        while not self.stopped.is_set():
            if self.dropping.is_set():
                time.sleep(0.05)
                continue
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            sink.sendall(data)

    def drop(self) -> None:
        self.dropping.set()

    def close(self) -> None:
        self.stopped.set()
        for sock in self.sockets:
            sock.close()
        self.server.close()


@pytest.fixture(autouse=True)
def _fresh_probe_memo(settings):
    settings.HEALTH_CACHE_SECONDS = 0
    health.readiness_memo.clear()
    yield
    health.readiness_memo.clear()


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("when", ["before connecting", "on an open connection"])
def test_readiness_answers_503_within_the_deadline_when_database_packets_vanish(client, monkeypatch, settings, when):
    settings.HEALTH_DB_TIMEOUT_MS = 2000
    proxy = BlackholeProxy(int(connections["default"].settings_dict["PORT"] or 5432))
    via_proxy = dict(connections["default"].settings_dict) | {"HOST": "127.0.0.1", "PORT": str(proxy.port)}
    per_thread = threading.local()

    def check_via_proxy() -> dict:
        # Built in the checking thread: a Django connection belongs to the thread that made it.
        if not hasattr(per_thread, "connection"):
            per_thread.connection = ConnectionHandler({"default": via_proxy})["default"]
        return health.check_database(per_thread.connection)

    monkeypatch.setitem(health.READINESS_CHECKS, "database:responseTime", check_via_proxy)
    try:
        if when == "on an open connection":
            assert client.get("/health/ready/").status_code == 200
            health.readiness_memo.clear()
        proxy.drop()

        started = time.monotonic()
        response = client.get("/health/ready/")
        elapsed = time.monotonic() - started

        assert response.status_code == 503
        assert response.json()["checks"]["database:responseTime"][0]["status"] == "fail"
        assert elapsed < settings.HEALTH_DB_TIMEOUT_MS / 1000 + DEADLINE_SLACK_SECONDS
        # Liveness never touches the database.
        assert client.get("/health/live/").status_code == 200
    finally:
        proxy.close()
        # Let the stuck check give up on its closed socket before the next test uses the checking thread.
        health._database_checks.submit(lambda: per_thread.connection.close()).result(timeout=30)


@pytest.mark.django_db
def test_a_cache_outage_makes_readiness_warn_not_fail(client, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
    response = client.get("/health/ready/")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "warn"
    assert body["checks"]["cache:responseTime"][0]["status"] == "warn"
    assert body["checks"]["database:responseTime"][0]["status"] == "pass"
