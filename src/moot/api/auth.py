"""Bearer-token authentication of every ``/v2`` call."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request

from moot.domain import scopes
from moot.domain.errors import InvalidAccessToken
from moot.services.context import Deps, Principal
from moot.services.tokens import authenticate_token


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken()
    return token.strip()


async def authenticate(request: Request, operation: str) -> tuple[Deps, Principal]:
    """The caller of ``operation`` (a Zoom operation id): token verified, scopes checked against what it
    reaches, and the call counted against the account's rate limits (raising Zoom's 429 past them)."""
    deps: Deps = request.app.state.deps
    principal = await authenticate_token(deps, bearer_token(request))
    missing = scopes.reach(operation, principal.scopes)
    if deps.limiter is None:
        return deps, replace(principal, admin_scopes_missing=missing) if missing else principal
    usage = await deps.limiter.charge(principal.account_id, operation)
    if usage.scale is None:  # an account whose calls are not counted: no headers, no host quota
        return deps, replace(principal, admin_scopes_missing=missing) if missing else principal
    request.state.rate_usage = usage  # its headers go out on the answer, whatever it is (ZoomEdge)
    return deps, replace(principal, admin_scopes_missing=missing, usage=usage)
