"""The Gantt page (/gantt/): window, zoom, rows and groups, bars, arrows, occupancy, critical path, paging."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    MONDAY,
    link,
    make_booking,
    make_chain,
    make_project,
    make_property,
    make_task,
    make_tasks,
)
from wbs.models import DependencyType, Task, TaskDependency

pytestmark = pytest.mark.django_db
GANTT = reverse("wbs:gantt")
WINDOW = {"start": MONDAY.isoformat(), "zoom": "week"}


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _cold_cache():
    cache.clear()


def test_it_sends_anonymous_users_to_sign_in(client):
    assert client.get(GANTT)["Location"].startswith(reverse("login"))


def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(GANTT).status_code == 403


def test_it_groups_rows_by_property_then_project_and_wbs_item(manager_client):
    project, kitchen, plumbing = make_project("Renovate Beach House")
    beach = make_property("Beach House")
    make_task("Replace pipes", wbs_item=plumbing, start_date=day(1), due_date=day(3))
    make_task("Choose cabinets", wbs_item=kitchen, start_date=day(0), due_date=day(1))
    make_task("Clean after Ana", property=beach, start_date=day(4), due_date=day(4))
    make_task("Order soap", start_date=day(2), due_date=day(2))

    page = manager_client.get(GANTT, WINDOW).content.decode()
    html = page[page.index('class="gantt-labels"') : page.index('class="gantt-scroll"')]

    order = [
        "<span>Beach House</span>",
        "Clean after Ana",
        "<span>Renovate Beach House</span>",
        '<span class="gantt-code">1</span>',
        "Choose cabinets",
        '<span class="gantt-code">1.1</span>',
        "Replace pipes",
        "Other tasks",
        "Order soap",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)


def test_it_draws_bars_with_progress_milestones_and_the_today_line(manager_client):
    make_task("Tile", start_date=day(0), due_date=day(4), progress=50)
    make_task("Handover", start_date=day(4), due_date=day(4), is_milestone=True)

    html = manager_client.get(GANTT, WINDOW | {"zoom": "day"}).content.decode()

    # Day zoom: 72 px a day, so a Monday-to-Friday bar is 360 px wide and half of it is filled.
    assert 'x="0" y="' in html and 'width="360" height="18"' in html
    assert 'class="gantt-progress" x="0"' in html and 'width="180" height="18"' in html
    assert 'class="gantt-milestone' in html
    make_task("Now", start_date=timezone.localdate(), due_date=timezone.localdate())
    today = manager_client.get(GANTT, {"zoom": "week"}).content.decode()
    assert 'class="gantt-today"' in today


def test_it_only_loads_tasks_with_dates_in_the_window(manager_client):
    make_task("In the window", start_date=day(3), due_date=day(5))
    make_task("Across the start", start_date=day(-10), due_date=day(1))
    make_task("Only a due date", due_date=day(2))
    make_task("Long before", start_date=day(-30), due_date=day(-20))
    make_task("Long after", start_date=day(100), due_date=day(101))
    make_task("No dates")

    html = manager_client.get(GANTT, WINDOW).content.decode()

    assert "In the window" in html and "Across the start" in html and "Only a due date" in html
    assert "Long before" not in html and "Long after" not in html and "No dates" not in html


@pytest.mark.parametrize(
    # Each draws the days that fill a 1,440 px screen's frame (FRAME_WIDTH): a day more, three, nine.
    ("zoom", "days", "label"),
    [("day", 15, "Mon 2"), ("week", 45, "2 Nov"), ("month", 135, "November 2026")],
)
def test_it_zooms_by_day_week_and_month(manager_client, zoom, days, label):
    make_task("Tile", start_date=day(0), due_date=day(1))

    html = manager_client.get(GANTT, {"start": MONDAY.isoformat(), "zoom": zoom}).content.decode()

    end = MONDAY + datetime.timedelta(days=days - 1)
    assert f"{end.day} {end:%b %Y}" in html
    assert f">{label}</text>" in html


def test_it_navigates_to_the_next_window_keeping_zoom_and_filters(manager_client):
    beach = make_property("Beach House")
    html = manager_client.get(GANTT, WINDOW | {"property": beach.pk}).content.decode()
    assert f"start=2026-12-14&amp;zoom=week&amp;property={beach.pk}" in html
    assert f"start=2026-09-21&amp;zoom=week&amp;property={beach.pk}" in html


def test_it_draws_an_arrow_per_dependency_type(manager_client):
    tasks = [make_task(f"T{number}", start_date=day(number), due_date=day(number)) for number in range(5)]
    for kind, (before, after) in zip(DependencyType.values, itertools.pairwise(tasks), strict=False):
        link(before, after, kind)

    html = manager_client.get(GANTT, WINDOW).content.decode()

    for kind in DependencyType.values:
        assert f"gantt-arrow gantt-arrow-{kind}" in html
    assert f'data-from="{tasks[0].pk}" data-to="{tasks[1].pk}"' in html


def test_it_highlights_the_critical_path(manager_client):
    first, second = make_chain(2)
    make_task("Slack", start_date=day(0), due_date=day(0))
    link(make_task("Early", start_date=day(0), due_date=day(0)), second)

    html = manager_client.get(GANTT, WINDOW).content.decode()

    # "Early" finishes the day before "Step 1" starts: no slack either. "Slack" is linked to nothing.
    assert html.count('class="gantt-bar gantt-status-todo gantt-critical"') == 3
    assert "critical path (3 here)" in html
    assert 'class="gantt-bar gantt-status-todo" x="' in html
    assert "gantt-arrow gantt-arrow-FS is-critical" in html


def test_it_shows_bookings_as_an_occupancy_strip_above_the_property_tasks(manager_client):
    beach = make_property("Beach House")
    make_task("Clean after Ana", property=beach, start_date=day(3), due_date=day(3))
    make_booking(beach, day(0), nights=3, guest_name="Ana Lima")
    make_booking(beach, day(200), guest_name="Far Future")

    html = manager_client.get(GANTT, WINDOW | {"zoom": "day"}).content.decode()

    assert 'class="gantt-booking"><rect x="0" y="51" width="216"' in html  # three nights at 72 px
    assert "Ana Lima" in html and "Far Future" not in html


def test_it_filters_like_the_board(manager_client):
    beach, city = make_property("Beach House"), make_property("City Flat")
    make_task("Clean beach", property=beach, start_date=day(1), due_date=day(1))
    make_task("Clean city", property=city, start_date=day(1), due_date=day(1))

    html = manager_client.get(GANTT, WINDOW | {"property": city.pk}).content.decode()

    assert "Clean city" in html and "Clean beach" not in html


def test_it_answers_htmx_with_the_chart_fragment(manager_client, htmx_headers):
    make_task("Tile", start_date=day(0), due_date=day(1))

    html = manager_client.get(GANTT, WINDOW, headers=htmx_headers).content.decode()

    assert html.lstrip().startswith('<div id="gantt"')
    assert "<html" not in html


def test_it_pages_rows_beyond_the_maximum(manager_client, settings):
    settings.GANTT_MAX_ROWS = 10
    make_tasks(25, start_date=day(1), due_date=day(2))

    first = manager_client.get(GANTT, WINDOW).content.decode()
    last = manager_client.get(GANTT, WINDOW | {"page": 3}).content.decode()

    assert first.count('class="gantt-item"') == 10
    assert last.count('class="gantt-item"') == 5
    assert "Page 1 of 3" in first


@pytest.mark.parametrize("size", [60, 600])
def test_it_runs_the_same_queries_whatever_the_number_of_tasks(manager_client, django_assert_num_queries, size):
    _, kitchen, _ = make_project()
    beach = make_property("Beach House")
    # A tenth in a project and the rest at a property, so the first page has both kinds of group.
    tasks = make_tasks(size // 10, wbs_item=kitchen, start_date=day(1), due_date=day(3))
    tasks += make_tasks(size - size // 10, property=beach, start_date=day(2), due_date=day(2))
    TaskDependency.objects.bulk_create(
        [TaskDependency(predecessor=before, successor=after) for before, after in itertools.pairwise(tasks)]
        + [TaskDependency(predecessor=before, successor=after) for before, after in zip(tasks, tasks[2:], strict=False)]
    )
    make_booking(beach, day(0))

    # session, user, roles, filter choices (4: projects, properties, assignees, tags), the page with its row
    # count, holidays, plan version and graph (2), arrows, bookings
    with django_assert_num_queries(14):
        response = manager_client.get(GANTT, WINDOW)
    assert response.status_code == 200
    assert Task.objects.count() == size
