"""The status aliases page: managers map a source's status word to an internal status, without a deploy."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from bookings.forms_imports import StatusAliasForm
from bookings.models import StatusAlias
from bookings.services.status_aliases import status_alias_create, status_alias_delete
from bookings.status_mapping import built_in_words_by_status
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.roles import manager_required

TEMPLATE = "bookings/import_status_aliases.html"


@manager_required
@require_http_methods(["GET", "POST"])
def status_alias_list(request: HtmxHttpRequest) -> HttpResponse:
    form = StatusAliasForm(request.POST) if request.method == "POST" else StatusAliasForm()
    if form.is_bound and form.is_valid():
        alias = status_alias_create(**form.cleaned_data)
        note = f" It replaces the built-in meaning “{form.overrides_built_in}”." if form.overrides_built_in else ""
        messages.success(request, f"Imports now read “{alias.value}” as {alias.get_status_display().lower()}.{note}")
        if not wants_fragment(request):
            return redirect("bookings:status_aliases")
        form = StatusAliasForm()
    context = {
        "form": form,
        "aliases": StatusAlias.objects.order_by("value", "source"),
        "built_in": built_in_words_by_status(),
    }
    return render_page(request, TEMPLATE, context, partial="status-aliases", status=400 if form.errors else 200)


@manager_required
@require_POST
def status_alias_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    alias = get_object_or_404(StatusAlias, pk=pk)
    status_alias_delete(alias=alias)
    messages.success(request, f"Removed the alias “{alias.value}”. Imports no longer read it that way.")
    if not wants_fragment(request):
        return redirect("bookings:status_aliases")
    context = {"form": StatusAliasForm(), "aliases": StatusAlias.objects.order_by("value", "source")}
    return render_page(request, TEMPLATE, context, partial="status-aliases")
