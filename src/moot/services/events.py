"""Writing webhook events: each in the transaction of the change it describes (the outbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson

from moot.domain.events import Event, Operator, envelope
from moot.domain.users import User
from moot.services.context import Deps, Principal
from moot.storage.base import WriteTx
from moot.webhooks.signing import serialize


@asynccontextmanager
async def write(deps: Deps) -> AsyncIterator[WriteTx]:
    """``deps.store.write()``, then (once committed) a nudge to the dispatcher to deliver its events."""
    async with deps.store.write() as tx:
        yield tx
    deps.wakeup()


def body_text(document: dict[str, Any]) -> str:
    """The body as JavaScript's ``JSON.stringify`` writes it, which Zoom's verification code re-creates.

    orjson writes the same bytes for everything moot stores (compact, key order kept, non-ASCII as is,
    control characters escaped alike); it refuses lone surrogates, which the portable writer escapes as
    JavaScript does."""
    try:
        return orjson.dumps(document).decode()
    except TypeError:
        return serialize(document).decode()


async def emit(
    tx: WriteTx, deps: Deps, name: str, account_id: str, order_key: str, payload: dict[str, Any]
) -> None:
    event_ts = int(deps.clock.timestamp() * 1000)
    body = body_text(envelope(name, account_id, payload, event_ts))
    await tx.insert_event(Event(name, account_id, order_key, event_ts, body))


async def operator(deps: Deps, principal: Principal, known: User | None = None) -> Operator:
    """The token's user, as events name who made a change."""
    if known is not None and known.id == principal.user_id:
        return Operator(known.email, known.id)
    user = await deps.store.get_user(principal.account_id, principal.user_id)
    return Operator(user.email if user is not None else "", principal.user_id)
