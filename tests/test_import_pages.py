"""The import pages: upload and history, a batch's preview, confirm, stale previews, background jobs, downloads."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bookings.importing.template_columns import TEMPLATE_COLUMNS
from bookings.models import Booking, ImportBatch, ImportRow, ImportState
from tests.factories import make_property
from tests.import_files import (
    AIRBNB_HEADERS,
    airbnb_row,
    airbnb_xlsx,
    csv_bytes,
    preview,
    preview_and_apply,
    upload,
)

pytestmark = pytest.mark.django_db
IMPORT_URL = "/bookings/import/"


def three_rows(**changes):
    return [
        airbnb_row("HMA1", guest="Ana Ferreira", **changes),
        airbnb_row(
            "HMA2", guest="Bruno Lima", check_in=datetime.date(2026, 3, 20), check_out=datetime.date(2026, 3, 23)
        ),
        airbnb_row("HMA3", guest="Carla Dias", check_in=datetime.date(2026, 4, 1), check_out=datetime.date(2026, 4, 4)),
    ]


def post_file(client, name: str, content: bytes, source: str = "auto", **kwargs):
    return client.post(IMPORT_URL, {"file": upload(name, content), "source": source}, **kwargs)


# --- access ---------------------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url_name", ["import_detail", "import_progress", "import_errors", "import_apply", "import_preview_again"]
)
def test_it_refuses_cleaners_every_batch_url(cleaner_client, manager, loft, url_name):
    batch = preview(airbnb_xlsx(three_rows()), "airbnb.xlsx", manager)
    url = reverse(f"bookings:{url_name}", args=[batch.pk])
    method = cleaner_client.post if url_name in ("import_apply", "import_preview_again") else cleaner_client.get
    assert method(url).status_code == 403
    assert Booking.objects.count() == 0


def test_it_refuses_cleaners_the_upload_and_the_template(cleaner_client):
    assert cleaner_client.get(IMPORT_URL).status_code == 403
    assert cleaner_client.post(IMPORT_URL).status_code == 403
    assert cleaner_client.get(reverse("bookings:import_template")).status_code == 403


def test_it_answers_404_for_a_batch_that_does_not_exist(manager_client):
    assert manager_client.get(reverse("bookings:import_detail", args=[424242])).status_code == 404
    assert manager_client.post(reverse("bookings:import_apply", args=[424242])).status_code == 404


# --- upload ---------------------------------------------------------------------------------------------


def test_it_shows_the_upload_form_and_the_template_link(manager_client):
    response = manager_client.get(IMPORT_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert reverse("bookings:import_template") in html
    assert "No imports yet" in html


def test_an_upload_previews_and_writes_no_booking(manager_client, loft):
    response = post_file(manager_client, "airbnb.csv", csv_bytes(AIRBNB_HEADERS, three_rows()))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert batch.state == ImportState.PREVIEWED
    assert batch.counts["created"] == 3
    assert Booking.objects.count() == 0


def test_it_asks_for_a_file_when_none_is_sent(manager_client):
    response = manager_client.post(IMPORT_URL, {"source": "auto"})
    assert response.status_code == 400
    assert "Choose a file to import" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "save it as .xlsx or .csv"),
        ("renamed.xlsx", b"Confirmation code,Status\nHMA1,Confirmed\n", "is not an Excel workbook"),
        ("notes.pdf", b"%PDF-1.4", "upload an .xlsx or a .csv file"),
        ("empty.csv", b"", "The submitted file is empty."),
    ],
)
def test_it_re_renders_the_form_with_the_engines_message_for_a_bad_file(manager_client, name, content, message):
    response = post_file(manager_client, name, content)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html.replace("&#x27;", "'")
    assert 'class="alert alert-error import-error"' in html
    assert ImportBatch.objects.count() == 0
    assert Booking.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(manager_client, settings, loft):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    content = csv_bytes(AIRBNB_HEADERS, [airbnb_row(f"HM{index}") for index in range(60)])
    response = post_file(manager_client, "big.csv", content)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert Booking.objects.count() == 0


def test_a_file_without_a_known_header_is_rejected_and_kept_in_history(manager_client):
    response = post_file(manager_client, "random.csv", b"Name,Colour\nAna,blue\n")
    assert response.status_code == 400
    assert "No header row found" in response.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.REJECTED
    assert ImportRow.objects.count() == 0
    assert Booking.objects.count() == 0


# --- history --------------------------------------------------------------------------------------------


def test_the_history_lists_who_when_file_format_state_and_counts(manager_client, manager, loft):
    preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    html = manager_client.get(IMPORT_URL).content.decode()
    assert "march.xlsx" in html
    assert "Maria Santos" in html
    assert "Airbnb" in html
    assert "Previewed" in html
    assert 'title="Created">3<' in html


def test_the_history_answers_htmx_with_the_table_only(manager_client, manager, loft, htmx_headers):
    preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    html = manager_client.get(IMPORT_URL, headers=htmx_headers).content.decode()
    assert html.lstrip().startswith('<section id="import-history"')
    assert "march.xlsx" in html
    assert "multipart/form-data" not in html


@pytest.mark.parametrize("batches", [2, 12])
def test_the_history_runs_a_fixed_number_of_queries(manager_client, manager, batches, django_assert_num_queries):
    for index in range(batches):
        ImportBatch.objects.create(
            created_by=manager, file_name=f"file-{index}.csv", sha256="0" * 64, counts={"created": index}
        )
    # session, user, roles, count, page of batches with their uploaders
    with django_assert_num_queries(5):
        response = manager_client.get(IMPORT_URL)
    assert len(response.context["page_obj"].object_list) == batches


def test_the_history_pages(manager_client, manager, settings):
    settings.PAGE_SIZE = 2
    for index in range(5):
        ImportBatch.objects.create(created_by=manager, file_name=f"file-{index}.csv", sha256="0" * 64)
    response = manager_client.get(IMPORT_URL, {"page": 3})
    assert [batch.file_name for batch in response.context["page_obj"]] == ["file-0.csv"]
    assert "Page 3 of 3" in response.content.decode()


# --- a batch's preview ----------------------------------------------------------------------------------


def test_the_batch_page_shows_counts_rows_and_the_confirm_button(manager_client, manager, loft):
    Booking.objects.create(
        property=loft,
        source="airbnb",
        external_code="HMA1",
        guest_name="Ana F.",
        check_in=datetime.date(2026, 3, 14),
        check_out=datetime.date(2026, 3, 17),
    )
    rows = [*three_rows(), airbnb_row("HMBAD", listing="Nowhere Villa")]
    batch = preview(airbnb_xlsx(rows), "march.xlsx", manager)
    response = manager_client.get(batch.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm import" in html
    # the update's field-by-field diff, old -> new
    assert "Ana F." in html and "Ana Ferreira" in html
    # the error: row number, column, value and reason
    assert "Listing" in html and "Nowhere Villa" in html and "matches no property" in html
    assert reverse("bookings:import_errors", args=[batch.pk]) in html
    counts = {item["value"]: item["rows"] for item in response.context["action_counts"]}
    assert counts == {"create": 2, "update": 1, "unchanged": 0, "cancel": 0, "conflict": 0, "error": 1}


def test_the_batch_page_filters_rows_by_action_over_htmx(manager_client, manager, loft, htmx_headers):
    rows = [*three_rows(), airbnb_row("HMBAD", listing="Nowhere Villa")]
    batch = preview(airbnb_xlsx(rows), "march.xlsx", manager)
    response = manager_client.get(batch.get_absolute_url(), {"action": "error"}, headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="import-rows"')
    assert "Nowhere Villa" in html
    assert "Bruno Lima" not in html
    assert [item["row"].action for item in response.context["rows"]] == ["error"]


def test_the_batch_page_shows_all_rows_for_an_unknown_action(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.get(batch.get_absolute_url(), {"action": "explode"})
    assert len(response.context["rows"]) == 3


@pytest.mark.parametrize("row_count", [3, 30])
def test_the_batch_page_runs_a_fixed_number_of_queries(
    manager_client, manager, loft, row_count, django_assert_num_queries
):
    rows = [
        airbnb_row(
            f"HM{index}",
            check_in=datetime.date(2026, 1, 1) + datetime.timedelta(days=3 * index),
            check_out=datetime.date(2026, 1, 3) + datetime.timedelta(days=3 * index),
        )
        for index in range(row_count)
    ]
    batch = preview(airbnb_xlsx(rows), "many.xlsx", manager)
    # session, user, roles, batch, action counts, row count, page of rows, property names
    with django_assert_num_queries(8):
        manager_client.get(batch.get_absolute_url())


def test_the_batch_page_pages_its_rows(manager_client, manager, loft, settings):
    settings.PAGE_SIZE = 2
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.get(batch.get_absolute_url(), {"page": 2})
    assert [item["row"].row_number for item in response.context["rows"]] == [4]


# --- confirm --------------------------------------------------------------------------------------------


def test_confirm_applies_the_batch_and_links_to_the_bookings_table(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    html = response.content.decode()
    assert batch.state == ImportState.APPLIED
    assert Booking.objects.count() == 3
    assert "Import applied" in html
    assert reverse("bookings:list") in html
    assert "Confirm import" not in html


def test_confirm_over_htmx_redirects_the_page(manager_client, manager, loft, htmx_headers):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), headers=htmx_headers)
    assert response["HX-Redirect"] == batch.get_absolute_url()
    assert Booking.objects.count() == 3


def test_confirming_twice_writes_nothing_twice(manager_client, manager, loft):
    batch = preview_and_apply(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), follow=True)
    assert "already applied" in response.content.decode()
    assert Booking.objects.count() == 3


def test_a_stale_preview_is_refused_and_can_be_previewed_again(manager_client, manager, loft):
    existing = Booking.objects.create(
        property=loft,
        source="airbnb",
        external_code="HMA1",
        guest_name="Ana F.",
        check_in=datetime.date(2026, 3, 14),
        check_out=datetime.date(2026, 3, 17),
    )
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    existing.notes = "changed after the preview"
    existing.save()

    response = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), follow=True)
    html = response.content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportState.STALE
    assert "changed after the preview" in html
    assert "Preview again" in html
    assert Booking.objects.count() == 1

    manager_client.post(reverse("bookings:import_preview_again", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    manager_client.post(reverse("bookings:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert Booking.objects.count() == 3


def test_an_applied_batch_cannot_be_previewed_again(manager_client, manager, loft):
    batch = preview_and_apply(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.post(reverse("bookings:import_preview_again", args=[batch.pk]), follow=True)
    assert "cannot be previewed again" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED


def test_confirm_answers_only_post(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    assert manager_client.get(reverse("bookings:import_apply", args=[batch.pk])).status_code == 405
    assert Booking.objects.count() == 0


# --- big files in the background ------------------------------------------------------------------------


def test_a_big_file_is_previewed_by_a_background_job(
    manager_client, loft, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(manager_client, "airbnb.csv", csv_bytes(AIRBNB_HEADERS, three_rows()))
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.QUEUED
    assert len(callbacks) == 1

    page = manager_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert reverse("bookings:import_progress", args=[batch.pk]) in page
    assert "Waiting for the background worker" in page

    callbacks[0]()  # the worker runs the job (the test settings use the immediate backend)
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    assert batch.rows.count() == 3
    assert Booking.objects.count() == 0


def test_the_progress_url_polls_while_running_and_reloads_the_page_when_done(
    manager_client, manager, loft, htmx_headers
):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    url = reverse("bookings:import_progress", args=[batch.pk])
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, rows_done=1, rows_total=3)

    running = manager_client.get(url, headers=htmx_headers)
    assert running.content.decode().lstrip().startswith('<section id="import-progress"')
    assert 'max="3" value="1"' in running.content.decode()

    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.PREVIEWED)
    done = manager_client.get(url, headers=htmx_headers)
    assert done["HX-Refresh"] == "true"
    # Without HTMX the progress URL is the batch page.
    assert manager_client.get(url)["Location"] == batch.get_absolute_url()


def test_a_big_batch_is_applied_by_a_background_job(
    manager_client, manager, loft, settings, django_capture_on_commit_callbacks
):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.state == ImportState.QUEUED
    assert "Applying in the background" in response.content.decode()
    assert "Applying the import" in response.content.decode()
    # A second click while it waits is refused, and queues nothing.
    with django_capture_on_commit_callbacks(execute=False) as second:
        again = manager_client.post(reverse("bookings:import_apply", args=[batch.pk]), follow=True)
    assert "already running" in again.content.decode()
    assert second == []

    callbacks[0]()
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert Booking.objects.count() == 3


def test_a_background_apply_of_a_stale_preview_leaves_it_stale(
    manager_client, manager, loft, settings, django_capture_on_commit_callbacks
):
    existing = Booking.objects.create(
        property=loft,
        source="airbnb",
        external_code="HMA1",
        guest_name="Ana F.",
        check_in=datetime.date(2026, 3, 14),
        check_out=datetime.date(2026, 3, 17),
    )
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        existing.notes = "edited meanwhile"
        existing.save()
        manager_client.post(reverse("bookings:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.STALE
    assert Booking.objects.count() == 1


# --- downloads ------------------------------------------------------------------------------------------


def test_the_error_report_downloads_as_xlsx_with_an_errors_column(manager_client, manager, loft):
    batch = preview(airbnb_xlsx([*three_rows(), airbnb_row("HMBAD", listing="Nowhere Villa")]), "m.xlsx", manager)
    response = manager_client.get(reverse("bookings:import_errors", args=[batch.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="m-errors.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Errors"
    assert len(rows) == 2
    assert "Nowhere Villa" in rows[1]


def test_the_template_has_our_columns_and_drop_downs_for_property_and_status(manager_client, loft):
    make_property("Beach House", code="BEACH")
    response = manager_client.get(reverse("bookings:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="stayops-import-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Bookings"]
    assert [cell.value for cell in sheet[1]] == TEMPLATE_COLUMNS
    lists = workbook["Lists"]
    assert [row[0] for row in lists.iter_rows(min_row=2, values_only=True) if row[0]] == ["BEACH", "LOFT"]
    validations = {
        str(validation.sqref).split(":")[0]: validation for validation in sheet.data_validations.dataValidation
    }
    status_column = "K"  # "Status" is the 11th template column
    assert TEMPLATE_COLUMNS[10] == "Status"
    assert validations["A2"].type == "list" and "Lists" in validations["A2"].formula1
    assert validations[f"{status_column}2"].type == "list"


def test_a_filled_in_template_imports(manager_client, loft):
    response = manager_client.get(reverse("bookings:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Bookings"]
    sheet.append(
        ["LOFT", "DIRECT-7", "direct", "Rui Costa", "", 2, 0, 0, datetime.date(2026, 6, 1), datetime.date(2026, 6, 4)]
        + ["Confirmed", 450, "EUR", ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    post_file(manager_client, "filled.xlsx", buffer.getvalue())
    batch = ImportBatch.objects.get()
    assert batch.source_format == "template"
    assert batch.counts["created"] == 1, batch.rows.values_list("errors", flat=True)


def test_an_unknown_status_links_to_the_status_aliases_page(manager_client, manager, loft):
    batch = preview(airbnb_xlsx([airbnb_row("HMODD", status="Awaiting payment")]), "odd.xlsx", manager)
    html = manager_client.get(batch.get_absolute_url()).content.decode()
    assert "Awaiting payment" in html
    assert reverse("bookings:status_aliases") in html


def test_a_background_job_that_breaks_marks_the_batch_failed_and_offers_to_try_again(
    manager_client, loft, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_BACKGROUND_ROWS = 2

    def broken_preview(**kwargs):
        raise RuntimeError("disk on fire")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_file(manager_client, "airbnb.csv", csv_bytes(AIRBNB_HEADERS, three_rows()))
    batch = ImportBatch.objects.get()
    monkeypatch.setattr("bookings.tasks.import_batch_preview", broken_preview)
    callbacks[0]()  # the immediate backend records the job's exception instead of raising it
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED
    html = manager_client.get(batch.get_absolute_url()).content.decode()
    assert "Nothing was imported." in html and "error on our side" in html
    assert "Try again" in html

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("bookings:import_preview_again", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    assert Booking.objects.count() == 0


def test_a_file_with_nothing_new_says_so_instead_of_offering_to_confirm(manager_client, manager, loft):
    preview_and_apply(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    again = preview(airbnb_xlsx(three_rows()), "march-again.xlsx", manager)
    html = manager_client.get(again.get_absolute_url()).content.decode()
    assert again.counts["unchanged"] == 3
    assert "Nothing to import." in html
    assert "the same as the bookings StayOps has" in html
    assert "Confirm import" not in html


def test_a_history_restore_of_the_import_page_gets_the_whole_page(manager_client, manager, loft):
    preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.get(IMPORT_URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    html = response.content.decode()
    assert "<html" in html and "multipart/form-data" in html and "march.xlsx" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_of_a_batch_gets_the_whole_page(manager_client, manager, loft):
    batch = preview(airbnb_xlsx(three_rows()), "march.xlsx", manager)
    response = manager_client.get(
        batch.get_absolute_url(),
        {"action": "create"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" in html and 'id="import-rows"' in html
    assert "HX-Request" in response["Vary"]
