"""Demo properties and bookings for `seed_demo`: a realistic month either side of today, in bulk."""

import datetime
import random
import string
from decimal import Decimal

from django.utils import timezone

from bookings.models import Booking, BookingConflict, BookingSource, BookingStatus, ConflictKind, Property
from bookings.services.bookings import BOOKING_AUDIT_FIELDS
from bookings.services.properties import PROPERTY_AUDIT_FIELDS
from bookings.signals import announce_bookings_changed
from core import audit
from core.audit_context import current_audit_context
from core.models import AuditAction

DEMO_PROPERTIES = [
    ("Beach House", "BEACH", "Rua do Mar 12, Ericeira", ["Ericeira Beach House", "Beach House · Sea view"], 120),
    ("Alfama Loft", "ALFAMA", "Beco do Carneiro 3, Lisboa", ["Cosy Alfama loft with river view"], 95),
    ("Sintra Garden Villa", "SINTRA", "Estrada da Pena 40, Sintra", ["Sintra Villa", "Garden villa near Pena"], 210),
    ("Ribeira Studio", "RIBEIRA", "Cais da Ribeira 7, Porto", ["Porto Ribeira studio"], 80),
    ("Cliff Apartment", "CLIFF", "Praia da Marinha, Lagoa", ["Algarve cliff apartment"], 150),
]
FIRST_NAMES = ["Emma", "Lucas", "Sofia", "Noah", "Mia", "Liam", "Ana", "Jonas", "Chloé", "Mateo", "Yuki", "Oliver",
               "Inês", "Hugo", "Lena", "Arjun", "Fatima", "Sven", "Grace", "Tomás"]  # fmt: skip
LAST_NAMES = ["Müller", "Silva", "Dubois", "Smith", "Rossi", "Nakamura", "Johansson", "García", "Kowalski", "Costa",
              "O'Brien", "Haddad", "Van Dijk", "Novak", "Pereira", "Andersen"]  # fmt: skip
SOURCES = [
    BookingSource.AIRBNB,
    BookingSource.AIRBNB,
    BookingSource.BOOKINGCOM,
    BookingSource.DIRECT,
    BookingSource.VRBO,
]
SOURCE_STATUS = {
    BookingSource.AIRBNB: {"confirmed": "Confirmed", "completed": "Past guest", "cancelled": "Canceled by guest",
                           "booked": "Pending", "currently_hosting": "Currently hosting"},
    BookingSource.BOOKINGCOM: {"confirmed": "ok", "completed": "ok", "cancelled": "cancelled_by_guest", "booked": "ok",
                               "currently_hosting": "ok"},
}  # fmt: skip
DAYS_BACK, DAYS_AHEAD = 30, 60


def _code(rng: random.Random, source: str) -> str:
    if source == BookingSource.AIRBNB:
        return "HM" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))
    if source == BookingSource.BOOKINGCOM:
        return "".join(rng.choices(string.digits, k=10))
    if source == BookingSource.VRBO:
        return "HA-" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=6))
    return ""


def _status(rng: random.Random, check_in: datetime.date, check_out: datetime.date, today: datetime.date) -> str:
    if rng.random() < 0.07:
        return BookingStatus.CANCELLED
    if check_out <= today:
        return BookingStatus.COMPLETED
    if check_in <= today:
        return BookingStatus.CURRENTLY_HOSTING
    return BookingStatus.BOOKED if rng.random() < 0.2 else BookingStatus.CONFIRMED


def _booking(rng, prop, nightly: int, check_in, nights: int, today, *, owner: bool = False) -> Booking:
    check_out = check_in + datetime.timedelta(days=nights)
    source = BookingSource.DIRECT if owner else rng.choice(SOURCES)
    status = BookingStatus.OWNER_STAYING if owner else _status(rng, check_in, check_out, today)
    adults = rng.choice([1, 2, 2, 2, 3, 4])
    return Booking(
        property=prop,
        source=source,
        external_code=_code(rng, source),
        guest_name="Owner" if owner else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        guest_contact="" if owner else f"+351 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        adults=adults,
        children=rng.choice([0, 0, 0, 1, 2]) if adults >= 2 else 0,
        check_in=check_in,
        check_out=check_out,
        status=status,
        source_status=SOURCE_STATUS.get(source, {}).get(status, ""),
        amount=None if owner else Decimal(nightly * nights + rng.randint(0, 40) * 5),
        currency="" if owner else "EUR",
        booked_on=check_in - datetime.timedelta(days=rng.randint(3, 120)),
    )


def _stays(rng: random.Random, prop: Property, nightly: int, today: datetime.date, *, first: bool) -> list[Booking]:
    """Back-to-back stays with short gaps; the first property gets a same-day turnover today and tomorrow."""
    stays = []
    day = today - datetime.timedelta(days=DAYS_BACK + rng.randint(0, 3))
    while day < today + datetime.timedelta(days=DAYS_AHEAD):
        nights = rng.choice([2, 3, 3, 4, 5, 7])
        if first and day <= today < day + datetime.timedelta(days=nights):
            # A guest leaves today and the next arrives the same day: the demo's turnover to watch.
            nights = (today - day).days or nights
        stays.append(_booking(rng, prop, nightly, day, nights, today, owner=rng.random() < 0.04))
        gap = 0 if first and stays[-1].check_out == today else rng.choice([0, 0, 1, 1, 2, 3])
        day = stays[-1].check_out + datetime.timedelta(days=gap)
    return stays


def _created_entries(objects: list, fields: list[str]) -> list:
    content_type = audit.build_entry(objects[0], AuditAction.CREATE).content_type
    return [
        audit.build_entry(
            obj,
            AuditAction.CREATE,
            audit.diff({}, audit.snapshot(obj, fields)),
            content_type=content_type,
            message="Demo data",
        )
        for obj in objects
    ]


def seed(*, users: dict, scale: int, stdout) -> None:
    if Property.all_objects.filter(code=DEMO_PROPERTIES[0][1]).exists():
        stdout.write("Demo properties exist already; bookings left as they are.")
        return
    rng = random.Random(20260314)
    today = timezone.localdate()
    properties, nightly = [], {}
    for copy in range(1, scale + 1):
        for name, code, address, aliases, price in DEMO_PROPERTIES:
            suffix = "" if copy == 1 else f" {copy}"
            prop = Property(
                name=f"{name}{suffix}",
                code=f"{code}{'' if copy == 1 else copy}",
                address=address,
                aliases=[f"{alias}{suffix}" for alias in aliases],
            )
            properties.append(prop)
            nightly[prop.code] = price
    Property.objects.bulk_create(properties)

    bookings = []
    for index, prop in enumerate(properties):
        bookings += _stays(rng, prop, nightly[prop.code], today, first=index == 0)
    # An overlap to resolve: a direct booking typed in on top of the first property's next stay.
    upcoming = next(b for b in bookings if b.property == properties[0] and b.check_in > today + datetime.timedelta(5))
    clash = _booking(rng, properties[0], 120, upcoming.check_in + datetime.timedelta(days=1), 3, today)
    clash.source, clash.external_code, clash.status, clash.edited_by_hand = BookingSource.DIRECT, "", "confirmed", True
    upcoming.status = BookingStatus.CONFIRMED
    bookings.append(clash)
    Booking.objects.bulk_create(bookings, batch_size=1000)
    BookingConflict.objects.create(
        kind=ConflictKind.OVERLAP,
        booking=clash,
        other_booking=upcoming,
        message=f"Saved by hand although it overlaps {upcoming.guest_name} ({upcoming.external_code or upcoming.pk})",
    )

    audit.record_many(
        _created_entries(properties, PROPERTY_AUDIT_FIELDS) + _created_entries(bookings, BOOKING_AUDIT_FIELDS)
    )
    announce_bookings_changed([booking.pk for booking in bookings], source=current_audit_context().source)
    stdout.write(f"Demo bookings: {len(properties)} properties, {len(bookings)} bookings, 1 open overlap conflict.")
