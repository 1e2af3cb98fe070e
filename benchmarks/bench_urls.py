"""The real URLs plus `/bench/ok/`: a bare view answering "ok" through the full middleware stack."""

from django.http import HttpResponse
from django.urls import include, path


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok/", ok), path("", include("config.urls"))]
