"""The registrant part of the Store contract, run against every backend (see ``conftest.store``)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from moot.domain.registrants import LIVE_STATUSES, Registrant, RegistrantStatus
from moot.storage.base import DuplicateKey, Store
from tests.storage.test_store import ACCOUNT_ID, NOW, make_meeting, make_user, seed

MEETING_ID = 84000000001
OTHER_MEETING_ID = 84000000002
APPROVED, PENDING, DENIED = RegistrantStatus.APPROVED, RegistrantStatus.PENDING, RegistrantStatus.DENIED


def make_registrant(registrant_id: str, email: str | None = None, **changes: Any) -> Registrant:
    registrant = Registrant(
        id=registrant_id,
        meeting_id=MEETING_ID,
        account_id=ACCOUNT_ID,
        email=email or f"{registrant_id}@example.com",
        first_name="Jill",
        status=APPROVED,
        created_at=NOW,
        token=f"tk-{registrant_id}",
        pin_code=12345678,
        profile={"last_name": "Chill", "phone": "5550100"},
        custom_questions=[{"title": "Why?", "value": "To learn."}],
        language="de-DE",
    )
    return dataclasses.replace(registrant, **changes)


@pytest.fixture
async def meetings(store: Store) -> Store:
    await seed(store, make_user())
    async with store.write() as tx:
        await tx.insert_meeting(make_meeting(MEETING_ID))
        await tx.insert_meeting(make_meeting(OTHER_MEETING_ID))
    return store


async def insert(store: Store, *registrants: Registrant) -> None:
    async with store.write() as tx:
        for registrant in registrants:
            await tx.insert_registrant(registrant)


async def test_a_registrant_round_trips(meetings: Store) -> None:
    full = make_registrant("r1", occurrence_ids=("1770022800000", "1770109200000"))
    bare = make_registrant("r2", profile={}, custom_questions=[], language=None, status=PENDING)
    await insert(meetings, full, bare)
    assert await meetings.get_registrant(MEETING_ID, "r1") == full
    assert await meetings.get_registrant(MEETING_ID, "r2") == bare
    assert await meetings.get_registrant(OTHER_MEETING_ID, "r1") is None
    assert await meetings.get_registrant(MEETING_ID, "missing") is None


async def test_find_by_email_is_case_insensitive_and_answers_the_newest(meetings: Store) -> None:
    old = make_registrant("r1", "Jill@Example.com", status=DENIED)
    new = make_registrant("r2", "JILL@example.com", created_at=NOW + timedelta(seconds=1))
    await insert(meetings, old, new)
    assert await meetings.find_registrant_by_email(MEETING_ID, "jill@EXAMPLE.com") == new
    assert await meetings.find_registrant_by_email(OTHER_MEETING_ID, "jill@example.com") is None


async def test_one_live_registration_per_email_and_meeting(meetings: Store) -> None:
    await insert(meetings, make_registrant("r1", "jill@example.com", status=PENDING))
    with pytest.raises(DuplicateKey):
        await insert(meetings, make_registrant("r2", "JILL@example.com"))
    with pytest.raises(DuplicateKey):
        await insert(meetings, make_registrant("r1", "other@example.com"))
    # Denied registrations and other meetings do not count.
    await insert(
        meetings,
        make_registrant("r3", "jill@example.com", status=DENIED),
        make_registrant("r4", "jill@example.com", meeting_id=OTHER_MEETING_ID),
    )
    assert await meetings.count_registrants(MEETING_ID, LIVE_STATUSES) == 1


async def test_update_saves_status_occurrences_and_profile(meetings: Store) -> None:
    registrant = make_registrant("r1", status=PENDING)
    await insert(meetings, registrant)
    changed = dataclasses.replace(
        registrant, status=APPROVED, occurrence_ids=("1770022800000",), profile={"org": "Cooking Org"}
    )
    async with meetings.write() as tx:
        await tx.update_registrant(changed)
    assert await meetings.get_registrant(MEETING_ID, "r1") == changed


async def test_an_update_to_a_taken_email_fails_alone(meetings: Store) -> None:
    live = make_registrant("r1", "jill@example.com")
    denied = make_registrant("r2", "jill@example.com", status=DENIED)
    other = make_registrant("r3", status=PENDING)
    await insert(meetings, live, denied, other)
    async with meetings.write() as tx:
        with pytest.raises(DuplicateKey):
            await tx.update_registrant(dataclasses.replace(denied, status=APPROVED))
        await tx.update_registrant(dataclasses.replace(other, status=APPROVED))
    assert (await meetings.get_registrant(MEETING_ID, "r2")) == denied
    assert (await meetings.get_registrant(MEETING_ID, "r3")) == dataclasses.replace(other, status=APPROVED)


async def test_delete(meetings: Store) -> None:
    await insert(meetings, make_registrant("r1"), make_registrant("r2"))
    async with meetings.write() as tx:
        await tx.delete_registrant(OTHER_MEETING_ID, "r1")  # not that meeting's: nothing happens
        await tx.delete_registrant(MEETING_ID, "r1")
    assert await meetings.get_registrant(MEETING_ID, "r1") is None
    assert await meetings.get_registrant(MEETING_ID, "r2") is not None


async def test_a_failing_write_block_keeps_nothing(meetings: Store) -> None:
    with pytest.raises(RuntimeError):
        async with meetings.write() as tx:
            await tx.insert_registrant(make_registrant("r1"))
            raise RuntimeError("abandon")
    assert await meetings.get_registrant(MEETING_ID, "r1") is None


async def test_count_by_status(meetings: Store) -> None:
    await insert(
        meetings,
        make_registrant("r1"),
        make_registrant("r2", status=PENDING),
        make_registrant("r3", status=DENIED),
        make_registrant("r4", meeting_id=OTHER_MEETING_ID),
    )
    assert await meetings.count_registrants(MEETING_ID, LIVE_STATUSES) == 2
    assert await meetings.count_registrants(MEETING_ID, [DENIED]) == 1
    assert await meetings.count_registrants(MEETING_ID, list(RegistrantStatus)) == 3


async def test_list_filters_by_status_pages_and_counts(meetings: Store) -> None:
    r3 = make_registrant("r3", created_at=NOW + timedelta(seconds=2))
    r1 = make_registrant("r1")
    r2 = make_registrant("r2")  # same instant as r1: the id breaks the tie
    pending = make_registrant("r4", status=PENDING)
    elsewhere = make_registrant("r5", meeting_id=OTHER_MEETING_ID)
    await insert(meetings, r3, r1, r2, pending, elsewhere)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, None, 10, 0) == ([r1, r2, r3], 3)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, None, 2, 0) == ([r1, r2], 3)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, None, 2, 2) == ([r3], 3)
    assert await meetings.list_registrants(MEETING_ID, PENDING, None, 10, 0) == ([pending], 1)
    assert await meetings.list_registrants(MEETING_ID, DENIED, None, 10, 0) == ([], 0)


async def test_list_breaks_ties_by_id_bytewise(meetings: Store) -> None:
    lower, z_upper, b_upper = make_registrant("aLower"), make_registrant("Zupper"), make_registrant("Bupper")
    await insert(meetings, lower, z_upper, b_upper)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, None, 10, 0) == (
        [b_upper, z_upper, lower],
        3,
    )


async def test_list_of_one_occurrence(meetings: Store) -> None:
    every = make_registrant("r1")
    first_two = make_registrant("r2", occurrence_ids=("1000", "2000"))
    second = make_registrant("r3", occurrence_ids=("2000",))
    lookalike = make_registrant("r4", occurrence_ids=("10000",))
    await insert(meetings, every, first_two, second, lookalike)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, "1000", 10, 0) == ([every, first_two], 2)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, "2000", 10, 0) == (
        [every, first_two, second],
        3,
    )
    assert await meetings.list_registrants(MEETING_ID, APPROVED, "3000", 10, 0) == ([every], 1)
    # LIKE's wildcards in an id match only themselves.
    assert await meetings.list_registrants(MEETING_ID, APPROVED, "1%", 10, 0) == ([every], 1)
    assert await meetings.list_registrants(MEETING_ID, APPROVED, "_000", 10, 0) == ([every], 1)
