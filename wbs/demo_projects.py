"""Demo projects, WBS trees and tasks (filled in by the work issue)."""


def seed_projects(*, users: dict, scale: int, stdout) -> None:
    return None
