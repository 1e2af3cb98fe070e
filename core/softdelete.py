"""Soft delete and restore for any SoftDeleteModel, each leaving an audit entry."""

from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import AuditAction, SoftDeleteModel


def soft_delete(obj: SoftDeleteModel, *, user) -> None:
    if obj.is_deleted:
        return
    with transaction.atomic():
        obj.deleted_at = timezone.now()
        obj.deleted_by = user if user and user.is_authenticated else None
        obj.save(update_fields=["deleted_at", "deleted_by"])
        audit.record(obj, AuditAction.DELETE, {"deleted_at": [None, obj.deleted_at]})


def restore(obj: SoftDeleteModel, *, user) -> None:
    """Bring a deleted row back. Callers check unique rules first (a live row may have taken its code)."""
    if not obj.is_deleted:
        return
    with transaction.atomic():
        deleted_at = obj.deleted_at
        obj.deleted_at = None
        obj.deleted_by = None
        obj.full_clean()
        obj.save(update_fields=["deleted_at", "deleted_by"])
        audit.record(obj, AuditAction.RESTORE, {"deleted_at": [deleted_at, None]})
