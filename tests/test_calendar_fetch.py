"""Fetching feeds: only public http(s) addresses (checked on the connected socket, redirects included), and the
circuit breaker that a dead host opens while one feed's bad content does not."""

import pytest
from django.core.cache import cache

from bookings.calendar import fetch
from bookings.calendar.fetch import FetchFailed, address_allowed, fetch_calendar
from bookings.calendar.sync import calendar_feed_sync
from bookings.models import Booking, CalendarFeed, FeedSource, Property
from core.circuit import circuit_for
from tests.calendar_fixtures import LOGIN_PAGE, FeedServer, Reply, airbnb_calendar, airbnb_reserved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast(settings):
    settings.CALENDAR_RETRY_BASE_SECONDS = 0.01
    settings.CALENDAR_FETCH_ATTEMPTS = 2
    settings.CALENDAR_FETCH_TIMEOUT = 2
    settings.CIRCUIT_FAILURE_THRESHOLD = 2
    settings.CIRCUIT_RESET_SECONDS = 1
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def server():
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()


@pytest.fixture
def loft():
    return Property.objects.create(code="LOFT", name="Sunny Loft")


@pytest.mark.parametrize(
    "address, allowed",
    [
        ("127.0.0.1", False),
        ("10.0.0.8", False),
        ("192.168.1.20", False),
        ("172.16.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
        ("54.230.10.14", True),
        ("2a03:2880:f12f:83:face:b00c:0:25de", True),
    ],
)
def test_it_refuses_addresses_that_are_not_public(settings, address, allowed):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    assert address_allowed(address) is allowed


@pytest.mark.parametrize("url", ["ftp://example.com/a.ics", "file:///etc/passwd", "https://", "http://u:p@x.com/a"])
def test_it_refuses_urls_that_are_not_plain_http(url):
    with pytest.raises(FetchFailed):
        fetch_calendar(url)


def test_it_refuses_a_loopback_host_unless_allowed(server, settings):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    url = server.serve("/a.ics", airbnb_calendar())

    with pytest.raises(FetchFailed, match="private, loopback or link-local"):
        fetch_calendar(url)
    assert server.hits == {}


def test_a_redirect_to_a_private_address_is_refused_and_writes_nothing(server, loft, settings, monkeypatch):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    # 127.0.0.1 stands in for the platform's public address; the redirect goes to 127.0.0.2, a private one.
    real_check = fetch.address_allowed
    monkeypatch.setattr(fetch, "address_allowed", lambda address: address == "127.0.0.1" or real_check(address))
    internal = FeedServer(host="127.0.0.2").start()
    try:
        target = internal.serve("/internal.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))
        url = server.serve("/a.ics", Reply(b"", 302, {"Location": target}))
        feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)

        outcome = calendar_feed_sync(feed_id=feed.pk)
    finally:
        internal.stop()

    assert outcome.status == "failed" and "private" in outcome.reason
    assert server.hits["/a.ics"] == 1 and internal.hits == {}
    assert not Booking.objects.exists()


def test_a_dead_host_opens_its_circuit_and_later_syncs_are_skipped_at_once(server, loft):
    url = server.serve("/a.ics", Reply(b"", 500))
    feeds = [CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB) for _ in range(3)]

    first, second, third = (calendar_feed_sync(feed_id=feed.pk) for feed in feeds)

    assert (first.status, second.status, third.status) == ("failed", "failed", "skipped")
    assert "circuit open" in third.reason
    assert server.hits["/a.ics"] == 4  # two attempts each for the first two feeds, none for the third


def test_the_circuit_closes_when_the_host_answers_again(server, loft):
    import time

    url = server.serve(
        "/a.ics", [Reply(b"", 500)] * 4 + [Reply(airbnb_calendar(airbnb_reserved("a", 5, 3, "HMOK000001")))]
    )
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)
    calendar_feed_sync(feed_id=feed.pk)
    calendar_feed_sync(feed_id=feed.pk)
    assert calendar_feed_sync(feed_id=feed.pk).status == "skipped"
    time.sleep(1.1)

    assert calendar_feed_sync(feed_id=feed.pk).status == "ok"
    assert circuit_for(fetch.feed_host(url)).allow()


def test_one_feeds_bad_content_does_not_shut_out_the_host(server, loft):
    login = server.serve("/login.ics", Reply(LOGIN_PAGE, 200, {"Content-Type": "text/html"}))
    deleted = server.serve("/deleted.ics", Reply(b"", 404))
    good = server.serve("/good.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMOK000001")))
    for url in (login, deleted, login, deleted):
        feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)
        assert calendar_feed_sync(feed_id=feed.pk).status == "failed"

    feed = CalendarFeed.objects.create(property=loft, url=good, source=FeedSource.AIRBNB)

    assert calendar_feed_sync(feed_id=feed.pk).status == "ok"
