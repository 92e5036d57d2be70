"""Token forgery: an access token is honoured only when this server's key signed it with HS256, as it was
issued; everything else is ``401 {"code": 124, "message": "Invalid access token."}``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jwt
import pytest

from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from tests.security.conftest import client_from
from tests.support.api import ZoomApi
from tests.support.databases import open_test_store

INVALID = (401, {"code": 124, "message": "Invalid access token."})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, object], dict[str, object], str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def assemble(header: dict[str, object], payload: dict[str, object], signature: str) -> str:
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), signature])


async def answer(api: ZoomApi, token: str) -> tuple[int, object]:
    response = await api.get("/v2/users/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


async def test_the_issued_token_works(api: ZoomApi) -> None:
    assert api.tenant is not None
    assert (await answer(api, api.tenant.token))[0] == 200


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_alg_none_is_refused(api: ZoomApi, alg: str) -> None:
    assert api.tenant is not None
    header, payload, _ = parts(api.tenant.token)
    assert await answer(api, assemble({**header, "alg": alg}, payload, "")) == INVALID


async def test_a_changed_claim_under_the_original_signature_is_refused(api: ZoomApi) -> None:
    assert api.tenant is not None
    header, payload, signature = parts(api.tenant.token)
    stranger = await api.new_tenant("stranger@example.com")
    assert await answer(api, assemble(header, {**payload, "aid": stranger.account.id}, signature)) == INVALID
    assert await answer(api, assemble(header, {**payload, "exp": 4_102_444_800}, signature)) == INVALID


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
async def test_other_algorithms_even_with_the_servers_key_are_refused(api: ZoomApi, alg: str) -> None:
    """Only HS256 is accepted: no algorithm chosen by the token's header."""
    assert api.tenant is not None
    _, payload, _ = parts(api.tenant.token)
    assert await answer(api, jwt.encode(payload, api.deps.keys.token, algorithm=alg)) == INVALID


async def test_a_token_of_another_moot_server_is_refused(
    api: ZoomApi, tmp_path: Path, clock: ControllableClock
) -> None:
    """Another server (its own database, so its own signing key) issues a token with the same claims:
    this server refuses it."""
    (tmp_path / "other").mkdir()
    other_store = await open_test_store("sqlite", tmp_path / "other", None)
    try:
        other = Deps(
            store=other_store, clock=clock, settings=api.deps.settings, keys=await Keys.load(other_store)
        )
        assert other.keys.token != api.deps.keys.token
        async with client_from(other) as client:
            elsewhere = ZoomApi(other, client)
            tenant = await elsewhere.new_tenant()
        assert await answer(api, tenant.token) == INVALID
        assert api.tenant is not None
        _, payload, _ = parts(api.tenant.token)
        assert await answer(api, jwt.encode(payload, other.keys.token, algorithm="HS256")) == INVALID
    finally:
        await other_store.close()


async def test_a_zak_or_a_page_token_is_not_an_access_token(api: ZoomApi) -> None:
    created = (await api.post("/v2/users/me/meetings", json={})).json()
    zak = created["start_url"].split("zak=")[1]
    assert await answer(api, zak) == INVALID
