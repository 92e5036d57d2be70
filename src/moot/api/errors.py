"""Rendering errors: Zoom's ``{"code", "message"}``, OAuth's ``{"reason", "error"}``, and a JSON 500 for
anything unexpected (logged with its traceback, never shown to the client)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from moot.api.responses import json_response
from moot.api.unimplemented import not_implemented
from moot.domain.errors import (
    FieldError,
    InternalError,
    MethodNotAllowed,
    OAuthError,
    RequestTooLarge,
    RouteNotFound,
    ValidationFailed,
    ZoomError,
)


async def zoom_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZoomError)
    return json_response(exc.body(), exc.status, headers=exc.headers or None)


async def oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    return json_response(exc.body(), exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: ZoomError
    if exc.status_code in (404, 405):
        # Routing failed: a Zoom operation that moot lacks is named, anything else stays generic.
        generic = RouteNotFound() if exc.status_code == 404 else MethodNotAllowed()
        error = not_implemented(request.method, request.scope["path"]) or generic
    else:
        error = InternalError()
    return json_response(error.body(), error.status)


def nul_rejected_response() -> Response:
    error = ValidationFailed([FieldError("", "NUL characters are not allowed in paths or query strings.")])
    return json_response(error.body(), error.status)


def too_large_response() -> Response:
    error = RequestTooLarge()
    return json_response(error.body(), error.status)


def unexpected_error_response() -> Response:
    error = InternalError()
    return json_response(error.body(), error.status)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    return unexpected_error_response()


EXCEPTION_HANDLERS = {
    Exception: unexpected_error,
    ZoomError: zoom_error,
    OAuthError: oauth_error,
    HTTPException: http_error,
}
