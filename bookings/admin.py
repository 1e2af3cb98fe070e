"""Admin for bookings: properties, bookings and status aliases editable through the services (so every change
is audited, with source "admin"); import history and conflicts read-only, because history must not change."""

from django.contrib import admin

from bookings.forms import BookingFieldsForm, PropertyForm
from bookings.models import Booking, BookingConflict, CalendarFeed, ImportBatch, ImportRow, Property, StatusAlias
from bookings.services.bookings import (
    BOOKING_AUDIT_FIELDS,
    booking_create,
    booking_delete,
    booking_update,
)
from bookings.services.properties import PROPERTY_AUDIT_FIELDS, property_archive, property_create, property_update
from core import audit
from core.models import AuditAction


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through the services. The admin form has already validated the values; the services
    validate again (overlaps, live-only unique codes) and write the audit entries."""

    audit_fields: list[str] = []

    def changed_values(self, obj, form) -> dict:
        return {name: getattr(obj, name) for name in form.changed_data if name in self.audit_fields}

    def fresh(self, obj):
        """The row as stored: the admin form has already written the new values onto `obj`."""
        return type(obj).all_objects.get(pk=obj.pk)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Property)
class PropertyAdmin(ServiceAdmin):
    list_display = ["name", "code", "time_zone", "active", "deleted_at"]
    list_filter = ["active"]
    search_fields = ["name", "code", "address"]
    audit_fields = PROPERTY_AUDIT_FIELDS
    # The page's form: aliases one per line, and clear messages for a code or alias another property has.
    form = PropertyForm
    fields = [*PROPERTY_AUDIT_FIELDS, "deleted_at", "deleted_by", "created_at", "updated_at"]
    readonly_fields = ["deleted_at", "deleted_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in PROPERTY_AUDIT_FIELDS}
        if change:
            property_update(property=self.fresh(obj), user=request.user, **self.changed_values(obj, form))
        else:
            obj.pk = property_create(user=request.user, **values).pk

    def delete_model(self, request, obj):
        property_archive(property=obj, user=request.user)


@admin.register(Booking)
class BookingAdmin(ServiceAdmin):
    list_display = ["guest_name", "property", "check_in", "check_out", "status", "source", "external_code"]
    list_filter = ["status", "source", "property", "edited_by_hand"]
    search_fields = ["guest_name", "external_code", "guest_contact"]
    date_hierarchy = "check_in"
    list_select_related = ["property"]
    autocomplete_fields = ["property"]
    audit_fields = BOOKING_AUDIT_FIELDS
    form = BookingFieldsForm
    fields = [*BOOKING_AUDIT_FIELDS, "last_import_batch", "deleted_at", "deleted_by", "created_at", "updated_at"]
    readonly_fields = ["last_import_batch", "deleted_at", "deleted_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # The admin cannot ask "save anyway?": an overlap saved here is recorded as an open conflict instead.
        if change:
            booking_update(
                booking=self.fresh(obj), user=request.user, confirm_overlap=True, **self.changed_values(obj, form)
            )
        else:
            values = {name: getattr(obj, name) for name in BOOKING_AUDIT_FIELDS}
            obj.pk = booking_create(user=request.user, confirm_overlap=True, **values).pk

    def delete_model(self, request, obj):
        booking_delete(booking=obj, user=request.user)


STATUS_ALIAS_FIELDS = ["source", "value", "status"]


@admin.register(StatusAlias)
class StatusAliasAdmin(admin.ModelAdmin):
    list_display = ["value", "source", "status", "created_at"]
    list_filter = ["source", "status"]
    search_fields = ["value"]

    def save_model(self, request, obj, form, change):
        if change:
            before = audit.snapshot(StatusAlias.objects.get(pk=obj.pk), STATUS_ALIAS_FIELDS)
            obj.save()
            changes = audit.diff(before, audit.snapshot(obj, STATUS_ALIAS_FIELDS))
            if changes:
                audit.record(obj, AuditAction.UPDATE, changes)
        else:
            obj.save()
            audit.record_created(obj, STATUS_ALIAS_FIELDS)

    def delete_model(self, request, obj):
        audit.record(obj, AuditAction.DELETE, audit.diff(audit.snapshot(obj, STATUS_ALIAS_FIELDS), {}))
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "created_at", "created_by", "source_format", "state", "rows_total"]
    list_filter = ["state", "source_format"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdmin):
    list_display = ["batch", "row_number", "action", "external_code", "booking"]
    list_filter = ["action"]
    search_fields = ["external_code"]
    list_select_related = ["batch", "booking"]
    raw_id_fields = ["batch", "booking"]


@admin.register(BookingConflict)
class BookingConflictAdmin(ReadOnlyAdmin):
    list_display = ["kind", "booking", "other_booking", "state", "resolution", "resolved_by", "created_at"]
    list_filter = ["kind", "state", "resolution"]
    list_select_related = ["booking", "other_booking", "resolved_by"]
    raw_id_fields = ["booking", "other_booking", "batch"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Feeds are added, edited and paused on the property page (audited, URL checked); here they are listed for
    operators, with the secret link masked."""

    list_display = ["property", "source", "masked_link", "active", "last_success_at", "consecutive_failures"]
    list_filter = ["source", "active"]
    list_select_related = ["property"]
    search_fields = ["property__name", "property__code"]
    exclude = ["url", "etag", "last_modified", "review_body"]

    @admin.display(description="Link")
    def masked_link(self, feed: CalendarFeed) -> str:
        return feed.masked_url()
