"""The outbox's claims on both backends: the query reads the pending index, takes one event per app and
meeting, oldest due first; attempts finishing together are written in one transaction; and a running
dispatcher sends a lone event at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace

import pytest

from moot.domain.deliveries import Attempt, Delivery, DeliveryState
from moot.domain.events import Event
from moot.services.context import Deps
from moot.storage import outbox_codec as oc
from moot.storage.base import Store
from moot.storage.postgres_outbox import _CLAIM
from moot.storage.sqlite import SqliteStore
from moot.webhooks.dispatcher import Dispatcher
from tests.support.api import ZoomApi
from tests.support.receiver import Receiver

OWNER = "test-owner"


async def _explain(store: Store) -> str:
    if isinstance(store, SqliteStore):
        rows = store.connection.execute("EXPLAIN QUERY PLAN " + oc.DUE_IDS, (1e12, 0.0, 64)).fetchall()
        return "\n".join(str(row[3]) for row in rows)
    pool = store._pool  # type: ignore[attr-defined]
    literals = {"$1": "1e12::float8", "$2": "0::float8", "$3": "64", "$4": "0::float8", "$5": "'owner'"}
    sql = _CLAIM
    for placeholder, value in literals.items():
        sql = sql.replace(placeholder, value)
    rows = await pool.fetch("EXPLAIN " + sql)
    return "\n".join(row[0] for row in rows)


async def test_the_claim_reads_the_pending_index(store: Store) -> None:
    plan = await _explain(store)
    assert "ix_webhook_deliveries_pending" in plan, plan
    if isinstance(store, SqliteStore):  # in claim order already: no sort, and without ANALYZE statistics
        assert plan.splitlines()[0] == (
            "SEARCH d USING INDEX ix_webhook_deliveries_pending (next_attempt_at<?)"
        ), plan
        assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan
    else:
        assert "Seq Scan" not in plan, plan


async def _events(store: Store, *keys: str) -> None:
    async with store.write() as tx:
        for i, key in enumerate(keys):
            await tx.insert_event(Event("meeting.updated", "acc", key, i, f'{{"n":{i}}}'))


async def _subscribers(account_id: str, event: str) -> Sequence[str]:
    return ["app-1", "app-2"]


async def _claim(store: Store, limit: int = 100, *, now: float = 1000.0) -> list[Delivery]:
    real_now = time.time()
    claimed = await store.outbox.claim(
        now=now, real_now=real_now, lease_until=real_now + 60, owner=OWNER, limit=limit
    )
    return [delivery for delivery, _ in claimed]


def _attempt(delivery: Delivery, status: int) -> Attempt:
    return Attempt(
        delivery.id, delivery.attempts + 1, "2026-01-15T12:00:00Z", "http://x", status, 1.0, None, ""
    )


async def test_claims_take_each_apps_meeting_events_one_at_a_time_oldest_due_first(store: Store) -> None:
    outbox = store.outbox
    await _events(store, "m1", "m2", "m1", "m3", "m2", "m1")
    assert await outbox.fan_out(100, _subscribers, due=1000.0, created_at="2026-01-15T12:00:00Z") == 6
    first = await _claim(store)
    base = min(d.event_id for d in first) - 1  # event ids go on across tests on PostgreSQL
    assert [(d.client_id, d.order_key, d.event_id - base) for d in first] == [
        (app, key, event_id)
        for event_id, key in ((1, "m1"), (2, "m2"), (4, "m3"))
        for app in ("app-1", "app-2")
    ]
    assert await _claim(store) == []  # leased, and the rest wait behind them
    # app-1 got m1's first event; app-2's failed and is due again later: m1's next goes to app-1 only.
    m1 = [d for d in first if d.order_key == "m1"]
    await outbox.finish(
        _attempt(m1[0], 204),
        owner=OWNER,
        state=DeliveryState.DELIVERED,
        next_attempt_at=1000.0,
        delivered_at="x",
    )
    await outbox.finish(
        _attempt(m1[1], 500),
        owner=OWNER,
        state=DeliveryState.PENDING,
        next_attempt_at=1300.0,
        delivered_at=None,
    )
    next_one = await _claim(store)
    assert [(d.client_id, d.order_key, d.event_id - base) for d in next_one] == [("app-1", "m1", 3)]
    retried = await _claim(store, now=1300.0)
    assert [(d.client_id, d.event_id - base, d.attempts) for d in retried] == [("app-2", 1, 1)]


async def test_attempts_finishing_together_are_written_in_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = store.outbox
    await _events(store, *(f"m{i}" for i in range(25)))
    await outbox.fan_out(100, _subscribers, due=1000.0, created_at="2026-01-15T12:00:00Z")
    claimed = await _claim(store)
    assert len(claimed) == 50
    writes: list[int] = []
    write_all = outbox._finish_all  # type: ignore[attr-defined]

    async def counted(finished: list[object]) -> None:
        writes.append(len(finished))
        await write_all(finished)

    monkeypatch.setattr(outbox._finished, "_write", counted)  # type: ignore[attr-defined]
    await asyncio.gather(
        *(
            outbox.finish(
                _attempt(d, 200),
                owner=OWNER,
                state=DeliveryState.DELIVERED,
                next_attempt_at=0,
                delivered_at="x",
            )
            for d in claimed
        )
    )
    assert writes == [50]
    delivered = await outbox.list_deliveries(state="delivered", limit=100)
    assert len(delivered) == 50 and all(d.attempts == 1 and d.last_status == 200 for d in delivered)
    assert await outbox.backlog() == 0


async def test_a_lone_event_goes_out_at_once(deps: Deps, api: ZoomApi, receiver: Receiver) -> None:
    """Commit to arrival in milliseconds, not at the next poll (here 30 s away), while the dispatcher
    runs on its own; a meeting's next event follows as soon as the one before is recorded."""
    slow_poll = deps.settings.model_copy(update={"webhook_poll_interval": 30.0})
    dispatcher = Dispatcher(replace(deps, settings=slow_poll))
    dispatcher.start()
    try:
        await asyncio.sleep(0.05)  # its first cycle (nothing to do yet)
        committed = time.time()
        response = await api.post("/v2/users/me/meetings", json={"topic": "alone"})
        assert response.status_code == 201
        meeting_id = response.json()["id"]
        assert (await api.patch(f"/v2/meetings/{meeting_id}", json={"topic": "then"})).status_code == 204
        loop = asyncio.get_running_loop()
        arrived = await loop.run_in_executor(None, receiver.wait_for, 2, 5.0)
    finally:
        await dispatcher.stop()
    assert [d.event for d in arrived] == ["meeting.created", "meeting.updated"]
    assert arrived[0].received_at - committed < 0.5, arrived[0].received_at - committed
