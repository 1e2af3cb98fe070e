"""A URLconf for foundation tests: the real URLs plus small views that exercise decorators and errors."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from core import errors
from core.roles import cleaner_required, manager_required


@manager_required
def managers_only(request):
    return HttpResponse("manager page")


@cleaner_required
def cleaners_only(request):
    return HttpResponse("cleaner page")


def raises_conflict(request):
    raise errors.Conflict("Someone changed this booking a moment ago. Reload and try again.")


def raises_unexpected(request):
    raise RuntimeError("secret internal detail /etc/passwd")


def renders_partial(request):
    return render(request, "core/_toast.html", {"level": "info", "message": "partial"})


urlpatterns = [
    path("probe/manager/", managers_only),
    path("probe/cleaner/", cleaners_only),
    path("probe/conflict/", raises_conflict),
    path("probe/crash/", raises_unexpected),
    path("probe/partial/", renders_partial),
    path("", include("config.urls")),
]
