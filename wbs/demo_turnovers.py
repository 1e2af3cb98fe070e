"""Demo task templates and the turnover tasks they create, for `seed_demo`."""

import datetime

from django.db.models import F
from django.utils import timezone

from core.audit_context import audit_context
from core.models import AuditSource
from wbs.models import Priority, Task, TaskStatus, TaskTemplate, TaskType, TemplateTrigger
from wbs.services.turnovers import turnovers_sync_all

DEMO_TEMPLATES = [
    {
        "title_pattern": "Clean {property} after {guest}",
        "type": TaskType.CLEANING,
        "trigger": TemplateTrigger.AFTER_CHECK_OUT,
        "offset_hours": 0,
        "duration_minutes": 180,
        "priority": Priority.NORMAL,
        "active": True,
        "assignees": ("cleaner1", "cleaner2"),
        "checklist": [
            {"text": "Strip and remake every bed", "requires_photo": False},
            {"text": "Clean bathrooms and restock towels", "requires_photo": False},
            {"text": "Kitchen clean, dishwasher empty", "requires_photo": False},
            {"text": "Photo of the living room, ready for guests", "requires_photo": True},
            {"text": "Take out the rubbish", "requires_photo": False, "required": False},
        ],
    },
    {
        "title_pattern": "Inspect {property} before {guest}",
        "type": TaskType.INSPECTION,
        "trigger": TemplateTrigger.BEFORE_CHECK_IN,
        "offset_hours": 1,
        "duration_minutes": 30,
        "priority": Priority.NORMAL,
        "active": True,
        "assignees": ("cleaner2", "cleaner1"),
        "checklist": [
            {"text": "Keys in the lock box", "requires_photo": False},
            {"text": "Welcome pack on the table", "requires_photo": False},
            {"text": "Photo of the entrance", "requires_photo": True},
        ],
    },
    {
        "title_pattern": "Deep clean {property} ({nights} nights)",
        "type": TaskType.CLEANING,
        "trigger": TemplateTrigger.EVERY_N_NIGHTS,
        "every_n_nights": 7,
        "offset_hours": 0,
        "duration_minutes": 240,
        "priority": Priority.LOW,
        "active": False,
        "assignees": ("cleaner1", None),
        "checklist": [{"text": "Oven and fridge inside", "requires_photo": False}],
    },
]


def seed_turnovers(*, users: dict, scale: int, stdout) -> None:
    for spec in DEMO_TEMPLATES:
        spec = dict(spec)
        default_name, backup_name = spec.pop("assignees")
        spec["default_assignee"] = users.get(default_name)
        spec["backup_assignee"] = users.get(backup_name) if backup_name else None
        TaskTemplate.objects.update_or_create(title_pattern=spec["title_pattern"], defaults=spec)
    with audit_context(source=AuditSource.CLI):
        # Demo data is not news: no emails about it.
        result = turnovers_sync_all(source=AuditSource.CLI, notify=False)
    # The demo's past stays were cleaned on time: only today's and later work is open.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    past = Task.objects.filter(template__isnull=False, due_date__lt=yesterday, status=TaskStatus.TODO)
    past.update(status=TaskStatus.DONE, progress=100, started_at=F("due_at"), completed_at=F("due_at"))
    stdout.write(f"Turnover templates: {len(DEMO_TEMPLATES)} ({result.summary()})")
