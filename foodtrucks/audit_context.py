"""Who is acting, for the audit trail: a request-scoped context the services read.

`AuditActorMiddleware` (foodtrucks.middleware) puts the request here for the length of the request;
`current_actor()` reads its user when a service writes an audit entry, so the API's token user (DRF
sets it on the request once the view authenticates) and the portal's and admin's session user are
found alike. Code outside a request (Celery tasks, commands) names its actor with `acting_as(user)`,
or passes `actor=` to the service; with neither the entry says "system".
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_acting: ContextVar[Any] = ContextVar("audit_acting", default=None)


def current_actor() -> Any | None:
    """The authenticated user of the current request (or of `acting_as`), else None."""
    source = _acting.get()
    user = getattr(source, "user", source)  # a request, or a user given to acting_as
    return user if user is not None and getattr(user, "is_authenticated", False) else None


@contextmanager
def acting_as(source: Any) -> Iterator[None]:
    """Within the block, services record `source` (a request or a user) as the actor."""
    token = _acting.set(source)
    try:
        yield
    finally:
        _acting.reset(token)
