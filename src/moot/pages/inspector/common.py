"""What the inspector's pages share: rendering with CSRF tokens, reading forms, redirects with a
message, numbers from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import Response

from moot.api.responses import read_body
from moot.domain.errors import ValidationFailed, ZoomError
from moot.domain.times import format_zoom
from moot.pages import csrf
from moot.pages.render import redirect, render
from moot.services.context import Deps

FORM_LIMIT = 64 * 1024
STYLESHEET = "inspector.css"


def when(instant: datetime | None) -> str:
    """A time as Zoom writes it (UTC), or a dash."""
    return format_zoom(instant) if instant is not None else "—"


def page(
    request: Request, deps: Deps, template: str, context: Mapping[str, Any], *, status: int = 200
) -> Response:
    """An inspector page; its forms get CSRF tokens (``csrf(purpose)`` in the template)."""
    visitor = csrf.nonce(request)

    def token(purpose: str) -> str:
        return csrf.token(deps, visitor, purpose)

    response = render(
        f"inspector/{template}",
        {
            "csrf": token,
            "sign_out": bool(deps.settings.admin_token),
            "error": request.query_params.get("error", ""),
            "notice": request.query_params.get("notice", ""),
            "here": request.url.path,
            "when": when,
            **context,
        },
        status=status,
    )
    csrf.set_cookie(response, deps, visitor)
    return response


async def form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the first value of each field)."""
    raw = await read_body(request, FORM_LIMIT)
    fields: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


def form_ok(deps: Deps, request: Request, fields: Mapping[str, str], purpose: str) -> bool:
    return csrf.valid(deps, request, fields.get("csrf", ""), purpose)


def back(path: str, *, error: str = "", notice: str = "") -> Response:
    """303 to ``path`` (an inspector path) with a message to show there."""
    query = {k: v for k, v in (("error", error), ("notice", notice)) if v}
    return redirect(f"{path}?{urlencode(query)}" if query else path)


def refused_csrf(path: str) -> Response:
    return back(path, error="The form had expired or came from elsewhere: nothing was changed.")


def describe(error: ZoomError) -> str:
    """A Zoom error as one line for a page."""
    if isinstance(error, ValidationFailed) and error.errors:
        return "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in error.errors)
    return error.message


def number(request: Request, name: str, default: int, *, low: int = 0, high: int = 2**62) -> int:
    """A whole number from the query string, ``default`` when absent or unusable."""
    raw = request.query_params.get(name, "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 18 and low <= int(raw) <= high:
        return int(raw)
    return default


def text(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()
