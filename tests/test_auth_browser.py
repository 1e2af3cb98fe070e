"""Signing in, in real Chromium, on a desktop and on a phone."""

import pytest

from tests.conftest import DESKTOP, PASSWORD, PHONE, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_clear_message_for_a_wrong_password(page, live_server, manager, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "correct username and password" in alert.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "login-wrong-password-phone")


def test_it_signs_a_manager_in_on_a_desktop(page, live_server, manager, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/bookings/**")
    assert page.locator("nav .nav-link.active").inner_text() == "Bookings"
    assert no_horizontal_scroll(page)
    screenshot(page, "manager-landing-desktop")


def test_it_signs_a_cleaner_in_on_a_phone(page, live_server, cleaner, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "cleaner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my/**")
    assert no_horizontal_scroll(page)
    screenshot(page, "cleaner-landing-phone")
