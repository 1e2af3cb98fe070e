"""Importing bookings: upload, preview, apply, history; conflicts and their resolution; status aliases."""

from django.urls import path

from bookings.views import conflicts, imports, status_aliases

urlpatterns = [
    path("import/", imports.import_page, name="import"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("import/<int:pk>/", imports.import_detail, name="import_detail"),
    path("import/<int:pk>/apply/", imports.import_apply, name="import_apply"),
    path("import/<int:pk>/fix/", imports.import_fix, name="import_fix"),
    path("import/<int:pk>/preview-again/", imports.import_preview_again, name="import_preview_again"),
    path("import/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("conflicts/", conflicts.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/", conflicts.conflict_detail, name="conflict_detail"),
    path("conflicts/<int:pk>/resolve/", conflicts.conflict_resolve_view, name="conflict_resolve"),
    path("conflicts/<int:pk>/reopen/", conflicts.conflict_reopen_view, name="conflict_reopen"),
    path("import/status-aliases/", status_aliases.status_alias_list, name="status_aliases"),
    path("import/status-aliases/<int:pk>/delete/", status_aliases.status_alias_remove, name="status_alias_delete"),
]
