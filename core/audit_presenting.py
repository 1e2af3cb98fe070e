"""Audit changes in words a person reads: related rows by name, Yes/No, dates in the reader's language, choice labels.

Knows no domain: everything comes from the audited model's meta (`content_type.model_class()`), so a new model's
history reads well without a line here. Related names are read in one query per related model for a whole page
of entries, whatever the page's length.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.formats import date_format, time_format
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext

from core.models import AuditEntry

# Values that say nothing: a new object's empty fields are left out of its history.
EMPTY: tuple[object, ...] = (None, "", [], {})
# A detail page shows this many of an object's entries; the audit trail has them all.
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class ChangeLine:
    """One field's change as text; `old` is None for a value set where there was none (a creation)."""

    label: str
    old: str | None
    new: str


def present_entries(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The entries, each given `change_lines` (a list of ChangeLine) and `changed_labels` (for a one-line summary).

    Costs one query per related model named in the page's changes (users, properties, …), never one per entry."""
    entries = list(entries)
    fields_by_entry = [_fields_of(entry) for entry in entries]
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry, fields in zip(entries, fields_by_entry, strict=True):
        for name, (old, new) in _pairs(entry.changes):
            field = fields.get(name)
            if field is not None and field.is_relation and field.related_model is not None:
                related = _related_model(field)
                for value in (old, new):
                    wanted[related].update(_keys(related, value))
    names = {model: _names(model, keys) for model, keys in wanted.items() if keys}
    for entry, fields in zip(entries, fields_by_entry, strict=True):
        lines = []
        for name, (old, new) in _in_field_order(_pairs(entry.changes), fields):
            if old in EMPTY and new in EMPTY:
                continue
            field = fields.get(name)
            lines.append(
                ChangeLine(
                    label=_label(name, field),
                    old=None if old in EMPTY else _text(old, field, names),
                    new=_text(new, field, names),
                )
            )
        entry.change_lines = lines  # type: ignore[attr-defined]  # read by the templates, like a prefetch's to_attr
        entry.changed_labels = ", ".join(line.label for line in lines)  # type: ignore[attr-defined]
    return entries


def _pairs(changes) -> list[tuple[str, tuple[object, object]]]:
    """`{field: [old, new]}` as (field, (old, new)); a bare value (older entries wrote some) is a new value."""
    pairs = []
    for name, values in (changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            pairs.append((str(name), (values[0], values[1])))
        else:
            pairs.append((str(name), (None, values)))
    return pairs


def _in_field_order(pairs: list, fields: dict) -> list:
    """The model's fields in the order the model declares them (as its forms show them), then keys that name no
    field as stored: PostgreSQL's jsonb keeps keys in an order of its own."""

    def position(indexed_pair):
        index, (name, _values) = indexed_pair
        field = fields.get(name)
        return (0, field.creation_counter) if field is not None else (1, index)

    return [pair for _index, pair in sorted(enumerate(pairs), key=position)]


def _fields_of(entry: AuditEntry) -> dict[str, models.Field | None]:
    # get_for_id reads ContentType's own cache: no query per entry, unlike `entry.content_type`.
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    return {name: _field(model, name) for name, _values in _pairs(entry.changes)}


def _field(model: type[models.Model] | None, name: str):
    """The model field an audit key names (`property` or `property_id`), or None for keys of the service's own."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if field.concrete or field.many_to_many:
            return field
    return None


def _related_model(field) -> type[models.Model]:
    return field.related_model


def _keys(model: type[models.Model], value) -> set:
    """The primary keys a stored value holds (one id, or a list of ids for a many-to-many); text that is not a key
    (a tag's name, as some services write) is no key."""
    values = value if isinstance(value, list) else [value]
    keys = set()
    for item in values:
        if item in EMPTY or isinstance(item, (bool, dict, list)):
            continue
        try:
            keys.add(model._meta.pk.to_python(item))
        except (ValidationError, TypeError, ValueError):
            continue
    return keys


def _names(model: type[models.Model], keys: set) -> dict:
    """`{pk: name}` for the rows that still exist, soft-deleted ones marked; the base manager sees them all."""
    names = {}
    is_user = model is get_user_model()
    # Joined one level deep, so a __str__ that names a related row ("Airbnb calendar of Beach House") costs no query.
    related = [field.name for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one]
    for row in model._base_manager.filter(pk__in=keys).select_related(*related):
        name = (row.get_full_name() or row.get_username()) if is_user else str(row)  # type: ignore[attr-defined]
        if getattr(row, "deleted_at", None) is not None:
            name = gettext("%(name)s (deleted)") % {"name": name}
        names[row.pk] = name
    return names


def _label(name: str, field) -> str:
    if field is not None:
        return capfirst(str(field.verbose_name))
    return capfirst(name.removesuffix("_id").replace("_", " "))


def _text(value, field, names: dict) -> str:
    """One stored JSON value as the reader sees it."""
    if value in EMPTY:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if field is not None and field.is_relation and field.related_model is not None:
        return _related_text(value, _related_model(field), names)
    if isinstance(value, list):
        return ", ".join(_text(item, field, names) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if field is None:
        return str(value)
    choices = dict(field.flatchoices) if field.choices else {}
    if value in choices:
        return str(choices[value])
    return _formatted(value, field)


def _related_text(value, model: type[models.Model], names: dict) -> str:
    values = value if isinstance(value, list) else [value]
    texts = []
    known = names.get(model, {})
    for item in values:
        keys = _keys(model, item)
        if not keys:
            texts.append(str(item))
            continue
        key = keys.pop()
        texts.append(known.get(key) or gettext("#%(id)s (deleted)") % {"id": item})
    return ", ".join(texts)


def _formatted(value, field) -> str:
    """Dates, times and moments in the active language's format names; other values as written."""
    text = str(value)
    if isinstance(field, models.DateTimeField):
        moment = _parsed(parse_datetime, text)
        if moment is not None:
            return date_format(localtime(moment) if is_aware(moment) else moment, "DATETIME_FORMAT")
    elif isinstance(field, models.DateField):
        day = _parsed(parse_date, text)
        if day is not None:
            return date_format(day, "DATE_FORMAT")
    elif isinstance(field, models.TimeField):
        at = _parsed(parse_time, text)
        if at is not None:
            return time_format(at, "TIME_FORMAT")
    return text


def _parsed(parse, text: str):
    """Django's parsers answer None for text of another shape and raise for a well-shaped impossible value."""
    try:
        return parse(text)
    except ValueError:
        return None


class History(list):
    """An object's latest entries, presented; `truncated` when older ones were left out."""

    truncated = False


def present_history(entries: "models.QuerySet[AuditEntry]", *, limit: int = HISTORY_LIMIT) -> History:
    """The newest `limit` entries of an object's history (AuditEntry.objects.for_object), for core/_history.html."""
    rows = list(entries.order_by("-created_at", "-id")[: limit + 1])
    history = History(present_entries(rows[:limit]))
    history.truncated = len(rows) > limit
    return history


def lazy_history(entries: "models.QuerySet[AuditEntry]") -> History:
    """present_history, read when a template first touches it: a page whose HTMX parts leave the history out
    pays nothing for it, and a page that shows it reads it once."""
    return SimpleLazyObject(lambda: present_history(entries))  # type: ignore[return-value]
