"""What a cleaner does to a task in the field: start it, tick its checklist, finish it."""

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict
from core.models import AuditAction
from wbs.models import ChecklistItem, Task, TaskStatus
from wbs.services.tasks import task_set_status


def missing_for_done(task: Task) -> list[str]:
    """Why the task cannot be done yet, one sentence per missing thing; [] when it can."""
    items = list(task.checklist.all())
    photographed = {photo.checklist_item_id for photo in task.photos.all()}
    reasons = [f"Tick “{item.text}”." for item in items if item.required and not item.done]
    reasons += [
        f"Add a photo for “{item.text}”." for item in items if item.requires_photo and item.pk not in photographed
    ]
    return reasons


def field_task_start(*, task: Task, user) -> None:
    if task.status == TaskStatus.CANCELLED:
        raise Conflict("This task was cancelled; it cannot be started.", title="Task cancelled")
    if task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE):
        return
    task_set_status(task=task, status=TaskStatus.IN_PROGRESS, user=user)


def field_task_done(*, task: Task, user) -> None:
    """Refused, with every reason at once, until the required checklist items are ticked and photographed."""
    if task.status == TaskStatus.DONE:
        return
    if task.status == TaskStatus.CANCELLED:
        raise Conflict("This task was cancelled; it cannot be finished.", title="Task cancelled")
    reasons = missing_for_done(task)
    if reasons:
        raise Conflict(" ".join(reasons), title="Not done yet")
    with transaction.atomic():
        if task.status != TaskStatus.IN_PROGRESS:
            task_set_status(task=task, status=TaskStatus.IN_PROGRESS, user=user)
        # The cleaner finishes what is in front of them; dependency checks are for managers on the board.
        task_set_status(task=task, status=TaskStatus.DONE, user=user, confirmed=True)


def checklist_item_set(*, item: ChecklistItem, done: bool, user) -> None:
    if item.task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise Conflict("The task is closed; its checklist can no longer change.", title="Task closed")
    if item.done == done:
        return
    with transaction.atomic():
        item.done = done
        item.done_by = user if done else None
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done", "done_by", "done_at"])
        audit.record(
            item.task,
            AuditAction.UPDATE,
            {"checklist": [None, f"{item.text}: {'done' if done else 'not done'}"]},
            message="Checklist ticked" if done else "Checklist unticked",
        )
