"""Moving cards on the Kanban board: status and position in a constant number of queries, with WIP limits."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from core import audit
from core.audit_context import acting_user
from core.errors import Conflict, InvalidInput
from core.models import AuditAction
from wbs.models import BoardColumn, Task, TaskStatus
from wbs.services.tasks import task_lock, task_set_status, unfinished_fs_predecessors
from wbs.transitions import check_move

# Cards sit POSITION_GAP apart; a card dropped between two takes the midpoint, so a move writes one row.
POSITION_GAP = 1024.0
# Below this the midpoint stops being distinct in a float: the column is renumbered (one bulk update).
MIN_POSITION_GAP = 1e-9


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
    with a warning, or refused when the limit is hard.
    """
    if status not in TaskStatus.values:
        raise InvalidInput(f"{status!r} is not a board column; use one of {', '.join(TaskStatus.values)}.")
    with transaction.atomic():
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
        position = _position_between(current, status, before_id, after_id)
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
    in_column = Task.objects.filter(status=status).count()
    if in_column + 1 <= column.wip_limit:
        return ""
    if column.hard_limit:
        raise Conflict(
            f"“{label}” is at its limit of {column.wip_limit} tasks. Finish or move one of them first.",
            title="Column full",
        )
    return f"“{label}” now has {in_column + 1} tasks, over its limit of {column.wip_limit}."


def _position_between(task: Task, status: str, before_id: int | None, after_id: int | None) -> float:
    neighbour_ids = [pk for pk in (before_id, after_id) if pk and pk != task.pk]
    positions: dict[int, float] = dict(
        Task.objects.filter(pk__in=neighbour_ids, status=status).values_list("id", "position") if neighbour_ids else ()
    )
    above = positions.get(before_id) if before_id is not None else None
    below = positions.get(after_id) if after_id is not None else None
    if above is None and below is None:
        # A stale board (neighbours moved away meanwhile) or a status control: the top of the column.
        top = Task.objects.filter(status=status).exclude(pk=task.pk).aggregate(top=Min("position"))["top"]
        return 0.0 if top is None else top - POSITION_GAP
    column = Task.objects.filter(status=status).exclude(pk=task.pk)
    # The board shows a column's first cards only: the card below the last one shown (or above the first) may
    # not be on screen, so the true neighbour comes from the database.
    if above is None:
        assert below is not None  # both missing is answered above
        above = column.filter(position__lt=below).aggregate(previous=Max("position"))["previous"]
        if above is None:
            return below - POSITION_GAP
    elif below is None:
        below = column.filter(position__gt=above).aggregate(next=Min("position"))["next"]
        if below is None:
            return above + POSITION_GAP
    if below - above > MIN_POSITION_GAP:
        return (above + below) / 2
    # No room left between the two: spread the column out again and go half a gap after the card above.
    renumbered = _renumber_column(status, exclude=task.pk)
    anchor = next((new for pk, _, new in renumbered if pk == before_id), None)
    if anchor is None:
        anchor = max((new for _, old, new in renumbered if old <= above), default=0.0)
    return anchor + POSITION_GAP / 2


def _renumber_column(status: str, *, exclude: int) -> list[tuple[int, float, float]]:
    """Spread a column's cards POSITION_GAP apart again: (id, old position, new position) in column order.

    Rare (after ~50 drops into the same gap) and one bulk update, never a save per card.
    """
    cards = list(
        Task.objects.filter(status=status).exclude(pk=exclude).only("id", "position").order_by("position", "id")
    )
    now = timezone.now()
    renumbered = []
    for number, card in enumerate(cards, start=1):
        renumbered.append((card.pk, card.position, number * POSITION_GAP))
        card.position, card.updated_at = number * POSITION_GAP, now
    Task.objects.bulk_update(cards, ["position", "updated_at"], batch_size=100)
    return renumbered
