"""POST /oauth/token (Server-to-Server OAuth) and Bearer-token checks on /v2."""

from __future__ import annotations

import base64

import jwt
import pytest

from moot.domain.accounts import ALL_SCOPES
from moot.domain.clock import ControllableClock
from tests.support.api import Tenant, ZoomApi


def tenant_of(api: ZoomApi) -> Tenant:
    assert api.tenant is not None
    return api.tenant


async def test_token_by_query_string(api: ZoomApi) -> None:
    t = tenant_of(api)
    response = await api.client.post(
        f"/oauth/token?grant_type=account_credentials&account_id={t.account.id}",
        headers={"Authorization": t.basic},
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "expires_in": 3600,
        "scope": " ".join(ALL_SCOPES),
        "api_url": "http://moot.test",
    }
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("content_type", "with_body"),
    [
        ("application/x-www-form-urlencoded", True),
        (None, True),
        ("application/json", True),
        ("application/json", False),
        ("application/x-www-form-urlencoded", False),
        (None, False),
    ],
)
async def test_token_in_every_shape_clients_send(
    api: ZoomApi, content_type: str | None, with_body: bool
) -> None:
    t = tenant_of(api)
    form = f"grant_type=account_credentials&account_id={t.account.id}"
    headers = {"Authorization": t.basic}
    if content_type:
        headers["Content-Type"] = content_type
    if with_body:
        content = (
            f'{{"grant_type": "account_credentials", "account_id": "{t.account.id}"}}'
            if content_type == "application/json"
            else form
        )
        response = await api.client.post("/oauth/token", content=content.encode(), headers=headers)
    else:
        response = await api.client.post(f"/oauth/token?{form}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


async def test_many_tokens_are_valid_at_once(api: ZoomApi) -> None:
    t = tenant_of(api)
    tokens = []
    for _ in range(20):
        await api.renew_token(t)
        tokens.append(t.token)
    for token in tokens:
        response = await api.get("/v2/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("auth", "params", "status", "body"),
    [
        (
            "wrong-secret",
            {"grant_type": "account_credentials"},
            401,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
        ),
        (
            "unknown-client",
            {"grant_type": "account_credentials"},
            401,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
        ),
        (
            "none",
            {"grant_type": "account_credentials"},
            401,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
        ),
        (
            "garbage",
            {"grant_type": "account_credentials"},
            401,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
        ),
        (
            "good",
            {"grant_type": "client_credentials"},
            400,
            {"reason": "Unsupported grant type", "error": "unsupported_grant_type"},
        ),
        ("good", {}, 400, {"reason": "Missing grant type", "error": "invalid_request"}),
        (
            "good",
            {"grant_type": "account_credentials", "account_id": "someone-else"},
            400,
            {"reason": "Invalid account_id", "error": "invalid_request"},
        ),
        (
            "good",
            {"grant_type": "account_credentials", "account_id": None},
            400,
            {"reason": "Invalid account_id", "error": "invalid_request"},
        ),
    ],
)
async def test_token_errors_are_oauth_shaped(
    api: ZoomApi, auth: str, params: dict[str, str | None], status: int, body: dict[str, str]
) -> None:
    t = tenant_of(api)
    query = {"account_id": t.account.id, **params}
    query = {k: v for k, v in query.items() if v is not None}
    headers = {
        "good": {"Authorization": t.basic},
        "wrong-secret": {
            "Authorization": "Basic " + base64.b64encode(f"{t.app.client_id}:nope".encode()).decode()
        },
        "unknown-client": {
            "Authorization": "Basic " + base64.b64encode(f"nobody:{t.secret}".encode()).decode()
        },
        "none": {},
        "garbage": {"Authorization": "Basic !!!not-base64"},
    }[auth]
    response = await api.client.post("/oauth/token", params=query, headers=headers)
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer not.a.jwt",
        "Bearer " + jwt.encode({"typ": "access"}, "k" * 32),
    ],
)
async def test_missing_or_bad_tokens_are_124(api: ZoomApi, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await api.call("GET", "/v2/users/me", auth=False, headers=headers)
    assert (response.status_code, response.json()) == (401, {"code": 124, "message": "Invalid access token."})


async def test_a_forged_token_is_124(api: ZoomApi) -> None:
    t = tenant_of(api)
    claims = jwt.decode(t.token, options={"verify_signature": False})
    claims["aid"] = "another-account"
    forged = jwt.encode(claims, "guessed-key-guessed-key-guessed-key", algorithm="HS256")
    response = await api.get("/v2/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert (response.status_code, response.json()) == (401, {"code": 124, "message": "Invalid access token."})


async def test_a_zak_is_not_an_access_token(api: ZoomApi) -> None:
    created = (await api.post("/v2/users/me/meetings", json={})).json()
    zak = created["start_url"].split("zak=")[1]
    response = await api.get("/v2/users/me", headers={"Authorization": f"Bearer {zak}"})
    assert (response.status_code, response.json()) == (401, {"code": 124, "message": "Invalid access token."})


async def test_tokens_expire_after_an_hour_on_the_clock(api: ZoomApi, clock: ControllableClock) -> None:
    clock.advance(3599)
    assert (await api.get("/v2/users/me")).status_code == 200
    clock.advance(1)
    response = await api.get("/v2/users/me")
    assert (response.status_code, response.json()) == (
        401,
        {"code": 124, "message": "Access token is expired."},
    )
    await api.renew_token()
    assert (await api.get("/v2/users/me")).status_code == 200
