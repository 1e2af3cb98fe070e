"""Template context shared by every page: the navigation for the signed-in user's role."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.roles import is_cleaner, is_manager

MANAGER_NAVIGATION: list[tuple[str, StrOrPromise]] = [
    ("wbs:today", _("Today")),
    ("bookings:list", _("Bookings")),
    ("bookings:timeline", _("Timeline")),
    ("bookings:import", _("Import")),
    ("bookings:conflicts", _("Conflicts")),
    ("wbs:board", _("Board")),
    ("wbs:gantt", _("Gantt")),
    ("wbs:turnovers", _("Turnovers")),
    ("wbs:projects", _("Projects")),
    ("core:audit", _("Audit")),
    ("core:job_failures", _("Failures")),
]
CLEANER_NAVIGATION: list[tuple[str, StrOrPromise]] = [("wbs:my_tasks", _("My tasks"))]
# Pages that belong to a menu item without living under its URL.
ALSO_UNDER = {"wbs:turnovers": ["wbs:templates"]}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "user_is_manager": False}
    manager = is_manager(user)
    items = list(MANAGER_NAVIGATION if manager else [])
    if is_cleaner(user):
        items += CLEANER_NAVIGATION
    return {"navigation": _resolved(items, request.path), "user_is_manager": manager}


def _resolved(items: list[tuple[str, StrOrPromise]], path: str) -> list[dict]:
    """Link each item and mark the one whose URL is the longest prefix of the current path."""
    links = []
    for url_name, label in items:
        try:
            prefixes = [reverse(name) for name in [url_name, *ALSO_UNDER.get(url_name, [])]]
        except NoReverseMatch:
            # An app switched off in settings drops out of the menu instead of breaking every page.
            continue
        links.append({"url": prefixes[0], "label": label, "active": False, "prefixes": prefixes})

    def match_length(link: dict) -> int:
        lengths = [
            len(prefix) for prefix in link["prefixes"] if path == prefix or (prefix != "/" and path.startswith(prefix))
        ]
        return max(lengths, default=0)

    best = max(links, key=match_length, default=None)
    if best is not None and match_length(best):
        best["active"] = True
    return links
