"""Rescheduling in the database: the preview lists every move, apply writes them all in one transaction."""

import datetime

import pytest

from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from core.softdelete import restore, soft_delete
from tests.factories import MONDAY, link, make_chain, make_task
from wbs import scheduling
from wbs.models import DependencyType, Holiday, Task
from wbs.scheduling import WorkCalendar, critical_task_ids, critical_tasks, load_graph
from wbs.services.dependencies import dependency_remove
from wbs.services.schedule import schedule_apply, schedule_preview

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def test_the_preview_lists_every_task_that_would_move_and_by_how_much():
    chain = make_chain(3)  # Mon, Tue, Wed
    side = make_task("Order tiles", start_date=day(0), due_date=day(0))

    moves = schedule_preview(task=chain[0], start_date=day(1), due_date=day(2))

    assert [(move.title, move.new_start, move.new_due, move.shift) for move in moves] == [
        ("Step 0", day(1), day(2), 1),
        ("Step 1", day(3), day(3), 2),
        ("Step 2", day(4), day(4), 2),
    ]
    assert Task.objects.get(pk=chain[1].pk).start_date == day(1)  # nothing written
    assert side.pk not in [move.task_id for move in moves]


def test_the_preview_respects_holidays_from_the_admin_and_from_settings(settings):
    settings.HOLIDAYS = ["2026-11-05", "2026-11-06"]
    Holiday.objects.create(date=day(6 + 1), name="Local holiday")  # Monday 9th
    chain = make_chain(2)

    moves = schedule_preview(task=chain[0], start_date=day(2), due_date=day(2))

    # After Wednesday the next working day skips Thursday 5th, Friday 6th, the weekend and Monday 9th.
    assert (moves[1].new_start, moves[1].shift) == (day(8), 2)


def test_apply_moves_them_all_with_one_audit_entry_each():
    chain = make_chain(4)
    before = AuditEntry.objects.count()

    moves = schedule_apply(task=chain[0], start_date=day(2), due_date=day(2), expected=[task.pk for task in chain])

    assert len(moves) == 4
    assert list(Task.objects.order_by("id").values_list("start_date", flat=True)) == [day(2), day(3), day(4), day(7)]
    entries = AuditEntry.objects.order_by("id")[before:]
    assert len(entries) == 4
    assert entries[1].changes == {"start_date": [str(day(1)), str(day(3))], "due_date": [str(day(1)), str(day(3))]}
    assert "Rescheduled after “Step 0” moved" in entries[1].message


def test_apply_writes_nothing_when_the_plan_changed_since_the_preview():
    chain = make_chain(3)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(Conflict, match="plan changed"):
        schedule_apply(task=chain[0], start_date=day(2), due_date=day(2), expected=[chain[0].pk])

    assert list(Task.objects.order_by("id").values_list("start_date", flat=True)) == [day(0), day(1), day(2)]
    assert AuditEntry.objects.count() == audit_before


def test_apply_rolls_back_every_move_when_one_write_fails(monkeypatch):
    chain = make_chain(3)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("core.audit.record_many", broken)
    with pytest.raises(RuntimeError):
        schedule_apply(task=chain[0], start_date=day(2), due_date=day(2))

    assert list(Task.objects.order_by("id").values_list("start_date", flat=True)) == [day(0), day(1), day(2)]


def test_it_refuses_a_due_date_before_the_start():
    task = make_task("Tile", start_date=day(0), due_date=day(0))
    with pytest.raises(InvalidInput, match="on or after"):
        schedule_preview(task=task, start_date=day(3), due_date=day(2))


def test_it_moves_successors_by_dependency_type_and_lag():
    tile = make_task("Tile", start_date=day(0), due_date=day(1))
    grout = make_task("Grout", start_date=day(0), due_date=day(0))
    seal = make_task("Seal", start_date=day(1), due_date=day(1))
    link(tile, grout, DependencyType.SS, 1)
    link(tile, seal, DependencyType.FF, 2)

    moves = {move.title: move for move in schedule_preview(task=tile, start_date=day(2), due_date=day(3))}

    assert moves["Grout"].new_start == day(3)  # starts a working day after Tile starts
    assert moves["Seal"].new_due == day(7)  # finishes two working days after Tile: Thursday + 2 = Monday


# Committed writes (transaction=True): on PostgreSQL the plan version changes at commit, and a transaction that
# changed the plan does not use the cache at all.
@pytest.mark.django_db(transaction=True)
def test_the_critical_set_is_cached_and_recomputed_after_a_change(django_assert_num_queries):
    chain = make_chain(3)
    calendar = WorkCalendar.from_settings()

    assert critical_task_ids(calendar) == {task.pk for task in chain}
    with django_assert_num_queries(1):  # the plan version only
        critical_task_ids(calendar)
    schedule_apply(task=chain[2], start_date=day(7), due_date=day(7))
    # Step 2 now ends the network alone: steps 0 and 1 have three working days of slack.
    assert critical_task_ids(calendar) == {chain[2].pk}


def _fresh(calendar: WorkCalendar) -> frozenset[int]:
    return frozenset(critical_tasks(*load_graph(calendar)))


def test_a_soft_delete_and_a_restore_change_the_critical_set(manager):
    chain = make_chain(3)
    calendar = WorkCalendar.from_settings()
    assert critical_task_ids(calendar) == {task.pk for task in chain}

    soft_delete(chain[2], user=manager)
    assert critical_task_ids(calendar) == _fresh(calendar) == {chain[0].pk, chain[1].pk}
    restore(Task.all_objects.get(pk=chain[2].pk), user=manager)
    assert critical_task_ids(calendar) == _fresh(calendar) == {task.pk for task in chain}


def test_adding_removing_and_changing_a_dependency_change_the_critical_set():
    first, second = make_chain(2)
    late = make_task("Paint", start_date=day(2), due_date=day(2))
    calendar = WorkCalendar.from_settings()
    unlinked = critical_task_ids(calendar)
    assert unlinked == _fresh(calendar)

    dependency = link(second, late)
    assert critical_task_ids(calendar) == _fresh(calendar) == {first.pk, second.pk, late.pk} != unlinked
    dependency.lag_days = 1
    dependency.save()
    assert critical_task_ids(calendar) == _fresh(calendar)
    dependency_remove(dependency=dependency)
    assert critical_task_ids(calendar) == _fresh(calendar) == unlinked


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_plan_reuses_the_set_this_process_read_without_the_cache(monkeypatch):
    chain = make_chain(3)
    calendar = WorkCalendar.from_settings()
    critical = critical_task_ids(calendar)

    def no_cache(key):
        raise AssertionError("read the cache again")

    monkeypatch.setattr(scheduling.cache, "get", no_cache)
    assert critical_task_ids(calendar) is critical == {task.pk for task in chain}
