"""The calendar sync service against feeds served from a loopback HTTP server: formats, matching, bad feeds."""

import datetime

import pytest
from django.core.cache import cache

from bookings.calendar.sync import calendar_feed_review_apply, calendar_feed_review_ignore, calendar_feed_sync
from bookings.models import (
    Booking,
    BookingConflict,
    BookingStatus,
    CalendarFeed,
    ConflictKind,
    FeedSource,
    FeedState,
    Property,
)
from core.models import AuditEntry, AuditSource
from tests.calendar_fixtures import (
    LOGIN_PAGE,
    FeedServer,
    Reply,
    airbnb_blocked,
    airbnb_calendar,
    airbnb_reserved,
    bookingcom_calendar,
    bookingcom_event,
    day,
    vrbo_calendar,
    vrbo_event,
)
from tests.import_files import airbnb_row, airbnb_xlsx, preview_and_apply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.CALENDAR_RETRY_BASE_SECONDS = 0.01
    settings.CALENDAR_RETRY_MAX_SECONDS = 2
    settings.CALENDAR_FETCH_TIMEOUT = 2
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
    return Property.objects.create(code="LOFT", name="Sunny Loft", aliases=["Sunny Loft by the Beach"])


def make_feed(prop, url, source=FeedSource.AIRBNB, **fields) -> CalendarFeed:
    return CalendarFeed.objects.create(property=prop, url=url, source=source, **fields)


def snapshot() -> tuple:
    """Everything a bad feed must leave alone."""
    return (
        list(Booking.all_objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        BookingConflict.objects.count(),
    )


def test_it_reads_airbnb_stays_and_blocks(server, loft):
    url = server.serve(
        "/airbnb.ics",
        airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"), airbnb_blocked("b1", 20, 4)),
    )
    feed = make_feed(loft, url)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "ok", outcome.reason
    assert outcome.counts == {"created": 2, "updated": 0, "cancelled": 0, "unchanged": 0, "conflicts": 0}
    stay, block = Booking.objects.order_by("check_in")
    assert (stay.source, stay.external_code, stay.status) == ("airbnb", "HMZK4Q8WTR", BookingStatus.CONFIRMED)
    assert (stay.check_in, stay.check_out) == (day(5), day(8))
    assert stay.guest_name == "Airbnb guest"
    assert (block.status, block.guest_name, block.check_out) == (BookingStatus.BLOCKED, "Airbnb block", day(24))
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {AuditSource.CALENDAR}
    feed.refresh_from_db()
    assert feed.state() == FeedState.OK
    assert feed.last_event_count == 2


def test_it_reads_vrbo_names_blocks_and_durations(server, loft):
    url = server.serve(
        "/vrbo.ics",
        vrbo_calendar(
            vrbo_event("v-1", 3, 2, "Reserved - Jane Doe"),
            vrbo_event("v-2", 10, 7, "Reserved - Tomás Ribeiro", duration=True),
            vrbo_event("v-3", 30, 3, "Blocked"),
        ),
    )
    feed = make_feed(loft, url, FeedSource.VRBO)

    assert calendar_feed_sync(feed_id=feed.pk).counts["created"] == 3

    jane, tomas, block = Booking.objects.order_by("check_in")
    assert (jane.guest_name, jane.source, jane.external_code) == ("Jane Doe", "vrbo", "")
    assert (tomas.guest_name, tomas.check_in, tomas.check_out) == ("Tomás Ribeiro", day(10), day(17))
    assert block.status == BookingStatus.BLOCKED


def test_it_takes_every_booking_com_event_as_a_stay(server, loft):
    url = server.serve("/b.ics", bookingcom_calendar(bookingcom_event("x1", 2, 2), bookingcom_event("x2", 9, 5)))
    feed = make_feed(loft, url, FeedSource.BOOKINGCOM)

    calendar_feed_sync(feed_id=feed.pk)

    stays = list(Booking.objects.values_list("status", "guest_name", "source"))
    assert stays == [(BookingStatus.CONFIRMED, "Booking.com guest", "bookingcom")] * 2


def test_it_syncs_again_without_changing_anything(server, loft):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"), airbnb_blocked("b", 9, 2)))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    before = snapshot()

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts == {"created": 0, "updated": 0, "cancelled": 0, "unchanged": 2, "conflicts": 0}
    assert snapshot() == before


def test_an_excel_import_and_a_feed_of_one_stay_make_one_booking(server, loft, manager):
    row = airbnb_row("HMZK4Q8WTR", guest="Ana Ferreira", check_in=day(5), check_out=day(8))
    preview_and_apply(airbnb_xlsx([row]), "airbnb.xlsx", manager)
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR")))
    feed = make_feed(loft, url)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts["unchanged"] == 1
    booking = Booking.objects.get()
    assert booking.guest_name == "Ana Ferreira"  # the feed carries no name: it never blanks one
    assert booking.guest_contact == "+351 912 345 678"


def test_an_extension_with_a_new_uid_updates_the_stay(server, loft):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("first-uid", 5, 3, "HMZK4Q8WTR")))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    server.serve("/a.ics", airbnb_calendar(airbnb_reserved("regenerated-uid", 5, 6, "HMZK4Q8WTR")))

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts["updated"] == 1 and outcome.counts["created"] == 0
    booking = Booking.objects.get()
    assert booking.check_out == day(11)
    assert booking.calendar_links.get().uid == "regenerated-uid@airbnb.com"


def test_a_vrbo_extension_without_a_code_updates_the_stay(server, loft):
    url = server.serve("/v.ics", vrbo_calendar(vrbo_event("v-old", 5, 3, "Reserved - Jane Doe")))
    feed = make_feed(loft, url, FeedSource.VRBO)
    calendar_feed_sync(feed_id=feed.pk)
    server.serve("/v.ics", vrbo_calendar(vrbo_event("v-new", 5, 5, "Reserved - Jane Doe")))

    assert calendar_feed_sync(feed_id=feed.pk).counts["updated"] == 1
    assert Booking.objects.get().check_out == day(10)


def test_a_vanished_stay_becomes_a_conflict_after_several_good_syncs(server, loft, settings):
    settings.CALENDAR_MISSING_SYNCS = 2
    both = airbnb_calendar(
        airbnb_reserved("keep", 5, 3, "HMKEEP0001"),
        airbnb_reserved("gone", 12, 3, "HMGONE0001"),
        airbnb_reserved("keep2", 20, 3, "HMKEEP0002"),
    )
    url = server.serve("/a.ics", both)
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    fewer = airbnb_calendar(airbnb_reserved("keep", 5, 3, "HMKEEP0001"), airbnb_reserved("keep2", 20, 3, "HMKEEP0002"))
    server.serve("/a.ics", fewer)

    first = calendar_feed_sync(feed_id=feed.pk)
    assert first.counts["conflicts"] == 0
    assert not BookingConflict.objects.exists()

    second = calendar_feed_sync(feed_id=feed.pk)
    third = calendar_feed_sync(feed_id=feed.pk)

    assert second.counts["conflicts"] == 1 and third.counts["conflicts"] == 1
    conflict = BookingConflict.objects.get()  # asked once, however many syncs follow
    assert conflict.kind == ConflictKind.MISSING_FROM_FEED
    assert "no longer in the Airbnb calendar" in conflict.message
    assert Booking.objects.get(external_code="HMGONE0001").status == BookingStatus.CONFIRMED


def test_a_past_stay_missing_from_the_feed_is_left_alone(server, loft, settings):
    settings.CALENDAR_MISSING_SYNCS = 1
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("now", 5, 3, "HMNOW00001")))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    Booking.objects.update(check_in=day(-10), check_out=day(-7))
    server.serve("/a.ics", airbnb_calendar(airbnb_reserved("later", 15, 3, "HMLATER001")))

    calendar_feed_sync(feed_id=feed.pk)

    assert not BookingConflict.objects.exists()
    assert Booking.objects.get(external_code="HMNOW00001").check_out == day(-7)


def test_a_lifted_block_is_cancelled_without_asking(server, loft, settings):
    settings.CALENDAR_MISSING_SYNCS = 1
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("r", 5, 3, "HMR0000001"), airbnb_blocked("b", 9, 2)))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    server.serve("/a.ics", airbnb_calendar(airbnb_reserved("r", 5, 3, "HMR0000001"), airbnb_blocked("c", 30, 2)))

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts["cancelled"] == 1
    assert Booking.objects.get(check_in=day(9)).status == BookingStatus.CANCELLED


def test_a_stay_edited_by_hand_raises_a_conflict(server, loft):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    Booking.objects.update(edited_by_hand=True, check_out=day(9))
    before = list(Booking.objects.values())

    outcome = calendar_feed_sync(feed_id=feed.pk)
    again = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts["conflicts"] == 1 and again.counts["conflicts"] == 1
    assert BookingConflict.objects.get().kind == ConflictKind.EDITED_BY_HAND
    assert list(Booking.objects.values()) == before


BAD_REPLIES = {
    "server error": (Reply(b"oops", 500), "HTTP 500"),
    "login page": (Reply(LOGIN_PAGE, 200, {"Content-Type": "text/html"}), "web page"),
    "not a calendar": (Reply(b"Service temporarily moved\n", 200), "BEGIN:VCALENDAR"),
    "truncated": (Reply(airbnb_calendar(airbnb_reserved("x", 5, 3, "HMNEW00001"))[:-40]), "cut off"),
    "cut short": (Reply(airbnb_calendar(airbnb_reserved("x", 5, 3, "HMNEW00001")), cut_short=True), "closed"),
    "not found": (Reply(b"gone", 404), "no longer exists"),
}


@pytest.mark.parametrize("kind", sorted(BAD_REPLIES))
def test_a_bad_feed_fails_and_writes_nothing(server, loft, kind):
    good = airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"), airbnb_blocked("b1", 20, 4))
    url = server.serve("/a.ics", good)
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    before = snapshot()
    reply, expected = BAD_REPLIES[kind]
    server.serve("/a.ics", reply)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "failed"
    assert expected in outcome.reason
    assert snapshot() == before
    feed.refresh_from_db()
    assert feed.state() == FeedState.FAILING
    assert feed.consecutive_failures == 1 and expected in feed.last_error
    assert feed.url not in outcome.line()


def test_a_timeout_fails_after_bounded_attempts(server, loft, settings):
    settings.CALENDAR_FETCH_TIMEOUT = 0.3
    settings.CALENDAR_FETCH_ATTEMPTS = 2
    url = server.serve("/slow.ics", Reply(airbnb_calendar(), delay=1.5))
    feed = make_feed(loft, url)
    before = snapshot()

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "failed" and "did not answer within 0.3 s" in outcome.reason
    assert server.hits["/slow.ics"] == 2
    assert snapshot() == before


def test_a_server_error_is_retried_then_succeeds(server, loft):
    body = airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"))
    url = server.serve("/a.ics", [Reply(b"", 503), Reply(b"", 502), Reply(body)])
    feed = make_feed(loft, url)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "ok" and server.hits["/a.ics"] == 3


def test_a_429_waits_as_long_as_retry_after_says(server, loft):
    import time

    body = airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"))
    url = server.serve("/a.ics", [Reply(b"", 429, {"Retry-After": "1"}), Reply(body)])
    feed = make_feed(loft, url)
    started = time.monotonic()

    assert calendar_feed_sync(feed_id=feed.pk).status == "ok"
    assert time.monotonic() - started >= 1


def test_a_429_asking_for_longer_than_the_longest_wait_gives_up_at_once(server, loft):
    url = server.serve("/a.ics", Reply(b"", 429, {"Retry-After": "3600"}))
    feed = make_feed(loft, url)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "failed" and "429" in outcome.reason
    assert server.hits["/a.ics"] == 1


def test_a_body_over_the_size_limit_fails(server, loft, settings):
    settings.CALENDAR_MAX_BYTES = 2048
    events = [airbnb_reserved(f"u{n}", 5 + n * 3, 2, f"HMBIG{n:05d}") for n in range(30)]
    url = server.serve("/big.ics", airbnb_calendar(*events))
    feed = make_feed(loft, url)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "failed" and "larger than" in outcome.reason
    assert not Booking.objects.exists()


def test_an_empty_calendar_waits_for_review_and_can_be_applied(server, loft, manager, settings):
    settings.CALENDAR_MISSING_SYNCS = 1
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR")))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    before = snapshot()
    server.serve("/a.ics", airbnb_calendar())

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "review" and "empty" in outcome.reason
    assert snapshot() == before
    feed.refresh_from_db()
    assert feed.state() == FeedState.REVIEW

    applied = calendar_feed_review_apply(feed=feed, user=manager)

    assert applied.status == "ok"
    assert BookingConflict.objects.get().kind == ConflictKind.MISSING_FROM_FEED
    feed.refresh_from_db()
    assert feed.state() == FeedState.OK and feed.last_event_count == 0


def test_a_large_drop_waits_for_review_and_a_later_good_sync_clears_it(server, loft, manager):
    events = [airbnb_reserved(f"u{n}", 5 + n * 4, 2, f"HMDROP{n:04d}") for n in range(6)]
    url = server.serve("/a.ics", airbnb_calendar(*events))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    before = snapshot()
    server.serve("/a.ics", airbnb_calendar(*events[:2]))

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "review" and "down from 6" in outcome.reason
    assert snapshot() == before
    server.serve("/a.ics", airbnb_calendar(*events))
    assert calendar_feed_sync(feed_id=feed.pk).status == "ok"
    feed.refresh_from_db()
    assert feed.state() == FeedState.OK and feed.review_body == ""


def test_ignoring_a_review_keeps_the_bookings(server, loft, manager):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR")))
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    server.serve("/a.ics", airbnb_calendar())
    calendar_feed_sync(feed_id=feed.pk)
    feed.refresh_from_db()

    calendar_feed_review_ignore(feed=feed, user=manager)

    feed.refresh_from_db()
    assert feed.review_reason == "" and Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_second_fetch_is_conditional_and_not_modified_changes_nothing(server, loft):
    body = airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"))
    url = server.serve("/a.ics", [Reply(body, headers={"ETag": '"v1"'}), Reply(b"", 304)])
    feed = make_feed(loft, url)
    calendar_feed_sync(feed_id=feed.pk)
    before = snapshot()

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "ok" and outcome.counts["unchanged"] == 1
    assert server.request_headers[-1].get("If-None-Match") == '"v1"'
    assert snapshot() == before


def test_a_block_over_another_platforms_stay_changes_nothing(server, loft):
    airbnb = make_feed(loft, server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a1", 5, 3, "HMZK4Q8WTR"))))
    vrbo = make_feed(loft, server.serve("/v.ics", vrbo_calendar(vrbo_event("v", 5, 3, "Blocked"))), FeedSource.VRBO)
    calendar_feed_sync(feed_id=airbnb.pk)

    outcome = calendar_feed_sync(feed_id=vrbo.pk)

    assert outcome.counts["unchanged"] == 1
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_cancelled_event_cancels_a_future_stay(server, loft):
    url = server.serve("/a.ics", vrbo_calendar(vrbo_event("v1", 5, 3, "Reserved - Jane Doe")))
    feed = make_feed(loft, url, FeedSource.VRBO)
    calendar_feed_sync(feed_id=feed.pk)
    cancelled = vrbo_event("v1", 5, 3, "Reserved - Jane Doe").replace("SUMMARY", "STATUS:CANCELLED\nSUMMARY")
    server.serve("/a.ics", vrbo_calendar(cancelled, vrbo_event("v2", 30, 3, "Reserved - Li Wei")))

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.counts["cancelled"] == 1
    assert Booking.objects.get(guest_name="Jane Doe").status == BookingStatus.CANCELLED


def test_a_paused_feed_is_skipped(server, loft):
    feed = make_feed(loft, server.serve("/a.ics", airbnb_calendar()), active=False)

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "skipped" and server.hits == {}


def test_a_feed_being_synced_elsewhere_is_skipped(server, loft):
    feed = make_feed(loft, server.serve("/a.ics", airbnb_calendar()))
    CalendarFeed.objects.filter(pk=feed.pk).update(lease_until=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC))

    outcome = calendar_feed_sync(feed_id=feed.pk)

    assert outcome.status == "skipped" and "another sync" in outcome.reason
