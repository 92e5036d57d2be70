"""What only the SQLite store does: group commit and checkpoints off the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from moot.storage.base import StorageError
from moot.storage.migrate import upgrade
from moot.storage.sqlite import SqliteStore
from moot.storage.urls import DatabaseURL
from tests.storage.test_store import ACCOUNT_ID, insert_meetings, make_meeting, seed


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> Any:
    path = tmp_path / "moot.db"
    await asyncio.to_thread(upgrade, DatabaseURL(f"sqlite:///{path}"))
    store = SqliteStore(path)
    await seed(store)
    yield store, path
    await store.close()


def committed_ids(path: Path) -> set[int]:
    """What another process would see: a separate connection reads only committed rows."""
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT id FROM meetings")}


async def test_concurrent_writers_share_a_commit_and_resume_after_it(sqlite_store: Any) -> None:
    store, path = sqlite_store
    commits = 0
    original = store._commit_batch

    def counting_commit() -> None:
        nonlocal commits
        commits += 1
        original()

    store._commit_batch = counting_commit
    ids = list(range(84_000_000_000, 84_000_000_050))
    await asyncio.gather(*(insert_meetings(store, [make_meeting(i)]) for i in ids))
    assert committed_ids(path) == set(ids)
    assert commits == 1


async def test_a_failing_writer_rolls_back_only_its_own_block(sqlite_store: Any) -> None:
    store, path = sqlite_store

    async def failing() -> None:
        async with store.write() as tx:
            await tx.insert_meeting(make_meeting(84_000_000_999))
            raise RuntimeError("this block fails")

    results = await asyncio.gather(
        insert_meetings(store, [make_meeting(84_000_000_001)]),
        failing(),
        insert_meetings(store, [make_meeting(84_000_000_002)]),
        return_exceptions=True,
    )
    assert [type(r) for r in results] == [type(None), RuntimeError, type(None)]
    assert committed_ids(path) == {84_000_000_001, 84_000_000_002}


class FailingCommit:
    """A connection whose COMMIT fails, as it would on a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)


async def test_when_the_commit_fails_every_writer_of_the_batch_fails(sqlite_store: Any) -> None:
    store, path = sqlite_store
    store._conn = FailingCommit(store._conn)
    results = await asyncio.gather(
        *(insert_meetings(store, [make_meeting(i)]) for i in (84_000_000_001, 84_000_000_002)),
        return_exceptions=True,
    )
    assert all(isinstance(r, StorageError) for r in results), results
    store._conn = store._conn.conn
    assert committed_ids(path) == set()
    await insert_meetings(store, [make_meeting(84_000_000_003)])
    assert committed_ids(path) == {84_000_000_003}
    assert await store.get_meeting(ACCOUNT_ID, 84_000_000_001) is None


async def test_checkpoints_run_in_the_background_and_close_truncates_the_log(sqlite_store: Any) -> None:
    store, path = sqlite_store
    store.start_background()
    await insert_meetings(store, [make_meeting(84_000_000_000 + i) for i in range(200)])
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    await store.close()
    assert not wal.exists() or wal.stat().st_size == 0
    reopened = SqliteStore(path)
    assert len(committed_ids(path)) == 200
    await reopened.close()
