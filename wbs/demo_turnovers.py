"""Demo task templates and the turnover tasks they create (filled in by the turnovers issue)."""


def seed_turnovers(*, users: dict, scale: int, stdout) -> None:
    return None
