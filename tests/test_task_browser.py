"""The task page in real Chromium: dependencies (and a refused loop), the checklist, the confirm step, a phone."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PHONE, no_horizontal_scroll
from wbs.models import ChecklistItem, Project, Tag, Task, TaskStatus
from wbs.services import wbs_tree
from wbs.services.dependencies import dependency_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tiles(cleaner):
    """Tile floor → Grout → Seal in a kitchen, with a checklist on Tile floor."""
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen")
    tiling = wbs_tree.wbs_item_create(project=project, title="Tiling", parent=kitchen)
    tile, grout, seal = (
        Task.objects.create(title=title, wbs_item=tiling, assignee=cleaner, description=text)
        for title, text in [
            ("Tile floor", "Large-format tiles, 3 mm joints. Start by the window."),
            ("Grout", "Grey grout."),
            ("Seal", "Two coats."),
        ]
    )
    dependency_add(predecessor=tile, successor=grout)
    dependency_add(predecessor=grout, successor=seal)
    Task.objects.create(title="Plaster walls", wbs_item=kitchen, status=TaskStatus.DONE)
    for position, text in enumerate(["Level the floor", "Buy spacers", "Protect the skirting"], start=1):
        ChecklistItem.objects.create(task=tile, text=text, position=position)
    tile.tags.add(Tag.objects.create(name="finishing", color="#8b5cf6"))
    return tile, grout, seal


def test_a_manager_adds_a_dependency_and_reads_the_refusal_of_a_loop(
    page, live_server, login_as, manager, tiles, screenshot
):
    tile, grout, seal = tiles
    login_as(manager)
    page.goto(f"{live_server.url}{tile.get_absolute_url()}")
    dependencies = page.locator("#task-dependencies")
    expect(dependencies).to_contain_text("Nothing: this task can start any time.")

    page.select_option("#dependency-predecessor", label="1.1 · Seal")
    page.get_by_role("button", name="Add dependency").click()
    refusal = dependencies.get_by_role("alert")
    expect(refusal).to_contain_text("Tile floor → Grout → Seal → Tile floor")
    screenshot(page, "task-dependency-loop-refused")

    page.select_option("#dependency-predecessor", label="1 · Plaster walls")
    page.select_option("#dependency-type", "SS")
    page.fill("#dependency-lag", "2")
    page.get_by_role("button", name="Add dependency").click()
    waits_for = dependencies.locator(".task-dep-list").first
    expect(waits_for).to_contain_text("Plaster walls")
    expect(waits_for).to_contain_text("SS +2d")
    expect(dependencies.get_by_role("alert")).to_have_count(0)
    # The history part reloads itself after the change.
    expect(page.locator("#task-history")).to_contain_text("Now waits for “Plaster walls”")


def test_a_manager_ticks_the_checklist_and_is_asked_to_confirm_done(
    page, live_server, login_as, manager, tiles, screenshot
):
    tile, grout, _ = tiles
    login_as(manager)
    page.goto(f"{live_server.url}{grout.get_absolute_url()}")
    page.locator("#task-status").get_by_role("button", name="Done").click()
    expect(page.locator("#task-status")).to_contain_text("waits for “Tile floor” to finish first")
    screenshot(page, "task-confirm-done")
    page.get_by_role("button", name="Mark done anyway").click()
    expect(page.locator("#task-status .card-title .badge")).to_have_text("Done")

    page.goto(f"{live_server.url}{tile.get_absolute_url()}")
    checkbox = page.get_by_role("checkbox", name="Buy spacers")
    expect(checkbox).to_have_attribute("aria-checked", "false")
    checkbox.click()
    expect(page.get_by_role("checkbox", name="Buy spacers")).to_have_attribute("aria-checked", "true")
    page.fill("#id_checklist-text", "Photograph the finished floor")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("checkbox", name="Photograph the finished floor")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "task-detail")
    assert ChecklistItem.objects.get(text="Buy spacers").done


def test_a_cleaner_works_their_own_task_on_a_phone(page, live_server, login_as, cleaner, tiles, screenshot):
    tile, _, _ = tiles
    login_as(cleaner, PHONE)
    page.goto(f"{live_server.url}{tile.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Tile floor")).to_be_visible()
    page.get_by_role("checkbox", name="Level the floor").click()
    expect(page.get_by_role("checkbox", name="Level the floor")).to_have_attribute("aria-checked", "true")
    page.locator("#task-status").get_by_role("button", name="In progress").click()
    expect(page.locator("#task-status .card-title .badge")).to_have_text("In progress")
    page.fill("#id_comment-body", "Started by the window.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#task-comments")).to_contain_text("Started by the window.")
    assert no_horizontal_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "task-detail-cleaner-phone")


def test_a_manager_creates_a_task_from_a_wbs_row(page, live_server, login_as, manager, tiles, screenshot):
    tile, _, _ = tiles
    login_as(manager)
    page.goto(f"{live_server.url}{tile.wbs_item.project.get_absolute_url()}")
    page.get_by_title("Add a task under 1.1").click()
    page.fill("#id_title", "Fit skirting boards")
    page.fill("#id_start_date", "2026-11-24")
    page.fill("#id_due_date", "2026-11-23")
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_text("The due date cannot be before the start date.")).to_be_visible()
    screenshot(page, "task-form-error")
    page.fill("#id_due_date", "2026-11-25")
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("heading", name="Fit skirting boards")).to_be_visible()
    expect(page.locator(".task-main")).to_contain_text("1.1 Tiling")


def test_a_manager_moves_a_task_to_another_projects_item_through_the_picker(
    page, live_server, login_as, manager, tiles, screenshot
):
    tile, _, _ = tiles
    sea = Project.objects.create(name="Sea View works")
    wbs_tree.wbs_item_create(project=sea, title="Roof")
    login_as(manager)
    page.goto(f"{live_server.url}{tile.get_absolute_url()}edit/")
    field = page.locator("#id_wbs_item")
    expect(field).to_have_value("Renovate Beach House › 1.1 Tiling")
    expect(page.locator("select#id_wbs_item")).to_have_count(0)

    page.fill("#id_wbs_item", "9.9")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Renovate Beach House” has no item 9.9.")).to_be_visible()
    screenshot(page, "task-form-item-refused")

    with page.expect_response(lambda response: "/wbs/items/picker/" in response.url):
        field.fill("roof")
    options = page.locator("#wbs-item-choices option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "Sea View works › 1 Roof")
    field.fill(options.first.get_attribute("value") or "")  # what choosing the suggestion does
    screenshot(page, "task-form-item-picker")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".wbs-breadcrumbs")).to_contain_text("Sea View works › 1 Roof")
    tile.refresh_from_db()
    assert tile.wbs_item.project == sea
