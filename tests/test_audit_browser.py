"""In real Chromium: the compact audit trail (one line per entry, changes on demand, a date range) and histories that
read as words on the booking and task pages."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.services.bookings import booking_create, booking_update
from bookings.services.properties import property_create
from core.audit_context import audit_context
from core.models import AuditEntry
from tests.conftest import PHONE, no_horizontal_scroll
from wbs.models import Task
from wbs.services.tasks import task_set_status, task_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2030, 6, 1)
OLD = 40


@pytest.fixture
def changes(manager, cleaner):
    """A booking moved to another property and re-dated, a task assigned and started, and 40 older edits."""
    with audit_context(actor=manager, source="web"):
        beach = property_create(user=manager, name="Beach House", code="BEACH")
        loft = property_create(user=manager, name="City Loft", code="LOFT")
        for number in range(OLD):
            property_create(user=manager, name=f"Villa {number}", code=f"V{number}")
        booking = booking_create(
            user=manager, property=beach, guest_name="Ann Smith", check_in=DAY, check_out=DAY + datetime.timedelta(3),
            source="airbnb", external_code="HMANN", edited_by_hand=False,
        )  # fmt: skip
        booking_update(booking=booking, user=manager, property=loft, check_in=DAY + datetime.timedelta(1))
        task = Task.objects.create(title="Clean City Loft after Ann", property=loft)
        task_update(task=task, user=manager, assignee=cleaner, due_date=DAY + datetime.timedelta(4))
        task_set_status(task=task, status="in_progress", user=manager)
    # The villas were made three weeks ago: a date range of the last week leaves them out.
    three_weeks_ago = timezone.now() - datetime.timedelta(days=21)
    AuditEntry.objects.filter(object_repr__startswith="Villa").update(created_at=three_weeks_ago)
    return booking, task


def test_the_audit_trail_is_one_line_per_entry_with_changes_on_demand(
    page, live_server, login_as, manager, changes, screenshot
):
    login_as(manager)
    page.goto(f"{live_server.url}/audit/")
    rows = page.locator(".audit-row")
    expect(rows).to_have_count(OLD + 6)
    # One line each: no entry wraps or shows its changes until asked.
    heights = rows.evaluate_all("rows => rows.map(row => row.getBoundingClientRect().height)")
    assert max(heights) < 48, heights
    booking_line = page.locator(".audit-row", has_text="Ann Smith").filter(has_text="Updated")
    details = booking_line.locator(".audit-details")
    expect(details).to_be_hidden()

    booking_line.locator("summary").click()

    expect(details).to_be_visible()
    expect(details).to_contain_text("Beach House")
    expect(details).to_contain_text("City Loft")
    expect(details).to_contain_text("2 Jun 2030")
    expect(details).to_contain_text("Edited by hand")
    expect(details).not_to_contain_text("2030-06-02")
    screenshot(page, "audit-trail-compact")

    today = timezone.localdate()
    page.fill("#id_date_from", (today - datetime.timedelta(days=7)).isoformat())
    page.fill("#id_date_to", today.isoformat())
    page.get_by_role("button", name="Filter").click()

    expect(rows).to_have_count(6)
    expect(page.locator(".audit-count")).to_contain_text("6 entries")
    expect(page.locator("#audit-results")).not_to_contain_text("Villa 3")
    screenshot(page, "audit-trail-date-range", full_page=False)


def test_booking_and_task_histories_read_as_words(page, live_server, login_as, manager, changes, screenshot):
    booking, task = changes
    login_as(manager)
    page.goto(f"{live_server.url}{booking.get_absolute_url()}")
    history = page.locator("#history")
    newest = history.locator(".history-item").first
    expect(newest).to_contain_text("Beach House")
    expect(newest).to_contain_text("City Loft")
    expect(newest).to_contain_text("Yes")
    expect(history).not_to_contain_text("Property: ")
    # Older entries are closed: their line names the fields they changed.
    older = history.locator(".history-item").nth(1).locator("details")
    expect(older).not_to_have_attribute("open", "")
    screenshot(page, "history-booking")

    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    task_history = page.locator("#history")
    expect(task_history.locator(".history-item").first).to_contain_text("In progress")
    expect(task_history).to_contain_text("Carla Lopes")
    expect(task_history).to_contain_text("5 Jun 2030")
    task_history.locator(".history-item").nth(1).locator("summary").click()
    expect(task_history.locator(".history-item").nth(1)).to_contain_text("Carla Lopes")
    screenshot(page, "history-task")


def test_the_audit_trail_fits_a_phone(page, live_server, login_as, manager, changes, screenshot):
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}/audit/")
    page.locator(".audit-row", has_text="Ann Smith").filter(has_text="Updated").locator("summary").click()
    assert no_horizontal_scroll(page)
    screenshot(page, "audit-trail-phone", full_page=False)
