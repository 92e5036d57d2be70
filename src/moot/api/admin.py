"""moot's own admin API under ``/moot/api``: off unless configured, and guarded by the admin token."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from moot.domain.errors import AdminTokenInvalid, RouteNotFound
from moot.services.context import Deps


def admin(request: Request) -> Deps:
    """The deps for an admin call: 404 while the admin API is off (as for any unknown path), 401 without
    the configured token."""
    deps: Deps = request.app.state.deps
    settings = deps.settings
    if not settings.admin_enabled:
        raise RouteNotFound()
    if settings.admin_token:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), settings.admin_token.encode()
        ):
            raise AdminTokenInvalid()
    return deps
