"""Importing bookings from Airbnb, Booking.com and StayOps-template spreadsheets: the public services."""

from bookings.importing.files import FileRejected
from bookings.importing.report import import_error_report
from bookings.importing.service import (
    import_batch_apply,
    import_batch_create,
    import_batch_estimate_rows,
    import_batch_preview,
    import_file,
)

__all__ = [
    "FileRejected",
    "import_batch_apply",
    "import_batch_create",
    "import_batch_estimate_rows",
    "import_batch_preview",
    "import_error_report",
    "import_file",
]
