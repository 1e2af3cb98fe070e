"""`manage.py sync_calendars`: one line per feed, exit 0 / 3 / 1."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from bookings.models import CalendarFeed, FeedSource, Property
from tests.calendar_fixtures import FeedServer, Reply, airbnb_calendar, airbnb_reserved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast(settings):
    settings.CALENDAR_RETRY_BASE_SECONDS = 0.01
    settings.CALENDAR_FETCH_ATTEMPTS = 1
    cache.clear()


@pytest.fixture
def server():
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()


@pytest.fixture
def loft():
    return Property.objects.create(code="LOFT", name="Sunny Loft")


def run(*args) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("sync_calendars", *args, stdout=out, stderr=err)
    return exited.value.code, out.getvalue().splitlines(), err.getvalue()


def test_it_prints_one_line_per_feed_and_exits_0_when_all_synced(server, loft):
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)

    code, lines, _ = run()

    assert code == 0
    assert lines == [f"feed={feed.pk} status=ok created=1 updated=0 cancelled=0 unchanged=0 conflicts=0"]


def test_it_exits_3_with_the_reason_when_a_feed_fails(server, loft):
    good = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))
    bad = server.serve("/gone.ics", Reply(b"", 404))
    CalendarFeed.objects.create(property=loft, url=good, source=FeedSource.AIRBNB)
    failing = CalendarFeed.objects.create(property=loft, url=bad, source=FeedSource.AIRBNB)

    code, lines, _ = run()

    assert code == 3
    assert lines[1].startswith(f"feed={failing.pk} status=failed created=0 updated=0 cancelled=0 unchanged=0")
    assert 'reason="the link no longer exists (HTTP 404)' in lines[1]
    assert "/gone.ics" not in lines[1]  # feed URLs are secrets


def test_it_exits_3_when_a_feed_needs_review(server, loft):
    url = server.serve("/a.ics", airbnb_calendar())
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)

    code, lines, _ = run("--feed", str(feed.pk))

    assert code == 3 and "status=review" in lines[0]


def test_it_picks_feeds_by_property_code(server, loft):
    other = Property.objects.create(code="CABIN", name="Cabin")
    url = server.serve("/a.ics", airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR")))
    CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)
    cabin_feed = CalendarFeed.objects.create(property=other, url=url, source=FeedSource.AIRBNB)

    code, lines, _ = run("--property", "cabin")

    assert code == 0 and len(lines) == 1 and lines[0].startswith(f"feed={cabin_feed.pk} ")


@pytest.mark.parametrize("args", [("--feed", "999"), ("--property", "NOPE"), ()])
def test_it_exits_1_when_nothing_can_run(args):
    code, lines, err = run(*args)

    assert code == 1 and lines == [] and err


def test_it_exits_1_when_every_feed_is_skipped(server, loft):
    url = server.serve("/a.ics", airbnb_calendar())
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB, active=False)

    code, lines, _ = run("--feed", str(feed.pk))

    assert (
        code == 1
        and 'status=skipped created=0 updated=0 cancelled=0 unchanged=0 conflicts=0 reason="the feed is paused"'
        in lines[0]
    )
