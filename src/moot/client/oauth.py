"""User OAuth's authorization-code flow for programs that sign a user in (``moot login --oauth`` does).

1. :meth:`PKCE.new` and a random ``state``; :func:`authorization_url` is the page to open in a browser.
2. The user signs in and allows the app; the server redirects the browser to ``redirect_uri`` with
   ``code`` and ``state`` (receiving that request is the program's business: a web route, or a loopback
   listener as in ``moot login``). Check ``state`` before anything else.
3. :func:`exchange_code` (or :func:`async_exchange_code`) trades the code for a :class:`Token` pair, which
   ``Client(access_token=..., refresh_token=..., client_id=..., client_secret=..., on_token_refresh=...)``
   then uses and renews.

The exchange is never retried: a code is single-use, and presenting a spent code again revokes the grant
it created (moot, and RFC 6749 §4.1.2).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from moot.client.auth import Token, TokenRequest, basic_auth, token_from_answer
from moot.client.calls import USER_AGENT, decode, resolve_urls


def s256(verifier: str) -> str:
    """The PKCE ``S256`` challenge of ``verifier``: unpadded base64url of its SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class PKCE:
    """A PKCE pair (RFC 7636): send ``challenge`` with the authorization request, ``verifier`` with the
    code exchange. ``repr`` does not show the verifier."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"

    @classmethod
    def new(cls) -> PKCE:
        verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
        return cls(verifier, s256(verifier))


def new_state() -> str:
    """An unguessable ``state`` value, to match the redirect to the request that caused it."""
    return secrets.token_urlsafe(24)


def authorize_endpoint(base_url: str | None = None, oauth_url: str | None = None) -> str:
    """The consent page's URL: the token URL (see ``Client``) with ``/authorize`` for ``/token``, e.g.
    ``https://zoom.us/oauth/authorize`` for Zoom, ``{root}/oauth/authorize`` for moot."""
    token_url = resolve_urls(base_url, oauth_url)[1]
    if not token_url.endswith("/token"):
        raise ValueError(f"cannot tell the authorize URL from the token URL {token_url!r}")
    return token_url[: -len("/token")] + "/authorize"


def authorization_url(
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    pkce: PKCE | None = None,
    base_url: str | None = None,
    oauth_url: str | None = None,
) -> str:
    """The URL that starts the flow in the user's browser (``response_type=code``)."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state}
    if pkce is not None:
        query |= {"code_challenge": pkce.challenge, "code_challenge_method": pkce.method}
    return f"{authorize_endpoint(base_url, oauth_url)}?{urlencode(query)}"


def code_request(
    client_id: str, client_secret: str, code: str, redirect_uri: str, code_verifier: str | None
) -> TokenRequest:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        data["code_verifier"] = code_verifier
    return TokenRequest(data, basic_auth(client_id, client_secret))


def _headers(wanted: TokenRequest) -> dict[str, str]:
    return {"Authorization": wanted.authorization, "Accept": "application/json", "User-Agent": USER_AGENT}


def exchange_code(
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    base_url: str | None = None,
    oauth_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 30.0,
    clock: Callable[[], float] = time.time,
) -> Token:
    """``POST /oauth/token grant_type=authorization_code`` → the access / refresh token pair. Raises
    :class:`~moot.client.errors.OAuthError` when the server refuses (``invalid_grant``, ...)."""
    wanted = code_request(client_id, client_secret, code, redirect_uri, code_verifier)
    url = resolve_urls(base_url, oauth_url)[1]
    with httpx.Client(transport=transport, timeout=timeout) as http:
        response = http.post(url, data=wanted.data, headers=_headers(wanted))
    return token_from_answer(
        response.status_code, decode(response), response.headers.get("x-zm-trackingid"), clock()
    )


async def async_exchange_code(
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    base_url: str | None = None,
    oauth_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,  # noqa: ASYNC109 (httpx's per-request timeout, as AsyncClient takes it)
    clock: Callable[[], float] = time.time,
) -> Token:
    """:func:`exchange_code` for asyncio / trio programs."""
    wanted = code_request(client_id, client_secret, code, redirect_uri, code_verifier)
    url = resolve_urls(base_url, oauth_url)[1]
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        response = await http.post(url, data=wanted.data, headers=_headers(wanted))
    return token_from_answer(
        response.status_code, decode(response), response.headers.get("x-zm-trackingid"), clock()
    )
