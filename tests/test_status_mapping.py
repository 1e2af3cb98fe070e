"""Status mapping: the built-in aliases the issue lists, managers' database aliases, unknown statuses."""

import pytest

from bookings.models import BookingStatus, StatusAlias
from bookings.status_mapping import (
    AIRBNB_ALIASES,
    BOOKINGCOM_ALIASES,
    GENERIC_ALIASES,
    UnknownStatus,
    load_status_mapper,
    map_status,
    normalize_status,
)
from tests.factories import make_loft
from tests.import_files import airbnb_row, airbnb_xlsx, preview

BUILT_IN_CASES = [
    ("Pending", "booked"),
    ("Requested", "booked"),
    ("Confirmed", "confirmed"),
    ("Cancelled", "cancelled"),
    ("Canceled", "cancelled"),
    ("Completed", "completed"),
    ("Owner Staying", "owner_staying"),
    ("Currently Hosting", "currently_hosting"),
    ("Arriving soon", "confirmed"),
    ("Checking out today", "confirmed"),
    ("Past guest", "completed"),
    ("Canceled by guest", "cancelled"),
    ("Canceled by host", "cancelled"),
    ("Canceled by Airbnb", "cancelled"),
    ("Request", "booked"),
    ("Awaiting guest verification", "booked"),
    ("ok", "confirmed"),
    ("cancelled_by_guest", "cancelled"),
    ("cancelled_by_hotel", "cancelled"),
    ("no_show", "cancelled"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("word", "status"), BUILT_IN_CASES)
def test_it_maps_every_built_in_alias_ignoring_case_and_whitespace(word, status):
    mapper = load_status_mapper()
    assert mapper.map(word) == status
    assert mapper.map(f"  {word.upper()}  ".replace(" ", "   ")) == status


def test_the_built_in_tables_never_disagree():
    merged = {}
    for table in (GENERIC_ALIASES, AIRBNB_ALIASES, BOOKINGCOM_ALIASES):
        for word, status in table.items():
            assert merged.setdefault(normalize_status(word), status) == status


@pytest.mark.django_db
def test_an_unknown_status_names_the_value_and_where_to_add_an_alias():
    with pytest.raises(UnknownStatus) as raised:
        load_status_mapper().map("Tentative")
    assert "'Tentative'" in str(raised.value) and "Status aliases" in str(raised.value)


@pytest.mark.django_db
def test_a_database_alias_extends_the_mapping_per_source_or_for_all():
    StatusAlias.objects.create(source="", value="Tentative", status=BookingStatus.BOOKED)
    StatusAlias.objects.create(source="airbnb", value="Pending", status=BookingStatus.CONFIRMED)
    assert map_status(" tentative ", "bookingcom") == "booked"
    assert map_status("Pending", "airbnb") == "confirmed"  # a source's own alias wins over the built-in
    assert map_status("Pending", "bookingcom") == "booked"


@pytest.mark.django_db
def test_an_import_uses_database_aliases_with_one_query(manager, django_assert_max_num_queries):
    make_loft()
    StatusAlias.objects.create(source="airbnb", value="Deposit paid", status=BookingStatus.CONFIRMED)
    batch = preview(
        airbnb_xlsx([airbnb_row(status="Deposit paid"), airbnb_row("HM2", status="Weird")]), "r.xlsx", manager
    )
    rows = {row.external_code: row for row in batch.rows.all()}
    assert (
        rows["HMABC12345"].data["status"] == "confirmed" and rows["HMABC12345"].data["source_status"] == "Deposit paid"
    )
    assert rows["HM2"].action == "error" and rows["HM2"].errors[0]["value"] == "Weird"
    with django_assert_max_num_queries(1):
        load_status_mapper()
