"""An in-process Zoom API on each backend whose tenant's app has a webhook endpoint on a real receiver,
and the dispatcher that delivers to it (driven explicitly: ``await dispatcher.drain()``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.domain.events import EVENT_TYPES
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.support.api import BASE_URL, ZoomApi, asgi_client
from tests.support.receiver import Receiver

SECRET = "w3bh00k-secret-t0ken"


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL, webhook_poll_interval=0.05)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
async def api(deps: Deps, receiver: Receiver) -> AsyncIterator[ZoomApi]:
    async with asgi_client(deps) as client:
        zoom = ZoomApi(deps, client)
        zoom.tenant = await zoom.new_tenant()
        endpoint = await endpoints.set_endpoint(
            deps, zoom.tenant.app.client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
        )
        assert endpoint.active, endpoint.last_error
        receiver.clear()  # the URL-validation challenge
        yield zoom


@pytest.fixture
async def dispatcher(deps: Deps) -> AsyncIterator[Dispatcher]:
    running = Dispatcher(deps)
    try:
        yield running
    finally:
        await running.stop()
