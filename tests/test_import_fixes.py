"""Fixing an import from its preview: errors grouped by cause, listings mapped or created, statuses mapped, the
preview planned again from the stored file; bad input writes nothing."""

import datetime

import pytest
from django.urls import reverse

from bookings.importing.error_groups import group_row_errors
from bookings.importing.fixes import ListingFix, StatusFix, import_batch_fix
from bookings.importing.planning import UNKNOWN_PROPERTY, UNKNOWN_STATUS
from bookings.models import ImportBatch, ImportState, Property, StatusAlias
from bookings.services.properties import property_alias_add
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from tests.import_files import airbnb_row, airbnb_xlsx, preview, preview_and_apply

pytestmark = pytest.mark.django_db


def stay(index: int) -> dict:
    start = datetime.date(2026, 5, 1) + datetime.timedelta(days=3 * index)
    return {"check_in": start, "check_out": start + datetime.timedelta(days=2)}


def listing_rows():
    """Three rows for "City Loft", two for "Sea View", one unknown status, one bad date, one good row."""
    return [
        *(airbnb_row(f"HMCITY{index}", listing="City Loft", **stay(index)) for index in range(3)),
        *(airbnb_row(f"HMSEA{index}", listing="sea  view", **stay(index)) for index in range(2)),
        airbnb_row("HMSTAT", status="Awaiting payment", **stay(7)),
        airbnb_row("HMDATE", check_in="02/31/2026", check_out=datetime.date(2026, 5, 30)),
        airbnb_row("HMOK", **stay(9)),
    ]


# --- grouping --------------------------------------------------------------------------------------------


def error(cause: str, value: str, column: str = "Listing", reason: str = "matches no property") -> dict:
    return {"column": column, "value": value, "reason": reason, "cause": cause}


def test_it_groups_listings_by_value_with_row_counts_most_rows_first():
    rows = [(2 + index, [error(UNKNOWN_PROPERTY, "City Loft")]) for index in range(100)]
    rows += [(200 + index, [error(UNKNOWN_PROPERTY, "sea  VIEW" if index % 2 else "Sea View")]) for index in range(120)]
    rows += [(400, [error(UNKNOWN_PROPERTY, "Attic")])]

    (group,) = group_row_errors(rows)

    assert group.cause == UNKNOWN_PROPERTY and group.rows == 221
    assert [(item.value, item.rows) for item in group.values] == [("Sea View", 120), ("City Loft", 100), ("Attic", 1)]
    assert group.summary == "3 listings match no property: Sea View (120 rows), City Loft (100 rows), Attic (1 row)"


def test_other_errors_group_by_column_and_reason_with_example_rows():
    bad_date = {"column": "Start date", "value": "x", "reason": "is not a real date"}
    order = {"column": "End date", "value": "", "reason": "is not after check-in (2026-03-14): check the dates"}
    order_2 = {**order, "reason": "is not after check-in (2026-04-02): check the dates"}
    rows = [(number, [bad_date]) for number in range(2, 10)] + [(20, [order]), (21, [order_2])]
    rows += [(30, [error(UNKNOWN_STATUS, "Awaiting payment", "Status", "is an unknown status")])]

    status, dates, ends = group_row_errors(rows)

    assert status.summary == "1 status is unknown: Awaiting payment (1 row)"
    assert (dates.rows, dates.examples, dates.more_examples) == (8, [2, 3, 4, 5, 6], True)
    assert dates.summary == "Start date is not a real date: 8 rows"
    assert ends.rows == 2 and not ends.fixable


def test_a_row_counts_once_per_cause_and_old_rows_without_a_cause_are_recognised():
    legacy = {"column": "Listing", "value": "Attic", "reason": "matches no property. Add it to the property's aliases"}
    rows = [(2, [legacy, {"column": "Status", "value": "Zzz", "reason": "is an unknown status ('Zzz'). Add it"}])]
    listings, statuses = group_row_errors(rows)
    assert (listings.cause, listings.rows, statuses.cause, statuses.rows) == (UNKNOWN_PROPERTY, 1, UNKNOWN_STATUS, 1)


def test_a_preview_records_the_cause_of_listing_and_status_errors(manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    causes = [group.cause for group in group_row_errors(batch.rows.values_list("row_number", "errors"))]
    assert causes == [UNKNOWN_PROPERTY, UNKNOWN_STATUS, ""]


# --- services --------------------------------------------------------------------------------------------


def test_property_alias_add_saves_the_listing_with_an_audit_entry(manager, loft):
    property_alias_add(property=loft, alias="  City   Loft ", user=manager)
    loft.refresh_from_db()
    assert loft.aliases == ["Sunny Loft by the Beach", "City Loft"]
    entry = AuditEntry.objects.get(object_id=str(loft.pk), action="update")
    assert entry.changes["aliases"][1] == ["Sunny Loft by the Beach", "City Loft"]
    # A name the property answers to already changes nothing.
    property_alias_add(property=loft, alias="sunny loft", user=manager)
    assert AuditEntry.objects.filter(object_id=str(loft.pk)).count() == 1


def test_fixing_maps_one_listing_creates_another_maps_the_status_and_plans_again(manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    assert batch.counts["errors"] == 7 and batch.counts["created"] == 1
    uploaded_file = batch.file.name

    batch = import_batch_fix(
        batch=batch,
        listings=[
            ListingFix(listing="City Loft", property=loft),
            ListingFix(listing="sea view", name="Sea View", code="sea"),
        ],
        statuses=[StatusFix(value="Awaiting payment", status="booked")],
        user=manager,
    )

    assert batch.state == ImportState.PREVIEWED and batch.file.name == uploaded_file
    assert batch.counts["errors"] == 1 and batch.counts["created"] == 7
    loft.refresh_from_db()
    assert "City Loft" in loft.aliases
    sea = Property.objects.get(code="SEA")
    assert sea.name == "Sea View" and sea.aliases == []  # the name itself matches the listing
    alias = StatusAlias.objects.get()
    assert (alias.value, alias.status, alias.source) == ("Awaiting payment", "booked", "airbnb")
    actions = set(AuditEntry.objects.values_list("content_type__model", "action"))
    assert {("property", "update"), ("property", "create"), ("statusalias", "create")} <= actions


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        (ListingFix(listing="Sea View", name="  ", code="SEA"), "write a name"),
        (ListingFix(listing="Sea View", name="Sea View", code=""), "write a short code"),
        (ListingFix(listing="Sea View", name="Sea View", code="loft"), "The code LOFT is already used by Sunny Loft"),
        (ListingFix(listing="Sea View", name="sunny loft", code="SEA2"), "a property named Sunny Loft already exists"),
    ],
)
def test_bad_input_says_what_to_fix_and_writes_nothing(manager, loft, fix, message):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput, match=message):
        # The first listing's alias would be valid: it is rolled back with the rest.
        import_batch_fix(
            batch=batch, listings=[ListingFix(listing="City Loft", property=loft), fix], statuses=[], user=manager
        )
    loft.refresh_from_db()
    assert loft.aliases == ["Sunny Loft by the Beach"]
    assert Property.objects.count() == 1 and AuditEntry.objects.count() == before
    assert ImportBatch.objects.get(pk=batch.pk).counts == batch.counts


def test_an_applied_import_cannot_be_fixed(manager, loft):
    batch = preview_and_apply(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    with pytest.raises(Conflict):
        import_batch_fix(
            batch=batch, listings=[ListingFix(listing="City Loft", property=loft)], statuses=[], user=manager
        )


# --- the page --------------------------------------------------------------------------------------------


def fix_post(batch, listings=(), statuses=()) -> dict:
    data = {
        "listing-TOTAL_FORMS": len(listings), "listing-INITIAL_FORMS": len(listings),
        "status-TOTAL_FORMS": len(statuses), "status-INITIAL_FORMS": len(statuses),
    }  # fmt: skip
    for index, (listing, target, name, code) in enumerate(listings):
        data |= {f"listing-{index}-listing": listing, f"listing-{index}-target": target}
        data |= {f"listing-{index}-name": name, f"listing-{index}-code": code}
    for index, (value, status) in enumerate(statuses):
        data |= {f"status-{index}-value": value, f"status-{index}-status": status}
    return data


def test_the_preview_shows_errors_by_cause_and_a_fix_form(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    html = manager_client.get(batch.get_absolute_url()).content.decode()
    assert "7 rows refused, for 3 causes" in html
    assert "2 listings match no property: City Loft (3 rows), sea view (2 rows)" in html
    assert "1 status is unknown: Awaiting payment (1 row)" in html
    assert "Save and check again" in html and 'name="listing-0-target"' in html


def test_the_fix_recomputes_the_preview_in_place(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    data = fix_post(batch, [("City Loft", str(loft.pk), "", ""), ("sea view", "new", "Sea View", "SEA")])
    response = manager_client.post(
        reverse("bookings:import_fix", args=[batch.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-preview"')
    assert "2 rows refused, for 2 causes" in html and "match no property" not in html
    assert ImportBatch.objects.get(pk=batch.pk).counts["created"] == 6


def test_a_refused_fix_is_shown_in_place_and_keeps_the_choices(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    data = fix_post(batch, [("City Loft", "new", "City Loft", "LOFT")])
    response = manager_client.post(
        reverse("bookings:import_fix", args=[batch.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved." in html and "The code LOFT is already used by Sunny Loft" in html
    assert Property.objects.count() == 1


def test_a_new_property_without_a_code_is_a_field_error(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    data = fix_post(batch, [("City Loft", "new", "City Loft", "")])
    response = manager_client.post(reverse("bookings:import_fix", args=[batch.pk]), data)
    assert response.status_code == 400
    assert "Write a short code, e.g. LOFT." in response.content.decode()


def test_without_htmx_the_fix_redirects_to_the_preview(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    response = manager_client.post(
        reverse("bookings:import_fix", args=[batch.pk]), fix_post(batch, statuses=[("Awaiting payment", "confirmed")])
    )
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert StatusAlias.objects.get().status == "confirmed"


def test_cleaners_cannot_fix_an_import(cleaner_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    response = cleaner_client.post(reverse("bookings:import_fix", args=[batch.pk]), fix_post(batch))
    assert response.status_code == 403


def test_changed_dates_and_statuses_read_as_the_pages_show_them(manager_client, manager, loft):
    first = airbnb_row("HMMOVE", check_in=datetime.date(2026, 3, 14), check_out=datetime.date(2026, 3, 17))
    preview_and_apply(airbnb_xlsx([first]), "r.xlsx", manager)
    moved = airbnb_row(
        "HMMOVE", status="Pending", check_in=datetime.date(2026, 3, 15), check_out=datetime.date(2026, 3, 18)
    )
    batch = preview(airbnb_xlsx([moved]), "r2.xlsx", manager)
    html = manager_client.get(batch.get_absolute_url()).content.decode()
    assert "Sat 14 Mar 2026" in html and "Sun 15 Mar 2026" in html and "Wed 18 Mar 2026" in html
    assert "2026-03-15" not in html
    assert ">Confirmed<" in html and ">Booked<" in html


@pytest.mark.parametrize("row_count", [4, 40])
def test_the_preview_with_errors_by_cause_runs_a_fixed_number_of_queries(
    manager_client, manager, loft, row_count, django_assert_num_queries
):
    rows = [
        airbnb_row(
            f"HM{index}", listing=f"Listing {index % 4}", status="Odd" if index % 3 else "Confirmed", **stay(index)
        )
        for index in range(row_count)
    ]
    batch = preview(airbnb_xlsx(rows), "many.xlsx", manager)
    # session, user, roles, batch, action counts, error groups, properties to map to, row count, page of rows
    # (no property names: every row is refused)
    with django_assert_num_queries(9):
        response = manager_client.get(batch.get_absolute_url())
    assert f"{row_count} rows refused" in response.content.decode()


def test_a_big_file_is_checked_again_in_the_background(
    manager_client, manager, loft, settings, django_capture_on_commit_callbacks
):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    settings.IMPORT_BACKGROUND_ROWS = 2
    data = fix_post(batch, [("City Loft", str(loft.pk), "", "")])
    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(
            reverse("bookings:import_fix", args=[batch.pk]), data, headers={"HX-Request": "true"}
        )
    assert ImportBatch.objects.get(pk=batch.pk).state == ImportState.QUEUED
    assert 'id="import-progress"' in response.content.decode()


def test_leaving_everything_for_now_saves_nothing_and_says_so(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    data = fix_post(batch, [("City Loft", "", "City Loft", "")], [("Awaiting payment", "")])
    response = manager_client.post(
        reverse("bookings:import_fix", args=[batch.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Choose a property or a status for at least one value" in response.content.decode()
    assert StatusAlias.objects.count() == 0 and Property.objects.count() == 1


def test_a_listing_not_among_the_errors_is_refused(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(listing_rows()), "r.xlsx", manager)
    data = fix_post(batch, [("Somewhere Else", str(loft.pk), "", "")])
    response = manager_client.post(reverse("bookings:import_fix", args=[batch.pk]), data)
    assert response.status_code == 400
    loft.refresh_from_db()
    assert loft.aliases == ["Sunny Loft by the Beach"]
