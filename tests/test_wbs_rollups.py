"""Rollups of the WBS tree: progress by task count, by duration and by weight, dates and status, explained."""

import datetime

import pytest

from wbs.models import Project, RollupMethod, Task, TaskStatus, WbsItem, WorkStatus
from wbs.queries import project_rollups, project_tree
from wbs.services import wbs_tree

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 2)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture
def project():
    """Kitchen (weight 3) holds Plumbing and Tiling; Bathroom (weight 1) has two tasks of its own."""
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen", weight=3)
    plumbing = wbs_tree.wbs_item_create(project=project, title="Plumbing", parent=kitchen)
    tiling = wbs_tree.wbs_item_create(project=project, title="Tiling", parent=kitchen, weight=2)
    bathroom = wbs_tree.wbs_item_create(project=project, title="Bathroom")
    # Plumbing: 1 of 2 done; 4 + 2 days.
    Task.objects.create(title="Pipes", wbs_item=plumbing, status=TaskStatus.DONE, start_date=day(0), due_date=day(3))
    Task.objects.create(title="Drain", wbs_item=plumbing, start_date=day(4), due_date=day(5))
    # Tiling: nothing done, one task half way; 2 days. A cancelled task counts for nothing.
    Task.objects.create(title="Tile floor", wbs_item=tiling, progress=50, start_date=day(7), due_date=day(8))
    Task.objects.create(title="Old plan", wbs_item=tiling, status=TaskStatus.CANCELLED, start_date=day(30))
    # Bathroom: both done; no dates (1 day each).
    Task.objects.create(title="Shower", wbs_item=bathroom, status=TaskStatus.DONE)
    Task.objects.create(title="Basin", wbs_item=bathroom, status=TaskStatus.DONE)
    return project


def rows_by_title(project):
    tree = project_tree(project)
    return {row.item.title: row for row in tree.rows}, tree.rollup


def test_count_rolls_up_done_tasks_over_all_tasks(project):
    rows, overall = rows_by_title(project)
    assert rows["Plumbing"].rollup.explanation == "1 of 2 tasks done = 50 %"
    assert rows["Tiling"].rollup.explanation == "0 of 1 tasks done = 0 %"
    assert rows["Kitchen"].rollup.explanation == "1 of 3 tasks done = 33 %"
    assert rows["Bathroom"].rollup.progress == 100
    assert overall.explanation == "3 of 5 tasks done = 60 %"


def test_duration_weighs_each_task_by_its_days_and_own_progress(project):
    project.rollup_method = RollupMethod.DURATION
    project.save()
    rows, overall = rows_by_title(project)
    # Pipes 4 days done, Drain 2 days open.
    assert rows["Plumbing"].rollup.explanation == "4 of 6 task-days done = 67 %"
    # Tile floor: 2 days at 50 %.
    assert rows["Tiling"].rollup.explanation == "1 of 2 task-days done = 50 %"
    assert rows["Kitchen"].rollup.explanation == "5 of 8 task-days done = 62 %"
    # Shower and Basin: 1 day each, done.
    assert overall.explanation == "7 of 10 task-days done = 70 %"


def test_weight_takes_the_weighted_mean_of_sub_items_and_own_tasks(project):
    project.rollup_method = RollupMethod.WEIGHT
    project.save()
    rows, overall = rows_by_title(project)
    assert rows["Plumbing"].rollup.explanation == "(2 own tasks 50 % × 2) ÷ 2 = 50 %"
    # Plumbing 50 % × 1 and Tiling 50 % × 2.
    assert rows["Kitchen"].rollup.explanation == "(1.1 50 % × 1 + 1.2 50 % × 2) ÷ 3 = 50 %"
    # Kitchen 50 % × 3 and Bathroom 100 % × 1 → 62.5 %.
    assert overall.progress == pytest.approx(62.5)
    assert overall.explanation == "(1 50 % × 3 + 2 100 % × 1) ÷ 4 = 62 %"


def test_dates_span_the_children_and_tasks_and_cancelled_work_is_left_out(project):
    rows, overall = rows_by_title(project)
    assert (rows["Plumbing"].rollup.start, rows["Plumbing"].rollup.end) == (day(0), day(5))
    assert (rows["Kitchen"].rollup.start, rows["Kitchen"].rollup.end) == (day(0), day(8))
    assert (overall.start, overall.end) == (day(0), day(8))


def test_status_follows_the_work_below_unless_on_hold(project):
    rows, _ = rows_by_title(project)
    assert rows["Bathroom"].rollup.status == WorkStatus.DONE
    assert rows["Plumbing"].rollup.status == WorkStatus.IN_PROGRESS
    assert rows["Tiling"].rollup.status == WorkStatus.IN_PROGRESS
    tiling = rows["Tiling"].item
    wbs_tree.wbs_item_update(item=tiling, status=WorkStatus.ON_HOLD)
    rows, _ = rows_by_title(project)
    assert rows["Tiling"].rollup.status_label == "On hold"


def test_an_item_without_tasks_says_so():
    project = Project.objects.create(name="Empty")
    wbs_tree.wbs_item_create(project=project, title="Garden")
    rows, overall = rows_by_title(project)
    assert rows["Garden"].rollup.progress is None
    assert rows["Garden"].rollup.explanation == "No tasks yet"
    assert overall.percent == 0


def test_the_list_page_rollups_match_the_tree_page(project, django_assert_num_queries):
    other = Project.objects.create(name="Winter maintenance")
    with django_assert_num_queries(2):
        rollups = project_rollups([project, other])
    assert rollups[project.pk].explanation == project_tree(project).rollup.explanation
    assert rollups[other.pk].task_count == 0


def test_the_database_sums_match_the_python_reference(project):
    from dataclasses import asdict

    from django.utils import timezone

    from wbs.queries import item_task_totals
    from wbs.rollups import totals_from_tasks

    Task.objects.create(title="Late", wbs_item=WbsItem.objects.get(title="Bathroom"), due_date=day(-400), progress=130)
    Task.objects.create(title="Stuck", wbs_item=WbsItem.objects.get(title="Tiling"), status=TaskStatus.BLOCKED)
    tiling = WbsItem.objects.get(title="Tiling")
    Task.objects.create(title="Backwards", wbs_item=tiling, start_date=day(9), due_date=day(2))
    rows = Task.objects.filter(wbs_item__project=project).values_list(
        "wbs_item_id", "status", "progress", "start_date", "due_date", named=True
    )
    expected = totals_from_tasks(rows, today=timezone.localdate())
    got = item_task_totals([project.pk])
    assert got.keys() == expected.keys()
    for item_id, totals in expected.items():
        assert asdict(got[item_id]) == pytest.approx(asdict(totals)), item_id


@pytest.mark.parametrize("method", [RollupMethod.COUNT, RollupMethod.DURATION, RollupMethod.WEIGHT])
def test_the_paged_tree_sums_subtrees_as_the_whole_tree_does(project, method):
    from wbs.queries.projects import tree_page

    project.rollup_method = method
    project.save()
    wbs_tree.wbs_item_update(item=WbsItem.objects.get(title="Tiling"), planned_start=day(-3), planned_end=day(40))
    wbs_tree.wbs_item_create(project=project, title="Grout", parent=WbsItem.objects.get(title="Tiling"))
    whole = project_tree(project)
    every_item = set(WbsItem.objects.values_list("pk", flat=True))
    paged = tree_page(project, size=10, open_ids=every_item)
    expected = {row.item.pk: (row.rollup, row.own_tasks) for row in whole.rows}
    got = {row.item.pk: (row.rollup, row.own_tasks) for row in paged.page.rows}
    assert got.keys() == expected.keys()
    for pk, (rollup, own_tasks) in got.items():
        assert (rollup.explanation, rollup.start, rollup.end, rollup.status, own_tasks) == (
            expected[pk][0].explanation,
            expected[pk][0].start,
            expected[pk][0].end,
            expected[pk][0].status,
            expected[pk][1],
        )
        assert (rollup.late_count, rollup.blocked_count, rollup.task_count) == (
            expected[pk][0].late_count,
            expected[pk][0].blocked_count,
            expected[pk][0].task_count,
        )
    assert paged.rollup.explanation == whole.rollup.explanation
    assert (paged.rollup.start, paged.rollup.end) == (whole.rollup.start, whole.rollup.end)
    assert (paged.top_count, paged.item_count) == (2, 5)
