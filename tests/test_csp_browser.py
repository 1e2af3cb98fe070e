"""The Content-Security-Policy holds on every page: Chromium reports no violation as manager, cleaner or visitor.

The browser walks the demo data's pages from the start page by their links, one page of each kind (URL
name), and listens both to `securitypolicyviolation` events and to the console, where Chromium also
reports what it refused.
"""

from collections import deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from tests.conftest import DESKTOP, PHONE, ensure_role_groups

MAX_PAGES = 80
# Downloads and feeds are not pages; signing out would end the walk.
SKIP_URL_NAMES = {"logout", "export", "task_export", "import_template", "import_errors", "photo", "photo_thumbnail"}
SKIP_SUFFIXES = (".xlsx", ".csv", ".ics")
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """This module checks the policy itself: no bypass (tests/conftest.py bypasses it for every other test)."""
    return {**browser_context_args, "bypass_csp": False}


def _kind(path: str) -> str | None:
    """One visit per view: the URL name (admin: index and lists only)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.url_name or ""
    if name in SKIP_URL_NAMES or path.endswith(SKIP_SUFFIXES):
        return None
    if path.startswith("/admin/") and name not in {"index", "app_list"} and not name.endswith("_changelist"):
        return None
    return f"{match.namespace}:{name}"


def walk(page, base_url: str, start_paths: list[str]) -> tuple[list[str], list[str]]:
    """Visit pages breadth first; return the paths visited and every violation seen."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: console: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(LISTEN)
    queue = deque(start_paths)
    seen_kinds: set[str] = set()
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        kind = _kind(urlsplit(path).path) or path
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # deferred scripts and htmx's start-up run after load
        visited.append(path)
        violations.extend(f"{path}: {entry}" for entry in page.evaluate("window.__cspViolations || []"))
        for href in page.eval_on_selector_all(
            "a[href]",  # SVG links (the Gantt's) have no string .href: resolve the attribute
            "links => links.map(link => new URL(link.getAttribute('href'), document.baseURI).href)",
        ):
            parts = urlsplit(href)
            if not href.startswith(base_url) or not parts.path:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _kind(parts.path) is not None and _kind(parts.path) not in seen_kinds:
                queue.append(target)
    return visited, violations


@pytest.fixture
def demo(transactional_db):
    ensure_role_groups()
    call_command("seed_demo", "--force", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


def test_the_policy_forbids_inline_and_evaluated_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in directives["style-src"] + directives["style-src-elem"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.browser
def test_no_page_violates_the_policy_for_a_manager(page, live_server, demo, login_as, screenshot):
    login_as(demo["manager"], DESKTOP)
    visited, violations = walk(page, live_server.url, ["/", "/admin/"])
    assert len(visited) >= 20, visited
    assert {"/bookings/", "/board/", "/gantt/", "/bookings/timeline/"} <= set(visited)
    assert violations == []
    page.goto(f"{live_server.url}/bookings/timeline/")
    screenshot(page, "csp-timeline-desktop")


@pytest.mark.browser
def test_no_page_violates_the_policy_for_a_cleaner_on_a_phone(page, live_server, demo, login_as, screenshot):
    login_as(demo["cleaner1"], PHONE)
    visited, violations = walk(page, live_server.url, ["/", "/my/day-sheet/", "/my/calendar/"])
    assert any(path.startswith("/my/tasks/") for path in visited), visited
    assert violations == []
    page.goto(f"{live_server.url}/my/")
    screenshot(page, "csp-my-tasks-phone")


@pytest.mark.browser
def test_no_public_page_violates_the_policy(page, live_server, transactional_db):
    paths = ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/", "/no-such-page/"]
    visited, violations = walk(page, live_server.url, paths)
    assert set(paths) <= set(visited)
    assert violations == []


@pytest.mark.browser
def test_the_walk_would_see_a_violation(page, live_server, transactional_db):
    """The control: an inline script and an inline handler on our page are refused, and reported."""
    page.add_init_script(
        """document.addEventListener("DOMContentLoaded", function () {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.appendChild(script);
          document.body.setAttribute("onload", "window.__ran = true");
        });"""
    )
    visited, violations = walk(page, live_server.url, ["/accounts/login/"])
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in violations), violations


@pytest.mark.browser
def test_the_moved_handlers_still_work(page, live_server, demo, login_as):
    """The toast's close button and the day sheet's print button were inline onclick handlers."""
    login_as(demo["cleaner1"], PHONE)
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.goto(f"{live_server.url}/my/day-sheet/")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true")

    page.evaluate(
        """() => {
        const toast = document.createElement("div");
        toast.className = "toast toast-error";
        toast.innerHTML = '<div class="toast-body">Test</div><button type="button" class="toast-close">×</button>';
        document.getElementById("toasts").appendChild(toast);
    }"""
    )
    page.click(".toast-close")
    assert page.locator(".toast").count() == 0
