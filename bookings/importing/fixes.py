"""Fixing an import from its preview: the fixes offered for grouped row errors (see `error_groups.py`).

A listing that matches no property is mapped to a property (kept as its alias) or becomes a new property; an
unknown status word is mapped to an internal status (kept as a status alias). The batch is then planned again
from its stored file: nothing is uploaded twice.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from bookings.importing.batches import import_batch_start_preview
from bookings.importing.formats import FORMATS
from bookings.models import ImportBatch, ImportState, Property
from bookings.services.properties import property_alias_add, property_create
from bookings.services.status_aliases import status_alias_create
from core.audit_context import acting_user
from core.errors import Conflict, InvalidInput

FIXABLE_STATES = (ImportState.PREVIEWED, ImportState.STALE)


@dataclass(frozen=True)
class ListingFix:
    """A listing the file names: map it to `property`, or (property None) create a property `name`, `code`."""

    listing: str
    property: Property | None = None
    name: str = ""
    code: str = ""


@dataclass(frozen=True)
class StatusFix:
    value: str
    status: str


@acting_user
def import_batch_fix(*, batch: ImportBatch, listings: list[ListingFix], statuses: list[StatusFix], user) -> ImportBatch:
    """Save the mappings (aliases, new properties, status aliases) in one transaction, audited, then plan the
    batch again from its stored file. Bad input raises InvalidInput naming what to fix, and writes nothing."""
    if batch.state not in FIXABLE_STATES:
        raise Conflict(f"This import is {batch.get_state_display().lower()}; its rows can no longer be fixed here.")
    if not (listings or statuses):
        raise InvalidInput("Choose a property or a status for at least one value, then press “Save and check again”.")
    with transaction.atomic():
        for fix in listings:
            _fix_listing(fix, user)
        source = _batch_source(batch)
        for status_fix in statuses:
            try:
                status_alias_create(value=status_fix.value, status=status_fix.status, source=source)
            except ValidationError as refused:
                raise InvalidInput(f"Status “{status_fix.value}”: {' '.join(refused.messages)}") from refused
    return import_batch_start_preview(batch=batch)


def _fix_listing(fix: ListingFix, user) -> None:
    listing = " ".join(fix.listing.split())
    if not listing:
        raise InvalidInput("A listing without a name cannot be mapped; fix that row in the file.")
    try:
        if fix.property is not None:
            property_alias_add(property=fix.property, alias=listing, user=user)
            return
        name, code = " ".join(fix.name.split()), fix.code.strip()
        if not name:
            raise InvalidInput(f"Listing “{listing}”: write a name for the new property.")
        if not code:
            raise InvalidInput(f"Listing “{listing}”: write a short code for the new property, e.g. LOFT.")
        same_name = Property.objects.filter(name__iexact=name).first()
        if same_name is not None:
            raise InvalidInput(
                f"Listing “{listing}”: a property named {same_name.name} already exists; choose it in the list "
                "instead of creating it again."
            )
        aliases = [] if listing.casefold() == name.casefold() else [listing]
        property_create(user=user, name=name, code=code, aliases=aliases)
    except ValidationError as refused:
        raise InvalidInput(f"Listing “{listing}”: {' '.join(refused.messages)}") from refused


def _batch_source(batch: ImportBatch) -> str:
    """The platform a format belongs to, so the alias applies to its exports only; "" (every source) otherwise."""
    fmt = FORMATS.get(batch.source_format)
    return (fmt.source or "") if fmt is not None else ""
