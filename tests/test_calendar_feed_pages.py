"""Calendar feed pages: the panel on a property page, the feeds list, and their actions (HTMX and plain posts)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from bookings.models import Booking, CalendarFeed, FeedSource, Property
from core.models import AuditEntry
from tests.calendar_fixtures import FeedServer, airbnb_calendar, airbnb_reserved

pytestmark = pytest.mark.django_db
SECRET_URL = "https://www.airbnb.com/calendar/ical/40123456.ics?s=7f3c9e1ab2d84f6e9a0b"


@pytest.fixture(autouse=True)
def fast(settings):
    settings.CALENDAR_RETRY_BASE_SECONDS = 0.01
    cache.clear()


@pytest.fixture
def server():
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()


@pytest.fixture
def loft():
    return Property.objects.create(code="LOFT", name="Sunny Loft")


def test_the_property_page_shows_its_feeds_masked(manager_client, loft):
    CalendarFeed.objects.create(property=loft, url=SECRET_URL, source=FeedSource.AIRBNB)

    page = manager_client.get(loft.get_absolute_url()).content.decode()

    assert "Calendar feeds" in page and "https://www.airbnb.com/…9a0b" in page
    assert "7f3c9e1ab2d8" not in page


def test_a_manager_adds_a_feed_and_its_first_sync_runs(
    manager_client, loft, server, htmx_headers, django_capture_on_commit_callbacks
):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("bookings:calendar_feed_create", args=[loft.pk]),
            {"source": "airbnb", "url": url},
            headers=htmx_headers,
        )

    assert response["HX-Redirect"] == loft.get_absolute_url()
    feed = CalendarFeed.objects.get()
    assert feed.state() == "ok" and Booking.objects.count() == 1
    entry = AuditEntry.objects.filter(object_repr__contains="calendar").first()
    assert url not in str(entry.changes)


def test_a_link_that_is_not_http_is_refused_in_place(manager_client, loft, htmx_headers):
    response = manager_client.post(
        reverse("bookings:calendar_feed_create", args=[loft.pk]),
        {"source": "airbnb", "url": "file:///etc/passwd"},
        headers=htmx_headers,
    )

    assert "only http:// and https://" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_a_plain_post_redirects_back_to_the_property(manager_client, loft):
    response = manager_client.post(
        reverse("bookings:calendar_feed_create", args=[loft.pk]), {"source": "vrbo", "url": SECRET_URL}
    )

    assert response.status_code == 302 and response["Location"] == loft.get_absolute_url()


def test_pausing_and_resuming(manager_client, loft, htmx_headers):
    feed = CalendarFeed.objects.create(property=loft, url=SECRET_URL, source=FeedSource.AIRBNB)
    url = reverse("bookings:calendar_feed_pause", args=[feed.pk])

    manager_client.post(url, {"active": "0"}, headers=htmx_headers)
    feed.refresh_from_db()
    assert not feed.active and feed.state() == "paused"

    manager_client.post(url, {"active": "1"}, headers=htmx_headers)
    feed.refresh_from_db()
    assert feed.active and "Pause" in manager_client.get(loft.get_absolute_url()).content.decode()


def test_editing_with_a_blank_link_keeps_the_link(manager_client, loft):
    feed = CalendarFeed.objects.create(property=loft, url=SECRET_URL, source=FeedSource.AIRBNB)
    edit = reverse("bookings:calendar_feed_edit", args=[feed.pk])
    assert SECRET_URL not in manager_client.get(edit).content.decode()

    manager_client.post(edit, {"source": "vrbo", "url": "", "active": "on"})

    feed.refresh_from_db()
    assert (feed.url, feed.source) == (SECRET_URL, "vrbo")


def test_the_feeds_list_shows_state_and_offers_review(manager_client, loft, server, django_assert_num_queries):
    for number in range(3):
        CalendarFeed.objects.create(
            property=loft, url=f"{SECRET_URL}{number}", source=FeedSource.AIRBNB, review_reason="the calendar is empty"
        )
    with django_assert_num_queries(4):
        page = manager_client.get(reverse("bookings:calendar_feeds")).content.decode()
    assert page.count("Needs review") == 3 and page.count("Apply it") == 3
    for number in range(3, 10):
        CalendarFeed.objects.create(property=loft, url=f"{SECRET_URL}{number}", source=FeedSource.VRBO)
    with django_assert_num_queries(4):
        manager_client.get(reverse("bookings:calendar_feeds"))


def test_the_feeds_list_answers_htmx_with_its_fragment(manager_client, htmx_headers):
    response = manager_client.get(reverse("bookings:calendar_feeds"), headers=htmx_headers)

    assert response.content.decode().lstrip().startswith('<section id="feeds"')
    assert "HX-Request" in response["Vary"]


def test_ignoring_a_review_from_the_list(manager_client, loft, htmx_headers):
    feed = CalendarFeed.objects.create(
        property=loft, url=SECRET_URL, source=FeedSource.AIRBNB, review_reason="the calendar is empty", review_body="x"
    )

    response = manager_client.post(
        reverse("bookings:calendar_feed_review", args=[feed.pk, "ignore"]), {"from": "list"}, headers=htmx_headers
    )

    feed.refresh_from_db()
    assert feed.review_reason == "" and 'id="feeds"' in response.content.decode()


def test_cleaners_cannot_see_feeds(cleaner_client, loft):
    feed = CalendarFeed.objects.create(property=loft, url=SECRET_URL, source=FeedSource.AIRBNB)

    assert cleaner_client.get(reverse("bookings:calendar_feeds")).status_code == 403
    assert cleaner_client.post(reverse("bookings:calendar_feed_sync", args=[feed.pk])).status_code == 403


def test_the_admin_lists_feeds_with_their_link_masked(admin_client):
    prop = Property.objects.create(name="Admin Loft", code="ADM", address="Rua 2", time_zone="Europe/Lisbon")
    CalendarFeed.objects.create(
        property=prop, url="https://www.airbnb.com/calendar/ical/77.ics?s=topsecret", source="airbnb"
    )
    response = admin_client.get("/admin/bookings/calendarfeed/")
    assert response.status_code == 200
    assert b"Admin Loft" in response.content
    assert b"topsecret" not in response.content
