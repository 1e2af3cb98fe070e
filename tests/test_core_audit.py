"""The audit trail is append-only and records who, from where, what; soft delete hides and keeps rows."""

import pytest
from django.core.management import CommandError, call_command

from bookings.models import Property
from core import audit
from core.audit_context import audit_context
from core.models import AuditAction, AuditEntry, AuditSource
from core.softdelete import restore, soft_delete

pytestmark = pytest.mark.django_db


def test_it_records_actor_source_request_and_batch_from_the_context(beach, manager):
    with audit_context(actor=manager, source=AuditSource.IMPORT, request_id="req-1", batch_id=42):
        entry = audit.record(beach, AuditAction.UPDATE, {"name": ["Old", "Beach House"]})
    entry.refresh_from_db()
    assert (entry.actor, entry.source, entry.request_id, entry.batch_id) == (manager, "import", "req-1", 42)
    assert entry.changes == {"name": ["Old", "Beach House"]}
    assert list(AuditEntry.objects.for_object(beach)) == [entry]


def test_it_diffs_only_changed_fields_as_json_values(beach):
    import datetime

    before = {"check_in_time": datetime.time(15, 0), "name": "Beach House"}
    after = {"check_in_time": datetime.time(16, 0), "name": "Beach House"}
    assert audit.diff(before, after) == {"check_in_time": ["15:00:00", "16:00:00"]}


def test_it_refuses_to_change_or_delete_history(beach):
    entry = audit.record(beach, AuditAction.CREATE)
    entry.message = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_it_writes_bulk_entries_in_one_query(beach, django_assert_num_queries):
    entries = [audit.build_entry(beach, AuditAction.UPDATE, {"name": [str(i), str(i + 1)]}) for i in range(50)]
    with django_assert_num_queries(1):
        audit.record_many(entries)
    assert AuditEntry.objects.for_object(beach).count() == 50


def test_soft_delete_hides_keeps_and_restores_with_audit(beach, manager):
    with audit_context(actor=manager, source=AuditSource.WEB):
        soft_delete(beach, user=manager)
    assert not Property.objects.filter(pk=beach.pk).exists()
    assert Property.all_objects.get(pk=beach.pk).deleted_by == manager
    restore(beach, user=manager)
    assert Property.objects.filter(pk=beach.pk).exists()
    actions = list(AuditEntry.objects.for_object(beach).order_by("id").values_list("action", flat=True))
    assert actions == ["delete", "restore"]


def test_unique_codes_apply_to_live_rows_only(beach, manager):
    soft_delete(beach, user=manager)
    Property.objects.create(name="New Beach House", code="beach")
    assert Property.all_objects.filter(code__iexact="beach").count() == 2


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_seed_demo_creates_the_demo_users_and_can_run_twice(settings):
    from django.contrib.auth import authenticate

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    for username in ("manager", "cleaner1", "cleaner2"):
        assert authenticate(username=username, password="demo") is not None


def test_seed_demo_if_empty_leaves_an_existing_database_alone(settings, django_user_model):
    settings.DEBUG = True
    django_user_model.objects.create_user("someone", password="pw")
    call_command("seed_demo", "--if-empty")
    assert not django_user_model.objects.filter(username="manager").exists()
