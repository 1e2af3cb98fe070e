"""Admin for the audit trail: read-only, because history must not change."""

from django.contrib import admin

from core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "source", "action", "content_type", "object_repr", "batch_id"]
    list_filter = ["source", "action", "content_type"]
    search_fields = ["object_repr", "request_id", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
