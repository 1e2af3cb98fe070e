"""In real Chromium: an operator acknowledges a failed job, then resolves it with a note, without reloading."""

import pytest
from playwright.sync_api import expect

from core.models import JobFailure, JobFailureState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_acknowledges_and_resolves_a_failure(page, live_server, login_as, manager, screenshot):
    manager.is_staff = True
    manager.save()
    failure = JobFailure.objects.create(
        fingerprint="browser",
        job_name="bookings.tasks.preview_import_batch",
        error_type="MemoryError",
        message="the worker ran out of memory reading march.xlsx",
        location="bookings/importing/files.py:iter_csv_rows",
        traceback='Traceback (most recent call last):\n  File "bookings/tasks.py"\nMemoryError',
        object_label="Import #12: march.xlsx",
        started_by=manager,
        occurrences=3,
    )
    login_as(manager)
    page.goto(f"{live_server.url}/ops/failures/")
    expect(page.get_by_role("link", name="preview_import_batch")).to_be_visible()
    screenshot(page, "job-failures-list")

    page.get_by_role("link", name="preview_import_batch").click()
    expect(page.get_by_text("Traceback (staff only)")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    state = page.locator("#failure-state")
    expect(state.locator(".badge")).to_have_text("Acknowledged")

    page.get_by_label("Note").fill("Raised the worker's memory; re-ran the import.")
    page.get_by_role("button", name="Resolve").click()
    expect(state.locator(".badge")).to_have_text("Resolved")
    expect(state).to_contain_text("Raised the worker's memory")
    screenshot(page, "job-failure-resolved")
    failure.refresh_from_db()
    assert failure.state == JobFailureState.RESOLVED and failure.state_changed_by == manager
