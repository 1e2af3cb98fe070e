"""A cleaner's problem report gets an owner (the property's, else PROBLEM_DEFAULT_OWNER) and a due date."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from bookings.services.properties import property_update
from core.models import AuditEntry
from tests.conftest import make_user
from tests.factories import make_cleaning_task, make_property
from wbs.models import Task
from wbs.services.problems import problem_owner, problem_report

pytestmark = pytest.mark.django_db


def report(cleaner, prop, text="The shower drain is blocked."):
    task = make_cleaning_task(assignee=cleaner, property=prop)
    return problem_report(task=task, user=cleaner, text=text).maintenance_task


def test_it_goes_to_the_propertys_maintenance_owner_and_tells_them(
    cleaner, manager, django_user_model, django_capture_on_commit_callbacks
):
    fixer = make_user(django_user_model, "fixer", "cleaner", email="fixer@example.com", first_name="Filipa")
    prop = make_property("Sea View")
    property_update(property=prop, user=manager, maintenance_owner=fixer)

    with django_capture_on_commit_callbacks(execute=True):
        task = report(cleaner, prop)

    assert task.assignee == fixer
    assert any(message.to == ["fixer@example.com"] and "Assigned" in message.subject for message in mail.outbox)
    created = AuditEntry.objects.for_object(task).get()
    assert created.changes["assignee"][1] == fixer.pk


def test_it_falls_back_to_the_default_owner_setting(cleaner, manager, settings):
    settings.PROBLEM_DEFAULT_OWNER = manager.username

    assert report(cleaner, make_property("Sea View")).assignee == manager


def test_the_propertys_owner_wins_over_the_setting(cleaner, manager, other_cleaner, settings):
    settings.PROBLEM_DEFAULT_OWNER = manager.username
    prop = make_property("Sea View")
    property_update(property=prop, user=manager, maintenance_owner=other_cleaner)

    assert report(cleaner, prop).assignee == other_cleaner


def test_an_inactive_owner_is_passed_over(cleaner, manager, other_cleaner, settings):
    settings.PROBLEM_DEFAULT_OWNER = manager.username
    prop = make_property("Sea View")
    property_update(property=prop, user=manager, maintenance_owner=other_cleaner)
    other_cleaner.is_active = False
    other_cleaner.save()

    assert problem_owner(prop) == manager


def test_a_default_owner_who_does_not_exist_leaves_it_unassigned_and_logs_why(cleaner, settings, caplog):
    settings.PROBLEM_DEFAULT_OWNER = "nobody-by-this-name"

    task = report(cleaner, make_property("Sea View"))

    assert task.assignee is None
    assert "PROBLEM_DEFAULT_OWNER" in caplog.text


def test_without_any_owner_it_waits_unassigned(cleaner, settings):
    settings.PROBLEM_DEFAULT_OWNER = ""

    assert report(cleaner, make_property("Sea View")).assignee is None


def test_it_is_due_problem_due_hours_after_the_report(cleaner, settings):
    settings.PROBLEM_DUE_HOURS = 30
    before = timezone.now()

    task = Task.objects.get(pk=report(cleaner, make_property("Sea View", time_zone="Europe/Lisbon")).pk)

    expected = before + datetime.timedelta(hours=30)
    assert expected <= task.due_at <= timezone.now() + datetime.timedelta(hours=30)
    assert task.due_date == task.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Lisbon")).date()
