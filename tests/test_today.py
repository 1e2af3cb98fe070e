"""The managers' Today page: departures with their turnover tasks, arrivals, due work and open conflicts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import BookingConflict, ConflictKind
from tests.conftest import DESKTOP, PHONE, no_horizontal_scroll
from tests.factories import make_booking, make_cleaning_task, make_property, make_template
from tests.garbage_params import GARBAGE_PARAMS
from wbs.services.turnovers import turnovers_sync

URL = "/today/"


def build_day(manager, cleaner, *, properties: int):
    today = timezone.localdate()
    template = make_template()
    booking_ids = []
    for number in range(properties):
        prop = make_property(f"Villa {number}")
        leaving = make_booking(prop, today - datetime.timedelta(days=3), nights=3, guest_name=f"Leaving {number}")
        arriving = make_booking(prop, today, nights=2, guest_name=f"Arriving {number}")
        booking_ids += [leaving.pk, arriving.pk]
        make_cleaning_task(
            assignee=cleaner, property=prop, title=f"Fix tap {number}", due_date=today - datetime.timedelta(days=1)
        )
        BookingConflict.objects.create(kind=ConflictKind.OVERLAP, booking=leaving, message=f"Overlap {number}")
    turnovers_sync(booking_ids=booking_ids)
    return template


@pytest.mark.django_db
def test_it_shows_todays_departures_arrivals_due_work_and_conflicts(manager_client, manager, cleaner):
    build_day(manager, cleaner, properties=2)
    response = manager_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Leaving 0" in content and "Arriving 1" in content
    assert "Clean Villa 0 after Leaving 0" in content
    assert "same-day" in content.lower()
    assert "Fix tap 1" in content and "overdue since" in content
    assert "Overlap 0" in content


@pytest.mark.django_db
def test_it_runs_the_same_queries_for_few_and_many_properties(
    manager_client, manager, cleaner, django_assert_num_queries
):
    build_day(manager, cleaner, properties=2)
    manager_client.get(URL)  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        manager_client.get(URL)
    build_day(manager, cleaner, properties=12)
    with django_assert_num_queries(len(small.captured_queries)):
        manager_client.get(URL)
    assert len(small.captured_queries) <= 14


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(URL).status_code == 403


@pytest.mark.django_db
def test_managers_land_on_it_after_signing_in(manager_client):
    response = manager_client.get("/")
    assert response.status_code == 302 and response["Location"] == URL


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_today_on_a_desktop_and_a_phone(page, live_server, manager, cleaner, login_as, screenshot):
    build_day(manager, cleaner, properties=3)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}{URL}")
    assert page.locator("h1").inner_text().startswith("Today")
    assert page.locator("#departures li").first.is_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "today-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert no_horizontal_scroll(page)
    screenshot(page, "today-phone")
    page.click("text=All conflicts")
    page.wait_for_url(f"{live_server.url}/bookings/conflicts/**")


@pytest.mark.django_db
def test_an_automatic_task_page_says_which_template_and_booking_made_it(manager_client, manager, cleaner):
    build_day(manager, cleaner, properties=1)
    from wbs.models import Task

    task = Task.objects.filter(template__isnull=False).first()
    content = manager_client.get(task.get_absolute_url()).content.decode()
    assert "Created automatically from the template “Clean {property} after {guest}”" in content
    assert task.booking.get_absolute_url() in content


@pytest.mark.django_db
def test_it_ignores_parameters_it_does_not_take(manager_client, manager, cleaner):
    build_day(manager, cleaner, properties=1)

    response = manager_client.get(URL, GARBAGE_PARAMS)

    assert response.status_code == 200
    assert "Leaving 0" in response.content.decode()
    assert "HX-Request" in response["Vary"]
