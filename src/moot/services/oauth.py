"""``POST /oauth/token``: Server-to-Server OAuth (grant ``account_credentials``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from moot.domain.errors import invalid_account_id, invalid_client, missing_grant_type, unsupported_grant_type
from moot.services.context import Deps
from moot.services.secrets import client_secret_matches
from moot.services.tokens import issue_access_token


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
    if grant_type != "account_credentials":
        raise unsupported_grant_type()
    credentials = basic_credentials(authorization)
    if credentials is None:
        raise invalid_client()
    client_id, secret = credentials
    app = await deps.store.get_app(client_id)
    if app is None or not client_secret_matches(secret, app.secret_hash):
        raise invalid_client()
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
