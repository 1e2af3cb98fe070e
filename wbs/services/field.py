"""What a cleaner does to a task in the field: start it, tick its checklist, finish it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import Conflict
from core.models import AuditAction
from wbs.models import ChecklistItem, Task, TaskStatus
from wbs.services.tasks import task_lock, task_set_status
from wbs.transitions import check_move


def missing_for_done(task: Task) -> list[str]:
    """Why the task cannot be done yet, one sentence per missing thing; [] when it can."""
    items = list(task.checklist.all())
    photographed = {photo.checklist_item_id for photo in task.photos.all()}
    reasons = [_("Tick “%(item)s”.") % {"item": item.text} for item in items if item.required and not item.done]
    reasons += [
        _("Add a photo for “%(item)s”.") % {"item": item.text}
        for item in items
        if item.requires_photo and item.pk not in photographed
    ]
    return reasons


def field_task_start(*, task: Task, user) -> None:
    """Start the task; one already started or finished stays as it is (a second tap is not an error)."""
    with transaction.atomic():
        current = task_lock(task)
        if current.status not in (TaskStatus.IN_PROGRESS, TaskStatus.DONE):
            # The transition rules refuse a cancelled task, with the reason.
            task_set_status(task=current, status=TaskStatus.IN_PROGRESS, user=user)
    task.status = current.status


def field_task_done(*, task: Task, user) -> None:
    """Refused, with every reason at once, until the required checklist items are ticked and photographed.

    The row is locked and re-read first, so ten taps on Done finish the task once: the others find it done.
    """
    with transaction.atomic():
        current = task_lock(task)
        if current.status != TaskStatus.DONE:
            _finish(current, user)
    task.status = current.status


def _finish(task: Task, user) -> None:
    # The role's moves first: a cancelled task is refused as such, not for its unticked checklist.
    check_move(user=user, title=task.title, current=task.status, new=TaskStatus.DONE)
    reasons = missing_for_done(task)
    if reasons:
        raise Conflict(" ".join(reasons), title=_("Not done yet"))
    if task.status != TaskStatus.IN_PROGRESS:
        task_set_status(task=task, status=TaskStatus.IN_PROGRESS, user=user)
    # The cleaner finishes what is in front of them; dependency checks are for managers on the board.
    task_set_status(task=task, status=TaskStatus.DONE, user=user, confirmed=True)


def checklist_item_set(*, item: ChecklistItem, done: bool, user) -> None:
    with transaction.atomic():
        # Locked and re-read: a double tap ticks once, with one audit entry.
        current = ChecklistItem.objects.select_for_update().select_related("task").get(pk=item.pk)
        if current.task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            raise Conflict(_("The task is closed; its checklist can no longer change."), title=_("Task closed"))
        if current.done == done:
            return
        current.done = done
        current.done_by = user if done else None
        current.done_at = timezone.now() if done else None
        current.save(update_fields=["done", "done_by", "done_at"])
        audit.record(
            current.task,
            AuditAction.UPDATE,
            {"checklist": [None, f"{current.text}: {'done' if done else 'not done'}"]},
            message="Checklist ticked" if done else "Checklist unticked",
        )
