"""Sending calls: the token, the 401-renew-once rule and the retry loop, for both clients.

:class:`SyncEngine` and :class:`AsyncEngine` hold the same logic over ``httpx.Client`` and
``httpx.AsyncClient``; the decisions themselves live in :mod:`moot.client.calls`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx

from moot.client.auth import TokenCache
from moot.client.calls import (
    USER_AGENT,
    Call,
    decode,
    error_for,
    query,
    retry_delay,
    transport_retry_delay,
)
from moot.client.retry import RetryPolicy


class _Base:
    def __init__(
        self, api_url: str, oauth_url: str, tokens: TokenCache, retry: RetryPolicy, clock: Callable[[], float]
    ) -> None:
        self.api_url = api_url
        self.oauth_url = oauth_url
        self.tokens = tokens
        self.retry = retry
        self.clock = clock

    def _request(self, http: httpx.Client | httpx.AsyncClient, call: Call, token: str) -> httpx.Request:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
        return http.build_request(
            call.method,
            self.api_url + call.path,
            params=query(call.params),
            json=call.json,
            headers=headers,
        )

    def _token_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        wanted = self.tokens.request()
        if wanted is None:
            raise RuntimeError("unreachable: no way to renew the token")
        headers = {
            "Authorization": wanted.authorization,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        return http.build_request("POST", self.oauth_url, data=wanted.data, headers=headers)

    def _accept_token(self, response: httpx.Response) -> str:
        return self.tokens.accept(
            response.status_code, decode(response), response.headers.get("x-zm-trackingid")
        )


class SyncEngine(_Base):
    def __init__(self, http: httpx.Client, sleep: Callable[[float], None] = time.sleep, **kw: Any) -> None:
        super().__init__(**kw)
        self.http = http
        self.sleep = sleep
        self._lock = threading.Lock()

    def token(self) -> str:
        """A good access token, fetched if the cached one is missing or about to expire."""
        with self._lock:
            fresh = self.tokens.fresh()
            if fresh is not None:
                return fresh
            if not self.tokens.can_renew():
                return self.tokens.token.access_token if self.tokens.token else ""
            return self._accept_token(self.http.send(self._token_request(self.http)))

    def execute(self, call: Call) -> Any:
        renewed, attempt = False, 0
        while True:
            token = self.token()
            try:
                response = self.http.send(self._request(self.http, call, token))
            except httpx.TransportError:
                delay = transport_retry_delay(call, attempt, self.retry)
                if delay is None:
                    raise
                self.sleep(delay)
                attempt += 1
                continue
            if response.is_success:
                return decode(response)
            if response.status_code == 401 and not renewed and self.tokens.can_renew():
                renewed = True
                self.tokens.invalidate(token)
                continue
            delay = retry_delay(call, response, attempt, self.retry, self.clock())
            if delay is None:
                raise error_for(response, self.clock())
            self.sleep(delay)
            attempt += 1


class AsyncEngine(_Base):
    def __init__(
        self, http: httpx.AsyncClient, sleep: Callable[[float], Awaitable[None]] = anyio.sleep, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.http = http
        self.sleep = sleep
        self._lock = anyio.Lock()

    async def token(self) -> str:
        async with self._lock:
            fresh = self.tokens.fresh()
            if fresh is not None:
                return fresh
            if not self.tokens.can_renew():
                return self.tokens.token.access_token if self.tokens.token else ""
            return self._accept_token(await self.http.send(self._token_request(self.http)))

    async def execute(self, call: Call) -> Any:
        renewed, attempt = False, 0
        while True:
            token = await self.token()
            try:
                response = await self.http.send(self._request(self.http, call, token))
            except httpx.TransportError:
                delay = transport_retry_delay(call, attempt, self.retry)
                if delay is None:
                    raise
                await self.sleep(delay)
                attempt += 1
                continue
            if response.is_success:
                return decode(response)
            if response.status_code == 401 and not renewed and self.tokens.can_renew():
                renewed = True
                self.tokens.invalidate(token)
                continue
            delay = retry_delay(call, response, attempt, self.retry, self.clock())
            if delay is None:
                raise error_for(response, self.clock())
            await self.sleep(delay)
            attempt += 1
