"""Operator endpoints beside the health probes: Prometheus metrics, for staff, OPS_TOKEN or OPS_ALLOWED_NETWORKS."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.metrics import metrics_response
from core.ops_access import ops_only


@require_GET
@ops_only
def metrics(request: HttpRequest) -> HttpResponse:
    response = metrics_response(request)
    response["Cache-Control"] = "no-store"
    return response
