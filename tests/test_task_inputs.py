"""What people type and send reaches tasks and bookings safely: one-line fields, the links a cleaner sees,
the day sheet's date, the edit form's single transaction."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from bookings.services.bookings import booking_create
from core.text import single_line
from tests.factories import link, make_cleaning_task, make_property
from wbs.models import Tag, Task
from wbs.services import tasks as task_services
from wbs.services.notifications import email_subject
from wbs.services.turnovers import turnover_assign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Clean\r\nBeach House", "Clean Beach House"),
        ("Clean\tthe\x00 pool\x1b", "Clean the pool"),
        ("Restock\u2028linen\u0085 ", "Restock linen"),
        ("  Fix   the tap  ", "Fix the tap"),
        ("", ""),
    ],
)
def test_single_line_turns_control_characters_into_one_space(typed, kept):
    assert single_line(typed) == kept


def test_a_title_typed_with_a_line_break_is_saved_on_one_line(manager_client):
    response = manager_client.post(
        reverse("wbs:task_create"), {"title": "Clean\nBeach House", "type": "other", "priority": 2, "progress": 0}
    )

    assert response.status_code == 302
    assert Task.objects.get().title == "Clean Beach House"


def test_a_title_changed_with_control_characters_is_cleaned_by_the_service(cleaner):
    task = make_cleaning_task(assignee=cleaner)

    task_services.task_update(task=task, title="Inspect\r\n\x07Sea View")

    assert Task.objects.get(pk=task.pk).title == "Inspect Sea View"


def test_a_booking_guest_name_with_a_line_break_is_saved_on_one_line(manager):
    booking = booking_create(
        user=manager,
        property=make_property(),
        guest_name="Ana\nSilva",
        external_code="HM\r\n123",
        check_in=datetime.date(2026, 6, 1),
        check_out=datetime.date(2026, 6, 4),
    )

    booking.refresh_from_db()
    assert (booking.guest_name, booking.external_code) == ("Ana Silva", "HM 123")


def test_an_email_subject_never_carries_a_line_break():
    assert email_subject("Assigned: Clean\nBeach\r\nHouse") == "StayOps: Assigned: Clean Beach House"


def test_the_assignment_email_goes_out_for_a_title_that_once_had_a_line_break(
    manager, cleaner, django_capture_on_commit_callbacks
):
    task = make_cleaning_task(assignee=None, title="Clean")
    Task.objects.filter(pk=task.pk).update(title="Clean\nBeach House")  # written before titles were cleaned
    task.refresh_from_db()
    cleaner.email = "carla@example.com"
    cleaner.save()

    with django_capture_on_commit_callbacks(execute=True):
        turnover_assign(task=task, assignee=cleaner, user=manager)

    assert [message.subject for message in mail.outbox] == ["StayOps: Assigned: Clean Beach House"]


def test_a_cleaner_sees_only_the_linked_tasks_they_may_open(client, cleaner, other_cleaner, manager):
    own = make_cleaning_task(assignee=cleaner, title="Clean Beach House")
    own_next = make_cleaning_task(assignee=cleaner, title="Inspect Beach House")
    hidden_before = make_cleaning_task(assignee=other_cleaner, title="Secret repair before")
    hidden_after = make_cleaning_task(assignee=other_cleaner, title="Secret repair after")
    link(hidden_before, own)
    link(own, own_next)
    link(own, hidden_after)

    client.force_login(cleaner)
    html = client.get(own.get_absolute_url()).content.decode()
    assert "Inspect Beach House" in html
    assert "Secret repair" not in html

    client.force_login(manager)
    html = client.get(own.get_absolute_url()).content.decode()
    assert "Secret repair before" in html and "Secret repair after" in html


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2026-02-28"])
def test_the_day_sheet_answers_any_real_date(cleaner_client, date):
    response = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": date})

    assert response.status_code == 200


@pytest.mark.parametrize("date", ["tomorrow", "2026-02-30", "9" * 50])
def test_the_day_sheet_refuses_what_is_not_a_date(cleaner_client, date):
    response = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": date})

    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_the_edit_form_writes_fields_and_tags_together_or_not_at_all(manager_client, cleaner, monkeypatch):
    task = make_cleaning_task(assignee=cleaner, title="Clean Beach House")
    tag = Tag.objects.create(name="urgent")

    def refuse(**kwargs):
        raise RuntimeError("the tags could not be saved")

    monkeypatch.setattr(task_services, "task_set_tags", refuse)
    form = {"title": "Clean Sea View", "type": task.type, "priority": task.priority, "progress": 0, "tags": [tag.pk]}
    with pytest.raises(RuntimeError):
        manager_client.post(reverse("wbs:task_edit", args=[task.pk]), form)

    assert Task.objects.get(pk=task.pk).title == "Clean Beach House"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Clean Beach House after Ana", "Clean Beach House after Ana"),  # on one line already: as it is
        (" Ana", "Ana"),
        ("Ana  Reis", "Ana Reis"),
        ("Ana\u00a0\u00a0Reis", "Ana Reis"),  # no-break spaces are spaces
        ("Ana\u2028Reis\tLopes\n", "Ana Reis Lopes"),
        ("Ana\u200bReis", "Ana\u200bReis"),  # a format character is kept, as before
    ],
)
def test_single_line_keeps_text_on_one_line_as_it_is_and_mends_the_rest(value, expected):
    assert single_line(value) == expected
