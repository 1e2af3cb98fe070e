"""The plan version: database triggers change it on every schedule write, so the critical-path cache never goes stale.

Transactional tests: the writes commit, as in production (on PostgreSQL the version changes at commit).
"""

import datetime

import pytest
from django.db import connection, transaction

from core.softdelete import restore, soft_delete
from tests.factories import MONDAY, make_chain, make_task
from wbs.models import DependencyType, PlanVersion, Task, TaskDependency, TaskStatus
from wbs.scheduling import WorkCalendar, critical_task_ids, critical_tasks, load_graph, plan_version
from wbs.services.dependencies import dependency_add, dependency_remove

committed = pytest.mark.django_db(transaction=True)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def token() -> str:
    return plan_version()[0]


def fresh(calendar: WorkCalendar) -> frozenset[int]:
    return frozenset(critical_tasks(*load_graph(calendar)))


@pytest.fixture
def calendar():
    return WorkCalendar.from_settings()


@pytest.mark.django_db
def test_the_triggers_exist():
    # A migration that rebuilds wbs_task or wbs_taskdependency on SQLite drops them: create them again there.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'wbs_plan_%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'wbs_plan_%'")
        names = {name for (name,) in cursor.fetchall()}
    kinds = ("insert", "delete", "update") if connection.vendor == "sqlite" else ("mark", "changed", "updated")
    assert names == {f"wbs_plan_{table}_{kind}" for table in ("task", "dependency") for kind in kinds}


@committed
def test_a_raw_update_of_a_due_date_changes_the_critical_set(calendar):
    chain = make_chain(3)
    assert critical_task_ids(calendar) == {task.pk for task in chain}
    before = token()

    Task.objects.filter(pk=chain[2].pk).update(start_date=day(7), due_date=day(7))

    assert token() != before
    assert critical_task_ids(calendar) == fresh(calendar) == {chain[2].pk}


@committed
def test_a_bulk_update_changes_the_critical_set(calendar):
    chain = make_chain(3)
    assert critical_task_ids(calendar) == {task.pk for task in chain}

    chain[2].start_date = chain[2].due_date = day(7)
    Task.objects.bulk_update([chain[2]], ["start_date", "due_date"])

    assert critical_task_ids(calendar) == fresh(calendar) == {chain[2].pk}


@committed
def test_a_status_change_changes_the_plan(calendar):
    chain = make_chain(3)
    critical_task_ids(calendar)
    before = token()

    Task.objects.filter(pk=chain[1].pk).update(status=TaskStatus.CANCELLED)

    assert token() != before
    assert critical_task_ids(calendar) == fresh(calendar)


@committed
def test_a_soft_delete_and_a_restore_change_the_critical_set(calendar, manager):
    chain = make_chain(3)
    assert critical_task_ids(calendar) == {task.pk for task in chain}

    soft_delete(chain[2], user=manager)
    assert critical_task_ids(calendar) == fresh(calendar) == {chain[0].pk, chain[1].pk}
    restore(Task.all_objects.get(pk=chain[2].pk), user=manager)
    assert critical_task_ids(calendar) == fresh(calendar) == {task.pk for task in chain}


@committed
def test_a_link_added_changed_and_removed_changes_the_critical_set(calendar):
    first, second = make_chain(2)
    late = make_task("Paint", start_date=day(2), due_date=day(2))
    unlinked = critical_task_ids(calendar)
    assert unlinked == fresh(calendar)

    dependency = dependency_add(predecessor=second, successor=late)
    assert critical_task_ids(calendar) == fresh(calendar) == {first.pk, second.pk, late.pk}

    TaskDependency.objects.filter(pk=dependency.pk).update(lag_days=1)  # Paint now has a working day of slack less
    assert critical_task_ids(calendar) == fresh(calendar)
    TaskDependency.objects.filter(pk=dependency.pk).update(type=DependencyType.SS)
    assert critical_task_ids(calendar) == fresh(calendar)

    dependency_remove(dependency=TaskDependency.objects.get(pk=dependency.pk))
    assert critical_task_ids(calendar) == fresh(calendar) == unlinked


@committed
def test_a_title_edit_keeps_the_version():
    task = make_task("Tile", start_date=day(0), due_date=day(1))
    before = token()

    task.title = "Tile the floor"
    task.save()  # writes every column, dates included, unchanged

    assert token() == before


@committed
def test_a_rolled_back_change_leaves_the_version():
    task = make_task("Tile", start_date=day(0), due_date=day(1))
    before = token()

    with pytest.raises(RuntimeError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(due_date=day(4))
        raise RuntimeError("undo")

    assert token() == before


@pytest.mark.django_db
def test_a_transaction_sees_its_own_uncommitted_changes(calendar):
    # Not transactional: the whole test is one transaction that never commits. On PostgreSQL the version only
    # changes at commit, so the transaction is told that it changed the plan and computes without the cache.
    chain = make_chain(3)
    assert critical_task_ids(calendar) == {task.pk for task in chain}

    Task.objects.filter(pk=chain[2].pk).update(start_date=day(7), due_date=day(7))

    assert critical_task_ids(calendar) == fresh(calendar) == {chain[2].pk}
    assert plan_version()[1] is (connection.vendor == "postgresql")


@committed
def test_a_missing_row_gets_a_new_token():
    before = token()
    PlanVersion.objects.all().delete()  # as a test run's flush does

    assert token() not in (None, before)
    assert PlanVersion.objects.count() == 1
