"""Request-wide middleware: health probes, request ids and the JSON request log, toasts, app errors."""

import logging
import re
import time
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from core import health, views_ops
from core.audit_context import AuditContext, _current
from core.errors import AppError
from core.http import wants_fragment
from core.models import AuditSource
from core.preferences import user_language

logger = logging.getLogger("stayops.request")

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
ADMIN_PREFIX = "/admin/"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


# Answered before host validation: probes and Prometheus reach app servers by IP address.
OPERATOR_PATHS = {**health.PROBES, "/metrics": views_ops.metrics}


class HealthCheckMiddleware:
    """Answers the health paths itself, first in the chain.

    Probes reach pods by IP address (`Host: 10.1.2.3:8000`), which ALLOWED_HOSTS rightly does not list;
    answering here, before anything calls `request.get_host()`, keeps host validation strict for every
    other path. It also keeps liveness cheap: no session, no user, no log line per probe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = OPERATOR_PATHS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class RequestLogMiddleware:
    """Gives each request an id (an incoming X-Request-ID is kept), echoes it, and logs one JSON line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Read back by the views and logs that report it; HttpRequest declares no such attribute.
        setattr(request, "request_id", request_id)  # noqa: B010
        token = _current.set(AuditContext(source=AuditSource.WEB, request_id=request_id))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "request_id": request_id,
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                }
            },
        )
        return response


class AuditActorMiddleware:
    """Puts the signed-in user on the audit context; changes made through /admin/ are marked as such."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        context = _current.get()
        source = AuditSource.ADMIN if request.path_info.startswith(ADMIN_PREFIX) else context.source
        actor_id = user.pk if user is not None and user.is_authenticated else None
        token = _current.set(AuditContext(actor_id=actor_id, source=source, request_id=context.request_id))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class HtmxMessagesMiddleware:
    """Delivers queued messages to HTMX swaps as toasts.

    A full page shows messages from the base template; an HTMX response would leave them queued until
    the next full page, so they ride along as an out-of-band swap into the toast region.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A history restore is a whole page, which shows its messages itself.
        if not wants_fragment(request) or response.streaming:
            return response
        if response.status_code in (301, 302, 303, 307, 308) or "HX-Redirect" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        queued = list(messages.get_messages(request))
        if queued:
            response.content += render_to_string("core/_toasts_oob.html", {"toasts": queued}).encode()
        return response


class AppErrorMiddleware:
    """Turns errors users can cause into a friendly page, or into a toast in place for HTMX requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AppError):
            status, title, message = exception.status, exception.title, exception.message
        elif wants_fragment(request) and isinstance(exception, PermissionDenied):
            status, title, message = 403, "Not allowed", "Your role does not allow this."
        elif wants_fragment(request) and isinstance(exception, Http404):
            status, title, message = 404, "Not found", "It may have been deleted, or it is not yours."
        else:
            return None
        logger.info("app error %s: %s", status, message, extra={"fields": {"status": status}})
        # A history restore replaces the whole page: it gets the error page, not a toast.
        if wants_fragment(request):
            html = render_to_string("core/_toast.html", {"level": "error", "title": title, "message": message})
            response = HttpResponse(html, status=status)
            # Shown in the toast region whatever element the request meant to swap.
            response["HX-Retarget"] = "#toasts"
            response["HX-Reswap"] = "beforeend"
        else:
            html = render_to_string(
                "error.html", {"status": status, "title": title, "message": message}, request=request
            )
            response = HttpResponse(html, status=status)
        retry_after = getattr(exception, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins over the browser's Accept-Language,
    which LocaleMiddleware (earlier in the chain) already activated."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = user_language(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
