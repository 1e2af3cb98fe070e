"""Writes to tasks: create, update, status changes. Each runs in one transaction and leaves audit entries."""

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict
from core.models import AuditAction
from wbs.models import DependencyType, Task, TaskStatus

TASK_AUDIT_FIELDS = [
    "title",
    "description",
    "wbs_item",
    "property",
    "booking",
    "template",
    "type",
    "status",
    "priority",
    "assignee",
    "start_date",
    "due_date",
    "due_at",
    "estimate_hours",
    "progress",
    "is_milestone",
    "same_day",
    "cancel_reason",
]


def task_create(*, user=None, tags=(), checklist=(), **fields) -> Task:
    """Create a task; `checklist` is a list of texts or of dicts {"text", "requires_photo", "required"}."""
    with transaction.atomic():
        task = Task(created_by=user if user is not None and user.is_authenticated else None, **fields)
        task.full_clean()
        task.save()
        if tags:
            task.tags.set(tags)
        if checklist:
            _create_checklist(task, checklist)
        audit.record_created(task, TASK_AUDIT_FIELDS)
    return task


def _create_checklist(task: Task, items) -> None:
    from wbs.models import ChecklistItem

    rows = []
    for position, item in enumerate(items, start=1):
        data = {"text": item} if isinstance(item, str) else dict(item)
        rows.append(
            ChecklistItem(
                task=task,
                position=position,
                text=data["text"],
                requires_photo=bool(data.get("requires_photo", False)),
                required=bool(data.get("required", True)),
            )
        )
    ChecklistItem.objects.bulk_create(rows)


def task_update(*, task: Task, user=None, message: str = "", **changes) -> dict:
    """Apply field changes, validate, save and audit. Returns the audit diff ({} when nothing changed)."""
    before = audit.snapshot(task, TASK_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(task, name, value)
    after = audit.snapshot(task, TASK_AUDIT_FIELDS)
    diff = audit.diff(before, after)
    if not diff:
        return {}
    with transaction.atomic():
        task.full_clean()
        task.save()
        audit.record(task, AuditAction.UPDATE, diff, message=message)
    return diff


def unfinished_fs_predecessors(task: Task) -> list[Task]:
    """Finish-to-start predecessors that are not done yet (cancelled ones no longer block)."""
    return list(
        Task.objects.filter(successor_links__successor=task, successor_links__type=DependencyType.FS).exclude(
            status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
        )
    )


def task_set_status(*, task: Task, status: str, user=None, confirmed: bool = False, reason: str = "") -> dict:
    """Move a task to `status`. Done while a finish-to-start predecessor is open needs `confirmed=True`."""
    if status not in TaskStatus.values:
        raise Conflict(f"{status!r} is not a task status.")
    if status == TaskStatus.DONE and not confirmed:
        blocking = unfinished_fs_predecessors(task)
        if blocking:
            names = ", ".join(f"“{item.title}”" for item in blocking)
            raise Conflict(
                f"“{task.title}” waits for {names} to finish first. Confirm to mark it done anyway.",
                title="Predecessor not done",
            )
    changes: dict = {"status": status}
    now = timezone.now()
    if status == TaskStatus.IN_PROGRESS and task.started_at is None:
        changes["started_at"] = now
    if status == TaskStatus.DONE:
        changes["completed_at"] = now
        changes["progress"] = 100
    elif task.status == TaskStatus.DONE:
        changes["completed_at"] = None
    if status == TaskStatus.CANCELLED and reason:
        changes["cancel_reason"] = reason
    return task_update(task=task, user=user, message=reason, **changes)
