"""The same admin API on a server that is not an emulator (``moot serve`` with ``MOOT_ADMIN_TOKEN``):
its clock is the system's and there is no seed to reset to; state and seeding still work."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from moot.api.app import create_app
from moot.config import Settings
from moot.domain.clock import SystemClock
from moot.domain.times import format_zoom
from moot.services.context import Deps, Keys
from moot.storage.base import Store

TOKEN = "admin-t0ken"
NOT_CONTROLLABLE = {
    "code": 300,
    "message": "This server runs on the system clock, which cannot be frozen or moved: "
    "start it with `moot emulate` for a controllable clock.",
}


async def _client(store: Store, settings: Settings) -> httpx.AsyncClient:
    deps = Deps(store=store, clock=SystemClock(), settings=settings, keys=await Keys.load(store))
    app = create_app(settings, deps=deps)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://moot.test")


@pytest.fixture
async def served(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(db_url="sqlite:///:memory:", admin_token=TOKEN)
    async with await _client(store, settings) as client:
        client.headers["authorization"] = f"Bearer {TOKEN}"
        yield client


async def test_the_clock_reads_but_does_not_move(served: httpx.AsyncClient) -> None:
    before = format_zoom(SystemClock().now())
    read = await served.get("/moot/api/clock")
    assert read.status_code == 200
    assert read.json() == {"frozen": False, "now": read.json()["now"]}
    assert before <= read.json()["now"] <= format_zoom(SystemClock().now())
    for method, path, body in [
        ("PUT", "/moot/api/clock", {"frozen": True}),
        ("PUT", "/moot/api/clock", {"now": "2030-01-01T00:00:00Z"}),
        ("POST", "/moot/api/clock/advance", {"seconds": 3600}),
    ]:
        refused = await served.request(method, path, json=body)
        assert (refused.status_code, refused.json()) == (400, NOT_CONTROLLABLE)


async def test_there_is_nothing_to_reset_to(served: httpx.AsyncClient) -> None:
    refused = await served.post("/moot/api/reset")
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "code": 300,
            "message": "This server has no seed to reset to: start it with `moot emulate` to reset it.",
        },
    )


async def test_state_and_seed_work_on_any_server(served: httpx.AsyncClient) -> None:
    empty = (await served.get("/moot/api/state")).json()
    seeded = await served.post("/moot/api/seed", json={"accounts": [{"id": "acc"}]})
    assert seeded.status_code == 201
    assert (await served.get("/moot/api/state")).json()["tables"]["accounts"][0]["id"] == "acc"
    assert (await served.put("/moot/api/state", json=empty)).status_code == 204
    assert (await served.get("/moot/api/state")).json() == empty


async def test_without_an_admin_token_the_controls_do_not_exist(store: Store) -> None:
    async with await _client(store, Settings(db_url="sqlite:///:memory:")) as client:
        for method, path in [
            ("POST", "/moot/api/reset"),
            ("POST", "/moot/api/seed"),
            ("GET", "/moot/api/state"),
            ("PUT", "/moot/api/state"),
            ("GET", "/moot/api/clock"),
            ("PUT", "/moot/api/clock"),
            ("POST", "/moot/api/clock/advance"),
        ]:
            response = await client.request(method, path)
            assert (response.status_code, response.json()) == (
                404,
                {"code": 404, "message": "The requested resource was not found."},
            ), (method, path)
