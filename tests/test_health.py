"""The health probes: fixed paths, application/health+json, 503 on failure, reachable by IP address."""

import time

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from core import health


@pytest.fixture(autouse=True)
def _fresh_probe_memo(settings):
    settings.HEALTH_CACHE_SECONDS = 0
    health.readiness_memo.clear()
    yield
    health.readiness_memo.clear()


def test_it_answers_liveness_without_touching_the_database(client):
    # No django_db mark: any query here would raise.
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/health+json"
    assert response.json()["status"] == "pass"
    assert "version" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health/ready/", "/readiness/", "/health/detailed/"])
def test_it_reports_every_readiness_check(client, path):
    response = client.get(path)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] in {"pass", "warn"}
    assert set(body["checks"]) >= {"database:responseTime", "cache:responseTime", "migrations:pending", "tasks:queue"}
    for entries in body["checks"].values():
        assert entries[0]["status"] in {"pass", "warn"}


@pytest.mark.parametrize("path", ["/health/", "/health/live/"])
def test_it_answers_probes_by_ip_address_whatever_allowed_hosts_says(client, settings, path):
    settings.ALLOWED_HOSTS = ["stayops.example.com"]
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200


def test_it_still_refuses_unknown_hosts_for_pages(client, settings):
    settings.ALLOWED_HOSTS = ["stayops.example.com"]
    response = client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 400


@pytest.mark.django_db
def test_it_sets_a_short_cache_lifetime(client, settings):
    settings.HEALTH_CACHE_SECONDS = 5
    response = client.get("/health/ready/")
    assert response["Cache-Control"] == "max-age=5"


@pytest.mark.django_db
def test_it_answers_503_quickly_when_the_database_is_dead(client, monkeypatch, settings):
    dead = dict(connections["default"].settings_dict)
    if dead["ENGINE"].endswith("sqlite3"):
        dead["NAME"] = "/nonexistent-directory/stayops.sqlite3"
    else:
        dead["PORT"] = "1"  # nothing listens there: connection refused at once
    dead_connection = ConnectionHandler({"default": dead})["default"]
    real_check = health.check_database
    monkeypatch.setitem(health.READINESS_CHECKS, "database:responseTime", lambda: real_check(dead_connection))

    started = time.monotonic()
    response = client.get("/health/ready/")
    elapsed = time.monotonic() - started

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database:responseTime"][0]["status"] == "fail"
    assert elapsed < 5
    assert "nonexistent" not in response.content.decode()
    assert client.get("/health/").status_code == 200


@pytest.mark.django_db
def test_it_fails_readiness_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", health.threading.Event())
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [("wbs", "9999_future")])
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations:pending"][0]["observedValue"] == 1
