"""Signing in, in real Chromium, on a desktop and on a phone."""

import pytest

from tests.conftest import DESKTOP, PASSWORD, PHONE, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_clear_message_for_a_wrong_password(page, live_server, manager, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "correct username and password" in alert.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "login-wrong-password-phone")


def test_it_signs_a_manager_in_on_a_desktop(page, live_server, manager, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/today/")
    assert page.locator("nav .nav-link.active").inner_text() == "Today"
    assert no_horizontal_scroll(page)
    screenshot(page, "manager-landing-desktop")


def test_it_signs_a_cleaner_in_on_a_phone(page, live_server, cleaner, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "cleaner")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my/**")
    assert no_horizontal_scroll(page)
    screenshot(page, "cleaner-landing-phone")


def test_it_lets_a_user_change_their_password_and_sign_out(page, live_server, manager, login_as, screenshot):
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}/accounts/password/")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "a-much-longer-passphrase-42")
    page.fill("input[name=new_password2]", "a-much-longer-passphrase-42")
    assert no_horizontal_scroll(page)
    screenshot(page, "password-change-phone")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/password/done/")
    assert "Password changed" in page.inner_text("h1")
    manager.refresh_from_db()
    assert manager.check_password("a-much-longer-passphrase-42")

    page.click("summary")  # the phone menu
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_it_explains_a_mismatched_new_password(page, live_server, manager, login_as):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/accounts/password/")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "a-much-longer-passphrase-42")
    page.fill("input[name=new_password2]", "something-else-entirely-42")
    page.click("main button[type=submit]")
    assert "didn’t match" in page.inner_text(".field-error")
