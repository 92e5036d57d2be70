"""``POST /oauth/token`` and ``POST /oauth/revoke``: parameters from the query string, a form body or a
JSON body, whatever the Content-Type claims (clients-in-the-wild.md)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.responses import json_response, read_body
from moot.services import oauth
from moot.services.context import Deps


def _body_params(raw: bytes) -> dict[str, str]:
    text = raw.strip()
    if not text:
        return {}
    if text.startswith(b"{"):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    try:
        return dict(parse_qsl(text.decode("utf-8"), keep_blank_values=False))
    except UnicodeDecodeError:
        return {}


def _address(request: Request) -> str:
    """The client's address as the ASGI server gives it (behind a proxy: what its forwarded headers say,
    where the server trusts them, e.g. uvicorn's --forwarded-allow-ips)."""
    return request.client.host if request.client is not None else ""


async def token(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    params = {**request.query_params, **_body_params(await read_body(request, limit=64 * 1024))}
    body = await oauth.request_token(deps, request.headers.get("authorization"), params, _address(request))
    return json_response(body, headers={"cache-control": "no-store", "pragma": "no-cache"})


async def revoke(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    params = {**request.query_params, **_body_params(await read_body(request, limit=64 * 1024))}
    body = await oauth.revoke_token(deps, request.headers.get("authorization"), params, _address(request))
    return json_response(body, headers={"cache-control": "no-store", "pragma": "no-cache"})


ROUTES = [
    Route("/oauth/token", token, methods=["POST"], name="oauthToken"),
    Route("/oauth/revoke", revoke, methods=["POST"], name="oauthRevoke"),
]
