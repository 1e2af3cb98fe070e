"""Fetching a calendar feed safely: http(s) only, public addresses only, size and time bounded, conditional.

The address check runs on the socket each connection actually opened (redirects included), so a name that
resolves to a private address, or changes its answer between a check and the connect, is refused all the same.
Transient errors are retried (core.retry) and the host's own failures feed its circuit breaker (core.circuit).
Feed URLs are secrets: nothing here logs or reports more than the host.
"""

import email.utils
import ipaddress
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from core.circuit import circuit_for
from core.retry import retrying

logger = logging.getLogger(__name__)

USER_AGENT = "StayOps calendar sync (+https://github.com/stayops)"
CHUNK_BYTES = 64 * 1024
MAX_REDIRECTS = 5


class FetchFailed(Exception):
    """The feed could not be fetched. `reason` is short and meant for people; it never holds the URL.

    `host_failure`: the host itself failed (connection, timeout, 5xx): counts towards its circuit breaker.
    `transient`: worth another attempt. `retry_after`: seconds the server asked us to wait (429, 503).
    """

    def __init__(self, reason: str, *, host_failure: bool = False, transient: bool = False, retry_after=None):
        super().__init__(reason)
        self.reason = reason
        self.host_failure = host_failure
        self.transient = transient
        self.retry_after = retry_after


class BlockedAddress(Exception):
    """A connection reached an address feeds may not use. Not an OSError, so urllib3 does not retry it."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the ETag / Last-Modified we sent
    etag: str = ""
    last_modified: str = ""


def feed_host(url: str) -> str:
    """The circuit breaker's key: host, with the port when one is written."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def validate_feed_url(url: str) -> str:
    """Raise FetchFailed unless the URL is http(s) with a host; returns the host. Addresses are checked on connect."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise FetchFailed("the address is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise FetchFailed("only http:// and https:// addresses can be fetched")
    if not parts.hostname:
        raise FetchFailed("the address has no host name")
    if parts.username or parts.password:
        raise FetchFailed("the address must not hold a user name or password")
    return feed_host(url)


def address_allowed(address: str) -> bool:
    if settings.CALENDAR_ALLOW_PRIVATE_HOSTS:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is false for loopback, private, link-local, shared (CGNAT), reserved and documentation ranges.
    return ip.is_global and not ip.is_multicast


def _check_peer(sock, host: str) -> None:
    address = sock.getpeername()[0]
    if not address_allowed(address):
        sock.close()
        raise BlockedAddress(f"{host} resolves to a private, loopback or link-local address; feeds must be public")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    # No proxies from the environment: the address check must see the feed's host, not a proxy's.
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    session.mount("http://", _GuardedAdapter(max_retries=0))
    session.mount("https://", _GuardedAdapter(max_retries=0))
    session.headers["User-Agent"] = USER_AGENT
    return session


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_failure(response: requests.Response) -> FetchFailed:
    status = response.status_code
    if status == 429:
        return FetchFailed(
            "the platform asked us to slow down (429 Too Many Requests)",
            transient=True,
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return FetchFailed(
            f"the platform's server failed (HTTP {status})",
            host_failure=True,
            transient=True,
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        return FetchFailed(f"the platform refused the link (HTTP {status}): export a new link and paste it here")
    if status in (404, 410):
        return FetchFailed(f"the link no longer exists (HTTP {status}): was the listing removed or the link reset?")
    return FetchFailed(f"the platform answered HTTP {status}")


def _read_body(response: requests.Response, deadline: float) -> bytes:
    limit = settings.CALENDAR_MAX_BYTES
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchFailed(f"the calendar is larger than the {limit // 1024:,} KB limit")
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise FetchFailed(f"the calendar is larger than the {limit // 1024:,} KB limit")
        if time.monotonic() > deadline:
            raise FetchFailed("the platform took too long to send the calendar", host_failure=True, transient=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch_once(session: requests.Session, url: str, headers: dict) -> Fetched:
    timeout = settings.CALENDAR_FETCH_TIMEOUT
    # requests' timeout bounds each socket wait; the deadline bounds a server that drips bytes slowly.
    deadline = time.monotonic() + timeout * 2
    try:
        with session.get(url, headers=headers, timeout=(timeout, timeout), stream=True) as response:
            if response.status_code == 304:
                return Fetched(None, headers.get("If-None-Match", ""), headers.get("If-Modified-Since", ""))
            if response.status_code >= 400:
                raise _status_failure(response)
            if response.status_code >= 300:
                raise FetchFailed(f"the platform redirected without a new address (HTTP {response.status_code})")
            body = _read_body(response, deadline)
            return Fetched(body, response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""))
    except BlockedAddress as blocked:
        raise FetchFailed(str(blocked)) from None
    except requests.Timeout:
        raise FetchFailed(
            f"the platform did not answer within {timeout:g} s", host_failure=True, transient=True
        ) from None
    except requests.exceptions.ChunkedEncodingError:
        raise FetchFailed(
            "the connection closed before the whole calendar arrived", host_failure=True, transient=True
        ) from None
    except requests.TooManyRedirects:
        raise FetchFailed(f"the link redirects more than {MAX_REDIRECTS} times") from None
    except requests.exceptions.InvalidSchema:
        raise FetchFailed("the link redirects to an address that is not http or https") from None
    except requests.ConnectionError as error:
        text = str(error)
        if "NameResolution" in text or "Name or service not known" in text:
            reason = "the platform's host name does not resolve"
        else:
            reason = "could not connect to the platform"
        raise FetchFailed(reason, host_failure=True, transient=True) from None
    except requests.RequestException as error:
        raise FetchFailed(f"the request failed ({type(error).__name__})") from None


def fetch_calendar(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET the feed with retries, through its host's circuit breaker.

    Raises core.circuit.CircuitOpen without contacting the host while its circuit is open, FetchFailed when
    the feed cannot be had.
    """
    host = validate_feed_url(url)
    circuit = circuit_for(host)
    circuit.guard()
    headers = {"Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    controller = retrying(
        attempts=settings.CALENDAR_FETCH_ATTEMPTS,
        base_seconds=settings.CALENDAR_RETRY_BASE_SECONDS,
        max_seconds=settings.CALENDAR_RETRY_MAX_SECONDS,
        is_transient=lambda error: isinstance(error, FetchFailed) and error.transient,
        name=f"calendar fetch from {host}",
    )
    with _session() as session:
        try:
            fetched = controller(_fetch_once, session, url, headers)
        except FetchFailed as failure:
            if failure.host_failure:
                circuit.record_failure()
            elif not failure.transient:
                # The host answered (a 404, a login page): it is up, whatever this one feed's problem is.
                circuit.record_success()
            logger.info("calendar fetch from %s failed: %s", host, failure.reason)
            raise
    circuit.record_success()
    return fetched
