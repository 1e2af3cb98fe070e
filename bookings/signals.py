"""The one announcement `bookings` makes to the apps built on it (wbs keeps turnover tasks in step).

Sent inside the transaction that changed the bookings, so a receiver's writes commit or roll back with them.
"""

from django.dispatch import Signal

# Keyword arguments:
#   booking_ids: list[int] -- bookings created, changed, cancelled, deleted or restored
#   source: str            -- a core.models.AuditSource value ("web", "import", "cli", ...)
#   changes: dict[int, dict] -- per booking id, the audit diff {field: [old, new]}; {} for a new booking
bookings_changed = Signal()


def announce_bookings_changed(booking_ids, *, source: str, changes: dict | None = None) -> None:
    ids = sorted(set(booking_ids))
    if ids:
        bookings_changed.send(sender="bookings", booking_ids=ids, source=source, changes=changes or {})
