"""``host_meeting_counts`` (migration 0008) stays exact through every way meetings change, on each backend,
and the scheduled list's ``total_records`` read from it equals counting what the list selects."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moot.domain.listing import ListType, MeetingQuery
from moot.domain.meetings import Meeting, MeetingStatus, MeetingType
from moot.domain.recurrence import expand
from moot.storage import codec, listing_sql
from moot.storage.base import Store
from moot.storage.migrate import upgrade
from moot.storage.placeholders import dollar_params
from moot.storage.schema import create_schema
from moot.storage.snapshot import snapshots
from moot.storage.sqlite import SqliteStore
from moot.storage.urls import DatabaseURL
from tests.storage.test_store import (
    ACCOUNT_ID,
    HOST_ID,
    NOW,
    OTHER_HOST_ID,
    insert_meetings,
    make_meeting,
    make_user,
    seed,
)


async def _scalar(store: Store, sql: str, *params: Any) -> int:
    if isinstance(store, SqliteStore):
        return int(store.connection.execute(sql, params).fetchone()[0])
    pool: Any = getattr(store, "pool")  # noqa: B009 - PostgresStore only
    return int(await pool.fetchval(dollar_params(sql), *params))


async def counter(store: Store, host_id: str = HOST_ID) -> int:
    return await _scalar(store, listing_sql.LISTED_BY_COUNTER, ACCOUNT_ID, host_id)


async def counted(store: Store, host_id: str = HOST_ID) -> int:
    return await _scalar(store, listing_sql.LISTED_BY_COUNTING, ACCOUNT_ID, host_id)


async def assert_exact(store: Store) -> None:
    for host in (HOST_ID, OTHER_HOST_ID):
        assert await counter(store, host) == await counted(store, host), host


def _mix(first_id: int, count: int) -> list[Meeting]:
    """Scheduled, series with no fixed time, instant (never counted) and already deleted meetings."""
    meetings = []
    for i in range(count):
        kind = (MeetingType.SCHEDULED, MeetingType.RECURRING_NO_FIXED_TIME, MeetingType.INSTANT)[i % 3]
        start = NOW + timedelta(days=i) if kind is MeetingType.SCHEDULED else None
        meeting = make_meeting(first_id + i, type=kind, start=start)
        if i % 7 == 6:
            meeting.deleted_at = NOW - timedelta(days=1)
        meetings.append(meeting)
    return meetings


async def test_inserts_count_only_listable_meetings(store: Store) -> None:
    await seed(store, make_user(), make_user(OTHER_HOST_ID, email="other@example.com"))
    await insert_meetings(store, _mix(1000, 30))
    await insert_meetings(store, [make_meeting(5000 + i, host_id=OTHER_HOST_ID) for i in range(4)])

    assert await counter(store) == 30 - 10 - 3  # 10 instant, 3 of the 20 others deleted
    assert await counter(store, OTHER_HOST_ID) == 4
    await assert_exact(store)


async def test_soft_delete_recover_retype_and_rehost_keep_it_exact(store: Store) -> None:
    await seed(store, make_user(), make_user(OTHER_HOST_ID, email="other@example.com"))
    meetings = _mix(1000, 12)
    await insert_meetings(store, meetings)
    live = [m for m in meetings if m.deleted_at is None and m.type is not MeetingType.INSTANT]
    before = await counter(store)

    async def update(meeting: Meeting) -> None:
        async with store.write() as tx:
            await tx.update_meeting(meeting)

    live[0].deleted_at = NOW
    await update(live[0])
    assert await counter(store) == before - 1
    live[0].deleted_at = None  # recovered
    await update(live[0])
    assert await counter(store) == before
    live[1].topic, live[1].status = "renamed", MeetingStatus.STARTED  # nothing counted changes
    await update(live[1])
    assert await counter(store) == before
    live[1].type = MeetingType.INSTANT
    await update(live[1])
    assert await counter(store) == before - 1
    live[1].type = MeetingType.SCHEDULED
    await update(live[1])
    live[2].host_id = OTHER_HOST_ID  # schedule_for another host
    await update(live[2])
    assert (await counter(store), await counter(store, OTHER_HOST_ID)) == (before - 1, 1)
    await assert_exact(store)


async def test_a_failed_write_block_leaves_the_count_alone(store: Store) -> None:
    await seed(store, make_user())
    await insert_meetings(store, [make_meeting(1)])
    try:
        async with store.write() as tx:
            await tx.insert_meeting(make_meeting(2))
            raise RuntimeError("the block fails after its insert")
    except RuntimeError:
        pass
    assert await counter(store) == 1
    await assert_exact(store)


async def test_snapshot_load_and_restore_keep_it_exact(store: Store) -> None:
    await seed(store, make_user(), make_user(OTHER_HOST_ID, email="other@example.com"))
    await insert_meetings(store, _mix(1000, 9))
    snaps = snapshots(store)
    dumped = await snaps.dump()
    assert "host_meeting_counts" not in dumped  # derived: the triggers rebuild it as rows are loaded
    restore = await snaps.capture()
    await insert_meetings(store, _mix(2000, 9))
    assert await counter(store) == 10  # 5 of each 9: 3 instant, 1 deleted

    await restore()  # the emulator's reset
    assert await counter(store) == 5
    await snaps.load({})
    assert await counter(store) == 0
    await snaps.load(dumped)
    assert await counter(store) == 5
    await assert_exact(store)


def _series(meeting_id: int, start: datetime, times: int, **changes: Any) -> Meeting:
    recurrence = {"type": 2, "repeat_interval": 1, "weekly_days": "3", "end_times": times}
    meeting = make_meeting(meeting_id, type=MeetingType.RECURRING_FIXED_TIME, start=start, **changes)
    meeting.recurrence = recurrence
    meeting.occurrences = expand(recurrence, start, UTC, meeting.duration)
    return meeting


async def test_scheduled_and_upcoming_totals_from_the_count_equal_counting_the_list(store: Store) -> None:
    """Meetings over, in progress, expired (30 days after their start; a series after its last
    occurrence's), instant or deleted, seen at several times."""
    await seed(store, make_user())
    meetings = _mix(1000, 40)
    for i, meeting in enumerate(meetings):
        if meeting.type is MeetingType.SCHEDULED:
            meetings[i] = dataclasses.replace(meeting, start_time=NOW - timedelta(days=50 - 3 * i))
    meetings += [_series(2000 + i, NOW - timedelta(days=20 * i), 3 + i) for i in range(8)]
    meetings.append(make_meeting(3000, start=NOW - timedelta(days=2), status=MeetingStatus.STARTED))
    await insert_meetings(store, meetings)
    moments = [NOW + timedelta(days=d, hours=h) for d in (-90, -20, 0, 1, 29, 45, 120, 800) for h in (0, 7)]
    for kind in (ListType.SCHEDULED, ListType.UPCOMING, ListType.UPCOMING_MEETINGS):
        for now in moments:
            query = MeetingQuery(account_id=ACCOUNT_ID, host_id=HOST_ID, list_type=kind, now=now)
            _, _, count_sql, count_params = codec.meeting_page_sql(query)
            assert listing_sql.counted_total(query) is not None
            _, total = await store.list_meetings(query)
            assert total == await _scalar(store, count_sql, *count_params), (kind, now)


async def test_other_lists_count_what_they_select(store: Store) -> None:
    await seed(store, make_user())
    await insert_meetings(store, [make_meeting(1, start=NOW, status=MeetingStatus.STARTED), make_meeting(2)])
    for kind in (ListType.LIVE, ListType.PREVIOUS_MEETINGS):
        query = MeetingQuery(account_id=ACCOUNT_ID, host_id=HOST_ID, list_type=kind, now=NOW)
        assert listing_sql.counted_total(query) is None
    ranged = MeetingQuery(
        account_id=ACCOUNT_ID, host_id=HOST_ID, list_type=ListType.SCHEDULED, now=NOW, to_date=NOW.date()
    )
    assert listing_sql.counted_total(ranged) is None
    live = MeetingQuery(account_id=ACCOUNT_ID, host_id=HOST_ID, list_type=ListType.LIVE, now=NOW)
    assert [m.id for m in (await store.list_meetings(live))[0]] == [1]


def test_the_migration_counts_meetings_already_stored(tmp_path: Path) -> None:
    url = DatabaseURL(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(url, "0007")
    conn = sqlite3.connect(str(tmp_path / "old.db"))
    meetings = [*_mix(1000, 20), make_meeting(3000, host_id=OTHER_HOST_ID)]
    conn.executemany(
        f"INSERT INTO meetings ({codec.MEETING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [codec.meeting_row(m) for m in meetings],
    )
    conn.commit()
    conn.close()
    upgrade(url)
    conn = sqlite3.connect(str(tmp_path / "old.db"))
    counts = conn.execute("SELECT host_id, listed FROM host_meeting_counts ORDER BY host_id").fetchall()
    assert counts == [(HOST_ID, 12), (OTHER_HOST_ID, 1)]


def test_the_cached_schema_has_the_triggers() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    create_schema(conn)
    conn.execute(
        f"INSERT INTO meetings ({codec.MEETING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        codec.meeting_row(make_meeting(1)),
    )
    assert conn.execute("SELECT listed FROM host_meeting_counts").fetchall() == [(1,)]
