"""``/v2/users`` and ``/v2/users/{userId}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.auth import authenticate
from moot.api.responses import json_body, json_response
from moot.domain.user_requests import ListUsersQuery, UserCreateInput
from moot.domain.users import UserStatus
from moot.domain.validation import parse
from moot.services import users


async def user_get(request: Request) -> Response:
    deps, principal = await authenticate(request, "user")
    return json_response(await users.get_user(deps, principal, request.path_params["userId"]))


async def users_list(request: Request) -> Response:
    deps, principal = await authenticate(request, "users")
    q = parse(ListUsersQuery, dict(request.query_params))
    status = UserStatus(q.status) if q.status else None
    page = await users.list_users(
        deps,
        principal,
        status=status,
        page_size=q.page_size,
        page_number=q.page_number,
        next_page_token=q.next_page_token,
    )
    return json_response(page)


async def user_create(request: Request) -> Response:
    deps, principal = await authenticate(request, "userCreate")
    body = parse(UserCreateInput, await json_body(request))
    return json_response(await users.create_user(deps, principal, body), 201)


ROUTES = [
    Route("/v2/users", users_list, methods=["GET"], name="users"),
    Route("/v2/users", user_create, methods=["POST"], name="userCreate"),
    Route("/v2/users/{userId}", user_get, methods=["GET"], name="user"),
]
