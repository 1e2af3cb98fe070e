"""The WBS pages in real Chromium: the demo trees, adding an item and reordering without a page reload."""

import io

import pytest
from playwright.sync_api import expect

from tests.conftest import PHONE, no_horizontal_scroll
from wbs.demo_projects import seed_projects
from wbs.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(manager, cleaner, other_cleaner):
    seed_projects(
        users={"manager": manager, "cleaner1": cleaner, "cleaner2": other_cleaner}, scale=1, stdout=io.StringIO()
    )
    return Project.objects.get(name="Renovate Beach House")


def row(page, code: str):
    return page.locator(f'tr.wbs-row[data-code="{code}"]')


def test_the_projects_list_shows_progress(page, live_server, login_as, manager, demo, screenshot):
    login_as(manager)
    page.goto(f"{live_server.url}/wbs/")
    expect(page.get_by_role("link", name="Renovate Beach House")).to_be_visible()
    expect(page.get_by_text("task-days done")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "wbs-projects")


def test_a_manager_adds_an_item_and_reorders_without_a_reload(page, live_server, login_as, manager, demo, screenshot):
    login_as(manager)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    expect(row(page, "1")).to_contain_text("Kitchen")
    screenshot(page, "wbs-project-tree")
    # Survives only if HTMX swaps the tree instead of loading a new page.
    page.evaluate("window.stillTheSamePage = true")

    page.fill("#id_title", "Pantry")
    page.select_option("#id_place", "after")
    page.fill("#id_anchor", "1 Kitchen")
    page.get_by_role("button", name="Add item").click()
    expect(row(page, "2")).to_contain_text("Pantry")
    expect(row(page, "3")).to_contain_text("Bathroom")

    page.get_by_role("button", name="Move 2 up").click()
    expect(row(page, "1")).to_contain_text("Pantry")
    expect(row(page, "2")).to_contain_text("Kitchen")
    expect(row(page, "2.1")).to_contain_text("Strip-out")
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(page, "wbs-project-tree-reordered")


def test_a_manager_moves_an_item_into_another(page, live_server, login_as, manager, demo):
    login_as(manager)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    page.fill("#id_item", "3 Living room")
    page.fill("#id_parent", "4")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(row(page, "3")).to_contain_text("Handover")
    expect(row(page, "3.1")).to_contain_text("Living room")
    expect(row(page, "3.1.1")).to_contain_text("Walls")


def test_the_rollup_method_changes_in_place(page, live_server, login_as, manager, demo):
    login_as(manager)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    page.select_option("#rollup-method", "count")
    expect(page.locator(".wbs-summary")).to_contain_text("tasks done =")
    page.select_option("#rollup-method", "weight")
    expect(page.locator(".wbs-summary")).to_contain_text("÷")


def test_the_tree_fits_a_phone(page, live_server, login_as, manager, demo, screenshot):
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    expect(row(page, "1")).to_be_attached()
    assert no_horizontal_scroll(page)
    screenshot(page, "wbs-project-tree-phone", full_page=False)


def test_a_manager_expands_an_item_to_see_its_tasks_and_hides_them(
    page, live_server, login_as, manager, demo, screenshot
):
    login_as(manager)  # desktop, 1440 px
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    strip_out = row(page, "1.1")
    expect(strip_out).to_contain_text("Strip-out")
    tasks = page.locator("#wbs-tasks-" + strip_out.get_attribute("id").removeprefix("wbs-item-"))
    expect(tasks.locator("tr.wbs-task-row")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    strip_out.locator("a.wbs-task-count").click()
    expect(tasks.locator("tr.wbs-task-row").first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert no_horizontal_scroll(page)
    screenshot(page, "wbs-project-tree-expanded")

    tasks.get_by_role("button", name="Hide tasks").click()
    expect(tasks.locator("tr.wbs-task-row")).to_have_count(0)


def test_a_big_tree_opens_items_on_demand_and_shows_more(
    page, live_server, login_as, manager, demo, settings, screenshot
):
    settings.WBS_TREE_ITEM_PAGE = 3
    login_as(manager)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    # 12 items do not fit a page of 3: the top level shows, closed, with the rest a click away.
    expect(row(page, "3")).to_contain_text("Living room")
    expect(row(page, "1.1")).to_have_count(0)
    expect(row(page, "4")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    kitchen = row(page, "1").locator("a.wbs-toggle")
    kitchen.focus()
    page.keyboard.press("Enter")
    expect(row(page, "1.3")).to_contain_text("Tiling")
    expect(kitchen).to_have_attribute("aria-expanded", "true")
    expect(row(page, "1.4")).to_have_count(0)
    screenshot(page, "wbs-project-tree-show-more", full_page=False)
    page.get_by_role("link", name="Show more sub-items of 1").click()
    expect(row(page, "1.4")).to_contain_text("Units and appliances")
    # The keyboard focus moves to the first of the new rows.
    expect(row(page, "1.4").locator(".wbs-title a").first).to_be_focused()
    page.get_by_role("link", name="Show more items").click()
    expect(row(page, "4")).to_contain_text("Handover")
    assert page.evaluate("window.stillTheSamePage") is True
    assert "open=" in page.url
    screenshot(page, "wbs-project-tree-paged")

    # The open items live in the URL: a reload shows them open.
    page.reload()
    expect(row(page, "1.1")).to_contain_text("Strip-out")
    row(page, "1").locator("a.wbs-toggle").click()
    expect(row(page, "1.1")).to_have_count(0)
    expect(row(page, "1").locator("a.wbs-toggle")).to_have_attribute("aria-expanded", "false")
    page.reload()
    expect(row(page, "2")).to_contain_text("Bathroom")
    expect(row(page, "1.1")).to_have_count(0)


def test_the_item_fields_suggest_items_as_one_types(page, live_server, login_as, manager, demo):
    login_as(manager)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    with page.expect_response(lambda response: "/items/picker/" in response.url):
        page.fill("#id_parent", "tiling")
    options = page.locator("#wbs-item-choices option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("value", "1.3 Tiling")
