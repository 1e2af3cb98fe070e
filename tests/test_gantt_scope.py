"""The Gantt's work scope (project work by default) and project filter, the stay labels and the shortcut list."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import MONDAY, make_booking, make_project, make_property, make_task, make_tasks

pytestmark = pytest.mark.django_db
GANTT = reverse("wbs:gantt")
WINDOW = {"start": MONDAY.isoformat(), "zoom": "week"}


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture
def plan():
    beach = make_property("Beach House")
    booking = make_booking(beach, day(0), nights=4, guest_name="Ana Silva")
    _, kitchen, _ = make_project("Renovate Beach House")
    winter, boiler, _ = make_project("Winter maintenance")
    make_task("Fit kitchen", wbs_item=kitchen, start_date=day(1), due_date=day(3))
    make_task("Service boiler", wbs_item=boiler, start_date=day(2), due_date=day(2))
    make_task("Clean after Ana", property=beach, booking=booking, start_date=day(4), due_date=day(4))
    return winter


def test_it_opens_on_project_work(manager_client, plan):
    html = manager_client.get(GANTT, WINDOW).content.decode()

    assert ">Fit kitchen</a>" in html and ">Service boiler</a>" in html
    assert "Clean after Ana" not in html


def test_turnovers_are_a_view_of_their_own(manager_client, plan):
    html = manager_client.get(GANTT, WINDOW | {"work": "turnover"}).content.decode()

    assert ">Clean after Ana</a>" in html and "Fit kitchen" not in html
    # The stay's guest is named inside its strip (four nights at 24 px a day have room for "Ana Silva").
    assert 'class="is-inside"' in html and ">Ana Silva</text>" in html


def test_it_filters_by_project(manager_client, plan):
    html = manager_client.get(GANTT, WINDOW | {"project": plan.pk}).content.decode()

    assert ">Service boiler</a>" in html and "Fit kitchen" not in html
    # Every link the chart writes keeps the filter.
    assert f"zoom=week&amp;project={plan.pk}" in html


def test_the_chart_is_drawn_to_fill_its_frame(manager_client, plan):
    html = manager_client.get(GANTT, WINDOW).content.decode()

    assert 'width="1080"' in html and 'preserveAspectRatio="none"' in html
    assert "min-width: 1047px; max-width: 1112px" in html


def test_the_shortcut_list_names_the_keys_the_page_marks(manager_client, plan):
    html = manager_client.get(GANTT, WINDOW).content.decode()

    for key in ("[", "]", ".", "d", "w", "m", "p", "t", "a", "b"):
        assert f"<kbd>{key}</kbd>" in html
        assert f'data-shortcut="{key}"' in html


@pytest.mark.parametrize("size", [60, 600])
def test_a_project_filter_runs_the_same_queries_whatever_the_number_of_tasks(
    manager_client, django_assert_num_queries, size
):
    project, kitchen, _ = make_project()
    beach = make_property("Beach House")
    make_tasks(size // 2, wbs_item=kitchen, start_date=day(1), due_date=day(3))
    make_tasks(size // 2, property=beach, start_date=day(2), due_date=day(2))

    # As the unfiltered chart (tests/test_gantt.py): session, user, roles, filter choices (4), the page with its
    # row count, holidays, plan version and graph (2), links, bookings; the project is one more condition.
    with django_assert_num_queries(14):
        response = manager_client.get(GANTT, WINDOW | {"project": project.pk})
    assert response.status_code == 200
