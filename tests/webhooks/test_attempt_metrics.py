"""``moot_webhook_attempts_total``: the app's dispatcher counts each recorded attempt by outcome."""

from __future__ import annotations

from prometheus_client import generate_latest

from moot.api.metrics import MeteredDispatcher, Metrics
from moot.services.context import Deps
from tests.support.api import ZoomApi
from tests.support.metrics import samples
from tests.support.receiver import Receiver


async def test_attempts_are_counted_by_outcome(deps: Deps, api: ZoomApi, receiver: Receiver) -> None:
    metrics = Metrics()
    dispatcher = MeteredDispatcher(deps, metrics)
    try:
        assert (await api.post("/v2/users/me/meetings", json={"topic": "up"})).status_code == 201
        await dispatcher.drain()
        receiver.stop()
        assert (await api.post("/v2/users/me/meetings", json={"topic": "down"})).status_code == 201
        await dispatcher.drain()
    finally:
        await dispatcher.stop()
    text = generate_latest(metrics.registry).decode()
    assert samples(text, "moot_webhook_attempts_total", "outcome") == {
        ("delivered",): 1.0,
        ("retrying",): 1.0,
        ("failed",): 0.0,
    }
