"""The status aliases page: managers map a source's status word to an internal status, without a deploy."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from bookings.forms_imports import StatusAliasForm
from bookings.models import BookingStatus, StatusAlias
from bookings.services.status_aliases import status_alias_create, status_alias_delete
from bookings.status_mapping import BUILT_IN
from core.roles import manager_required


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@manager_required
@require_http_methods(["GET", "POST"])
def status_alias_list(request: HtmxHttpRequest) -> HttpResponse:
    form = StatusAliasForm(request.POST) if request.method == "POST" else StatusAliasForm()
    if form.is_bound and form.is_valid():
        alias = status_alias_create(**form.cleaned_data)
        note = f" It replaces the built-in meaning “{form.overrides_built_in}”." if form.overrides_built_in else ""
        messages.success(request, f"Imports now read “{alias.value}” as {alias.get_status_display().lower()}.{note}")
        if not request.htmx:
            return redirect("bookings:status_aliases")
        form = StatusAliasForm()
    template_name = "bookings/import_status_aliases.html"
    if request.htmx:
        template_name += "#status-aliases"
    context = {"form": form, "aliases": StatusAlias.objects.order_by("value", "source"), "built_in": _built_in()}
    return render(request, template_name, context, status=400 if form.errors else 200)


@manager_required
@require_POST
def status_alias_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    alias = get_object_or_404(StatusAlias, pk=pk)
    status_alias_delete(alias=alias)
    messages.success(request, f"Removed the alias “{alias.value}”. Imports no longer read it that way.")
    if request.htmx:
        context = {"form": StatusAliasForm(), "aliases": StatusAlias.objects.order_by("value", "source")}
        return render(request, "bookings/import_status_aliases.html#status-aliases", context)
    return redirect("bookings:status_aliases")


def _built_in() -> list[tuple[str, str]]:
    """Built-in words by meaning, for reference: (status label, words)."""
    words: dict[str, list[str]] = {}
    for word, status in BUILT_IN.items():
        # The internal values with underscores (owner_staying) are for our own template, not worth listing.
        if not (word in BookingStatus.values and "_" in word):
            words.setdefault(status, []).append(word)
    return [(label, ", ".join(sorted(words.get(value, [])))) for value, label in BookingStatus.choices]
