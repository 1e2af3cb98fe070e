"""wbs.services.dependencies: loops are refused and spelled out; random graphs stay acyclic; races lose cleanly."""

import threading

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.models import AuditEntry
from wbs.models import DependencyType, Task, TaskDependency
from wbs.services.dependencies import DependencyCycle, dependency_add, dependency_remove


@pytest.fixture
def chain(db):
    """Tile floor → Grout → Seal."""
    tile, grout, seal = (Task.objects.create(title=title) for title in ("Tile floor", "Grout", "Seal"))
    dependency_add(predecessor=tile, successor=grout)
    dependency_add(predecessor=grout, successor=seal)
    return tile, grout, seal


def test_a_loop_is_refused_with_every_task_on_it_named(chain):
    tile, grout, seal = chain
    edges = TaskDependency.objects.count()
    with pytest.raises(DependencyCycle) as refusal:
        dependency_add(predecessor=seal, successor=tile)
    assert refusal.value.cycle == ["Tile floor", "Grout", "Seal", "Tile floor"]
    assert "Tile floor → Grout → Seal → Tile floor" in refusal.value.message
    assert TaskDependency.objects.count() == edges


def test_a_task_cannot_wait_for_itself(chain):
    tile, _, _ = chain
    with pytest.raises(DependencyCycle, match="Tile floor → Tile floor"):
        dependency_add(predecessor=tile, successor=tile)


def test_a_duplicate_or_a_bad_type_or_lag_is_refused(chain):
    tile, grout, seal = chain
    with pytest.raises(InvalidInput, match="already depends"):
        dependency_add(predecessor=tile, successor=grout)
    with pytest.raises(InvalidInput, match="not a dependency type"):
        dependency_add(predecessor=tile, successor=seal, type="XX")
    with pytest.raises(InvalidInput, match="between -365 and 365"):
        dependency_add(predecessor=tile, successor=seal, lag_days=400)
    assert TaskDependency.objects.count() == 2


def test_adding_and_removing_are_audited_on_both_tasks(chain):
    tile, grout, seal = chain
    dependency = dependency_add(predecessor=tile, successor=seal, type=DependencyType.SS, lag_days=2)
    assert AuditEntry.objects.for_object(seal).filter(message="Now waits for “Tile floor”").get().changes == {
        "predecessors": [None, "Tile floor (SS+2)"]
    }
    assert AuditEntry.objects.for_object(tile).filter(message="“Seal” now waits for it").exists()
    dependency_remove(dependency=dependency)
    assert AuditEntry.objects.for_object(seal).filter(message="No longer waits for “Tile floor”").exists()
    assert not TaskDependency.objects.filter(pk=dependency.pk).exists()


def test_parallel_paths_are_fine(chain):
    tile, grout, seal = chain
    dependency_add(predecessor=tile, successor=seal, type=DependencyType.FF)
    assert TaskDependency.objects.count() == 3


# --- Random graphs, checked against an independent depth-first search ---

NODES = 7
edge_lists = st.lists(st.tuples(st.integers(0, NODES - 1), st.integers(0, NODES - 1)), min_size=1, max_size=25)


def reachable(start: int, goal: int, edges: set[tuple[int, int]]) -> bool:
    """Depth-first, recursive: written differently from the service's breadth-first search on purpose."""
    seen: set[int] = set()

    def visit(node: int) -> bool:
        if node == goal:
            return True
        seen.add(node)
        return any(visit(b) for a, b in edges if a == node and b not in seen)

    return visit(start)


def has_cycle(edges: set[tuple[int, int]]) -> bool:
    colour: dict[int, str] = {}

    def visit(node: int) -> bool:
        colour[node] = "grey"
        for a, b in edges:
            if a != node:
                continue
            if colour.get(b) == "grey" or (b not in colour and visit(b)):
                return True
        colour[node] = "black"
        return False

    return any(visit(node) for node in range(NODES) if node not in colour)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=edge_lists)
def test_random_graphs_built_edge_by_edge_never_hold_a_cycle(attempts):
    with transaction.atomic():
        tasks = Task.objects.bulk_create(Task(title=f"T{number}") for number in range(NODES))
        index = {task.pk: number for number, task in enumerate(tasks)}
        accepted: set[tuple[int, int]] = set()
        for a, b in attempts:
            try:
                dependency_add(predecessor=tasks[a], successor=tasks[b])
            except DependencyCycle as refusal:
                # Refused only when the edge really would close a loop: a path b → … → a exists already.
                assert a == b or reachable(b, a, accepted)
                # The loop it names is made of accepted edges, closed by the refused one.
                names = [int(title[1:]) for title in refusal.cycle]
                assert names[0] == names[-1] == b
                assert all(pair in accepted for pair in zip(names[:-2], names[1:-1], strict=True))
                assert names[-2] == a
            except InvalidInput:
                assert (a, b) in accepted  # the only other refusal here: a duplicate
            else:
                assert a != b and not reachable(b, a, accepted)
                accepted.add((a, b))
        stored = {
            (index[p], index[s])
            for p, s in TaskDependency.objects.filter(successor__in=tasks).values_list("predecessor", "successor")
        }
        assert stored == accepted
        assert not has_cycle(stored)
        transaction.set_rollback(True)


# --- Two people at the same moment (PostgreSQL: SQLite serialises writers anyway) ---


def add_at_the_same_moment(pairs: list[tuple[Task, Task]]) -> list[str]:
    """Each pair is added from its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(pairs))
    outcomes: list[str] = []

    def worker(predecessor: Task, successor: Task) -> None:
        try:
            barrier.wait()
            dependency_add(predecessor=predecessor, successor=successor)
            outcomes.append("added")
        except DependencyCycle:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_adding_a_to_b_and_b_to_a_leave_exactly_one_edge():
    for round_number in range(5):
        a = Task.objects.create(title=f"A{round_number}")
        b = Task.objects.create(title=f"B{round_number}")
        outcomes = add_at_the_same_moment([(a, b), (b, a)])
        assert sorted(outcomes) == ["added", "refused"]
        assert TaskDependency.objects.filter(predecessor__in=[a, b]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_loop_through_three_tasks_cannot_be_closed_by_two_writers():
    a, b, c = (Task.objects.create(title=title) for title in "ABC")
    dependency_add(predecessor=a, successor=b)
    outcomes = add_at_the_same_moment([(b, c), (c, a)])
    assert sorted(outcomes) == ["added", "refused"]
    edges = set(TaskDependency.objects.values_list("predecessor", "successor"))
    assert len(edges) == 2
    assert not ({(b.pk, c.pk), (c.pk, a.pk)} <= edges)
