"""``/moot/login`` and ``/moot/logout``: the admin token traded for a session cookie, and back."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.pages.inspector import auth
from moot.pages.inspector.common import form, form_ok, page
from moot.pages.render import redirect
from moot.pages.throttle import attempts, client_address


async def login_page(request: Request) -> Response:
    deps = auth.inspector_deps(request)
    target = auth.safe_next(request.query_params.get("next"))
    if not deps.settings.admin_token or auth.signed_in(request, deps):
        return redirect(target)
    return page(request, deps, "login.html", {"next": target, "failed": ""})


async def login(request: Request) -> Response:
    deps = auth.inspector_deps(request)
    fields = await form(request)
    target = auth.safe_next(fields.get("next"))
    if not deps.settings.admin_token:
        return redirect(target)
    if not form_ok(deps, request, fields, "login"):
        failed = "The sign-in form had expired: try again."
    elif not await attempts(request).allow_client("inspector-login", client_address(request)):
        failed = "Too many sign-in attempts from this address. Wait 10 minutes, then try again."
        return page(request, deps, "login.html", {"next": target, "failed": failed}, status=429)
    elif not auth.token_matches(deps, fields.get("token", "")):
        failed = "That is not this server's admin token."
    else:
        response = redirect(target)
        auth.start_session(response, deps)
        return response
    return page(request, deps, "login.html", {"next": target, "failed": failed}, status=401)


async def logout_page(request: Request) -> Response:
    deps = auth.inspector_deps(request)
    return page(request, deps, "logout.html", {})


async def logout(request: Request) -> Response:
    deps = auth.inspector_deps(request)
    fields = await form(request)
    if not form_ok(deps, request, fields, "logout"):
        return redirect("/moot/logout")
    response = redirect(auth.LOGIN)
    auth.end_session(response, deps)
    return response


ROUTES = [
    Route("/moot/login", login_page, methods=["GET"]),
    Route("/moot/login", login, methods=["POST"]),
    Route("/moot/logout", logout_page, methods=["GET"]),
    Route("/moot/logout", logout, methods=["POST"]),
]
