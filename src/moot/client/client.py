"""``Client`` and ``AsyncClient``: credentials, URLs and HTTP settings, and the resource namespaces."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import anyio
import httpx

from moot.client.auth import Auth, ServerToServer, Token, TokenCache, UserTokens
from moot.client.calls import resolve_urls
from moot.client.engine import AsyncEngine, SyncEngine
from moot.client.meetings import AsyncMeetings, Meetings
from moot.client.past_meetings import AsyncPastMeetings, PastMeetings
from moot.client.retry import RetryPolicy
from moot.client.users import AsyncUsers, Users

DEFAULT_TIMEOUT = 30.0


def make_auth(
    account_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    access_token: str | None,
    refresh_token: str | None,
    token_expires_at: float | None,
    on_token_refresh: Callable[[Token], None] | None,
) -> Auth:
    if access_token is not None:
        return UserTokens(
            access_token,
            refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            expires_at=token_expires_at,
            on_refresh=on_token_refresh,
        )
    if account_id and client_id and client_secret:
        return ServerToServer(account_id, client_id, client_secret)
    raise ValueError(
        "give account_id, client_id and client_secret (Server-to-Server OAuth) or an access_token"
    )


class _Options:
    """Keyword arguments both clients take (see :class:`Client`)."""

    def __init__(
        self,
        account_id: str | None,
        client_id: str | None,
        client_secret: str | None,
        access_token: str | None,
        refresh_token: str | None,
        token_expires_at: float | None,
        on_token_refresh: Callable[[Token], None] | None,
        base_url: str | None,
        oauth_url: str | None,
        retry: RetryPolicy | None,
        clock: Callable[[], float],
        refresh_margin: float,
    ) -> None:
        self.auth = make_auth(
            account_id,
            client_id,
            client_secret,
            access_token,
            refresh_token,
            token_expires_at,
            on_token_refresh,
        )
        self.api_url, self.oauth_url = resolve_urls(base_url, oauth_url)
        self.engine_args: dict[str, Any] = {
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "tokens": TokenCache(self.auth, clock, refresh_margin),
            "retry": retry or RetryPolicy(),
            "clock": clock,
        }


class Client:
    """A synchronous client for Zoom's meetings API, or any server that speaks it (moot).

    Server-to-Server OAuth: ``Client(account_id=..., client_id=..., client_secret=...)``. User OAuth:
    ``Client(access_token=..., refresh_token=..., client_id=..., client_secret=...)`` (the client pair is
    needed only to refresh). ``base_url`` defaults to ``https://api.zoom.us/v2``; for moot pass its root,
    e.g. ``http://127.0.0.1:8000`` (``/v2`` is added, and tokens come from ``{root}/oauth/token`` unless
    ``oauth_url`` says otherwise). ``transport`` is any ``httpx.BaseTransport`` (``MockTransport`` in
    tests); ``clock`` returns POSIX seconds and ``sleep`` waits, both injectable for tests.
    """

    def __init__(
        self,
        *,
        account_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        token_expires_at: float | None = None,
        on_token_refresh: Callable[[Token], None] | None = None,
        base_url: str | None = None,
        oauth_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        refresh_margin: float = 60.0,
    ) -> None:
        options = _Options(
            account_id, client_id, client_secret, access_token, refresh_token, token_expires_at,
            on_token_refresh, base_url, oauth_url, retry, clock, refresh_margin,
        )  # fmt: skip
        self.base_url, self.oauth_url = options.api_url, options.oauth_url
        self._http = httpx.Client(transport=transport, timeout=timeout)
        self._engine = SyncEngine(self._http, sleep, **options.engine_args)
        self.meetings = Meetings(self._engine)
        self.users = Users(self._engine)
        self.past_meetings = PastMeetings(self._engine)

    def access_token(self) -> str:
        """A valid access token (fetched or renewed if needed), e.g. to hand to another library."""
        return self._engine.token()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient:
    """The asynchronous twin of :class:`Client` (``httpx.AsyncClient``; ``transport`` may be an
    ``httpx.ASGITransport`` to call an ASGI app in process)."""

    def __init__(
        self,
        *,
        account_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        token_expires_at: float | None = None,
        on_token_refresh: Callable[[Token], None] | None = None,
        base_url: str | None = None,
        oauth_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        refresh_margin: float = 60.0,
    ) -> None:
        options = _Options(
            account_id, client_id, client_secret, access_token, refresh_token, token_expires_at,
            on_token_refresh, base_url, oauth_url, retry, clock, refresh_margin,
        )  # fmt: skip
        self.base_url, self.oauth_url = options.api_url, options.oauth_url
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._engine = AsyncEngine(self._http, sleep, **options.engine_args)
        self.meetings = AsyncMeetings(self._engine)
        self.users = AsyncUsers(self._engine)
        self.past_meetings = AsyncPastMeetings(self._engine)

    async def access_token(self) -> str:
        """A valid access token (fetched or renewed if needed)."""
        return await self._engine.token()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
