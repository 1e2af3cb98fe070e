"""Questions `bookings` asks of the apps built on it, without importing them.

An app above (wbs) registers answers in its AppConfig.ready(); with none registered the answers are empty.
"""

from collections.abc import Callable, Iterable

_started_work_providers: list[Callable[[Iterable[int]], set[int]]] = []
_booking_panel_providers: list[Callable] = []


def register_started_work_provider(provider: Callable[[Iterable[int]], set[int]]) -> None:
    """`provider(booking_ids)` returns the ids of bookings whose work (tasks) has started or is done."""
    _started_work_providers.append(provider)


def bookings_with_started_work(booking_ids: Iterable[int]) -> set[int]:
    ids = list(booking_ids)
    started: set[int] = set()
    for provider in _started_work_providers:
        started |= provider(ids)
    return started


def register_booking_panel(provider: Callable) -> None:
    """`provider(request, booking)` returns HTML (a safe string) for a section of the booking detail page,
    e.g. the booking's turnover tasks; or "" for nothing."""
    _booking_panel_providers.append(provider)


def booking_panels(request, booking) -> list:
    return [html for provider in _booking_panel_providers if (html := provider(request, booking))]
