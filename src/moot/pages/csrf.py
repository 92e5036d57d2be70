"""CSRF protection for page forms: a random nonce in an HttpOnly cookie, and in each form a token that
is the server's HMAC of that nonce and the form's purpose. A cross-site page can neither read the
cookie nor compute the token."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from moot.domain import b64url
from moot.services.context import Deps

COOKIE = "moot_csrf"


def nonce(request: Request) -> str:
    """The visitor's nonce from the cookie, or a new one (then ``set_cookie`` on the response)."""
    found = request.cookies.get(COOKIE, "")
    if 16 <= len(found) <= 64 and found.replace("-", "").replace("_", "").isalnum():
        return found
    return secrets.token_urlsafe(24)


def token(deps: Deps, nonce_value: str, purpose: str) -> str:
    mac = deps.keys.sign(f"csrf\x00{nonce_value}\x00{purpose}".encode())
    return b64url.encode(mac)


def valid(deps: Deps, request: Request, form_token: str, purpose: str) -> bool:
    found = request.cookies.get(COOKIE, "")
    if not found or not form_token:
        return False
    return hmac.compare_digest(token(deps, found, purpose).encode(), form_token.encode())


def set_cookie(response: Response, deps: Deps, nonce_value: str) -> None:
    response.set_cookie(
        COOKIE,
        nonce_value,
        max_age=12 * 3600,
        path="/",
        secure=deps.settings.base_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
