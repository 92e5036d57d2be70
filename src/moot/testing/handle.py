"""What a test holds of a moot, however it runs: its credentials, the admin API, and clients."""

from __future__ import annotations

import functools
import ssl
from typing import TYPE_CHECKING, Any

import httpx

from moot.testing.admin import Admin, ClockControl
from moot.testing.credentials import Credentials

if TYPE_CHECKING:
    from moot.client import AsyncClient, Client


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One default context for every client made here: building one per client (as httpx does) loads
    the CA bundle each time, some 30 ms, which a fixture made per test must not pay."""
    return httpx.create_ssl_context()


class MootHandle:
    """``base_url`` is the moot's root; ``credentials`` the app the test uses; ``admin_account`` scopes
    the journal, deliveries and new fault rules to one account (per-test accounts)."""

    def __init__(self, base_url: str, credentials: Credentials, *, admin_account: str | None = None) -> None:
        self.base_url = base_url
        self.credentials = credentials
        self._admin_account = admin_account
        self._closeables: list[Any] = []
        self._admin: Admin | None = None
        self._client: Client | None = None

    def transport(self) -> httpx.BaseTransport:
        """A new transport that reaches this moot."""
        return httpx.HTTPTransport(verify=ssl_context())

    def async_transport(self) -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(verify=ssl_context())

    def http(self, **options: Any) -> httpx.Client:
        """An ``httpx.Client`` with this moot as its base URL, closed with the handle."""
        options.setdefault("base_url", self.base_url)
        client = httpx.Client(transport=self.transport(), **options)
        self._closeables.append(client)
        return client

    def async_http(self, **options: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` with this moot as its base URL (``async with`` it)."""
        options.setdefault("base_url", self.base_url)
        return httpx.AsyncClient(transport=self.async_transport(), **options)

    @property
    def admin(self) -> Admin:
        """Reset, seed, state, clock, faults, request journal, webhook deliveries."""
        if self._admin is None:
            self._admin = Admin(self.http(timeout=30), account_id=self._admin_account)
        return self._admin

    @property
    def clock(self) -> ClockControl:
        return self.admin.clock

    @property
    def client(self) -> Client:
        """A :class:`moot.client.Client` with :attr:`credentials` (the same one for the whole test)."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, **options: Any) -> Client:
        """Another :class:`moot.client.Client`, closed with the handle; ``options`` as for ``Client``."""
        from moot.client import Client

        arguments: dict[str, Any] = self.credentials.client_options() | {"transport": self.transport()}
        client = Client(**(arguments | options))
        self._closeables.append(client)
        return client

    def make_async_client(self, **options: Any) -> AsyncClient:
        """A :class:`moot.client.AsyncClient` (``async with`` it)."""
        from moot.client import AsyncClient

        arguments: dict[str, Any] = self.credentials.client_options() | {"transport": self.async_transport()}
        return AsyncClient(**(arguments | options))

    def close_clients(self) -> None:
        """Close the clients this handle made."""
        while self._closeables:
            self._closeables.pop().close()
        self._admin = None
        self._client = None
