"""Writes for status aliases: managers teach imports a new status word without a deploy, with audit entries."""

from django.db import transaction

from bookings.models import StatusAlias
from core import audit
from core.errors import InvalidInput
from core.models import AuditAction

AUDITED_FIELDS = ("source", "value", "status")


def status_alias_create(*, value: str, status: str, source: str = "") -> StatusAlias:
    alias = StatusAlias(value=value, status=status, source=source)
    alias.full_clean()
    with transaction.atomic():
        alias.save()
        audit.record_created(alias, AUDITED_FIELDS)
    return alias


def status_alias_delete(*, alias: StatusAlias) -> None:
    """Imports after this read the word as unknown again (or by its built-in meaning, if it has one)."""
    if alias.pk is None:
        raise InvalidInput("This status alias was already removed.")
    with transaction.atomic():
        before = audit.snapshot(alias, AUDITED_FIELDS)
        audit.record(alias, AuditAction.DELETE, audit.diff(before, dict.fromkeys(AUDITED_FIELDS)))
        alias.delete()
