"""Writes to projects: create and change (name, property, rollup method), each audited in one transaction."""

from django.db import transaction

from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.models import AuditAction
from wbs.models import Project, RollupMethod

PROJECT_AUDIT_FIELDS = ["name", "description", "property", "rollup_method"]


@acting_user
def project_create(
    *, name: str, description: str = "", property=None, rollup_method: str = RollupMethod.COUNT, user=None
) -> Project:
    with transaction.atomic():
        project = Project(name=name.strip(), description=description, property=property, rollup_method=rollup_method)
        project.full_clean()
        project.save()
        audit.record_created(project, PROJECT_AUDIT_FIELDS)
    return project


@acting_user
def project_update(*, project: Project, user=None, **changes) -> dict:
    """Apply field changes (see PROJECT_AUDIT_FIELDS), validate, save and audit. Returns the audit diff."""
    unknown = set(changes) - set(PROJECT_AUDIT_FIELDS)
    if unknown:
        raise TypeError(f"project_update() got unexpected fields {sorted(unknown)}")
    if "rollup_method" in changes and changes["rollup_method"] not in RollupMethod.values:
        choices = ", ".join(RollupMethod.values)
        raise InvalidInput(f"{changes['rollup_method']!r} is not a rollup method; use one of {choices}.")
    before = audit.snapshot(project, PROJECT_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(project, name, value)
    changed = audit.diff(before, audit.snapshot(project, PROJECT_AUDIT_FIELDS))
    if not changed:
        return {}
    with transaction.atomic():
        project.full_clean()
        project.save()
        audit.record(project, AuditAction.UPDATE, changed)
    return changed
