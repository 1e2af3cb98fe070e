"""The demo projects of `seed_demo`: two trees, about 60 tasks, dependencies, a milestone, tags; --scale grows them."""

import io

import pytest

from core.models import AuditEntry
from wbs.demo_projects import seed_projects
from wbs.models import DependencyType, Project, Tag, Task, TaskDependency, WbsItem
from wbs.services.dependencies import find_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(manager, cleaner, other_cleaner):
    return {"manager": manager, "cleaner1": cleaner, "cleaner2": other_cleaner}


def test_it_seeds_two_projects_with_trees_tasks_and_dependencies(users):
    out = io.StringIO()
    seed_projects(users=users, scale=1, stdout=out)

    assert sorted(Project.objects.values_list("name", flat=True)) == ["Renovate Beach House", "Winter maintenance"]
    assert 55 <= Task.objects.count() <= 65
    assert WbsItem.objects.filter(code__contains=".").exists()  # at least two levels
    assert Task.objects.filter(is_milestone=True).count() == 2
    assert set(TaskDependency.objects.values_list("type", flat=True)) >= {DependencyType.FS, DependencyType.SS}
    assert Tag.objects.count() == 6 and Task.objects.filter(tags__isnull=False).exists()
    assert set(Task.objects.values_list("assignee__username", flat=True)) == {"manager", "cleaner", "other_cleaner"}
    assert "Project “Renovate Beach House”:" in out.getvalue()
    # Every task is in the audit trail, as if created in the app.
    assert AuditEntry.objects.filter(action="create", object_repr="Tile floor").exists()


def test_the_critical_path_runs_from_the_strip_out_to_the_handover(users):
    seed_projects(users=users, scale=1, stdout=io.StringIO())
    edges = list(TaskDependency.objects.values_list("predecessor_id", "successor_id"))
    strip = Task.objects.get(title="Strip out old kitchen")
    handover = Task.objects.get(title="Handover inspection")
    titles = dict(Task.objects.values_list("pk", "title"))
    path = [titles[pk] for pk in find_path(strip.pk, handover.pk, edges)]
    assert path[0] == "Strip out old kitchen" and path[-1] == "Handover inspection"
    assert handover.is_milestone


def test_codes_are_consistent_with_the_tree(users):
    seed_projects(users=users, scale=1, stdout=io.StringIO())
    for item in WbsItem.objects.select_related("parent"):
        if item.parent is None:
            assert item.code == str(item.position)
        else:
            assert item.code == f"{item.parent.code}.{item.position}"


def test_scale_multiplies_tasks_and_dependencies_and_a_second_run_adds_nothing(users):
    seed_projects(users=users, scale=1, stdout=io.StringIO())
    tasks, links = Task.objects.count(), TaskDependency.objects.count()
    Project.objects.all().delete()
    Task.objects.all().delete()

    seed_projects(users=users, scale=3, stdout=io.StringIO())
    assert Task.objects.count() == 3 * tasks
    assert TaskDependency.objects.count() == 3 * links
    assert WbsItem.objects.filter(title="Kitchen (phase 3)", parent=None).exists()

    out = io.StringIO()
    seed_projects(users=users, scale=1, stdout=out)
    assert Task.objects.count() == 3 * tasks
    assert "exists already" in out.getvalue()
