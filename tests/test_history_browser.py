"""In real Chromium: after a filter change swaps the results, Back brings the whole page back, not a bare fragment.

The base template sets htmx's `historyCacheSize` to 0, so every Back between pushed URLs is a history-restore
request to the server: exactly the request that used to get the fragment.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "field", "first", "second", "heading"),
    [
        ("/audit/", "#id_source", "web", "cli", "Audit trail"),
        ("/bookings/conflicts/", "#id_kind", "overlap", "edited_by_hand", "Conflicts"),
    ],
)
def test_back_after_filtering_shows_the_whole_page(
    login_as, live_server, manager, screenshot, path, field, first, second, heading
):
    page = login_as(manager)
    page.goto(live_server.url + path)
    name = field.removeprefix("#id_")
    page.select_option(field, first)
    expect(page).to_have_url(re.compile(rf"[?&]{name}={first}"), timeout=10_000)
    page.select_option(field, second)
    expect(page).to_have_url(re.compile(rf"[?&]{name}={second}"), timeout=10_000)

    page.go_back()

    expect(page).to_have_url(re.compile(rf"[?&]{name}={first}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator(field)).to_have_value(first)
    screenshot(page, f"history-restore-{path.strip('/').replace('/', '-')}")
