"""Sessions: idle timeout, other sessions signed out on a password change, signed-in pages never stored."""

import time

import pytest
from django.test import Client

from core.security import LAST_SEEN_KEY
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/today/"


def set_last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_it_signs_out_after_the_idle_time(manager_client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    assert manager_client.get(PAGE).status_code == 200
    set_last_seen(manager_client, 30 * 60 + 5)

    response = manager_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = manager_client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes away" in page


def test_activity_keeps_the_session_alive(manager_client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    manager_client.get(PAGE)
    set_last_seen(manager_client, 29 * 60)
    assert manager_client.get(PAGE).status_code == 200
    assert int(time.time()) - manager_client.session[LAST_SEEN_KEY] < 5
    assert manager_client.get(PAGE).status_code == 200


def test_it_writes_the_last_seen_time_at_most_once_a_minute(manager_client):
    manager_client.get(PAGE)
    set_last_seen(manager_client, 20)
    before = manager_client.session[LAST_SEEN_KEY]
    manager_client.get(PAGE)
    assert manager_client.session[LAST_SEEN_KEY] == before


def test_a_password_change_signs_out_other_sessions_but_keeps_this_one(manager):
    here, elsewhere = Client(), Client()
    here.force_login(manager)
    elsewhere.force_login(manager)
    new = "a-much-longer-passphrase-42"
    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert here.get(PAGE).status_code == 200
    assert elsewhere.get(PAGE).status_code == 302


def test_signed_in_pages_are_never_stored(manager_client, cleaner_client):
    assert manager_client.get(PAGE)["Cache-Control"] == "private, no-store"
    assert cleaner_client.get("/my/")["Cache-Control"] == "private, no-store"


def test_signed_in_htmx_fragments_are_never_stored_either(manager_client, htmx_headers):
    response = manager_client.get("/bookings/", headers=htmx_headers)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_security_headers_are_on_every_page(client, manager_client):
    for response in (client.get("/accounts/login/"), manager_client.get(PAGE)):
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
