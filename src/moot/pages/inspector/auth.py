"""Who may see the inspector: nobody while the admin API is off (a Zoom-style 404, as for any unknown
path); anyone on a server whose admin API has no token (``moot emulate``); otherwise whoever shows the
admin token, as a Bearer header or through ``/moot/login``, which trades it for a signed session cookie.

The session cookie is ``{expires}.{mac}``: an HMAC (the server's token key) over its expiry and a
fingerprint of the admin token, so changing the token ends every session. Its expiry is real time, not
the emulator's Clock: moving the emulated world's clock must not sign the operator out (or in)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from moot.domain import b64url
from moot.domain.errors import RouteNotFound
from moot.pages.render import redirect
from moot.services.context import Deps

COOKIE = "moot_inspector"
SESSION_SECONDS = 12 * 3600
LOGIN = "/moot/login"

Handler = Callable[[Request, Deps], Awaitable[Response]]


def inspector_deps(request: Request) -> Deps:
    """The deps, or the 404 of an unknown path while the admin API is off."""
    deps: Deps = request.app.state.deps
    if not deps.settings.admin_enabled:
        raise RouteNotFound()
    return deps


def _mac(deps: Deps, expires: int) -> str:
    token = deps.settings.admin_token or ""
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    mac = deps.keys.sign(f"inspector-session\x00{expires}\x00{fingerprint}".encode())
    return b64url.encode(mac)


def session_value(deps: Deps, expires: int) -> str:
    return f"{expires}.{_mac(deps, expires)}"


def session_valid(deps: Deps, value: str, now: float | None = None) -> bool:
    expires_text, _, mac = value.partition(".")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires = int(expires_text)
    if expires <= (time.time() if now is None else now):
        return False
    return hmac.compare_digest(_mac(deps, expires).encode(), mac.encode())


def token_matches(deps: Deps, given: str) -> bool:
    expected = deps.settings.admin_token or ""
    return bool(expected) and hmac.compare_digest(given.strip().encode(), expected.encode())


def signed_in(request: Request, deps: Deps) -> bool:
    """Allowed in: no token configured, the token as a Bearer header, or a valid session cookie."""
    if not deps.settings.admin_token:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(deps, given):
        return True
    return session_valid(deps, request.cookies.get(COOKIE, ""))


def secure(deps: Deps) -> bool:
    return deps.settings.base_url.startswith("https://")


def start_session(response: Response, deps: Deps) -> None:
    response.set_cookie(
        COOKIE,
        session_value(deps, int(time.time()) + SESSION_SECONDS),
        max_age=SESSION_SECONDS,
        path="/moot",
        secure=secure(deps),
        httponly=True,
        samesite="strict",
    )


def end_session(response: Response, deps: Deps) -> None:
    response.delete_cookie(COOKIE, path="/moot", secure=secure(deps), httponly=True, samesite="strict")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: an inspector path of this server, nothing else."""
    if not target or not target.startswith("/moot") or target.startswith(LOGIN):
        return "/moot/"
    if any(bad in target for bad in ("//", "\\", "\r", "\n")):
        return "/moot/"
    return target


def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page only the admin may see: others are sent to the sign-in page (a cookie that is forged or
    expired is dropped on the way)."""

    @wraps(handler)
    async def page(request: Request) -> Response:
        deps = inspector_deps(request)
        if signed_in(request, deps):
            return await handler(request, deps)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = here if request.method in ("GET", "HEAD") else "/moot/"
        response = redirect(f"{LOGIN}?next={quote(safe_next(target), safe='/')}")
        if COOKIE in request.cookies:
            end_session(response, deps)
        return response

    return page
