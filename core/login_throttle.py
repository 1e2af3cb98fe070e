"""Sign-in throttling on django-axes: our login page says why it refuses, and every lockout is audited.

django-axes keeps the failures in the database (AccessAttempt), per username and address together, so
every app server sees the same count, a cache outage neither forgets nor invents a lockout, and an
administrator sees and clears lockouts under "Axes" in /admin/.
"""

import logging

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import audit
from core.models import AuditAction

logger = logging.getLogger(__name__)


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' gate before the real backends, for sign-ins that come with a request.

    `authenticate()` without a request comes from code an operator runs (shell, commands, tests), never from
    a visitor: axes would raise for it, and there is no address to throttle.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, with the reason, answering 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out": True,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    return response


@receiver(user_locked_out, dispatch_uid="core.login_throttle.audit_lockout")
def audit_lockout(sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs) -> None:
    """One audit entry when a lockout begins.

    axes sends the signal again for each attempt refused during the lockout; only the failure that began it
    was counted, and only that one leaves `axes_failures_since_start` set.
    """
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    user = get_user_model().objects.filter(username=username).first() if username else None
    subject = user or AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    if subject is None:
        return
    message = (
        f"Sign-in locked for {settings.LOGIN_LOCKOUT_MINUTES} min: "
        f"{settings.LOGIN_FAILURE_LIMIT} failed attempts for {username!r} from {ip_address}"
    )
    audit.record(subject, AuditAction.UPDATE, {"sign_in_locked": [False, True]}, message=message)
    logger.warning("sign-in locked out", extra={"fields": {"username": username, "ip_address": ip_address}})
