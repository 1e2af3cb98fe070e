"""The manager's pages in real Chromium at 1440 px: focus kept after htmx swaps, modal dialogs, the import drop
zone, and no console error or failed static file on any manager page (static/js/focus.js, dialogs.js, dropzone.js)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import DESKTOP, ensure_role_groups
from tests.factories import link, make_booking, make_property, make_task
from tests.url_walk import MANAGER, ROUTES, make_sample, url_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages worth a screenshot to look at, by URL name.
SCREENSHOTS = {
    "wbs:today",
    "bookings:list",
    "bookings:timeline",
    "bookings:import",
    "bookings:conflicts",
    "wbs:board",
    "wbs:gantt",
    "wbs:task_detail",
    "bookings:detail",
    "core:audit",
    "wbs:projects",
    "wbs:turnovers",
}


def active(page) -> dict:
    """What has the keyboard focus: its tag, id, text and the id of the nearest ancestor with one."""
    return page.evaluate(
        """() => { const el = document.activeElement; const box = el.parentElement && el.parentElement.closest('[id]');
        return {tag: el.tagName, id: el.id, text: el.textContent.trim(), within: box ? box.id : ''}; }"""
    )


def listen_for_problems(page) -> list[str]:
    """Collect console errors, uncaught exceptions, failed requests and static files answered 4xx/5xx."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
    page.on("requestfailed", lambda request: problems.append(f"{page.url}: failed {request.url}"))
    page.on(
        "response",
        lambda response: (
            "/static/" in response.url
            and response.status >= 400
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    return problems


def test_no_manager_page_logs_a_console_error_or_misses_a_static_file(page, live_server, login_as, screenshot):
    ensure_role_groups()
    call_command("seed_demo", "--force", verbosity=0)
    users = get_user_model().objects
    manager, cleaner = users.get(username="manager"), users.get(username="cleaner1")
    sample = make_sample(manager=manager, cleaner=cleaner)
    client = Client()
    client.force_login(manager)
    pages = []
    for name, route in ROUTES.items():
        if route.role != MANAGER:
            continue
        url = url_of(name, sample)
        response = client.get(url)
        # POST-only URLs (405), redirects and downloads are not pages to open.
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((name, url))
    assert len(pages) >= 30, pages

    problems = listen_for_problems(page)
    login_as(manager, DESKTOP)
    for name, url in pages:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)  # deferred scripts and htmx's start-up run after load
        if name in SCREENSHOTS:
            screenshot(page, "look-" + name.replace(":", "-"), full_page=False)
    assert problems == []


def test_the_walk_would_see_a_console_error_and_a_missing_static_file(page, live_server, login_as, manager):
    """The control: a script error and a missing stylesheet on a manager page are both reported."""
    problems = listen_for_problems(page)
    page.add_init_script(
        """document.addEventListener("DOMContentLoaded", function () {
          const link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = "/static/css/no-such-file.css";
          document.head.appendChild(link);
          setTimeout(function () { throw new Error("boom"); }, 0);
        });"""
    )
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert any("boom" in problem for problem in problems), problems
    assert any("404" in problem and "no-such-file.css" in problem for problem in problems), problems


def test_the_focus_stays_on_a_sort_link_after_the_table_is_swapped(page, live_server, login_as, manager, screenshot):
    beach = make_property("Beach House", code="BEACH")
    for day in range(3):
        make_booking(beach, timezone.localdate() + datetime.timedelta(days=day * 4))
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/")
    sort_link = page.locator("#booking-table thead a", has_text="Check-in").first
    sort_link.focus()
    with page.expect_response(lambda response: "/bookings/?" in response.url):
        page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement !== document.body", timeout=5000)
    focus = active(page)
    assert focus["tag"] == "A" and focus["text"].startswith("Check-in"), focus
    assert page.evaluate("document.activeElement.closest('thead') !== null")


def test_the_focus_stays_in_the_status_card_after_a_status_change(page, live_server, login_as, manager):
    task = make_task("Fix the kitchen sink")
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/wbs/tasks/{task.pk}/")
    page.locator("#task-status button", has_text="In progress").focus()
    with page.expect_response(lambda response: f"/wbs/tasks/{task.pk}/status/" in response.url):
        page.keyboard.press("Enter")
    page.wait_for_selector("#task-status .is-current:has-text('In progress')")
    page.wait_for_function("document.activeElement !== document.body", timeout=5000)
    # The button pressed is now the current, disabled one: its card takes the focus, not a neighbouring button.
    assert active(page)["id"] == "task-status", active(page)
    # The next Tab goes on from there, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#task-status, .task-side') !== null")


def test_a_board_confirmation_is_a_modal_with_a_backdrop_that_keeps_the_focus(
    page, live_server, login_as, manager, screenshot
):
    grout = make_task("Grout the bathroom", status="in_progress", position=1024)
    seal = make_task("Seal the tiles", position=2048)
    link(grout, seal)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/board/")
    # What board.js sends when a card is dropped in Done.
    page.evaluate(
        """(task) => htmx.ajax("POST", document.getElementById("board").dataset.moveUrl,
        {target: "#board-dialog", swap: "innerHTML", values: {task: task, status: "done"}})""",
        str(seal.pk),
    )
    dialog = page.locator("dialog.board-dialog")
    dialog.wait_for()
    assert dialog.evaluate("d => d.matches(':modal')")
    backdrop = dialog.evaluate("d => getComputedStyle(d, '::backdrop').backgroundColor")
    assert backdrop not in ("rgba(0, 0, 0, 0)", "transparent"), backdrop
    screenshot(page, "look-board-dialog", full_page=False)
    inside = "document.querySelector('dialog.board-dialog').contains(document.activeElement)"
    assert page.evaluate(inside)
    for key in ["Tab"] * 4 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate(inside), key
    # The backdrop covers the page behind (the sidebar here): a click there lands on the dialog, not the page.
    assert page.evaluate("document.elementFromPoint(20, 300) === document.querySelector('dialog.board-dialog')")
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")


def test_the_import_drop_zone_shows_the_chosen_file_name_and_size(page, live_server, login_as, manager, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/import/")
    zone = page.locator(".dropzone")
    assert zone.is_visible()
    assert "Drag the export here" in zone.inner_text()
    # Keyboard: Tab reaches the input inside the zone, which shows the focus ring.
    page.locator("#id_file").focus()
    assert zone.evaluate("z => getComputedStyle(z).boxShadow") != "none"

    page.set_input_files("#id_file", files=[{"name": "march.csv", "mimeType": "text/csv", "buffer": b"x" * 2048}])
    assert "march.csv" in zone.locator(".dropzone-name").inner_text()
    assert re.search(r"2\s*kB", zone.locator(".dropzone-size").inner_text(), re.I)
    screenshot(page, "look-import-dropzone", full_page=False)

    # A file dropped on the zone is taken too.
    page.evaluate(
        """() => { const data = new DataTransfer();
        data.items.add(new File(["a".repeat(3 * 1024 * 1024)], "april.xlsx"));
        const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true});
        document.querySelector(".dropzone").dispatchEvent(drop); }"""
    )
    assert zone.locator(".dropzone-name").inner_text() == "april.xlsx"
    assert re.search(r"3\s*MB", zone.locator(".dropzone-size").inner_text(), re.I)
    assert page.evaluate("document.getElementById('id_file').files[0].name") == "april.xlsx"
