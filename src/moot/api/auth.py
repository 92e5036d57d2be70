"""Bearer-token authentication of every ``/v2`` call."""

from __future__ import annotations

from starlette.requests import Request

from moot.domain.errors import InvalidAccessToken
from moot.services.context import Deps, Principal
from moot.services.tokens import verify_access_token


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken()
    return token.strip()


def authenticate(request: Request) -> tuple[Deps, Principal]:
    deps: Deps = request.app.state.deps
    return deps, verify_access_token(deps, bearer_token(request))
