"""Writes to task templates; saving one brings the upcoming bookings' tasks in step in the background."""

from django.db import transaction

from core import audit
from core.audit_context import acting_user
from core.models import AuditAction
from wbs.models import TaskTemplate
from wbs.tasks_turnovers import sync_upcoming_turnovers

TEMPLATE_AUDIT_FIELDS = [
    "title_pattern",
    "type",
    "trigger",
    "offset_hours",
    "duration_minutes",
    "every_n_nights",
    "default_assignee",
    "backup_assignee",
    "priority",
    "checklist",
    "booking_statuses",
    "active",
]


def _sync_upcoming_on_commit() -> None:
    # Thousands of bookings may match: the request answers at once and a worker does the sync.
    transaction.on_commit(lambda: sync_upcoming_turnovers.enqueue())


@acting_user
def template_create(*, fields: dict, properties, user) -> TaskTemplate:
    with transaction.atomic():
        template = TaskTemplate(**fields)
        template.full_clean()
        template.save()
        template.properties.set(properties)
        changes = audit.diff({}, audit.snapshot(template, TEMPLATE_AUDIT_FIELDS))
        changes["properties"] = [None, sorted(prop.pk for prop in properties)]
        audit.record(template, AuditAction.CREATE, changes)
        if template.active:
            _sync_upcoming_on_commit()
    return template


@acting_user
def template_update(*, template: TaskTemplate, fields: dict, properties, user) -> dict:
    """Existing tasks keep their checklist and assignee; new bookings get the template as it is now."""
    # Read from the database: a bound ModelForm has already written the new values onto `template`.
    before = audit.snapshot(TaskTemplate.objects.get(pk=template.pk), TEMPLATE_AUDIT_FIELDS)
    before_properties = sorted(template.properties.values_list("pk", flat=True))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(template, name, value)
        template.full_clean()
        template.save()
        template.properties.set(properties)
        changes = audit.diff(before, audit.snapshot(template, TEMPLATE_AUDIT_FIELDS))
        after_properties = sorted(prop.pk for prop in properties)
        if after_properties != before_properties:
            changes["properties"] = [before_properties, after_properties]
        if changes:
            audit.record(template, AuditAction.UPDATE, changes)
            if template.active:
                _sync_upcoming_on_commit()
    return changes
