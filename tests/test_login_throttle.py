"""Sign-in throttling (django-axes, state in the database): per user and address, audited, clearable."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from core.models import AuditEntry
from tests.conftest import PASSWORD, PHONE, no_horizontal_scroll

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Dozens of sign-ins per test: the real hasher's deliberate slowness is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username: str, password: str, address: str = HOME, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, username: str, times: int, address: str = HOME, **extra) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address, **extra)
        assert response.status_code in (200, 429)


def test_it_refuses_the_right_password_once_the_limit_is_reached(client, manager, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT - 1)
    assert AccessAttempt.objects.get(username="manager").failures_since_start == settings.LOGIN_FAILURE_LIMIT - 1

    response = sign_in(client, "manager", "wrong-password")
    assert response.status_code == 429

    response = sign_in(client, "manager", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert f"{settings.LOGIN_LOCKOUT_MINUTES} minutes" in page
    assert 'name="username"' in page  # our sign-in page, not a bare error
    assert "_auth_user_id" not in client.session


def test_it_signs_in_below_the_limit_and_then_forgets_the_failures(client, manager, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT - 1)
    response = sign_in(client, "manager", PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="manager").exists()


def test_it_leaves_other_users_and_other_addresses_alone(client, manager, cleaner, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT)
    assert sign_in(Client(), "manager", PASSWORD).status_code == 429

    assert sign_in(Client(), "cleaner", PASSWORD).status_code == 302
    assert sign_in(Client(), "manager", PASSWORD, address=ELSEWHERE).status_code == 302


def test_it_lets_the_user_in_again_after_the_lockout(client, manager, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT)
    assert sign_in(client, "manager", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    )
    assert sign_in(client, "manager", PASSWORD).status_code == 302


def test_it_holds_across_two_app_servers_sharing_only_the_database(manager, settings):
    """Two test clients are two app servers: each request is handled afresh and the only state they share is
    the database. The cache is switched off, so nothing can be carried through it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    first_server, second_server = Client(), Client()
    half = settings.LOGIN_FAILURE_LIMIT // 2
    fail(first_server, "manager", half)
    fail(second_server, "manager", settings.LOGIN_FAILURE_LIMIT - half)

    assert sign_in(first_server, "manager", PASSWORD).status_code == 429
    assert sign_in(second_server, "manager", PASSWORD).status_code == 429


def test_it_audits_a_lockout_once(client, manager, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT + 3)

    entries = AuditEntry.objects.filter(object_id=str(manager.pk), changes__has_key="sign_in_locked")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.source == "web"
    assert entry.actor_id is None
    assert HOME in entry.message
    assert entry.request_id


def test_it_audits_a_lockout_for_a_username_that_does_not_exist(client, settings):
    fail(client, "nobody", settings.LOGIN_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="nobody")
    assert AuditEntry.objects.filter(object_id=str(attempt.pk), changes__has_key="sign_in_locked").count() == 1


def test_an_administrator_sees_and_clears_a_lockout(client, manager, settings):
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT)
    admin = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin_client = Client()
    admin_client.force_login(admin)

    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "manager" in listing.content.decode()

    attempt = AccessAttempt.objects.get(username="manager")
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert sign_in(client, "manager", PASSWORD).status_code == 302


def test_it_ignores_x_forwarded_for_unless_a_proxy_is_trusted(client, manager, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "manager", "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    # Changing the header does not make a new client.
    assert sign_in(client, "manager", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_behind_a_trusted_proxy_it_throttles_the_forwarded_client(client, manager, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = "10.0.0.5"
    fail(client, "manager", settings.LOGIN_FAILURE_LIMIT, address=balancer, HTTP_X_FORWARDED_FOR=HOME)

    assert sign_in(client, "manager", PASSWORD, balancer, HTTP_X_FORWARDED_FOR=HOME).status_code == 429
    # Another client behind the same balancer is not locked out; a forged left-hand entry changes nothing.
    assert sign_in(Client(), "manager", PASSWORD, balancer, HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 302
    forged = f"{ELSEWHERE}, {HOME}"
    assert sign_in(Client(), "manager", PASSWORD, balancer, HTTP_X_FORWARDED_FOR=forged).status_code == 429


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lockout_message_on_a_phone(page, live_server, manager, settings, screenshot):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 2
    page.set_viewport_size(PHONE)
    for password in ("wrong-1", "wrong-2", PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "manager")
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
    assert "Too many failed sign-ins" in page.locator("[role=alert]").inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "login-locked-out-phone")
