"""Concurrent writes to one task on PostgreSQL, with real threads: nothing lost, nothing done twice."""

import pytest

from core.audit_context import audit_context
from core.models import AuditEntry
from tests.concurrency import run_at_once
from tests.factories import make_cleaning_task
from wbs.models import Task, TaskStatus
from wbs.services.field import field_task_done
from wbs.services.tasks import task_set_status, task_update

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CLIENTS = 10


def status_changes(task: Task) -> list[list[str]]:
    entries = AuditEntry.objects.filter(object_id=str(task.pk), action="update", changes__has_key="status").order_by(
        "id"
    )
    return [entry.changes["status"] for entry in entries]


def test_status_changes_and_a_title_edit_at_once_lose_nothing(manager, cleaner):
    task = make_cleaning_task(assignee=cleaner, checklist=[])
    statuses = [TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.TODO, TaskStatus.DONE]

    def change_status(number: int):
        def work() -> None:
            # Each client read the task before the others wrote: the stale copy is what it saves from.
            stale = Task.objects.get(pk=task.pk)
            with audit_context(source="web", actor=manager):
                task_set_status(task=stale, status=statuses[number % len(statuses)], user=manager, confirmed=True)

        return work

    def edit_title() -> None:
        stale = Task.objects.get(pk=task.pk)
        with audit_context(source="web", actor=manager):
            task_update(task=stale, user=manager, title="Clean Beach House, edited")

    for _round in range(3):
        errors = run_at_once([change_status(number) for number in range(CLIENTS)] + [edit_title])
        assert errors == []

    task.refresh_from_db()
    assert task.title == "Clean Beach House, edited"
    changes = status_changes(task)
    assert changes, "no status change was audited"
    assert changes[0][0] == TaskStatus.TODO
    for previous, following in zip(changes, changes[1:], strict=False):
        assert following[0] == previous[1], changes
    assert changes[-1][1] == task.status


def test_ten_taps_on_done_finish_the_task_once(cleaner):
    task = make_cleaning_task(assignee=cleaner, checklist=[])

    def tap() -> None:
        stale = Task.objects.get(pk=task.pk)
        with audit_context(source="web", actor=cleaner):
            field_task_done(task=stale, user=cleaner)

    errors = run_at_once([tap] * CLIENTS)

    assert errors == []
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert status_changes(task) == [["todo", "in_progress"], ["in_progress", "done"]]
