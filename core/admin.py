"""Admin for the audit trail (read-only, because history must not change), failed jobs, and people's languages."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.audit_context import audit_context
from core.job_failures import job_failure_set_state
from core.models import AuditEntry, AuditSource, JobFailure, UserPreference
from core.preferences import remember_user_language


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


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    """What a failed job recorded is evidence: read-only here. The state moves through the workflow service."""

    list_display = ["last_seen_at", "state", "job_name", "error_type", "occurrences", "object_label", "started_by"]
    list_filter = ["state", "job_name", "error_type"]
    search_fields = ["job_name", "error_type", "message", "object_label", "job_id"]
    date_hierarchy = "last_seen_at"
    list_select_related = ["started_by"]
    fields = [
        "state",
        "note",
        "state_changed_by",
        "state_changed_at",
        "job_name",
        "job_id",
        "error_type",
        "message",
        "location",
        "arguments",
        "started_by",
        "content_type",
        "object_id",
        "object_label",
        "occurrences",
        "first_seen_at",
        "last_seen_at",
        "alerted_at",
        "traceback",
    ]
    readonly_fields = [name for name in fields if isinstance(name, str) and name not in ("state", "note")]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: transitions checked, who and when stamped, an audit entry written.
        with audit_context(actor=request.user, source=AuditSource.ADMIN):
            job_failure_set_state(failure=obj, state=form.cleaned_data["state"], note=form.cleaned_data["note"])


class UserPreferenceInline(admin.StackedInline):
    model = UserPreference
    can_delete = False
    verbose_name_plural = "preferences"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithPreferenceAdmin(UserAdmin):
    """Django's user admin with the person's language, so whoever sets up a cleaner's account sets it too."""

    inlines = [*UserAdmin.inlines, UserPreferenceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        remember_user_language(form.instance.pk)
