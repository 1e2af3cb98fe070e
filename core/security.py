"""Session idle timeout and the response headers every page gets besides the CSP (django-csp)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "last_seen"
# Writing the time back on every request would make every request (htmx polls included) a session
# write; once a minute is enough for a timeout counted in minutes.
LAST_SEEN_RESOLUTION_SECONDS = 60


class IdleSessionMiddleware:
    """Signs a user out after SESSION_IDLE_MINUTES without a request.

    Chosen over SESSION_SAVE_EVERY_REQUEST with a short SESSION_COOKIE_AGE: that writes the session on
    every request, and the cookie's own expiry is the browser's to honour. Here the server decides, from a
    time kept in the session, and writes it at most once a minute; SESSION_COOKIE_AGE stays the cap on a
    session's whole life.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes away.")
            elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="core.security.start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs) -> None:
    """Signing in is activity: stamped here, the requests of the next minute write nothing to the session."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; signed-in responses are never stored by browsers or proxies.

    A response that chose its own Cache-Control (a photo a phone may keep) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
