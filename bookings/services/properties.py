"""Writes to properties: create, update, archive (soft delete) and restore, each audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, Property
from core import audit, softdelete
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.models import AuditAction
from core.text import single_line

PROPERTY_AUDIT_FIELDS = [
    "name",
    "code",
    "address",
    "time_zone",
    "check_in_time",
    "check_out_time",
    "aliases",
    "active",
    "maintenance_owner",
]


def clean_aliases(aliases) -> list[str]:
    """Aliases as a list of distinct, trimmed names (case-insensitively distinct), in the order given."""
    if isinstance(aliases, str):
        aliases = aliases.splitlines()
    seen: set[str] = set()
    cleaned = []
    for alias in aliases or []:
        alias = " ".join(str(alias).split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            cleaned.append(alias)
    return cleaned


def _normalise(prop: Property) -> None:
    prop.code = (prop.code or "").strip().upper()
    prop.name = single_line(prop.name)
    prop.aliases = clean_aliases(prop.aliases)


def check_property_unique(prop: Property) -> None:
    """Clear messages for a code or alias another live property already has (imports match on both)."""
    others = Property.objects.exclude(pk=prop.pk) if prop.pk else Property.objects.all()
    errors = {}
    if prop.code:
        taken = others.filter(code__iexact=prop.code).first()
        if taken is not None:
            errors["code"] = f"The code {prop.code} is already used by {taken.name}; choose another."
    if prop.aliases:
        clashes = []
        for other in others.only("name", "aliases"):
            other_names = {alias.casefold() for alias in other.aliases} | {other.name.casefold()}
            clashes += [f"“{alias}” ({other.name})" for alias in prop.aliases if alias.casefold() in other_names]
        if clashes:
            errors["aliases"] = (
                "Imports would not know which property these mean; they already name another property: "
                + ", ".join(clashes)
                + "."
            )
    if errors:
        raise ValidationError(errors)


@acting_user
def property_create(*, user, **fields) -> Property:
    prop = Property(**fields)
    _normalise(prop)
    with transaction.atomic():
        check_property_unique(prop)
        prop.full_clean()
        prop.save()
        audit.record_created(prop, PROPERTY_AUDIT_FIELDS)
    return prop


@acting_user
def property_update(*, property: Property, user, **changes) -> dict:
    """Apply changes, validate, save and audit. Returns the audit diff; {} (and no write) when nothing changed."""
    unknown = set(changes) - set(PROPERTY_AUDIT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable property fields: {sorted(unknown)}")
    prop = property
    before = audit.snapshot(prop, PROPERTY_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(prop, name, value)
    _normalise(prop)
    diff = audit.diff(before, audit.snapshot(prop, PROPERTY_AUDIT_FIELDS))
    if not diff:
        return {}
    with transaction.atomic():
        check_property_unique(prop)
        prop.full_clean()
        prop.save()
        audit.record(prop, AuditAction.UPDATE, diff)
    return diff


@acting_user
def property_alias_add(*, property: Property, alias: str, user) -> Property:
    """Teach imports another listing name for a property (audited as an update of its aliases).

    A name the property already answers to (its name, code or an alias) changes nothing; a name another property
    answers to is refused with a ValidationError naming it.
    """
    prop = property
    alias = " ".join(str(alias).split())
    if not alias:
        raise InvalidInput("Write the listing name to add as an alias.")
    known = {name.casefold() for name in prop.aliases or []} | {prop.name.casefold(), prop.code.casefold()}
    if alias.casefold() not in known:
        property_update(property=prop, user=user, aliases=[*(prop.aliases or []), alias])
    return prop


@acting_user
def property_archive(*, property: Property, user) -> None:
    """Soft delete a property. Refused while it has stays to come: they would vanish from the timeline."""
    prop = property
    if prop.is_deleted:
        return
    upcoming = Booking.objects.not_cancelled().filter(property=prop, check_out__gte=timezone.localdate()).count()
    if upcoming:
        raise InvalidInput(
            f"{prop.name} has {upcoming} current or upcoming booking{'s' if upcoming != 1 else ''}. "
            "Cancel them or move them to another property before archiving it."
        )
    softdelete.soft_delete(prop, user=user)


@acting_user
def property_restore(*, property: Property, user) -> None:
    """Bring a property back from the trash, unless a live property took its code meanwhile."""
    prop = property
    if not prop.is_deleted:
        return
    taken = Property.objects.filter(code__iexact=prop.code).exclude(pk=prop.pk).first()
    if taken is not None:
        raise InvalidInput(
            f"Cannot restore {prop.name}: its code {prop.code} now belongs to {taken.name}. "
            "Change that property's code first."
        )
    softdelete.restore(prop, user=user)
