"""GET /v2/past_meetings/{meetingId}, .../instances and .../participants, filled by the meeting lifecycle."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from moot.domain.clock import ControllableClock
from moot.services.context import Deps
from moot.storage.base import Store
from tests.support.api import ZoomApi
from tests.support.lifecycle import admin_deps, create, end, get, join, leave, start

HOST_NAME = "Account Owner"
HOST_EMAIL = "owner@example.com"
# A UUID that must be double-encoded in a path: it starts with "/" and holds "//" (and a "+").
AWKWARD_UUID = "/gH0gmRgSoeoo//h0pHz+w=="


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    return await admin_deps(store, clock)


def once(uuid: str) -> str:
    """A UUID encoded once, as most clients send it (a ``/`` in it as ``%2F``)."""
    return quote(uuid, safe="")


def twice(uuid: str) -> str:
    """Double-encoded, as Zoom asks for a UUID that starts with ``/`` or holds ``//``."""
    return quote(quote(uuid, safe=""), safe="")


def not_found(ref: object) -> tuple[int, dict[str, Any]]:
    return 404, {"code": 3001, "message": f"Meeting does not exist: {ref}."}


NOT_ENDED = (404, {"code": 3001, "message": "The meeting ID is invalid or the meeting has not ended."})
PARTICIPANTS_NOT_ENDED = (404, {"code": 3001, "message": "Meeting ID is invalid or not end."})


async def held(api: ZoomApi, clock: ControllableClock, **body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A meeting held from 12:00:00 to 12:05:30: the host all along, Jill from 12:01:30 to 12:04:00 and
    again from 12:05:00. The meeting as created, and Jill's first stay."""
    meeting = await create(api, topic="Retro", duration=60, **body)
    await start(api, meeting["id"])
    clock.advance(90)
    jill = await join(api, meeting["id"], "Jill Chill", "jill@example.com")
    clock.advance(150)
    await leave(api, meeting["id"], jill["user_id"])
    clock.advance(60)
    await join(api, meeting["id"], "Jill Chill", "jill@example.com")
    clock.advance(30)
    await end(api, meeting["id"])
    return meeting, jill


def details(meeting: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "uuid": meeting["uuid"],
        "id": meeting["id"],
        "host_id": meeting["host_id"],
        "type": meeting["type"],
        "topic": meeting["topic"],
        "user_name": HOST_NAME,
        "user_email": HOST_EMAIL,
        "start_time": "2026-01-15T12:00:00Z",
        "end_time": "2026-01-15T12:05:30Z",
        "duration": 6,  # 5 min 30 s, rounded up
        "total_minutes": 9,  # 330 + 150 + 30 seconds
        "participants_count": 3,  # every stay in the meeting: the host, and Jill twice
    }
    return {**body, **changes}


def stays(meeting: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": meeting["host_id"],
            "name": HOST_NAME,
            "user_id": "16778240",
            "user_email": HOST_EMAIL,
            "join_time": "2026-01-15T12:00:00Z",
            "leave_time": "2026-01-15T12:05:30Z",
            "duration": 330,
            "failover": False,
            "status": "in_meeting",
        },
        {
            "id": "",
            "name": "Jill Chill",
            "user_id": "16779264",
            "user_email": "jill@example.com",
            "join_time": "2026-01-15T12:01:30Z",
            "leave_time": "2026-01-15T12:04:00Z",
            "duration": 150,
            "failover": False,
            "status": "in_meeting",
        },
        {
            "id": "",
            "name": "Jill Chill",
            "user_id": "16780288",
            "user_email": "jill@example.com",
            "join_time": "2026-01-15T12:05:00Z",
            "leave_time": "2026-01-15T12:05:30Z",
            "duration": 30,
            "failover": False,
            "status": "in_meeting",
        },
    ]


async def test_details_of_a_held_meeting_by_id_and_by_uuid(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    for ref in (meeting["id"], once(meeting["uuid"]), twice(meeting["uuid"])):
        response = await api.get(f"/v2/past_meetings/{ref}")
        assert (response.status_code, response.json()) == (200, details(meeting))


async def test_participants_are_every_stay_in_order(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    response = await api.get(f"/v2/past_meetings/{once(meeting['uuid'])}/participants")
    assert (response.status_code, response.json()) == (
        200,
        {
            "page_count": 1,
            "page_size": 30,
            "total_records": 3,
            "next_page_token": "",
            "participants": stays(meeting),
        },
    )


async def test_participants_page_with_next_page_token(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    everyone = stays(meeting)
    first = await api.get(f"/v2/past_meetings/{meeting['id']}/participants?page_size=2")
    token = first.json()["next_page_token"]
    assert token
    assert first.json() == {
        "page_count": 2,
        "page_size": 2,
        "total_records": 3,
        "next_page_token": token,
        "participants": everyone[:2],
    }
    # Later pages need only the token (clients often drop the other parameters).
    second = await api.get(f"/v2/past_meetings/{meeting['id']}/participants?next_page_token={token}")
    assert second.json() == {
        "page_count": 2,
        "page_size": 2,
        "total_records": 3,
        "next_page_token": "",
        "participants": everyone[2:],
    }


async def test_a_page_token_is_good_for_its_instance_only(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    other, _ = await held(api, clock)
    token = (await api.get(f"/v2/past_meetings/{meeting['id']}/participants?page_size=1")).json()[
        "next_page_token"
    ]
    response = await api.get(f"/v2/past_meetings/{other['id']}/participants?next_page_token={token}")
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "next_page_token", "message": "The next page token is invalid or expired."}],
        },
    )
    clock.advance(15 * 60 + 1)
    await api.renew_token()
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants?next_page_token={token}")
    assert response.status_code == 400


async def test_page_size_is_at_most_300(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants?page_size=1000")
    assert (response.json()["page_size"], response.json()["page_count"]) == (300, 1)


async def test_registrant_id_is_included_when_asked_for(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants?include_fields=registrant_id")
    expected = [
        {**{k: v for k, v in s.items() if k in ("id", "name", "user_id")}, "registrant_id": "", **s}
        for s in stays(meeting)
    ]
    assert response.json()["participants"] == expected
    assert list(response.json()["participants"][0])[:4] == ["id", "name", "user_id", "registrant_id"]


async def test_a_waiting_room_stay_is_a_record_of_its_own(api: ZoomApi, clock: ControllableClock) -> None:
    meeting = await create(api, topic="Gated", settings={"waiting_room": True})
    await start(api, meeting["id"])
    await join(api, meeting["id"], "Never Admitted")
    clock.advance(60)
    await end(api, meeting["id"])
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants")
    assert response.json()["participants"][1] == {
        "id": "",
        "name": "Never Admitted",
        "user_id": "16779264",
        "user_email": "",
        "join_time": "2026-01-15T12:00:00Z",
        "leave_time": "2026-01-15T12:01:00Z",
        "duration": 60,
        "failover": False,
        "status": "in_waiting_room",
    }
    past = (await api.get(f"/v2/past_meetings/{meeting['id']}")).json()
    assert (past["participants_count"], past["total_minutes"], past["duration"]) == (1, 1, 1)


async def test_instances_of_a_recurring_meeting(api: ZoomApi, clock: ControllableClock) -> None:
    meeting = await create(api, topic="Weekly", type=3)
    await start(api, meeting["id"])
    clock.advance(600)
    await end(api, meeting["id"])
    second_uuid = (await get(api, meeting["id"]))["uuid"]
    clock.advance(7 * 86_400)
    await api.renew_token()
    await start(api, meeting["id"])
    clock.advance(60)

    response = await api.get(f"/v2/past_meetings/{meeting['id']}/instances")
    assert (response.status_code, response.json()) == (
        200,
        {"meetings": [{"uuid": meeting["uuid"], "start_time": "2026-01-15T12:00:00Z"}]},
    )
    # The instance in progress is not past yet: by id, the latest ended one answers.
    assert (await api.get(f"/v2/past_meetings/{once(second_uuid)}")).json() == NOT_ENDED[1]
    assert (await api.get(f"/v2/past_meetings/{meeting['id']}")).json()["uuid"] == meeting["uuid"]

    await end(api, meeting["id"])
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/instances")
    assert response.json() == {
        "meetings": [
            {"uuid": meeting["uuid"], "start_time": "2026-01-15T12:00:00Z"},
            {"uuid": second_uuid, "start_time": "2026-01-22T12:10:00Z"},
        ]
    }
    latest = (await api.get(f"/v2/past_meetings/{meeting['id']}")).json()
    assert (latest["uuid"], latest["start_time"], latest["end_time"]) == (
        second_uuid,
        "2026-01-22T12:10:00Z",
        "2026-01-22T12:11:00Z",
    )
    first = (await api.get(f"/v2/past_meetings/{once(meeting['uuid'])}")).json()
    assert (first["uuid"], first["end_time"], first["duration"]) == (
        meeting["uuid"],
        "2026-01-15T12:10:00Z",
        10,
    )


async def test_a_uuid_with_slashes_is_found_double_encoded(api: ZoomApi, clock: ControllableClock) -> None:
    meeting = await create(api, topic="Awkward")
    assert api.tenant is not None
    stored = await api.deps.store.get_meeting(api.tenant.account.id, meeting["id"])
    assert stored is not None
    stored.uuid = AWKWARD_UUID
    async with api.deps.store.write() as tx:
        await tx.update_meeting(stored)
    await start(api, meeting["id"])
    clock.advance(60)
    await end(api, meeting["id"])

    assert twice(AWKWARD_UUID) == "%252FgH0gmRgSoeoo%252F%252Fh0pHz%252Bw%253D%253D"
    # Double-encoded as Zoom asks, and (more liberal than Zoom) encoded once or not at all.
    for ref in (twice(AWKWARD_UUID), once(AWKWARD_UUID), AWKWARD_UUID.removeprefix("/")):
        prefix = "/v2/past_meetings/" if ref.startswith("%") else "/v2/past_meetings//"
        response = await api.get(f"{prefix}{ref}")
        assert (response.status_code, response.json()["uuid"]) == (200, AWKWARD_UUID), ref
        response = await api.get(f"{prefix}{ref}/participants")
        assert (response.status_code, response.json()["total_records"]) == (200, 1), ref
        response = await api.get(f"{prefix}{ref}/instances")
        assert (response.status_code, response.json()) == not_found(AWKWARD_UUID), ref


async def test_a_meeting_never_held(api: ZoomApi) -> None:
    meeting = await create(api, topic="Someday")
    response = await api.get(f"/v2/past_meetings/{meeting['id']}")
    assert (response.status_code, response.json()) == NOT_ENDED
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants")
    assert (response.status_code, response.json()) == PARTICIPANTS_NOT_ENDED
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/instances")
    assert (response.status_code, response.json()) == (200, {"meetings": []})


async def test_a_meeting_in_progress_is_not_past_yet(api: ZoomApi) -> None:
    meeting = await create(api, topic="Now")
    await start(api, meeting["id"])
    for ref in (meeting["id"], once(meeting["uuid"])):
        assert (await api.get(f"/v2/past_meetings/{ref}")).json() == NOT_ENDED[1]
        response = await api.get(f"/v2/past_meetings/{ref}/participants")
        assert (response.status_code, response.json()) == PARTICIPANTS_NOT_ENDED


@pytest.mark.parametrize("suffix", ["", "/instances", "/participants"])
async def test_unknown_meetings_and_instances_are_3001(api: ZoomApi, suffix: str) -> None:
    response = await api.get(f"/v2/past_meetings/12345678901{suffix}")
    assert (response.status_code, response.json()) == not_found(12345678901)
    response = await api.get(f"/v2/past_meetings/{quote('ZT8AXBgtSeSrHz34lcWs2g==')}{suffix}")
    assert (response.status_code, response.json()) == not_found("ZT8AXBgtSeSrHz34lcWs2g==")


async def test_another_accounts_past_meeting_is_3001(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    stranger = await api.new_tenant("stranger@example.com")
    for ref, sent in ((meeting["id"], meeting["id"]), (meeting["uuid"], once(meeting["uuid"]))):
        response = await api.get(f"/v2/past_meetings/{sent}", tenant=stranger)
        assert (response.status_code, response.json()) == not_found(ref)


async def test_a_deleted_meeting_keeps_its_past(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    await api.delete(f"/v2/meetings/{meeting['id']}")
    response = await api.get(f"/v2/past_meetings/{meeting['id']}")
    assert (response.status_code, response.json()) == (200, details(meeting))
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/instances")
    assert response.json() == {"meetings": [{"uuid": meeting["uuid"], "start_time": "2026-01-15T12:00:00Z"}]}


async def test_past_meetings_need_their_scopes(api: ZoomApi, clock: ControllableClock) -> None:
    meeting, _ = await held(api, clock)
    granular = await api.token_with_scopes(("meeting:read:past_meeting",))
    assert (await api.get(f"/v2/past_meetings/{meeting['id']}", tenant=granular)).status_code == 200
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/participants", tenant=granular)
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:"
            "[meeting:read:list_past_participants:admin, meeting:read:list_past_participants].",
        },
    )
    response = await api.get(f"/v2/past_meetings/{meeting['id']}/instances", tenant=granular)
    assert response.json()["message"].endswith(
        "[meeting:read:list_past_instances:admin, meeting:read:list_past_instances]."
    )
    classic = await api.token_with_scopes(("meeting:read",))
    for suffix in ("", "/instances", "/participants"):
        response = await api.get(f"/v2/past_meetings/{meeting['id']}{suffix}", tenant=classic)
        assert response.status_code == 200
