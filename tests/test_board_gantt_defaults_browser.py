"""Board and Gantt open on what matters, in real Chromium at 1,440 px: the default views, quick-add, the ghost bars
of a reschedule preview, and the "?" shortcut list with the keys it names."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import link, make_booking, make_project, make_property, make_task
from wbs.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def days(number: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=number)


@pytest.fixture
def work(cleaner):
    """Two projects with a chain of tasks, and a property with many turnovers, most of them weeks away."""
    renovation, kitchen, plumbing = make_project("Renovate Beach House")
    winter, boiler, _ = make_project("Winter maintenance")
    start = monday()
    chain = [
        make_task(
            title,
            wbs_item=plumbing,
            start_date=start + datetime.timedelta(days=offset),
            due_date=start + datetime.timedelta(days=offset + 1),
            assignee=cleaner,
            position=1024 * offset,
        )
        for offset, title in enumerate(["Strip old pipes", "Lay new pipes", "Pressure test", "Close the walls"])
    ]
    for before, after in zip(chain, chain[1:], strict=False):
        link(before, after)
    make_task(
        "Service the boiler",
        wbs_item=boiler,
        start_date=start + datetime.timedelta(days=2),
        due_date=start + datetime.timedelta(days=2),
    )
    beach = make_property("Beach House", code="BEACH")
    for number in range(12):
        booking = make_booking(beach, days(number * 4 - 3), nights=3, guest_name=f"Guest {number}")
        make_task(
            f"Turnover {number}",
            property=beach,
            booking=booking,
            type="cleaning",
            start_date=booking.check_out,
            due_date=booking.check_out,
        )
    return {"chain": chain, "renovation": renovation, "winter": winter}


def settled(page) -> None:
    """Wait until htmx has swapped and settled what it fetched: a key pressed meanwhile acts on the old page."""
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def press(page, key: str, url_part: str) -> None:
    page.keyboard.press(key)
    page.wait_for_url(f"**{url_part}**")
    settled(page)


def cards(page) -> list[str]:
    return page.locator(".board-card-title").all_inner_texts()


def test_the_board_opens_on_project_work_and_remembers_the_turnovers_view(
    live_server, login_as, manager, work, screenshot
):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")

    assert "Strip old pipes" in cards(page) and "Service the boiler" in cards(page)
    assert not any(title.startswith("Turnover") for title in cards(page))
    assert page.locator("input[name=work][value=project]").is_checked()
    assert not page.locator(".field-turnovers").is_visible()
    screenshot(page, "board-default-project-work", full_page=False)

    page.locator(".scope-switch").get_by_text("Turnovers", exact=True).click()
    page.wait_for_url("**work=turnover**")
    page.wait_for_function(
        "!document.querySelector('.board-card-title') || "
        "document.querySelector('.board-card-title').textContent.startsWith('Turnover')"
    )
    shown = cards(page)
    # The coming seven days only: turnovers due in the next week (check-outs every four days).
    assert shown and all(title.startswith("Turnover") for title in shown)
    expected = Task.objects.filter(booking__isnull=False, due_date__range=(days(0), days(7))).count()
    assert len(shown) == expected < 12
    assert page.locator(".field-turnovers").is_visible()
    screenshot(page, "board-turnovers-coming-days", full_page=False)

    page.reload()
    assert page.locator("input[name=work][value=turnover]").is_checked()
    assert len(cards(page)) == expected


def test_a_manager_adds_a_card_in_a_column(live_server, login_as, manager, work, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/?project={work['winter'].pk}")

    todo = page.locator(".board-column-todo")
    todo.get_by_text("+ Add a card").click()
    field = todo.get_by_label("Title of a new card in To do")
    field.fill("Bleed the radiators")
    field.press("Enter")

    page.locator(".board-card.is-new").wait_for()
    assert page.locator(".board-column-todo .board-card-title").first.inner_text() == "Bleed the radiators"
    # Ready for the next card: the form is open again with its field focused.
    assert page.evaluate("document.activeElement.id") == "add-todo"
    task = Task.objects.get(title="Bleed the radiators")
    assert task.wbs_item.project == work["winter"] and task.status == "todo"
    screenshot(page, "board-quick-add", full_page=False)

    page.keyboard.press("Escape")
    assert not todo.locator("details.board-add").get_attribute("open")


def test_the_board_shortcuts_listed_under_question_mark_work(live_server, login_as, manager, work, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/board/")

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    dialog.wait_for(state="visible")
    listed = dialog.locator("kbd").all_inner_texts()
    assert listed == ["n", "/", "p", "t", "a", "g", "?", "Esc"]
    screenshot(page, "board-shortcuts", full_page=False)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "add-todo"
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Escape")
    press(page, "a", "work=all")
    press(page, "t", "work=turnover")
    press(page, "p", "work=project")
    press(page, "g", "/gantt/")


def test_the_gantt_opens_on_project_work_filling_its_frame(live_server, login_as, manager, work, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    labels = page.locator(".gantt-label a").all_inner_texts()
    assert "Strip old pipes" in labels and "Service the boiler" in labels
    assert not any(label.startswith("Turnover") for label in labels)
    # The chart reaches the frame's right edge and does not scroll sideways.
    frame = page.locator(".gantt-scroll")
    fit = frame.evaluate(
        "el => [el.clientWidth, el.scrollWidth, el.querySelector('svg').getBoundingClientRect().width]"
    )
    assert fit[1] <= fit[0] + 1 and abs(fit[2] - fit[0]) <= 1, fit
    screenshot(page, "gantt-default-project-work", full_page=False)

    page.locator("select[name=project]").select_option(label="Winter maintenance")
    page.wait_for_url(f"**project={work['winter'].pk}**")
    page.wait_for_function("document.querySelectorAll('.gantt-label a').length === 1")
    assert page.locator(".gantt-label a").all_inner_texts() == ["Service the boiler"]

    page.locator(".scope-switch").get_by_text("Turnovers", exact=True).click()
    page.wait_for_url("**work=turnover**")


def test_the_reschedule_preview_draws_every_following_task_as_a_ghost_bar(
    live_server, login_as, manager, work, screenshot
):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")
    frame = page.locator(".gantt-scroll")
    width_before = frame.evaluate("el => el.getBoundingClientRect().width")

    first = work["chain"][0]
    item = page.locator(f'a.gantt-item[data-task="{first.pk}"]')
    box = item.locator(".gantt-bar").bounding_box()
    page.mouse.move(box["x"] + 8, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + 7 * 24, box["y"] + box["height"] / 2, steps=12)
    page.mouse.up()

    panel = page.locator("#gantt-panel")
    panel.get_by_text("4 tasks would move").wait_for()
    ghosts = page.locator(".gantt-ghosts .gantt-ghost")
    # htmx draws them when the swapped panel settles, a moment after its text shows.
    expect(ghosts).to_have_count(4)
    assert sorted(int(ghost) for ghost in ghosts.evaluate_all("els => els.map(el => el.dataset.task)")) == sorted(
        task.pk for task in work["chain"]
    )
    # Each ghost sits in its own task's row, a week to the right of the bar.
    for task in work["chain"]:
        bar = page.locator(f'a.gantt-item[data-task="{task.pk}"] .gantt-bar').bounding_box()
        ghost = page.locator(f'.gantt-ghost[data-task="{task.pk}"]').bounding_box()
        assert abs(ghost["y"] - bar["y"]) < 1 and ghost["x"] > bar["x"] + 5 * 24
    assert "Dashed bars show the new dates of 4 tasks." in panel.inner_text()
    # The panel floats: the chart keeps its width.
    assert frame.evaluate("el => el.getBoundingClientRect().width") == width_before
    screenshot(page, "gantt-preview-ghosts", full_page=False)

    page.keyboard.press("Escape")
    page.wait_for_selector("#gantt-panel[hidden]", state="attached")
    assert page.locator(".gantt-ghost").count() == 0

    # A click on a bar opens the same form; its preview draws the ghosts too, and Close clears them.
    page.locator(f'a.gantt-item[data-task="{work["chain"][2].pk}"]').click()
    panel.get_by_label("Start date").fill((first.start_date + datetime.timedelta(days=14)).isoformat())
    panel.get_by_label("Due date").fill((first.start_date + datetime.timedelta(days=15)).isoformat())
    panel.get_by_role("button", name="Preview").click()
    panel.get_by_text("2 tasks would move").wait_for()
    expect(page.locator(".gantt-ghosts .gantt-ghost")).to_have_count(2)
    panel.get_by_role("link", name="Close").click()
    assert page.locator(".gantt-ghost").count() == 0


def test_the_gantt_shortcuts_listed_under_question_mark_work(live_server, login_as, manager, work, screenshot):
    page = login_as(manager)
    page.goto(f"{live_server.url}/gantt/")

    page.get_by_role("button", name="Shortcuts").click()
    dialog = page.locator("#shortcuts")
    dialog.wait_for(state="visible")
    assert dialog.locator("kbd").all_inner_texts() == ["[", "]", ".", "d", "w", "m", "p", "t", "a", "b", "?", "Esc"]
    screenshot(page, "gantt-shortcuts", full_page=False)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    start = page.locator("input[name=start]").input_value()
    page.keyboard.press("]")
    page.wait_for_function(f"document.querySelector('input[name=start]').value !== '{start}'")
    settled(page)
    page.keyboard.press("[")
    page.wait_for_function(f"document.querySelector('input[name=start]').value === '{start}'")
    settled(page)
    page.keyboard.press("m")
    page.wait_for_selector(".gantt-zoom-month")
    settled(page)
    page.keyboard.press("d")
    page.wait_for_selector(".gantt-zoom-day")
    settled(page)
    page.keyboard.press("w")
    page.wait_for_selector(".gantt-zoom-week")
    settled(page)
    page.keyboard.press("]")
    page.wait_for_function(f"document.querySelector('input[name=start]').value !== '{start}'")
    settled(page)
    page.keyboard.press(".")
    page.wait_for_function(f"document.querySelector('input[name=start]').value === '{start}'")
    settled(page)
    press(page, "t", "work=turnover")
    press(page, "a", "work=all")
    press(page, "p", "work=project")
    press(page, "b", "/board/")
