"""The calendar sync in the background: one periodic tick queued however often it is asked for, the turnover
tasks following a feed's stays, and two workers never syncing one feed at once (PostgreSQL, real threads)."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from bookings.calendar.jobs import calendar_schedule_ensure, sync_due_calendars
from bookings.calendar.sync import calendar_feed_sync
from bookings.models import Booking, BookingStatus, CalendarFeed, FeedSource, Property
from tests.calendar_fixtures import FeedServer, Reply, airbnb_blocked, airbnb_calendar, airbnb_reserved, day
from tests.factories import make_template
from wbs.models import Task


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
def database_tasks(settings):
    """The worker's backend (django-tasks resets its backends when the setting changes)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_the_periodic_tick_is_queued_once_however_often_it_is_asked_for(database_tasks):
    from django_tasks_db.models import DBTaskResult

    assert calendar_schedule_ensure() is True
    assert calendar_schedule_ensure() is False

    assert DBTaskResult.objects.filter(task_path=sync_due_calendars.module_path, status="READY").count() == 1


@pytest.mark.django_db
def test_a_new_stay_gets_its_turnover_and_a_block_gets_none(server):
    loft = Property.objects.create(code="LOFT", name="Sunny Loft")
    make_template()
    body = airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR"), airbnb_blocked("b", 20, 3))
    url = server.serve("/a.ics", body)
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)

    calendar_feed_sync(feed_id=feed.pk)

    stay = Booking.objects.get(status=BookingStatus.CONFIRMED)
    assert list(Task.objects.values_list("booking_id", flat=True)) == [stay.pk]
    server.serve("/a.ics", airbnb_calendar(airbnb_reserved("new-uid", 5, 5, "HMZK4Q8WTR"), airbnb_blocked("b", 20, 3)))

    calendar_feed_sync(feed_id=feed.pk)

    assert Task.objects.get().start_date == day(10)  # the extension moved the cleaning


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_sync_one_feed_at_once(server):
    loft = Property.objects.create(code="LOFT", name="Sunny Loft")
    body = airbnb_calendar(airbnb_reserved("a", 5, 3, "HMZK4Q8WTR"))
    url = server.serve("/a.ics", Reply(body, delay=1.0))
    feed = CalendarFeed.objects.create(property=loft, url=url, source=FeedSource.AIRBNB)
    outcomes = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            outcomes.append(calendar_feed_sync(feed_id=feed.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcome.status for outcome in outcomes) == ["ok", "skipped"]
    assert server.hits["/a.ics"] == 1
    assert Booking.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_asking_for_the_tick_at_once_queue_one(database_tasks):
    from django_tasks_db.models import DBTaskResult

    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            calendar_schedule_ensure()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert DBTaskResult.objects.filter(task_path=sync_due_calendars.module_path, status="READY").count() == 1
