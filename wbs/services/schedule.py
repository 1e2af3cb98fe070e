"""Rescheduling a task's successors after a date change: the preview, and applying it in one transaction."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict, InvalidInput
from core.models import AuditAction
from wbs.models import Task
from wbs.scheduling import Span, WorkCalendar, load_graph, reschedule


@dataclass(frozen=True)
class PlannedMove:
    task_id: int
    title: str
    old_start: datetime.date | None
    old_due: datetime.date | None
    new_start: datetime.date
    new_due: datetime.date
    shift: int  # working days, positive = later

    @property
    def is_change(self) -> bool:
        return (self.old_start, self.old_due) != (self.new_start, self.new_due)


def schedule_preview(*, task: Task, start_date: datetime.date, due_date: datetime.date) -> list[PlannedMove]:
    """Every task that would move if `task` got these dates (itself first), and by how many working days."""
    if start_date is None or due_date is None:
        raise InvalidInput("Give both a start date and a due date.")
    if due_date < start_date:
        raise InvalidInput("The due date must be on or after the start date.")
    calendar = WorkCalendar.from_settings()
    spans, edges = load_graph(calendar)
    first = calendar.index(start_date)
    new_span = Span(first, max(first, calendar.index(due_date + datetime.timedelta(days=1)) - 1))
    old_span = spans.get(task.pk)
    planned = reschedule(spans, edges, task.pk, new_span)
    moved_ids = [task_id for task_id in planned if task_id != task.pk]
    current = {
        task_id: (title, start, due)
        for task_id, title, start, due in Task.objects.filter(pk__in=moved_ids).values_list(
            "id", "title", "start_date", "due_date"
        )
    }
    moves = [
        PlannedMove(
            task.pk,
            task.title,
            task.start_date,
            task.due_date,
            start_date,
            due_date,
            new_span.start - old_span.start if old_span else 0,
        )
    ]
    for task_id in moved_ids:
        span = planned[task_id]
        title, old_start, old_due = current[task_id]
        moves.append(
            PlannedMove(
                task_id,
                title,
                old_start,
                old_due,
                calendar.date(span.start),
                calendar.date(span.finish),
                span.start - spans[task_id].start,
            )
        )
    return moves


def schedule_apply(
    *, task: Task, start_date: datetime.date, due_date: datetime.date, expected: list[int] | None = None
):
    """Move `task` and its successors as the preview said, in one transaction with one audit entry each.

    `expected` is the list of task ids the manager saw in the preview: if someone changed the plan since,
    nothing is written and the manager is asked to look again.
    """
    with transaction.atomic():
        moves = [
            move for move in schedule_preview(task=task, start_date=start_date, due_date=due_date) if move.is_change
        ]
        if expected is not None and sorted(expected) != sorted(move.task_id for move in moves):
            raise Conflict("The plan changed since the preview was shown. Look at the new preview and apply again.")
        if not moves:
            return []
        tasks = {item.pk: item for item in Task.objects.select_for_update().filter(pk__in=[m.task_id for m in moves])}
        content_type = ContentType.objects.get_for_model(Task)
        entries = []
        now = timezone.now()
        for move in moves:
            item = tasks[move.task_id]
            changes = audit.diff(
                {"start_date": item.start_date, "due_date": item.due_date},
                {"start_date": move.new_start, "due_date": move.new_due},
            )
            item.start_date, item.due_date = move.new_start, move.new_due
            message = "Dates changed" if move.task_id == task.pk else f"Rescheduled after “{task.title}” moved"
            entries.append(
                audit.build_entry(item, AuditAction.MOVE, changes, message=message, content_type=content_type)
            )
        # Small batches: bulk_update writes one CASE per field whose length grows with the batch, so big
        # batches cost quadratic time; 100 keeps a 10,000-task cascade linear.
        Task.objects.bulk_update(tasks.values(), ["start_date", "due_date"], batch_size=100)
        # bulk_update skips auto_now; every moved task gets the same stamp, as a save would give it.
        Task.objects.filter(pk__in=tasks).update(updated_at=now)
        audit.record_many(entries)
    return moves
