"""An in-process server on SQLite with its rate limiter (in memory, or in Redis where a test asks), as
``moot serve`` runs it, for the security claims of docs/security.md."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from moot.api.app import create_app
from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.services.ratelimits import Limiter
from moot.storage.base import Store
from tests.support.api import BASE_URL, ZoomApi
from tests.support.databases import open_test_store


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await open_test_store("sqlite", tmp_path, None)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def served(sqlite_store: Store, clock: ControllableClock) -> Deps:
    """Deps as ``moot serve`` builds them: with a limiter counting in memory."""
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL)
    return Deps(
        store=sqlite_store,
        clock=clock,
        settings=settings,
        keys=await Keys.load(sqlite_store),
        limiter=Limiter.from_url(None, clock, sqlite_store),
    )


def client_from(deps: Deps, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client of the app whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=create_app(deps.settings, deps=deps), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


@pytest.fixture
async def api(served: Deps) -> AsyncIterator[ZoomApi]:
    """The API as one tenant (account, owner, S2S app, token) sees it."""
    async with client_from(served) as client:
        zoom = ZoomApi(served, client)
        zoom.tenant = await zoom.new_tenant()
        yield zoom
