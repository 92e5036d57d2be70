"""``POST /oauth/token``: Server-to-Server OAuth (grant ``account_credentials``), and the user-OAuth
grants ``authorization_code`` and ``refresh_token`` (``services.user_oauth``); ``POST /oauth/revoke``.

Failed client authentications are throttled: past ``FAILURES_PER_CLIENT`` failures for one client id, or
``FAILURES_PER_ADDRESS`` from one address, within a window of ``FAILURE_WINDOW`` seconds (the Clock's),
every attempt for that client or from that address, right or wrong, answers 429 until the window ends.
Sign-ins on the consent page are throttled the same way, per email (of the app's account) and address.
The failures are counted in the rate limiter's counters (in Redis, shared by every process on it).
Successful authentications are never counted: clients that mint a token per call are not slowed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import math
from collections.abc import Mapping
from typing import Any

from moot.domain.accounts import App, AppType
from moot.domain.errors import (
    OAuthError,
    invalid_account_id,
    missing_grant_type,
    too_many_failed_attempts,
    unauthorized_client,
    unsupported_grant_type,
)
from moot.domain.users import User
from moot.services import user_oauth
from moot.services.context import Deps
from moot.services.counters import PEEK
from moot.services.tokens import issue_access_token

GRANT_TYPES = ("account_credentials", "authorization_code", "refresh_token")
FAILURE_WINDOW = 60
FAILURES_PER_CLIENT = 10
FAILURES_PER_ADDRESS = 30


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


Keys = list[tuple[str, int]]  # (failure counter key, failures allowed in a window)


class SignInThrottled(Exception):
    """Too many failed sign-ins on the consent page for this email or from this address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _window(deps: Deps) -> tuple[int, int]:
    """The failure window the Clock is in, and the seconds left in it."""
    now = deps.clock.timestamp()
    window = int(now // FAILURE_WINDOW)
    return window, max(1, math.ceil((window + 1) * FAILURE_WINDOW - now))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]  # any length comes in; keys stay short


async def _throttled(deps: Deps, keys: Keys) -> bool:
    """Whether any of the counters has reached its limit in this window (read, not counted)."""
    assert deps.limiter is not None
    limiter = deps.limiter
    seen = await asyncio.gather(*(limiter.count([(key, PEEK, limit)]) for key, limit in keys))
    return any(counts and counts[0] >= limit for counts, (_, limit) in zip(seen, keys, strict=True))


async def _count_failure(deps: Deps, keys: Keys) -> None:
    assert deps.limiter is not None
    limiter = deps.limiter
    await asyncio.gather(*(limiter.count([(key, 2 * FAILURE_WINDOW, limit)]) for key, limit in keys))


async def authenticate_client(deps: Deps, credentials: tuple[str, str] | None, address: str) -> App:
    """The app these credentials name, unless they are wrong or, after too many failures, throttled."""
    if deps.limiter is None:
        return await user_oauth.authenticate_client(deps, credentials)
    window, retry_after = _window(deps)
    keys = [(f"moot:oauth:fail:a:{address}:{window}", FAILURES_PER_ADDRESS)]
    if credentials and credentials[0]:
        keys.append((f"moot:oauth:fail:c:{_digest(credentials[0])}:{window}", FAILURES_PER_CLIENT))
    if await _throttled(deps, keys):
        raise too_many_failed_attempts(retry_after)
    try:
        return await user_oauth.authenticate_client(deps, credentials)
    except OAuthError:
        await _count_failure(deps, keys)
        raise


async def sign_in(deps: Deps, app: App, email: str, password: str, address: str) -> User:
    """The consent page's sign-in (``user_oauth.sign_in``), throttled like client authentication: per
    email of the app's account and per address. Raises SignInFailed or SignInThrottled."""
    if deps.limiter is None:
        return await user_oauth.sign_in(deps, app, email, password)
    window, retry_after = _window(deps)
    who = _digest(f"{app.account_id}\n{email.strip().lower()}")
    keys = [
        (f"moot:signin:fail:a:{address}:{window}", FAILURES_PER_ADDRESS),
        (f"moot:signin:fail:e:{who}:{window}", FAILURES_PER_CLIENT),
    ]
    if await _throttled(deps, keys):
        raise SignInThrottled(retry_after)
    try:
        return await user_oauth.sign_in(deps, app, email, password)
    except user_oauth.SignInFailed:
        await _count_failure(deps, keys)
        raise


async def request_token(
    deps: Deps, authorization: str | None, params: Mapping[str, str], address: str = ""
) -> dict[str, Any]:
    """``params`` merges the query string and the form body (clients use either); ``address`` is the
    client's network address (for the throttle on failed authentications)."""
    grant_type = params.get("grant_type")
    if not grant_type:
        raise missing_grant_type()
    if grant_type not in GRANT_TYPES:
        raise unsupported_grant_type()
    app = await authenticate_client(deps, basic_credentials(authorization), address)
    if grant_type == "authorization_code":
        return await user_oauth.exchange_code(deps, app, params)
    if grant_type == "refresh_token":
        return await user_oauth.refresh_tokens(deps, app, params)
    if app.type is not AppType.SERVER_TO_SERVER:
        raise unauthorized_client()
    if params.get("account_id") != app.account_id:
        raise invalid_account_id()
    token, expires_in = issue_access_token(deps, app)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": " ".join(app.scopes),
        "api_url": deps.settings.base_url,
    }


async def revoke_token(
    deps: Deps, authorization: str | None, params: Mapping[str, str], address: str = ""
) -> dict[str, Any]:
    app = await authenticate_client(deps, basic_credentials(authorization), address)
    return await user_oauth.revoke(deps, app, params)
