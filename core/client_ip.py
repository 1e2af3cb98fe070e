"""The client's address: REMOTE_ADDR, or X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says it is ours.

Sign-in throttling, rate limits and the operator endpoints all decide by this one answer. Behind a load
balancer REMOTE_ADDR is the balancer's own address, so every client would share one throttle and look
"private"; the balancer's X-Forwarded-For says who the client was, but anyone can send that header too.
Each proxy appends the address it saw, so with N proxies of ours the N-th entry from the right is the one
our outermost proxy wrote: entries further left came from the client and are never believed.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _valid(address: str) -> str | None:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return str(parsed)


def client_ip(request: HttpRequest) -> str:
    """The address to throttle and to trust by network; never empty (unknown becomes 0.0.0.0)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [entry for entry in request.META.get(FORWARDED_FOR, "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        # The request did not pass through all our proxies: the header (if any) is the client's own words.
        return remote
    return _valid(forwarded[-proxies]) or remote


def came_through_untrusted_proxy(request: HttpRequest) -> bool:
    """A forwarded request while no proxy is trusted: REMOTE_ADDR is some proxy's, not the client's."""
    return settings.TRUSTED_PROXY_COUNT <= 0 and bool(request.META.get(FORWARDED_FOR, "").strip())
