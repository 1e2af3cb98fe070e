"""Board positions (wbs.services.positions): spaced for new tasks, bounded writes per move, no duplicates under
concurrent moves, the background re-spacing and the migration that spaced the positions tasks already had."""

import datetime
import importlib
import math

import pytest
from django.db import connection

from core.audit_context import audit_context
from tests.concurrency import run_at_once
from tests.factories import make_booking, make_property, make_task, make_template
from wbs.models import Task, TaskStatus
from wbs.services.board import board_move_card
from wbs.services.positions import (
    POSITION_GAP,
    SPREAD_WINDOW,
    ColumnCrowded,
    board_column_respace,
    position_for_move,
)
from wbs.services.tasks import task_create
from wbs.services.turnovers import turnovers_sync_all

BIG_COLUMN = 10_000


def column(status: str = TaskStatus.TODO) -> list[tuple[str, float]]:
    return list(Task.objects.filter(status=status).order_by("position", "id").values_list("title", "position"))


def make_column(count: int, *, spacing: float = POSITION_GAP, status: str = TaskStatus.TODO) -> list[Task]:
    tasks = [Task(title=f"Card {number}", status=status, position=number * spacing) for number in range(count)]
    return Task.objects.bulk_create(tasks, batch_size=2000)


class RowsWritten:
    """Counts the statements and the rows that UPDATE statements changed, through connection.execute_wrapper."""

    def __init__(self):
        self.statements = 0
        self.updated = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.statements += 1
        if sql.lstrip().upper().startswith("UPDATE") and '"wbs_task"' in sql:
            self.updated += context["cursor"].rowcount
        return result


@pytest.mark.django_db
class TestNewTasks:
    def test_it_puts_each_new_task_at_the_end_of_its_column_a_gap_apart(self):
        make_task("Old", position=5000)
        first = task_create(title="First")
        second = task_create(title="Second")
        doing = task_create(title="Doing", status=TaskStatus.IN_PROGRESS)

        assert first.position == 5000 + POSITION_GAP
        assert second.position == 5000 + 2 * POSITION_GAP
        assert doing.position == POSITION_GAP
        assert [title for title, _ in column()] == ["Old", "First", "Second"]

    def test_turnover_tasks_created_in_bulk_get_spaced_positions(self, manager):
        beach = make_property("Beach House")
        make_template("Clean {property}")
        make_template("Inspect {property}")
        for day in (1, 5, 9):
            make_booking(beach, datetime.date(2026, 6, day), nights=2)

        turnovers_sync_all(notify=False)

        positions = [position for _, position in column()]
        assert len(positions) == 6
        assert all(after - before == POSITION_GAP for before, after in zip(positions, positions[1:], strict=False))


@pytest.mark.django_db
class TestBoundedMoves:
    def test_a_move_in_a_10k_card_column_writes_one_row_in_a_fixed_number_of_statements(self):
        cards = make_column(BIG_COLUMN)
        moving = make_task("Moving", status=TaskStatus.IN_PROGRESS)
        counter = RowsWritten()

        with connection.execute_wrapper(counter):
            board_move_card(task=moving, status=TaskStatus.TODO, before_id=cards[5000].pk, after_id=cards[5001].pk)

        # The column lock (PostgreSQL), the row locked twice, WIP limit, neighbours, the cards below, the update,
        # the audit entry (and savepoints): the same whatever the column's size.
        assert counter.updated == 1
        assert counter.statements <= 12
        assert Task.objects.get(pk=moving.pk).position == 5000.5 * POSITION_GAP

    def test_a_move_into_a_gap_that_ran_out_spreads_a_bounded_number_of_cards(self):
        crowded = 40
        # 40 cards on consecutive floats: no float lies between any two of them.
        positions = [POSITION_GAP]
        for _ in range(crowded - 1):
            positions.append(math.nextafter(positions[-1], math.inf))
        cards = Task.objects.bulk_create(Task(title=f"Card {n}", position=p) for n, p in enumerate(positions))
        rest = [
            make_task(f"Later {number}", position=(number + 2) * POSITION_GAP) for number in range(3 * SPREAD_WINDOW)
        ]
        moving = make_task("Moving", status=TaskStatus.DONE)
        counter = RowsWritten()

        with connection.execute_wrapper(counter):
            board_move_card(
                task=moving, status=TaskStatus.TODO, before_id=cards[0].pk, after_id=cards[1].pk, confirmed=True
            )

        assert crowded <= counter.updated <= crowded + 3
        titles = [title for title, _ in column()]
        assert titles[:3] == ["Card 0", "Moving", "Card 1"]
        assert titles[-len(rest) :] == [task.title for task in rest]
        positions = [position for _, position in column()]
        assert positions == sorted(positions) and len(set(positions)) == len(positions)

    def test_many_drops_into_one_gap_keep_the_order_and_every_position_distinct(self):
        top, bottom = make_task("Top", position=POSITION_GAP), make_task("Bottom", position=2 * POSITION_GAP)
        dropped = []
        for number in range(200):  # far more halvings than a float has between two cards
            card = make_task(f"Drop {number}", status=TaskStatus.IN_PROGRESS)
            board_move_card(task=card, status=TaskStatus.TODO, before_id=top.pk, after_id=bottom.pk)
            dropped.append(card.title)

        titles = [title for title, _ in column()]
        assert titles == ["Top", *reversed(dropped), "Bottom"]
        positions = [position for _, position in column()]
        assert len(set(positions)) == len(positions)

    def test_a_column_crowded_beyond_the_window_is_respaced_in_the_background_and_the_move_refused(self):
        cards = make_column(SPREAD_WINDOW + 10, spacing=0)  # all at one position, as tasks from bookings were
        moving = make_task("Moving", status=TaskStatus.IN_PROGRESS)

        with pytest.raises(ColumnCrowded):
            board_move_card(task=moving, status=TaskStatus.TODO, before_id=cards[3].pk, after_id=cards[4].pk)

        # Tests run jobs at once: the column is spaced again, in the same order, and the move then succeeds.
        assert Task.objects.get(pk=moving.pk).status == TaskStatus.IN_PROGRESS
        assert [position for _, position in column()] == [n * POSITION_GAP for n in range(1, len(cards) + 1)]
        board_move_card(task=moving, status=TaskStatus.TODO, before_id=cards[3].pk, after_id=cards[4].pk)
        assert [title for title, _ in column()][3:6] == ["Card 3", "Moving", "Card 4"]

    def test_the_card_above_decides_when_the_card_below_is_stale(self):
        above, between, below = make_column(3)

        position = position_for_move(task_id=0, status=TaskStatus.TODO, before_id=above.pk, after_id=below.pk)

        assert above.position < position < between.position

    def test_ties_are_ordered_by_id_and_a_drop_between_them_separates_them(self):
        first, second = make_task("First", position=7.0), make_task("Second", position=7.0)
        moving = make_task("Moving", status=TaskStatus.BLOCKED)

        board_move_card(task=moving, status=TaskStatus.TODO, before_id=first.pk, after_id=second.pk)

        assert [title for title, _ in column()] == ["First", "Moving", "Second"]
        assert len({position for _, position in column()}) == 3


@pytest.mark.django_db
def test_respacing_a_column_keeps_its_order_and_touches_no_other_column():
    for number, position in enumerate([3.0, 1.0, 1.0, -5.0]):
        make_task(f"T{number}", position=position)
    make_task("Elsewhere", status=TaskStatus.DONE, position=0.5)

    assert board_column_respace(status=TaskStatus.TODO) == 4

    assert column() == [("T3", 1024.0), ("T1", 2048.0), ("T2", 3072.0), ("T0", 4096.0)]
    assert column(TaskStatus.DONE) == [("Elsewhere", 0.5)]


@pytest.mark.django_db
def test_the_migration_spaces_every_column_in_one_statement_keeping_its_order():
    migration = importlib.import_module("wbs.migrations.0010_task_positions_spaced")
    for number in range(5):
        make_task(f"Todo {number}", position=0)
    make_task("Moved up", position=-512)
    make_task("Doing", status=TaskStatus.IN_PROGRESS, position=0)

    with connection.cursor() as cursor:
        cursor.execute(migration.SPACE_POSITIONS)
        assert cursor.rowcount == 7

    assert column() == [("Moved up", 1024.0)] + [(f"Todo {n}", (n + 2) * 1024.0) for n in range(5)]
    assert column(TaskStatus.IN_PROGRESS) == [("Doing", 1024.0)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_managers_dropping_into_one_gap_at_once_leave_no_duplicate_positions(manager):
    top, bottom = make_task("Top", position=POSITION_GAP), make_task("Bottom", position=2 * POSITION_GAP)
    movers = [make_task(f"Mover {number}", status=TaskStatus.IN_PROGRESS) for number in range(10)]

    def drop(card: Task):
        def work() -> None:
            with audit_context(source="web", actor=manager):
                board_move_card(task=card, status=TaskStatus.TODO, before_id=top.pk, after_id=bottom.pk, user=manager)

        return work

    for _round in range(3):
        assert run_at_once([drop(card) for card in movers]) == []
        rows = column()
        assert [title for title, _ in rows][0] == "Top" and [title for title, _ in rows][-1] == "Bottom"
        assert len({position for _, position in rows}) == len(rows) == 12
        # Back to In progress for the next round: the same gap, more crowded each time.
        Task.objects.filter(pk__in=[card.pk for card in movers]).update(status=TaskStatus.IN_PROGRESS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_moves_in_a_big_column_do_not_wait_on_each_other_for_long(manager):
    cards = make_column(BIG_COLUMN, spacing=0)
    board_column_respace(status=TaskStatus.TODO)
    movers = [make_task(f"Mover {number}", status=TaskStatus.IN_PROGRESS) for number in range(8)]

    def drop(card: Task, number: int):
        def work() -> None:
            anchor = cards[number * 1000]
            board_move_card(task=card, status=TaskStatus.TODO, before_id=anchor.pk, user=manager)

        return work

    assert run_at_once([drop(card, number) for number, card in enumerate(movers)]) == []
    positions = [position for _, position in column()]
    assert len(set(positions)) == len(positions) == BIG_COLUMN + len(movers)
