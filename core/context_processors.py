"""Template context shared by every page: the navigation for the signed-in user's role.

Each item: URL name, label, and the Lucide icon beside it (names in scripts/vendor_icons.py)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.roles import is_cleaner, is_manager

MANAGER_NAVIGATION: list[tuple[str, StrOrPromise, str]] = [
    ("wbs:today", _("Today"), "sun"),
    ("bookings:list", _("Bookings"), "calendar-days"),
    ("bookings:timeline", _("Timeline"), "calendar-range"),
    ("bookings:import", _("Import"), "upload"),
    ("bookings:conflicts", _("Conflicts"), "git-compare"),
    ("wbs:board", _("Board"), "square-kanban"),
    ("wbs:gantt", _("Gantt"), "chart-gantt"),
    ("wbs:turnovers", _("Turnovers"), "repeat-2"),
    ("wbs:projects", _("Projects"), "clipboard-list"),
    ("core:audit", _("Audit"), "history"),
    ("core:job_failures", _("Failures"), "server-crash"),
]
CLEANER_NAVIGATION: list[tuple[str, StrOrPromise, str]] = [("wbs:my_tasks", _("My tasks"), "list-checks")]
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


def _resolved(items: list[tuple[str, StrOrPromise, str]], path: str) -> list[dict]:
    """Link each item and mark the one whose URL is the longest prefix of the current path."""
    links = []
    for url_name, label, icon in items:
        try:
            prefixes = [reverse(name) for name in [url_name, *ALSO_UNDER.get(url_name, [])]]
        except NoReverseMatch:
            # An app switched off in settings drops out of the menu instead of breaking every page.
            continue
        links.append({"url": prefixes[0], "label": label, "icon": icon, "active": False, "prefixes": prefixes})

    def match_length(link: dict) -> int:
        lengths = [
            len(prefix) for prefix in link["prefixes"] if path == prefix or (prefix != "/" and path.startswith(prefix))
        ]
        return max(lengths, default=0)

    best = max(links, key=match_length, default=None)
    if best is not None and match_length(best):
        best["active"] = True
    return links
