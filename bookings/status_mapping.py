"""Source status words to internal booking statuses: built-in aliases plus managers' StatusAlias rows."""

import re
from collections.abc import Iterable

from bookings.models import BookingStatus, StatusAlias

# Written as the platforms write them; lookups ignore case and whitespace.
GENERIC_ALIASES = {
    "Pending": BookingStatus.BOOKED,
    "Requested": BookingStatus.BOOKED,
    "Confirmed": BookingStatus.CONFIRMED,
    "Cancelled": BookingStatus.CANCELLED,
    "Canceled": BookingStatus.CANCELLED,
    "Completed": BookingStatus.COMPLETED,
    "Owner Staying": BookingStatus.OWNER_STAYING,
    "Currently Hosting": BookingStatus.CURRENTLY_HOSTING,
}
AIRBNB_ALIASES = {
    "Confirmed": BookingStatus.CONFIRMED,
    "Arriving soon": BookingStatus.CONFIRMED,
    "Checking out today": BookingStatus.CONFIRMED,
    "Past guest": BookingStatus.COMPLETED,
    "Canceled by guest": BookingStatus.CANCELLED,
    "Canceled by host": BookingStatus.CANCELLED,
    "Canceled by Airbnb": BookingStatus.CANCELLED,
    "Pending": BookingStatus.BOOKED,
    "Request": BookingStatus.BOOKED,
    "Awaiting guest verification": BookingStatus.BOOKED,
}
BOOKINGCOM_ALIASES = {
    "ok": BookingStatus.CONFIRMED,
    "cancelled_by_guest": BookingStatus.CANCELLED,
    "cancelled_by_hotel": BookingStatus.CANCELLED,
    "no_show": BookingStatus.CANCELLED,
}
# The internal values themselves ("owner_staying") are accepted too: our own template's drop-down offers them.
INTERNAL_ALIASES = {value: value for value in BookingStatus.values}

_SPACES = re.compile(r"\s+")


def normalize_status(value) -> str:
    """`"  Arriving   SOON "` -> `"arriving soon"`: case and runs of whitespace do not matter."""
    return _SPACES.sub(" ", str(value)).strip().casefold()


def _normalized(aliases: dict) -> dict[str, str]:
    return {normalize_status(word): str(status) for word, status in aliases.items()}


# No two tables disagree on a word, so one merged table serves every source; a test guards that.
BUILT_IN = {
    **_normalized(INTERNAL_ALIASES),
    **_normalized(GENERIC_ALIASES),
    **_normalized(AIRBNB_ALIASES),
    **_normalized(BOOKINGCOM_ALIASES),
}

STATUS_ALIAS_HELP = (
    "Say what it means under “Fix and check again” on the preview, or in Import › Status aliases ("
    + ", ".join(BookingStatus.values)
    + ")."
)


class UnknownStatus(ValueError):
    def __init__(self, value):
        self.value = value
        super().__init__(f"is an unknown status ({str(value)!r}). {STATUS_ALIAS_HELP}")


class StatusMapper:
    """Maps status words for one import; built with one query by `load_status_mapper()`."""

    def __init__(self, database_aliases: Iterable[tuple[str, str, str]] = ()):
        # (source, value, status) rows; a source-specific alias wins over an any-source one, and both over built-ins.
        self.any_source = {normalize_status(value): status for source, value, status in database_aliases if not source}
        self.per_source: dict[str, dict[str, str]] = {}
        for source, value, status in database_aliases:
            if source:
                self.per_source.setdefault(source, {})[normalize_status(value)] = status

    def map(self, value, source: str = "") -> str:
        word = normalize_status(value if value is not None else "")
        if not word:
            raise UnknownStatus(value if value is not None else "")
        status = self.per_source.get(source, {}).get(word) or self.any_source.get(word) or BUILT_IN.get(word)
        if status is None:
            raise UnknownStatus(value)
        return status


def load_status_mapper() -> StatusMapper:
    return StatusMapper(list(StatusAlias.objects.values_list("source", "value", "status")))


def map_status(value, source: str = "") -> str:
    """One-off lookup (one query). Imports use one `load_status_mapper()` for the whole file instead."""
    return load_status_mapper().map(value, source)


def built_in_words_by_status() -> list[tuple[str, str]]:
    """Built-in words by meaning, for the aliases page to show: (status label, words)."""
    words: dict[str, list[str]] = {}
    for word, status in BUILT_IN.items():
        # The internal values with underscores (owner_staying) are for our own template, not worth listing.
        if not (word in BookingStatus.values and "_" in word):
            words.setdefault(status, []).append(word)
    return [(label, ", ".join(sorted(words.get(value, [])))) for value, label in BookingStatus.choices]
