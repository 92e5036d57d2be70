"""User OAuth: ``/oauth/authorize`` (consent by a user of the app's account), the ``authorization_code``
and ``refresh_token`` grants of ``/oauth/token``, and ``/oauth/revoke``. Choices: docs/oauth.md.

Codes and refresh tokens are single-use. Spending one is a conditional UPDATE inside a write block, so of
two requests racing with the same value exactly one wins (on SQLite writers are serialised; on PostgreSQL
the loser waits for the row lock and then finds it spent). Presenting a spent one revokes its grant: the
access tokens of the grant are refused from then on (``services.tokens.authenticate_token``).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from moot.domain.accounts import App, AppType
from moot.domain.errors import (
    OAuthError,
    invalid_authorization_code,
    invalid_client,
    invalid_code_verifier,
    invalid_refresh_token,
    missing_token,
    redirect_uri_mismatch,
    unauthorized_client,
)
from moot.domain.oauth import (
    CODE_LIFETIME,
    CONSENT_FORM_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
    AuthorizationCode,
    Grant,
    RefreshToken,
    is_pkce_value,
    secret_hash,
    verifier_matches,
)
from moot.domain.users import User, UserStatus
from moot.services.context import Deps
from moot.services.secrets import client_secret_matches, hash_password, password_matches
from moot.services.tokens import issue_access_token, read_access_token
from moot.storage.base import WriteTx


@functools.cache
def _dummy_password_hash() -> str:
    """Checked against when the email is unknown, so a wrong email costs as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


class AuthorizeRefused(Exception):
    """An authorization request that cannot be answered with a redirect: shown on a 400 page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInFailed(Exception):
    """Wrong email or password (never says which)."""


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    app: App
    redirect_uri: str
    state: str | None
    code_challenge: str | None

    def fields(self) -> dict[str, str]:
        """The request as the consent form carries it on to its POST."""
        values = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": self.redirect_uri,
        }
        if self.state is not None:
            values["state"] = self.state
        if self.code_challenge is not None:
            values["code_challenge"] = self.code_challenge
            values["code_challenge_method"] = "S256"
        return values


async def check_authorization_request(deps: Deps, params: Mapping[str, str]) -> AuthorizationRequest:
    client_id = params.get("client_id", "")
    app = await deps.store.get_app(client_id) if client_id else None
    if app is None or app.type is not AppType.OAUTH:
        raise AuthorizeRefused("Invalid client_id.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in app.redirect_uris:
        raise AuthorizeRefused("Redirect URI mismatch.")
    if params.get("response_type") != "code":
        raise AuthorizeRefused("Unsupported response_type: only 'code' is supported.")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is not None or method is not None:
        if method != "S256":
            raise AuthorizeRefused("Unsupported code_challenge_method: only 'S256' is supported.")
        if challenge is None or not is_pkce_value(challenge):
            raise AuthorizeRefused("Invalid code_challenge.")
    return AuthorizationRequest(app, redirect_uri, params.get("state"), challenge)


def _form_mac(deps: Deps, nonce: str, request: AuthorizationRequest, issued: int) -> str:
    parts = [nonce, str(issued), *(f"{k}={v}" for k, v in sorted(request.fields().items()))]
    return deps.keys.sign(("consent\x1f" + "\x1f".join(parts)).encode()).hex()


def consent_form_token(deps: Deps, nonce: str, request: AuthorizationRequest) -> str:
    """The CSRF token of a consent form: an HMAC over the browser's nonce cookie, the authorization
    request and the time it was shown."""
    issued = int(deps.clock.timestamp())
    return f"{issued}.{_form_mac(deps, nonce, request, issued)}"


def consent_form_token_valid(deps: Deps, nonce: str, request: AuthorizationRequest, token: str) -> bool:
    issued_text, _, mac = token.partition(".")
    if not nonce or not issued_text.isdigit():
        return False
    issued = int(issued_text)
    if deps.clock.timestamp() - issued > CONSENT_FORM_LIFETIME.total_seconds():
        return False
    return hmac.compare_digest(_form_mac(deps, nonce, request, issued), mac)


async def sign_in(deps: Deps, app: App, email: str, password: str) -> User:
    """An active user of the app's account with this password (scrypt runs in a worker thread)."""
    user = await deps.store.get_user_by_email(app.account_id, email.strip()) if email.strip() else None
    stored = user.password_hash if user is not None and user.status is UserStatus.ACTIVE else None
    matches = await asyncio.to_thread(password_matches, password, stored or _dummy_password_hash())
    if user is None or not stored or not matches:
        raise SignInFailed()
    return user


async def grant_consent(deps: Deps, request: AuthorizationRequest, user: User) -> str:
    """Record the user's grant and a code for it; the URL to send the browser to."""
    now = deps.clock.now()
    grant = Grant(
        id=secrets.token_hex(16),
        client_id=request.app.client_id,
        account_id=request.app.account_id,
        user_id=user.id,
        scopes=request.app.scopes,
        created_at=now,
    )
    code = secrets.token_urlsafe(32)
    async with deps.store.write() as tx:
        await tx.insert_grant(grant)
        await tx.insert_code(
            AuthorizationCode(
                code_hash=secret_hash(code),
                grant_id=grant.id,
                redirect_uri=request.redirect_uri,
                code_challenge=request.code_challenge,
                expires_at=now + CODE_LIFETIME,
            )
        )
    return redirect_with(request.redirect_uri, {"code": code, "state": request.state})


def denied_redirect(request: AuthorizationRequest) -> str:
    return redirect_with(request.redirect_uri, {"error": "access_denied", "state": request.state})


def redirect_with(uri: str, params: Mapping[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


# --- POST /oauth/token -------------------------------------------------------------------------------


def require_user_oauth_app(app: App) -> None:
    if app.type is not AppType.OAUTH:
        raise unauthorized_client()


async def exchange_code(deps: Deps, app: App, params: Mapping[str, str]) -> dict[str, Any]:
    """``grant_type=authorization_code``. A failed redirect_uri or PKCE check leaves the code unspent."""
    require_user_oauth_app(app)
    raw = params.get("code", "")
    code = await deps.store.get_code(secret_hash(raw)) if raw else None
    grant = await deps.store.get_grant(code.grant_id) if code is not None else None
    if code is None or grant is None or grant.client_id != app.client_id or grant.revoked_at is not None:
        raise invalid_authorization_code()
    now = deps.clock.now()
    if code.used_at is None and now >= code.expires_at:
        raise invalid_authorization_code()
    if code.used_at is None:
        if params.get("redirect_uri") != code.redirect_uri:
            raise redirect_uri_mismatch()
        if code.code_challenge is not None and not verifier_matches(
            params.get("code_verifier"), code.code_challenge
        ):
            raise invalid_code_verifier()
    refresh = await _spend_once(
        deps, grant, now, lambda tx: tx.spend_code(code.code_hash, now), invalid_authorization_code
    )
    return _token_body(deps, app, grant, refresh)


async def refresh_tokens(deps: Deps, app: App, params: Mapping[str, str]) -> dict[str, Any]:
    """``grant_type=refresh_token``: rotating; a spent refresh token presented again revokes the grant."""
    require_user_oauth_app(app)
    raw = params.get("refresh_token", "")
    token = await deps.store.get_refresh_token(secret_hash(raw)) if raw else None
    grant = await deps.store.get_grant(token.grant_id) if token is not None else None
    if token is None or grant is None or grant.client_id != app.client_id or grant.revoked_at is not None:
        raise invalid_refresh_token()
    now = deps.clock.now()
    if token.used_at is None and now >= token.expires_at:
        raise invalid_refresh_token()
    fresh = await _spend_once(
        deps, grant, now, lambda tx: tx.spend_refresh_token(token.token_hash, now), invalid_refresh_token
    )
    return _token_body(deps, app, grant, fresh)


async def _spend_once(
    deps: Deps,
    grant: Grant,
    now: datetime,
    spend: Callable[[WriteTx], Awaitable[bool]],
    refused: Callable[[], OAuthError],
) -> str:
    """Spend a single-use code or refresh token and issue the grant's next refresh token, in one
    transaction; when it was already spent, revoke the whole grant instead (RFC 6749 §10.4) and refuse."""
    refresh = secrets.token_urlsafe(48)
    async with deps.store.write() as tx:
        spent_now = await spend(tx)
        if spent_now:
            await tx.insert_refresh_token(_refresh_row(refresh, grant, now))
        else:
            await tx.revoke_grant(grant.id, now)
    if not spent_now:
        deps.keys.grants.put(grant.id, False)
        raise refused()
    return refresh


def _refresh_row(raw: str, grant: Grant, now: Any) -> RefreshToken:
    return RefreshToken(
        token_hash=secret_hash(raw), grant_id=grant.id, expires_at=now + REFRESH_TOKEN_LIFETIME
    )


def _token_body(deps: Deps, app: App, grant: Grant, refresh: str) -> dict[str, Any]:
    access, expires_in = issue_access_token(
        deps, app, user_id=grant.user_id, scopes=grant.scopes, grant_id=grant.id
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "refresh_token": refresh,
        "expires_in": expires_in,
        "scope": " ".join(grant.scopes),
        "api_url": deps.settings.base_url,
    }


# --- POST /oauth/revoke ------------------------------------------------------------------------------


async def revoke(deps: Deps, app: App, params: Mapping[str, str]) -> dict[str, Any]:
    """Revoke the grant of an access or refresh token issued to ``app``. As RFC 7009 §2.2 asks, a token
    that is unknown, already revoked or another app's is answered with success too (and left alone)."""
    raw = params.get("token", "").strip()
    if not raw:
        raise missing_token()
    grant_id = await _grant_of(deps, app, raw)
    if grant_id:
        async with deps.store.write() as tx:
            await tx.revoke_grant(grant_id, deps.clock.now())
        deps.keys.grants.put(grant_id, False)
    return {"status": "success"}


async def _grant_of(deps: Deps, app: App, raw: str) -> str:
    principal = read_access_token(deps, raw) if raw.count(".") == 2 else None
    if principal is not None:
        return principal.grant_id if principal.client_id == app.client_id else ""
    token = await deps.store.get_refresh_token(secret_hash(raw))
    grant = await deps.store.get_grant(token.grant_id) if token is not None else None
    return grant.id if grant is not None and grant.client_id == app.client_id else ""


async def authenticate_client(deps: Deps, credentials: tuple[str, str] | None) -> App:
    if credentials is None:
        raise invalid_client()
    client_id, secret = credentials
    app = await deps.store.get_app(client_id)
    if app is None or not client_secret_matches(secret, app.secret_hash):
        raise invalid_client()
    return app


__all__ = ["AuthorizeRefused", "OAuthError", "SignInFailed"]
