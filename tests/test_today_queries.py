"""Today's reads: open problem reports first, then overdue or unassigned work, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_cleaning_task, make_property, make_task
from tests.photo_files import jpeg_bytes, upload
from wbs.models import TaskStatus
from wbs.queries.today import needs_attention, open_problems, today_summary
from wbs.services.photos import prepare_photo
from wbs.services.problems import problem_report
from wbs.services.tasks import task_set_status

pytestmark = pytest.mark.django_db
URL = "/today/"


def report_problem(cleaner, prop, text, *, photo=False):
    task = make_cleaning_task(assignee=cleaner, property=prop, title=f"Clean {prop.name}")
    prepared = prepare_photo(upload(jpeg_bytes())) if photo else None
    return problem_report(task=task, user=cleaner, text=text, photo=prepared).maintenance_task


def build(cleaner, manager, *, size: int, first: int = 0):
    today = timezone.localdate()
    for number in range(first, first + size):
        prop = make_property(f"Villa {number}", code=f"V{number}")
        report_problem(cleaner, prop, f"Broken tap {number}", photo=number % 2 == 0)
        make_task(f"Late {number}", property=prop, assignee=cleaner, due_date=today - datetime.timedelta(days=2))
        make_task(f"Nobody {number}", property=prop, due_date=today + datetime.timedelta(days=3))


def test_problems_nobody_owns_come_first_then_the_newest(cleaner, manager):
    prop = make_property("Sea View")
    first = report_problem(cleaner, prop, "Old and owned")
    first.assignee = manager
    first.save()
    second = report_problem(cleaner, prop, "Old and unowned")
    third = report_problem(cleaner, prop, "New and unowned")

    assert list(open_problems()) == [third, second, first]


def test_a_finished_problem_leaves_the_list(cleaner, manager):
    task = report_problem(cleaner, make_property("Sea View"), "Fixed already")
    task_set_status(task=task, status=TaskStatus.DONE, user=manager)

    assert list(open_problems()) == []


def test_attention_holds_overdue_and_unassigned_work_and_nothing_else(cleaner, manager):
    today = timezone.localdate()
    prop = make_property("Sea View")
    late = make_task("Late and assigned", property=prop, assignee=cleaner, due_date=today - datetime.timedelta(days=1))
    unowned = make_task("Unassigned soon", property=prop, due_date=today + datetime.timedelta(days=2))
    make_task("Assigned soon", property=prop, assignee=cleaner, due_date=today + datetime.timedelta(days=2))
    make_task("Unassigned far off", property=prop, due_date=today + datetime.timedelta(days=60))
    make_task("Unassigned, no date", property=prop)
    make_task("Late but done", property=prop, status=TaskStatus.DONE, due_date=today - datetime.timedelta(days=1))
    report_problem(cleaner, prop, "A problem has its own list")

    assert list(needs_attention(today, lookahead_end=today + datetime.timedelta(days=13))) == [late, unowned]


def test_the_summary_counts_what_it_lists(cleaner, manager):
    build(cleaner, manager, size=3)

    summary = today_summary(timezone.localdate(), lookahead_days=14)

    assert (summary["problem_count"], summary["unowned_problem_count"], summary["attention_count"]) == (3, 3, 6)
    assert [task.title for task in summary["problems"]][0].endswith("Broken tap 2")
    assert sum(len(task.photo_list) for task in summary["problems"]) == 2


@pytest.mark.parametrize("sizes", [(2, 12)])
def test_the_summary_runs_the_same_queries_for_few_and_many(cleaner, manager, django_assert_num_queries, sizes):
    small, large = sizes
    build(cleaner, manager, size=small)
    with CaptureQueriesContext(connection) as few:
        today_summary(timezone.localdate(), lookahead_days=14)
    build(cleaner, manager, size=large - small, first=small)
    with django_assert_num_queries(len(few.captured_queries)):
        summary = today_summary(timezone.localdate(), lookahead_days=14)
    assert summary["problem_count"] == large
    assert len(few.captured_queries) <= 10


def test_the_polled_part_runs_the_same_queries_for_few_and_many(
    manager_client, cleaner, manager, htmx_headers, django_assert_num_queries
):
    build(cleaner, manager, size=2)
    manager_client.get(URL, headers=htmx_headers)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        response = manager_client.get(URL, headers=htmx_headers)
    build(cleaner, manager, size=10, first=2)
    with django_assert_num_queries(len(few.captured_queries)):
        response = manager_client.get(URL, headers=htmx_headers)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="today-live"')
    assert "<h1>" not in content
    assert len(few.captured_queries) <= 14
