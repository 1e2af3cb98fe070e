"""The Gantt in real Chromium: zoom, add a dependency and see its arrow, change a date and apply the cascade."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import PHONE, no_horizontal_scroll
from tests.factories import link, make_booking, make_project, make_property, make_task
from wbs.models import Task, WbsItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def working_day(offset: int) -> datetime.date:
    """The `offset`-th working day from this week's Monday (Mon–Fri)."""
    weeks, days = divmod(offset, 5)
    return monday() + datetime.timedelta(days=7 * weeks + days)


@pytest.fixture
def plan(cleaner):
    """A kitchen project with a chain of three tasks and a milestone, and a property with a turnover and a stay."""
    project, kitchen, plumbing = make_project("Renovate Beach House")
    electrics = WbsItem.objects.create(project=project, position=2, code="2", sort_key="0002", title="Electrics")
    demolish = make_task(
        "Demolish old kitchen",
        wbs_item=kitchen,
        start_date=working_day(0),
        due_date=working_day(1),
        progress=100,
        status="done",
    )
    pipes = make_task(
        "Replace pipes",
        wbs_item=plumbing,
        start_date=working_day(2),
        due_date=working_day(4),
        progress=40,
        status="in_progress",
        assignee=cleaner,
    )
    tiles = make_task("Tile the floor", wbs_item=plumbing, start_date=working_day(5), due_date=working_day(6))
    wiring = make_task("Rewire sockets", wbs_item=electrics, start_date=working_day(2), due_date=working_day(3))
    handover = make_task(
        "Kitchen handover", wbs_item=electrics, start_date=working_day(7), due_date=working_day(7), is_milestone=True
    )
    link(demolish, pipes)
    link(pipes, tiles)
    link(tiles, handover)
    beach = make_property("Beach House", code="BEACH")
    make_booking(beach, monday() + datetime.timedelta(days=4), nights=4, guest_name="Ana Lima")
    make_task(
        "Clean after Ana Lima",
        property=beach,
        type="cleaning",
        start_date=monday() + datetime.timedelta(days=8),
        due_date=monday() + datetime.timedelta(days=8),
        assignee=cleaner,
    )
    return {"pipes": pipes, "tiles": tiles, "wiring": wiring, "handover": handover}


def test_a_manager_zooms_the_gantt(live_server, login_as, manager, plan, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")
    assert page.locator(".gantt-critical").count() >= 3
    assert page.locator(".gantt-booking").count() == 1
    assert page.locator(".gantt-today").count() == 1
    screenshot(page, "gantt-week")

    page.get_by_role("link", name="Day", exact=True).click()
    page.wait_for_url("**zoom=day**")
    page.wait_for_selector(".gantt-zoom-day")
    day_width = page.locator(".gantt-svg").get_attribute("width")
    assert day_width == str(15 * 72)  # two weeks, and a day that fills the frame
    screenshot(page, "gantt-day")

    page.get_by_role("link", name="Month", exact=True).click()
    page.wait_for_selector(".gantt-zoom-month")
    assert page.locator(".gantt-svg").get_attribute("width") == str(135 * 8)  # 126 days and 9 that fill the frame
    page.get_by_role("link", name="Later ›").click()
    page.wait_for_url("**start=**")
    screenshot(page, "gantt-month")


def test_a_manager_adds_a_dependency_and_sees_its_arrow(live_server, login_as, manager, plan):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")
    arrow = f'path[data-from="{plan["wiring"].pk}"][data-to="{plan["handover"].pk}"]'
    assert page.locator(arrow).count() == 0

    page.get_by_text("Add a dependency").click()
    form = page.locator(".gantt-link-form")
    form.locator("select[name=predecessor]").select_option(str(plan["wiring"].pk))
    form.locator("select[name=successor]").select_option(str(plan["handover"].pk))
    form.locator("select[name=type]").select_option("FF")
    form.get_by_role("button", name="Add").click()

    page.wait_for_selector(arrow, state="attached")
    assert "gantt-arrow-FF" in page.locator(arrow).get_attribute("class")
    assert "now waits for" in page.locator(".toast").first.inner_text()


def test_a_loop_is_refused_with_the_loop_spelled_out(live_server, login_as, manager, plan):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    page.get_by_text("Add a dependency").click()
    form = page.locator(".gantt-link-form")
    form.locator("select[name=predecessor]").select_option(str(plan["tiles"].pk))
    form.locator("select[name=successor]").select_option(str(plan["pipes"].pk))
    form.get_by_role("button", name="Add").click()

    toast = page.locator(".toast-error")
    toast.wait_for()
    assert "Replace pipes → Tile the floor" in toast.inner_text()


def test_a_manager_changes_a_date_reads_the_cascade_and_applies_it(live_server, login_as, manager, plan, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    page.locator(f'a.gantt-item[data-task="{plan["pipes"].pk}"]').click()
    panel = page.locator("#gantt-panel")
    panel.get_by_label("Due date").wait_for()
    panel.get_by_label("Due date").fill(working_day(6).isoformat())
    panel.get_by_role("button", name="Preview").click()
    panel.get_by_text("3 tasks would move").wait_for()
    assert "Tile the floor" in panel.inner_text() and "Kitchen handover" in panel.inner_text()
    assert "+2 working days" in panel.inner_text()
    screenshot(page, "gantt-preview")
    assert Task.objects.get(pk=plan["tiles"].pk).start_date == working_day(5)

    panel.get_by_role("button", name="Apply: move 3 tasks").click()
    page.wait_for_selector("#gantt-panel[hidden]", state="attached")
    assert "and 2 following task(s)" in page.locator(".toast").first.inner_text()
    assert Task.objects.get(pk=plan["tiles"].pk).start_date == working_day(7)
    assert Task.objects.get(pk=plan["handover"].pk).due_date == working_day(9)
    screenshot(page, "gantt-after-apply")


def drag_bar(page, task, days: int, *, day_width: int = 24, handle: bool = False) -> None:
    """Press on a bar (or its right-end handle), move by `days` columns of the zoom in small steps, release."""
    item = page.locator(f'a.gantt-item[data-task="{task.pk}"]')
    box = item.locator(".gantt-bar").bounding_box()
    # The handle is the bar's last 8 px.
    x = box["x"] + (box["width"] - 3 if handle else min(10, box["width"] / 3))
    y = box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + days * day_width, y, steps=12)
    page.mouse.up()


def test_a_manager_drags_a_bar_reads_the_cascade_and_applies_it(live_server, login_as, manager, plan, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    # A week later, on the week zoom (24 px a day): the same weekdays, so every successor moves 5 working days.
    drag_bar(page, plan["pipes"], 7)
    panel = page.locator("#gantt-panel")
    panel.get_by_text("3 tasks would move").wait_for()
    assert panel.get_by_label("Start date").input_value() == (working_day(2) + datetime.timedelta(days=7)).isoformat()
    assert panel.get_by_label("Due date").input_value() == (working_day(4) + datetime.timedelta(days=7)).isoformat()
    assert "Tile the floor" in panel.inner_text() and "Kitchen handover" in panel.inner_text()
    assert panel.inner_text().count("+5 working days") == 3
    assert page.locator(".gantt-item.is-previewing").count() == 1
    screenshot(page, "gantt-drag-preview")
    assert Task.objects.get(pk=plan["tiles"].pk).start_date == working_day(5)  # nothing written yet

    panel.get_by_role("button", name="Apply: move 3 tasks").click()
    page.wait_for_selector("#gantt-panel[hidden]", state="attached")
    page.reload()
    assert Task.objects.get(pk=plan["pipes"].pk).start_date == working_day(7)
    assert Task.objects.get(pk=plan["tiles"].pk).start_date == working_day(10)
    assert Task.objects.get(pk=plan["handover"].pk).due_date == working_day(12)
    tiles = page.locator(f'a.gantt-item[data-task="{plan["tiles"].pk}"]')
    assert tiles.get_attribute("data-start") == working_day(10).isoformat()
    screenshot(page, "gantt-after-drag")


def test_dragging_the_right_end_changes_only_the_due_date(live_server, login_as, manager, plan):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    drag_bar(page, plan["pipes"], 5, handle=True)

    panel = page.locator("#gantt-panel")
    panel.get_by_text("would move").wait_for()
    assert panel.get_by_label("Start date").input_value() == working_day(2).isoformat()
    assert panel.get_by_label("Due date").input_value() == (working_day(4) + datetime.timedelta(days=5)).isoformat()


def test_escape_or_dropping_in_place_cancels_a_drag(live_server, login_as, manager, plan):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")
    item = page.locator(f'a.gantt-item[data-task="{plan["pipes"].pk}"]')
    box = item.locator(".gantt-bar").bounding_box()
    x, y = box["x"] + 10, box["y"] + box["height"] / 2

    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 72, y, steps=6)
    assert "translate(72" in item.get_attribute("transform")
    page.keyboard.press("Escape")
    assert item.get_attribute("transform") is None
    page.mouse.up()

    page.mouse.down()
    page.mouse.move(x + 60, y, steps=6)
    page.mouse.move(x + 2, y, steps=6)
    page.mouse.up()

    page.wait_for_timeout(300)
    assert page.locator("#gantt-panel").is_hidden()  # no preview, and no date form from the release either
    assert item.get_attribute("transform") is None


def test_an_off_page_predecessor_shows_a_stub_that_leads_to_it(
    live_server, login_as, manager, plan, settings, screenshot
):
    # Three tasks a page: "Replace pipes" is on page 1, "Tile the floor" (which waits for it) on page 2.
    settings.GANTT_MAX_ROWS = 3
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/?page=2")

    stub = page.locator(f'a.gantt-stub[data-task="{plan["tiles"].pk}"][data-other="{plan["pipes"].pk}"]')
    assert "gantt-stub-top" in stub.get_attribute("class")
    assert "Replace pipes" in stub.locator(".gantt-stub-label").text_content()
    assert "Waits for “Replace pipes”" in stub.locator("title").text_content()
    assert "on an earlier page" in stub.locator("title").text_content()
    screenshot(page, "gantt-stub-page-2")

    stub.locator(".gantt-stub-label").click()
    page.wait_for_url("**page=1**")
    assert page.url.endswith(f"#gantt-task-{plan['pipes'].pk}")
    focused = page.locator(f"#gantt-task-{plan['pipes'].pk}")
    assert "is-focused" in focused.get_attribute("class")
    assert page.locator(f'a.gantt-stub[data-task="{plan["pipes"].pk}"][data-other="{plan["tiles"].pk}"]').count() == 1
    screenshot(page, "gantt-stub-page-1")


def test_links_to_tasks_outside_the_date_window_end_at_its_edges(live_server, login_as, manager, plan, screenshot):
    # Day zoom from Saturday: "Replace pipes" (Wednesday to Friday) is before the window, "Tile the floor" in it.
    saturday = working_day(4) + datetime.timedelta(days=1)
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/?zoom=day&start={saturday.isoformat()}")

    stub = page.locator(f'a.gantt-stub-left[data-task="{plan["tiles"].pk}"]')
    assert stub.locator(".gantt-stub-label").text_content() == "← Replace pipes"
    assert stub.locator("path.gantt-arrow").get_attribute("d").startswith("M0,")
    screenshot(page, "gantt-stub-window-edge")

    # The link opens the day window that starts with the other task, and marks it there.
    stub.locator(".gantt-stub-label").click()
    page.wait_for_url(f"**start={working_day(2).isoformat()}**")
    assert page.locator(f'.gantt-item.is-focused[data-task="{plan["pipes"].pk}"]').count() == 1
    screenshot(page, "gantt-stub-followed")


def test_a_bar_can_be_dragged_by_touch_on_a_phone(live_server, login_as, manager, plan, screenshot):
    page = login_as(manager, viewport=PHONE)
    page.goto(f"{live_server.url}/gantt/")
    assert no_horizontal_scroll(page)
    bar = page.locator(f'a.gantt-item[data-task="{plan["pipes"].pk}"] .gantt-bar')
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    x, y = box["x"] + 6, box["y"] + box["height"] / 2

    # Touch pointer events, as a finger sends them (Playwright's touchscreen only taps).
    for kind, dx in (("pointerdown", 0), ("pointermove", 30), ("pointermove", 72), ("pointerup", 72)):
        page.dispatch_event(
            f'a.gantt-item[data-task="{plan["pipes"].pk}"] .gantt-bar',
            kind,
            {"pointerId": 7, "pointerType": "touch", "isPrimary": True, "button": 0, "clientX": x + dx, "clientY": y},
        )

    panel = page.locator("#gantt-panel")
    panel.get_by_text("would move").wait_for()
    assert panel.get_by_label("Start date").input_value() == (working_day(2) + datetime.timedelta(days=3)).isoformat()
    screenshot(page, "gantt-phone-drag")
