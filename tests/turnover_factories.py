"""Small builders for turnover tests: properties, bookings and templates with sensible defaults."""

import datetime
import itertools

from bookings.models import Booking, BookingStatus, Property
from wbs.models import Task, TaskTemplate, TaskType, TemplateTrigger

_codes = itertools.count(1)
# Dates relative to today: notifications skip work whose day has passed, and CI runs on any day.
SOON = datetime.date.today() + datetime.timedelta(days=10)


def make_property(name: str = "Beach House", **fields) -> Property:
    number = next(_codes)
    defaults = {
        "code": f"P{number}",
        "address": f"Rua do Mar {number}, Lisboa",
        "time_zone": "Europe/Lisbon",
        "check_in_time": datetime.time(15, 0),
        "check_out_time": datetime.time(11, 0),
    }
    return Property.objects.create(name=name, **{**defaults, **fields})


def make_booking(prop: Property, check_in: datetime.date, nights: int = 3, **fields) -> Booking:
    number = next(_codes)
    defaults = {
        "guest_name": f"Guest {number}",
        "external_code": f"HM{number:05d}",
        "adults": 2,
        "status": BookingStatus.CONFIRMED,
    }
    return Booking.objects.create(
        property=prop, check_in=check_in, check_out=check_in + datetime.timedelta(days=nights), **{**defaults, **fields}
    )


def make_template(title: str = "Clean {property} after {guest}", **fields) -> TaskTemplate:
    defaults = {
        "type": TaskType.CLEANING,
        "trigger": TemplateTrigger.AFTER_CHECK_OUT,
        "duration_minutes": 120,
        "checklist": [
            {"text": "Change the bed linen", "requires_photo": False},
            {"text": "Photo of the kitchen", "requires_photo": True},
        ],
    }
    properties = fields.pop("properties", [])
    template = TaskTemplate.objects.create(title_pattern=title, **{**defaults, **fields})
    if properties:
        template.properties.set(properties)
    return template


def make_task(*, assignee, prop: Property | None = None, title: str = "Clean Beach House", **fields) -> Task:
    from wbs.services.tasks import task_create

    return task_create(
        title=title,
        property=prop or make_property(),
        assignee=assignee,
        type=fields.pop("type", TaskType.CLEANING),
        due_date=fields.pop("due_date", datetime.date.today()),
        start_date=fields.pop("start_date", datetime.date.today()),
        checklist=fields.pop(
            "checklist", ["Change the bed linen", {"text": "Photo of the kitchen", "requires_photo": True}]
        ),
        **fields,
    )
