"""Who is acting, from where, and in which request or import: read by every audit write."""

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeVar


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    source: str = "automation"
    request_id: str = ""
    batch_id: int | None = None


# AuditContext is a frozen dataclass, so sharing one default instance is safe.
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "stayops_audit_context",
    default=AuditContext(),  # noqa: B039
)


def current_audit_context() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def audit_context(**changes) -> Iterator[AuditContext]:
    """Override parts of the audit context for the block: `with audit_context(source="import", batch_id=7):`.

    `actor` may be given as a user object instead of `actor_id`.
    """
    actor = changes.pop("actor", None)
    if actor is not None:
        changes["actor_id"] = actor.pk if getattr(actor, "is_authenticated", False) else None
    token = _current.set(replace(_current.get(), **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def acting_user(service: Callable[P, R]) -> Callable[P, R]:
    """Make a service's `user` argument the actor of every audit entry it writes.

    The one source of truth for "who did this" is the user the caller passes: a view, a management command
    (`--user`), a job. The audit context only carries it down to `core.audit`; without a signed-in `user`
    (automation, imports without one) the surrounding context's actor stays.
    """

    @functools.wraps(service)
    def run_as_user(*args: P.args, **kwargs: P.kwargs) -> R:
        user = kwargs.get("user")
        if user is None or not getattr(user, "is_authenticated", False):
            return service(*args, **kwargs)
        with audit_context(actor=user):
            return service(*args, **kwargs)

    return run_as_user
