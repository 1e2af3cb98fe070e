"""Who is acting, from where, and in which request or import: read by every audit write."""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, replace


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
