"""core.bulk: COPY on PostgreSQL, executemany on SQLite, with the same results and the statement logged."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, Property
from core.bulk import analyze_after_commit, insert_many
from core.models import AuditAction, AuditEntry, AuditSource

pytestmark = pytest.mark.django_db


def entry(number: int, **fields) -> AuditEntry:
    return AuditEntry(
        source=AuditSource.IMPORT,
        content_type=ContentType.objects.get_for_model(Property),
        object_id=str(number),
        object_repr=f"Flat {number}",
        action=AuditAction.CREATE,
        changes={"name": [None, f"Flat {number}"], "notes": ["a\tb\nc\\d", "ü €"]},
        **fields,
    )


def test_it_writes_every_row_with_defaults_and_json_intact_in_one_logged_statement():
    with CaptureQueriesContext(connection) as queries:
        written = insert_many(AuditEntry, (entry(number) for number in range(2500)), batch_size=1000)
    assert written == 2500 == AuditEntry.objects.count()
    stored = AuditEntry.objects.get(object_id="7")
    assert stored.changes == {"name": [None, "Flat 7"], "notes": ["a\tb\nc\\d", "ü €"]}
    assert stored.created_at is not None and stored.message == "" and stored.actor_id is None
    # One COPY streaming every row on PostgreSQL, one executemany per 1,000 on SQLite: never one statement per row.
    writes = [query for query in queries if "INSERT INTO" in query["sql"] or query["sql"].startswith("COPY")]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 3)


def test_auto_now_fields_are_filled_as_by_save():
    insert_many(Property, [Property(name="Copied flat", code="CF1")])
    copied = Property.objects.get(code="CF1")
    assert copied.created_at is not None and copied.updated_at is not None


def test_a_unique_violation_is_djangos_integrity_error_and_writes_nothing():
    Property.objects.create(name="Existing", code="DUP")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Property, [Property(name="Fresh", code="FRESH"), Property(name="Again", code="DUP")])
    assert not Property.objects.filter(code="FRESH").exists()


def test_a_large_bulk_write_analyses_its_tables_after_the_commit_on_postgresql(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("core.bulk.ANALYZE_AFTER_ROWS", 10)
    # The callbacks run as the first context ends, inside the second.
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True) as callbacks:
        analyze_after_commit([AuditEntry, Property], rows=9)
        analyze_after_commit([AuditEntry, Property], rows=10)
    analyses = [query["sql"] for query in queries if query["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(callbacks) == 1
        assert analyses == ['ANALYZE "bookings_property", "core_auditentry"']
    else:
        assert callbacks == [] and analyses == []


def test_the_bulk_writes_of_one_transaction_are_analysed_together_once(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("core.bulk.ANALYZE_AFTER_ROWS", 10)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        analyze_after_commit([Property, AuditEntry], rows=10)
        analyze_after_commit([AuditEntry], rows=10)
    analyses = [query["sql"] for query in queries if query["sql"].startswith("ANALYZE")]
    expected = ['ANALYZE "bookings_property", "core_auditentry"'] if connection.vendor == "postgresql" else []
    assert analyses == expected


def test_the_analyze_job_names_only_the_tables_of_installed_models():
    from core.tasks import analyze_tables

    with CaptureQueriesContext(connection) as queries:
        result = analyze_tables.enqueue(["core_auditentry", 'core_auditentry"; DROP TABLE x; --'])
    assert result.return_value == 1
    analyses = [query["sql"] for query in queries if query["sql"].startswith("ANALYZE")]
    assert analyses == (['ANALYZE "core_auditentry"'] if connection.vendor == "postgresql" else [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN pending lists are PostgreSQL's")
def test_the_analyze_job_merges_the_audit_search_pending_lists():
    """A bulk write of audit entries leaves their trigram entries in GIN's pending list (core migration 0007); the
    job merges them, so a search reads the index alone."""
    from core.audit import EntryRows
    from core.tasks import analyze_tables

    def pending_pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            cursor.execute("SELECT pending_pages FROM pgstatginindex('audit_text_trgm_idx')")
            return cursor.fetchone()[0]

    prop = Property.objects.create(name="Flat", code="FL")
    entries = EntryRows(ContentType.objects.get_for_model(Property))
    for number in range(300):
        entries.add(prop, "update", {"name": ["Flat", f"Flat {number}"]}, message=f"Renamed {number} from a file")
    entries.write()
    assert pending_pages() > 0

    analyze_tables.enqueue(["core_auditentry"])

    assert pending_pages() == 0
    assert AuditEntry.objects.filter(message__icontains="renamed 123 ").count() == 1


def test_rows_skipping_conflicts_return_the_ids_and_keys_of_the_rows_written():
    import datetime

    from core.bulk import insert_rows_skipping_conflicts
    from wbs.models import Task, TaskTemplate

    prop = Property.objects.create(name="Flat", code="FL")
    template = TaskTemplate.objects.create(title_pattern="Clean")
    stays = [
        Booking.objects.create(
            property=prop,
            guest_name=f"G{n}",
            check_in=datetime.date(2026, 6, 1 + 3 * n),
            check_out=datetime.date(2026, 6, 3 + 3 * n),
        )
        for n in range(3)
    ]
    taken = Task.objects.create(title="Taken", booking=stays[0], template=template, property=prop)
    due = datetime.datetime(2026, 6, 4, 13, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    columns = ("title", "booking_id", "template_id", "property_id", "due_date", "due_at", "estimate_hours", "position")
    rows = [(f"Clean {stay.pk}", stay.pk, template.pk, prop.pk, stay.check_out, due, 1.5, 2048.0) for stay in stays]

    with CaptureQueriesContext(connection) as queries:
        found = insert_rows_skipping_conflicts(Task, columns, rows, key=("booking_id", "template_id"))

    assert len(queries) <= 1 or connection.vendor == "postgresql"
    tasks = {task.booking_id: task for task in Task.objects.all()}
    assert sorted(found) == [(tasks[stay.pk].pk, stay.pk, template.pk) for stay in stays[1:]]
    assert tasks[stays[0].pk].pk == taken.pk
    written = tasks[stays[1].pk]
    assert (written.due_date, written.due_at, str(written.estimate_hours), written.position) == (
        stays[1].check_out,
        due,
        "1.50",
        2048.0,
    )
    assert written.created_at is not None and written.status == "todo" and written.progress == 0
