"""SQL and rows of the webhook outbox, shared by the SQLite and PostgreSQL backends (``?`` placeholders)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from moot.domain.deliveries import Attempt, Delivery, DeliveryState, LoggedAttempt
from moot.domain.events import Event

T = TypeVar("T")

INSERT_EVENT = (
    "INSERT INTO webhook_events (account_id, name, order_key, event_ts, body, fanned_out) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def event_row(event: Event) -> tuple[Any, ...]:
    return (event.account_id, event.name, event.order_key, event.event_ts, event.body, False)


NEW_EVENTS = (
    "SELECT id, account_id, name, order_key FROM webhook_events WHERE fanned_out = ? ORDER BY id LIMIT ?"
)
# Whether fan-out has anything to do: a read, so an idle look takes no write lock.
ANY_NEW_EVENT = "SELECT 1 FROM webhook_events WHERE fanned_out = ? LIMIT 1"
INSERT_DELIVERY = (
    "INSERT INTO webhook_deliveries (event_id, client_id, order_key, state, attempts, next_attempt_at, "
    "tracking_id, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)"
)
MARK_FANNED_OUT = "UPDATE webhook_events SET fanned_out = ? WHERE id = ?"
DROP_EVENT = "DELETE FROM webhook_events WHERE id = ?"

# Due, not leased, and first in line: no earlier event with the same order key still pending for the
# same app (so one endpoint gets a meeting's events in order, one at a time). Oldest due first, in the
# order of ix_webhook_deliveries_pending (pending rows only, by next_attempt_at then id): the scan
# stops after ``limit`` rows that qualify, and reads nothing when none is due. The order key check
# reads ix_webhook_deliveries_order.
DUE_IDS = (
    "SELECT d.id FROM webhook_deliveries d "
    "WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) "
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.client_id = d.client_id "
    "AND p.order_key = d.order_key AND p.state = 'pending' AND p.event_id < d.event_id) "
    "ORDER BY d.next_attempt_at, d.id LIMIT ?"
)
LEASE = "UPDATE webhook_deliveries SET lease_until = ?, lease_owner = ? WHERE id = ?"

DELIVERY_COLUMNS = (
    "d.id, d.event_id, e.name, e.account_id, d.client_id, d.order_key, d.state, d.attempts, "
    "d.next_attempt_at, d.tracking_id, d.created_at, d.delivered_at, d.last_status, d.last_error"
)
_FROM = "FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id"
SELECT_DELIVERY = f"SELECT {DELIVERY_COLUMNS} {_FROM} WHERE d.id = ?"
SELECT_CLAIMED = f"SELECT {DELIVERY_COLUMNS}, e.body {_FROM} WHERE d.lease_owner = ? AND d.id IN "
SELECT_BODY = "SELECT body FROM webhook_events WHERE id = ?"
SELECT_ATTEMPTS = (
    "SELECT delivery_id, number, at, url, status_code, latency_ms, error, response FROM webhook_attempts "
    "WHERE delivery_id = ? ORDER BY number, id"
)
INSERT_ATTEMPT = (
    "INSERT INTO webhook_attempts (delivery_id, number, at, url, status_code, latency_ms, error, response) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# The attempt's outcome; a lease that has passed to another process since is left to that process.
FINISH = (
    "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, "
    "last_status = ?, last_error = ?, lease_until = NULL, lease_owner = NULL "
    "WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ?)"
)


def finish_params(
    attempt: Attempt, *, owner: str, state: DeliveryState, next_attempt_at: float, delivered_at: str | None
) -> tuple[Any, ...]:
    return (
        state.value,
        attempt.number,
        next_attempt_at,
        delivered_at,
        attempt.status_code,
        attempt.error,
        attempt.delivery_id,
        owner,
    )


class Batched(Generic[T]):
    """Items added while a batch is being written go together in the next one: one write (one
    transaction) for however many came in meanwhile, with no wait for the first. ``add`` returns once its
    item is written, or raises what the write raised."""

    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: T) -> None:
        loop = asyncio.get_running_loop()
        written: asyncio.Future[None] = loop.create_future()
        written.add_done_callback(_retrieve)
        self._pending.append((item, written))
        if self._writer is None:
            self._writer = loop.create_task(self._write_all())
        await written

    async def _write_all(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._write([item for item, _ in batch])
                except Exception as exc:
                    for _, written in batch:
                        if not written.done():
                            written.set_exception(exc)
                else:
                    for _, written in batch:
                        if not written.done():
                            written.set_result(None)
        finally:
            self._writer = None


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # the caller that gave up on it has seen nothing; no "never retrieved" noise


# Attempts after ``id``, oldest first, with what they were for (``moot webhooks tail``).
ATTEMPTS_AFTER = (
    "SELECT a.id, a.delivery_id, a.number, a.at, a.url, a.status_code, a.latency_ms, a.error, a.response, "
    "e.name, e.account_id, d.client_id, d.state "
    "FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
    "JOIN webhook_events e ON e.id = d.event_id WHERE a.id > ? ORDER BY a.id LIMIT ?"
)
LAST_ATTEMPT_ID = "SELECT COALESCE(MAX(id), 0) FROM webhook_attempts"
COUNT_PENDING = "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'"
COUNT_NEW_EVENTS = "SELECT COUNT(*) FROM webhook_events WHERE fanned_out = ?"


def in_list(count: int) -> str:
    return "(" + ", ".join("?" for _ in range(count)) + ")"


def list_sql(
    *,
    account_id: str | None,
    client_id: str | None,
    event: str | None,
    state: str | None,
    before_id: int | None,
    limit: int,
) -> tuple[str, list[Any]]:
    """Newest first; ``before_id`` pages back from the last id seen."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("e.account_id", account_id),
        ("d.client_id", client_id),
        ("e.name", event),
        ("d.state", state),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if before_id is not None:
        where.append("d.id < ?")
        params.append(before_id)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {DELIVERY_COLUMNS} {_FROM}{clause} ORDER BY d.id DESC LIMIT ?", [*params, limit]


def delivery_from_row(row: Any) -> Delivery:
    return Delivery(
        id=int(row[0]),
        event_id=int(row[1]),
        event=row[2],
        account_id=row[3],
        client_id=row[4],
        order_key=row[5],
        state=DeliveryState(row[6]),
        attempts=int(row[7]),
        next_attempt_at=float(row[8]),
        tracking_id=row[9],
        created_at=row[10],
        delivered_at=row[11],
        last_status=row[12],
        last_error=row[13],
    )


def logged_attempt_from_row(row: Any) -> LoggedAttempt:
    return LoggedAttempt(
        id=int(row[0]),
        attempt=attempt_from_row(row[1:9]),
        event=row[9],
        account_id=row[10],
        client_id=row[11],
        state=DeliveryState(row[12]),
    )


def attempt_row(attempt: Attempt) -> tuple[Any, ...]:
    return (
        attempt.delivery_id,
        attempt.number,
        attempt.at,
        attempt.url,
        attempt.status_code,
        attempt.latency_ms,
        attempt.error,
        attempt.response,
    )


def attempt_from_row(row: Any) -> Attempt:
    return Attempt(
        delivery_id=int(row[0]),
        number=int(row[1]),
        at=row[2],
        url=row[3],
        status_code=row[4],
        latency_ms=float(row[5]),
        error=row[6],
        response=row[7],
    )
