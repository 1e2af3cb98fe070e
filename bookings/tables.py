"""The booking table (django-tables2): columns, sorting, and the spreadsheet rows of its export."""

import django_tables2 as tables


class BookingTable(tables.Table):
    """Headings, their order and sorting; the template writes the cells (see booking_table_tables2.html)."""

    guest_name = tables.Column(verbose_name="Guest")
    property = tables.Column(order_by=("property__name", "check_in"))
    check_in = tables.Column(verbose_name="Check-in")
    check_out = tables.Column(verbose_name="Check-out")
    nights = tables.Column(empty_values=(), orderable=False, attrs={"th": {"class": "num"}})
    status = tables.Column()
    source = tables.Column()
    external_code = tables.Column(verbose_name="Code")
    amount = tables.Column(attrs={"th": {"class": "num"}})

    class Meta:
        order_by = ("check_in",)
        template_name = "bookings/booking_table_tables2.html"
        attrs = {"class": "bk-table"}
        empty_text = "No bookings match these filters."


EXPORT_HEADERS = [
    "Property",
    "Property code",
    "Source",
    "Confirmation code",
    "Guest",
    "Contact",
    "Adults",
    "Children",
    "Infants",
    "Check-in",
    "Check-out",
    "Nights",
    "Status",
    "Status in source",
    "Amount",
    "Currency",
    "Booked on",
    "Notes",
    "Edited by hand",
]


def export_rows(bookings, *, dates_as_text: bool):
    """One list per booking, in EXPORT_HEADERS order. CSV wants ISO dates; xlsx keeps real date cells."""

    def day(value):
        if value is None:
            return ""
        return value.isoformat() if dates_as_text else value

    for booking in bookings:
        yield [
            booking.property.name,
            booking.property.code,
            booking.get_source_display(),
            booking.external_code,
            booking.guest_name,
            booking.guest_contact,
            booking.adults,
            booking.children,
            booking.infants,
            day(booking.check_in),
            day(booking.check_out),
            booking.nights(),
            booking.get_status_display(),
            booking.source_status,
            booking.amount if booking.amount is not None else "",
            booking.currency,
            day(booking.booked_on),
            booking.notes,
            "yes" if booking.edited_by_hand else "no",
        ]
