"""/health/detailed/ (and later /metrics) answer operators only: staff, OPS_TOKEN or OPS_ALLOWED_NETWORKS."""

import pytest
from django.test import RequestFactory

from core import health
from core.ops_access import ops_request_allowed

pytestmark = pytest.mark.django_db

DETAILED = "/health/detailed/"
OUTSIDE = "203.0.113.7"
TOKEN = "ops-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _ops_settings(settings):
    settings.OPS_TOKEN = TOKEN
    settings.HEALTH_CACHE_SECONDS = 0
    health.readiness_memo.clear()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.2.3.4", "192.168.1.9", "172.20.0.3", "::1"])
def test_it_answers_in_full_from_inside(client, address):
    response = client.get(DETAILED, REMOTE_ADDR=address)
    assert response.status_code == 200
    assert "uptime" in response.json()["checks"]


def test_it_answers_404_from_outside(client):
    response = client.get(DETAILED, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 404
    assert b"checks" not in response.content


def test_it_answers_the_right_token_from_anywhere(client):
    response = client.get(DETAILED, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN])
def test_it_refuses_a_wrong_token(client, header):
    assert client.get(DETAILED, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header).status_code == 404


def test_an_empty_ops_token_opens_nothing(client, settings):
    settings.OPS_TOKEN = ""
    assert client.get(DETAILED, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_it_answers_staff_from_anywhere_but_not_other_users(client, manager, cleaner):
    client.force_login(cleaner)
    assert client.get(DETAILED, REMOTE_ADDR=OUTSIDE).status_code == 404
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.get(DETAILED, REMOTE_ADDR=OUTSIDE).status_code == 200


def test_the_networks_come_from_the_setting(client, settings):
    settings.OPS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert client.get(DETAILED, REMOTE_ADDR=OUTSIDE).status_code == 200
    assert client.get(DETAILED, REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_forwarded_request_is_not_trusted_by_the_proxys_address(client, settings):
    """Behind a load balancer nobody declared, REMOTE_ADDR is the balancer's private address for everyone."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client.get(DETAILED, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 404


def test_behind_a_trusted_proxy_it_decides_by_the_forwarded_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(DETAILED, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 404
    assert client.get(DETAILED, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="10.9.8.7").status_code == 200
    forged = f"127.0.0.1, {OUTSIDE}"
    assert client.get(DETAILED, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forged).status_code == 404


@pytest.mark.parametrize("path", ["/health/", "/health/live/", "/health/ready/", "/readiness/"])
def test_the_probes_stay_open_to_everyone(client, path):
    assert client.get(path, REMOTE_ADDR=OUTSIDE).status_code == 200


def test_the_rule_is_one_function_other_endpoints_can_use(rf: RequestFactory, manager):
    """A view that runs after the auth middleware (as /metrics will) has request.user already."""
    request = rf.get("/metrics", REMOTE_ADDR=OUTSIDE)
    request.user = manager
    assert ops_request_allowed(request) is False
    manager.is_staff = True
    assert ops_request_allowed(request) is True


def test_a_bad_network_setting_stops_the_app(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_networks

    monkeypatch.setenv("OPS_ALLOWED_NETWORKS", "10.0.0.0/8, intranet")
    with pytest.raises(ImproperlyConfigured, match="'intranet', which is not an address or network"):
        env_networks("OPS_ALLOWED_NETWORKS", [])
