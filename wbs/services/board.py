"""Moving cards on the Kanban board: status and position in a constant number of queries, with WIP limits."""

from dataclasses import dataclass

from django.db import transaction

from core import audit
from core.audit_context import acting_user
from core.errors import Conflict, InvalidInput
from core.models import AuditAction
from wbs.models import BoardColumn, Task, TaskStatus
from wbs.services.positions import ColumnCrowded, lock_column, position_for_move
from wbs.services.tasks import task_lock, task_set_status, unfinished_fs_predecessors
from wbs.tasks import respace_board_column
from wbs.transitions import check_move


class NeedsConfirmation(Conflict):
    """Done was asked for while finish-to-start predecessors are open: the manager must confirm."""

    title = "Predecessor not done"

    def __init__(self, task: Task, predecessors: list[Task]):
        self.task = task
        self.predecessors = predecessors
        names = ", ".join(f"“{item.title}”" for item in predecessors)
        super().__init__(f"“{task.title}” waits for {names} to finish first. Confirm to mark it done anyway.")


@dataclass(frozen=True)
class MoveResult:
    task: Task
    old_status: str
    warning: str = ""


@acting_user
def board_move_card(
    *,
    task: Task,
    status: str,
    before_id: int | None = None,
    after_id: int | None = None,
    user=None,
    confirmed: bool = False,
) -> MoveResult:
    """Put `task` in column `status` between the cards `before_id` (above) and `after_id` (below).

    Without neighbours the card goes to the top of the column. Over a column's WIP limit the move is made
    with a warning, or refused when the limit is hard. Writes the card and, rarely, up to SPREAD_WINDOW cards
    below it (wbs.services.positions), whatever the column's size.
    """
    if status not in TaskStatus.values:
        raise InvalidInput(f"{status!r} is not a board column; use one of {', '.join(TaskStatus.values)}.")
    try:
        return _move(task, status, before_id, after_id, user=user, confirmed=confirmed)
    except ColumnCrowded:
        # Queued after the rollback, so the job's own transaction does not wait for this one's locks.
        respace_board_column.enqueue(status=status)
        raise


def _move(task: Task, status: str, before_id: int | None, after_id: int | None, *, user, confirmed: bool) -> MoveResult:
    with transaction.atomic():
        # The column first, then the row: every writer of positions in a column takes them in this order.
        lock_column(status)
        current = task_lock(task)
        old_status = current.status
        if status != old_status:
            # Before the WIP limit and the predecessors: a move the user may not make is refused as such.
            check_move(user=user, title=current.title, current=old_status, new=status)
        warning = _check_wip_limit(current, status) if status != old_status else ""
        if status == TaskStatus.DONE and old_status != TaskStatus.DONE and not confirmed:
            blocking = unfinished_fs_predecessors(current)
            if blocking:
                raise NeedsConfirmation(current, blocking)
        old_position = current.position
        position = position_for_move(task_id=current.pk, status=status, before_id=before_id, after_id=after_id)
        if status != old_status:
            # One update for both: the status (checked, audited) and where the card lands.
            task_set_status(task=task, status=status, user=user, confirmed=True, position=position)
        elif position != old_position:
            current.position = task.position = position
            current.save(update_fields=["position", "updated_at"])
            audit.record(current, AuditAction.MOVE, {"position": [old_position, position]}, message="Reordered")
    return MoveResult(task=task, old_status=old_status, warning=warning)


def _check_wip_limit(task: Task, status: str) -> str:
    column = BoardColumn.objects.filter(status=status).first()
    if column is None or column.wip_limit is None:
        return ""
    label = TaskStatus(status).label
    # One past the limit is all the check needs: a 60,000-card column is not counted in full on every move.
    in_column = Task.objects.filter(status=status)[: column.wip_limit + 1].count()
    if in_column + 1 <= column.wip_limit:
        return ""
    if column.hard_limit:
        raise Conflict(
            f"“{label}” is at its limit of {column.wip_limit} tasks. Finish or move one of them first.",
            title="Column full",
        )
    return f"“{label}” now has {in_column + 1} tasks, over its limit of {column.wip_limit}."
