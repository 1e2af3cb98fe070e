"""Every URL of the app, walked as a cleaner: other cleaners' things answer 404, managers' pages 403.

The URL list comes from the resolver, so a URL added later is covered without editing this test: each
pattern's arguments are filled with the ids of objects that belong to another cleaner.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import SOON, make_booking, make_cleaning_task, make_property
from tests.photo_files import jpeg_bytes, upload
from wbs.models import TaskPhoto
from wbs.services.photos import photo_add, prepare_photo

pytestmark = pytest.mark.django_db

# Reachable by anyone on purpose: sign-in, health probes, and the token feeds (the token is the secret).
PUBLIC = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "home",
}
PUBLIC_PREFIXES = ("core:health", "core:readiness", "core:metrics", "wbs:cleaner_feed", "wbs:property_feed")
# The cleaner's own pages, checked separately with their own objects.
OWN_PAGES = {"wbs:my_tasks", "wbs:my_day_sheet", "wbs:my_calendar", "wbs:service_worker", "core:language"}


def walk(resolver, namespace: str = "", prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from walk(pattern, child_namespace, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}".strip(":")
            yield name, prefix + str(pattern.pattern), list(pattern.pattern.converters)


def fill(route: str, converters: list[str], values: dict) -> str:
    path = route
    for name in converters:
        path = path.replace(f"<int:{name}>", str(values.get(name, values["pk"]))).replace(
            f"<str:{name}>", str(values.get(name, "x"))
        )
    return "/" + path.replace("<path:object_id>", "1")


@pytest.fixture
def others_things(other_cleaner):
    prop = make_property()
    make_booking(prop, SOON)
    task = make_cleaning_task(assignee=other_cleaner, property=prop)

    photo = photo_add(task=task, prepared=prepare_photo(upload(jpeg_bytes())), user=other_cleaner)
    return {"pk": task.pk, "item_pk": task.checklist.first().pk, "photo": photo}


def test_it_walks_every_url_as_a_cleaner(cleaner_client, others_things):
    photo: TaskPhoto = others_things["photo"]
    checked = []
    for name, route, converters in walk(get_resolver()):
        if name in PUBLIC or name.startswith(PUBLIC_PREFIXES) or name in OWN_PAGES or route.startswith("admin/"):
            continue
        values = dict(others_things)
        if name in ("wbs:photo", "wbs:photo_thumbnail"):
            values["pk"] = photo.pk
        path = fill(route, converters, values)
        for method in ("get", "post"):
            status = getattr(cleaner_client, method)(path).status_code
            if name.startswith("wbs:my_") or name in ("wbs:photo", "wbs:photo_thumbnail"):
                allowed = {404, 405}
                reason = "another cleaner's task, photo or checklist"
            else:
                allowed = {403, 404, 405}
                reason = "a manager's page"
            assert status in allowed, f"{method.upper()} {path} ({name}) answered {status}: it is {reason}"
            if status == 404 and not name.startswith("wbs:my_") and name not in ("wbs:photo", "wbs:photo_thumbnail"):
                # A manager page may only 404 when the object is missing, never instead of refusing the role.
                assert converters, f"{method.upper()} {path} ({name}) answered 404 without any object in its URL"
        checked.append(name)
    assert {"wbs:my_task", "wbs:my_task_done", "wbs:my_checklist_toggle", "wbs:photo", "wbs:turnovers"} <= set(checked)


def test_the_admin_refuses_cleaners(cleaner_client):
    response = cleaner_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_cleaners_own_pages_answer(cleaner_client):
    for path in ("/my/", "/my/day-sheet/", "/my/calendar/"):
        assert cleaner_client.get(path).status_code == 200
