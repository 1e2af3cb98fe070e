"""The booking table (django-tables2): columns, sorting, and the spreadsheet rows of its export."""

import django_tables2 as tables
from django.utils.html import format_html

from bookings.models import Booking


def status_badge(booking: Booking) -> str:
    return format_html(
        '<span class="badge bk-status bk-status-{}">{}</span>', booking.status, booking.get_status_display()
    )


class BookingTable(tables.Table):
    guest_name = tables.Column(verbose_name="Guest", linkify=True, attrs={"td": {"class": "bk-guest"}})
    property = tables.Column(order_by=("property__name", "check_in"))
    check_in = tables.DateColumn(format="D j M Y", verbose_name="Check-in", attrs={"td": {"class": "nowrap"}})
    check_out = tables.DateColumn(format="D j M Y", verbose_name="Check-out", attrs={"td": {"class": "nowrap"}})
    nights = tables.Column(empty_values=(), orderable=False, attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    status = tables.Column()
    source = tables.Column()
    external_code = tables.Column(verbose_name="Code", attrs={"td": {"class": "mono"}})
    amount = tables.Column(attrs={"td": {"class": "num nowrap"}, "th": {"class": "num"}})

    class Meta:
        model = Booking
        fields = ["guest_name", "property", "check_in", "check_out", "nights", "status", "source", "external_code"]
        sequence = [*fields, "amount"]
        order_by = ("check_in",)
        template_name = "bookings/booking_table_tables2.html"
        attrs = {"class": "bk-table"}
        empty_text = "No bookings match these filters."

    def render_nights(self, record: Booking) -> int:
        return record.nights()

    def render_status(self, record: Booking) -> str:
        if record.edited_by_hand:
            return format_html('{} <span class="bk-hand" title="Edited by hand">✎</span>', status_badge(record))
        return status_badge(record)

    def render_amount(self, value, record: Booking) -> str:
        return f"{value:,.2f} {record.currency}".strip()


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
