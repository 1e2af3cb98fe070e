"""Demo users for `seed_demo`: one manager and two cleaners, password `demo`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import CLEANER, MANAGER

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("manager", MANAGER, "Maria", "Santos"),
    ("cleaner1", CLEANER, "Carla", "Lopes"),
    ("cleaner2", CLEANER, "Rui", "Costa"),
]


def seed_users() -> dict:
    """Create (or reset) the demo users; returns them by username."""
    User = get_user_model()
    users = {}
    for username, role, first_name, last_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.com"},
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == MANAGER
        user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
