"""Who may read the operator endpoints (/health/detailed/, /metrics): one rule for all of them.

Allowed: a request with `Authorization: Bearer <OPS_TOKEN>`, a request from an address in
OPS_ALLOWED_NETWORKS (the client address as core.client_ip decides it), or a signed-in staff user.
Everyone else is answered 404, so the endpoints do not advertise themselves.
"""

import functools
import hmac
import ipaddress
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponseNotFound

from core.client_ip import came_through_untrusted_proxy, client_ip


@functools.cache
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spec)


def _token_matches(request: HttpRequest) -> bool:
    expected = settings.OPS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def _from_allowed_network(request: HttpRequest) -> bool:
    # Behind a proxy nobody told us about, REMOTE_ADDR is the proxy's (private) address for every
    # visitor: trusting it would open the endpoints to the whole internet.
    if came_through_untrusted_proxy(request):
        return False
    address = ipaddress.ip_address(client_ip(request))
    return any(address in network for network in _networks(tuple(settings.OPS_ALLOWED_NETWORKS)))


def _user(request: HttpRequest):
    """The signed-in user, also where the health middleware answers before sessions and auth have run."""
    user = getattr(request, "user", None)
    if user is not None:
        return user
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES[settings.SESSION_COOKIE_NAME])
    return auth.get_user(request)


def ops_request_allowed(request: HttpRequest) -> bool:
    if _token_matches(request) or _from_allowed_network(request):
        return True
    user = _user(request)
    return bool(user is not None and user.is_active and user.is_staff)


def not_found() -> HttpResponseNotFound:
    return HttpResponseNotFound("Not Found", content_type="text/plain")


def ops_only(view):
    """Decorate an operator view: everyone `ops_request_allowed` refuses gets a plain 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not ops_request_allowed(request):
            return not_found()
        return view(request, *args, **kwargs)

    return wrapped
