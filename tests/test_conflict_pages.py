"""The conflicts pages: open first, both sides compared, filters, resolving in place, access and query counts."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictKind, ConflictState
from bookings.services.conflicts import conflict_resolve
from core.models import AuditAction, AuditEntry
from tests.factories import make_property
from tests.import_files import airbnb_row, airbnb_xlsx, preview_and_apply

pytestmark = pytest.mark.django_db
LIST_URL = "/bookings/conflicts/"
MARCH_14, MARCH_17 = datetime.date(2026, 3, 14), datetime.date(2026, 3, 17)


def existing_booking(prop, code="HMOLD", guest="Olga Dias", **extra) -> Booking:
    values = {"source": "airbnb", "check_in": MARCH_14, "check_out": MARCH_17, "status": BookingStatus.CONFIRMED}
    return Booking.objects.create(property=prop, external_code=code, guest_name=guest, **{**values, **extra})


def overlap_conflict(prop, user, *, code="HMNEW", guest="Ana Ferreira") -> BookingConflict:
    """An import row whose stay collides with a booking StayOps already has."""
    existing_booking(prop, code=f"{code}-OLD")
    rows = [airbnb_row(code, guest=guest, listing=prop.code)]
    batch = preview_and_apply(airbnb_xlsx(rows), f"{code}.xlsx", user)
    return BookingConflict.objects.get(batch=batch)


def edited_by_hand_conflict(prop, user) -> BookingConflict:
    existing_booking(prop, code="HMEDIT", guest="Rui Costa", edited_by_hand=True)
    batch = preview_and_apply(airbnb_xlsx([airbnb_row("HMEDIT", guest="Rui Costa Jr")]), "edit.xlsx", user)
    return BookingConflict.objects.get(batch=batch)


def resolve_url(conflict) -> str:
    return reverse("bookings:conflict_resolve", args=[conflict.pk])


# --- access ---------------------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_cleaners(cleaner_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    assert cleaner_client.get(LIST_URL).status_code == 403
    assert cleaner_client.get(conflict.get_absolute_url()).status_code == 403
    assert cleaner_client.post(resolve_url(conflict), {"resolution": "keep_existing"}).status_code == 403
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN


def test_it_answers_404_for_a_conflict_that_does_not_exist(manager_client):
    assert manager_client.get(reverse("bookings:conflict_detail", args=[99999])).status_code == 404
    assert manager_client.post(reverse("bookings:conflict_resolve", args=[99999])).status_code == 404


# --- the list -------------------------------------------------------------------------------------------


def test_it_shows_existing_and_incoming_side_by_side(manager_client, manager, loft):
    overlap_conflict(loft, manager)
    html = manager_client.get(LIST_URL).content.decode()
    assert "Overlapping stays" in html
    assert "Already booked" in html and "Olga Dias" in html
    assert "From the file, row 2" in html and "Ana Ferreira" in html
    assert "conflict-differs" in html
    batch = BookingConflict.objects.get().batch
    # One sentence: both bookings, where each came from, the property and the nights they share.
    assert (
        f"Ana Ferreira&#x27;s Airbnb booking, from import #{batch.pk} (HMNEW.xlsx, row 2), overlaps Olga Dias&#x27;s "
        "Airbnb booking, entered by hand in StayOps, at Sunny Loft on the nights of Sat 14 Mar 2026 to "
        "Mon 16 Mar 2026 (3 nights)."
    ) in html
    # Three choices, each an outcome, with what it does written beside it (not in a tooltip).
    labels = [
        "Keep Olga Dias&#x27;s Airbnb booking, cancel Ana Ferreira&#x27;s Airbnb booking",
        "Keep Ana Ferreira&#x27;s Airbnb booking, cancel Olga Dias&#x27;s Airbnb booking",
        "Keep both (double booking)",
    ]
    for label in labels:
        assert label in html
    assert html.count('class="conflict-choice"') == 3 and "title=" not in html.split("conflict-choices")[1]
    assert "is cancelled in StayOps and its turnover tasks are cancelled." in html


def test_an_edited_by_hand_conflict_offers_keep_or_take(manager_client, manager, loft):
    conflict = edited_by_hand_conflict(loft, manager)
    response = manager_client.get(LIST_URL)
    (card,) = response.context["cards"]
    assert card["conflict"] == conflict
    assert [option.resolution for option in card["options"]] == ["keep_existing", "take_incoming"]
    assert [option.label for option in card["options"]] == [
        "Keep the edit made in StayOps",
        "Use the values from the file",
    ]
    guest = next(line for line in card["comparison"]["lines"] if line["label"] == "Guest")
    assert (guest["existing"], guest["incoming"], guest["differs"]) == ("Rui Costa", "Rui Costa Jr", True)
    check_in = next(line for line in card["comparison"]["lines"] if line["label"] == "Check-in")
    assert check_in["differs"] is False


def test_it_lists_open_conflicts_first(manager_client, manager, loft):
    first = overlap_conflict(loft, manager, code="HMFIRST")
    BookingConflict.objects.filter(pk=first.pk).update(
        state=ConflictState.RESOLVED, resolution="accept", resolved_by=manager
    )
    second = edited_by_hand_conflict(make_property("Sea View", code="SEA"), manager)
    response = manager_client.get(LIST_URL)
    assert [card["conflict"].pk for card in response.context["cards"]] == [second.pk, first.pk]
    assert response.context["open_count"] == 1


@pytest.mark.parametrize(
    ("params", "expected_kinds"),
    [
        ({"state": "open"}, ["edited_by_hand"]),
        ({"state": "resolved"}, ["overlap"]),
        ({"kind": "overlap"}, ["overlap"]),
        ({"kind": "edited_by_hand", "state": "resolved"}, []),
    ],
)
def test_it_filters_by_state_and_kind(manager_client, manager, loft, params, expected_kinds):
    resolved = overlap_conflict(loft, manager)
    BookingConflict.objects.filter(pk=resolved.pk).update(state=ConflictState.RESOLVED, resolution="accept")
    edited_by_hand_conflict(make_property("Sea View", code="SEA"), manager)
    response = manager_client.get(LIST_URL, params)
    assert [card["conflict"].kind for card in response.context["cards"]] == expected_kinds


def test_it_filters_by_import_batch(manager_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    edited_by_hand_conflict(make_property("Sea View", code="SEA"), manager)
    response = manager_client.get(LIST_URL, {"batch": conflict.batch_id})
    assert [card["conflict"].pk for card in response.context["cards"]] == [conflict.pk]
    assert f"import #{conflict.batch_id}" in response.content.decode()


def test_the_filters_answer_htmx_with_the_results_only(manager_client, manager, loft, htmx_headers):
    overlap_conflict(loft, manager)
    html = manager_client.get(LIST_URL, {"kind": "overlap"}, headers=htmx_headers).content.decode()
    assert html.lstrip().startswith('<section id="conflict-results"')
    assert "Overlapping stays" in html


def test_it_says_so_when_there_are_no_conflicts(manager_client):
    assert "No conflicts. Imports applied cleanly." in manager_client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("per_kind", [1, 5])
def test_the_list_runs_a_fixed_number_of_queries(manager_client, manager, per_kind, django_assert_num_queries):
    for index in range(per_kind):
        prop = make_property(f"Villa {index}", code=f"P{index}")
        overlap = overlap_conflict(prop, manager, code=f"HMO{index}")
        if index % 2:
            # Resolved cards (what was done, Reopen) cost no query of their own either.
            conflict_resolve(conflict=overlap, resolution="take_incoming", user=manager)
        other = make_property(f"Edit villa {index}", code=f"E{index}")
        existing_booking(other, code=f"HME{index}", edited_by_hand=True)
        rows = [airbnb_row(f"HME{index}", guest="Someone Else", listing=f"E{index}")]
        preview_and_apply(airbnb_xlsx(rows), f"e{index}.xlsx", manager)
    assert BookingConflict.objects.count() == 2 * per_kind
    # session, user, roles, count, page of conflicts with bookings and properties, incoming property names, open count
    with django_assert_num_queries(7):
        response = manager_client.get(LIST_URL)
    assert len(response.context["cards"]) == 2 * per_kind


# --- resolving ------------------------------------------------------------------------------------------


def test_take_incoming_over_htmx_updates_the_card_in_place_with_an_undo(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    response = manager_client.post(resolve_url(conflict), {"resolution": "take_incoming"}, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article id="conflict-{conflict.pk}"')
    # The card says what was done, with an Undo beside it.
    assert "<strong>Resolved</strong> — Kept Ana Ferreira&#x27;s Airbnb booking and cancelled Olga Dias&#x27;s" in html
    assert f'hx-post="/bookings/conflicts/{conflict.pk}/reopen/"' in html and ">Undo</button>" in html
    assert '<span id="conflict-open-count"' in html and 'hx-swap-oob="true">0 open</span>' in html
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.RESOLVED
    assert Booking.objects.get(external_code="HMNEW").status == BookingStatus.CONFIRMED
    assert Booking.objects.get(external_code="HMNEW-OLD").status == BookingStatus.CANCELLED
    resolved = AuditEntry.objects.for_object(conflict).get()
    assert (resolved.action, resolved.actor) == (AuditAction.RESOLVE, manager)
    # The audit trail says it in the words of the choice.
    assert resolved.message == "Kept Ana Ferreira's Airbnb booking and cancelled Olga Dias's Airbnb booking."


def test_cancel_one_cancels_the_chosen_booking(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "cancel_one", "choice": "incoming"}, headers=htmx_headers)
    assert Booking.objects.get(external_code="HMNEW").status == BookingStatus.CANCELLED
    assert Booking.objects.get(external_code="HMNEW-OLD").status == BookingStatus.CONFIRMED


def test_keep_existing_without_htmx_goes_to_the_conflict_page_with_its_history(manager_client, manager, loft):
    conflict = edited_by_hand_conflict(loft, manager)
    response = manager_client.post(resolve_url(conflict), {"resolution": "keep_existing"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == conflict.get_absolute_url()
    assert "Kept the edit made in StayOps; ignored import" in html and "By Maria Santos" in html
    assert ">Reopen</button>" in html and "Conflict resolved. Reopen it below to undo." in html
    assert 'id="history"' in html and "Resolved" in html
    assert Booking.objects.get(external_code="HMEDIT").guest_name == "Rui Costa"


def test_a_resolution_the_conflict_does_not_allow_is_refused_and_changes_nothing(
    manager_client, manager, loft, htmx_headers
):
    conflict = edited_by_hand_conflict(loft, manager)
    response = manager_client.post(
        resolve_url(conflict), {"resolution": "cancel_one", "choice": "other"}, headers=htmx_headers
    )
    assert response.status_code == 400
    assert "not possible for this conflict" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).count() == 0
    assert not AuditEntry.objects.for_object(conflict).exists()


def test_cancel_one_needs_a_choice(manager_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    response = manager_client.post(resolve_url(conflict), {"resolution": "cancel_one"})
    assert response.status_code == 400
    assert "Choose which of the two bookings to cancel." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN
    assert Booking.objects.count() == 1


def test_resolving_a_resolved_conflict_is_refused(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "keep_existing"}, headers=htmx_headers)
    again = manager_client.post(resolve_url(conflict), {"resolution": "take_incoming"}, headers=htmx_headers)
    assert again.status_code == 400
    conflict.refresh_from_db()
    assert conflict.resolution == "keep_existing"
    assert not Booking.objects.filter(external_code="HMNEW").exists()


def test_resolve_answers_only_post(manager_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    assert manager_client.get(resolve_url(conflict)).status_code == 405


def test_the_conflict_page_shows_one_conflict(manager_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    response = manager_client.get(conflict.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Conflicts</a> › #{conflict.pk}" in html
    assert "No changes recorded yet." in html
    assert ConflictKind.OVERLAP.label in html


def test_the_list_pages_and_keeps_its_filters(manager_client, manager, loft, settings):
    settings.CONFLICT_PAGE_SIZE = 1
    overlap_conflict(loft, manager, code="HMONE")
    overlap_conflict(make_property("Sea View", code="SEA"), manager, code="HMTWO")
    response = manager_client.get(LIST_URL, {"kind": "overlap", "page": 2})
    html = response.content.decode()
    assert [card["conflict"].incoming["external_code"] for card in response.context["cards"]] == ["HMONE"]
    assert "Page 2 of 2" in html
    assert "?kind=overlap&amp;page=1" in html
    assert 'hx-target="#conflict-results"' in html


def test_a_history_restore_after_filtering_gets_the_whole_page(manager_client, manager, loft):
    overlap_conflict(loft, manager)
    response = manager_client.get(
        LIST_URL, {"kind": "overlap"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" in html and 'id="conflict-results"' in html
    assert "HX-Request" in response["Vary"]


def test_a_batch_beyond_any_id_lists_nothing_instead_of_failing(manager_client):
    response = manager_client.get(LIST_URL, {"batch": "9" * 20})
    assert response.status_code == 200


# --- undo and reopen -------------------------------------------------------------------------------------


def reopen_url(conflict) -> str:
    return reverse("bookings:conflict_reopen", args=[conflict.pk])


def test_undo_over_htmx_puts_everything_back_and_shows_the_open_card(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "take_incoming"}, headers=htmx_headers)
    response = manager_client.post(reopen_url(conflict), headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article id="conflict-{conflict.pk}"') and "What should happen?" in html
    assert "Undone: the bookings are back as they were" in html and 'hx-swap-oob="true">1 open</span>' in html
    conflict.refresh_from_db()
    assert (conflict.state, conflict.resolution, conflict.booking_id) == (ConflictState.OPEN, "", None)
    assert Booking.objects.get(external_code="HMNEW-OLD").status == BookingStatus.CONFIRMED
    assert not Booking.objects.filter(external_code="HMNEW").exists()
    reopened = AuditEntry.objects.for_object(conflict).latest("id")
    assert reopened.message == (
        "Reopened, undoing: Kept Ana Ferreira's Airbnb booking and cancelled Olga Dias's Airbnb booking."
    )


def test_the_resolved_list_offers_reopen_and_says_what_was_done(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "accept"}, headers=htmx_headers)
    html = manager_client.get(LIST_URL, {"state": "resolved"}).content.decode()
    assert "Kept both bookings, overlapping." in html and ">Reopen</button>" in html
    response = manager_client.post(reopen_url(conflict), follow=True)
    assert response.redirect_chain[-1][0] == conflict.get_absolute_url()
    assert "What should happen?" in response.content.decode()


def test_a_stale_undo_is_refused_with_a_message_and_changes_nothing(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "take_incoming"}, headers=htmx_headers)
    Booking.objects.filter(external_code="HMNEW-OLD").update(notes="Guest called")
    response = manager_client.post(reopen_url(conflict), headers=htmx_headers)
    assert response.status_code == 409
    assert "changed after this conflict was resolved (notes)" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.RESOLVED


def test_a_conflict_resolved_before_undo_existed_offers_no_reopen(manager_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    BookingConflict.objects.filter(pk=conflict.pk).update(state=ConflictState.RESOLVED, resolution="accept")
    html = manager_client.get(conflict.get_absolute_url()).content.decode()
    assert "Kept both bookings, overlapping." in html and ">Reopen</button>" not in html


def test_reopen_refuses_cleaners(cleaner_client, manager, loft):
    conflict = overlap_conflict(loft, manager)
    conflict_resolve(conflict=conflict, resolution="accept", user=manager)
    assert cleaner_client.post(reopen_url(conflict)).status_code == 403
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.RESOLVED


def test_reopen_answers_only_post(manager_client, manager, loft, htmx_headers):
    conflict = overlap_conflict(loft, manager)
    manager_client.post(resolve_url(conflict), {"resolution": "accept"}, headers=htmx_headers)
    assert manager_client.get(reopen_url(conflict)).status_code == 405
    assert manager_client.post(reverse("bookings:conflict_reopen", args=[99999])).status_code == 404
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.RESOLVED


def test_every_kind_offers_at_most_three_choices_each_with_its_outcome(manager_client, manager, loft):
    edited_by_hand_conflict(loft, manager)
    overlap_conflict(make_property("Sea View", code="SEA"), manager)
    first = existing_booking(make_property("Hill", code="HILL"), code="HMA", guest="Bea Lima")
    second = existing_booking(first.property, code="HMB", guest="Caio Reis")
    BookingConflict.objects.create(kind=ConflictKind.OVERLAP, booking=second, other_booking=first)
    BookingConflict.objects.create(kind=ConflictKind.MISSING_FROM_FEED, booking=first, incoming={"calendar_feed": 1})
    cards = manager_client.get(LIST_URL).context["cards"]
    assert len(cards) == 4
    for card in cards:
        assert 1 <= len(card["options"]) <= 3
        assert all(option.label and option.outcome and option.done for option in card["options"])
    saved_overlap = next(card for card in cards if card["conflict"].booking == second)
    assert [(option.resolution, option.choice) for option in saved_overlap["options"]] == [
        ("cancel_one", "incoming"),
        ("cancel_one", "other"),
        ("accept", ""),
    ]
    assert saved_overlap["options"][0].label == "Keep Bea Lima's Airbnb booking, cancel Caio Reis's Airbnb booking"
    missing = next(card for card in cards if card["conflict"].kind == ConflictKind.MISSING_FROM_FEED)
    assert (
        missing["sentence"]
        == "Bea Lima's Airbnb booking at Hill, 14 Mar – 17 Mar 2026, is no longer in the Airbnb calendar feed."
    )
