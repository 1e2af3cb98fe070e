"""Assigning a task and setting its due date in place on Today: access, the write and its audit, bad input."""

import datetime
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from tests.factories import make_cleaning_task, make_property
from wbs.models import Task, TaskStatus
from wbs.services.problems import problem_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(cleaner):
    task = make_cleaning_task(assignee=cleaner, property=make_property("Sea View"))
    return problem_report(task=task, user=cleaner, text="The shower drain is blocked.").maintenance_task


def url(task):
    return reverse("wbs:today_assign", args=[task.pk])


def test_it_assigns_and_sets_the_due_date_with_one_audit_entry(
    manager_client, htmx_headers, problem, other_cleaner, django_capture_on_commit_callbacks
):
    other_cleaner.email = "bea@example.com"
    other_cleaner.save()
    due = timezone.localdate() + datetime.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url(problem), {"assignee": other_cleaner.pk, "due_date": due.isoformat()}, headers=htmx_headers
        )

    assert response.status_code == 200
    problem.refresh_from_db()
    assert (problem.assignee, problem.due_date, problem.due_at) == (other_cleaner, due, None)
    entry = AuditEntry.objects.for_object(problem).order_by("-id").first()
    assert entry.changes["assignee"] == [None, other_cleaner.pk] and entry.changes["due_date"][1] == due.isoformat()
    assert entry.message == "Assigned on Today"
    content = response.content.decode()
    assert content.lstrip().startswith(f'<li id="today-task-{problem.pk}"')
    assert f'<option value="{other_cleaner.pk}" selected>' in content
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"today-changed": {}}
    assert [message.to for message in mail.outbox if "Assigned" in message.subject] == [["bea@example.com"]]


def test_keeping_the_due_day_keeps_the_deadline_time(manager_client, htmx_headers, problem, manager):
    problem.refresh_from_db()
    response = manager_client.post(
        url(problem), {"assignee": manager.pk, "due_date": problem.due_date.isoformat()}, headers=htmx_headers
    )

    assert response.status_code == 200
    deadline = problem.due_at
    problem.refresh_from_db()
    assert (problem.assignee, problem.due_at) == (manager, deadline)


def test_a_new_due_date_in_the_past_is_refused_and_nothing_is_written(manager_client, htmx_headers, problem, manager):
    before = AuditEntry.objects.count()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = manager_client.post(
        url(problem), {"assignee": manager.pk, "due_date": yesterday.isoformat()}, headers=htmx_headers
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Pick today" in content and "Nothing was saved." in content
    assert 'data-dirty="1"' in content  # the page's poll leaves the form with its error alone
    assert f'<option value="{manager.pk}" selected>' in content  # the input is kept
    problem.refresh_from_db()
    assert problem.assignee is None and AuditEntry.objects.count() == before


def test_an_overdue_task_keeps_its_past_date_when_only_reassigned(manager_client, htmx_headers, cleaner, manager):
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    task = make_cleaning_task(assignee=cleaner, due_date=last_week, start_date=last_week)

    response = manager_client.post(
        url(task), {"assignee": manager.pk, "due_date": last_week.isoformat()}, headers=htmx_headers
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.assignee, task.due_date) == (manager, last_week)


@pytest.mark.parametrize(
    "data, message", [({"assignee": "999999", "due_date": ""}, "valid choice"), ({"due_date": "31/02"}, "Enter a date")]
)
def test_bad_input_gets_a_message_in_place(manager_client, htmx_headers, problem, data, message):
    response = manager_client.post(url(problem), data, headers=htmx_headers)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Task.objects.get(pk=problem.pk).assignee is None


def test_a_closed_task_is_not_reassigned(manager_client, htmx_headers, problem, manager):
    Task.objects.filter(pk=problem.pk).update(status=TaskStatus.CANCELLED)

    response = manager_client.post(url(problem), {"assignee": manager.pk, "due_date": ""}, headers=htmx_headers)

    assert response.status_code == 400
    assert "reopen it" in response.content.decode()
    assert Task.objects.get(pk=problem.pk).assignee is None


def test_without_javascript_it_saves_and_goes_back_to_today(manager_client, problem, manager):
    response = manager_client.post(url(problem), {"assignee": manager.pk, "due_date": ""})

    assert response.status_code == 302 and response["Location"] == reverse("wbs:today")
    problem.refresh_from_db()
    assert (problem.assignee, problem.due_date) == (manager, None)


def test_cleaners_and_strangers_cannot_assign(cleaner_client, problem, cleaner):
    assert cleaner_client.post(url(problem), {"assignee": cleaner.pk}).status_code == 403
    assert Client().post(url(problem), {"assignee": cleaner.pk}).status_code == 302
    assert Task.objects.get(pk=problem.pk).assignee is None


def test_it_answers_404_for_a_task_that_does_not_exist(manager_client):
    assert manager_client.post(reverse("wbs:today_assign", args=[999999]), {}).status_code == 404


def test_it_only_takes_posts(manager_client, problem):
    assert manager_client.get(url(problem)).status_code == 405
