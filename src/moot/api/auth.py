"""Bearer-token authentication of every ``/v2`` call."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request

from moot.domain import scopes
from moot.domain.errors import InvalidAccessToken
from moot.services.context import Deps, Principal
from moot.services.tokens import verify_access_token


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken()
    return token.strip()


def authenticate(request: Request, operation: str) -> tuple[Deps, Principal]:
    """The caller of ``operation`` (a Zoom operation id), with what its token's scopes let it reach."""
    deps: Deps = request.app.state.deps
    principal = verify_access_token(deps, bearer_token(request))
    missing = scopes.reach(operation, principal.scopes)
    return deps, replace(principal, admin_scopes_missing=missing) if missing else principal
