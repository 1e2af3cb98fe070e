"""Password reset by email: our pages, one-time links, other sessions signed out, throttled per address."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, PHONE, no_horizontal_scroll

pytestmark = pytest.mark.django_db

RESET = "/accounts/password_reset/"
NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def manager_with_email(manager):
    manager.email = "maria@example.com"
    manager.save()
    return manager


def reset_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)


def test_the_sign_in_page_offers_it(client):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


def test_it_shows_our_form(client):
    response = client.get(RESET)
    assert response.status_code == 200
    page = response.content.decode()
    assert "auth-card" in page
    assert 'type="email"' in page


def test_it_mails_a_link_that_sets_a_new_password_once(client, manager_with_email):
    response = client.post(RESET, {"email": "maria@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert "StayOps" in mail.outbox[0].subject
    link = reset_link()

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/reset/done/"
    manager_with_email.refresh_from_db()
    assert manager_with_email.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(client, manager_with_email):
    response = client.post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_reset_signs_out_every_other_session(client, manager_with_email):
    elsewhere = Client()
    elsewhere.force_login(manager_with_email)
    assert elsewhere.get("/today/").status_code == 200

    client.post(RESET, {"email": "maria@example.com"})
    set_password_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = elsewhere.get("/today/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_requests_are_throttled_per_address(client, manager_with_email, settings):
    settings.RATE_LIMIT_PASSWORD_RESET = "2/h"
    for _ in range(2):
        assert client.post(RESET, {"email": "maria@example.com"}, REMOTE_ADDR="203.0.113.9").status_code == 302
    refused = client.post(RESET, {"email": "maria@example.com"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    assert client.post(RESET, {"email": "maria@example.com"}, REMOTE_ADDR="198.51.100.3").status_code == 302


def test_the_old_password_no_longer_signs_in(client, manager_with_email):
    client.post(RESET, {"email": "maria@example.com"})
    set_password_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = Client().post("/accounts/login/", {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cleaner_resets_a_forgotten_password_on_a_phone(page, live_server, cleaner, screenshot):
    cleaner.email = "carla@example.com"
    cleaner.save()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Forgot your password?")
    page.fill("input[name=email]", "carla@example.com")
    assert no_horizontal_scroll(page)
    screenshot(page, "password-reset-phone")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/password_reset/done/")

    page.goto(live_server.url + reset_link())
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/reset/done/")
    assert "Password changed" in page.inner_text("h1")
    cleaner.refresh_from_db()
    assert cleaner.check_password(NEW_PASSWORD)
