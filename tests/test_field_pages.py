"""The cleaners' field pages: the /my/ list, a task with Start and Done, the checklist, problems, the day sheet."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from tests.factories import make_booking, make_cleaning_task, make_property
from tests.photo_files import jpeg_bytes, upload
from wbs.models import ProblemReport, Task, TaskStatus, TaskType

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def task(cleaner, today):
    return make_cleaning_task(assignee=cleaner, due_date=today, start_date=today)


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("wbs:my_tasks"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_user_without_a_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("wbs:my_tasks")).status_code == 403


def test_it_lists_today_tomorrow_and_this_week(cleaner_client, cleaner, other_cleaner, today):
    prop = make_property("Casa Azul", address="Rua Azul 1, Porto")
    make_booking(prop, today + datetime.timedelta(days=2), guest_name="Next Guest", adults=3)
    make_cleaning_task(assignee=cleaner, property=prop, title="Clean Casa Azul", due_date=today)
    make_cleaning_task(assignee=cleaner, title="Tomorrow's clean", due_date=today + datetime.timedelta(days=1))
    make_cleaning_task(assignee=cleaner, title="Friday clean", due_date=today + datetime.timedelta(days=4))
    make_cleaning_task(assignee=cleaner, title="Next month", due_date=today + datetime.timedelta(days=30))
    make_cleaning_task(assignee=other_cleaner, title="Not mine", due_date=today)

    response = cleaner_client.get(reverse("wbs:my_tasks"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Clean Casa Azul") < html.index("Tomorrow&#x27;s clean") < html.index("Friday clean")
    assert "Next month" not in html and "Not mine" not in html
    assert "Next: 3 guests" in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=Rua%20Azul%201%2C%20Porto" in html
    assert "0/2 ticked" in html


@pytest.mark.parametrize("count", [1, 8])
def test_it_lists_in_a_fixed_number_of_queries(cleaner_client, cleaner, today, count, django_assert_num_queries):
    for number in range(count):
        make_cleaning_task(
            assignee=cleaner, title=f"Clean {number}", due_date=today + datetime.timedelta(days=number % 5)
        )

    # session, user, roles, tasks with checklist counts and next stay
    with django_assert_num_queries(4):
        response = cleaner_client.get(reverse("wbs:my_tasks"))

    assert response.content.decode().count("field-card-title") == count


def test_it_shows_a_task_with_where_it_came_from(cleaner_client, cleaner):
    from tests.factories import make_template
    from wbs.services.turnovers import turnovers_sync

    make_template(default_assignee=cleaner)
    booking = make_booking(make_property("Beach House"), timezone.localdate(), guest_name="Ana Reis")
    turnovers_sync(booking_ids=[booking.pk])
    task = Task.objects.get(booking=booking)

    response = cleaner_client.get(reverse("wbs:my_task", args=[task.pk]))

    html = response.content.decode()
    assert "Created automatically for the booking of Ana Reis" in html
    assert "Cleaning after Ana Reis leaves; no guests booked next" in html
    assert "{property}" not in html and "Created by template" not in html
    assert 'accept="image/*"' in html and "capture" in html
    assert Task.objects.get(pk=task.pk).description.startswith('Created by template "Clean {property} after {guest}"')


def test_it_tells_the_cleaner_whose_stay_the_turnover_follows_and_prepares_for(cleaner_client, cleaner, today):
    from tests.factories import make_template
    from wbs.services.turnovers import turnovers_sync

    make_template(default_assignee=cleaner)
    prop = make_property("Beach House")
    booking = make_booking(prop, today, guest_name="Yuki Dubois")
    make_booking(prop, today + datetime.timedelta(days=5), guest_name="Lena Novak")
    turnovers_sync(booking_ids=[booking.pk])
    task = Task.objects.get(booking=booking)

    html = cleaner_client.get(reverse("wbs:my_task", args=[task.pk])).content.decode()

    assert "Cleaning after Yuki Dubois leaves, before Lena Novak arrives" in html
    assert "Created by template" not in html


def test_it_starts_a_task_by_htmx_and_answers_the_fragment(cleaner_client, task, htmx_headers):
    response = cleaner_client.post(reverse("wbs:my_task_start", args=[task.pk]), headers=htmx_headers)

    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.started_at is not None
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="task-work"')
    assert "<html" not in html


def test_it_starts_a_task_without_javascript(cleaner_client, task):
    response = cleaner_client.post(reverse("wbs:my_task_start", args=[task.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wbs:my_task", args=[task.pk])


def test_it_refuses_done_with_every_reason_and_changes_nothing(cleaner_client, task, htmx_headers):
    cleaner_client.post(reverse("wbs:my_task_start", args=[task.pk]))

    response = cleaner_client.post(reverse("wbs:my_task_done", args=[task.pk]), headers=htmx_headers)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Tick “Change the bed linen”." in html
    assert "Add a photo for “Photo of the kitchen”." in html
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_it_ticks_the_checklist_and_finishes_with_the_photo(cleaner_client, task, htmx_headers):
    cleaner_client.post(reverse("wbs:my_task_start", args=[task.pk]))
    linen, kitchen = task.checklist.all()
    for item in (linen, kitchen):
        response = cleaner_client.post(
            reverse("wbs:my_checklist_toggle", args=[task.pk, item.pk]), {"done": "1"}, headers=htmx_headers
        )
        assert response.status_code == 200
    response = cleaner_client.post(
        reverse("wbs:my_photo_upload", args=[task.pk]),
        {"photo": upload(jpeg_bytes()), "checklist_item": kitchen.pk},
        headers=htmx_headers,
    )
    assert response.status_code == 200

    response = cleaner_client.post(reverse("wbs:my_task_done", args=[task.pk]), headers=htmx_headers)

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("wbs:my_tasks")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert AuditEntry.objects.for_object(task).filter(message="Checklist ticked").count() == 2


def test_it_unticks_an_item(cleaner_client, task):
    item = task.checklist.first()
    cleaner_client.post(reverse("wbs:my_checklist_toggle", args=[task.pk, item.pk]), {"done": "1"})
    cleaner_client.post(reverse("wbs:my_checklist_toggle", args=[task.pk, item.pk]), {"done": "0"})
    item.refresh_from_db()
    assert not item.done and item.done_by is None


def test_it_answers_404_for_an_item_of_another_task(cleaner_client, cleaner, task):
    other = make_cleaning_task(assignee=cleaner, title="Other")
    item = other.checklist.first()
    response = cleaner_client.post(reverse("wbs:my_checklist_toggle", args=[task.pk, item.pk]), {"done": "1"})
    assert response.status_code == 404


def test_it_turns_a_problem_report_into_a_maintenance_task_and_tells_the_managers(
    cleaner_client, task, manager, django_capture_on_commit_callbacks
):
    manager.email = "maria@example.com"
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = cleaner_client.post(
            reverse("wbs:my_problem", args=[task.pk]),
            {"text": "The shower drain is blocked.\nWater on the floor.", "photo": upload(jpeg_bytes())},
        )

    assert response.status_code == 302
    report = ProblemReport.objects.get()
    maintenance = report.maintenance_task
    assert maintenance.type == TaskType.MAINTENANCE
    assert maintenance.property == task.property
    assert maintenance.title == f"Problem at {task.property.name}: The shower drain is blocked."
    assert maintenance.photos.count() == 1
    assert mail.outbox[0].to == ["maria@example.com"]
    assert "shower drain" in mail.outbox[0].body


def test_it_refuses_an_empty_problem_report_and_writes_nothing(cleaner_client, task):
    tasks_before = Task.objects.count()
    response = cleaner_client.post(reverse("wbs:my_problem", args=[task.pk]), {"text": "   "})
    assert response.status_code == 400
    assert "Describe the problem" in response.content.decode()
    assert (Task.objects.count(), ProblemReport.objects.count()) == (tasks_before, 0)


def test_it_prints_a_day_sheet_with_same_day_flags(cleaner_client, cleaner, today):
    make_cleaning_task(assignee=cleaner, title="Clean Sea View", due_date=today, same_day=True)
    make_cleaning_task(assignee=cleaner, title="Tomorrow", due_date=today + datetime.timedelta(days=1))

    response = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": today.isoformat()})

    html = response.content.decode()
    assert "Clean Sea View" in html and "SAME-DAY" in html
    assert "Tomorrow" not in html.split("sheet-list")[1]


def test_it_shows_a_manager_the_tasks_assigned_to_them(client, manager, cleaner, today):
    make_cleaning_task(assignee=manager, title="Manager's own inspection", due_date=today)
    make_cleaning_task(assignee=cleaner, title="Cleaner's clean", due_date=today)
    client.force_login(manager)

    html = client.get(reverse("wbs:my_tasks")).content.decode()

    assert "Manager&#x27;s own inspection" in html
    assert "Cleaner&#x27;s clean" not in html


@pytest.mark.parametrize("count", [1, 6])
def test_it_prints_the_day_sheet_in_a_fixed_number_of_queries(
    cleaner_client, cleaner, today, count, django_assert_num_queries
):
    for number in range(count):
        make_cleaning_task(assignee=cleaner, title=f"Clean {number}", due_date=today)
        make_cleaning_task(assignee=cleaner, title=f"Overdue {number}", due_date=today - datetime.timedelta(days=1))

    # session, user, roles, the day's and the overdue tasks with checklist counts and next stay
    with django_assert_num_queries(4):
        response = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": today.isoformat()})

    assert response.content.decode().count('class="sheet-row') == 2 * count


def test_it_puts_the_cleaners_overdue_open_tasks_on_the_day_sheet_above_the_day(
    cleaner_client, cleaner, other_cleaner, today, settings
):
    settings.FIELD_OVERDUE_DAYS = 3
    day = today + datetime.timedelta(days=2)
    make_cleaning_task(assignee=cleaner, title="Clean on the day", due_date=day)
    make_cleaning_task(assignee=cleaner, title="Left from yesterday", due_date=day - datetime.timedelta(days=1))
    make_cleaning_task(assignee=cleaner, title="Too old", due_date=day - datetime.timedelta(days=4))
    make_cleaning_task(assignee=other_cleaner, title="Someone else's", due_date=day - datetime.timedelta(days=1))
    make_cleaning_task(assignee=cleaner, title="Tomorrow's clean", due_date=day + datetime.timedelta(days=1))
    done = make_cleaning_task(assignee=cleaner, title="Finished before", due_date=day - datetime.timedelta(days=1))
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)

    html = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": day.isoformat()}).content.decode()

    assert html.index("Still open from earlier") < html.index("Left from yesterday") < html.index("Clean on the day")
    for absent in ("Too old", "Someone else", "Tomorrow", "Finished before"):
        assert absent not in html


def test_it_leaves_out_the_earlier_section_when_nothing_is_overdue(cleaner_client, cleaner, today):
    make_cleaning_task(assignee=cleaner, title="Clean on the day", due_date=today)

    html = cleaner_client.get(reverse("wbs:my_day_sheet"), {"date": today.isoformat()}).content.decode()

    assert "Clean on the day" in html and "Still open from earlier" not in html


def test_it_keeps_the_last_days_open_tasks_and_leaves_older_ones_to_managers(cleaner_client, cleaner, today):
    make_cleaning_task(assignee=cleaner, title="Yesterday's clean", due_date=today - datetime.timedelta(days=1))
    make_cleaning_task(assignee=cleaner, title="Last month's clean", due_date=today - datetime.timedelta(days=30))
    done = make_cleaning_task(assignee=cleaner, title="Finished yesterday", due_date=today - datetime.timedelta(days=1))
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)

    html = cleaner_client.get(reverse("wbs:my_tasks")).content.decode()

    assert "Still open from earlier" in html and "Yesterday&#x27;s clean" in html
    assert "Last month" not in html and "Finished yesterday" not in html
