"""Writes to tasks: create, update, status changes. Each runs in one transaction and leaves audit entries."""

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict, InvalidInput
from core.models import AuditAction
from wbs.models import ChecklistItem, DependencyType, Tag, Task, TaskComment, TaskStatus

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
        entry = audit.record_created(task, TASK_AUDIT_FIELDS)
        if tags:
            # The entry was written a moment ago in this transaction; tags join its changes rather than
            # making a second "update" entry for what is one act of creating.
            entry.changes["tags"] = [None, sorted(tag.name for tag in tags)]
            type(entry).objects.filter(pk=entry.pk).update(changes=entry.changes)
    return task


def _create_checklist(task: Task, items) -> None:
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


def task_set_tags(*, task: Task, tags, user=None) -> dict:
    """Replace the task's tags. Returns the audit diff ({} when the set did not change)."""
    before = sorted(tag.name for tag in task.tags.all())
    after = sorted(tag.name for tag in tags)
    if before == after:
        return {}
    with transaction.atomic():
        task.tags.set(tags)
        changed = {"tags": [before, after]}
        audit.record(task, AuditAction.UPDATE, changed)
    return changed


def tag_create(*, name: str, color: str = "#64748b", user=None) -> Tag:
    """A new tag; a name that exists already (in any letter case) answers with that tag instead."""
    name = name.strip()
    existing = Tag.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        tag = Tag(name=name, color=color)
        tag.full_clean()
        tag.save()
        audit.record_created(tag, ["name", "color"])
    return tag


def checklist_item_add(*, task: Task, text: str, requires_photo: bool = False, user=None) -> ChecklistItem:
    text = text.strip()
    if not text:
        raise InvalidInput("Write what needs doing before adding a checklist item.")
    with transaction.atomic():
        last = task.checklist.order_by("-position").values_list("position", flat=True).first() or 0
        item = ChecklistItem(task=task, text=text, position=last + 1, requires_photo=requires_photo)
        item.full_clean()
        item.save()
        audit.record(task, AuditAction.UPDATE, {"checklist": [None, text]}, message=f"Checklist: added “{text}”")
    return item


def checklist_item_set_done(*, item: ChecklistItem, done: bool, user=None) -> ChecklistItem:
    """Tick or untick one checklist item; the task's history says who did it. A closed task's list is final."""
    if item.task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise Conflict("The task is closed; reopen it to change its checklist.", title="Task closed")
    if item.done == done:
        return item
    with transaction.atomic():
        item.done = done
        item.done_by = user if done and user is not None and user.is_authenticated else None
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done", "done_by", "done_at"])
        verb = "ticked" if done else "unticked"
        states = ["open", "done"] if done else ["done", "open"]
        audit.record(item.task, AuditAction.UPDATE, {f"checklist: {item.text}": states}, message=f"Checklist {verb}")
    return item


def task_comment_add(*, task: Task, body: str, user=None) -> TaskComment:
    body = body.strip()
    if not body:
        raise InvalidInput("A comment needs some text.")
    with transaction.atomic():
        comment = TaskComment(task=task, body=body, author=user if user is not None and user.is_authenticated else None)
        comment.full_clean()
        comment.save()
        audit.record(task, AuditAction.UPDATE, {"comment": [None, body[:200]]}, message="Commented")
    return comment


def task_delete(*, task: Task, user) -> None:
    """Soft-delete the task; it leaves the board, the Gantt and every list, and its successors stop waiting."""
    from core.softdelete import soft_delete

    soft_delete(task, user=user)
