"""Where cards sit in a board column: spaced positions for new tasks, the position a move takes, re-spacing.

A column shows its tasks by (position, id). Positions are floats written POSITION_GAP apart, so a card dropped
between two takes their midpoint: one row written. When a gap has been halved until a float can no longer
split it, the move spreads out at most SPREAD_WINDOW cards below the one it lands under (one bulk update); only
a column crowded beyond that is re-spaced as a whole, by a background job in one UPDATE statement, never
inside the request. Moves into a column are serialised by a lock on that column (PostgreSQL; SQLite writers
queue for the database anyway), so two drops into the same gap get two positions.
"""

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from core.errors import Conflict
from wbs.models import Task, TaskStatus

POSITION_GAP = 1024.0
# A move whose gap has run out re-spaces at most this many cards below the card it lands under.
SPREAD_WINDOW = 128
# Cards spread out no closer than this: at positions up to 1e8 (100,000 cards) a float still splits such a gap
# about 16 times before the next spread.
MIN_SPREAD_STEP = 2.0**-10
# A spread stops at the first card that leaves this much room per card: dozens of halvings before the next one.
ROOMY_STEP = POSITION_GAP / 16
# PostgreSQL advisory locks take two numbers: this one ("BORD" in ASCII) names the board's column locks, the
# second is the column's place among the statuses.
COLUMN_LOCK_NAMESPACE = 0x424F5244


class ColumnCrowded(Conflict):
    """More than SPREAD_WINDOW cards share too little room: the column is re-spaced in the background first."""

    title = "Column being tidied"

    def __init__(self, status: str):
        self.column = status  # `status` is the HTTP status of every AppError
        super().__init__("This column's order is being tidied up. Try the move again in a minute.")


def lock_column(status: str) -> None:
    """Hold the column `status` until the transaction ends: positions there are read and written one move at a time.

    Taken before any task row is locked, by every writer of positions in a column, so two movers never wait
    for each other in opposite orders.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [COLUMN_LOCK_NAMESPACE, TaskStatus.values.index(status)]
            )


def next_positions(status: str, count: int) -> list[float]:
    """`count` positions after the last card of the column `status`, POSITION_GAP apart: one indexed read.

    Soft-deleted tasks count too (their positions are still in the index, and skipping them would read rows).
    Two creations at the same moment may get the same position; the column then orders them by id, and a move
    into that spot spreads them out.
    """
    last = Task.all_objects.filter(status=status).order_by("-position").values_list("position", flat=True).first()
    start = (last or 0.0) + POSITION_GAP
    return [start + number * POSITION_GAP for number in range(count)]


def position_for_move(*, task_id: int, status: str, before_id: int | None, after_id: int | None) -> float:
    """The position of task `task_id` dropped into column `status` under card `before_id` and over `after_id`.

    Call it under lock_column(status). The card above wins: the card below it is read from the database, not
    taken from the request, so a drop under a card that another move has just landed under too goes between
    the two, and a drop below the last card shown lands before the next card not shown. Reads at most
    SPREAD_WINDOW + 1 cards and writes at most SPREAD_WINDOW other cards, whatever the column's size.
    """
    column = Task.objects.filter(status=status).exclude(pk=task_id)
    neighbour_ids = [pk for pk in (before_id, after_id) if pk and pk != task_id]
    positions: dict[int, float] = dict(
        column.filter(pk__in=neighbour_ids).values_list("id", "position") if neighbour_ids else ()
    )
    above = positions.get(before_id) if before_id is not None else None
    below = positions.get(after_id) if after_id is not None else None
    if above is None and below is None:
        # A stale board (neighbours moved away meanwhile) or a status control: the top of the column.
        top = column.aggregate(top=Min("position"))["top"]
        return 0.0 if top is None else top - POSITION_GAP
    if above is None:
        assert below is not None and after_id is not None  # both missing is answered above
        previous = _card_before(column, after_id, below)
        if previous is None:
            return below - POSITION_GAP
        before_id, above = previous
    assert before_id is not None
    window = list(
        column.filter(position__gte=above).order_by("position", "id").values_list("id", "position")[: SPREAD_WINDOW + 1]
    )
    # Cards at the same position with a smaller id come before the anchor: they are not below it.
    following = [(pk, position) for pk, position in window if (position, pk) > (above, before_id)]
    if not following:
        return above + POSITION_GAP
    middle = (above + following[0][1]) / 2
    if above < middle < following[0][1]:
        return middle
    return _spread_below(above, following, whole_rest=len(window) <= SPREAD_WINDOW, status=status)


def _card_before(column, card_id: int, position: float) -> tuple[int, float] | None:
    """The (id, position) of the card just above `card_id` (at `position`) in the column, if any."""
    window = column.filter(position__lte=position).order_by("-position", "-id").values_list("id", "position")
    for pk, found in window[: SPREAD_WINDOW + 1]:
        if (found, pk) < (position, card_id):
            return pk, found
    return None


def _spread_below(above: float, following: list[tuple[int, float]], *, whole_rest: bool, status: str) -> float:
    """Make room under `above` by spreading the first cards of `following` (the cards below it, in order) evenly
    up to a card further down, and return the new card's place, the first of the spread.

    Spreading up to the k-th card gives a step of (its position - above) / (k + 2). The fewest cards are written
    that give ROOMY_STEP, or at least half the widest step the window allows: repeated drops into one spot then
    find room for many more halvings after each spread, and a spread reaches no further than it needs.
    `whole_rest` says `following` runs to the end of the column, so they may also all move down POSITION_GAP
    apart. With no step of MIN_SPREAD_STEP, raises ColumnCrowded.
    """
    choices = [((bound - above) / (count + 2), count) for count, (_, bound) in enumerate(following)]
    if whole_rest:
        choices.append((POSITION_GAP, len(following)))
    widest = max(step for step, _ in choices)
    if widest < MIN_SPREAD_STEP:
        raise ColumnCrowded(status)
    step, count = next(choice for choice in choices if choice[0] >= min(widest / 2, ROOMY_STEP))
    if count:
        now = timezone.now()
        Task.all_objects.bulk_update(
            [
                Task(pk=pk, position=above + step * (number + 2), updated_at=now)
                for number, (pk, _) in enumerate(following[:count])
            ],
            ["position", "updated_at"],
            batch_size=SPREAD_WINDOW,
        )
    return above + step


# ROW_NUMBER() in one UPDATE … FROM (PostgreSQL, and SQLite from 3.33): the database renumbers the rows itself.
RESPACE_SQL = """
UPDATE wbs_task SET position = ranked.number * %s
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS number FROM wbs_task WHERE status = %s) AS ranked
WHERE wbs_task.id = ranked.id
"""


def board_column_respace(*, status: str) -> int:
    """Re-space the column `status` POSITION_GAP apart in its current order: one statement, under the column's
    lock (moves into it wait, for about a second at 100,000 cards). Returns the rows written.

    Ordering only, so no audit entries: the order a person sees is unchanged.
    """
    with transaction.atomic():
        lock_column(status)
        with connection.cursor() as cursor:
            cursor.execute(RESPACE_SQL, [POSITION_GAP, status])
            return cursor.rowcount
