"""The occupancy timeline: bar placement, lanes, same-day turnovers and overlaps, navigation, query count."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, Property
from bookings.queries import timeline
from bookings.services.bookings import booking_cancel, booking_create
from bookings.services.properties import property_archive, property_create

pytestmark = pytest.mark.django_db

URL = reverse("bookings:timeline")
MONDAY = datetime.date(2030, 6, 3)


def day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


def stay(manager, prop, name, start, end, **extra):
    return booking_create(
        user=manager, property=prop, guest_name=name, check_in=day(start), check_out=day(end), **extra
    )


def test_a_bar_runs_from_the_afternoon_of_check_in_to_the_morning_of_check_out(manager, beach):
    stay(manager, beach, "Ann", 1, 4)
    row = timeline(start=MONDAY, days=14, today=MONDAY).rows[0]
    (bar,) = row.bars
    # Line 2 starts day 0; each day has two columns: Ann arrives on day 1's afternoon (line 5) and leaves
    # in the morning of day 4 (the column between lines 10 and 11).
    assert (bar.column_start, bar.column_end, bar.lane) == (5, 11, 1)
    assert not bar.overlaps


def test_a_same_day_turnover_is_marked_and_not_an_overlap(manager, beach):
    stay(manager, beach, "Ann", 0, 3)
    stay(manager, beach, "Bob", 3, 5)
    row = timeline(start=MONDAY, days=14, today=MONDAY).rows[0]
    assert [d.date for d in row.turnovers] == [day(3)]
    assert [bar.overlaps for bar in row.bars] == [False, False]
    assert [bar.lane for bar in row.bars] == [1, 1]
    assert row.lanes == 1


def test_overlapping_stays_are_flagged_and_get_their_own_lane(manager, beach):
    stay(manager, beach, "Ann", 0, 5)
    stay(manager, beach, "Bob", 2, 4, confirm_overlap=True)
    stay(manager, beach, "Cy", 6, 8)
    row = timeline(start=MONDAY, days=14, today=MONDAY).rows[0]
    assert [(bar.booking.guest_name, bar.lane, bar.overlaps) for bar in row.bars] == [
        ("Ann", 1, True),
        ("Bob", 2, True),
        ("Cy", 1, False),
    ]
    assert row.lanes == 2


def test_stays_cut_by_the_window_and_cancelled_or_other_stays(manager, beach):
    stay(manager, beach, "Before", -5, 0)  # leaves on the first day: its morning still shows
    stay(manager, beach, "Across", 10, 20)
    stay(manager, beach, "Gone", 2, 4, status="cancelled")
    stay(manager, beach, "Far", 30, 32)
    row = timeline(start=MONDAY, days=14, today=MONDAY).rows[0]
    bars = {bar.booking.guest_name: bar for bar in row.bars}
    assert set(bars) == {"Before", "Across"}
    assert (bars["Before"].column_start, bars["Before"].column_end, bars["Before"].starts_before) == (2, 3, True)
    assert (bars["Across"].column_end, bars["Across"].ends_after) == (30, True)
    assert row.turnovers == []


def test_the_page_shows_rows_bars_turnovers_overlaps_and_today(manager_client, manager, beach):
    loft = property_create(user=manager, name="Alfama Loft", code="LOFT")
    stay(manager, beach, "Ann Smith", 0, 3)
    stay(manager, beach, "Bob Jones", 3, 5)
    stay(manager, loft, "Cy Young", 1, 4)
    stay(manager, loft, "Di Prince", 2, 3, confirm_overlap=True)
    response = manager_client.get(URL, {"start": MONDAY.isoformat(), "days": 14})
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Alfama Loft") < content.index("Beach House")
    assert "Same-day turnover on Thu 6 Jun" in content
    assert content.count("tl-overlap") == 2
    assert "Mon 3 Jun – Sun 16 Jun 2030" in content
    assert "Ann Smith" in content and "Confirmed" in content


def test_it_marks_today(manager_client, beach):
    response = manager_client.get(URL)
    assert response.context["timeline"].start.weekday() == 0
    assert "tl-is-today" in response.content.decode()


def test_navigation_links_move_by_week_and_month_keeping_the_span(manager_client, beach):
    moves = manager_client.get(URL, {"start": "2030-06-03", "days": 28}).context["moves"]
    assert moves["previous_week"] == "?start=2030-05-27&days=28"
    assert moves["next_week"] == "?start=2030-06-10&days=28"
    assert moves["previous_month"] == "?start=2030-05-03&days=28"
    assert moves["next_month"] == "?start=2030-07-03&days=28"


def test_the_htmx_path_swaps_only_the_timeline(manager_client, beach, htmx_headers):
    response = manager_client.get(URL, {"start": "2030-06-10", "days": 42}, headers=htmx_headers)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="timeline"')
    assert "<html" not in content
    assert content.count('class="tl-day-head') == 42


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"days": "500"}, "Show between 14 and 62 days, not “500”; showing 14."),
        ({"days": "many"}, "not “many”"),
        ({"start": "next tuesday"}, "“next tuesday” is not a date like 2026-03-14; showing this week."),
    ],
)
def test_bad_parameters_fall_back_with_a_message(manager_client, beach, params, message):
    response = manager_client.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["timeline"].days == 14


def test_archived_properties_are_not_shown(manager_client, manager, beach):
    property_archive(property=beach, user=manager)
    assert "Beach House" not in manager_client.get(URL).content.decode()


def test_access(client, cleaner):
    assert client.get(URL).status_code == 302
    client.force_login(cleaner)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("count", [100, 3000])
def test_it_runs_a_fixed_number_of_queries(manager_client, manager, django_assert_num_queries, count):
    props = Property.objects.bulk_create(Property(name=f"Property {n:02}", code=f"P{n}") for n in range(20))
    Booking.objects.bulk_create(
        (
            Booking(
                property=props[n % 20],
                guest_name=f"Guest {n}",
                check_in=day(n // 20 * 2 - 30),
                check_out=day(n // 20 * 2 - 28),
            )  # fmt: skip
            for n in range(count)
        ),
        batch_size=1000,
    )
    booking_cancel(booking=Booking.objects.first(), user=manager)
    # session, user, roles, properties, the stays in the window
    with django_assert_num_queries(5):
        response = manager_client.get(URL, {"start": MONDAY.isoformat(), "days": 62})
    assert len(response.context["timeline"].rows) == 20
    with django_assert_num_queries(5):
        manager_client.get(URL, {"start": MONDAY.isoformat()}, headers={"HX-Request": "true"})


def test_deleted_stays_leave_the_timeline_and_come_back_when_restored(manager_client, manager, beach):
    from bookings.services.bookings import booking_delete, booking_restore

    gone = stay(manager, beach, "Ann Smith", 0, 3)
    booking_delete(booking=gone, user=manager)
    params = {"start": MONDAY.isoformat()}
    assert "Ann Smith" not in manager_client.get(URL, params).content.decode()
    booking_restore(booking=Booking.all_objects.get(pk=gone.pk), user=manager)
    assert "Ann Smith" in manager_client.get(URL, params).content.decode()


def test_an_inactive_property_takes_a_row_only_while_it_has_stays_in_view(manager, beach):
    quiet = property_create(user=manager, name="Quiet Loft", code="QUIET")
    Property.objects.filter(pk=quiet.pk).update(active=False)
    assert [row.property.code for row in timeline(start=MONDAY, days=14, today=MONDAY).rows] == ["BEACH"]
    stay(manager, quiet, "Late guest", 2, 5)
    rows = timeline(start=MONDAY, days=14, today=MONDAY).rows
    assert [row.property.code for row in rows] == ["BEACH", "QUIET"]
    assert [row.property.code for row in timeline(start=day(21), days=14, today=MONDAY).rows] == ["BEACH"]


def test_a_history_restore_gets_the_whole_page(manager_client, beach):
    response = manager_client.get(
        URL, {"start": "2030-06-10"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" in html and 'id="timeline"' in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "3000-01-01"])
def test_a_start_beyond_the_dates_it_shows_falls_back_to_this_week(manager_client, beach, start):
    response = manager_client.get(URL, {"start": start})
    assert response.status_code == 200
    assert "showing this week" in response.content.decode()
