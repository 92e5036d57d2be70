"""The meeting-instance and participant part of the Store contract, run against every backend."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from moot.domain.past_meetings import MeetingInstance, Participant, ParticipantStatus
from moot.storage.base import DuplicateKey, Store
from tests.storage.test_store import ACCOUNT_ID, HOST_ID, NOW, OTHER_ACCOUNT_ID, make_meeting, make_user, seed

MEETING_ID = 85000000001
OTHER_MEETING_ID = 85000000002
IN_MEETING, WAITING = ParticipantStatus.IN_MEETING, ParticipantStatus.IN_WAITING_ROOM


def make_instance(uuid: str = "ZT8AXBgtSeSrHz34lcWs2g==", **changes: Any) -> MeetingInstance:
    instance = MeetingInstance(
        uuid=uuid,
        meeting_id=MEETING_ID,
        account_id=ACCOUNT_ID,
        host_id=HOST_ID,
        host_email="host@example.com",
        host_name="Ada Lovelace",
        topic="Retro",
        type=2,
        start_time=NOW,
    )
    return dataclasses.replace(instance, **changes)


def make_participant(
    user_id: str, instance_uuid: str = "ZT8AXBgtSeSrHz34lcWs2g==", **changes: Any
) -> Participant:
    participant = Participant(
        instance_uuid=instance_uuid,
        user_id=user_id,
        participant_uuid=f"UUID-{user_id}",
        name=f"Person {user_id}",
        email=f"{user_id}@example.com",
        status=IN_MEETING,
        join_time=NOW,
    )
    return dataclasses.replace(participant, **changes)


@pytest.fixture
async def meetings(store: Store) -> Store:
    await seed(store, make_user())
    async with store.write() as tx:
        await tx.insert_meeting(make_meeting(MEETING_ID))
        await tx.insert_meeting(make_meeting(OTHER_MEETING_ID))
    return store


async def begin(store: Store, instance: MeetingInstance, *participants: Participant) -> None:
    async with store.write() as tx:
        await tx.insert_instance(instance)
        for participant in participants:
            assert await tx.next_participant_number(instance.uuid) is not None
            await tx.insert_participant(participant)


async def test_an_instance_round_trips_and_is_live_until_it_ends(meetings: Store) -> None:
    instance = make_instance()
    await begin(meetings, instance)
    assert await meetings.get_live_instance(MEETING_ID) == instance
    assert await meetings.get_instance(ACCOUNT_ID, instance.uuid) == instance
    assert await meetings.get_instance(OTHER_ACCOUNT_ID, instance.uuid) is None
    assert await meetings.latest_ended_instance(ACCOUNT_ID, MEETING_ID) is None
    assert await meetings.list_ended_instances(ACCOUNT_ID, MEETING_ID) == []

    end = NOW + timedelta(minutes=5)
    async with meetings.write() as tx:
        assert await tx.end_instance(instance.uuid, end) is True
        assert await tx.end_instance(instance.uuid, end + timedelta(minutes=1)) is False
    ended = dataclasses.replace(instance, end_time=end)
    assert await meetings.get_live_instance(MEETING_ID) is None
    assert await meetings.get_instance(ACCOUNT_ID, instance.uuid) == ended
    assert await meetings.latest_ended_instance(ACCOUNT_ID, MEETING_ID) == ended
    assert await meetings.latest_ended_instance(OTHER_ACCOUNT_ID, MEETING_ID) is None
    assert await meetings.list_ended_instances(ACCOUNT_ID, MEETING_ID) == [ended]


async def test_a_meeting_has_one_instance_in_progress(meetings: Store) -> None:
    await begin(meetings, make_instance("first==================="))
    with pytest.raises(DuplicateKey):
        await begin(meetings, make_instance("second=================="))
    await begin(meetings, make_instance("other-meeting==========", meeting_id=OTHER_MEETING_ID))
    async with meetings.write() as tx:
        await tx.end_instance("first===================", NOW)
    await begin(meetings, make_instance("second=================="))
    with pytest.raises(DuplicateKey):  # a UUID names one instance
        await begin(meetings, make_instance("first===================", meeting_id=OTHER_MEETING_ID))


async def test_participants_are_numbered_until_the_instance_ends(meetings: Store) -> None:
    await begin(meetings, make_instance())
    async with meetings.write() as tx:
        assert [await tx.next_participant_number("ZT8AXBgtSeSrHz34lcWs2g==") for _ in range(3)] == [1, 2, 3]
        await tx.end_instance("ZT8AXBgtSeSrHz34lcWs2g==", NOW)
        assert await tx.next_participant_number("ZT8AXBgtSeSrHz34lcWs2g==") is None
        assert await tx.next_participant_number("no such instance") is None


async def test_participants_leave_once_and_are_listed_in_order(meetings: Store) -> None:
    instance = make_instance()
    host = make_participant("16778240", id=HOST_ID)
    jill = make_participant("16779264", join_time=NOW + timedelta(seconds=30), registrant_id="reg1")
    waiting = make_participant("16780288", status=WAITING, email="")
    await begin(meetings, instance, host, jill, waiting)
    present = await meetings.get_present_participant(instance.uuid, "16779264")
    assert present == dataclasses.replace(jill, row_id=present.row_id if present else 0)
    # Row ids are the store's: only their order is promised.
    rows = [p.row_id for p in await meetings.list_participants(instance.uuid, 10)]
    assert rows == sorted(rows) and len(set(rows)) == 3
    with pytest.raises(DuplicateKey):  # present twice at once
        await begin_participant(meetings, make_participant("16779264"))

    left_at = NOW + timedelta(seconds=200)
    async with meetings.write() as tx:
        assert await tx.close_participant(instance.uuid, "16779264", left_at, waiting_only=True) is None
        left = await tx.close_participant(instance.uuid, "16779264", left_at)
        assert await tx.close_participant(instance.uuid, "16779264", left_at) is None
    assert left == dataclasses.replace(jill, row_id=rows[1], leave_time=left_at)
    assert left.duration == 170
    assert await meetings.get_present_participant(instance.uuid, "16779264") is None

    end = NOW + timedelta(seconds=300)
    async with meetings.write() as tx:
        admitted = await tx.close_participant(instance.uuid, "16780288", end, waiting_only=True)
        assert admitted is not None and admitted.status is WAITING
        await tx.next_participant_number(instance.uuid)
        await tx.insert_participant(make_participant("16779264", join_time=end))
        await tx.end_instance(instance.uuid, end + timedelta(seconds=60))
        closed = await tx.close_participants(instance.uuid, end + timedelta(seconds=60))
    assert [(p.user_id, p.duration) for p in closed] == [("16778240", 360), ("16779264", 60)]

    everyone = await meetings.list_participants(instance.uuid, 10)
    assert [(p.user_id, p.status, p.duration) for p in everyone] == [
        ("16778240", IN_MEETING, 360),
        ("16779264", IN_MEETING, 170),
        ("16780288", WAITING, 300),
        ("16779264", IN_MEETING, 60),
    ]
    assert everyone[0] == dataclasses.replace(host, row_id=rows[0], leave_time=end + timedelta(seconds=60))
    assert closed == [everyone[0], everyone[3]]
    assert await meetings.list_participants(instance.uuid, 2, everyone[1].row_id) == everyone[2:]
    assert await meetings.count_participants(instance.uuid) == 4
    assert await meetings.count_participants("no such instance") == 0

    # Totals count the stays in the meeting (not the waiting room) and their seconds.
    totals = await meetings.latest_ended_instance(ACCOUNT_ID, MEETING_ID)
    assert totals is not None and (totals.participants_count, totals.total_seconds) == (3, 360 + 170 + 60)
    by_uuid = await meetings.get_instance(ACCOUNT_ID, instance.uuid)
    assert by_uuid == totals


async def begin_participant(store: Store, participant: Participant) -> None:
    async with store.write() as tx:
        await tx.insert_participant(participant)


async def test_the_latest_ended_instance_is_the_last_started(meetings: Store) -> None:
    for n, uuid in enumerate(
        ["a=======================", "b=======================", "c======================="]
    ):
        start = NOW + timedelta(hours=n)
        await begin(meetings, make_instance(uuid, start_time=start, topic=f"Run {n}"))
        if n < 2:
            async with meetings.write() as tx:
                await tx.end_instance(uuid, start + timedelta(minutes=30))
    latest = await meetings.latest_ended_instance(ACCOUNT_ID, MEETING_ID)
    assert latest is not None and (latest.uuid, latest.topic) == ("b=======================", "Run 1")
    listed = await meetings.list_ended_instances(ACCOUNT_ID, MEETING_ID)
    assert [i.uuid for i in listed] == ["a=======================", "b======================="]


async def test_find_meeting_reads_any_account(meetings: Store) -> None:
    found = await meetings.find_meeting(MEETING_ID)
    assert found == await meetings.get_meeting(ACCOUNT_ID, MEETING_ID)
    assert await meetings.find_meeting(12345) is None
