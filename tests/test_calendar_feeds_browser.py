"""Calendar feeds in real Chromium: a manager adds a feed on a property page, syncs it now, sees its stays on the
timeline and the feed's state on the feeds page."""

import pytest
from django.core.cache import cache

from bookings.calendar.services import calendar_feed_create
from bookings.calendar.sync import calendar_feed_sync
from bookings.services.properties import property_create
from tests.calendar_fixtures import FeedServer, Reply, airbnb_blocked, airbnb_calendar, airbnb_reserved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server():
    cache.clear()
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()


def test_a_manager_adds_a_feed_syncs_it_and_sees_the_stays(page, live_server, login_as, manager, server, screenshot):
    loft = property_create(user=manager, name="Alfama Loft", code="LOFT")
    url = server.serve("/airbnb.ics", airbnb_calendar(airbnb_reserved("first", 1, 3, "HMZK4Q8WTR")))
    login_as(manager)

    page.goto(live_server.url + loft.get_absolute_url())
    panel = page.locator("#calendar-feeds")
    panel.get_by_label("Platform").select_option("airbnb")
    panel.get_by_label("iCal link").fill(url)
    panel.get_by_role("button", name="Add feed").click()

    row = page.locator("#calendar-feeds tbody tr").first
    row.locator(".badge", has_text="OK").wait_for()
    assert "/airbnb.ics" not in panel.inner_text()  # the link is a secret: masked
    page.locator("#property-detail", has_text="Airbnb guest").wait_for()  # its stay is on the page
    # The platform adds a stay and a block; the manager does not wait for the next round.
    server.serve(
        "/airbnb.ics",
        airbnb_calendar(airbnb_reserved("first", 1, 3, "HMZK4Q8WTR"), airbnb_reserved("second", 6, 2, "HMQ7R2X9PL"),
                        airbnb_blocked("owner", 9, 2)),
    )  # fmt: skip
    row.get_by_role("button", name="Sync now").click()
    page.locator("#calendar-feeds tbody tr td", has_text="3 events").wait_for()
    screenshot(page, "calendar-feed-property")

    page.goto(live_server.url + "/bookings/timeline/")
    bars = page.locator(".tl-bar")
    assert bars.filter(has_text="Airbnb guest").count() == 2
    assert bars.filter(has_text="Airbnb block").count() == 1
    screenshot(page, "calendar-feed-timeline")

    # Two more feeds on another property: one whose link was reset (404), one that came back empty.
    beach = property_create(user=manager, name="Beach House", code="BEACH")
    gone = calendar_feed_create(
        property=beach, url=server.serve("/gone.ics", Reply(b"", 404)), source="vrbo", user=manager
    )
    empty = calendar_feed_create(
        property=beach, url=server.serve("/empty.ics", airbnb_calendar()), source="airbnb", user=manager
    )
    calendar_feed_sync(feed_id=gone.pk)
    calendar_feed_sync(feed_id=empty.pk)

    page.goto(live_server.url + "/bookings/feeds/")
    rows = page.locator("#feeds tbody tr")
    assert "OK" in rows.nth(0).inner_text() and "Alfama Loft" in rows.nth(0).inner_text()
    assert "Failing since" in page.locator(f"#feed-{gone.pk}").inner_text()
    assert "Needs review" in page.locator(f"#feed-{empty.pk}").inner_text()
    screenshot(page, "calendar-feed-list")
    page.locator(f"#feed-{empty.pk}").get_by_role("button", name="Ignore").click()
    page.locator(f"#feed-{empty.pk}[data-state='new']").wait_for()
