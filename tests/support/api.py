"""A Zoom API client for tests: in-process (httpx ASGITransport), authenticated as a real S2S app,
checking every 2xx body against Zoom's spec."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from moot.api.app import create_app
from moot.domain.accounts import Account, App
from moot.domain.users import User
from moot.services.accounts import create_account
from moot.services.accounts import create_app as create_oauth_app
from moot.services.context import Deps
from tests.support.spec import validate_response

BASE_URL = "http://moot.test"


@dataclass
class Tenant:
    account: Account
    owner: User
    app: App
    secret: str
    token: str

    @property
    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.app.client_id}:{self.secret}".encode()).decode()


class ZoomApi:
    def __init__(self, deps: Deps, client: httpx.AsyncClient) -> None:
        self.deps = deps
        self.client = client
        self.tenant: Tenant | None = None

    async def new_tenant(self, owner_email: str = "owner@example.com") -> Tenant:
        account, owner = await create_account(self.deps, owner_email=owner_email)
        app, secret = await create_oauth_app(self.deps, account_id=account.id)
        tenant = Tenant(account, owner, app, secret, "")
        await self.renew_token(tenant)
        return tenant

    async def token_with_scopes(self, scopes: tuple[str, ...], tenant: Tenant | None = None) -> Tenant:
        """Another S2S app of the tenant's account, granted only ``scopes``, with its token."""
        who = tenant or self.tenant
        assert who is not None
        app, secret = await create_oauth_app(self.deps, account_id=who.account.id, scopes=scopes)
        limited = Tenant(who.account, who.owner, app, secret, "")
        await self.renew_token(limited)
        return limited

    async def renew_token(self, tenant: Tenant | None = None) -> None:
        """A new access token (after the clock moved past the old one's expiry)."""
        who = tenant or self.tenant
        assert who is not None
        response = await self.client.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": who.account.id},
            headers={"Authorization": who.basic},
        )
        assert response.status_code == 200, response.text
        who.token = response.json()["access_token"]

    async def call(
        self, method: str, path: str, *, tenant: Tenant | None = None, auth: bool = True, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        who = tenant or self.tenant
        if auth and who is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {who.token}"
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if 200 <= response.status_code < 300 and path.startswith("/v2"):
            if response.status_code == 204:
                assert response.content == b"", "204 must have no body"
            elif response.headers.get("content-type", "").startswith("application/json"):
                validate_response(path.split("?")[0], method, response.status_code, response.json())
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("PATCH", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("DELETE", path, **kwargs)


def asgi_client(deps: Deps) -> httpx.AsyncClient:
    app = create_app(deps.settings, deps=deps)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
