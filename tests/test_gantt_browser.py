"""The Gantt in real Chromium: zoom, add a dependency and see its arrow, change a date and apply the cascade."""

import datetime

import pytest
from django.utils import timezone

from tests.planning_data import link, make_booking, make_project, make_property, make_task
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
    beach = make_property("Beach House", "BEACH")
    make_booking(beach, monday() + datetime.timedelta(days=4), nights=4, guest="Ana Lima")
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
    assert day_width == str(14 * 72)
    screenshot(page, "gantt-day")

    page.get_by_role("link", name="Month", exact=True).click()
    page.wait_for_selector(".gantt-zoom-month")
    assert page.locator(".gantt-svg").get_attribute("width") == str(126 * 8)
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
