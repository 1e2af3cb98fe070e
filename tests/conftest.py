"""Shared fixtures: users in each role, a browser on real Chromium, screenshots, database helpers."""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium. With CI=true a missing browser fails the run; locally they skip, loudly."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}: run `make test`, which installs it.")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (make test installs it)")
    for item in items:
        if "browser" in item.keywords or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


def pytest_runtest_setup(item):
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does)")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Pages enforce a Content-Security-Policy without 'unsafe-eval', and Playwright's `wait_for_function` with a
    string evaluates it: browser tests bypass the policy, except tests/test_csp_browser.py, which checks it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; on SQLite user ids repeat from test to test, so one test's
    uploads would spend the next one's budget."""
    from django.core.cache import cache

    cache.clear()


def ensure_role_groups() -> None:
    """Transactional tests flush the database, groups from the roles migration included: put them back."""
    if Group.objects.filter(name__in=["manager", "cleaner"]).count() == 2:
        return
    from django.apps import apps

    roles_migration = importlib.import_module("wbs.migrations.0002_roles")
    roles_migration.create_roles(apps, None)


def make_user(django_user_model, username: str, role: str | None, **extra):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        ensure_role_groups()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager(django_user_model):
    return make_user(django_user_model, "manager", "manager", first_name="Maria", last_name="Santos")


@pytest.fixture
def cleaner(django_user_model):
    return make_user(django_user_model, "cleaner", "cleaner", first_name="Carla", last_name="Lopes")


@pytest.fixture
def other_cleaner(django_user_model):
    return make_user(django_user_model, "other_cleaner", "cleaner", first_name="Olga", last_name="Dias")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def cleaner_client(client, cleaner):
    client.force_login(cleaner)
    return client


@pytest.fixture
def beach():
    """Beach House (code BEACH), saved directly: no audit entry of its own."""
    from tests.factories import make_property

    return make_property("Beach House", code="BEACH")


@pytest.fixture
def loft():
    """The property the rows of tests/import_files.py name (code LOFT, alias "Sunny Loft by the Beach")."""
    from tests.factories import make_loft

    return make_loft()


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true"}


def sign_in(page, live_server, user, client_factory) -> None:
    """Give the browser the session of `user` without typing: the sign-in form has its own test."""
    client = client_factory()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def login_as(page, live_server):
    from django.test import Client

    def _login(user, viewport=DESKTOP):
        page.set_viewport_size(viewport)
        sign_in(page, live_server, user, Client)
        return page

    return _login


@pytest.fixture
def screenshot():
    """`screenshot(page, "board")` writes test-artifacts/screenshots/board.png to look at."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _take(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _take


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts():
    shutil.rmtree(ARTIFACTS / "downloads", ignore_errors=True)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & fixtures
    )


@pytest.fixture(autouse=True)
def _plan_version_row(request):
    """The plan-version row comes from a migration, and a transactional test's flush deletes it; the app makes it
    again on first use (four more queries), which would land inside some test's query count. Put it back first."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request.node) else "db")
    from wbs.scheduling import plan_version

    plan_version()
    _drop_stale_content_types()


def _drop_stale_content_types() -> None:
    """Django's process-wide ContentType cache can hold rows a flush or a rolled-back test removed (audit entries
    would point at them): checked against the table before each database test, outside any query count."""
    from django.contrib.contenttypes.models import ContentType

    cached = ContentType.objects._cache.get(connection.alias, {})
    cached_ids = {content_type.pk for content_type in cached.values()}
    if cached_ids and ContentType.objects.filter(pk__in=cached_ids).count() != len(cached_ids):
        ContentType.objects.clear_cache()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Transactional tests flush the database, and content types come back with new ids; Django's process-wide
    ContentType cache would still hand out the old ones (audit entries point at them). Cleared once every
    fixture of such a test, the flush included, has finished, however the test asked for the database."""
    yield
    if _is_transactional(item):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture(scope="session", autouse=True)
def _close_health_check_connection(django_db_setup):
    """Readiness checks PostgreSQL from a thread of its own; its connection must not outlive the test database."""
    yield
    from django.db import connections

    from core import health

    health._database_checks.submit(connections.close_all).result(timeout=30)
