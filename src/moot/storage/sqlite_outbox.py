"""The webhook outbox on SQLite: the store's own connection, writes in its group-committed blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from moot.domain import ids
from moot.domain.deliveries import Attempt, Delivery, DeliveryState, LoggedAttempt
from moot.storage import outbox_codec as oc
from moot.storage.base import Subscribers

if TYPE_CHECKING:
    from moot.storage.sqlite import SqliteStore


class SqliteOutbox:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._conn = store.connection
        self._finished = oc.Batched(self._finish_all)

    async def fan_out(self, limit: int, subscribers: Subscribers, *, due: float, created_at: str) -> int:
        if self._conn.execute(oc.ANY_NEW_EVENT, (False,)).fetchone() is None:
            return 0
        async with self._store.write():
            events = self._conn.execute(oc.NEW_EVENTS, (False, limit)).fetchall()
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
            self._conn.executemany(oc.INSERT_DELIVERY, deliveries)  # in event order, as ids are given
            self._conn.executemany(oc.MARK_FANNED_OUT, fanned)
            self._conn.executemany(oc.DROP_EVENT, dropped)
        return len(events)

    async def claim(
        self, *, now: float, real_now: float, lease_until: float, owner: str, limit: int
    ) -> list[tuple[Delivery, str]]:
        async with self._store.write():
            chosen = [row[0] for row in self._conn.execute(oc.DUE_IDS, (now, real_now, limit)).fetchall()]
            self._conn.executemany(oc.LEASE, [(lease_until, owner, i) for i in chosen])
        if not chosen:
            return []
        rows = self._conn.execute(
            oc.SELECT_CLAIMED + oc.in_list(len(chosen)) + " ORDER BY d.event_id", (owner, *chosen)
        ).fetchall()
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
        async with self._store.write():
            self._conn.executemany(oc.INSERT_ATTEMPT, [attempt for attempt, _ in finished])
            self._conn.executemany(oc.FINISH, [params for _, params in finished])

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        row = self._conn.execute(oc.SELECT_DELIVERY, (delivery_id,)).fetchone()
        return oc.delivery_from_row(row) if row else None

    async def event_body(self, event_id: int) -> str | None:
        row = self._conn.execute(oc.SELECT_BODY, (event_id,)).fetchone()
        return str(row[0]) if row else None

    async def attempts(self, delivery_id: int) -> list[Attempt]:
        return [oc.attempt_from_row(r) for r in self._conn.execute(oc.SELECT_ATTEMPTS, (delivery_id,))]

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
        return [oc.delivery_from_row(r) for r in self._conn.execute(sql, params)]

    async def attempts_after(self, after_id: int, limit: int) -> list[LoggedAttempt]:
        rows = self._conn.execute(oc.ATTEMPTS_AFTER, (after_id, limit)).fetchall()
        return [oc.logged_attempt_from_row(r) for r in rows]

    async def last_attempt_id(self) -> int:
        return int(self._conn.execute(oc.LAST_ATTEMPT_ID).fetchone()[0])

    async def backlog(self) -> int:
        new = self._conn.execute(oc.COUNT_NEW_EVENTS, (False,)).fetchone()[0]
        pending = self._conn.execute(oc.COUNT_PENDING).fetchone()[0]
        return int(new) + int(pending)
