"""Demo work for `seed_demo`: projects with WBS trees and tasks, then turnover templates and their tasks."""

from wbs import demo_projects, demo_turnovers


def seed(*, users: dict, scale: int, stdout) -> None:
    demo_projects.seed_projects(users=users, scale=scale, stdout=stdout)
    demo_turnovers.seed_turnovers(users=users, scale=scale, stdout=stdout)
