"""Races in the meeting lifecycle, settled by the store on each backend: concurrent starts make one
instance, concurrent ends one end, and each change's events go out once."""

from __future__ import annotations

import asyncio

import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.domain.errors import MeetingNotStarted
from moot.domain.meetings import Meeting
from moot.services import lifecycle
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.storage.test_store import ACCOUNT_ID, make_meeting, make_user, seed
from tests.support.outbox import outbox_events

MEETING_ID = 86000000001


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    await seed(store, make_user())
    async with store.write() as tx:
        await tx.insert_meeting(make_meeting(MEETING_ID, settings={"join_before_host": True}))
    return Deps(store=store, clock=clock, settings=Settings(), keys=await Keys.load(store))


async def fresh(deps: Deps) -> Meeting:
    meeting = await deps.store.get_meeting(ACCOUNT_ID, MEETING_ID)
    assert meeting is not None
    return meeting


async def names(deps: Deps) -> list[str]:
    return [e["event"] for e in await outbox_events(deps.store)]


async def test_concurrent_starts_make_one_instance(deps: Deps) -> None:
    meetings = [await fresh(deps), await fresh(deps)]
    first, second = await asyncio.gather(*(lifecycle.start_meeting(deps, m) for m in meetings))
    assert first.uuid == second.uuid
    assert await names(deps) == ["meeting.started", "meeting.participant_joined"]


async def test_concurrent_ends_end_once(deps: Deps) -> None:
    await lifecycle.start_meeting(deps, await fresh(deps))
    meetings = [await fresh(deps), await fresh(deps)]
    await asyncio.gather(*(lifecycle.end_meeting(deps, m) for m in meetings))
    assert (await names(deps))[2:] == ["meeting.participant_left", "meeting.ended"]
    assert len(await deps.store.list_ended_instances(ACCOUNT_ID, MEETING_ID)) == 1
    # The meeting's next UUID is the one that won's.
    ended = await outbox_events(deps.store, "meeting.ended")
    assert (await fresh(deps)).uuid != ended[0]["payload"]["object"]["uuid"]


async def test_concurrent_joins_before_the_host_start_one_instance(deps: Deps) -> None:
    meetings = [await fresh(deps) for _ in range(3)]
    joined = await asyncio.gather(
        *(lifecycle.join(deps, m, name=f"P{n}", email="") for n, m in enumerate(meetings))
    )
    assert len({p.instance_uuid for p in joined}) == 1
    assert sorted(p.user_id for p in joined) == ["16778240", "16779264", "16780288"]
    assert await names(deps) == ["meeting.started"] + ["meeting.participant_joined"] * 3


async def test_a_join_without_join_before_host_before_the_start_is_refused(deps: Deps) -> None:
    meeting = await fresh(deps)
    meeting.settings["join_before_host"] = False
    with pytest.raises(MeetingNotStarted):
        await lifecycle.join(deps, meeting, name="Early", email="")
    assert await names(deps) == []


def stale_reads(deps: Deps, monkeypatch: pytest.MonkeyPatch, *answers: object) -> None:
    """``get_live_instance`` answers ``answers`` first (as read before another request's change), then
    the truth."""
    real = deps.store.get_live_instance
    queued = list(answers)

    async def read(meeting_id: int) -> object:
        return queued.pop(0) if queued else await real(meeting_id)

    monkeypatch.setattr(deps.store, "get_live_instance", read)


async def test_a_start_that_loses_the_race_is_a_no_op(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    won = await lifecycle.start_meeting(deps, await fresh(deps))
    stale_reads(deps, monkeypatch, None)
    lost = await lifecycle.start_meeting(deps, await fresh(deps))
    assert lost == won
    assert await names(deps) == ["meeting.started", "meeting.participant_joined"]


async def test_a_join_overtaken_by_the_end_joins_the_next_instance(
    deps: Deps, monkeypatch: pytest.MonkeyPatch, clock: ControllableClock
) -> None:
    first = await lifecycle.start_meeting(deps, await fresh(deps))
    await lifecycle.end_meeting(deps, await fresh(deps))
    clock.advance(60)
    stale_reads(deps, monkeypatch, first)  # the join read the instance before it ended
    joined = await lifecycle.join(deps, await fresh(deps), name="Late", email="")
    assert joined.instance_uuid not in (first.uuid, "")
    assert (await names(deps))[4:] == ["meeting.started", "meeting.participant_joined"]
