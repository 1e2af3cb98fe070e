"""Rate limits on expensive or abusable actions, counted in the cache so every app server shares them.

`@rate_limit("RATE_LIMIT_EXPORTS")` on a view: the setting holds the rate (`30/h`), read per request so
tests and operators can change it. The counting is django-ratelimit's (fixed windows in the cache,
atomic `incr` on Redis); going over raises `core.errors.RateLimited`, which AppErrorMiddleware shows as
the 429 page, or as a toast in place for HTMX requests.

Views that share a setting share its budget: the booking and the task export are one "exports" limit.
"""

import functools
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from core.client_ip import client_ip
from core.errors import RateLimited

logger = logging.getLogger(__name__)

# What a view's budget is counted per: the signed-in user (anonymous requests by address), or the address.
KeyFunction = Callable[..., str]


def by_user(request: HttpRequest, *args, **kwargs) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def by_address(request: HttpRequest, *args, **kwargs) -> str:
    return f"ip:{client_ip(request)}"


def by_feed_token(request: HttpRequest, token: str = "", *args, **kwargs) -> str:
    """Calendar apps fetch a feed without signing in: its secret token is the one who is asking."""
    return f"feed:{token}"


def _wait_text(seconds: int) -> str:
    if seconds <= 90:
        return "in a minute"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"in {minutes} minutes"
    return f"in {-(-minutes // 60)} hours"


def check_rate(setting: str, request: HttpRequest, key: str, *, what: str) -> None:
    """Count one use of `setting`'s budget for `key`; raise RateLimited when it is spent.

    A cache that fails lets the request through (logged): a broken optimisation must not stop the work.
    """
    rate = getattr(settings, setting)
    try:
        usage = get_usage(request, group=setting, key=lambda group, request: key, rate=rate, increment=True)
    except Exception as error:  # noqa: BLE001 - every cache backend raises its own errors
        logger.warning("rate limit %s not checked: cache failed (%s)", setting, type(error).__name__)
        return
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(int(usage["time_left"]), 1)
    logger.info("rate limited", extra={"fields": {"limit": setting, "key": key, "rate": rate}})
    raise RateLimited(
        f"Too many {what} in a short time. Please try again {_wait_text(retry_after)}.", retry_after=retry_after
    )


def rate_limit(
    setting: str,
    *,
    what: str = "requests",
    key: KeyFunction = by_user,
    methods: Iterable[str] = ("POST",),
):
    """Decorate a view: each request with one of `methods` spends one unit of `setting`'s rate per `key`.

    `key` receives the view's arguments, so a limit can be per object: for "sync now" on a calendar feed,
    `key=lambda request, pk: f"feed:{pk}"`. Put it under the login and role decorators, so that only
    allowed users spend (and can exhaust) a budget.
    """
    limited_methods = {method.upper() for method in methods}

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in limited_methods:
                check_rate(setting, request, key(request, *args, **kwargs), what=what)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
