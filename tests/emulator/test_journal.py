"""The request journal (``/moot/api/requests``): what is recorded, with bodies; filters; verification;
clearing; the caps on bodies and entries; faulted and dropped requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from moot.api.app import create_app
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.support.admin_layers import admin_settings, client_of
from tests.support.api import ZoomApi

REQUESTS = "/moot/api/requests"
VERIFY = "/moot/api/requests/verify"


async def zoom_api(deps: Deps) -> AsyncIterator[ZoomApi]:
    async with client_of(create_app(deps.settings, deps=deps)) as client:
        api = ZoomApi(deps, client)
        api.tenant = await api.new_tenant()
        await client.delete(REQUESTS)  # the token request new_tenant made
        yield api


@pytest.fixture
async def api(store: Store, clock: ControllableClock) -> AsyncIterator[ZoomApi]:
    deps = Deps(store=store, clock=clock, settings=admin_settings(), keys=await Keys.load(store))
    async for api in zoom_api(deps):
        yield api


async def journal(api: ZoomApi, **params: Any) -> list[dict[str, Any]]:
    response = await api.client.get(REQUESTS, params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def entry(response: httpx.Response, entry_id: int, **fields: Any) -> dict[str, Any]:
    """The journal entry of ``response``: what the client sent and got, and ``fields`` as given."""
    request = response.request
    return {
        "id": entry_id,
        "at": "2026-01-15T12:00:00Z",
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query.decode(),
        "account_id": None,
        "status": response.status_code,
        "duration_ms": fields.pop("duration_ms"),
        "tracking_id": response.headers.get("x-zm-trackingid"),
        "request_body": request.content.decode(),
        "request_body_truncated": False,
        "response_body": response.text,
        "response_body_truncated": False,
        "faults": [],
    } | fields


async def test_each_api_and_oauth_call_is_recorded_with_its_bodies(api: ZoomApi) -> None:
    assert api.tenant is not None
    account = api.tenant.account.id
    token = await api.client.post(
        "/oauth/token",
        data={"grant_type": "account_credentials", "account_id": account},
        headers={"Authorization": api.tenant.basic},
    )
    sent = orjson.dumps({"topic": "Journaled", "duration": 30})
    created = await api.post(
        "/v2/users/me/meetings", content=sent, headers={"Content-Type": "application/json"}
    )
    listed = await api.get("/v2/users/me/meetings", params={"page_size": 5})
    missing = await api.get("/v2/meetings/12345678901")
    await api.client.get("/healthz")
    await api.client.get("/moot/api/faults")
    entries = await journal(api)
    durations = [e["duration_ms"] for e in entries]
    assert all(isinstance(d, float) and d > 0 for d in durations)
    assert entries == [
        entry(missing, 5, account_id=account, duration_ms=durations[0]),
        entry(listed, 4, account_id=account, duration_ms=durations[1]),
        entry(created, 3, account_id=account, duration_ms=durations[2]),
        entry(token, 2, account_id=account, duration_ms=durations[3]),
    ]
    assert entries[1]["query"] == "page_size=5"
    assert entries[2]["request_body"] == '{"topic":"Journaled","duration":30}'
    assert entries[0]["response_body"] == '{"code":3001,"message":"Meeting does not exist: 12345678901."}'
    assert entries[3]["request_body"] == f"grant_type=account_credentials&account_id={account}"


async def test_an_unknown_token_is_recorded_without_an_account(api: ZoomApi) -> None:
    response = await api.client.get("/v2/users/me/", headers={"Authorization": "Bearer nope"})
    (recorded,) = await journal(api)
    assert recorded == entry(response, 2, path="/v2/users/me", duration_ms=recorded["duration_ms"])
    assert recorded["status"] == 401 and recorded["account_id"] is None


async def test_filters_and_limit(api: ZoomApi) -> None:
    assert api.tenant is not None
    other = await api.new_tenant("other@example.com")
    await api.client.delete(REQUESTS)
    await api.post("/v2/users/me/meetings", json={"topic": "a"})
    await api.get("/v2/users/me")
    await api.get("/v2/meetings/12345678901")
    await api.get("/v2/users/me", tenant=other)

    def shown(entries: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
        return [(e["method"], e["path"], e["status"]) for e in entries]

    assert shown(await journal(api, method="get", path="/v2/users/*")) == [
        ("GET", "/v2/users/me", 200),
        ("GET", "/v2/users/me", 200),
    ]
    assert shown(await journal(api, status=404)) == [("GET", "/v2/meetings/12345678901", 404)]
    assert shown(await journal(api, account_id=other.account.id)) == [("GET", "/v2/users/me", 200)]
    assert shown(await journal(api, path="/v2/*", limit=2)) == [
        ("GET", "/v2/users/me", 200),
        ("GET", "/v2/meetings/12345678901", 404),
    ]
    assert len(await journal(api, method="", status="")) == 4  # empty parameters: no filter
    bad = await api.client.get(REQUESTS, params={"status": "lost", "limit": 0})
    assert (bad.status_code, bad.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [
                {"field": "status", "message": "Invalid field."},
                {"field": "limit", "message": "Invalid field."},
            ],
        },
    )


async def verify(api: ZoomApi, body: dict[str, Any]) -> tuple[int, Any]:
    response = await api.client.post(VERIFY, json=body)
    return response.status_code, response.json()


async def test_verify_counts_matching_requests(api: ZoomApi) -> None:
    assert api.tenant is not None
    account = api.tenant.account.id
    for _ in range(2):
        await api.post("/v2/users/me/meetings", json={"topic": "counted"})
    await api.get("/v2/users/me")
    creates = {"method": "POST", "path": "/v2/users/*/meetings"}
    assert await verify(api, creates | {"count": 2}) == (
        200,
        {"ok": True, "matched": 2, "expected": {"count": 2}},
    )
    assert await verify(api, creates | {"count": 1}) == (
        409,
        {"ok": False, "matched": 2, "expected": {"count": 1}},
    )
    assert await verify(
        api, creates | {"status": 201, "account_id": account, "at_least": 2, "at_most": 3}
    ) == (
        200,
        {"ok": True, "matched": 2, "expected": {"at_least": 2, "at_most": 3}},
    )
    assert await verify(api, creates | {"at_most": 1}) == (
        409,
        {"ok": False, "matched": 2, "expected": {"at_most": 1}},
    )
    assert await verify(api, {"path": "/v2/users/me"}) == (
        200,
        {"ok": True, "matched": 1, "expected": {"at_least": 1}},
    )
    assert await verify(api, {"method": "DELETE"}) == (
        409,
        {"ok": False, "matched": 0, "expected": {"at_least": 1}},
    )
    assert await verify(api, {"path": "/v2/meetings/*", "count": 0}) == (
        200,
        {"ok": True, "matched": 0, "expected": {"count": 0}},
    )


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ({"count": 1, "at_least": 1}, [("", "Give count, or at_least and/or at_most, not both.")]),
        ({"at_least": 3, "at_most": 2}, [("", "at_least must not be greater than at_most.")]),
        ({"count": -1}, [("count", "Invalid field.")]),
        ({"count": 1, "body": "x"}, [("body", "Invalid field.")]),
    ],
)
async def test_a_bad_verification_is_a_zoom_validation_error(
    api: ZoomApi, sent: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    assert await verify(api, sent) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": f, "message": m} for f, m in errors],
        },
    )


async def test_clearing_empties_the_journal_and_ids_go_on(api: ZoomApi) -> None:
    await api.get("/v2/users/me")
    cleared = await api.client.delete(REQUESTS)
    assert (cleared.status_code, cleared.content) == (204, b"")
    assert await journal(api) == []
    await api.get("/v2/users/me")
    assert [e["id"] for e in await journal(api)] == [3]  # 1: the tenant's token request


async def test_bodies_and_entries_are_capped(store: Store, clock: ControllableClock) -> None:
    settings = admin_settings(journal_capacity=3, journal_body_bytes=16)
    deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    async for api in zoom_api(deps):
        created = await api.post("/v2/users/me/meetings", json={"topic": "A topic longer than sixteen bytes"})
        assert created.status_code == 201
        small = await api.post(
            "/v2/users/me/meetings", content=b"{}", headers={"Content-Type": "application/json"}
        )
        for _ in range(2):
            await api.get("/v2/users/me")
        entries = await journal(api)
        assert [e["id"] for e in entries] == [5, 4, 3]
        assert (entries[2]["request_body"], entries[2]["request_body_truncated"]) == ("{}", False)
        assert (entries[2]["response_body"], entries[2]["response_body_truncated"]) == (small.text[:16], True)
        assert (entries[0]["response_body"], entries[0]["response_body_truncated"]) == (
            (await api.get("/v2/users/me")).text[:16],
            True,
        )


async def test_a_large_request_body_is_kept_up_to_the_cap_and_reaches_moot_whole(
    store: Store, clock: ControllableClock
) -> None:
    settings = admin_settings(journal_body_bytes=16)
    deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    async for api in zoom_api(deps):

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b'{"topic": ', b'"Streamed in ', b'several chunks"}'):
                yield part

        created = await api.post(
            "/v2/users/me/meetings", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert (created.status_code, created.json()["topic"]) == (201, "Streamed in several chunks")
        (recorded,) = await journal(api)
        assert (recorded["request_body"], recorded["request_body_truncated"]) == ('{"topic": "Strea', True)


async def test_faulted_and_dropped_requests_are_recorded_with_their_rules(api: ZoomApi) -> None:
    await api.client.post(
        "/moot/api/faults", json={"path": "/v2/users/me", "times": 1, "error": {"code": 500}}
    )
    await api.client.post("/moot/api/faults", json={"path": "/v2/users/me", "times": 1, "drop": True})
    await api.client.post("/moot/api/faults", json={"path": "/v2/*", "latency_ms": 1})
    faulted = await api.get("/v2/users/me")
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("/v2/users/me")
    dropped, answered = await journal(api)
    assert answered == entry(
        faulted,
        2,
        account_id=answered["account_id"],
        faults=[1, 3],
        duration_ms=answered["duration_ms"],
    )
    assert (
        answered["response_body"]
        == '{"code":500,"message":"An internal error occurred. Please try again later."}'
    )
    assert dropped | {"duration_ms": 0} == {
        "id": 3,
        "at": "2026-01-15T12:00:00Z",
        "method": "GET",
        "path": "/v2/users/me",
        "query": "",
        "account_id": answered["account_id"],
        "status": None,
        "duration_ms": 0,
        "tracking_id": None,
        "request_body": "",
        "request_body_truncated": False,
        "response_body": "",
        "response_body_truncated": False,
        "faults": [2, 3],
    }
    assert await verify(api, {"path": "/v2/users/me", "count": 2}) == (
        200,
        {"ok": True, "matched": 2, "expected": {"count": 2}},
    )


async def test_the_journal_needs_the_admin_api(store: Store, clock: ControllableClock) -> None:
    settings = admin_settings(admin_api=False)
    deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    async with client_of(create_app(settings, deps=deps)) as client:
        for method, path in (("GET", REQUESTS), ("DELETE", REQUESTS), ("POST", VERIFY)):
            response = await client.request(method, path)
            assert (response.status_code, response.json()) == (
                404,
                {"code": 404, "message": "The requested resource was not found."},
            )
