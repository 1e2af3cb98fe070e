"""Writing the audit trail: one entry per change, in bulk for bulk work."""

import datetime
import decimal
import functools
from collections.abc import Iterable
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.audit_context import current_audit_context
from core.bulk import insert_many, insert_rows
from core.models import AuditAction, AuditEntry

REPR_MAX = 200


def _json_value(value):
    """Audit changes are stored as JSON: dates, decimals and model instances become strings."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The audited values of `obj`: foreign keys by id, so a snapshot costs no query."""
    return {name: getattr(obj, attname) for name, attname in _attnames(type(obj), tuple(fields))}


@functools.lru_cache(maxsize=256)
def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(name, column attribute) of each field, looked up once per model and field list (a turnover sync
    snapshots thousands of tasks)."""
    pairs = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name} is a reverse relation, not a column"
        pairs.append((name, field.attname))
    return tuple(pairs)


def diff(before: dict, after: dict) -> dict:
    """`{field: [old, new]}` for every field whose value changed."""
    changes = {}
    for name in after:
        old, new = _json_value(before.get(name)), _json_value(after[name])
        if old != new:
            changes[name] = [old, new]
    return changes


def diff_from_nothing(after: dict) -> dict:
    """`diff({}, after)` for a new object, converting each value once (a sync creates thousands of tasks)."""
    changes = {}
    for name, value in after.items():
        # Most values are text, numbers or flags already: no conversion to look up.
        new = value if type(value) in _JSON_AS_IS else _json_value(value)
        if new is not None:
            changes[name] = [None, new]
    return changes


_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})


def build_entry(
    obj: models.Model,
    action: str,
    changes: dict | None = None,
    *,
    message: str = "",
    content_type: ContentType | None = None,
    changes_are_json: bool = False,
) -> AuditEntry:
    """An unsaved entry for record_many. `changes_are_json` skips converting changes already made of JSON values
    (an import's rows are), which is most of the cost of building ten thousand entries."""
    context = current_audit_context()
    return AuditEntry(
        actor_id=context.actor_id,
        source=context.source,
        # By id: assigning the instance goes through Django's descriptor, a real share of ten thousand entries.
        content_type_id=(content_type or ContentType.objects.get_for_model(obj, for_concrete_model=False)).pk,
        object_id=str(obj.pk),
        object_repr=str(obj)[:REPR_MAX],
        action=action,
        changes=(changes or {}) if changes_are_json else _json_value(changes or {}),
        message=message[:300],
        batch_id=context.batch_id,
        request_id=context.request_id,
        created_at=timezone.now(),
    )


def record(obj: models.Model, action: str, changes: dict | None = None, *, message: str = "") -> AuditEntry:
    """Write one audit entry for `obj` with the current audit context (actor, source, request, batch)."""
    entry = build_entry(obj, action, changes, message=message)
    entry.save()
    return entry


def record_created(obj: models.Model, fields: Iterable[str], *, message: str = "") -> AuditEntry:
    return record(obj, AuditAction.CREATE, diff({}, snapshot(obj, fields)), message=message)


def record_many(entries: list[AuditEntry], *, batch_size: int = 1000) -> None:
    """Insert entries built with `build_entry` in bulk: imports write thousands at once."""
    insert_many(AuditEntry, entries, batch_size=batch_size)


# The columns of an entry written as a plain row (EntryRows).
ROW_COLUMNS = (
    "actor_id",
    "source",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "message",
    "batch_id",
    "request_id",
)


class Audited(Protocol):
    """What an entry reads of its object: a model instance, or a row standing for one (a turnover sync's new
    tasks) with the instance's primary key and str()."""

    @property
    def pk(self) -> Any: ...


class EntryRows:
    """Entries about objects of one type, gathered as plain rows and written in bulk: what build_entry and
    record_many do, with the audit context and the time taken once rather than per entry, and no model instances
    (an import writes ten thousand entries)."""

    def __init__(self, content_type: ContentType):
        context = current_audit_context()
        self._head = (context.actor_id, context.source, content_type.pk)
        # created_at is left to the column's default, taken once per write (not converted once per row).
        self._tail = (context.batch_id, context.request_id)
        self.rows: list[tuple] = []

    def add(self, obj: Audited, action: str, changes: dict, *, message: str = "", changes_are_json=False) -> None:
        self.rows.append(
            (
                *self._head,
                str(obj.pk),
                str(obj)[:REPR_MAX],
                action,
                changes if changes_are_json else _json_value(changes),
                message[:300],
                *self._tail,
            )
        )

    def write(self) -> int:
        written = insert_rows(AuditEntry, ROW_COLUMNS, self.rows)
        self.rows = []
        return written
