"""Conflict pages: the list (open first) with existing and incoming side by side, one conflict, resolving it and
undoing a resolution (reopen)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookings.forms_imports import ConflictFilterForm, ConflictResolveForm
from bookings.models import BookingConflict
from bookings.presenting import conflict_cards, describe_resolution
from bookings.services.conflicts import conflict_allowed_resolutions, conflict_reopen, conflict_resolve
from core.audit_presenting import lazy_history
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.models import AuditEntry
from core.roles import manager_required


@manager_required
@require_GET
def conflict_list(request: HtmxHttpRequest) -> HttpResponse:
    filter_form = ConflictFilterForm(request.GET)
    conflicts = BookingConflict.objects.for_list_view().filter(**filter_form.filters()).open_first()
    page_obj = Paginator(conflicts, settings.CONFLICT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "cards": conflict_cards(page_obj.object_list),
        "open_count": BookingConflict.objects.open().count(),
    }
    return render_page(request, "bookings/conflicts.html", context, partial="conflict-results")


@manager_required
@require_GET
def conflict_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(BookingConflict.objects.for_list_view(), pk=pk)
    context = {"card": conflict_cards([conflict])[0], "history": lazy_history(AuditEntry.objects.for_object(conflict))}
    return render_page(request, "bookings/conflict_detail.html", context)


@manager_required
@require_POST
def conflict_resolve_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(BookingConflict.objects.for_list_view(), pk=pk)
    form = ConflictResolveForm(request.POST, conflict=conflict, allowed=conflict_allowed_resolutions(conflict))
    if form.is_valid():
        # A conflict someone else resolved meanwhile raises core.errors.Conflict: the middleware shows it.
        resolution, choice = form.cleaned_data["resolution"], form.cleaned_data.get("choice")
        conflict_resolve(
            conflict=conflict,
            resolution=resolution,
            user=request.user,
            choice=choice,
            summary=describe_resolution(conflict, resolution, choice),
        )
        conflict = BookingConflict.objects.for_list_view().get(pk=pk)
        if not wants_fragment(request):
            # Without HTMX the card has no banner: the conflict's page says it and offers the undo.
            messages.success(request, "Conflict resolved. Reopen it below to undo.")
            return redirect(conflict)
    status = 400 if form.errors else 200
    # A resolved card says what was done, with an Undo beside it (no separate toast: one message, in place).
    card = conflict_cards([conflict], form=form, just_resolved=None if form.errors else conflict.pk)[0]
    return _card_response(request, card, status)


@manager_required
@require_POST
def conflict_reopen_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(BookingConflict.objects.for_list_view(), pk=pk)
    # Refusals (already open, a booking changed since) are core.errors.Conflict: a toast in place, or a page.
    conflict_reopen(conflict=conflict, user=request.user)
    conflict = BookingConflict.objects.for_list_view().get(pk=pk)
    messages.success(request, "Undone: the bookings are back as they were and the conflict is open again.")
    if not wants_fragment(request):
        return redirect(conflict)
    return _card_response(request, conflict_cards([conflict])[0], 200)


def _card_response(request: HtmxHttpRequest, card: dict, status: int) -> HttpResponse:
    if wants_fragment(request):
        # The card swaps in place; the page's open count follows out of band. Not a partial of a page, so
        # render_page does not apply.
        context = {"card": card, "open_count": BookingConflict.objects.open().count(), "oob": True}
        return render(request, "bookings/_conflict_resolved.html", context, status=status)
    history = lazy_history(AuditEntry.objects.for_object(card["conflict"]))
    return render_page(request, "bookings/conflict_detail.html", {"card": card, "history": history}, status=status)
