"""Access tokens: how to get one, and when the one held is no longer good (no I/O here).

Two flows (contract.md §6):

- :class:`ServerToServer`: ``POST /oauth/token`` with Basic ``client_id:client_secret`` and
  ``grant_type=account_credentials&account_id=...``. No refresh token; a new token is simply fetched.
- :class:`UserTokens`: an access / refresh token pair from the authorization-code flow. Renewal posts
  ``grant_type=refresh_token``; the answer carries a **new** single-use refresh token, which
  ``on_refresh`` receives so that the program can store it.

Tokens are fetched lazily (on the first call), cached, renewed ``refresh_margin`` seconds before they
expire, and renewed once more when the API answers 401 anyway.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moot.client.errors import OAuthError, ZoomAPIError


@dataclass
class Token:
    """An access token; ``expires_at`` is POSIX seconds (``None``: unknown, used until a 401). ``repr``
    shows neither token."""

    access_token: str = field(repr=False)
    expires_at: float | None = None
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""


@dataclass(frozen=True)
class TokenRequest:
    """The form to post to the token endpoint, with its Basic credentials."""

    data: dict[str, str]
    authorization: str


def basic_auth(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


class Auth:
    """Where tokens come from. ``initial`` is a token known before any request."""

    initial: Token | None = None

    def token_request(self, current: Token | None) -> TokenRequest | None:
        """What to post for a new token, or ``None`` when this flow cannot renew one."""
        raise NotImplementedError

    def renewed(self, token: Token) -> None:
        """Called with every token fetched from the endpoint."""


@dataclass
class ServerToServer(Auth):
    """Server-to-Server OAuth app credentials. ``repr`` never shows the secret."""

    account_id: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"ServerToServer(account_id={self.account_id!r}, client_id={self.client_id!r})"

    def token_request(self, current: Token | None) -> TokenRequest:
        return TokenRequest(
            {"grant_type": "account_credentials", "account_id": self.account_id},
            basic_auth(self.client_id, self.client_secret),
        )


class UserTokens(Auth):
    """A user OAuth token pair. Without ``client_id``, ``client_secret`` and a refresh token the access
    token is used as it is until the API refuses it."""

    def __init__(
        self,
        access_token: str,
        refresh_token: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        expires_at: float | None = None,
        on_refresh: Callable[[Token], None] | None = None,
    ) -> None:
        self.initial = Token(access_token, expires_at, refresh_token)
        self._client = (client_id, client_secret) if client_id and client_secret else None
        self._on_refresh = on_refresh

    def __repr__(self) -> str:
        return "UserTokens(...)"

    def token_request(self, current: Token | None) -> TokenRequest | None:
        refresh = (current or self.initial or Token("")).refresh_token
        if self._client is None or not refresh:
            return None
        data = {"grant_type": "refresh_token", "refresh_token": refresh}
        return TokenRequest(data, basic_auth(*self._client))

    def renewed(self, token: Token) -> None:
        if self._on_refresh is not None:
            self._on_refresh(token)


def token_from_answer(
    status_code: int, body: Any, tracking_id: str | None, now: float, previous_refresh: str | None = None
) -> Token:
    """The token in a token endpoint's answer (``expires_at`` counted from ``now``), or the OAuth error
    it carries. An answer without a refresh token keeps ``previous_refresh``."""
    if status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        if isinstance(body, dict) and "reason" in body:
            raise OAuthError(status_code, None, str(body["reason"]), tracking_id=tracking_id, body=body)
        raise ZoomAPIError(status_code, None, "The token endpoint gave no access token.", body=body)
    expires_in = body.get("expires_in")
    return Token(
        access_token=str(body["access_token"]),
        expires_at=now + float(expires_in) if isinstance(expires_in, int | float) else None,
        refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else previous_refresh,
        scope=str(body.get("scope", "")),
    )


class TokenCache:
    """The token in use, and whether it must be renewed before the next call."""

    def __init__(self, auth: Auth, clock: Callable[[], float], refresh_margin: float = 60.0) -> None:
        self.auth = auth
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.token: Token | None = auth.initial

    def fresh(self) -> str | None:
        """The cached access token if it is still good for ``refresh_margin`` seconds."""
        token = self.token
        if token is None or not token.access_token:
            return None
        if token.expires_at is not None and self.clock() >= token.expires_at - self.refresh_margin:
            return None
        return token.access_token

    def can_renew(self) -> bool:
        return self.auth.token_request(self.token) is not None

    def request(self) -> TokenRequest | None:
        return self.auth.token_request(self.token)

    def accept(self, status_code: int, body: Any, tracking_id: str | None) -> str:
        """Store the token endpoint's answer, or raise the OAuth error it carries."""
        previous = self.token.refresh_token if self.token else None
        self.token = token_from_answer(status_code, body, tracking_id, self.clock(), previous)
        self.auth.renewed(self.token)
        return self.token.access_token

    def invalidate(self, access_token: str) -> None:
        """Forget ``access_token`` after a 401 (unless another call already replaced it)."""
        if self.token is not None and self.token.access_token == access_token:
            self.token = Token("", None, self.token.refresh_token, self.token.scope)
