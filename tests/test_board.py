"""The board page (/board/): columns, cards, filters, swimlanes, load-more, access and query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.softdelete import soft_delete
from tests.factories import link, make_property, make_tag, make_task, make_tasks
from wbs.models import BoardColumn, DependencyType, Priority, TaskStatus

pytestmark = pytest.mark.django_db
BOARD = reverse("wbs:board")


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(BOARD).status_code == 403


def test_it_shows_a_column_per_status_with_cards(manager_client, cleaner):
    beach = make_property("Beach House")
    tag = make_tag("kitchen")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    task = make_task(
        "Fix the sink", property=beach, assignee=cleaner, due_date=yesterday, priority=Priority.URGENT, position=1
    )
    task.tags.add(tag)
    make_task("Paint the door", status=TaskStatus.DONE, due_date=yesterday)

    response = manager_client.get(BOARD)

    html = response.content.decode()
    assert response.status_code == 200
    for label in TaskStatus.labels:
        assert f"<h3>{label}</h3>" in html
    assert "Fix the sink" in html and "Beach House" in html and "kitchen" in html
    assert ">CL</span>" in html  # Carla Lopes's initials
    assert "Urgent" in html
    # Overdue only while the task is open.
    assert html.count("is-overdue") == 1


def test_it_shows_the_blocked_by_badge_for_open_finish_to_start_predecessors(manager_client):
    grout = make_task("Grout")
    seal = make_task("Seal")
    paint = make_task("Paint", status=TaskStatus.DONE)
    link(grout, seal)
    link(paint, seal)
    link(grout, paint, DependencyType.SS)

    html = manager_client.get(BOARD).content.decode()

    assert "Blocked by 1" in html
    assert "Waiting for: Grout" in html


def test_a_deleted_predecessor_blocks_nothing(manager_client, manager):
    grout = make_task("Grout")
    seal = make_task("Seal")
    link(grout, seal)
    soft_delete(grout, user=manager)

    html = manager_client.get(BOARD).content.decode()

    assert "Blocked by" not in html


def test_each_card_form_carries_the_csrf_token_for_posts_without_javascript(manager_client):
    make_tasks(3)

    html = manager_client.get(BOARD).content.decode()

    # One per card, one per quick-add form (To do, In progress, Blocked), and the sign-out form's.
    assert html.count('name="csrfmiddlewaretoken"') == 3 + 3 + 1


def test_it_filters_by_property_and_text(manager_client):
    beach, city = make_property("Beach House"), make_property("City Flat")
    make_task("Clean beach", property=beach)
    make_task("Clean city", property=city)
    make_task("Fix beach roof", property=beach)

    html = manager_client.get(BOARD, {"property": beach.pk, "q": "roof"}).content.decode()

    assert "Fix beach roof" in html
    assert "Clean beach" not in html and "Clean city" not in html


def test_it_answers_htmx_with_the_board_fragment_only(manager_client, htmx_headers):
    make_task("Clean beach")

    response = manager_client.get(BOARD, {"q": "beach"}, headers=htmx_headers)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "Clean beach" in html and "<html" not in html


def test_it_reports_an_invalid_filter_instead_of_ignoring_it(manager_client):
    make_task("Clean beach")

    html = manager_client.get(BOARD, {"type": "nonsense"}).content.decode()

    assert "Check the filters" in html
    assert "Clean beach" not in html


def test_it_groups_cards_in_swimlanes_by_property(manager_client):
    beach, city = make_property("Beach House"), make_property("City Flat")
    make_task("Clean beach", property=beach)
    make_task("Clean city", property=city)
    make_task("Order soap")

    html = manager_client.get(BOARD, {"lane": "property"}).content.decode()

    lanes = [html.index('class="board-lane-title">' + name) for name in ("Beach House", "City Flat", "No property")]
    assert lanes == sorted(lanes)
    assert html.index("Clean beach") < lanes[1] < html.index("Clean city") < lanes[2] < html.index("Order soap")


def test_it_groups_cards_in_swimlanes_by_assignee(manager_client, cleaner):
    make_task("Clean beach", assignee=cleaner)
    make_task("Order soap")

    html = manager_client.get(BOARD, {"lane": "assignee"}).content.decode()

    assert 'class="board-lane-title">Carla Lopes' in html
    assert 'class="board-lane-title">Unassigned' in html


def test_it_renders_the_first_page_of_each_column_and_a_load_more_trigger(manager_client, settings):
    settings.BOARD_COLUMN_PAGE_SIZE = 5
    make_tasks(12, statuses=[TaskStatus.TODO])

    html = manager_client.get(BOARD).content.decode()

    assert html.count('class="board-card ') == 5
    assert 'hx-trigger="revealed"' in html
    assert "offset=5" in html and "status=todo" in html


def test_a_column_header_counts_up_to_the_count_limit_then_says_more(manager_client, settings):
    settings.BOARD_COUNT_LIMIT = 100
    make_tasks(130, statuses=[TaskStatus.TODO])
    make_tasks(7, statuses=[TaskStatus.DONE])

    html = manager_client.get(BOARD).content.decode()

    assert '<span class="badge" title="Cards in this column">100+</span>' in html
    assert '<span class="badge" title="Cards in this column">7</span>' in html


def test_a_wip_limit_above_the_count_limit_is_still_counted_past(manager_client, settings):
    settings.BOARD_COUNT_LIMIT = 100
    BoardColumn.objects.create(status=TaskStatus.TODO, wip_limit=120)
    make_tasks(125, statuses=[TaskStatus.TODO])

    html = manager_client.get(BOARD).content.decode()

    assert "121+/120" in html and "over limit" in html


def test_it_loads_more_cards_of_a_column(manager_client, settings, htmx_headers):
    settings.BOARD_COLUMN_PAGE_SIZE = 5
    make_tasks(12, statuses=[TaskStatus.TODO])
    url = reverse("wbs:board_column")

    second = manager_client.get(url, {"status": "todo", "offset": 5}, headers=htmx_headers).content.decode()
    last = manager_client.get(url, {"status": "todo", "offset": 10}, headers=htmx_headers).content.decode()

    assert [f"Task {number}<" in second for number in range(5, 10)] == [True] * 5
    assert "offset=10" in second
    assert "Task 10<" in last and "Task 11<" in last
    assert 'hx-trigger="revealed"' not in last


def test_it_loads_more_cards_of_one_lane(manager_client, settings, htmx_headers):
    settings.BOARD_COLUMN_PAGE_SIZE = 2
    beach, city = make_property("Beach House"), make_property("City Flat")
    make_tasks(3, statuses=[TaskStatus.TODO], property=beach)
    make_tasks(3, statuses=[TaskStatus.TODO], property=city)
    url = reverse("wbs:board_column")

    html = manager_client.get(
        url, {"status": "todo", "offset": 2, "lane": "property", "lane_id": city.pk}, headers=htmx_headers
    ).content.decode()

    assert html.count('class="board-card ') == 1


def test_it_sends_a_load_more_request_without_htmx_back_to_the_board(manager_client):
    response = manager_client.get(reverse("wbs:board_column"), {"status": "todo", "offset": 5, "q": "x"})
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?q=x"


@pytest.mark.parametrize("size", [40, 400])
def test_it_runs_the_same_queries_whatever_the_number_of_tasks(manager_client, django_assert_num_queries, size):
    beach = make_property("Beach House")
    tag = make_tag("kitchen")
    tasks = make_tasks(size, property=beach)
    for task in tasks[:: max(1, size // 20)]:
        task.tags.add(tag)
    for before, after in zip(tasks[:-1:7], tasks[1::7], strict=False):
        link(before, after)

    # session, user, roles, filter choices (projects, properties, assignees, tags), counts, totals (the default
    # scope narrows, and WIP limits count every task), limits, the first ids of each of the five columns, cards,
    # tags, blockers
    with django_assert_num_queries(18):
        response = manager_client.get(BOARD)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [40, 400])
def test_it_runs_the_same_queries_with_swimlanes(manager_client, django_assert_num_queries, size):
    for number in range(3):
        make_tasks(size // 3, property=make_property(f"House {number}"))

    # As above, but one window-function query ranks the cards of every column and lane.
    with django_assert_num_queries(14):
        response = manager_client.get(BOARD, {"lane": "property"})
    assert response.status_code == 200


def test_wip_limits_count_every_task_of_a_column_even_when_filtered(manager_client):
    from wbs.models import BoardColumn

    BoardColumn.objects.create(status="in_progress", wip_limit=2)
    beach = make_property("Beach House")
    make_tasks(3, statuses=["in_progress"])
    make_task("Clean beach", property=beach, status="in_progress")

    html = manager_client.get(BOARD, {"property": beach.pk}).content.decode()

    assert "4/2" in html and "over limit" in html


# --- Back button and caches ---


def test_a_history_restore_after_a_filter_change_gets_the_whole_page(manager_client):
    make_task("Clean beach")

    # What htmx sends when Back returns to a URL it pushed and its history cache has no copy.
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = manager_client.get(BOARD, {"q": "beach"}, headers=restore)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="board-filters"' in html and "Clean beach" in html


def test_the_page_and_the_fragment_vary_on_the_htmx_header(manager_client, htmx_headers):
    for headers in ({}, htmx_headers):
        response = manager_client.get(BOARD, headers=headers)
        assert "HX-Request" in response["Vary"]


# --- Parameters nobody meant ---


@pytest.mark.parametrize(
    "params",
    [
        {"type": "nonsense"},
        {"due": "9999-12-31"},
        {"property": "abc"},
        {"property": "-1"},
        {"property": str(2**70)},
        {"assignee": "0"},
        {"tag": "no such tag"},
        {"q": "nul\x00byte"},
    ],
)
def test_a_filter_value_it_cannot_use_answers_400_with_the_filter_errors(manager_client, params):
    make_task("Clean beach")

    response = manager_client.get(BOARD, params)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Check the filters" in html and "Clean beach" not in html


@pytest.mark.parametrize("lane", ["nonsense", "0001-01-01", "-1", "9" * 40])
def test_an_unknown_swimlane_shows_the_board_without_lanes(manager_client, lane):
    make_task("Clean beach")

    response = manager_client.get(BOARD, {"lane": lane, "page": "-1", "offset": "abc"})

    assert response.status_code == 200
    assert "Clean beach" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"status": ""},
        {"status": "todo", "offset": "abc"},
        {"status": "todo", "offset": "-1"},
        {"status": "todo", "offset": str(2**70)},
        {"status": "todo", "offset": "9999-12-31"},
        {"status": "todo", "lane": "nonsense"},
        {"status": "todo", "lane": "property", "lane_id": "abc"},
        {"status": "todo", "lane": "property", "lane_id": "-1"},
        {"status": "todo", "lane": "assignee", "lane_id": str(2**70)},
        {"status": "todo", "type": "nonsense"},
        {"status": "todo", "property": "abc"},
    ],
)
def test_load_more_answers_400_to_parameters_it_cannot_use(manager_client, htmx_headers, params):
    make_tasks(3, statuses=[TaskStatus.TODO])

    response = manager_client.get(reverse("wbs:board_column"), params, headers=htmx_headers)

    assert response.status_code == 400


def test_load_more_past_the_last_card_shows_no_cards(manager_client, htmx_headers):
    make_tasks(3, statuses=[TaskStatus.TODO])
    url = reverse("wbs:board_column")

    for lane in ("", "property"):
        params = {"status": "todo", "offset": 1_000_000, "lane": lane, "lane_id": "none"}
        response = manager_client.get(url, params, headers=htmx_headers)
        assert response.status_code == 200
        assert 'class="board-card ' not in response.content.decode()


@pytest.mark.parametrize("size", [30, 300])
def test_load_more_runs_the_same_queries_whatever_the_number_of_tasks(
    manager_client, django_assert_num_queries, htmx_headers, settings, size
):
    settings.BOARD_COLUMN_PAGE_SIZE = 10
    beach = make_property("Beach House")
    tag = make_tag("kitchen")
    tasks = make_tasks(size, statuses=[TaskStatus.TODO], property=beach)
    for task in tasks[::3]:
        task.tags.add(tag)
    for before, after in zip(tasks[:-1:7], tasks[1::7], strict=False):
        link(before, after)
    url = reverse("wbs:board_column")

    # session, user, roles, the column's next ids, cards, tags, blockers
    with django_assert_num_queries(7):
        response = manager_client.get(url, {"status": "todo", "offset": 10}, headers=htmx_headers)
    assert response.status_code == 200
    # With swimlanes one window-function query ranks the lane's cards instead: the same count.
    with django_assert_num_queries(7):
        response = manager_client.get(
            url, {"status": "todo", "offset": 10, "lane": "property", "lane_id": beach.pk}, headers=htmx_headers
        )
    assert response.status_code == 200
