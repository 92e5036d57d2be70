"""Brute force on client secrets: failed client authentications at /oauth/token (and /oauth/revoke) are
throttled per client id and per client address, in counters every process on one Redis shares; successful
ones are never counted."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import secrets
from datetime import timedelta

import httpx
import pytest

from moot.domain.accounts import App
from moot.domain.clock import ControllableClock
from moot.services.accounts import create_account, create_app
from moot.services.context import Deps
from moot.services.oauth import FAILURE_WINDOW, FAILURES_PER_ADDRESS, FAILURES_PER_CLIENT
from moot.services.ratelimits import Limiter
from tests.security.conftest import client_from

THROTTLED = (429, {"reason": "Too many failed attempts. Try again later.", "error": "too_many_requests"})
INVALID_CLIENT = (401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
REDIS_URL = os.environ.get("MOOT_TEST_REDIS_URL")


async def s2s_app(deps: Deps, email: str = "owner@example.com") -> tuple[App, str]:
    account, _ = await create_account(deps, owner_email=email)
    return await create_app(deps, account_id=account.id)


async def ask(client: httpx.AsyncClient, app: App, secret: str) -> tuple[int, dict[str, str]]:
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    response = await client.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": app.account_id},
        headers={"Authorization": f"Basic {basic}"},
    )
    return response.status_code, response.json()


async def test_a_client_id_is_throttled_after_its_failures_even_with_the_right_secret(
    served: Deps, clock: ControllableClock
) -> None:
    clock.set(clock.now().replace(second=0, microsecond=0))  # the start of a window
    app, secret = await s2s_app(served)
    async with client_from(served) as client:
        for _ in range(FAILURES_PER_CLIENT):
            assert await ask(client, app, "wrong") == INVALID_CLIENT
        assert await ask(client, app, "wrong") == THROTTLED
        response = await client.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": app.account_id},
            headers={
                "Authorization": "Basic " + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
            },
        )
        assert (response.status_code, response.json()) == THROTTLED  # a right guess now proves nothing
        assert response.headers["retry-after"] == str(FAILURE_WINDOW)
        other, other_secret = await s2s_app(served, "other@example.com")
        assert (await ask(client, other, other_secret))[0] == 200  # other clients from here are not
        clock.advance(timedelta(seconds=FAILURE_WINDOW))
        assert (await ask(client, app, secret))[0] == 200


async def test_the_throttle_holds_from_every_address(served: Deps) -> None:
    app, secret = await s2s_app(served)
    for n in range(FAILURES_PER_CLIENT):
        async with client_from(served, f"203.0.113.{n}") as client:
            assert await ask(client, app, "wrong") == INVALID_CLIENT
    async with client_from(served, "198.51.100.7") as client:
        assert await ask(client, app, secret) == THROTTLED


async def test_an_address_is_throttled_after_its_failures_across_client_ids(
    served: Deps, clock: ControllableClock
) -> None:
    clock.set(clock.now().replace(second=0, microsecond=0))
    app, secret = await s2s_app(served)
    async with client_from(served, "203.0.113.9") as attacker:
        for n in range(FAILURES_PER_ADDRESS):
            guessed = dataclasses.replace(app, client_id=f"guess{n}")
            assert await ask(attacker, guessed, "wrong") == INVALID_CLIENT
        assert await ask(attacker, app, secret) == THROTTLED
    async with client_from(served, "198.51.100.7") as elsewhere:
        assert (await ask(elsewhere, app, secret))[0] == 200


async def test_missing_or_malformed_credentials_count_against_the_address(served: Deps) -> None:
    app, secret = await s2s_app(served)
    async with client_from(served, "203.0.113.10") as client:
        for n in range(FAILURES_PER_ADDRESS):
            headers = {"Authorization": "Basic !!!"} if n % 2 else {}
            response = await client.post("/oauth/token?grant_type=account_credentials", headers=headers)
            assert (response.status_code, response.json()) == INVALID_CLIENT
        assert await ask(client, app, secret) == THROTTLED


async def test_revoke_is_throttled_too(served: Deps) -> None:
    app, _ = await s2s_app(served)
    basic = base64.b64encode(f"{app.client_id}:wrong".encode()).decode()
    async with client_from(served, "203.0.113.11") as client:
        answers = [
            (r.status_code, r.json())
            for r in [
                await client.post(
                    "/oauth/revoke", data={"token": "x"}, headers={"Authorization": f"Basic {basic}"}
                )
                for _ in range(FAILURES_PER_CLIENT + 1)
            ]
        ]
    assert answers == [INVALID_CLIENT] * FAILURES_PER_CLIENT + [THROTTLED]


async def test_successful_authentications_are_never_counted(served: Deps) -> None:
    app, secret = await s2s_app(served)
    async with client_from(served) as client:
        statuses = [(await ask(client, app, secret))[0] for _ in range(3 * FAILURES_PER_ADDRESS)]
    assert statuses == [200] * (3 * FAILURES_PER_ADDRESS)


@pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")
async def test_processes_on_one_redis_share_the_count(served: Deps) -> None:
    """Two servers (two limiters, as two processes would have) on one Redis: the failures at either count
    against the client id at both."""
    assert REDIS_URL is not None
    app, secret = await s2s_app(served)
    address = f"192.0.2.{secrets.randbelow(250)}"
    processes = [
        Deps(
            store=served.store,
            clock=served.clock,
            settings=served.settings,
            keys=served.keys,
            limiter=Limiter.from_url(REDIS_URL, served.clock, served.store),
        )
        for _ in range(2)
    ]
    try:
        clients = [client_from(deps, address) for deps in processes]
        for n in range(FAILURES_PER_CLIENT):
            assert await ask(clients[n % 2], app, "wrong") == INVALID_CLIENT
        assert await ask(clients[0], app, secret) == THROTTLED
        assert await ask(clients[1], app, secret) == THROTTLED
        await asyncio.gather(*(client.aclose() for client in clients))
    finally:
        for deps in processes:
            assert deps.limiter is not None
            await deps.limiter.close()
