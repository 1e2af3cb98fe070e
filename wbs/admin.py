"""Admin for every wbs model; each change made here leaves an audit entry, like changes made in the app."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction

from core import audit
from core.models import AuditAction, SoftDeleteModel
from core.softdelete import restore, soft_delete
from wbs.models import (
    BoardColumn,
    ChecklistItem,
    Holiday,
    Project,
    Tag,
    Task,
    TaskComment,
    TaskDependency,
    TaskTemplate,
    WbsItem,
)
from wbs.services.dependencies import dependency_add, find_path
from wbs.services.wbs_tree import wbs_renumber


def _plain(value):
    """Form values as audit JSON can hold them: rows by their name, many-to-many as a sorted list."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return sorted(str(item) for item in value)
    if hasattr(value, "name") and hasattr(value, "read"):
        return value.name
    return value


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.action(description="Restore the selected deleted rows")
def restore_selected(modeladmin, request, queryset):
    rows = list(queryset.filter(deleted_at__isnull=False))
    for obj in rows:
        restore(obj, user=request.user)
    modeladmin.message_user(request, f"Restored {len(rows)} row(s).")


class AuditedAdmin(admin.ModelAdmin):
    """Writes the audit entry the app's services would: create, update with {field: [old, new]}, delete.

    Soft-deletable rows are soft-deleted here too, so the admin cannot destroy what the app keeps.
    """

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = {
                name: [None if not change else _plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
                for name in form.changed_data
            }
            if change and not changes:
                return
            audit.record(obj, AuditAction.UPDATE if change else AuditAction.CREATE, changes)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit.record(obj, AuditAction.DELETE, message=f"Removed in the admin from {form.instance}")
                obj.delete()
            for obj in instances:
                is_new = obj.pk is None
                obj.save()
                audit.record(obj, AuditAction.CREATE if is_new else AuditAction.UPDATE, message="Changed in the admin")
            formset.save_m2m()

    def get_queryset(self, request):
        # Soft-deleted rows stay reachable here (filter "deleted"), so they can be restored.
        if issubclass(self.model, SoftDeleteModel):
            return self.model.all_objects.all()
        return super().get_queryset(request)

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, DeletedFilter] if issubclass(self.model, SoftDeleteModel) else filters

    def get_actions(self, request):
        actions = super().get_actions(request)
        if issubclass(self.model, SoftDeleteModel):
            actions["restore_selected"] = (restore_selected, "restore_selected", restore_selected.short_description)
        return actions

    def delete_model(self, request, obj):
        if isinstance(obj, SoftDeleteModel):
            soft_delete(obj, user=request.user)
            return
        with transaction.atomic():
            audit.record(obj, AuditAction.DELETE)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["name", "property", "rollup_method", "created_at"]
    list_filter = ["rollup_method"]
    search_fields = ["name", "description"]
    list_select_related = ["property"]


@admin.register(WbsItem)
class WbsItemAdmin(AuditedAdmin):
    """Codes follow the tree: the admin edits an item's own fields, and reshaping happens on the project page."""

    list_display = ["code", "title", "project", "status", "planned_start", "planned_end", "weight"]
    list_filter = ["status", "project"]
    search_fields = ["title", "code"]
    list_select_related = ["project"]
    readonly_fields = ["code", "sort_key", "position"]
    ordering = ["project", "sort_key"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "project", "parent"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not change:
                # Last among its siblings until the renumbering below gives it its code.
                obj.position = 10**6
            super().save_model(request, obj, form, change)
            if not change:
                wbs_renumber(project=obj.project)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "text", "requires_photo", "required", "done"]


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["title", "status", "type", "priority", "assignee", "property", "start_date", "due_date"]
    list_filter = ["status", "type", "priority", "is_milestone"]
    search_fields = ["title", "description"]
    list_select_related = ["assignee", "property"]
    raw_id_fields = ["wbs_item", "booking", "template", "assignee", "created_by"]
    filter_horizontal = ["tags"]
    date_hierarchy = "due_date"
    inlines = [ChecklistItemInline]


class TaskDependencyAdminForm(forms.ModelForm):
    class Meta:
        model = TaskDependency
        fields = ["predecessor", "successor", "type", "lag_days"]

    def clean(self):
        cleaned = super().clean()
        predecessor, successor = cleaned.get("predecessor"), cleaned.get("successor")
        if self.instance.pk is None and predecessor and successor:
            edges = list(TaskDependency.objects.values_list("predecessor_id", "successor_id"))
            if predecessor.pk == successor.pk or find_path(successor.pk, predecessor.pk, edges):
                raise ValidationError("That dependency would close a loop; the task page names the tasks on it.")
        return cleaned


@admin.register(TaskDependency)
class TaskDependencyAdmin(AuditedAdmin):
    """New dependencies go through dependency_add, so the admin cannot create a loop either."""

    form = TaskDependencyAdminForm
    list_display = ["predecessor", "type", "lag_days", "successor", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["predecessor", "successor"]
    search_fields = ["predecessor__title", "successor__title"]
    list_select_related = ["predecessor", "successor"]

    def get_readonly_fields(self, request, obj=None):
        return ["predecessor", "successor"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            # A new type or lag changes the plan version (a database trigger): the critical path follows.
            super().save_model(request, obj, form, change)
            return
        # A writer that closed a loop after the form's check makes this raise DependencyCycle, which the
        # error middleware shows as a page naming the loop.
        saved = dependency_add(
            predecessor=obj.predecessor,
            successor=obj.successor,
            type=obj.type,
            lag_days=obj.lag_days,
            user=request.user,
        )
        obj.pk = saved.pk


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]


@admin.register(TaskComment)
class TaskCommentAdmin(AuditedAdmin):
    list_display = ["task", "author", "created_at"]
    raw_id_fields = ["task", "author"]
    list_select_related = ["task", "author"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin):
    list_display = ["text", "task", "position", "done", "requires_photo"]
    list_filter = ["done", "requires_photo"]
    raw_id_fields = ["task", "done_by"]
    list_select_related = ["task"]


@admin.register(BoardColumn)
class BoardColumnAdmin(AuditedAdmin):
    list_display = ["status", "wip_limit", "hard_limit"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(TaskTemplate)
class TaskTemplateAdmin(AuditedAdmin):
    list_display = ["title_pattern", "type", "trigger", "offset_hours", "duration_minutes", "active"]
    list_filter = ["type", "trigger", "active"]
    filter_horizontal = ["properties"]


# Models added to the app later (by any area) still get an audited admin page.
for _model in apps.get_app_config("wbs").get_models():
    if not admin.site.is_registered(_model):
        admin.site.register(_model, AuditedAdmin)
