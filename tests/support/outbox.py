"""The webhook events a test's requests wrote to the outbox (table ``webhook_events``), oldest first."""

from __future__ import annotations

from typing import Any

import orjson

from moot.storage.base import Store
from moot.storage.sqlite import SqliteStore

_SELECT = "SELECT name, order_key, body FROM webhook_events ORDER BY id"


async def outbox_events(store: Store, *names: str) -> list[dict[str, Any]]:
    """The bodies of the events in the outbox (those named ``names`` if any), each checked to be filed
    under its own name and its meeting's order key."""
    if isinstance(store, SqliteStore):
        rows = store.connection.execute(_SELECT).fetchall()
    else:
        rows = await store._pool.fetch(_SELECT)  # type: ignore[attr-defined]
    bodies = []
    for name, order_key, body in rows:
        document = orjson.loads(body)
        assert document["event"] == name
        assert order_key == str(document["payload"]["object"]["id"])
        if not names or name in names:
            bodies.append(document)
    return bodies
