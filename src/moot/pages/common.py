"""What every page handler shares: the deps, form bodies, CSRF fields and the message page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from moot.pages import csrf
from moot.pages.render import render, security_headers
from moot.services.context import Deps

FORM_LIMIT = 16 * 1024
NOT_VALID = "This meeting ID is not valid. Please check and try again."


def deps_of(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


async def form_pairs(request: Request) -> list[tuple[str, str]]:
    """A urlencoded form body's fields in order, repeated names included (empty when too large or not
    text)."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > FORM_LIMIT:
            return []
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return []


async def form_of(request: Request) -> dict[str, str]:
    """A urlencoded form body (empty when too large or not text); of a repeated name, the last value."""
    return dict(await form_pairs(request))


class Page:
    """One page render with CSRF tokens: ``token(purpose)`` for each form, then ``render``."""

    def __init__(self, request: Request) -> None:
        self.deps = deps_of(request)
        self.nonce = csrf.nonce(request)

    def token(self, purpose: str) -> str:
        return csrf.token(self.deps, self.nonce, purpose)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        response = render(template, context, status=status)
        csrf.set_cookie(response, self.deps, self.nonce)
        return response


def message(title: str, text: str, status: int, *, link: tuple[str, str] | None = None) -> HTMLResponse:
    """A page that only says something (errors, refusals)."""
    return render("message.html", {"title": title, "text": text, "link": link}, status=status)


def not_valid() -> HTMLResponse:
    return message("Invalid meeting ID", NOT_VALID, 404)


def forged() -> HTMLResponse:
    return message(
        "This form has expired",
        "This form has expired or did not come from this site. Go back, reload the page and try again.",
        403,
    )


def json_status(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=security_headers()
    )
