"""The two roles (manager, cleaner) and the decorators views use to check them."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

MANAGER = "manager"
CLEANER = "cleaner"
ROLES = (MANAGER, CLEANER)


def role_names(user) -> frozenset[str]:
    """The user's role names, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_stayops_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._stayops_roles = cached
    return cached


def is_manager(user) -> bool:
    return user.is_authenticated and (user.is_superuser or MANAGER in role_names(user))


def is_cleaner(user) -> bool:
    return user.is_authenticated and CLEANER in role_names(user)


def role_required(*roles: str) -> Callable:
    """Signed-in users with one of `roles` (superusers always) get through; others get 403.

    Anonymous users are sent to the sign-in page first.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or role_names(user) & set(roles)):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


manager_required = role_required(MANAGER)
cleaner_required = role_required(CLEANER)
