"""Pages that belong to no domain app: the role-aware start page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.http import HtmxHttpRequest
from core.roles import is_cleaner, is_manager


@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Managers start at today's overview, cleaners at their own tasks for today."""
    if is_manager(request.user):
        return redirect("wbs:today")
    if is_cleaner(request.user):
        return redirect("wbs:my_tasks")
    return render(request, "core/no_role.html")
