"""A Zoom API client for tests: in-process (httpx ASGITransport), authenticated as a real S2S app,
checking every 2xx body against Zoom's spec."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from moot.api.app import create_app
from moot.domain.accounts import Account, App, AppType
from moot.domain.oauth import s256
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


# --- User OAuth (authorization code + PKCE) -------------------------------------------------------------

REDIRECT_URI = "https://app.example/callback"
USER_SCOPES = ("meeting:read", "meeting:write", "user:read")


@dataclass
class UserOAuthApp:
    app: App
    secret: str

    @property
    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.app.client_id}:{self.secret}".encode()).decode()


async def new_user_oauth_app(
    api: ZoomApi,
    account_id: str,
    *,
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,),
    scopes: tuple[str, ...] = USER_SCOPES,
    name: str = "Calendar sync",
) -> UserOAuthApp:
    app, secret = await create_oauth_app(
        api.deps,
        account_id=account_id,
        name=name,
        scopes=scopes,
        app_type=AppType.OAUTH,
        redirect_uris=redirect_uris,
    )
    return UserOAuthApp(app, secret)


def consent_form(html: str) -> dict[str, str]:
    """The hidden fields of a rendered consent form (values unescaped, as a browser sends them)."""
    fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', html)
    return {unescape(name): unescape(value) for name, value in fields}


async def authorize(
    api: ZoomApi,
    client: UserOAuthApp,
    *,
    email: str,
    password: str,
    redirect_uri: str = REDIRECT_URI,
    state: str | None = "st4te",
    verifier: str | None = None,
    action: str = "allow",
) -> httpx.Response:
    """GET the consent page, then submit it signed in as ``email`` (the POST's response)."""
    query = {"response_type": "code", "client_id": client.app.client_id, "redirect_uri": redirect_uri}
    if state is not None:
        query["state"] = state
    if verifier is not None:
        query |= {"code_challenge": s256(verifier), "code_challenge_method": "S256"}
    page = await api.client.get("/oauth/authorize", params=query)
    assert page.status_code == 200, page.text
    form = consent_form(page.text) | {"email": email, "password": password, "action": action}
    return await api.client.post("/oauth/authorize", data=form)


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


async def token_request(api: ZoomApi, client: UserOAuthApp, **params: str) -> httpx.Response:
    return await api.client.post("/oauth/token", data=params, headers={"Authorization": client.basic})
