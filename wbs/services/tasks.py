"""Writes to tasks: create, update, status changes. Each runs in one transaction and leaves audit entries."""

from django.db import models, transaction
from django.utils import timezone

from core import audit
from core.audit_context import acting_user
from core.errors import Conflict, InvalidInput, NotFound
from core.models import AuditAction
from core.text import single_line, single_line_fields
from wbs.models import CLOSED_STATUSES, ChecklistItem, DependencyType, Tag, Task, TaskComment, TaskStatus
from wbs.services.notifications import notify_assigned
from wbs.services.positions import next_positions
from wbs.transitions import check_move

DEFAULT_TAG_COLOR = "#64748b"

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
# Single-line fields people type: a line break in a title broke its assignment email (headers refuse them).
SINGLE_LINE_FIELDS = frozenset({"title", "cancel_reason"})


@acting_user
def task_create(*, user=None, tags=(), checklist=(), **fields) -> Task:
    """Create a task; `checklist` is a list of texts or of dicts {"text", "requires_photo", "required"}.

    Without a `position` the task goes to the end of its board column, POSITION_GAP after the last card.
    """
    fields = single_line_fields(fields, SINGLE_LINE_FIELDS)
    with transaction.atomic():
        if "position" not in fields:
            fields["position"] = next_positions(fields.get("status", TaskStatus.TODO), 1)[0]
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
                text=single_line(data["text"]),
                requires_photo=bool(data.get("requires_photo", False)),
                required=bool(data.get("required", True)),
            )
        )
    ChecklistItem.objects.bulk_create(rows)


def task_lock(task: Task) -> Task:
    """The task's row as the database holds it now, locked until the caller's transaction ends.

    Writers that read before they write lock first: another request's change between the read and the write
    would otherwise be overwritten, or audited with an "old" value the database no longer held.
    """
    try:
        return Task.objects.select_for_update().get(pk=task.pk)
    except Task.DoesNotExist as missing:
        raise NotFound("This task was deleted in the meantime.") from missing


def _save_changes(task: Task, current: Task, changes: dict, *, message: str = "") -> dict:
    """Set `changes` on the locked row `current`, save only the columns that differ and audit them.

    The caller's `task` gets the values as saved, so it can render what it just wrote.
    """
    before = audit.snapshot(current, TASK_AUDIT_FIELDS)
    changed = [name for name, value in changes.items() if _stored(current, name) != _stored_value(value)]
    diff: dict = {}
    if changed:
        for name in changed:
            setattr(current, name, changes[name])
        current.full_clean(exclude=[field.name for field in Task._meta.fields if field.name not in changed])
        current.save(update_fields=[*changed, "updated_at"])
        diff = audit.diff(before, audit.snapshot(current, TASK_AUDIT_FIELDS))
        if diff:
            audit.record(current, AuditAction.UPDATE, diff, message=message)
    for name in [*changes, "status", "updated_at"]:
        setattr(task, _attname(name), _stored(current, name))
    return diff


def _stored(task: Task, name: str):
    """The column value of field `name` (a foreign key's id, so comparing it costs no query)."""
    return getattr(task, _attname(name))


def _attname(name: str) -> str:
    field = Task._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is a reverse relation, not a column"
    return field.attname


def _stored_value(value):
    return value.pk if isinstance(value, models.Model) else value


@acting_user
def task_update(*, task: Task, user=None, message: str = "", **changes) -> dict:
    """Apply field changes, validate, save and audit. Returns the audit diff ({} when nothing changed).

    Only the changed columns are written, on the row as locked now: a concurrent status change is neither
    undone nor misreported. The status has its own rules: task_set_status.
    """
    if "status" in changes:
        raise ValueError("Change a task's status with task_set_status, which checks who may move it where.")
    changes = single_line_fields(changes, SINGLE_LINE_FIELDS)
    with transaction.atomic():
        return _save_changes(task, task_lock(task), changes, message=message)


@acting_user
def task_edit(*, task: Task, tags, user=None, **changes) -> dict:
    """The edit form's save: fields and tags in one transaction, so a refusal of either writes neither."""
    with transaction.atomic():
        diff = task_update(task=task, user=user, **changes)
        diff.update(task_set_tags(task=task, tags=tags, user=user))
    return diff


@acting_user
def task_assign(*, task: Task, assignee, due_date, user=None, message: str = "") -> dict:
    """Give an open task to someone (or to nobody) and set its due date (or none), as one audited change.

    A deadline time (`due_at`) on another day than the new due date no longer holds and is cleared; the new
    assignee hears of the task by email.
    """
    with transaction.atomic():
        current = task_lock(task)
        if current.status in CLOSED_STATUSES:
            raise InvalidInput(
                f"“{current.title}” is {current.get_status_display().lower()}; reopen it before assigning it."
            )
        if due_date is not None and current.start_date is not None and due_date < current.start_date:
            raise InvalidInput(
                f"Pick a due date on or after the task's start, {current.start_date:%d %b %Y}; nothing was changed."
            )
        changes = {"assignee": assignee, "due_date": due_date}
        if current.due_at is not None and (due_date is None or timezone.localdate(current.due_at) != due_date):
            changes["due_at"] = None
        diff = _save_changes(task, current, changes, message=message)
        if "assignee" in diff:
            notify_assigned(task=task, assignee=assignee)
    return diff


def unfinished_fs_predecessors(task: Task) -> list[Task]:
    """Finish-to-start predecessors that are not done yet (cancelled ones no longer block)."""
    return list(
        Task.objects.filter(successor_links__successor=task, successor_links__type=DependencyType.FS).exclude(
            status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
        )
    )


@acting_user
def task_set_status(
    *,
    task: Task,
    status: str,
    user=None,
    confirmed: bool = False,
    reason: str = "",
    position: float | None = None,
) -> dict:
    """Move a task to `status`, if `user`'s role may (wbs.transitions). Done while a finish-to-start predecessor
    is open needs `confirmed=True`. The board passes the card's new `position` to write with it.

    The row is locked and re-read first: a move the task has made already (a double tap, two phones) changes
    nothing and writes no second audit entry, and the audit's old status is the one the database held.
    """
    if status not in TaskStatus.values:
        raise InvalidInput(f"{status!r} is not a task status; use one of {', '.join(TaskStatus.values)}.")
    reason = single_line(reason)
    with transaction.atomic():
        current = task_lock(task)
        changes: dict = {}
        if position is not None:
            changes["position"] = position
        if status != current.status:
            check_move(user=user, title=current.title, current=current.status, new=status)
            if status == TaskStatus.DONE and not confirmed:
                _refuse_if_waiting(current)
            changes.update(_status_changes(current, status, reason))
        return _save_changes(task, current, changes, message=reason)


def _refuse_if_waiting(task: Task) -> None:
    blocking = unfinished_fs_predecessors(task)
    if blocking:
        names = ", ".join(f"“{item.title}”" for item in blocking)
        raise Conflict(
            f"“{task.title}” waits for {names} to finish first. Confirm to mark it done anyway.",
            title="Predecessor not done",
        )


def _status_changes(current: Task, status: str, reason: str) -> dict:
    """The columns a move to `status` writes, from the row as locked."""
    changes: dict = {"status": status}
    now = timezone.now()
    if status == TaskStatus.IN_PROGRESS and current.started_at is None:
        changes["started_at"] = now
    if status == TaskStatus.DONE:
        changes["completed_at"] = now
        changes["progress"] = 100
    elif current.status == TaskStatus.DONE:
        changes["completed_at"] = None
    if status == TaskStatus.CANCELLED and reason:
        changes["cancel_reason"] = reason
    return changes


@acting_user
def task_set_tags(*, task: Task, tags, user=None, new_tag: str = "", new_tag_color: str = "") -> dict:
    """Replace the task's tags, with a `new_tag` created (or found by name) on the way. Returns the audit diff
    ({} when the set did not change)."""
    with transaction.atomic():
        tags = list(tags)
        if single_line(new_tag):
            tags.append(tag_create(name=new_tag, color=new_tag_color or DEFAULT_TAG_COLOR, user=user))
        current = task_lock(task)
        before = sorted(current.tags.values_list("name", flat=True))
        after = sorted({tag.name for tag in tags})
        if before == after:
            return {}
        current.tags.set(tags)
        changed = {"tags": [before, after]}
        audit.record(task, AuditAction.UPDATE, changed)
    return changed


@acting_user
def tag_create(*, name: str, color: str = DEFAULT_TAG_COLOR, user=None) -> Tag:
    """A new tag; a name that exists already (in any letter case) answers with that tag instead."""
    name = single_line(name)
    existing = Tag.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        tag = Tag(name=name, color=color)
        tag.full_clean()
        tag.save()
        audit.record_created(tag, ["name", "color"])
    return tag


@acting_user
def checklist_item_add(*, task: Task, text: str, requires_photo: bool = False, user=None) -> ChecklistItem:
    text = single_line(text)
    if not text:
        raise InvalidInput("Write what needs doing before adding a checklist item.")
    with transaction.atomic():
        last = task.checklist.order_by("-position").values_list("position", flat=True).first() or 0
        item = ChecklistItem(task=task, text=text, position=last + 1, requires_photo=requires_photo)
        item.full_clean()
        item.save()
        audit.record(task, AuditAction.UPDATE, {"checklist": [None, text]}, message=f"Checklist: added “{text}”")
    return item


@acting_user
def checklist_item_set_done(*, item: ChecklistItem, done: bool, user=None) -> ChecklistItem:
    """Tick or untick one checklist item; the task's history says who did it. A closed task's list is final.

    The item is locked and re-read first: a double tap ticks it once, with one audit entry.
    """
    with transaction.atomic():
        current = ChecklistItem.objects.select_for_update().select_related("task").get(pk=item.pk)
        if current.task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            raise Conflict("The task is closed; reopen it to change its checklist.", title="Task closed")
        if current.done == done:
            return current
        current.done = done
        current.done_by = user if done and user is not None and user.is_authenticated else None
        current.done_at = timezone.now() if done else None
        current.save(update_fields=["done", "done_by", "done_at"])
        verb = "ticked" if done else "unticked"
        states = ["open", "done"] if done else ["done", "open"]
        audit.record(
            current.task, AuditAction.UPDATE, {f"checklist: {current.text}": states}, message=f"Checklist {verb}"
        )
    return current


@acting_user
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


@acting_user
def task_delete(*, task: Task, user) -> None:
    """Soft-delete the task; it leaves the board, the Gantt and every list, and its successors stop waiting."""
    from core.softdelete import soft_delete

    soft_delete(task, user=user)
