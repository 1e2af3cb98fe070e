"""Today in real Chromium at 1440 px: a cleaner's problem report appears by itself, and is assigned in place."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import DESKTOP, no_horizontal_scroll
from tests.factories import make_booking, make_cleaning_task, make_property, make_task, make_template
from tests.photo_files import jpeg_bytes, upload
from wbs.models import Task, TaskStatus
from wbs.services.field import field_task_start
from wbs.services.photos import prepare_photo
from wbs.services.problems import problem_report
from wbs.services.turnovers import turnovers_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
URL = "/today/"
# Seconds between polls in these tests: short, so a change shows within the default expect() timeout.
REFRESH_SECONDS = 2


@pytest.fixture
def managers_day(cleaner, other_cleaner):
    """A morning at two properties: a turnover the cleaner is on, late work and work nobody has."""
    today = timezone.localdate()
    make_template(default_assignee=cleaner)
    beach = make_property("Beach House")
    town = make_property("Town Flat")
    leaving = make_booking(beach, today - datetime.timedelta(days=3), nights=3, guest_name="Ana Reis")
    make_booking(beach, today, nights=2, guest_name="Tom Baker")
    make_booking(town, today - datetime.timedelta(days=2), nights=2, guest_name="Li Wei")
    turnovers_sync(booking_ids=[leaving.pk])
    make_task("Replace the hallway bulb", property=town, assignee=other_cleaner, due_date=today - datetime.timedelta(2))
    make_task("Deep clean the oven", property=beach, due_date=today + datetime.timedelta(days=4))
    return beach


def test_a_problem_report_appears_by_itself_and_the_manager_assigns_it_in_place(
    page, live_server, login_as, screenshot, settings, manager, cleaner, other_cleaner, managers_day
):
    settings.TODAY_REFRESH_SECONDS = REFRESH_SECONDS
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}{URL}")
    expect(page.locator("#problems")).to_contain_text("No open problem reports")

    # The cleaner, on the turnover, starts it and reports a problem with a photo (as the field app does).
    turnover = Task.objects.get(booking__isnull=False)
    field_task_start(task=turnover, user=cleaner)
    report = problem_report(
        task=turnover,
        user=cleaner,
        text="Water under the kitchen sink; the cabinet floor is soaked.",
        photo=prepare_photo(upload(jpeg_bytes(size=(320, 240), color=(40, 90, 160)))),
    )
    row = page.locator(f"#today-task-{report.maintenance_task_id}")
    expect(row).to_contain_text("Water under the kitchen sink")  # no reload: the poll brought it
    expect(row).to_contain_text("Carla Lopes reported")
    expect(row).to_contain_text("Beach House")
    expect(row).to_contain_text("nobody assigned")
    expect(row.locator("img")).to_be_visible()
    expect(page.locator("#departures")).to_contain_text("In progress")  # the cleaner's progress, too
    assert page.locator("#problems .today-row").first.get_attribute("id") == f"today-task-{report.maintenance_task_id}"
    assert no_horizontal_scroll(page)

    due = timezone.localdate() + datetime.timedelta(days=2)
    row.get_by_label("Assignee of").select_option(label="Olga Dias")
    row.get_by_label("Due date of").fill(due.isoformat())
    screenshot(page, "today-problem-assigning-desktop", full_page=False)
    row.get_by_role("button", name="Save").click()

    expect(page.locator("#toasts")).to_contain_text("Olga Dias, due")
    expect(row).to_contain_text("with Olga Dias")
    task = Task.objects.get(pk=report.maintenance_task_id)
    assert (task.assignee, task.due_date, task.status) == (other_cleaner, due, TaskStatus.TODO)
    screenshot(page, "today-desktop-live")


def test_a_poll_never_resets_a_form_the_manager_is_filling_in(
    page, live_server, login_as, screenshot, settings, manager, cleaner, other_cleaner, managers_day
):
    settings.TODAY_REFRESH_SECONDS = REFRESH_SECONDS
    first = problem_report(
        task=make_cleaning_task(assignee=cleaner, property=managers_day), user=cleaner, text="Broken chair"
    ).maintenance_task
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}{URL}")
    row = page.locator(f"#today-task-{first.pk}")
    row.get_by_label("Assignee of").select_option(label="Olga Dias")
    page.locator("h1").click()  # focus leaves the form; it still holds an unsaved choice

    later = problem_report(
        task=make_cleaning_task(assignee=cleaner, property=managers_day), user=cleaner, text="Cracked mirror"
    ).maintenance_task
    expect(page.locator(".today-paused")).to_be_visible()
    page.wait_for_timeout(REFRESH_SECONDS * 1500)
    expect(page.locator(f"#today-task-{later.pk}")).to_have_count(0)
    expect(row.get_by_label("Assignee of")).to_have_value(str(other_cleaner.pk))
    screenshot(page, "today-paused-desktop", full_page=False)

    row.get_by_role("button", name="Discard").click()
    expect(page.locator(f"#today-task-{later.pk}")).to_be_visible()  # discarded: the lists catch up at once
    expect(page.locator(".today-paused")).to_be_hidden()
    expect(row.get_by_label("Assignee of")).to_have_value("")
    assert Task.objects.get(pk=first.pk).assignee is None
