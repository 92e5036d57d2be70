"""An in-process Zoom API on each backend, with one tenant (account, owner, S2S app, token) ready."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.support.api import BASE_URL, ZoomApi, asgi_client


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


@pytest.fixture
async def api(deps: Deps) -> AsyncIterator[ZoomApi]:
    async with asgi_client(deps) as client:
        zoom = ZoomApi(deps, client)
        zoom.tenant = await zoom.new_tenant()
        yield zoom
