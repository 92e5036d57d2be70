"""Signed tokens: OAuth access tokens and ZAKs (HS256 JWTs), checked against the Clock.

Tokens are written by ``_encode`` (an HS256 JWT is one HMAC over two base64url JSON segments; PyJWT's
encoder costs seven times as much, and a ZAK is signed on every meeting read) and read by PyJWT. Each
access token is verified once per process and then found in ``VerifiedTokens``.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
import orjson

from moot.domain.accounts import App
from moot.domain.errors import AccessTokenExpired, InvalidAccessToken, InvalidZak, ZakExpired
from moot.services.context import Deps, Keys, Principal

_ALGORITHMS = ["HS256"]
_HEADER = base64.urlsafe_b64encode(orjson.dumps({"alg": "HS256", "typ": "JWT"})).rstrip(b"=")
_DECODE_OPTIONS: Any = {"verify_exp": False, "verify_iat": False, "verify_aud": False, "require": ["exp"]}


def _encode(claims: dict[str, Any], keys: Keys) -> str:
    signing_input = _HEADER + b"." + base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=")
    signature = base64.urlsafe_b64encode(keys.sign(signing_input)).rstrip(b"=")
    return (signing_input + b"." + signature).decode("ascii")


def issue_access_token(
    deps: Deps,
    app: App,
    *,
    user_id: str | None = None,
    scopes: tuple[str, ...] | None = None,
    grant_id: str | None = None,
) -> tuple[str, int]:
    """An access token of ``app`` acting as ``user_id`` (default: the app's own user, for S2S) with
    ``scopes`` (default: the app's); a user-OAuth token also names its grant (``gid``)."""
    now = int(deps.clock.timestamp())
    ttl = deps.settings.access_token_ttl
    claims: dict[str, Any] = {
        "ver": 1,
        "aid": app.account_id,
        "cid": app.client_id,
        "uid": user_id if user_id is not None else app.user_id,
        "scp": " ".join(app.scopes if scopes is None else scopes),
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(12),
        "typ": "access",
    }
    if grant_id is not None:
        claims["gid"] = grant_id
    return _encode(claims, deps.keys), ttl


def verify_access_token(deps: Deps, token: str) -> Principal:
    known = deps.keys.verified.get(token)
    if known is None:
        known = _verify(deps, token)
        deps.keys.verified.put(token, *known)
    principal, expires = known
    if deps.clock.timestamp() >= expires:
        raise AccessTokenExpired()
    return principal


async def authenticate_token(deps: Deps, token: str) -> Principal:
    """``verify_access_token``, and for a user-OAuth token its grant must not be revoked (a store read
    at most every few seconds per grant and process: see ``GrantCache``)."""
    principal = verify_access_token(deps, token)
    if principal.grant_id and not await grant_is_live(deps, principal.grant_id):
        raise InvalidAccessToken()
    return principal


async def grant_is_live(deps: Deps, grant_id: str) -> bool:
    live = deps.keys.grants.get(grant_id)
    if live is None:
        grant = await deps.store.get_grant(grant_id)
        live = grant is not None and grant.revoked_at is None
        deps.keys.grants.put(grant_id, live)
    return live


def read_access_token(deps: Deps, token: str) -> Principal | None:
    """The principal of a token signed by this server, expired or not (None if it is not one)."""
    try:
        return _verify(deps, token)[0]
    except InvalidAccessToken:
        return None


def _verify(deps: Deps, token: str) -> tuple[Principal, int]:
    try:
        claims = jwt.decode(token, deps.keys.token, algorithms=_ALGORITHMS, options=_DECODE_OPTIONS)
    except jwt.PyJWTError:
        raise InvalidAccessToken() from None
    if claims.get("typ") != "access":
        raise InvalidAccessToken()
    try:
        expires = int(claims["exp"])
        principal = Principal(
            account_id=str(claims["aid"]),
            client_id=str(claims["cid"]),
            user_id=str(claims["uid"]),
            scopes=tuple(str(claims["scp"]).split()),
            grant_id=str(claims.get("gid") or ""),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidAccessToken() from None
    return principal, expires


def issue_zak(deps: Deps, *, user_id: str, account_id: str, meeting_id: int) -> str:
    """A host's Zoom Access Key, with the claims Zoom's carry (contract.md §3), valid two hours."""
    now = int(deps.clock.timestamp())
    claims = {
        "aud": "clientsm",
        "uid": user_id,
        "iss": "web",
        "sk": "0",
        "sty": 1,
        "wcd": "us06",
        "clt": 0,
        "mnum": str(meeting_id),
        "iat": now,
        "exp": now + deps.settings.zak_ttl,
        "aid": account_id,
        "cid": "",
        "typ": "zak",
    }
    return _encode(claims, deps.keys)


@dataclass(frozen=True, slots=True)
class Zak:
    """The claims of a verified ZAK that matter: whose key it is."""

    user_id: str
    account_id: str
    meeting_id: str  # "" for a ZAK not issued for one meeting


def verify_zak(deps: Deps, token: str) -> Zak:
    """A ZAK this server signed, not expired by the Clock; InvalidZak (or ZakExpired) otherwise."""
    try:
        claims = jwt.decode(token, deps.keys.token, algorithms=_ALGORITHMS, options=_DECODE_OPTIONS)
    except jwt.PyJWTError:
        raise InvalidZak() from None
    if claims.get("typ") != "zak":
        raise InvalidZak()
    try:
        expires = int(claims["exp"])
        zak = Zak(str(claims["uid"]), str(claims["aid"]), str(claims.get("mnum") or ""))
    except (KeyError, TypeError, ValueError):
        raise InvalidZak() from None
    if deps.clock.timestamp() >= expires:
        raise ZakExpired()
    return zak
