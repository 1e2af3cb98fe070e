"""Every named URL of the app with a real object for each path parameter and the user who may open it.

Shared by the app-wide tests (test_htmx_contract, test_get_fuzz), which import the fixtures `walk` and
`walk_sample`. A URL added to the URLconf and missing from
ROUTES fails `test_every_url_is_walked`, so nothing escapes the walk.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bookings.models import (
    BookingConflict,
    CalendarFeed,
    ConflictKind,
    ImportBatch,
    ImportRow,
    ImportRowAction,
    StatusAlias,
)
from core.models import JobFailure
from tests.conftest import make_user
from tests.factories import link, make_booking, make_cleaning_task, make_project, make_property, make_template
from tests.photo_files import jpeg_bytes, upload
from wbs.models import CalendarToken, Task
from wbs.services.photos import photo_add, prepare_photo

MANAGER, CLEANER, ANONYMOUS = "manager", "cleaner", "anonymous"


@dataclass
class Route:
    role: str
    # Path parameters from the sample data set: a function of it, or nothing for a URL without any.
    kwargs: object = None


def _pk(name):
    return lambda sample: {"pk": getattr(sample, name).pk}


ROUTES: dict[str, Route] = {
    "home": Route(MANAGER),
    "login": Route(ANONYMOUS),
    "logout": Route(MANAGER),
    "password_change": Route(MANAGER),
    "password_change_done": Route(MANAGER),
    "password_reset": Route(ANONYMOUS),
    "password_reset_done": Route(ANONYMOUS),
    "password_reset_confirm": Route(ANONYMOUS, lambda sample: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Route(ANONYMOUS),
    "core:metrics": Route(MANAGER),
    "core:language": Route(CLEANER),
    "core:job_failures": Route(MANAGER),
    "core:job_failure": Route(MANAGER, _pk("failure")),
    "core:job_failure_state": Route(MANAGER, _pk("failure")),
    "bookings:calendar_feeds": Route(MANAGER),
    "bookings:calendar_feed_create": Route(MANAGER, lambda sample: {"property_pk": sample.property.pk}),
    "bookings:calendar_feed_edit": Route(MANAGER, _pk("feed")),
    "bookings:calendar_feed_pause": Route(MANAGER, _pk("feed")),
    "bookings:calendar_feed_sync": Route(MANAGER, _pk("feed")),
    "bookings:calendar_feed_review": Route(MANAGER, lambda sample: {"pk": sample.feed.pk, "decision": "apply"}),
    "wbs:service_worker": Route(CLEANER),
    "core:health": Route(ANONYMOUS),
    "core:health_live": Route(ANONYMOUS),
    "core:health_ready": Route(ANONYMOUS),
    "core:readiness": Route(ANONYMOUS),
    "core:health_detailed": Route(MANAGER),
    "core:audit": Route(MANAGER),
    "core:audit_object": Route(
        MANAGER,
        lambda sample: {
            "content_type_id": ContentType.objects.get_for_model(sample.booking).pk,
            "object_id": str(sample.booking.pk),
        },
    ),
    "bookings:list": Route(MANAGER),
    "bookings:export": Route(MANAGER),
    "bookings:create": Route(MANAGER),
    "bookings:detail": Route(MANAGER, _pk("booking")),
    "bookings:edit": Route(MANAGER, _pk("booking")),
    "bookings:cancel": Route(MANAGER, _pk("booking")),
    "bookings:delete": Route(MANAGER, _pk("booking")),
    "bookings:timeline": Route(MANAGER),
    "bookings:properties": Route(MANAGER),
    "bookings:property_create": Route(MANAGER),
    "bookings:property_detail": Route(MANAGER, _pk("property")),
    "bookings:property_edit": Route(MANAGER, _pk("property")),
    "bookings:property_archive": Route(MANAGER, _pk("property")),
    "bookings:trash": Route(MANAGER),
    "bookings:restore": Route(MANAGER, lambda sample: {"kind": "booking", "pk": sample.booking.pk}),
    "bookings:import": Route(MANAGER),
    "bookings:import_template": Route(MANAGER),
    "bookings:import_detail": Route(MANAGER, _pk("batch")),
    "bookings:import_apply": Route(MANAGER, _pk("batch")),
    "bookings:import_preview_again": Route(MANAGER, _pk("batch")),
    "bookings:import_fix": Route(MANAGER, _pk("batch")),
    "bookings:import_progress": Route(MANAGER, _pk("batch")),
    "bookings:import_errors": Route(MANAGER, _pk("batch")),
    "bookings:conflicts": Route(MANAGER),
    "bookings:conflict_detail": Route(MANAGER, _pk("conflict")),
    "bookings:conflict_resolve": Route(MANAGER, _pk("conflict")),
    "bookings:conflict_reopen": Route(MANAGER, _pk("conflict")),
    "bookings:status_aliases": Route(MANAGER),
    "bookings:status_alias_delete": Route(MANAGER, _pk("alias")),
    "wbs:today": Route(MANAGER),
    "wbs:today_assign": Route(MANAGER, _pk("task")),
    "wbs:projects": Route(MANAGER),
    "wbs:project_create": Route(MANAGER),
    "wbs:project_detail": Route(MANAGER, _pk("project")),
    "wbs:project_edit": Route(MANAGER, _pk("project")),
    "wbs:project_rollup": Route(MANAGER, _pk("project")),
    "wbs:item_add": Route(MANAGER, _pk("project")),
    "wbs:item_move": Route(MANAGER, _pk("project")),
    "wbs:item_reorder": Route(MANAGER, _pk("project")),
    "wbs:item_rows": Route(MANAGER, _pk("project")),
    "wbs:item_picker": Route(MANAGER, _pk("project")),
    "wbs:any_item_picker": Route(MANAGER),
    "wbs:item_edit": Route(MANAGER, _pk("item")),
    "wbs:item_task_rows": Route(MANAGER, _pk("item")),
    "wbs:item_delete": Route(MANAGER, _pk("item")),
    "wbs:task_create": Route(MANAGER),
    "wbs:task_detail": Route(MANAGER, _pk("task")),
    "wbs:task_edit": Route(MANAGER, _pk("task")),
    "wbs:task_delete": Route(MANAGER, _pk("task")),
    "wbs:task_history": Route(MANAGER, _pk("task")),
    "wbs:task_status": Route(MANAGER, _pk("task")),
    "wbs:task_assignee": Route(MANAGER, _pk("task")),
    "wbs:task_tags": Route(MANAGER, _pk("task")),
    "wbs:checklist_add": Route(MANAGER, _pk("task")),
    "wbs:task_comment": Route(MANAGER, _pk("task")),
    "wbs:checklist_toggle": Route(MANAGER, _pk("checklist_item")),
    "wbs:task_dependency_add": Route(MANAGER),
    "wbs:task_dependency_remove": Route(MANAGER, _pk("dependency")),
    "wbs:board": Route(MANAGER),
    "wbs:board_move": Route(MANAGER),
    "wbs:board_column": Route(MANAGER),
    "wbs:board_add": Route(MANAGER),
    "wbs:task_export": Route(MANAGER),
    "wbs:gantt": Route(MANAGER),
    "wbs:gantt_reschedule_preview": Route(MANAGER, _pk("task")),
    "wbs:gantt_reschedule_apply": Route(MANAGER, _pk("task")),
    "wbs:gantt_dependency_add": Route(MANAGER),
    "wbs:templates": Route(MANAGER),
    "wbs:template_create": Route(MANAGER),
    "wbs:template_edit": Route(MANAGER, _pk("template")),
    "wbs:turnovers": Route(MANAGER),
    "wbs:turnover_assign": Route(MANAGER, _pk("task")),
    "wbs:my_tasks": Route(CLEANER),
    "wbs:my_day_sheet": Route(CLEANER),
    "wbs:my_calendar": Route(CLEANER),
    "wbs:my_task": Route(CLEANER, _pk("task")),
    "wbs:my_task_start": Route(CLEANER, _pk("task")),
    "wbs:my_task_done": Route(CLEANER, _pk("task")),
    "wbs:my_checklist_toggle": Route(
        CLEANER, lambda sample: {"pk": sample.task.pk, "item_pk": sample.checklist_item.pk}
    ),
    "wbs:my_photo_upload": Route(CLEANER, _pk("task")),
    "wbs:my_problem": Route(CLEANER, _pk("task")),
    "wbs:photo": Route(CLEANER, _pk("photo")),
    "wbs:photo_thumbnail": Route(CLEANER, _pk("photo")),
    "wbs:cleaner_feed": Route(ANONYMOUS, lambda sample: {"token": sample.calendar_token.token}),
    "wbs:property_feed": Route(ANONYMOUS, lambda sample: {"token": sample.property.feed_token}),
}


def url_names() -> list[str]:
    """The names of every URL of config.urls, Django's own admin left out (Django tests it)."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return list(dict.fromkeys(walk(get_resolver("config.urls").url_patterns, None)))


@dataclass
class Sample:
    property: object
    booking: object
    conflict: object
    batch: object
    alias: object
    project: object
    item: object
    task: object
    checklist_item: object
    dependency: object
    template: object
    photo: object
    calendar_token: object
    feed: object
    failure: object


def make_sample(*, manager, cleaner) -> Sample:
    """One of each thing a URL can name, the task assigned to the cleaner so that /my/ pages open it."""
    today = datetime.date.today()
    prop = make_property("Sea View")
    booking = make_booking(prop, today + datetime.timedelta(days=3))
    other = make_booking(prop, today + datetime.timedelta(days=4))
    batch = ImportBatch.objects.create(created_by=manager, file_name="bookings.csv", sha256="0" * 64)
    ImportRow.objects.create(batch=batch, row_number=2, action=ImportRowAction.CREATE, data={"guest_name": "Ana"})
    conflict = BookingConflict.objects.create(
        kind=ConflictKind.OVERLAP, booking=other, other_booking=booking, batch=batch, message="Overlap"
    )
    alias = StatusAlias.objects.create(value="Awaiting payment", status="booked")
    project, item, _ = make_project()
    task = make_cleaning_task(assignee=cleaner, property=prop, title="Clean Sea View", wbs_item=item)
    follow_up = Task.objects.create(title="Inspect Sea View", wbs_item=item, assignee=cleaner)
    dependency = link(task, follow_up)
    checklist_item = task.checklist.first()
    photo = photo_add(task=task, prepared=prepare_photo(upload(jpeg_bytes())), user=cleaner)
    return Sample(
        property=prop,
        booking=booking,
        conflict=conflict,
        batch=batch,
        alias=alias,
        project=project,
        item=item,
        task=task,
        checklist_item=checklist_item,
        dependency=dependency,
        template=make_template(),
        photo=photo,
        calendar_token=CalendarToken.objects.create(user=cleaner),
        feed=CalendarFeed.objects.create(
            property=prop, url="https://www.airbnb.com/calendar/ical/1.ics?s=secret", source="airbnb"
        ),
        failure=JobFailure.objects.create(
            fingerprint="f" * 64, job_name="bookings.tasks.preview_import_batch", error_type="ValueError"
        ),
    )


def url_of(name: str, sample: Sample) -> str:
    kwargs = ROUTES[name].kwargs
    return reverse(name, kwargs=kwargs(sample) if kwargs else None)


@pytest.fixture(scope="module", name="walk_sample")
def walk_sample_fixture(django_db_setup, django_db_blocker):
    """The sample data set, built once per module inside a transaction rolled back at its end (setUpTestData)."""
    with django_db_blocker.unblock(), transaction.atomic():
        manager = make_user(get_user_model(), "walk_manager", MANAGER)
        cleaner = make_user(get_user_model(), "walk_cleaner", CLEANER)
        yield make_sample(manager=manager, cleaner=cleaner), {MANAGER: manager, CLEANER: cleaner}
        transaction.set_rollback(True)


@pytest.fixture(name="walk")
def walk_fixture(walk_sample, db):
    """`walk(name, headers)`: GET the named URL as the user it is for."""
    sample, users = walk_sample
    clients = {ANONYMOUS: Client(raise_request_exception=False)}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)

    def get(name: str, headers: dict | None = None, data: dict | None = None):
        return clients[ROUTES[name].role].get(url_of(name, sample), data=data, headers=headers or {})

    return get
