"""The SDK against moot, once in process and once against ``moot serve`` (the ``zoom`` fixture)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from moot.client import (
    AsyncClient,
    MeetingNotFound,
    NotFound,
    UserNotFound,
    ValidationFailed,
    parse_time,
)

START = datetime(2030, 6, 9, 17, 0, tzinfo=UTC)


async def new_host(zoom: AsyncClient) -> str:
    """A fresh active user, so that listings see only this test's meetings."""
    created = await zoom.users.create(
        "autoCreate", email=f"host-{uuid.uuid4().hex[:10]}@sdk.moot.test", type=2, password="Secret123"
    )
    return created["id"]


async def test_create_get_update_delete_recover(zoom: AsyncClient) -> None:
    berlin = timezone(timedelta(hours=2))
    meeting = await zoom.meetings.create(
        topic="Planning",
        type=2,
        start_time=datetime(2030, 6, 9, 19, 0, tzinfo=berlin),
        duration=30,
        timezone="Europe/Berlin",
        settings={"waiting_room": True},
    )
    assert isinstance(meeting["id"], int)
    assert meeting["start_time"] == "2030-06-09T17:00:00Z"
    assert parse_time(meeting["start_time"]) == START
    assert meeting["settings"]["waiting_room"] is True

    await zoom.meetings.update(meeting["id"], topic="Planning, moved", duration=45)
    fetched = await zoom.meetings.get(meeting["id"])
    assert (fetched["topic"], fetched["duration"]) == ("Planning, moved", 45)

    await zoom.meetings.delete(meeting["id"])
    with pytest.raises(MeetingNotFound) as raised:
        await zoom.meetings.get(meeting["id"])
    assert (raised.value.status_code, raised.value.code) == (404, 3001)
    assert raised.value.message == f"Meeting does not exist: {meeting['id']}."
    assert raised.value.tracking_id

    await zoom.meetings.recover(meeting["id"])
    assert (await zoom.meetings.get(meeting["id"]))["topic"] == "Planning, moved"
    await zoom.meetings.end(meeting["id"])


async def test_naive_start_time_is_local_to_the_timezone(zoom: AsyncClient) -> None:
    meeting = await zoom.meetings.create(
        topic="Local", type=2, start_time=datetime(2030, 6, 9, 19, 0), timezone="Europe/Berlin", duration=15
    )
    assert meeting["start_time"] == "2030-06-09T17:00:00Z"
    as_string = await zoom.meetings.create(topic="String", type=2, start_time="2030-06-09T17:00:00Z")
    assert as_string["start_time"] == "2030-06-09T17:00:00Z"


async def test_list_follows_next_page_token(zoom: AsyncClient) -> None:
    host = await new_host(zoom)
    created = [
        (await zoom.meetings.create(host, topic=f"m{i}", type=2, start_time=START + timedelta(hours=i)))["id"]
        for i in range(7)
    ]
    pager = zoom.meetings.list(host, page_size=3)
    assert [m["id"] async for m in pager] == created
    pages = [page async for page in pager.pages()]
    assert [len(p["meetings"]) for p in pages] == [3, 3, 1]
    assert pages[0]["total_records"] == 7


async def test_list_from_a_page_number_on(zoom: AsyncClient) -> None:
    host = await new_host(zoom)
    created = [
        (await zoom.meetings.create(host, topic=f"m{i}", type=2, start_time=START + timedelta(hours=i)))["id"]
        for i in range(7)
    ]
    pager = zoom.meetings.list(host, page_size=3, page_number=2)
    assert (pager.total_records, pager.page_count, pager.page_number) == (None, None, None)
    pages = [page async for page in pager.pages()]
    assert [(p["page_number"], p["page_count"], p["total_records"]) for p in pages] == [(2, 3, 7), (3, 3, 7)]
    assert [m["id"] for p in pages for m in p["meetings"]] == created[3:]
    assert (pager.total_records, pager.page_count, pager.page_number) == (7, 3, 3)
    assert [m["id"] async for m in zoom.meetings.list(host, page_size=3, page_number=3)] == created[6:]
    assert await zoom.meetings.list(host, page_size=3, page_number=4).to_list() == []


async def test_registrants_and_users_from_a_page_number_on(zoom: AsyncClient) -> None:
    meeting = await zoom.meetings.create(
        topic="Paged", type=2, start_time=START, settings={"approval_type": 0}
    )
    emails = [f"r{i}@sdk.moot.test" for i in range(5)]
    for email in emails:
        await zoom.meetings.registrants.create(meeting["id"], first_name="R", email=email)
    listed = [r["email"] async for r in zoom.meetings.registrants.list(meeting["id"], page_size=2)]
    assert sorted(listed) == emails
    pager = zoom.meetings.registrants.list(meeting["id"], page_size=2, page_number=2)
    assert [r["email"] async for r in pager] == listed[2:]
    assert (pager.total_records, pager.page_count, pager.page_number) == (5, 3, 3)
    every = [u["id"] async for u in zoom.users.list(page_size=1)]
    assert [u["id"] async for u in zoom.users.list(page_size=1, page_number=2)] == every[1:]


async def test_list_of_a_user_without_meetings_is_empty(zoom: AsyncClient) -> None:
    host = await new_host(zoom)
    assert await zoom.meetings.list(host).to_list() == []


async def test_validation_errors_carry_fields(zoom: AsyncClient) -> None:
    with pytest.raises(ValidationFailed) as raised:
        await zoom.meetings.create(topic="x" * 201)
    assert (raised.value.status_code, raised.value.code) == (400, 300)
    assert raised.value.message == "Validation Failed."
    assert [e["field"] for e in raised.value.errors] == ["topic"]


async def test_unknown_user(zoom: AsyncClient) -> None:
    with pytest.raises(UserNotFound) as raised:
        await zoom.meetings.create("nobody@sdk.moot.test", topic="x")
    assert (raised.value.status_code, raised.value.code) == (404, 1001)
    assert isinstance(raised.value, NotFound)


async def test_invitation(zoom: AsyncClient) -> None:
    meeting = await zoom.meetings.create(topic="Invite me", type=2, start_time=START, duration=30)
    invitation = await zoom.meetings.invitation(meeting["id"])
    assert str(meeting["id"])[:3] in invitation["invitation"].replace(" ", "")
    assert isinstance(invitation["sip_links"], list)


async def test_registrants(zoom: AsyncClient) -> None:
    meeting = await zoom.meetings.create(
        topic="Webinar-ish", type=2, start_time=START, duration=60, settings={"approval_type": 1}
    )
    mid = meeting["id"]
    created = await zoom.meetings.registrants.create(mid, first_name="Ada", email="ada@sdk.moot.test")
    assert created["id"] == mid
    assert "join_url" not in created  # manual approval: no link until approved
    rid = created["registrant_id"]

    pending = await zoom.meetings.registrants.list(mid, status="pending").to_list()
    assert [(r["id"], r["status"]) for r in pending] == [(rid, "pending")]
    await zoom.meetings.registrants.update_status(mid, "approve", [{"id": rid}])
    assert (await zoom.meetings.registrants.get(mid, rid))["status"] == "approved"
    assert [r["email"] async for r in zoom.meetings.registrants.list(mid)] == ["ada@sdk.moot.test"]

    await zoom.meetings.registrants.delete(mid, rid)
    with pytest.raises(NotFound):
        await zoom.meetings.registrants.get(mid, rid)


async def test_users(zoom: AsyncClient) -> None:
    me = await zoom.users.get()
    assert me["email"] == "owner@sdk.moot.test"
    host = await new_host(zoom)
    assert (await zoom.users.get(host))["id"] == host
    listed = [u["id"] async for u in zoom.users.list(page_size=1)]
    assert me["id"] in listed and host in listed
    with pytest.raises(UserNotFound):
        await zoom.users.get("nobody@sdk.moot.test")


async def test_past_meetings_of_a_meeting_never_held(zoom: AsyncClient) -> None:
    meeting = await zoom.meetings.create(topic="Someday")
    assert await zoom.past_meetings.instances(meeting["id"]) == []
    with pytest.raises(NotFound) as raised:
        await zoom.past_meetings.get(meeting["id"])
    assert (raised.value.status_code, raised.value.code, raised.value.message) == (
        404,
        3001,
        "The meeting ID is invalid or the meeting has not ended.",
    )
    with pytest.raises(MeetingNotFound) as missing:
        await zoom.past_meetings.get("/ajXp112QmuoKj4854875==")
    assert missing.value.message == "Meeting does not exist: /ajXp112QmuoKj4854875==."
