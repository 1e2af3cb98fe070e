"""Gantt stubs: links whose other task is off the chart (another date window, page of rows, or filter)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import MONDAY, link, make_project, make_property, make_task, make_tasks
from wbs.gantt.layout import (
    ROW_HEIGHT,
    STUB_LANE,
    ZOOMS,
    Bar,
    StubGeometry,
    Window,
    fit_label,
    layout_bar,
    stub_geometry,
)
from wbs.models import DependencyType, Task, TaskDependency

GANTT = reverse("wbs:gantt")
WINDOW = {"start": MONDAY.isoformat(), "zoom": "day"}  # 14 days at 72 px: 2 to 15 November 2026
ROW_Y = 100
CY = ROW_Y + ROW_HEIGHT // 2
LANE = ROW_Y + STUB_LANE
WIDTH = 14 * 72


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def bar(start: int, due: int) -> Bar:
    """The bar the chart draws for a task from day `start` to day `due` of the day-zoom window."""
    window = Window(ZOOMS["day"], MONDAY, 14)
    return layout_bar(window, Task(title="Drawn", start_date=day(start), due_date=day(due)), ROW_Y, frozenset())


def geometry(drawn: Bar, kind: str = DependencyType.FS, *, incoming: bool, side: str) -> StubGeometry:
    return stub_geometry(drawn, ROW_Y, kind=kind, incoming=incoming, side=side, width=WIDTH)


# Geometry: a bar from day 2 to day 3 spans x 144 to 288 in the day zoom.


def test_an_earlier_predecessor_comes_in_from_the_left_edge_to_the_start():
    stub = geometry(bar(2, 3), incoming=True, side="left")

    assert stub.path == f"M0,{CY} H144"
    assert (stub.label_x, stub.label_anchor) == (4, "start")
    assert stub.label_room == 144 - 8 - 4


def test_a_later_successor_leaves_the_end_for_the_right_edge():
    stub = geometry(bar(2, 3), incoming=False, side="right")

    assert stub.path == f"M288,{CY} H{WIDTH}"
    assert (stub.label_x, stub.label_anchor) == (WIDTH - 4, "end")


def test_a_finish_to_finish_from_the_left_goes_round_above_the_bar_to_the_end():
    stub = geometry(bar(2, 3), DependencyType.FF, incoming=True, side="left")

    assert stub.path == f"M0,{LANE} H296 V{CY} H288"


def test_a_start_to_start_successor_after_the_window_leaves_the_start_and_goes_round():
    stub = geometry(bar(2, 3), DependencyType.SS, incoming=False, side="right")

    assert stub.path == f"M144,{CY} H136 V{LANE} H{WIDTH}"


def test_a_bar_running_into_the_edge_gets_a_short_arrow_along_the_lane_and_no_label():
    # Starts before the window: its start anchor is the left edge itself.
    drawn = bar(-3, 1)

    stub = geometry(drawn, incoming=True, side="left")

    assert stub.path == f"M0,{LANE} H14"
    assert stub.label_room == 0


def test_rows_on_other_pages_get_a_short_hook_to_the_top_or_bottom_of_the_row():
    top = geometry(bar(2, 3), incoming=True, side="top")
    bottom = geometry(bar(2, 3), incoming=False, side="bottom")

    assert top.path == f"M136,{LANE} V{CY} H144"
    assert bottom.path == f"M288,{CY} H296 V{ROW_Y + ROW_HEIGHT - STUB_LANE}"
    assert (top.label_x, top.label_anchor) == (132, "end")
    assert (bottom.label_x, bottom.label_anchor) == (300, "start")


def test_labels_are_cut_to_the_room_and_left_out_when_too_little_would_show():
    assert fit_label("Demolish old kitchen", 300) == "Demolish old kitchen"
    assert fit_label("Demolish old kitchen", 60) == "Demolish…"
    assert fit_label("Demolish old kitchen", 30) == ""


# The chart


def stubs_of(html: str) -> list[str]:
    return [part.split("</a>")[0] for part in html.split('<a class="gantt-stub')[1:]]


@pytest.mark.django_db
def test_it_draws_stubs_to_the_left_and_right_edges_for_tasks_outside_the_window(manager_client):
    before = make_task("Order tiles", start_date=day(-10), due_date=day(-8))
    drawn = make_task("Tile the floor", start_date=day(2), due_date=day(3))
    after = make_task("Seal the grout", start_date=day(30), due_date=day(31))
    link(before, drawn)
    link(drawn, after, lag=2)

    html = manager_client.get(GANTT, WINDOW).content.decode()

    left, right = stubs_of(html)
    assert "gantt-stub-left" in left and "← Order tiles" in left
    assert "Waits for “Order tiles” (23 Oct → 25 Oct), FS: before this window" in left
    # The link opens the window that shows the other task (day zoom: from its start) and marks it there.
    assert f"?zoom=day&amp;start=2026-10-23&amp;focus={before.pk}" in left
    assert "gantt-stub-right" in right and "Comes before “Seal the grout” (2 Dec → 3 Dec), FS +2 working days" in right
    assert 'data-from="' not in html  # no arrow between drawn tasks


@pytest.mark.django_db
def test_it_draws_stubs_up_and_down_for_rows_on_other_pages(manager_client, settings):
    settings.GANTT_MAX_ROWS = 10
    tasks = make_tasks(30, start_date=day(1), due_date=day(2))
    link(tasks[2], tasks[15])  # page 1 → page 2
    link(tasks[15], tasks[25])  # page 2 → page 3

    html = manager_client.get(GANTT, WINDOW | {"page": 2}).content.decode()

    up, down = stubs_of(html)
    assert "gantt-stub-top" in up and "↑ Task 2" in up and "on an earlier page" in up
    assert "gantt-stub-bottom" in down and "↓ Task 25" in down and "on a later page" in down
    assert f"focus={tasks[2].pk}" in up and "start=" in up  # the same window; the page is found on the way


@pytest.mark.django_db
def test_a_task_hidden_by_the_filters_links_to_its_own_page(manager_client):
    beach, city = make_property("Beach House"), make_property("City Flat")
    hidden = make_task("Clean city", property=city, start_date=day(1), due_date=day(1))
    drawn = make_task("Clean beach", property=beach, start_date=day(2), due_date=day(2))
    link(hidden, drawn)

    html = manager_client.get(GANTT, WINDOW | {"property": beach.pk}).content.decode()

    (stub,) = stubs_of(html)
    assert "hidden by the filters" in stub
    assert f'href="{hidden.get_absolute_url()}"' in stub


@pytest.mark.django_db
def test_undated_and_deleted_tasks(manager_client):
    drawn = make_task("Tile", start_date=day(2), due_date=day(3))
    undated = make_task("Buy grout")
    gone = make_task("Old step", start_date=day(4), due_date=day(4))
    link(undated, drawn)
    link(drawn, gone)
    Task.objects.filter(pk=gone.pk).update(deleted_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))

    html = manager_client.get(GANTT, WINDOW).content.decode()

    (stub,) = stubs_of(html)
    assert "Waits for “Buy grout” (? → ?), FS: has no dates" in stub
    assert f'href="{undated.get_absolute_url()}"' in stub


@pytest.mark.django_db
@pytest.mark.parametrize("size", [40, 400])
def test_stubs_add_no_queries_whatever_the_number_of_tasks(manager_client, django_assert_num_queries, settings, size):
    settings.GANTT_MAX_ROWS = 10
    _, kitchen, _ = make_project()
    tasks = make_tasks(size, wbs_item=kitchen, start_date=day(1), due_date=day(3))
    early = make_tasks(size // 4, start_date=day(-20), due_date=day(-19))
    TaskDependency.objects.bulk_create(
        [TaskDependency(predecessor=before, successor=after) for before, after in zip(tasks, tasks[7:], strict=False)]
        + [
            TaskDependency(predecessor=before, successor=after)
            for before, after in zip(early, tasks[10:], strict=False)
        ]
    )

    # session, user, roles, filter choices (4: projects, properties, assignees, tags), the page with its row
    # count, holidays, plan version and graph (2), links with both ends' details
    with django_assert_num_queries(13):
        html = manager_client.get(GANTT, WINDOW | {"page": 2}).content.decode()
    assert "gantt-stub-left" in html and "gantt-stub-top" in html and "gantt-stub-bottom" in html


# Following a stub


@pytest.mark.django_db
def test_following_a_stub_opens_the_page_that_holds_the_task_and_marks_it(manager_client, settings):
    settings.GANTT_MAX_ROWS = 10
    tasks = make_tasks(30, start_date=day(1), due_date=day(2))

    response = manager_client.get(GANTT, WINDOW | {"focus": tasks[25].pk, "page": 1})

    assert response.status_code == 302
    assert response["Location"] == f"{GANTT}?start=2026-11-02&zoom=day&page=3#gantt-task-{tasks[25].pk}"
    html = manager_client.get(response["Location"]).content.decode()
    assert f'id="gantt-task-{tasks[25].pk}"' in html


@pytest.mark.django_db
def test_following_a_stub_from_htmx_navigates_the_whole_page(manager_client, htmx_headers):
    task = make_task("Tile", start_date=day(1), due_date=day(2))

    response = manager_client.get(GANTT, WINDOW | {"focus": task.pk}, headers=htmx_headers)

    assert response["HX-Redirect"].endswith(f"page=1#gantt-task-{task.pk}")


@pytest.mark.django_db
def test_a_task_no_longer_in_the_window_opens_its_task_page(manager_client):
    task = make_task("Tile", start_date=day(40), due_date=day(41))

    response = manager_client.get(GANTT, WINDOW | {"focus": task.pk})

    assert response["Location"] == task.get_absolute_url()


@pytest.mark.django_db
def test_a_focus_that_is_not_a_task_just_shows_the_chart(manager_client):
    response = manager_client.get(GANTT, WINDOW | {"focus": "nope"})

    assert response["Location"] == f"{GANTT}?start=2026-11-02&zoom=day"


@pytest.mark.django_db
def test_cleaners_cannot_follow_stubs(cleaner_client):
    assert cleaner_client.get(GANTT, {"focus": 1}).status_code == 403
