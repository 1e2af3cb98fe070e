"""The field app without a connection, in real Chromium on a phone: actions queued, sent once, in order, or refused."""

import os
import tempfile

import pytest
from django.test import Client
from playwright.sync_api import expect

from core.models import AuditEntry
from tests.conftest import PHONE
from tests.factories import make_cleaning_task
from tests.photo_files import jpeg_bytes
from wbs.models import FieldAction, FieldActionOutcome, Task, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_file() -> str:
    handle, path = tempfile.mkstemp(suffix=".jpg")
    os.write(handle, jpeg_bytes(size=(2400, 1800)))
    os.close(handle)
    return path


def open_online(page, live_server, task):
    """Open /my/ and the task while online, so the service worker keeps them, and wait until it has."""
    page.goto(f"{live_server.url}/my/")
    page.evaluate("navigator.serviceWorker.ready.then(function () { return true; })")
    page.reload()
    page.goto(f"{live_server.url}/my/tasks/{task.pk}/")
    page.wait_for_function(
        f"caches.match('{live_server.url}/my/tasks/{task.pk}/').then(function (r) {{ return !!r; }})"
    )


SLOW_PHOTO_SCALING = """
const scale = window.createImageBitmap.bind(window);
window.createImageBitmap = (...args) => new Promise((resolve) => setTimeout(resolve, 1500)).then(() => scale(...args));
"""


def test_a_cleaners_offline_work_arrives_once_in_order(login_as, live_server, cleaner, screenshot):
    task = make_cleaning_task(assignee=cleaner)
    page = login_as(cleaner, viewport=PHONE)
    # A slow phone: the photo is still being scaled when "Done" is tapped after it, and must still go first.
    page.add_init_script(SLOW_PHOTO_SCALING)
    open_online(page, live_server, task)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/my/tasks/{task.pk}/")
    expect(page.locator("#field-sync")).to_contain_text("offline")
    page.locator(".field-start").click()
    page.get_by_role("checkbox", name="Change the bed linen").click()
    page.locator('.field-photo-form input[type="file"]').first.set_input_files(photo_file())
    expect(page.locator(".field-done")).to_be_visible()
    page.locator(".field-done").click()
    expect(page.locator("#field-sync")).to_contain_text("4 changes waiting to send")
    screenshot(page, "field-offline-queued")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.TODO

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.getElementById('field-sync').hidden === true", timeout=20_000)
    screenshot(page, "field-offline-sent")

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.photos.count() == 1
    assert max(task.photos.get().width, task.photos.get().height) <= 1600
    actions = list(FieldAction.objects.order_by("received_at", "id").values_list("action", "outcome"))
    assert actions == [("start", "applied"), ("tick", "applied"), ("photo", "applied"), ("done", "applied")]
    assert AuditEntry.objects.for_object(task).filter(message__contains="made on the phone").count() == 4

    # The same queue sent again (a phone that lost the answers) changes nothing.
    entries = AuditEntry.objects.count()
    client = Client()
    client.force_login(cleaner)
    for record in FieldAction.objects.order_by("id"):
        response = client.post(
            f"/my/tasks/{task.pk}/{record.action}/"
            if record.action in ("start", "done")
            else f"/my/tasks/{task.pk}/start/",
            headers={"Idempotency-Key": record.key},
        )
        assert response.status_code == 302
    assert AuditEntry.objects.count() == entries
    assert FieldAction.objects.count() == 4


def test_a_queued_done_on_a_reassigned_task_says_why(login_as, live_server, cleaner, other_cleaner, screenshot):
    task = make_cleaning_task(assignee=cleaner, checklist=["Sweep"])
    page = login_as(cleaner, viewport=PHONE)
    open_online(page, live_server, task)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/my/tasks/{task.pk}/")
    page.locator(".field-start").click()
    page.locator(".field-done").click()
    expect(page.locator("#field-sync")).to_contain_text("2 changes waiting to send")
    Task.objects.filter(pk=task.pk).update(assignee=other_cleaner)

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator(".field-sync-refused").first
    expect(refused).to_contain_text("no longer assigned to you", timeout=20_000)
    screenshot(page, "field-offline-refused")
    assert set(FieldAction.objects.values_list("outcome", flat=True)) == {FieldActionOutcome.REFUSED}
    assert Task.objects.get(pk=task.pk).status == TaskStatus.TODO
