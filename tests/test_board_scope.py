"""The board's work scope (project work by default, turnovers of the coming days, all), its project filter and
quick-add of a card in a column."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from tests.factories import make_booking, make_project, make_property, make_task, make_tasks
from wbs.models import Task, TaskStatus, TaskType

pytestmark = pytest.mark.django_db
BOARD = reverse("wbs:board")
ADD = reverse("wbs:board_add")


def days(number: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=number)


@pytest.fixture
def work():
    """A project task, a property task of no booking, and turnovers: soon, later, overdue open, done last week."""
    beach = make_property("Beach House")
    booking = make_booking(beach, days(-10), nights=30)
    _, kitchen, _ = make_project()
    make_task("Fit kitchen", wbs_item=kitchen, due_date=days(20))
    make_task("Fix the gate", property=beach)
    make_task("Clean soon", property=beach, booking=booking, due_date=days(2))
    make_task("Clean in a month", property=beach, booking=booking, due_date=days(30))
    make_task("Clean missed", property=beach, booking=booking, due_date=days(-2))
    make_task("Clean last week", property=beach, booking=booking, due_date=days(-7), status=TaskStatus.DONE)
    return beach


def titles(html: str) -> set[str]:
    every = {"Fit kitchen", "Fix the gate", "Clean soon", "Clean in a month", "Clean missed", "Clean last week"}
    return {title for title in every if f">{title}</a>" in html}


def test_it_opens_on_project_work(manager_client, work):
    html = manager_client.get(BOARD).content.decode()

    assert titles(html) == {"Fit kitchen", "Fix the gate"}
    # The switch shows the default chosen.
    assert re.search(r'<input type="radio" name="work" value="project"[^>]* checked', html)


def test_turnovers_are_the_coming_days_and_the_open_ones_missed(manager_client, work, settings):
    settings.BOARD_TURNOVER_DAYS = 7

    html = manager_client.get(BOARD, {"work": "turnover"}).content.decode()

    assert titles(html) == {"Clean soon", "Clean missed"}
    assert "Next 7 days" in html


def test_all_turnovers_when_asked(manager_client, work):
    html = manager_client.get(BOARD, {"work": "turnover", "turnovers": "all"}).content.decode()

    assert titles(html) == {"Clean soon", "Clean in a month", "Clean missed", "Clean last week"}


def test_all_work_keeps_the_turnover_horizon(manager_client, work):
    html = manager_client.get(BOARD, {"work": "all"}).content.decode()

    assert titles(html) == {"Fit kitchen", "Fix the gate", "Clean soon", "Clean missed"}


def test_an_unknown_scope_is_a_filter_error(manager_client, work):
    response = manager_client.get(BOARD, {"work": "everything"})

    assert response.status_code == 400
    assert "Check the filters" in response.content.decode()


def test_it_filters_by_project(manager_client, work):
    other, item, _ = make_project("Winter maintenance")
    make_task("Bleed radiators", wbs_item=item)

    html = manager_client.get(BOARD, {"project": other.pk}).content.decode()

    assert "Bleed radiators" in html and "Fit kitchen" not in html


def test_load_more_keeps_the_scope(manager_client, work, settings, htmx_headers):
    settings.BOARD_COLUMN_PAGE_SIZE = 1
    beach = Task.objects.get(title="Clean soon").property
    booking = Task.objects.get(title="Clean soon").booking
    make_task("Clean sooner", property=beach, booking=booking, due_date=days(1))

    html = manager_client.get(BOARD, {"work": "turnover"}).content.decode()
    assert "work=turnover" in html and "board-more" in html


@pytest.mark.parametrize("size", [40, 400])
def test_the_turnover_view_runs_the_same_queries_whatever_the_number_of_tasks(
    manager_client, django_assert_num_queries, size
):
    beach = make_property("Beach House")
    booking = make_booking(beach, days(-3), nights=10)
    make_tasks(size // 2, property=beach, booking=booking, due_date=days(1))
    make_tasks(size // 2, property=beach, booking=booking, due_date=days(40))
    make_tasks(size // 4)

    # session, user, roles, filter choices (projects, properties, assignees, tags), counts, totals, limits,
    # the first ids of each of the five columns, cards, tags, blockers
    with django_assert_num_queries(18):
        response = manager_client.get(BOARD, {"work": "turnover"})
    assert response.status_code == 200


# --- Quick-add ---


def test_it_adds_a_card_at_the_top_of_its_column(manager_client, htmx_headers):
    make_tasks(3, statuses=[TaskStatus.IN_PROGRESS])

    response = manager_client.post(ADD, {"title": "  Order tiles ", "status": "in_progress"}, headers=htmx_headers)

    html = response.content.decode()
    task = Task.objects.get(title="Order tiles")
    assert response.status_code == 200
    assert task.status == TaskStatus.IN_PROGRESS and task.started_at is not None
    assert task.position < min(Task.objects.exclude(pk=task.pk).values_list("position", flat=True))
    assert 'id="board"' in html and f'id="card-{task.pk}" class="board-card board-priority-2 is-new"' in html
    # The column's form stays open for the next card.
    assert 'id="add-in_progress" name="title"' in html and "autofocus" in html
    assert AuditEntry.objects.filter(object_id=str(task.pk), action="create").exists()


def test_a_card_added_in_a_filtered_board_gets_the_filters_project_property_and_assignee(manager_client, cleaner):
    project, kitchen, _ = make_project()
    beach = make_property("Beach House")
    query = f"?project={project.pk}&property={beach.pk}&assignee={cleaner.pk}"

    response = manager_client.post(ADD + query, {"title": "Seal the sink", "status": "todo"})

    task = Task.objects.get(title="Seal the sink")
    assert response.status_code == 302 and response["Location"] == BOARD + query
    assert (task.wbs_item, task.property, task.assignee, task.type) == (kitchen, beach, cleaner, TaskType.PROJECT_WORK)


def test_a_card_cannot_be_added_to_a_project_without_items(manager_client):
    from wbs.models import Project

    empty = Project.objects.create(name="Empty")

    response = manager_client.post(ADD + f"?project={empty.pk}", {"title": "Nothing", "status": "todo"})

    assert response.status_code == 400
    assert not Task.objects.filter(title="Nothing").exists()


@pytest.mark.parametrize(
    "data", [{"title": "", "status": "todo"}, {"title": "Done already", "status": "done"}, {"title": "x" * 201}]
)
def test_quick_add_refuses_what_it_cannot_use_and_writes_nothing(manager_client, data):
    response = manager_client.post(ADD, data)

    assert response.status_code == 400
    assert not Task.objects.exists()


def test_cleaners_cannot_add_cards(cleaner_client):
    assert cleaner_client.post(ADD, {"title": "Sneaky", "status": "todo"}).status_code == 403
    assert not Task.objects.exists()


def test_a_card_added_in_a_swimlane_joins_that_lane(manager_client, htmx_headers, cleaner):
    beach, city = make_property("Beach House"), make_property("City Flat")
    make_task("Fix the gate", property=beach)
    make_task("Paint the door", property=city)

    response = manager_client.post(
        ADD + "?lane=property", {"title": "Oil the hinges", "status": "todo", "lane_id": city.pk}, headers=htmx_headers
    )

    html = response.content.decode()
    assert Task.objects.get(title="Oil the hinges").property == city
    assert f'id="add-lane-todo-{city.pk}"' in html and f'id="add-lane-todo-{beach.pk}"' in html
    assert html.count("autofocus") == 1
    # The lane of tasks without an assignee takes the card without one.
    manager_client.post(ADD + "?lane=assignee", {"title": "Nobody's yet", "status": "todo", "lane_id": "none"})
    assert Task.objects.get(title="Nobody's yet").assignee is None


def test_quick_add_refuses_a_lane_that_is_not_an_id(manager_client):
    response = manager_client.post(ADD + "?lane=property", {"title": "X", "status": "todo", "lane_id": "-1"})

    assert response.status_code == 400
    assert not Task.objects.filter(title="X").exists()
