"""The managers' turnovers view: check-outs in the coming days, unassigned first, assigning by HTMX."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_booking, make_property, make_template
from tests.garbage_params import GARBAGE_PARAMS
from wbs.models import Task
from wbs.services.turnovers import turnovers_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def make_turnovers(count: int, today, assignee=None) -> list:
    make_template(default_assignee=assignee)
    bookings = [
        make_booking(make_property(f"House {number}"), today - datetime.timedelta(days=2), nights=2 + number % 10)
        for number in range(count)
    ]
    turnovers_sync(booking_ids=[booking.pk for booking in bookings])
    return bookings


def test_it_sends_anonymous_visitors_to_sign_in(client):
    assert client.get(reverse("wbs:turnovers")).status_code == 302


def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(reverse("wbs:turnovers")).status_code == 403


def test_it_puts_the_unassigned_check_outs_on_top(manager_client, cleaner, today):
    assigned_template = make_template("Inspect {property}", trigger="before_check_in", default_assignee=cleaner)
    first = make_booking(make_property("Alpha"), today - datetime.timedelta(days=1), nights=2, guest_name="Early")
    later = make_booking(make_property("Omega"), today, nights=3, guest_name="Late")
    make_template("Clean {property} after {guest}")
    turnovers_sync(booking_ids=[first.pk, later.pk])
    Task.objects.filter(booking=first).update(assignee=cleaner)
    far = make_booking(make_property("Far"), today + datetime.timedelta(days=30), guest_name="Far away")
    turnovers_sync(booking_ids=[far.pk])

    html = manager_client.get(reverse("wbs:turnovers")).content.decode()

    assert html.index("Clean Omega after Late") < html.index("Clean Alpha after Early")
    assert "Far away" not in html
    assert assigned_template.pk


@pytest.mark.parametrize("count", [1, 6])
def test_it_lists_in_a_fixed_number_of_queries(manager_client, today, count, django_assert_num_queries):
    make_turnovers(count, today)

    # session, user, roles, bookings, their tasks with assignees, the people to assign
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("wbs:turnovers"))

    assert response.content.decode().count('class="turnover-assign"') == count


def test_it_assigns_by_htmx_and_answers_the_row(
    manager_client, cleaner, today, htmx_headers, django_capture_on_commit_callbacks
):
    cleaner.email = "carla@example.com"
    cleaner.save()
    make_turnovers(1, today)
    task = Task.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("wbs:turnover_assign", args=[task.pk]), {"assignee": cleaner.pk}, headers=htmx_headers
        )

    task.refresh_from_db()
    assert task.assignee == cleaner
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="turnover-task-{task.pk}"')
    assert f'<option value="{cleaner.pk}" selected>' in html
    assert mail.outbox[0].to == ["carla@example.com"]


def test_it_assigns_without_javascript(manager_client, cleaner, today):
    make_turnovers(1, today)
    task = Task.objects.get()
    response = manager_client.post(reverse("wbs:turnover_assign", args=[task.pk]), {"assignee": cleaner.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == cleaner


def test_it_refuses_someone_who_is_not_a_cleaner_or_manager(manager_client, django_user_model, today, htmx_headers):
    stranger = django_user_model.objects.create_user("stranger", password="x")
    make_turnovers(1, today)
    task = Task.objects.get()

    response = manager_client.post(
        reverse("wbs:turnover_assign", args=[task.pk]), {"assignee": stranger.pk}, headers=htmx_headers
    )

    assert response.status_code == 400
    task.refresh_from_db()
    assert task.assignee is None


def test_it_refuses_cleaners_assigning(cleaner_client, cleaner, today):
    make_turnovers(1, today)
    task = Task.objects.get()
    response = cleaner_client.post(reverse("wbs:turnover_assign", args=[task.pk]), {"assignee": cleaner.pk})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.assignee is None


def test_it_ignores_parameters_it_does_not_take(manager_client, today):
    make_turnovers(1, today)

    response = manager_client.get(reverse("wbs:turnovers"), GARBAGE_PARAMS)

    assert response.status_code == 200
    assert "House 0" in response.content.decode()
    assert "HX-Request" in response["Vary"]
