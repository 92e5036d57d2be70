"""``POST /oauth/token``: Server-to-Server OAuth (grant ``account_credentials``), and the user-OAuth
grants ``authorization_code`` and ``refresh_token`` (``services.user_oauth``); ``POST /oauth/revoke``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from moot.domain.accounts import AppType
from moot.domain.errors import (
    invalid_account_id,
    missing_grant_type,
    unauthorized_client,
    unsupported_grant_type,
)
from moot.services import user_oauth
from moot.services.context import Deps
from moot.services.tokens import issue_access_token

GRANT_TYPES = ("account_credentials", "authorization_code", "refresh_token")


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


async def request_token(deps: Deps, authorization: str | None, params: Mapping[str, str]) -> dict[str, Any]:
    """``params`` merges the query string and the form body (clients use either)."""
    grant_type = params.get("grant_type")
    if not grant_type:
        raise missing_grant_type()
    if grant_type not in GRANT_TYPES:
        raise unsupported_grant_type()
    app = await user_oauth.authenticate_client(deps, basic_credentials(authorization))
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


async def revoke_token(deps: Deps, authorization: str | None, params: Mapping[str, str]) -> dict[str, Any]:
    app = await user_oauth.authenticate_client(deps, basic_credentials(authorization))
    return await user_oauth.revoke(deps, app, params)
