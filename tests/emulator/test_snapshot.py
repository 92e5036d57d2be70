"""``storage.snapshot`` on each backend: every table dumped, loaded back, captured and restored."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from moot.config import Settings
from moot.domain.accounts import ALL_SCOPES, WebhookEndpoint
from moot.domain.clock import ControllableClock
from moot.domain.deliveries import Attempt, DeliveryState
from moot.domain.events import Event
from moot.domain.meeting_requests import MeetingInput
from moot.services.accounts import create_account, create_app
from moot.services.context import Deps, Keys, Principal
from moot.services.meetings import create_meeting
from moot.storage.base import Store
from moot.storage.snapshot import EXCLUDED_TABLES, SnapshotError, snapshots
from moot.storage.sqlite import SqliteStore


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url="http://moot.test")
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


async def _table_names(store: Store) -> set[str]:
    if isinstance(store, SqliteStore):
        rows = store.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        return {row[0] for row in rows} - EXCLUDED_TABLES
    pool: Any = store.pool  # type: ignore[attr-defined]
    rows = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in rows} - EXCLUDED_TABLES


async def _populate(deps: Deps) -> int:
    """An account with its owner, an app with a webhook endpoint, a meeting (with its meeting.created
    event), and a delivery of that event with one failed attempt. The meeting's id."""
    account, owner = await create_account(deps, owner_email="owner@example.com", account_id="acc1")
    app, _ = await create_app(deps, account_id=account.id, client_id="cid1", client_secret="s" * 32)
    app.webhook = WebhookEndpoint("http://127.0.0.1:9/hook", "secret", ("meeting.created",), active=True)
    async with deps.store.write() as tx:
        await tx.update_app(app)
    principal = Principal(account.id, app.client_id, owner.id, ALL_SCOPES)
    meeting = await create_meeting(deps, principal, "me", MeetingInput(topic="Planning"))

    async def subscribers(account_id: str, event: str) -> list[str]:
        return [app.client_id]

    outbox = deps.store.outbox
    await outbox.fan_out(10, subscribers, due=1000.5, created_at="2026-01-15T12:00:00Z")
    claimed = await outbox.claim(now=2000.0, real_now=1.0, lease_until=2.0, owner="me", limit=5)
    delivery = claimed[0][0]
    attempt = Attempt(
        delivery.id, 1, "2026-01-15T12:00:01Z", "http://127.0.0.1:9/hook", 500, 12.5, "500", "no"
    )
    await outbox.finish(
        attempt, owner="me", state=DeliveryState.PENDING, next_attempt_at=1300.25, delivered_at=None
    )
    return int(meeting["id"])


async def test_an_empty_database_dumps_every_table_empty(store: Store) -> None:
    dumped = await snapshots(store).dump()
    assert set(dumped) == await _table_names(store)
    assert all(rows == [] for rows in dumped.values())


async def test_rows_come_out_typed_and_ordered(deps: Deps) -> None:
    meeting_id = await _populate(deps)
    dumped = await snapshots(deps.store).dump()
    assert dumped["accounts"] == [
        {
            "id": "acc1",
            "name": "owner@example.com",
            "plan": "business",
            "created_at": "2026-01-15T12:00:00Z",
            "rate_limits": "zoom",
        }
    ]
    assert [row["id"] for row in dumped["meetings"]] == [meeting_id]
    # (PostgreSQL's sequences run on across the tests of a module: ids are compared to each other.)
    event = dumped["webhook_events"][0]
    assert (event["name"], event["fanned_out"]) == ("meeting.created", True)
    delivery = dumped["webhook_deliveries"][0]
    assert {k: delivery[k] for k in ("event_id", "state", "attempts", "next_attempt_at")} == {
        "event_id": event["id"],
        "state": "pending",
        "attempts": 1,
        "next_attempt_at": 1300.25,
    }
    attempt_id = dumped["webhook_attempts"][0]["id"]
    assert dumped["webhook_attempts"] == [
        {
            "id": attempt_id,
            "delivery_id": delivery["id"],
            "number": 1,
            "at": "2026-01-15T12:00:01Z",
            "url": "http://127.0.0.1:9/hook",
            "status_code": 500,
            "latency_ms": 12.5,
            "error": "500",
            "response": "no",
        }
    ]


async def test_load_replaces_everything_and_round_trips(deps: Deps) -> None:
    await _populate(deps)
    snaps = snapshots(deps.store)
    before = await snaps.dump()
    await snaps.load({})
    assert all(rows == [] for rows in (await snaps.dump()).values())
    await snaps.load(before)
    assert await snaps.dump() == before


async def test_serial_ids_continue_after_a_load(deps: Deps) -> None:
    await _populate(deps)
    snaps = snapshots(deps.store)
    before = await snaps.dump()
    await snaps.load(before)
    async with deps.store.write() as tx:
        await tx.insert_event(Event("meeting.updated", "acc1", "1", 1, "{}"))
    first = before["webhook_events"][0]["id"]
    assert [row["id"] for row in (await snaps.dump())["webhook_events"]] == [first, first + 1]


async def test_capture_and_restore(deps: Deps) -> None:
    snaps = snapshots(deps.store)
    restore = await snaps.capture()
    empty = await snaps.dump()
    await _populate(deps)
    populated = await snaps.dump()
    await restore()
    assert await snaps.dump() == empty
    assert await deps.store.get_account("acc1") is None
    await _populate(deps)
    restore_populated = await snaps.capture()
    await create_account(deps, owner_email="other@example.com", account_id="acc2")
    await restore_populated()
    await restore_populated()  # as often as wanted
    repopulated = await snaps.dump()
    assert await deps.store.get_account("acc2") is None
    assert {name: len(rows) for name, rows in repopulated.items()} == {
        name: len(rows) for name, rows in populated.items()
    }


async def test_a_restore_waits_for_writes_in_progress(deps: Deps) -> None:
    snaps = snapshots(deps.store)
    restore = await snaps.capture()
    async with deps.store.write() as tx:
        await tx.insert_event(Event("meeting.updated", "acc1", "1", 1, "{}"))
    await restore()
    assert (await snaps.dump())["webhook_events"] == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nope": []}, "unknown table 'nope'"),
        ({"accounts": [{"id": "a", "colour": "red"}]}, "accounts[0]: unknown column 'colour'"),
        ({"accounts": [{"id": 5}]}, "accounts[0]: 5 is not a string"),
        ({"webhook_events": [{"id": "1"}]}, "webhook_events[0]: '1' is not an integer"),
        ({"accounts": {"id": "a"}}, "accounts: must be a list of rows"),
        ({"accounts": ["a"]}, "accounts[0]: a row must be an object"),
    ],
)
async def test_load_refuses_what_does_not_fit(deps: Deps, data: dict[str, Any], message: str) -> None:
    await _populate(deps)
    snaps = snapshots(deps.store)
    before = await snaps.dump()
    with pytest.raises(SnapshotError) as raised:
        await snaps.load(data)
    assert str(raised.value) == message
    assert await snaps.dump() == before


async def test_a_load_breaking_a_constraint_changes_nothing(deps: Deps) -> None:
    await _populate(deps)
    snaps = snapshots(deps.store)
    before = await snaps.dump()
    broken = {**before, "users": []}  # apps and meetings' owner gone: a foreign key fails
    with pytest.raises(SnapshotError):
        await snaps.load(broken)
    assert await snaps.dump() == before


def test_sqlite_excludes_only_schema_and_keys() -> None:
    assert frozenset({"alembic_version", "server_secrets", "host_meeting_counts"}) == EXCLUDED_TABLES
    assert sqlite3.sqlite_version_info >= (3, 26)  # PRAGMA defer_foreign_keys, the backup API
