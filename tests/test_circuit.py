"""The per-host circuit breaker: state in the shared cache, opening, half-open trials, and the health report."""

import pytest
from django.core.cache import cache

from core import circuit
from core.circuit import CircuitOpen, circuit_for


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.CIRCUIT_FAILURE_THRESHOLD = 3
    settings.CIRCUIT_RESET_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(circuit.time, "time", lambda: now[0])
    return now


def test_it_opens_after_the_threshold_of_consecutive_failures(clock):
    breaker = circuit_for("www.airbnb.com")
    for _ in range(2):
        breaker.record_failure()
    assert breaker.allow()

    breaker.record_failure()

    assert not breaker.allow()
    with pytest.raises(CircuitOpen, match="www.airbnb.com"):
        breaker.guard()


def test_a_success_resets_the_count():
    breaker = circuit_for("www.vrbo.com")
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()

    assert breaker.allow()


def test_it_lets_one_trial_through_when_half_open_and_closes_on_success(clock):
    breaker = circuit_for("admin.booking.com")
    for _ in range(3):
        breaker.record_failure()
    clock[0] += 61

    assert circuit_for("admin.booking.com").allow()  # the trial
    assert not circuit_for("admin.booking.com").allow()  # everyone else still waits

    breaker.record_success()

    assert breaker.allow() and breaker.allow()
    assert circuit.open_circuits() == []


def test_a_failed_trial_opens_it_again_for_another_wait(clock):
    breaker = circuit_for("www.airbnb.com")
    for _ in range(3):
        breaker.record_failure()
    clock[0] += 61
    assert breaker.allow()

    breaker.record_failure()

    assert not breaker.allow()
    clock[0] += 30
    assert not breaker.allow()


def test_hosts_have_separate_circuits():
    for _ in range(3):
        circuit_for("down.example.com").record_failure()

    assert not circuit_for("down.example.com").allow()
    assert circuit_for("up.example.com").allow()


@pytest.mark.django_db
def test_open_circuits_warn_in_the_detailed_health_check(client):
    for _ in range(3):
        circuit_for("www.airbnb.com").record_failure()

    body = client.get("/health/detailed/").json()

    check = body["checks"]["circuits:open"][0]
    assert check["status"] == "warn" and "www.airbnb.com" in check["output"]
    assert body["status"] == "warn"
    assert "circuits:open" not in client.get("/health/ready/").json()["checks"]
