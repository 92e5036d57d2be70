"""The Store contract, run against every backend (see ``conftest.store``)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from moot.domain.accounts import Account, App, AppType, Plan
from moot.domain.listing import Cursor, ListType, MeetingQuery
from moot.domain.meetings import DEFAULT_SETTINGS, Meeting, MeetingStatus, MeetingType, Passcodes
from moot.domain.recurrence import expand
from moot.domain.times import format_zoom
from moot.domain.users import User, UserStatus, UserType
from moot.storage.base import DuplicateKey, Store
from moot.storage.codec import meeting_row

NOW = datetime(2025, 6, 15, 12, 0, 0, tzinfo=UTC)
ACCOUNT_ID = "acctAAAAAAAAAAAAAAAAAA"
OTHER_ACCOUNT_ID = "acctBBBBBBBBBBBBBBBBBB"
HOST_ID = "hostUUUUUUUUUUUUUUUUUU"
OTHER_HOST_ID = "hostVVVVVVVVVVVVVVVVVV"


def make_account(account_id: str = ACCOUNT_ID, **changes: Any) -> Account:
    account = Account(id=account_id, name=f"Account {account_id}", plan=Plan.BUSINESS, created_at=NOW)
    return dataclasses.replace(account, **changes)


def make_user(
    user_id: str = HOST_ID, account_id: str = ACCOUNT_ID, email: str = "host@example.com", **changes: Any
) -> User:
    user = User(
        id=user_id,
        account_id=account_id,
        email=email,
        first_name="Ada",
        last_name="Lovelace",
        display_name="Ada Lovelace",
        type=UserType.LICENSED,
        status=UserStatus.ACTIVE,
        role_id="0",
        pmi=4_123_456_789,
        timezone="Europe/London",
        language="en-US",
        created_at=NOW - timedelta(days=30),
        password_hash="pbkdf2$abc",
    )
    return dataclasses.replace(user, **changes)


def make_meeting(
    meeting_id: int,
    *,
    type: MeetingType = MeetingType.SCHEDULED,
    start: datetime | None = None,
    created_at: datetime = NOW - timedelta(days=60),
    **changes: Any,
) -> Meeting:
    meeting = Meeting(
        id=meeting_id,
        uuid=f"uuid-{meeting_id}==",
        account_id=ACCOUNT_ID,
        host_id=HOST_ID,
        host_email="host@example.com",
        topic=f"Meeting {meeting_id}",
        type=type,
        status=MeetingStatus.WAITING,
        start_time=start,
        duration=60,
        timezone="Europe/London",
        agenda="",
        created_at=created_at,
        passcodes=Passcodes("abc123", "123456", "123456", "enc"),
        settings={**DEFAULT_SETTINGS, "host_video": True, "audio": "both", "contact_name": "Jill"},
        recurrence={"type": 1, "repeat_interval": 1} if type.is_recurring else None,
    )
    return dataclasses.replace(meeting, **changes)


async def seed(store: Store, *users: User) -> None:
    async with store.write() as tx:
        await tx.insert_account(make_account())
        await tx.insert_account(make_account(OTHER_ACCOUNT_ID))
        for user in users:
            await tx.insert_user(user)


async def insert_meetings(store: Store, meetings: list[Meeting]) -> None:
    async with store.write() as tx:
        for meeting in meetings:
            await tx.insert_meeting(meeting)


# --- accounts, users, apps ---------------------------------------------------------------------------


async def test_insert_and_get_account(store: Store) -> None:
    account = make_account()
    async with store.write() as tx:
        await tx.insert_account(account)

    assert await store.get_account(ACCOUNT_ID) == account
    assert await store.get_account("missing") is None
    assert await store.count_accounts() == 1


async def test_duplicate_account_id(store: Store) -> None:
    async with store.write() as tx:
        await tx.insert_account(make_account())
    with pytest.raises(DuplicateKey):
        async with store.write() as tx:
            await tx.insert_account(make_account(name="Again"))
    assert await store.get_account(ACCOUNT_ID) == make_account()


async def test_insert_user_get_by_id_and_email(store: Store) -> None:
    user = make_user(email="Ada.Lovelace@Example.com")
    await seed(store, user)

    assert await store.get_user(ACCOUNT_ID, user.id) == user
    assert await store.get_user_by_email(ACCOUNT_ID, "ada.lovelace@example.com") == user
    assert await store.get_user_by_email(ACCOUNT_ID, "ADA.LOVELACE@EXAMPLE.COM") == user
    assert await store.get_user(OTHER_ACCOUNT_ID, user.id) is None
    assert await store.get_user_by_email(OTHER_ACCOUNT_ID, "ada.lovelace@example.com") is None
    assert await store.get_user(ACCOUNT_ID, "missing") is None


async def test_user_without_password_hash_round_trips(store: Store) -> None:
    user = make_user(password_hash=None, type=UserType.BASIC, status=UserStatus.PENDING)
    await seed(store, user)
    assert await store.get_user(ACCOUNT_ID, user.id) == user


async def test_duplicate_email_in_same_account(store: Store) -> None:
    await seed(store, make_user(email="host@example.com"))
    with pytest.raises(DuplicateKey):
        async with store.write() as tx:
            await tx.insert_user(make_user("otherUserId", email="HOST@example.com"))
    assert await store.get_user(ACCOUNT_ID, "otherUserId") is None


async def test_same_email_in_another_account(store: Store) -> None:
    first = make_user(email="host@example.com")
    second = make_user("otherUserId", account_id=OTHER_ACCOUNT_ID, email="host@example.com")
    await seed(store, first, second)

    assert await store.get_user_by_email(ACCOUNT_ID, "host@example.com") == first
    assert await store.get_user_by_email(OTHER_ACCOUNT_ID, "host@example.com") == second


async def test_list_users_filters_pages_and_counts(store: Store) -> None:
    base = NOW - timedelta(days=10)
    active = [
        make_user("u3", email="c@example.com", created_at=base + timedelta(hours=1)),
        make_user("u1", email="a@example.com", created_at=base),
        make_user("u2", email="b@example.com", created_at=base),  # same instant as u1: id breaks the tie
        make_user("u4", email="d@example.com", created_at=base + timedelta(hours=2)),
    ]
    pending = make_user("u5", email="e@example.com", status=UserStatus.PENDING, created_at=base)
    elsewhere = make_user("u6", account_id=OTHER_ACCOUNT_ID, email="f@example.com", created_at=base)
    await seed(store, *active, pending, elsewhere)
    u3, u1, u2, u4 = active

    assert await store.list_users(ACCOUNT_ID, UserStatus.ACTIVE, 10, 0) == ([u1, u2, u3, u4], 4)
    assert await store.list_users(ACCOUNT_ID, UserStatus.ACTIVE, 2, 0) == ([u1, u2], 4)
    assert await store.list_users(ACCOUNT_ID, UserStatus.ACTIVE, 2, 2) == ([u3, u4], 4)
    assert await store.list_users(ACCOUNT_ID, UserStatus.ACTIVE, 2, 4) == ([], 4)
    assert await store.list_users(ACCOUNT_ID, UserStatus.PENDING, 10, 0) == ([pending], 1)
    assert await store.list_users(ACCOUNT_ID, UserStatus.INACTIVE, 10, 0) == ([], 0)
    assert await store.list_users(OTHER_ACCOUNT_ID, UserStatus.ACTIVE, 10, 0) == ([elsewhere], 1)


async def test_list_users_breaks_ties_by_id_bytewise(store: Store) -> None:
    # Mixed-case ids (as Zoom's are) sort by code point, uppercase first, on every backend.
    users = [
        make_user("aLower", email="x@example.com"),
        make_user("Zupper", email="y@example.com"),
        make_user("Bupper", email="z@example.com"),
    ]
    await seed(store, *users)
    lower, z_upper, b_upper = users
    assert await store.list_users(ACCOUNT_ID, UserStatus.ACTIVE, 10, 0) == ([b_upper, z_upper, lower], 3)


async def test_insert_and_get_app(store: Store) -> None:
    await seed(store, make_user())
    app = App(
        client_id="clientIdXYZ",
        account_id=ACCOUNT_ID,
        user_id=HOST_ID,
        name="My app",
        type=AppType.SERVER_TO_SERVER,
        secret_hash="sha256$deadbeef",
        created_at=NOW,
        scopes=("meeting:read:admin", "meeting:write:admin"),
    )
    async with store.write() as tx:
        await tx.insert_app(app)

    assert await store.get_app("clientIdXYZ") == app
    assert await store.get_app("missing") is None
    with pytest.raises(DuplicateKey):
        async with store.write() as tx:
            await tx.insert_app(dataclasses.replace(app, name="Again"))


# --- meetings ----------------------------------------------------------------------------------------


async def test_insert_and_get_meeting(store: Store) -> None:
    await seed(store, make_user())
    scheduled = make_meeting(
        85_000_000_001,
        start=NOW + timedelta(days=1),
        agenda="Plans",
        tracking_fields=[{"field": "team", "value": "core"}],
        pre_schedule=True,
    )
    recurring = make_meeting(
        85_000_000_002, type=MeetingType.RECURRING_NO_FIXED_TIME, assistant_id="assistant", pmi=4_123_456_789
    )
    await insert_meetings(store, [scheduled, recurring])

    assert await store.get_meeting(ACCOUNT_ID, scheduled.id) == scheduled
    assert await store.get_meeting(ACCOUNT_ID, recurring.id) == recurring
    assert await store.get_meeting(ACCOUNT_ID, 85_000_000_003) is None


async def test_meeting_ids_beyond_32_bits(store: Store) -> None:
    await seed(store, make_user())
    meeting = make_meeting(99_999_999_999, start=NOW)
    await insert_meetings(store, [meeting])
    assert await store.get_meeting(ACCOUNT_ID, 99_999_999_999) == meeting


async def test_duplicate_meeting_id(store: Store) -> None:
    await seed(store, make_user())
    original = make_meeting(85_000_000_001, start=NOW)
    await insert_meetings(store, [original])
    with pytest.raises(DuplicateKey):
        await insert_meetings(store, [make_meeting(85_000_000_001, start=NOW, topic="Other")])
    assert await store.get_meeting(ACCOUNT_ID, original.id) == original


async def test_transaction_survives_a_duplicate_key(store: Store) -> None:
    # A caller may catch DuplicateKey (e.g. a taken meeting number) and carry on in the same block.
    await seed(store, make_user())
    await insert_meetings(store, [make_meeting(85_000_000_001, start=NOW)])
    retried = make_meeting(85_000_000_002, start=NOW, topic="Retried")
    async with store.write() as tx:
        with pytest.raises(DuplicateKey):
            await tx.insert_meeting(make_meeting(85_000_000_001, start=NOW, topic="Retried"))
        await tx.insert_meeting(retried)
    assert await store.get_meeting(ACCOUNT_ID, retried.id) == retried


async def test_update_meeting_round_trip(store: Store) -> None:
    await seed(store, make_user())
    meeting = make_meeting(85_000_000_001, start=NOW + timedelta(days=1))
    await insert_meetings(store, [meeting])

    changed = dataclasses.replace(
        meeting,
        topic="Renamed",
        start_time=NOW + timedelta(days=3),
        duration=90,
        status=MeetingStatus.STARTED,
        settings={**meeting.settings, "waiting_room": True},
        passcodes=Passcodes("", "", "", ""),
        deleted_at=NOW,
    )
    async with store.write() as tx:
        await tx.update_meeting(changed)

    assert await store.get_meeting(ACCOUNT_ID, meeting.id) == changed


async def test_update_meeting_is_scoped_by_account(store: Store) -> None:
    await seed(store, make_user())
    meeting = make_meeting(85_000_000_001, start=NOW)
    await insert_meetings(store, [meeting])
    async with store.write() as tx:
        await tx.update_meeting(dataclasses.replace(meeting, account_id=OTHER_ACCOUNT_ID, topic="Hijacked"))
    assert await store.get_meeting(ACCOUNT_ID, meeting.id) == meeting
    assert await store.get_meeting(OTHER_ACCOUNT_ID, meeting.id) is None


async def test_get_meeting_is_scoped_by_account(store: Store) -> None:
    await seed(store, make_user())
    meeting = make_meeting(85_000_000_001, start=NOW)
    await insert_meetings(store, [meeting])
    assert await store.get_meeting(OTHER_ACCOUNT_ID, meeting.id) is None


async def test_failed_write_rolls_back_everything(store: Store) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with store.write() as tx:
            await tx.insert_account(make_account())
            await tx.insert_user(make_user())
            await tx.insert_meeting(make_meeting(85_000_000_001, start=NOW))
            raise Boom

    assert await store.get_account(ACCOUNT_ID) is None
    assert await store.count_accounts() == 0
    assert await store.get_user(ACCOUNT_ID, HOST_ID) is None
    assert await store.get_meeting(ACCOUNT_ID, 85_000_000_001) is None

    # and the store still writes afterwards
    async with store.write() as tx:
        await tx.insert_account(make_account())
    assert await store.get_account(ACCOUNT_ID) == make_account()


async def test_server_secret_keeps_the_first_value(store: Store) -> None:
    first = bytes(range(32))
    assert await store.server_secret("jwt", first) == first
    assert await store.server_secret("jwt", b"\xff" * 32) == first
    assert await store.server_secret("other", b"\x01\x02") == b"\x01\x02"
    assert await store.server_secret("jwt", b"") == first


# --- listing meetings --------------------------------------------------------------------------------

D = timedelta(days=1)


def listing_fixture() -> dict[str, Meeting]:
    """A host's meetings around NOW, and a few that no list of theirs may show."""
    started = dataclasses.replace(
        make_meeting(85_000_000_040, start=NOW - timedelta(minutes=30)), status=MeetingStatus.STARTED
    )
    return {
        "no_fixed_time": make_meeting(
            85_000_000_050, type=MeetingType.RECURRING_NO_FIXED_TIME, created_at=NOW - 10 * D
        ),
        # daily for ten days from five days ago: still upcoming
        "recurring_fixed": make_meeting(
            85_000_000_060,
            type=MeetingType.RECURRING_FIXED_TIME,
            start=NOW - 5 * D,
            occurrences=expand({"type": 1, "end_times": 10}, NOW - 5 * D, UTC, 60),
        ),
        "ended": make_meeting(85_000_000_030, start=NOW - 2 * D),
        "started": started,
        "tomorrow": make_meeting(85_000_000_070, start=NOW + D),
        # two at the same instant: the id orders them
        "later_b": make_meeting(85_000_000_011, start=NOW + 2 * D),
        "later_a": make_meeting(85_000_000_010, start=NOW + 2 * D),
        "expired": make_meeting(85_000_000_020, start=NOW - 40 * D),
        "ancient": make_meeting(85_000_000_005, start=NOW - 200 * D),
        # never listed
        "instant": make_meeting(
            85_000_000_001,
            type=MeetingType.INSTANT,
            start=NOW - timedelta(minutes=10),
            created_at=NOW - timedelta(minutes=10),
            status=MeetingStatus.STARTED,
        ),
        "deleted": make_meeting(85_000_000_002, start=NOW + 3 * D, deleted_at=NOW - D),
        "deleted_started": make_meeting(
            85_000_000_003, start=NOW - timedelta(minutes=5), status=MeetingStatus.STARTED, deleted_at=NOW
        ),
        "other_host": make_meeting(85_000_000_004, start=NOW + D, host_id=OTHER_HOST_ID),
        "other_account": make_meeting(
            85_000_000_006, start=NOW + D, account_id=OTHER_ACCOUNT_ID, host_id=HOST_ID
        ),
    }


@pytest.fixture
async def listed(store: Store) -> dict[str, Meeting]:
    await seed(store, make_user(), make_user(OTHER_HOST_ID, email="other@example.com"))
    meetings = listing_fixture()
    await insert_meetings(store, list(meetings.values()))
    return meetings


def query(list_type: ListType, **changes: Any) -> MeetingQuery:
    return MeetingQuery(account_id=ACCOUNT_ID, host_id=HOST_ID, list_type=list_type, now=NOW, **changes)


def pick(meetings: dict[str, Meeting], *names: str) -> list[Meeting]:
    return [meetings[name] for name in names]


SCHEDULED_ORDER = ("no_fixed_time", "recurring_fixed", "ended", "started", "tomorrow", "later_a", "later_b")


async def test_list_scheduled(store: Store, listed: dict[str, Meeting]) -> None:
    # not expired: 'expired' and 'ancient' ended more than 30 days ago
    assert await store.list_meetings(query(ListType.SCHEDULED)) == (pick(listed, *SCHEDULED_ORDER), 7)


async def test_list_live(store: Store, listed: dict[str, Meeting]) -> None:
    assert await store.list_meetings(query(ListType.LIVE)) == (pick(listed, "started"), 1)


@pytest.mark.parametrize("list_type", [ListType.UPCOMING, ListType.UPCOMING_MEETINGS])
async def test_list_upcoming(store: Store, listed: dict[str, Meeting], list_type: ListType) -> None:
    expected = pick(listed, "no_fixed_time", "recurring_fixed", "started", "tomorrow", "later_a", "later_b")
    assert await store.list_meetings(query(list_type)) == (expected, 6)


async def test_list_previous(store: Store, listed: dict[str, Meeting]) -> None:
    # types 2 and 8 that started before now, within the six-month window ('ancient' is outside it)
    expected = pick(listed, "expired", "recurring_fixed", "ended", "started")
    assert await store.list_meetings(query(ListType.PREVIOUS_MEETINGS)) == (expected, 4)


async def test_list_pages_with_cursor(store: Store, listed: dict[str, Meeting]) -> None:
    every = pick(listed, *SCHEDULED_ORDER)

    page1 = await store.list_meetings(query(ListType.SCHEDULED, page_size=3))
    assert page1 == (every[0:3], 7)

    last = page1[0][-1]
    after = Cursor(sort_time=format_zoom(last.sort_time), meeting_id=last.id)
    page2 = await store.list_meetings(query(ListType.SCHEDULED, page_size=3, after=after))
    assert page2 == (every[3:6], 7)

    # the cursor sits between two meetings at the same instant
    last = page2[0][-1]
    after = Cursor(sort_time=format_zoom(last.sort_time), meeting_id=last.id)
    page3 = await store.list_meetings(query(ListType.SCHEDULED, page_size=3, after=after))
    assert page3 == (every[6:], 7)

    last = page3[0][-1]
    after = Cursor(sort_time=format_zoom(last.sort_time), meeting_id=last.id)
    assert await store.list_meetings(query(ListType.SCHEDULED, page_size=3, after=after)) == ([], 7)


async def test_list_pages_with_offset(store: Store, listed: dict[str, Meeting]) -> None:
    every = pick(listed, *SCHEDULED_ORDER)
    assert await store.list_meetings(query(ListType.SCHEDULED, page_size=3, offset=3)) == (every[3:6], 7)
    assert await store.list_meetings(query(ListType.SCHEDULED, page_size=3, offset=6)) == (every[6:], 7)
    assert await store.list_meetings(query(ListType.SCHEDULED, page_size=3, offset=9)) == ([], 7)


async def test_list_from_and_to_date(store: Store, listed: dict[str, Meeting]) -> None:
    # NOW is 2025-06-15T12:00Z; to_date includes its whole (UTC) day; the daily series overlaps both
    window = query(ListType.SCHEDULED, from_date=date(2025, 6, 13), to_date=date(2025, 6, 16))
    expected = pick(listed, "recurring_fixed", "ended", "started", "tomorrow")
    assert await store.list_meetings(window) == (expected, 4)

    from_only = query(ListType.SCHEDULED, from_date=date(2025, 6, 16))
    expected = pick(listed, "recurring_fixed", "tomorrow", "later_a", "later_b")
    assert await store.list_meetings(from_only) == (expected, 4)

    to_only = query(ListType.PREVIOUS_MEETINGS, to_date=date(2025, 6, 10))
    assert await store.list_meetings(to_only) == (pick(listed, "expired", "recurring_fixed"), 2)


async def test_list_reflects_updates(store: Store, listed: dict[str, Meeting]) -> None:
    moved = dataclasses.replace(listed["tomorrow"], start_time=NOW - 3 * D)
    deleted = dataclasses.replace(listed["later_a"], deleted_at=NOW)
    async with store.write() as tx:
        await tx.update_meeting(moved)
        await tx.update_meeting(deleted)
    expected = [
        *pick(listed, "no_fixed_time", "recurring_fixed"),
        moved,
        *pick(listed, "ended", "started", "later_b"),
    ]
    assert await store.list_meetings(query(ListType.SCHEDULED)) == (expected, 6)


async def test_settings_are_stored_as_their_difference_from_the_defaults(store: Store) -> None:
    await seed(store)
    meeting = make_meeting(84000000001)
    assert '"settings":{"host_video":true,"audio":"both","contact_name":"Jill"}' in meeting_row(meeting)[-1]
    await insert_meetings(store, [meeting])
    assert await store.get_meeting(ACCOUNT_ID, meeting.id) == meeting
