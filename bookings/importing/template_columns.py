"""The column headers of StayOps' own import template, shared by the reader and the template download."""

TEMPLATE_COLUMNS = [
    "Property",
    "Code",
    "Source",
    "Guest name",
    "Guest contact",
    "Adults",
    "Children",
    "Infants",
    "Check-in",
    "Check-out",
    "Status",
    "Amount",
    "Currency",
    "Notes",
]
