"""Zoom's rate limits: per-second and daily by plan, 100 creates/updates per host a day, headers, modes."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from moot.domain.accounts import Plan
from moot.domain.clock import ControllableClock
from moot.services.accounts import update_account
from moot.services.context import Deps
from moot.services.ratelimits import Limiter
from tests.support.api import ZoomApi, asgi_client

REDIS_URL = os.environ.get("MOOT_TEST_REDIS_URL")
LIMITERS = [
    "memory",
    pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")),
]
HOST_QUOTA_BODY = {
    "code": 429,
    "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted "
    "for this particular user. You may resume these requests at GMT 00:00:00.",
}


@pytest.fixture(params=LIMITERS)
async def limited(request: pytest.FixtureRequest, deps: Deps) -> AsyncIterator[ZoomApi]:
    """The API with a limiter, in memory or on Redis; the tenant's account on Zoom's limits."""
    url = REDIS_URL if request.param == "redis" else None
    limiter = Limiter.from_url(url, deps.clock, deps.store)
    limited_deps = replace(deps, limiter=limiter)
    async with asgi_client(limited_deps) as client:
        api = ZoomApi(limited_deps, client)
        api.tenant = await api.new_tenant()
        yield api
    await limiter.close()


async def set_account(api: ZoomApi, **changes: object) -> None:
    assert api.tenant is not None and api.deps.limiter is not None
    await update_account(api.deps, api.tenant.account.id, **changes)  # type: ignore[arg-type]
    api.deps.limiter._accounts.clear()  # the 5-second account cache, as if it had expired


def tick(clock: ControllableClock) -> None:
    """Into the next second, so per-second windows do not interfere with daily counts."""
    clock.advance(1)


async def test_every_answer_carries_the_limit_headers(limited: ZoomApi, clock: ControllableClock) -> None:
    response = await limited.get("/v2/users/me")
    assert {k: v for k, v in response.headers.items() if k.startswith("x-ratelimit")} == {
        "x-ratelimit-category": "Light",
        "x-ratelimit-limit": "80",
        "x-ratelimit-remaining": "79",
    }
    missing = await limited.get("/v2/meetings/12345678901")
    assert (missing.status_code, missing.headers["x-ratelimit-category"]) == (404, "Light")


async def test_the_101st_create_of_a_host_in_a_day_is_429_until_midnight(
    limited: ZoomApi, clock: ControllableClock
) -> None:
    clock.set(datetime(2026, 1, 15, 23, 0, tzinfo=UTC))
    await limited.renew_token()
    for n in range(100):
        if n % 50 == 0:
            tick(clock)
        response = await limited.post("/v2/users/me/meetings", json={"topic": f"m{n}"})
        assert response.status_code == 201, (n, response.text)
    assert (response.headers["x-ratelimit-limit"], response.headers["x-ratelimit-remaining"]) == ("100", "0")
    tick(clock)
    over = await limited.post("/v2/users/me/meetings", json={"topic": "one too many"})
    assert (over.status_code, over.json()) == (429, HOST_QUOTA_BODY)
    assert over.headers["retry-after"] == "2026-01-16T00:00:00Z"
    # updates count too; another host of the account is not affected
    meeting_id = (await limited.get("/v2/users/me/meetings")).json()["meetings"][0]["id"]
    assert (await limited.patch(f"/v2/meetings/{meeting_id}", json={"topic": "x"})).status_code == 429
    other = (
        await limited.post(
            "/v2/users", json={"action": "custCreate", "user_info": {"email": "b@example.com", "type": 2}}
        )
    ).json()
    assert (await limited.post(f"/v2/users/{other['id']}/meetings", json={})).status_code == 201
    # reads and deletes are not counted against the quota
    assert (await limited.get(f"/v2/meetings/{meeting_id}")).status_code == 200
    clock.set(datetime(2026, 1, 16, 0, 0, 1, tzinfo=UTC))
    await limited.renew_token()
    assert (await limited.post("/v2/users/me/meetings", json={})).status_code == 201


async def test_per_second_bursts_follow_the_plan(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_account(limited, plan=Plan.FREE)
    tick(clock)
    statuses = [(await limited.get("/v2/users/me")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = await limited.get("/v2/users/me")
    assert response.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
    }
    assert {k: v for k, v in response.headers.items() if k.startswith(("x-ratelimit", "retry-after"))} == {
        "x-ratelimit-category": "Light",
        "x-ratelimit-type": "QPS",
        "x-ratelimit-limit": "4",
        "x-ratelimit-remaining": "0",
        "retry-after": "1",
    }
    tick(clock)
    assert (await limited.get("/v2/users/me")).status_code == 200
    await set_account(limited, plan=Plan.PRO)
    tick(clock)
    statuses = [(await limited.get("/v2/users/me")).status_code for _ in range(31)]
    assert statuses.count(429) == 1 and statuses[-1] == 429


async def test_a_daily_limit_answers_an_iso_retry_after(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_account(limited, plan=Plan.FREE, rate_limits="x0.001")  # Medium: 2,000 a day becomes 2
    for _ in range(2):
        tick(clock)
        assert (await limited.get("/v2/users/me/meetings")).status_code == 200
    tick(clock)
    response = await limited.get("/v2/users/me/meetings")
    assert (response.status_code, response.json()) == (
        429,
        {
            "code": 429,
            "message": "You have reached the maximum daily rate limit for this API. "
            "Refer to the response header for details on when you can make another request.",
        },
    )
    assert (response.headers["x-ratelimit-type"], response.headers["retry-after"]) == (
        "Daily-limit",
        "2026-01-16T00:00:00Z",
    )
    assert (await limited.get("/v2/users/me")).status_code == 200  # Light has a pool of its own


async def test_limits_can_be_scaled_or_switched_off(limited: ZoomApi, clock: ControllableClock) -> None:
    await set_account(limited, rate_limits="x2")
    assert (await limited.get("/v2/users/me")).headers["x-ratelimit-limit"] == "160"
    await set_account(limited, rate_limits="off")
    response = await limited.get("/v2/users/me")
    assert not any(k.startswith("x-ratelimit") for k in response.headers)
    for _ in range(150):
        assert (await limited.post("/v2/users/me/meetings", json={})).status_code == 201


async def test_token_issuance_is_not_throttled(limited: ZoomApi) -> None:
    for _ in range(100):
        await limited.renew_token()
    assert (await limited.get("/v2/users/me")).status_code == 200


@pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")
async def test_two_limiters_on_one_redis_enforce_one_limit(deps: Deps, clock: ControllableClock) -> None:
    limiters = [Limiter.from_url(REDIS_URL, deps.clock, deps.store) for _ in range(2)]
    first, second = (replace(deps, limiter=limiter) for limiter in limiters)
    async with asgi_client(first) as one, asgi_client(second) as two:
        api_one, api_two = ZoomApi(first, one), ZoomApi(second, two)
        tenant = await api_one.new_tenant()
        statuses = []
        for n in range(101):
            if n % 50 == 0:
                clock.advance(timedelta(seconds=1))
            api = api_one if n % 2 == 0 else api_two
            statuses.append((await api.post("/v2/users/me/meetings", tenant=tenant, json={})).status_code)
        assert statuses[:100] == [201] * 100 and statuses[100] == 429
    for limiter in limiters:
        await limiter.close()


async def test_requests_are_served_when_redis_is_unreachable(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens there any more
    limiter = Limiter.from_url(f"redis://127.0.0.1:{port}/0", deps.clock, deps.store)
    unreachable = replace(deps, limiter=limiter)
    async with asgi_client(unreachable) as client:
        api = ZoomApi(unreachable, client)
        api.tenant = await api.new_tenant()
        with caplog.at_level(logging.WARNING, "moot.ratelimits"):
            response = await api.post("/v2/users/me/meetings", json={})
            assert response.status_code == 201
            assert response.headers["x-ratelimit-category"] == "Medium"
            assert (await api.get("/v2/users/me")).status_code == 200
    assert "rate-limit counters unreachable" in caplog.text
    await limiter.close()
