"""``/oauth/authorize``: the consent page of user OAuth (a server-rendered form, everything escaped).

GET checks the authorization request and shows the form; POST signs the user in and redirects to the
app with a code. Problems with the request itself are shown on a 400 page, never redirected.
"""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from moot.api.responses import read_body
from moot.domain.oauth import CONSENT_FORM_LIFETIME
from moot.services import oauth, user_oauth
from moot.services.context import Deps
from moot.services.user_oauth import AuthorizationRequest, AuthorizeRefused, SignInFailed

NONCE_COOKIE = "moot_oauth_nonce"
SIGN_IN_THROTTLED = "Too many failed sign-ins. Try again in a minute."
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "pragma": "no-cache",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "label{display:block;margin-top:.8rem}input[type=email],input[type=password]{width:100%;padding:.4rem}"
    "ul{padding-left:1.2rem}.error{color:#a00}button{margin-top:1rem;margin-right:.5rem;padding:.4rem 1rem}"
)


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{_STYLE}</style></head>'
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    return _page("Authorization failed", f"<h1>Authorization failed</h1><p>{escape(message)}</p>", status)


def _consent_page(
    deps: Deps,
    nonce: str,
    request: AuthorizationRequest,
    *,
    email: str = "",
    error: str = "",
    status: int | None = None,
) -> HTMLResponse:
    app = request.app
    hidden = {**request.fields(), "csrf_token": user_oauth.consent_form_token(deps, nonce, request)}
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    scopes = "".join(f"<li>{escape(scope)}</li>" for scope in app.scopes)
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<h1>Authorize {escape(app.name)}</h1>"
        f"<p><strong>{escape(app.name)}</strong> asks to act on your behalf with these scopes:</p>"
        f"<ul>{scopes}</ul>{problem}"
        f'<form method="post" action="/oauth/authorize">{fields}'
        f'<label>Email <input type="email" name="email" value="{escape(email)}" autocomplete="username" '
        f"required></label>"
        f'<label>Password <input type="password" name="password" autocomplete="current-password">'
        f"</label>"
        f'<button type="submit" name="action" value="allow">Allow</button>'
        f'<button type="submit" name="action" value="deny" formnovalidate>Deny</button></form>'
    )
    response = _page(f"Authorize {app.name}", body, status or (401 if error else 200))
    response.set_cookie(
        NONCE_COOKIE,
        nonce,
        max_age=int(CONSENT_FORM_LIFETIME.total_seconds()),
        path="/oauth/authorize",
        secure=deps.settings.base_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return response


def _nonce(request: Request) -> str:
    found = request.cookies.get(NONCE_COOKIE, "")
    return found if 16 <= len(found) <= 64 and found.replace("-", "").replace("_", "").isalnum() else ""


async def authorize_page(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    try:
        authorization = await user_oauth.check_authorization_request(deps, request.query_params)
    except AuthorizeRefused as exc:
        return _error_page(exc.message)
    return _consent_page(deps, _nonce(request) or secrets.token_urlsafe(24), authorization)


async def authorize_submit(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    raw = await read_body(request, limit=64 * 1024)
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        form = {}
    try:
        authorization = await user_oauth.check_authorization_request(deps, form)
    except AuthorizeRefused as exc:
        return _error_page(exc.message)
    nonce = _nonce(request)
    if not user_oauth.consent_form_token_valid(deps, nonce, authorization, form.get("csrf_token", "")):
        return _error_page(
            "This form has expired or did not come from this site: start again from the app.", 403
        )
    if form.get("action") == "deny":
        return _redirect(user_oauth.denied_redirect(authorization))
    email = form.get("email", "")
    address = request.client.host if request.client is not None else ""
    try:
        user = await oauth.sign_in(deps, authorization.app, email, form.get("password", ""), address)
    except SignInFailed:
        return _consent_page(deps, nonce, authorization, email=email, error="Incorrect email or password.")
    except oauth.SignInThrottled as throttled:
        page = _consent_page(deps, nonce, authorization, email=email, error=SIGN_IN_THROTTLED, status=429)
        page.headers["retry-after"] = str(throttled.retry_after)
        return page
    return _redirect(await user_oauth.grant_consent(deps, authorization, user))


def _redirect(url: str) -> Response:
    return RedirectResponse(
        url, status_code=302, headers={"cache-control": "no-store", "referrer-policy": "no-referrer"}
    )


ROUTES = [
    Route("/oauth/authorize", authorize_page, methods=["GET"], name="oauthAuthorize"),
    Route("/oauth/authorize", authorize_submit, methods=["POST"], name="oauthAuthorizeSubmit"),
]
