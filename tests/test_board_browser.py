"""The board in real Chromium: drag a card to another column on a desktop, use the status select on a phone."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import PHONE, no_horizontal_scroll
from tests.factories import link, make_property, make_tag, make_task
from wbs.models import BoardColumn, Priority, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_tasks(cleaner, other_cleaner):
    """A small, realistic board: two properties, tags, people, an overdue card and a blocked one."""
    today = timezone.localdate()
    beach, city = make_property("Beach House", code="BEACH"), make_property("City Flat", code="CITY")
    plumbing, urgent = make_tag("plumbing", "#0ea5e9"), make_tag("guest-facing", "#f43f5e")
    sink = make_task(
        "Fix the kitchen sink",
        property=beach,
        assignee=cleaner,
        due_date=today - datetime.timedelta(days=1),
        priority=Priority.URGENT,
        position=1024,
    )
    sink.tags.add(plumbing, urgent)
    make_task(
        "Replace shower head",
        property=city,
        assignee=other_cleaner,
        due_date=today + datetime.timedelta(days=3),
        position=2048,
    )
    grout = make_task("Grout the bathroom", property=beach, status="in_progress", assignee=cleaner, position=1024)
    seal = make_task("Seal the tiles", property=beach, position=3072, due_date=today + datetime.timedelta(days=5))
    link(grout, seal)
    make_task("Restock coffee", property=city, status="done", position=1024)
    BoardColumn.objects.create(status="in_progress", wip_limit=3)
    return {"sink": sink, "seal": seal}


def column(page, status):
    return page.locator(f'.board-cards[data-status="{status}"]')


def drag(page, card, target):
    """SortableJS in fallback mode follows the mouse: press, move in steps, release."""
    box, goal = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20, steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 12, steps=20)
    page.mouse.up()


def test_a_manager_drags_a_card_to_another_column_and_finds_it_there_after_a_reload(
    live_server, login_as, manager, board_tasks, screenshot
):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")
    card = page.locator(f"#card-{board_tasks['sink'].pk}")
    assert card.locator(".is-overdue").is_visible()
    assert "Blocked by 1" in page.locator(f"#card-{board_tasks['seal'].pk}").inner_text()
    screenshot(page, "board-desktop", full_page=False)

    with page.expect_response(lambda response: "/board/move/" in response.url) as answer:
        drag(page, card, column(page, "in_progress"))
    assert answer.value.status == 200
    page.wait_for_selector('#colhead-none-in_progress .badge:text("2")')

    page.reload()
    assert column(page, "in_progress").locator(f"#card-{board_tasks['sink'].pk}").count() == 1
    assert Task.objects.get(pk=board_tasks["sink"].pk).status == "in_progress"
    screenshot(page, "board-after-drag", full_page=False)


def test_a_refused_move_puts_the_card_back(live_server, login_as, manager, board_tasks):
    BoardColumn.objects.filter(status="in_progress").update(wip_limit=1, hard_limit=True)
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")
    card = page.locator(f"#card-{board_tasks['sink'].pk}")

    with page.expect_response(lambda response: "/board/move/" in response.url) as answer:
        drag(page, card, column(page, "in_progress"))

    assert answer.value.status == 409
    page.wait_for_selector(".toast-error")
    assert "at its limit of 1" in page.locator(".toast-error").inner_text()
    page.wait_for_function(
        f"document.querySelector('.board-cards[data-status=todo] #card-{board_tasks['sink'].pk}') !== null"
    )
    assert Task.objects.get(pk=board_tasks["sink"].pk).status == "todo"


def test_on_a_phone_the_status_select_moves_the_card(live_server, login_as, manager, board_tasks, screenshot):
    page = login_as(manager, PHONE)
    page.goto(f"{live_server.url}/board/")
    assert no_horizontal_scroll(page)
    select = page.locator(f"#status-{board_tasks['sink'].pk}")
    assert select.is_visible()
    screenshot(page, "board-phone")

    with page.expect_response(lambda response: "/board/move/" in response.url):
        select.select_option("blocked")
    page.wait_for_selector(f'.board-cards[data-status="blocked"] #card-{board_tasks["sink"].pk}')

    page.reload()
    assert column(page, "blocked").locator(f"#card-{board_tasks['sink'].pk}").count() == 1
    assert no_horizontal_scroll(page)
    screenshot(page, "board-phone-after-move")


def test_marking_a_blocked_task_done_asks_for_confirmation(live_server, login_as, manager, board_tasks):
    page = login_as(manager, PHONE)
    page.goto(f"{live_server.url}/board/")

    page.locator(f"#status-{board_tasks['seal'].pk}").select_option("done")
    dialog = page.locator("dialog.board-dialog")
    dialog.wait_for()
    assert "waits for “Grout the bathroom”" in dialog.inner_text()
    assert Task.objects.get(pk=board_tasks["seal"].pk).status == "todo"

    dialog.get_by_role("button", name="Mark done anyway").click()
    page.wait_for_url(f"{live_server.url}/board/**")
    page.wait_for_selector(f'.board-cards[data-status="done"] #card-{board_tasks["seal"].pk}')
    assert Task.objects.get(pk=board_tasks["seal"].pk).status == "done"


def test_filters_update_the_board_and_the_address(live_server, login_as, manager, board_tasks):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")

    page.fill("input[name=q]", "shower")
    page.wait_for_url("**/board/?*q=shower*")
    page.wait_for_function("document.querySelectorAll('.board-card').length === 1")
    page.select_option("select[name=lane]", "property")
    page.wait_for_selector(".board-lane-title")
    assert page.locator(".board-lane-title").all_inner_texts() == ["City Flat"]


def test_back_after_filter_changes_shows_the_whole_board_page(live_server, login_as, manager, board_tasks, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")
    page.fill("input[name=q]", "shower")
    page.wait_for_url("**/board/?*q=shower*")
    page.select_option("select[name=lane]", "property")
    page.wait_for_url("**/board/?*lane=property*")
    page.wait_for_selector(".board-lane-title")

    # htmx keeps no copy of past pages (historyCacheSize 0): Back asks the server for the page again.
    with page.expect_response(lambda response: response.request.headers.get("hx-history-restore-request")) as answer:
        page.go_back()
    assert answer.value.status == 200
    assert "lane=property" not in page.url

    page.wait_for_function("document.querySelectorAll('.board-card').length === 1")
    assert page.locator("h1").inner_text() == "Board"
    assert page.locator("#board-filters").is_visible()
    assert page.locator(".topbar").is_visible()
    assert page.input_value("input[name=q]") == "shower"
    screenshot(page, "board-after-back", full_page=False)
