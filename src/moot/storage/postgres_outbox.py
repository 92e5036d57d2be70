"""The webhook outbox on PostgreSQL: processes sharing the database share it.

Fan-out runs in one process at a time (a transaction-scoped advisory lock), so every app's deliveries
are created in event order; claims take due rows with ``FOR UPDATE SKIP LOCKED``, so no delivery is
leased to two processes at once.
"""

from __future__ import annotations

from typing import Any

from moot.domain import ids
from moot.domain.deliveries import Attempt, Delivery, DeliveryState, LoggedAttempt
from moot.storage import outbox_codec as oc
from moot.storage.base import Subscribers
from moot.storage.placeholders import dollar_params

FAN_OUT_LOCK = 0x6D6F6F74  # "moot": the advisory lock key of fan-out

_NEW_EVENTS = dollar_params(oc.NEW_EVENTS)
_ANY_NEW_EVENT = dollar_params(oc.ANY_NEW_EVENT)
_INSERT_DELIVERY = dollar_params(oc.INSERT_DELIVERY)
_MARK_FANNED_OUT = dollar_params(oc.MARK_FANNED_OUT)
_DROP_EVENT = dollar_params(oc.DROP_EVENT)
# One statement (so one round trip): lease what is due and return it with the event's name and body.
_CLAIM = dollar_params(
    f"WITH due AS ({oc.DUE_IDS} FOR UPDATE OF d SKIP LOCKED) "
    "UPDATE webhook_deliveries d SET lease_until = ?, lease_owner = ? FROM due, webhook_events e "
    f"WHERE d.id = due.id AND e.id = d.event_id RETURNING {oc.DELIVERY_COLUMNS}, e.body"
)
_INSERT_ATTEMPT = dollar_params(oc.INSERT_ATTEMPT)
_FINISH = dollar_params(oc.FINISH)
_SELECT_DELIVERY = dollar_params(oc.SELECT_DELIVERY)
_SELECT_BODY = dollar_params(oc.SELECT_BODY)
_SELECT_ATTEMPTS = dollar_params(oc.SELECT_ATTEMPTS)
_COUNT_NEW_EVENTS = dollar_params(oc.COUNT_NEW_EVENTS)
_ATTEMPTS_AFTER = dollar_params(oc.ATTEMPTS_AFTER)


class PostgresOutbox:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._finished = oc.Batched(self._finish_all)

    async def fan_out(self, limit: int, subscribers: Subscribers, *, due: float, created_at: str) -> int:
        if await self._pool.fetchval(_ANY_NEW_EVENT, False) is None:  # no lock taken to find nothing
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", FAN_OUT_LOCK)
            events = await conn.fetch(_NEW_EVENTS, False, limit)
            deliveries: list[tuple[Any, ...]] = []
            fanned: list[tuple[bool, int]] = []
            dropped: list[tuple[int]] = []
            for event_id, account_id, name, order_key in events:
                clients = await subscribers(account_id, name)
                if not clients:
                    dropped.append((event_id,))
                    continue
                deliveries.extend(
                    (event_id, c, order_key, due, ids.webhook_tracking_id(), created_at) for c in clients
                )
                fanned.append((True, event_id))
            for sql, rows in (
                (_INSERT_DELIVERY, deliveries),
                (_MARK_FANNED_OUT, fanned),
                (_DROP_EVENT, dropped),
            ):
                if rows:
                    await conn.executemany(sql, rows)
        return len(events)

    async def claim(
        self, *, now: float, real_now: float, lease_until: float, owner: str, limit: int
    ) -> list[tuple[Delivery, str]]:
        rows = await self._pool.fetch(_CLAIM, now, real_now, limit, lease_until, owner)
        rows.sort(key=lambda row: row[1])  # in event order
        return [(oc.delivery_from_row(row), row[14]) for row in rows]

    async def finish(
        self,
        attempt: Attempt,
        *,
        owner: str,
        state: DeliveryState,
        next_attempt_at: float,
        delivered_at: str | None,
    ) -> None:
        """Attempts finished while earlier ones are being written are written together."""
        params = oc.finish_params(
            attempt, owner=owner, state=state, next_attempt_at=next_attempt_at, delivered_at=delivered_at
        )
        await self._finished.add((oc.attempt_row(attempt), params))

    async def _finish_all(self, finished: list[tuple[tuple[Any, ...], tuple[Any, ...]]]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.executemany(_INSERT_ATTEMPT, [attempt for attempt, _ in finished])
            await conn.executemany(_FINISH, [params for _, params in finished])

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        row = await self._pool.fetchrow(_SELECT_DELIVERY, delivery_id)
        return oc.delivery_from_row(row) if row is not None else None

    async def event_body(self, event_id: int) -> str | None:
        value = await self._pool.fetchval(_SELECT_BODY, event_id)
        return str(value) if value is not None else None

    async def attempts(self, delivery_id: int) -> list[Attempt]:
        return [oc.attempt_from_row(r) for r in await self._pool.fetch(_SELECT_ATTEMPTS, delivery_id)]

    async def list_deliveries(
        self,
        *,
        account_id: str | None = None,
        client_id: str | None = None,
        event: str | None = None,
        state: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        sql, params = oc.list_sql(
            account_id=account_id,
            client_id=client_id,
            event=event,
            state=state,
            before_id=before_id,
            limit=limit,
        )
        return [oc.delivery_from_row(r) for r in await self._pool.fetch(dollar_params(sql), *params)]

    async def attempts_after(self, after_id: int, limit: int) -> list[LoggedAttempt]:
        rows = await self._pool.fetch(_ATTEMPTS_AFTER, after_id, limit)
        return [oc.logged_attempt_from_row(r) for r in rows]

    async def last_attempt_id(self) -> int:
        return int(await self._pool.fetchval(oc.LAST_ATTEMPT_ID))

    async def backlog(self) -> int:
        async with self._pool.acquire() as conn:
            new = await conn.fetchval(_COUNT_NEW_EVENTS, False)
            pending = await conn.fetchval(oc.COUNT_PENDING)
        return int(new) + int(pending)
