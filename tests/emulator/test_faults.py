"""Fault injection (``/moot/api/faults``): every error code answered exactly as moot answers the real
failure, seen so by the SDK and by zoomus; nth / times / probability; latency; dropped connections (in
process and against a live server); webhook faults; the rules' own API."""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from zoomus import ZoomClient

from moot.api.app import create_app
from moot.api.middleware import ZoomEdge
from moot.client import AsyncClient
from moot.client import errors as sdk_errors
from moot.client.retry import NO_RETRIES, RetryPolicy
from moot.domain.accounts import Plan
from moot.domain.clock import ControllableClock
from moot.domain.deliveries import Attempt, DeliveryState
from moot.domain.events import EVENT_TYPES
from moot.services.accounts import update_account
from moot.services.context import Deps, Keys
from moot.services.ratelimits import Limiter
from moot.storage.base import Store
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.support.admin_layers import admin_settings, client_of, routed
from tests.support.api import BASE_URL, Tenant, ZoomApi
from tests.support.live_server import Running, serve, server_env
from tests.support.receiver import Receiver
from tests.support.stored import wait_until

FAULTS = "/moot/api/faults"
SECRET = "f4ult-w3bh00k-secret"
NOT_FOUND = {"code": 404, "message": "The requested resource was not found."}
INTERNAL = {"code": 500, "message": "An internal error occurred. Please try again later."}
PER_SECOND = "You have reached the maximum per-second rate limit for this API. Try again later."


def rule(rule_id: int, **fields: Any) -> dict[str, Any]:
    """A rule as the API shows it: every key, defaults unless given."""
    return {
        "id": rule_id,
        "method": None,
        "path": None,
        "operation": None,
        "account_id": None,
        "nth": None,
        "times": None,
        "probability": None,
        "seed": None,
        "error": None,
        "latency_ms": None,
        "drop": False,
        "webhook": None,
        "matched": 0,
        "fired": 0,
        "active": True,
    } | fields


def rate_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("x-ratelimit") or k == "retry-after"}


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    return Deps(store=store, clock=clock, settings=admin_settings(), keys=await Keys.load(store))


@pytest.fixture
def app(deps: Deps) -> Any:
    return create_app(deps.settings, deps=deps)


@pytest.fixture
async def api(deps: Deps, app: Any) -> AsyncIterator[ZoomApi]:
    async with client_of(app) as client:
        zoom = ZoomApi(deps, client)
        zoom.tenant = await zoom.new_tenant()
        yield zoom


async def add_fault(api: ZoomApi, fault: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.post(FAULTS, json=fault)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(api: ZoomApi) -> list[dict[str, Any]]:
    response = await api.client.get(FAULTS)
    assert response.status_code == 200
    faults: list[dict[str, Any]] = response.json()["faults"]
    return faults


async def new_meeting(api: ZoomApi, topic: str = "Faulty") -> int:
    response = await api.post("/v2/users/me/meetings", json={"topic": topic})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


# --- answers: each code as moot gives it for the real failure -----------------------------------------


async def test_the_issue_example_answers_the_next_meeting_get_as_zoom_does_a_missing_meeting(
    api: ZoomApi,
) -> None:
    meeting_id = await new_meeting(api)
    created = await add_fault(
        api, {"method": "GET", "path": "/v2/meetings/*", "times": 1, "error": {"code": 3001}}
    )
    assert created == rule(1, method="GET", path="/v2/meetings/*", times=1, error={"code": 3001})
    faulted = await api.get(f"/v2/meetings/{meeting_id}")
    assert (faulted.status_code, faulted.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."},
    )
    assert faulted.headers["content-type"] == "application/json;charset=UTF-8"
    assert faulted.headers["x-zm-trackingid"].startswith("v=2.0;clid=moot;rid=WEB_")
    assert (await api.get(f"/v2/meetings/{meeting_id}")).status_code == 200
    # The same answer moot gives once the meeting is really gone.
    assert (await api.delete(f"/v2/meetings/{meeting_id}")).status_code == 204
    real = await api.get(f"/v2/meetings/{meeting_id}")
    assert (real.status_code, real.json(), real.headers["content-type"]) == (
        faulted.status_code,
        faulted.json(),
        faulted.headers["content-type"],
    )
    assert await listed(api) == [
        rule(
            1,
            method="GET",
            path="/v2/meetings/*",
            times=1,
            error={"code": 3001},
            matched=3,
            fired=1,
            active=False,
        )
    ]


async def test_124_is_the_invalid_token_answer(api: ZoomApi) -> None:
    real = await api.get("/v2/users/me", headers={"Authorization": "Bearer not-a-token"})
    await add_fault(api, {"path": "/v2/users/me", "error": {"code": 124}})
    faulted = await api.get("/v2/users/me")
    assert (faulted.status_code, faulted.json()) == (real.status_code, real.json())
    assert real.json() == {"code": 124, "message": "Invalid access token."} and real.status_code == 401


async def test_300_is_validation_failed_with_the_errors_given(api: ZoomApi) -> None:
    real = await api.post("/v2/users/me/meetings", json={"type": 5})
    errors = [{"field": "type", "message": "Invalid field."}]
    await add_fault(api, {"operation": "meetingCreate", "error": {"code": 300, "errors": errors}})
    faulted = await api.post("/v2/users/me/meetings", json={"type": 2, "topic": "fine"})
    assert (faulted.status_code, faulted.json()) == (real.status_code, real.json())
    assert real.json() == {"code": 300, "message": "Validation Failed.", "errors": errors}
    await api.client.delete(FAULTS)
    await add_fault(api, {"operation": "meetingCreate", "error": {"code": 300}})
    default = await api.post("/v2/users/me/meetings", json={})
    assert (default.status_code, default.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "", "message": "Invalid field."}],
        },
    )


async def test_1001_names_the_user_in_the_path(api: ZoomApi) -> None:
    assert api.tenant is not None
    real = await api.get("/v2/users/ghost@example.com")
    assert (real.status_code, real.json()) == (
        404,
        {"code": 1001, "message": "User does not exist: ghost@example.com."},
    )
    owner = api.tenant.owner.id
    await add_fault(api, {"operation": "user", "error": {"code": 1001}})
    faulted = await api.get(f"/v2/users/{owner}")
    assert (faulted.status_code, faulted.json()) == (
        404,
        {"code": 1001, "message": f"User does not exist: {owner}."},
    )
    me = await api.get("/v2/users/me")
    assert me.json() == {"code": 1001, "message": "User does not exist: me."}


async def test_4711_names_the_scopes_the_operation_needs(api: ZoomApi) -> None:
    meeting_id = await new_meeting(api)
    reader = await api.token_with_scopes(("user:read",))
    real = await api.get(f"/v2/meetings/{meeting_id}", tenant=reader)
    await add_fault(api, {"operation": "meeting", "error": {"code": 4711}})
    faulted = await api.get(f"/v2/meetings/{meeting_id}")
    assert (faulted.status_code, faulted.json()) == (real.status_code, real.json())
    assert real.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:"
        "[meeting:read:meeting:admin, meeting:read:meeting].",
    }
    await add_fault(api, {"operation": "meetings", "error": {"code": 4711, "scopes": ["meeting:read:admin"]}})
    given = await api.get("/v2/users/me/meetings")
    assert given.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[meeting:read:admin].",
    }


async def test_500_is_moots_internal_error(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/*", "error": {"code": 500}})
    faulted = await api.get("/v2/users/me")
    assert (faulted.status_code, faulted.json()) == (500, INTERNAL)


@pytest.fixture
async def limited(deps: Deps, clock: ControllableClock) -> AsyncIterator[ZoomApi]:
    """The API with moot's rate limiter, so a fault's 429 can be set beside a real one."""
    limited_deps = replace(deps, limiter=Limiter.from_url(None, clock, deps.store))
    async with client_of(create_app(limited_deps.settings, deps=limited_deps)) as client:
        zoom = ZoomApi(limited_deps, client)
        zoom.tenant = await zoom.new_tenant()
        yield zoom


async def set_limits(api: ZoomApi, **changes: Any) -> None:
    assert api.tenant is not None and api.deps.limiter is not None
    await update_account(api.deps, api.tenant.account.id, **changes)
    api.deps.limiter._accounts.clear()


async def test_a_per_second_429_fault_is_the_limiters_own(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_limits(limited, plan=Plan.FREE)
    meeting_id = await new_meeting(limited)
    clock.advance(1)
    answers = [await limited.get(f"/v2/meetings/{meeting_id}") for _ in range(5)]  # Free: 4 a second
    real = answers[-1]
    assert (real.status_code, real.json()) == (429, {"code": 429, "message": PER_SECOND})
    clock.advance(1)
    await add_fault(
        limited, {"operation": "meeting", "times": 1, "error": {"code": 429, "limit": "per_second"}}
    )
    faulted = await limited.get(f"/v2/meetings/{meeting_id}")
    assert (faulted.status_code, faulted.json(), rate_headers(faulted)) == (
        429,
        real.json(),
        rate_headers(real),
    )
    assert rate_headers(real) == {
        "x-ratelimit-category": "Light",
        "x-ratelimit-type": "QPS",
        "x-ratelimit-limit": "4",
        "x-ratelimit-remaining": "0",
        "retry-after": "1",
    }


async def test_a_daily_429_fault_is_the_limiters_own(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_limits(limited, plan=Plan.FREE, rate_limits="x0.002")  # Light: 1 a second, 12 a day
    answers = []
    for _ in range(13):
        clock.advance(1)
        answers.append(await limited.get("/v2/users/me"))
    assert [a.status_code for a in answers] == [200] * 12 + [429]
    real = answers[-1]
    clock.advance(1)
    await add_fault(limited, {"operation": "user", "error": {"code": 429, "limit": "daily"}})
    faulted = await limited.get("/v2/users/me")
    assert (faulted.status_code, faulted.json(), rate_headers(faulted)) == (
        429,
        real.json(),
        rate_headers(real),
    )
    assert rate_headers(real) == {
        "x-ratelimit-category": "Light",
        "x-ratelimit-limit": "12",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-type": "Daily-limit",
        "retry-after": "2026-01-16T00:00:00Z",
    }
    assert real.json()["message"].startswith("You have reached the maximum daily rate limit for this API.")


async def test_a_host_quota_429_fault_is_the_limiters_own(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_limits(limited, rate_limits="x0.002")  # one create or update per host a day
    assert (await limited.post("/v2/users/me/meetings", json={"topic": "one"})).status_code == 201
    clock.advance(1)
    real = await limited.post("/v2/users/me/meetings", json={"topic": "two"})
    assert real.status_code == 429
    clock.advance(1)
    await add_fault(limited, {"operation": "meetingCreate", "error": {"code": 429, "limit": "host_daily"}})
    faulted = await limited.post("/v2/users/me/meetings", json={"topic": "three"})
    assert (faulted.status_code, faulted.json(), rate_headers(faulted)) == (
        429,
        real.json(),
        rate_headers(real),
    )
    assert real.json() == {
        "code": 429,
        "message": "You have exceeded the daily rate limit (1) of Meeting Create/Update API requests "
        "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
    }


# --- the SDK sees each fault as the real failure ----------------------------------------------------------


def sdk(app: Any, tenant: Tenant, clock: ControllableClock, **options: Any) -> AsyncClient:
    return AsyncClient(
        account_id=tenant.account.id,
        client_id=tenant.app.client_id,
        client_secret=tenant.secret,
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app=app),
        clock=clock.timestamp,
        **({"retry": NO_RETRIES} | options),
    )


@dataclass(frozen=True)
class SdkCase:
    error: dict[str, Any]
    operation: str
    raised: type[sdk_errors.ZoomAPIError]
    status: int
    message: str  # {meeting} and {owner} filled in
    errors: tuple[dict[str, str], ...] = ()


SDK_CASES = [
    SdkCase({"code": 124}, "meeting", sdk_errors.InvalidAccessToken, 401, "Invalid access token."),
    SdkCase(
        {"code": 300, "errors": [{"field": "topic", "message": "Invalid field."}]},
        "meetingCreate",
        sdk_errors.ValidationFailed,
        400,
        "Validation Failed.",
        ({"field": "topic", "message": "Invalid field."},),
    ),
    SdkCase({"code": 1001}, "user", sdk_errors.UserNotFound, 404, "User does not exist: {owner}."),
    SdkCase({"code": 3001}, "meeting", sdk_errors.MeetingNotFound, 404, "Meeting does not exist: {meeting}."),
    SdkCase(
        {"code": 4711},
        "meeting",
        sdk_errors.MissingScopes,
        400,
        "Invalid access token, does not contain scopes:[meeting:read:meeting:admin, meeting:read:meeting].",
    ),
    SdkCase({"code": 429}, "meeting", sdk_errors.RateLimited, 429, PER_SECOND),
    SdkCase({"code": 500}, "meeting", sdk_errors.ServerError, 500, INTERNAL["message"]),
]


def sdk_call(zoom: AsyncClient, operation: str, meeting_id: int, owner: str) -> Awaitable[Any]:
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "meeting": lambda: zoom.meetings.get(meeting_id),
        "meetingCreate": lambda: zoom.meetings.create(topic="From the SDK"),
        "user": lambda: zoom.users.get(owner),
    }
    return calls[operation]()


@pytest.mark.parametrize("case", SDK_CASES, ids=[str(c.error["code"]) for c in SDK_CASES])
async def test_the_sdk_raises_for_each_fault_what_it_raises_for_the_real_failure(
    api: ZoomApi, app: Any, clock: ControllableClock, case: SdkCase
) -> None:
    assert api.tenant is not None
    meeting_id, owner = await new_meeting(api), api.tenant.owner.id
    await add_fault(api, {"operation": case.operation, "error": case.error})
    async with sdk(app, api.tenant, clock) as zoom:
        with pytest.raises(case.raised) as raised:
            await sdk_call(zoom, case.operation, meeting_id, owner)
    error = raised.value
    assert type(error) is case.raised
    assert (error.status_code, error.code, error.message, error.errors) == (
        case.status,
        case.error["code"],
        case.message.format(meeting=meeting_id, owner=owner),
        list(case.errors),
    )
    assert error.tracking_id is not None and error.tracking_id.startswith("v=2.0;clid=moot;rid=WEB_")
    if isinstance(error, sdk_errors.RateLimited):
        assert error.retry_after == 1.0


async def test_the_sdk_sees_a_3001_fault_and_a_deleted_meeting_alike(
    api: ZoomApi, app: Any, clock: ControllableClock
) -> None:
    assert api.tenant is not None
    meeting_id = await new_meeting(api)
    await add_fault(api, {"operation": "meeting", "times": 1, "error": {"code": 3001}})
    async with sdk(app, api.tenant, clock) as zoom:
        with pytest.raises(sdk_errors.MeetingNotFound) as faulted:
            await zoom.meetings.get(meeting_id)
        await zoom.meetings.delete(meeting_id)
        with pytest.raises(sdk_errors.MeetingNotFound) as real:
            await zoom.meetings.get(meeting_id)
    seen = [(e.value.status_code, e.value.code, e.value.message, e.value.body) for e in (faulted, real)]
    assert seen[0] == seen[1] == (404, 3001, f"Meeting does not exist: {meeting_id}.", seen[0][3])


async def test_the_sdk_retries_a_transient_fault_as_it_retries_a_real_one(
    api: ZoomApi, app: Any, clock: ControllableClock
) -> None:
    assert api.tenant is not None
    meeting_id = await new_meeting(api)
    # Each answers the first request it is consulted on: the 429 the first, the 500 the second, the drop
    # the third (a request an earlier rule answered is not offered to the later ones).
    await add_fault(api, {"operation": "meeting", "times": 1, "error": {"code": 429}})
    await add_fault(api, {"operation": "meeting", "times": 1, "error": {"code": 500}})
    await add_fault(api, {"operation": "meeting", "times": 1, "drop": True})
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    policy = RetryPolicy(jitter=lambda: 0.5)
    async with sdk(app, api.tenant, clock, retry=policy, sleep=sleep) as zoom:
        meeting = await zoom.meetings.get(meeting_id)
    assert meeting["id"] == meeting_id
    # Retry-After of the 429, then the backoff after the 500 and after the dropped connection.
    assert waits == [1.0, 0.5, 1.0]


async def test_a_dropped_connection_in_process_is_the_http_clients_disconnect_error(
    api: ZoomApi, app: Any, clock: ControllableClock
) -> None:
    assert api.tenant is not None
    await add_fault(api, {"path": "/v2/users/me", "drop": True})
    with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected without sending a response"):
        await api.get("/v2/users/me")
    async with sdk(app, api.tenant, clock) as zoom:
        with pytest.raises(httpx.RemoteProtocolError):
            await zoom.users.get()


# --- when rules fire ---------------------------------------------------------------------------------------


async def statuses(api: ZoomApi, count: int, path: str = "/v2/users/me") -> list[int]:
    return [(await api.get(path)).status_code for _ in range(count)]


async def test_nth_faults_only_the_nth_matching_request(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/users/me", "nth": 3, "error": {"code": 500}})
    await api.get("/v2/users/me/meetings")  # does not match
    assert await statuses(api, 5) == [200, 200, 500, 200, 200]
    assert await listed(api) == [
        rule(1, path="/v2/users/me", nth=3, error={"code": 500}, matched=5, fired=1, active=False)
    ]


async def test_times_faults_the_next_n_matching_requests(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/users/me", "times": 2, "error": {"code": 500}})
    assert await statuses(api, 4) == [500, 500, 200, 200]
    assert await listed(api) == [
        rule(1, path="/v2/users/me", times=2, error={"code": 500}, matched=4, fired=2, active=False)
    ]


def drawn(rng: random.Random, probability: float, count: int) -> list[int]:
    return [500 if rng.random() < probability else 200 for _ in range(count)]


async def test_probability_draws_from_the_rules_seed(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/users/me", "probability": 0.3, "seed": 7, "error": {"code": 500}})
    expected = drawn(random.Random(7), 0.3, 30)
    assert 0 < expected.count(500) < 30
    assert await statuses(api, 30) == expected
    (shown,) = await listed(api)
    assert shown == rule(
        1,
        path="/v2/users/me",
        probability=0.3,
        seed=7,
        error={"code": 500},
        matched=30,
        fired=expected.count(500),
    )


async def test_probability_with_times_stops_after_n_hits(api: ZoomApi) -> None:
    await add_fault(
        api, {"path": "/v2/users/me", "probability": 0.5, "times": 2, "seed": 3, "error": {"code": 500}}
    )
    draws = drawn(random.Random(3), 0.5, 20)
    cut = [i for i, s in enumerate(draws) if s == 500][1] + 1  # through the second hit
    assert await statuses(api, 20) == draws[:cut] + [200] * (20 - cut)


async def test_probability_without_a_seed_draws_from_the_settings_seed(
    store: Store, clock: ControllableClock
) -> None:
    deps = Deps(store=store, clock=clock, settings=admin_settings(fault_seed=42), keys=await Keys.load(store))
    async with client_of(create_app(deps.settings, deps=deps)) as client:
        api = ZoomApi(deps, client)
        api.tenant = await api.new_tenant()
        await add_fault(api, {"path": "/v2/users/me", "probability": 0.25, "error": {"code": 500}})
        assert await statuses(api, 24) == drawn(random.Random("42:1"), 0.25, 24)


async def test_latencies_add_up_and_the_first_answering_rule_decides(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/*", "latency_ms": 100})
    await add_fault(api, {"path": "/v2/users/me", "times": 1, "latency_ms": 50, "error": {"code": 500}})
    await add_fault(api, {"path": "/v2/users/*", "times": 1, "error": {"code": 1001}})
    timed = []
    for _ in range(3):
        started = time.perf_counter()
        response = await api.get("/v2/users/me")
        timed.append((response.status_code, time.perf_counter() - started))
    assert [status for status, _ in timed] == [500, 404, 200]
    assert timed[0][1] >= 0.15 and timed[1][1] >= 0.1 and timed[2][1] >= 0.1
    # The 1001 rule was not consulted on the request the 500 answered.
    assert [(f["matched"], f["fired"]) for f in await listed(api)] == [(3, 3), (3, 1), (2, 1)]


async def test_a_latency_rule_slows_a_tenth_of_the_calls(api: ZoomApi) -> None:
    await add_fault(api, {"path": "/v2/*", "probability": 0.1, "seed": 5, "latency_ms": 200})
    rng = random.Random(5)
    expected = [rng.random() < 0.1 for _ in range(20)]
    assert 0 < expected.count(True) < 5
    measured = []
    for _ in range(20):
        started = time.perf_counter()
        assert (await api.get("/v2/users/me")).status_code == 200
        measured.append(time.perf_counter() - started >= 0.2)
    assert measured == expected


# --- what rules match ------------------------------------------------------------------------------------


async def test_rules_match_by_operation_method_path_and_account(api: ZoomApi) -> None:
    assert api.tenant is not None
    other = await api.new_tenant("other@example.com")
    meeting_id = await new_meeting(api)
    await add_fault(api, {"operation": "meetingCreate", "error": {"code": 500}})
    await add_fault(api, {"method": "delete", "path": "/v2/meetings/*", "error": {"code": 3001}})
    await add_fault(api, {"path": "/v2/users/me", "account_id": other.account.id, "error": {"code": 124}})
    assert (await api.post("/v2/users/me/meetings", json={})).status_code == 500
    assert (await api.get("/v2/users/me/meetings")).status_code == 200
    assert (await api.get(f"/v2/meetings/{meeting_id}")).status_code == 200
    assert (await api.delete(f"/v2/meetings/{meeting_id}")).status_code == 404
    assert (await api.get("/v2/users/me")).status_code == 200
    assert (await api.get("/v2/users/me", tenant=other)).json() == {
        "code": 124,
        "message": "Invalid access token.",
    }
    slashed = await api.client.get("/v2/users/me/", headers={"Authorization": f"Bearer {other.token}"})
    assert slashed.status_code == 401  # a trailing slash names the same path
    shown = await listed(api)
    assert shown[1]["method"] == "DELETE" and [f["fired"] for f in shown] == [1, 1, 2]


async def test_moots_own_paths_are_never_faulted(api: ZoomApi) -> None:
    await add_fault(api, {"drop": True})
    assert (await api.client.get(FAULTS)).status_code == 200
    assert (await api.client.get("/healthz")).status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("/v2/users/me")
    assert (await api.client.delete(FAULTS)).status_code == 204
    assert (await api.get("/v2/users/me")).status_code == 200


# --- the rules' API ---------------------------------------------------------------------------------------


async def test_rules_are_listed_fetched_and_deleted(api: ZoomApi) -> None:
    first = await add_fault(api, {"path": "/v2/users/*", "latency_ms": "5"})
    second = await add_fault(
        api, {"webhook": {"kind": "out_of_order", "event": "meeting.*", "hold_seconds": 2}}
    )
    assert first == rule(1, path="/v2/users/*", latency_ms=5)
    assert second == rule(2, webhook={"kind": "out_of_order", "event": "meeting.*", "hold_seconds": 2.0})
    assert (await api.client.get(f"{FAULTS}/2")).json() == second
    assert await listed(api) == [first, second]
    assert (await api.client.delete(f"{FAULTS}/1")).status_code == 204
    for missing in ("1", "x", "99"):
        for method in ("GET", "DELETE"):
            gone = await api.client.request(method, f"{FAULTS}/{missing}")
            assert (gone.status_code, gone.json()) == (404, NOT_FOUND)
    assert await listed(api) == [second]
    deleted = await api.client.delete(FAULTS)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert await listed(api) == []
    assert (await add_fault(api, {"drop": True}))["id"] == 3


BAD_RULES = [
    ({}, [("", "A rule needs an action: error, latency_ms, drop or webhook.")]),
    ({"error": {"code": 404}}, [("error.code", "Must be one of 124, 300, 429, 500, 1001, 3001, 4711.")]),
    ({"error": {"code": 3001, "limit": "daily"}}, [("error", "limit applies to code 429 only.")]),
    ({"error": {"code": 429, "limit": "hourly"}}, [("error.limit", "Invalid field.")]),
    (
        {"drop": True, "nth": 2, "times": 1},
        [("", "nth fires on one request only: it goes with neither times nor probability.")],
    ),
    ({"drop": True, "probability": 1.5}, [("probability", "Invalid field.")]),
    ({"drop": True, "times": 0}, [("times", "Invalid field.")]),
    (
        {"drop": True, "method": "FETCH"},
        [("method", "Must be one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT.")],
    ),
    (
        {"drop": True, "path": "v2/users"},
        [("path", "Must be a path or a glob starting with / (e.g. /v2/meetings/*).")],
    ),
    ({"drop": True, "operation": "meetingz"}, [("operation", "Unknown operation: meetingz.")]),
    ({"drop": True, "operation": "list_faults"}, [("operation", "Unknown operation: list_faults.")]),
    (
        {"drop": True, "error": {"code": 500}},
        [("", "A rule answers with an error or drops the connection, not both.")],
    ),
    ({"webhook": {"kind": "timeout"}, "error": {"code": 500}}, [("", "A webhook rule takes no error.")]),
    ({"webhook": {"kind": "late"}}, [("webhook.kind", "Invalid field.")]),
    (
        {"webhook": {"kind": "timeout", "hold_seconds": 1}},
        [("webhook", "hold_seconds applies to out_of_order only.")],
    ),
    ({"drop": True, "probabilty": 0.5}, [("probabilty", "Invalid field.")]),
    ({"latency_ms": 120_001}, [("latency_ms", "Invalid field.")]),
]


@pytest.mark.parametrize(("sent", "errors"), BAD_RULES)
async def test_a_bad_rule_is_a_zoom_validation_error(
    api: ZoomApi, sent: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await api.client.post(FAULTS, json=sent)
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": field, "message": message} for field, message in errors],
        },
    )
    assert await listed(api) == []


async def test_a_body_that_is_not_an_object_is_refused(api: ZoomApi) -> None:
    response = await api.client.post(FAULTS, content=b"[1]", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Request Body should be a valid JSON object."},
    )


async def test_the_layers_exist_only_with_the_admin_api(store: Store, clock: ControllableClock) -> None:
    plain = Deps(
        store=store,
        clock=clock,
        settings=admin_settings().model_copy(update={"admin_api": False}),
        keys=await Keys.load(store),
    )
    app = create_app(plain.settings, deps=plain)
    assert isinstance(app, ZoomEdge)  # the normal request path: nothing added
    async with client_of(app) as client:
        response = await client.post(FAULTS, json={"drop": True})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    guarded = replace(plain, settings=plain.settings.model_copy(update={"admin_token": "t0ken"}))
    async with client_of(create_app(guarded.settings, deps=guarded)) as client:
        refused = await client.get(FAULTS)
        assert (refused.status_code, refused.json()) == (
            401,
            {"code": 124, "message": "Invalid admin token."},
        )
        allowed = await client.get(FAULTS, headers={"Authorization": "Bearer t0ken"})
        assert (allowed.status_code, allowed.json()) == (200, {"faults": []})


# --- webhook faults -----------------------------------------------------------------------------------------


@dataclass
class Hooked:
    api: ZoomApi
    receiver: Receiver
    dispatcher: Dispatcher


@pytest.fixture
async def hooked(deps: Deps, app: Any, api: ZoomApi) -> AsyncIterator[Hooked]:
    """The tenant's app sends every event to a real receiver; a dispatcher with the app's webhook fault
    hook delivers them when the test drains it."""
    assert api.tenant is not None
    with Receiver(SECRET) as receiver:
        endpoint = await endpoints.set_endpoint(
            deps, api.tenant.app.client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
        )
        assert endpoint.active, endpoint.last_error
        receiver.clear()
        dispatcher = Dispatcher(deps)
        dispatcher.webhook_faults = routed(app).state.delivery_faults
        try:
            yield Hooked(api, receiver, dispatcher)
        finally:
            await dispatcher.stop()


async def only_delivery(deps: Deps, event: str) -> Any:
    (delivery,) = await deps.store.outbox.list_deliveries(event=event)
    return delivery


async def test_a_timeout_fault_records_an_unanswered_attempt_and_zoom_retries(
    hooked: Hooked, deps: Deps, clock: ControllableClock
) -> None:
    api, receiver = hooked.api, hooked.receiver
    await add_fault(api, {"webhook": {"kind": "timeout", "event": "meeting.created"}, "times": 1})
    await new_meeting(api)
    await hooked.dispatcher.drain()
    assert receiver.deliveries == []
    delivery = await only_delivery(deps, "meeting.created")
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == (
        DeliveryState.PENDING,
        1,
        None,
        "no answer within 3 seconds",
    )
    assert await deps.store.outbox.attempts(delivery.id) == [
        Attempt(
            delivery.id,
            1,
            "2026-01-15T12:00:00Z",
            receiver.url,
            None,
            3000.0,
            "no answer within 3 seconds",
            "",
        )
    ]
    clock.advance(300)  # Zoom's first retry
    await hooked.dispatcher.drain()
    (arrived,) = receiver.deliveries
    assert arrived.event == "meeting.created" and arrived.verified
    delivered = await only_delivery(deps, "meeting.created")
    assert (delivered.state, delivered.attempts, delivered.last_status) == (DeliveryState.DELIVERED, 2, 200)


async def test_a_duplicate_fault_sends_the_delivery_twice(hooked: Hooked, deps: Deps) -> None:
    api, receiver = hooked.api, hooked.receiver
    await add_fault(api, {"webhook": {"kind": "duplicate"}, "times": 1})
    await new_meeting(api, "Twice")
    await new_meeting(api, "Once")
    await hooked.dispatcher.drain()
    arrived = receiver.wait_for(3)
    first, second = [d for d in arrived if d.json["payload"]["object"]["topic"] == "Twice"]
    assert (first.body, first.headers, first.verified) == (second.body, second.headers, True)
    assert sorted(d.json["payload"]["object"]["topic"] for d in arrived) == ["Once", "Twice", "Twice"]
    deliveries = await deps.store.outbox.list_deliveries(event="meeting.created")
    assert [(d.state, d.attempts) for d in deliveries] == [(DeliveryState.DELIVERED, 1)] * 2


async def test_an_out_of_order_fault_sends_the_held_event_after_the_meetings_next(
    hooked: Hooked, deps: Deps
) -> None:
    api, receiver = hooked.api, hooked.receiver
    await add_fault(api, {"webhook": {"kind": "out_of_order", "event": "meeting.created"}, "times": 1})
    meeting_id = await new_meeting(api)
    assert (await api.patch(f"/v2/meetings/{meeting_id}", json={"topic": "Renamed"})).status_code == 204
    await hooked.dispatcher.drain()
    assert [d.event for d in receiver.wait_for(2)] == ["meeting.updated", "meeting.created"]
    assert all(d.verified for d in receiver.deliveries)
    created = await only_delivery(deps, "meeting.created")
    assert (created.state, created.attempts, created.last_status) == (DeliveryState.DELIVERED, 2, 200)
    held, sent = await deps.store.outbox.attempts(created.id)
    assert (held.status_code, held.error) == (
        None,
        "held back by fault 1 (out_of_order): sent after this meeting's next event",
    )
    assert (sent.number, sent.status_code) == (2, 200)


async def test_a_held_event_goes_on_its_own_after_hold_seconds(hooked: Hooked, deps: Deps) -> None:
    api, receiver = hooked.api, hooked.receiver
    await add_fault(api, {"webhook": {"kind": "out_of_order", "hold_seconds": 0.2}, "times": 1})
    await new_meeting(api)
    await hooked.dispatcher.drain()
    assert receiver.deliveries == []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        created = await only_delivery(deps, "meeting.created")
        if created.last_status == 200:
            break
        await asyncio.sleep(0.05)
    assert [d.event for d in receiver.deliveries] == ["meeting.created"]
    assert (created.state, created.attempts, created.last_status) == (DeliveryState.DELIVERED, 2, 200)


async def test_webhook_rules_match_by_event_and_account(hooked: Hooked, deps: Deps) -> None:
    api, receiver = hooked.api, hooked.receiver
    await add_fault(api, {"webhook": {"kind": "timeout"}, "account_id": "someone-else"})
    await add_fault(api, {"webhook": {"kind": "timeout", "event": "meeting.deleted"}})
    await new_meeting(api)
    await hooked.dispatcher.drain()
    assert [d.event for d in receiver.wait_for(1)] == ["meeting.created"]
    assert [(f["matched"], f["fired"]) for f in await listed(api)] == [(0, 0), (0, 0)]


# --- a live server: dropped connections, zoomus, the dispatcher's hook -----------------------------------

ACCOUNT_ID = "faultAccount0000000001"
CLIENT_ID = "faultClient00000000001"
CLIENT_SECRET = "faultSecret0000000000000000000001"
OWNER_EMAIL = "owner@faults.moot.test"
ADMIN_TOKEN = "f4ult-admin-t0ken"


@dataclass
class LiveFaults:
    server: Running
    receiver: Receiver
    admin: httpx.Client

    def add(self, fault: dict[str, Any]) -> None:
        response = self.admin.post(FAULTS, json=fault)
        assert response.status_code == 201, response.text

    def clear(self) -> None:
        assert self.admin.delete(FAULTS).status_code == 204


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveFaults]:
    with Receiver(SECRET) as receiver:
        env = server_env(
            MOOT_ADMIN_TOKEN=ADMIN_TOKEN,
            MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
            MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
            MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
            MOOT_BOOTSTRAP_USER_EMAIL=OWNER_EMAIL,
            MOOT_BOOTSTRAP_RATE_LIMITS="off",
            MOOT_BOOTSTRAP_WEBHOOK_URL=receiver.url,
            MOOT_BOOTSTRAP_WEBHOOK_SECRET=SECRET,
            MOOT_WEBHOOK_POLL_INTERVAL="0.05",
        )
        with (
            pytest.MonkeyPatch.context() as patch,
            serve(Path(tmp_path_factory.mktemp("moot-faults")), env=env) as server,
            httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, trust_env=False
            ) as admin,
        ):
            # zoomus (requests) must reach the server directly even where a proxy is configured.
            patch.setenv("NO_PROXY", "127.0.0.1,localhost")
            patch.setenv("no_proxy", "127.0.0.1,localhost")
            yield LiveFaults(server, receiver, admin)


@pytest.fixture
def faults(live: LiveFaults) -> Iterator[LiveFaults]:
    live.clear()
    try:
        yield live
    finally:
        live.clear()


def live_token(server: Running) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = httpx.post(
        f"{server.base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers={"Authorization": f"Basic {basic}"},
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_a_live_server_closes_the_connection_without_an_answer(faults: LiveFaults) -> None:
    server = faults.server
    faults.add({"path": "/v2/users/me", "times": 1, "drop": True})
    headers = {"Authorization": f"Bearer {live_token(server)}"}
    with httpx.Client(base_url=server.base_url, headers=headers, trust_env=False) as client:
        assert client.get("/v2/users/me/meetings").status_code == 200  # a kept-alive connection
        with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected without sending a response"):
            client.get("/v2/users/me")
        assert client.get("/v2/users/me").status_code == 200
    assert "ASGI" not in server.log() and "Traceback" not in server.log()


def test_zoomus_sees_each_fault_as_the_real_failure(faults: LiveFaults) -> None:
    base = faults.server.base_url
    zoom = ZoomClient(
        CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID, base_uri=f"{base}/v2", oauth_uri=f"{base}/oauth/token"
    )
    created = zoom.meeting.create(
        user_id="me", topic="zoomus", type=2, start_time=datetime(2031, 5, 6, 7, 8, 9)
    )
    assert created.status_code == 201, created.text
    meeting_id = created.json()["id"]
    owner = zoom.user.get(id="me").json()["id"]

    real_missing = zoom.meeting.get(id=99999999999)
    faults.add({"operation": "meeting", "times": 1, "error": {"code": 3001}})
    faulted = zoom.meeting.get(id=meeting_id)
    assert (faulted.status_code, faulted.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."},
    )
    assert (real_missing.status_code, real_missing.json()) == (
        404,
        {"code": 3001, "message": "Meeting does not exist: 99999999999."},
    )
    assert zoom.meeting.get(id=meeting_id).status_code == 200

    expected = {
        124: (401, {"code": 124, "message": "Invalid access token."}),
        300: (
            400,
            {
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "", "message": "Invalid field."}],
            },
        ),
        1001: (404, {"code": 1001, "message": f"User does not exist: {owner}."}),
        4711: (
            400,
            {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:"
                "[user:read:user:admin, user:read:user].",
            },
        ),
        429: (429, {"code": 429, "message": PER_SECOND}),
        500: (500, INTERNAL),
    }
    for code, answer in expected.items():
        faults.clear()
        faults.add({"operation": "user", "error": {"code": code}})
        response = zoom.user.get(id=owner)
        assert (response.status_code, response.json()) == answer, code
        assert response.headers["x-zm-trackingid"].startswith("v=2.0;clid=moot;rid=WEB_")
    faults.clear()
    faults.add({"operation": "user", "drop": True})
    with pytest.raises(requests.ConnectionError):
        zoom.user.get(id=owner)


def test_a_live_servers_dispatcher_applies_webhook_faults(faults: LiveFaults) -> None:
    server, receiver = faults.server, faults.receiver
    faults.add({"webhook": {"kind": "duplicate", "event": "meeting.created"}, "times": 1})
    receiver.clear()
    response = httpx.post(
        f"{server.base_url}/v2/users/me/meetings",
        headers={"Authorization": f"Bearer {live_token(server)}"},
        json={"topic": "Live twice"},
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    first, second = wait_until(
        lambda: receiver.events("meeting.created") if len(receiver.events("meeting.created")) >= 2 else None,
        timeout=10,
        what="two meeting.created deliveries",
    )[:2]
    assert first.event == "meeting.created" and (first.body, first.headers) == (second.body, second.headers)
    listed = faults.admin.get(FAULTS).json()["faults"]
    assert [(f["matched"], f["fired"], f["active"]) for f in listed] == [(1, 1, False)]
