"""Demo properties and bookings for `seed_demo` (filled in by the bookings issue)."""


def seed(*, users: dict, scale: int, stdout) -> None:
    return None
