"""Pages that belong to no domain app: the role-aware start page, and the answer to an unexpected error."""

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

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


DATABASE_UNAVAILABLE = "The database cannot be reached right now. Nothing was saved; try again in a few seconds."
# Seconds a client (or a proxy) is told to wait before trying again while the database is away.
DATABASE_RETRY_AFTER = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500. A lost database connection (a restart, a failover) is temporary: 503, not 500.

    Django calls this while it handles the exception, which may have been raised before any view ran (loading
    the session), so nothing here touches the database: a static page, or for HTMX a toast in place.
    """
    if not isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return django_server_error(request)
    if request.headers.get("HX-Request") == "true":
        context = {"level": "error", "title": "Temporarily unavailable", "message": DATABASE_UNAVAILABLE}
        response = HttpResponseServerError(render_to_string("core/_toast.html", context), status=503)
        response["HX-Retarget"] = "#toasts"
        response["HX-Reswap"] = "beforeend"
    else:
        html = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        response = HttpResponseServerError(html, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response
