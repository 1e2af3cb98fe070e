"""Limits for what a URL may ask for: the dates pages accept, a page size, an id; garbage is clamped, not a 500."""

import datetime

# Far enough either side for any stay or plan, and far enough inside date.min/date.max that a page can step a
# month or draw a few weeks from any accepted date without leaving what Python and the databases can hold.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
# The largest id a URL may name: PostgreSQL's integer; a bigger number is no row, not an overflow in the driver.
MAX_ID = 2**31 - 1


def date_in_range(day: datetime.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def clamped_int(raw: str | None, *, default: int, minimum: int, maximum: int) -> int:
    """`raw` as an int inside [minimum, maximum]; missing or not a number gives `default`."""
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        value = default
    return max(minimum, min(value, maximum))
