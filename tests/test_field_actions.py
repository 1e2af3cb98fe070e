"""Field actions with the phone's idempotency key: once per key, replays answered alike, refusals kept and explained."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditEntry
from tests.factories import make_cleaning_task
from tests.photo_files import jpeg_bytes, upload
from wbs.models import FieldAction, FieldActionOutcome, Task, TaskPhoto, TaskStatus
from wbs.services.field import field_task_start
from wbs.services.field_actions import field_action_run, field_receipt, field_task_for_action

pytestmark = pytest.mark.django_db

KEY = "k-0001-aaaa-bbbb"


@pytest.fixture
def task(cleaner):
    return make_cleaning_task(assignee=cleaner)


def post(client, url, key=KEY, made_at=None, **data):
    headers = {"Idempotency-Key": key}
    if made_at:
        headers["X-Made-At"] = made_at
    return client.post(url, data, headers=headers)


def test_it_starts_once_and_answers_a_replay_as_success(cleaner_client, task):
    url = reverse("wbs:my_task_start", args=[task.pk])

    first = post(cleaner_client, url)
    entries = AuditEntry.objects.for_object(task).count()
    second = post(cleaner_client, url)

    assert first.status_code == second.status_code == 302
    assert AuditEntry.objects.for_object(task).count() == entries
    record = FieldAction.objects.get()
    assert (record.action, record.outcome, record.response_status) == ("start", FieldActionOutcome.APPLIED, 200)


def test_a_replayed_untick_after_a_tick_does_not_undo_a_later_tick(cleaner_client, task):
    item = task.checklist.first()
    url = reverse("wbs:my_checklist_toggle", args=[task.pk, item.pk])
    post(cleaner_client, url, key="tick-1-xxxxxxx", done="1")
    post(cleaner_client, url, key="untick-1-xxxxx", done="0")
    post(cleaner_client, url, key="tick-2-xxxxxxx", done="1")

    post(cleaner_client, url, key="untick-1-xxxxx", done="0")

    item.refresh_from_db()
    assert item.done
    assert FieldAction.objects.count() == 3


def test_the_audit_says_when_the_action_was_made_on_the_phone(cleaner_client, task):
    made = (timezone.now() - datetime.timedelta(hours=2)).replace(microsecond=0)
    post(cleaner_client, reverse("wbs:my_task_start", args=[task.pk]), made_at=made.isoformat())

    record = FieldAction.objects.get()
    assert record.made_at == made
    entry = AuditEntry.objects.for_object(task).filter(message__contains="made on the phone").get()
    assert timezone.localtime(made).strftime("%H:%M") in entry.message
    assert "arrived" in entry.message


def test_a_done_missing_its_photo_is_refused_recorded_and_refused_again(cleaner_client, task):
    task.checklist.update(done=True)
    url = reverse("wbs:my_task_done", args=[task.pk])

    first = post(cleaner_client, url)
    second = post(cleaner_client, url)

    assert first.status_code == second.status_code == 409
    assert "Add a photo" in second.content.decode()
    record = FieldAction.objects.get()
    assert (record.outcome, record.response_status) == (FieldActionOutcome.REFUSED, 409)
    assert "Add a photo" in record.reason
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_queued_done_on_a_reassigned_task_says_why(cleaner_client, task, other_cleaner, htmx_headers):
    Task.objects.filter(pk=task.pk).update(assignee=other_cleaner)

    response = cleaner_client.post(
        reverse("wbs:my_task_done", args=[task.pk]), headers={**htmx_headers, "Idempotency-Key": KEY}
    )

    assert response.status_code == 409
    assert "no longer assigned to you" in response.content.decode()
    assert FieldAction.objects.get().outcome == FieldActionOutcome.REFUSED


def test_without_a_key_another_cleaners_task_stays_a_404(cleaner_client, other_cleaner):
    theirs = make_cleaning_task(assignee=other_cleaner)
    assert cleaner_client.post(reverse("wbs:my_task_start", args=[theirs.pk])).status_code == 404
    assert not FieldAction.objects.exists()


def test_a_photo_upload_is_kept_once_and_ticks_its_item(cleaner_client, task):
    item = task.checklist.get(requires_photo=True)
    url = reverse("wbs:my_photo_upload", args=[task.pk])
    for _ in range(2):
        response = post(cleaner_client, url, photo=upload(jpeg_bytes()), checklist_item=item.pk)
        assert response.status_code == 302

    assert TaskPhoto.objects.filter(task=task).count() == 1
    item.refresh_from_db()
    assert item.done


def test_a_problem_report_is_made_once(cleaner_client, task):
    url = reverse("wbs:my_problem", args=[task.pk])
    post(cleaner_client, url, text="Broken tap")
    post(cleaner_client, url, text="Broken tap")
    assert task.problem_reports.count() == 1


def test_a_malformed_key_is_refused(cleaner_client, task):
    response = post(cleaner_client, reverse("wbs:my_task_start", args=[task.pk]), key="no spaces allowed")
    assert response.status_code == 400


def test_a_phone_time_from_the_future_is_not_believed():
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert field_receipt(key=KEY, made_at=later).made_at is None
    assert field_receipt(key=KEY, made_at="yesterday").made_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_action_at_once_apply_once(cleaner):
    task = make_cleaning_task(assignee=cleaner)
    receipt = field_receipt(key=KEY, made_at=None)
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait()

            def start():
                current = field_task_for_action(user=cleaner, pk=task.pk, receipt=receipt)
                field_task_start(task=current, user=cleaner)
                return current

            record = field_action_run(user=cleaner, receipt=receipt, action="start", task_id=task.pk, apply=start)
            outcomes.append(record.replayed)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert FieldAction.objects.count() == 1
    status_entries = AuditEntry.objects.for_object(task).filter(action=AuditAction.UPDATE, changes__has_key="status")
    assert status_entries.count() == 1
