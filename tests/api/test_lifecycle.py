"""The meeting lifecycle: the host's start link (``/s/{meetingId}?zak=``), participants simulated through
moot's admin API, ``PUT /v2/meetings/{meetingId}/status {"action": "end"}``, and the webhook events each
change writes to the outbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from typing import Any

import httpx
import jwt
import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.storage.base import StorageError, Store, WriteTx
from tests.conftest import NOW
from tests.support.api import BASE_URL, ZoomApi, asgi_client
from tests.support.lifecycle import ADMIN, admin_deps, admit, create, end, get, join, leave, start
from tests.support.outbox import outbox_events

EVENT_TS = int(NOW.timestamp() * 1000)
HOST_NAME = "Account Owner"
HOST_EMAIL = "owner@example.com"
PARTICIPANT_UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
LIVE_EVENTS = (
    "meeting.started",
    "meeting.ended",
    "meeting.participant_joined",
    "meeting.participant_left",
    "meeting.participant_joined_waiting_room",
    "meeting.participant_admitted",
    "meeting.participant_left_waiting_room",
)


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    return await admin_deps(store, clock)


def page(title: str, text: str, *, sign_in: bool = True) -> tuple[str, str, bool]:
    """What a start page shows: its heading, its message and whether it offers the host's sign-in."""
    return title, text, sign_in


def shown(response: httpx.Response) -> tuple[str, str, bool]:
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S)
    text = re.search(r'<p id="message">(.*?)</p>', response.text, re.S)
    assert heading and text, response.text
    return unescape(heading.group(1)), unescape(text.group(1)), 'id="signin-form"' in response.text


async def standup(api: ZoomApi, **settings: Any) -> dict[str, Any]:
    return await create(
        api,
        topic="Standup",
        start_time="2026-01-15T12:00:00Z",
        duration=30,
        timezone="Europe/Paris",
        settings=settings,
    )


def live_object(
    meeting: dict[str, Any], uuid: str, start_time: str = "2026-01-15T12:00:00Z"
) -> dict[str, Any]:
    return {
        "id": str(meeting["id"]),
        "uuid": uuid,
        "host_id": meeting["host_id"],
        "topic": meeting["topic"],
        "type": meeting["type"],
        "start_time": start_time,
        "timezone": meeting["timezone"],
        "duration": meeting["duration"],
    }


def event(api: ZoomApi, name: str, obj: dict[str, Any], event_ts: int = EVENT_TS) -> dict[str, Any]:
    assert api.tenant is not None
    return {
        "event": name,
        "payload": {"account_id": api.tenant.account.id, "object": obj},
        "event_ts": event_ts,
    }


def person(
    user_id: str, name: str, email: str, time_key: str, at: str, participant_uuid: str, **more: str
) -> dict[str, Any]:
    """A participant as the participant events describe them, in Zoom's key order."""
    assert PARTICIPANT_UUID.match(participant_uuid), participant_uuid
    body: dict[str, Any] = {"user_id": user_id, "user_name": name}
    if "id" in more:
        body["id"] = more.pop("id")
    body |= {"participant_uuid": participant_uuid, time_key: at, "email": email, **more}
    return body


async def live_events(api: ZoomApi) -> list[dict[str, Any]]:
    return await outbox_events(api.deps.store, *LIVE_EVENTS)


def participant_uuids(events: list[dict[str, Any]]) -> list[str]:
    objects = [e["payload"]["object"] for e in events]
    return [o["participant"]["participant_uuid"] for o in objects if "participant" in o]


# --- Starting: the host's start link ---------------------------------------------------------------------


async def test_the_start_link_starts_the_meeting_with_the_host_in_it(api: ZoomApi) -> None:
    meeting = await standup(api)
    response = await api.client.get(meeting["start_url"])
    assert (response.status_code, response.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert re.search(r'<h1 id="topic">Standup</h1>', response.text)
    assert 'data-state="started"' in response.text

    fetched = await get(api, meeting["id"])
    assert {**fetched, "start_url": None} == {**meeting, "status": "started", "start_url": None}

    events = await live_events(api)
    host_uuid = events[1]["payload"]["object"]["participant"]["participant_uuid"]
    assert events == [
        event(api, "meeting.started", live_object(meeting, meeting["uuid"])),
        event(
            api,
            "meeting.participant_joined",
            {
                **live_object(meeting, meeting["uuid"]),
                "participant": person(
                    "16778240",
                    HOST_NAME,
                    HOST_EMAIL,
                    "join_time",
                    "2026-01-15T12:00:00Z",
                    host_uuid,
                    id=meeting["host_id"],
                ),
            },
        ),
    ]


async def test_opening_the_start_link_of_a_started_meeting_changes_nothing(
    api: ZoomApi, clock: ControllableClock
) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    clock.advance(60)
    response = await api.client.get(meeting["start_url"])
    assert response.status_code == 200 and 'data-state="started"' in response.text
    assert [e["event"] for e in await live_events(api)] == ["meeting.started", "meeting.participant_joined"]
    assert (await get(api, meeting["id"]))["status"] == "started"


async def test_the_started_meeting_is_listed_as_live(api: ZoomApi) -> None:
    meeting = await standup(api)
    response = await api.get("/v2/users/me/meetings?type=live")
    assert response.json()["meetings"] == []
    await start(api, meeting["id"])
    response = await api.get("/v2/users/me/meetings?type=live")
    assert [m["id"] for m in response.json()["meetings"]] == [meeting["id"]]


def _resigned(zak: str, **claims: Any) -> str:
    """The ZAK with its claims changed, signed with another key."""
    decoded = jwt.decode(zak, options={"verify_signature": False})
    return jwt.encode({**decoded, **claims}, "not the server's signing key, 32+ bytes", algorithm="HS256")


@pytest.mark.parametrize(
    "query",
    ["", "?zak=", "?zak=not-a-jwt", "?zak={forged}", "?zak={access_token}"],
    ids=["no-zak", "empty", "garbage", "forged", "access-token"],
)
async def test_an_invalid_zak_is_a_401_page_and_starts_nothing(api: ZoomApi, query: str) -> None:
    assert api.tenant is not None
    meeting = await standup(api)
    zak = meeting["start_url"].split("zak=", 1)[1]
    query = query.format(forged=_resigned(zak), access_token=api.tenant.token)
    response = await api.client.get(f"{BASE_URL}/s/{meeting['id']}{query}")
    # Without a start link at all, the page asks the host to sign in.
    text = "Sign in to start this meeting." if query == "" else "The start link is not valid."
    assert (response.status_code, shown(response)) == (401, page("Cannot start this meeting", text))
    assert (await get(api, meeting["id"]))["status"] == "waiting"
    assert await live_events(api) == []


async def test_a_zak_for_another_meeting_does_not_start_this_one(api: ZoomApi) -> None:
    first, second = await standup(api), await standup(api)
    zak = first["start_url"].split("zak=", 1)[1]
    response = await api.client.get(f"{BASE_URL}/s/{second['id']}?zak={zak}")
    assert (response.status_code, shown(response)) == (
        401,
        page("Cannot start this meeting", "The start link is not valid."),
    )
    assert (await get(api, second["id"]))["status"] == "waiting"


async def test_an_expired_zak_is_a_401_page(api: ZoomApi, clock: ControllableClock) -> None:
    meeting = await standup(api)
    clock.advance(7200)
    response = await api.client.get(meeting["start_url"])
    assert (response.status_code, shown(response)) == (
        401,
        page(
            "Cannot start this meeting", "The start link has expired: get a fresh start_url from the meeting."
        ),
    )
    await api.renew_token()
    assert (await get(api, meeting["id"]))["status"] == "waiting"
    await start(api, meeting["id"])  # a fresh start_url works
    assert (await get(api, meeting["id"]))["status"] == "started"


async def test_the_start_link_of_a_deleted_meeting_is_a_404_page(api: ZoomApi) -> None:
    meeting = await standup(api)
    await api.delete(f"/v2/meetings/{meeting['id']}")
    response = await api.client.get(meeting["start_url"])
    assert (response.status_code, shown(response)) == (
        404,
        page(
            "Cannot start this meeting",
            "This meeting ID is not valid. Please check and try again.",
            sign_in=False,
        ),
    )


# --- Ending ----------------------------------------------------------------------------------------------


async def test_end_closes_the_instance_everyone_leaves_then_meeting_ended(
    api: ZoomApi, clock: ControllableClock
) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    clock.advance(120)
    jill = await join(api, meeting["id"], "Jill Chill", "jill@example.com")
    clock.advance(600)
    await end(api, meeting["id"])

    fetched = await get(api, meeting["id"])
    assert fetched["status"] == "waiting"
    assert fetched["uuid"] != meeting["uuid"]  # the next instance's
    assert {**fetched, "uuid": None, "start_url": None} == {**meeting, "uuid": None, "start_url": None}

    events = await live_events(api)
    host_uuid, jill_uuid = participant_uuids(events)[0], jill["participant_uuid"]
    obj = live_object(meeting, meeting["uuid"])
    ended_at = "2026-01-15T12:12:00Z"
    ended_ts = EVENT_TS + 720_000
    assert events[2:] == [
        event(
            api,
            "meeting.participant_joined",
            {
                **obj,
                "participant": person(
                    "16779264",
                    "Jill Chill",
                    "jill@example.com",
                    "join_time",
                    "2026-01-15T12:02:00Z",
                    jill_uuid,
                ),
            },
            EVENT_TS + 120_000,
        ),
        event(
            api,
            "meeting.participant_left",
            {
                **obj,
                "participant": person(
                    "16778240",
                    HOST_NAME,
                    HOST_EMAIL,
                    "leave_time",
                    ended_at,
                    host_uuid,
                    id=meeting["host_id"],
                ),
            },
            ended_ts,
        ),
        event(
            api,
            "meeting.participant_left",
            {
                **obj,
                "participant": person(
                    "16779264", "Jill Chill", "jill@example.com", "leave_time", ended_at, jill_uuid
                ),
            },
            ended_ts,
        ),
        event(api, "meeting.ended", {**obj, "end_time": ended_at}, ended_ts),
    ]


async def test_ending_a_meeting_that_is_not_started_is_a_quiet_204(api: ZoomApi) -> None:
    meeting = await standup(api)
    await end(api, meeting["id"])
    await end(api, meeting["id"])
    assert await get(api, meeting["id"]) == {
        **meeting,
        "start_url": (await get(api, meeting["id"]))["start_url"],
    }
    assert await live_events(api) == []


async def test_a_second_end_is_a_quiet_204(api: ZoomApi) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    await end(api, meeting["id"])
    await end(api, meeting["id"])
    assert [e["event"] for e in await live_events(api)] == [
        "meeting.started",
        "meeting.participant_joined",
        "meeting.participant_left",
        "meeting.ended",
    ]


async def test_a_recurring_meeting_returns_to_waiting_and_starts_again_as_a_new_instance(
    api: ZoomApi, clock: ControllableClock
) -> None:
    meeting = await create(api, topic="Weekly", type=3, duration=45)
    await start(api, meeting["id"])
    clock.advance(300)
    await end(api, meeting["id"])
    between = await get(api, meeting["id"])
    assert between["status"] == "waiting"
    clock.advance(86_400)
    await api.renew_token()
    await start(api, meeting["id"])
    assert (await get(api, meeting["id"]))["status"] == "started"

    started = await outbox_events(api.deps.store, "meeting.started")
    uuids = [e["payload"]["object"]["uuid"] for e in started]
    assert uuids == [meeting["uuid"], between["uuid"]] and uuids[0] != uuids[1]
    assert started[1] == event(
        api,
        "meeting.started",
        {
            "id": str(meeting["id"]),
            "uuid": between["uuid"],
            "host_id": meeting["host_id"],
            "topic": "Weekly",
            "type": 3,
            "start_time": "2026-01-16T12:05:00Z",
            "timezone": meeting["timezone"],
            "duration": 45,
        },
        EVENT_TS + 86_700_000,
    )


async def test_end_of_a_deleted_meeting_is_3001(api: ZoomApi) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    await api.delete(f"/v2/meetings/{meeting['id']}")
    response = await api.put(f"/v2/meetings/{meeting['id']}/status", json={"action": "end"})
    assert (response.status_code, response.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {meeting['id']}."},
    )


# --- Participants (moot's admin API) ---------------------------------------------------------------------


async def test_a_participant_joins_and_leaves(api: ZoomApi, clock: ControllableClock) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    clock.advance(30)
    joined = await join(api, meeting["id"], "Jill Chill", "jill@example.com")
    assert PARTICIPANT_UUID.match(joined["participant_uuid"])
    assert joined == {
        "meeting_id": meeting["id"],
        "meeting_uuid": meeting["uuid"],
        "user_id": "16779264",
        "participant_uuid": joined["participant_uuid"],
        "name": "Jill Chill",
        "email": "jill@example.com",
        "status": "in_meeting",
        "join_time": "2026-01-15T12:00:30Z",
    }
    clock.advance(30)
    await leave(api, meeting["id"], joined["user_id"])
    events = await live_events(api)
    assert events[3] == event(
        api,
        "meeting.participant_left",
        {
            **live_object(meeting, meeting["uuid"]),
            "participant": person(
                "16779264",
                "Jill Chill",
                "jill@example.com",
                "leave_time",
                "2026-01-15T12:01:00Z",
                joined["participant_uuid"],
            ),
        },
        EVENT_TS + 60_000,
    )
    assert len(events) == 4


async def test_a_participant_waits_in_the_waiting_room_until_admitted(
    api: ZoomApi, clock: ControllableClock
) -> None:
    meeting = await standup(api, waiting_room=True)
    await start(api, meeting["id"])
    waiting = await join(api, meeting["id"], "Jill Chill")
    assert (waiting["status"], waiting["email"]) == ("in_waiting_room", "")
    clock.advance(45)
    admitted = await admit(api, meeting["id"], waiting["user_id"])
    assert admitted == {**waiting, "status": "in_meeting", "join_time": "2026-01-15T12:00:45Z"}

    obj = live_object(meeting, meeting["uuid"])
    uuid = waiting["participant_uuid"]
    admitted_ts = EVENT_TS + 45_000
    assert (await live_events(api))[2:] == [
        event(
            api,
            "meeting.participant_joined_waiting_room",
            {
                **obj,
                "participant": person(
                    "16779264", "Jill Chill", "", "date_time", "2026-01-15T12:00:00Z", uuid
                ),
            },
        ),
        event(
            api,
            "meeting.participant_admitted",
            {
                **obj,
                "participant": person(
                    "16779264", "Jill Chill", "", "date_time", "2026-01-15T12:00:45Z", uuid
                ),
            },
            admitted_ts,
        ),
        event(
            api,
            "meeting.participant_joined",
            {
                **obj,
                "participant": person(
                    "16779264", "Jill Chill", "", "join_time", "2026-01-15T12:00:45Z", uuid
                ),
            },
            admitted_ts,
        ),
    ]


async def test_a_wait_ends_with_participant_left_waiting_room_when_they_leave_or_the_meeting_ends(
    api: ZoomApi, clock: ControllableClock
) -> None:
    meeting = await standup(api, waiting_room=True)
    await start(api, meeting["id"])
    gives_up = await join(api, meeting["id"], "Jill Chill")
    stays = await join(api, meeting["id"], "Bo Waits", "bo@example.com")
    clock.advance(30)
    await leave(api, meeting["id"], gives_up["user_id"])
    clock.advance(30)
    await end(api, meeting["id"])

    obj = live_object(meeting, meeting["uuid"])
    events = await live_events(api)
    left_waiting = [e for e in events if e["event"] == "meeting.participant_left_waiting_room"]
    assert left_waiting == [
        event(
            api,
            "meeting.participant_left_waiting_room",
            {
                **obj,
                "participant": person(
                    "16779264",
                    "Jill Chill",
                    "",
                    "date_time",
                    "2026-01-15T12:00:30Z",
                    gives_up["participant_uuid"],
                ),
            },
            EVENT_TS + 30_000,
        ),
        event(
            api,
            "meeting.participant_left_waiting_room",
            {
                **obj,
                "participant": person(
                    "16780288",
                    "Bo Waits",
                    "bo@example.com",
                    "date_time",
                    "2026-01-15T12:01:00Z",
                    stays["participant_uuid"],
                ),
            },
            EVENT_TS + 60_000,
        ),
    ]
    # Nobody who only waited is said to have left the meeting itself: the host is the one who left.
    left = [
        e["payload"]["object"]["participant"]["user_name"]
        for e in events
        if e["event"] == "meeting.participant_left"
    ]
    assert left == [HOST_NAME]


async def test_admitting_someone_not_waiting_is_refused(api: ZoomApi) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    joined = await join(api, meeting["id"], "Jill")
    response = await api.client.post(
        f"/moot/api/meetings/{meeting['id']}/participants/{joined['user_id']}/admit", headers=ADMIN
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": 3000, "message": "Participant 16779264 is not in the waiting room."},
    )


@pytest.mark.parametrize("method", ["DELETE", "POST"])
async def test_a_participant_not_in_the_meeting_is_404(api: ZoomApi, method: str) -> None:
    meeting = await standup(api)
    await start(api, meeting["id"])
    joined = await join(api, meeting["id"], "Jill")
    await leave(api, meeting["id"], joined["user_id"])
    suffix = "/admit" if method == "POST" else ""
    for participant in (joined["user_id"], "99999999"):
        response = await api.client.request(
            method, f"/moot/api/meetings/{meeting['id']}/participants/{participant}{suffix}", headers=ADMIN
        )
        assert (response.status_code, response.json()) == (
            404,
            {"code": 3000, "message": f"Participant {participant} is not in meeting {meeting['id']}."},
        )


async def test_joining_before_the_host_is_refused_without_join_before_host(api: ZoomApi) -> None:
    meeting = await standup(api)
    response = await api.client.post(
        f"/moot/api/meetings/{meeting['id']}/participants", json={"name": "Early Bird"}, headers=ADMIN
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 3000,
            "message": f"Meeting {meeting['id']} has not started and join before host is off: participants "
            "wait until the host starts it.",
        },
    )
    assert (await get(api, meeting["id"]))["status"] == "waiting"
    assert await live_events(api) == []


async def test_joining_before_the_host_starts_the_meeting_with_join_before_host(api: ZoomApi) -> None:
    meeting = await standup(api, join_before_host=True)
    joined = await join(api, meeting["id"], "Early Bird", "early@example.com")
    assert (joined["status"], joined["user_id"], joined["meeting_uuid"]) == (
        "in_meeting",
        "16778240",
        meeting["uuid"],
    )
    assert (await get(api, meeting["id"]))["status"] == "started"
    obj = live_object(meeting, meeting["uuid"])
    assert await live_events(api) == [
        event(api, "meeting.started", obj),
        event(
            api,
            "meeting.participant_joined",
            {
                **obj,
                "participant": person(
                    "16778240",
                    "Early Bird",
                    "early@example.com",
                    "join_time",
                    "2026-01-15T12:00:00Z",
                    joined["participant_uuid"],
                ),
            },
        ),
    ]
    # The host's start link finds the meeting in progress.
    await start(api, meeting["id"])
    assert len(await live_events(api)) == 2


async def test_an_approved_registrant_who_joins_is_named_by_their_registrant_id(api: ZoomApi) -> None:
    meeting = await standup(api, approval_type=0)
    response = await api.post(
        f"/v2/meetings/{meeting['id']}/registrants", json={"first_name": "Jill", "email": "jill@example.com"}
    )
    registrant_id = response.json()["registrant_id"]
    await start(api, meeting["id"])
    joined = await join(api, meeting["id"], "Jill", "JILL@example.com")
    assert joined["registrant_id"] == registrant_id
    participant = (await live_events(api))[-1]["payload"]["object"]["participant"]
    assert participant == person(
        "16779264",
        "Jill",
        "JILL@example.com",
        "join_time",
        "2026-01-15T12:00:00Z",
        joined["participant_uuid"],
        registrant_id=registrant_id,
    )


async def test_participants_of_an_unknown_meeting_are_3001(api: ZoomApi) -> None:
    for path in ("12345678901", "abc"):
        response = await api.client.post(
            f"/moot/api/meetings/{path}/participants", json={"name": "Jill"}, headers=ADMIN
        )
        assert (response.status_code, response.json()) == (
            404,
            {"code": 3001, "message": f"Meeting does not exist: {path}."},
        )


async def test_a_participant_needs_a_name_and_a_valid_email(api: ZoomApi) -> None:
    meeting = await standup(api)
    response = await api.client.post(
        f"/moot/api/meetings/{meeting['id']}/participants", json={"email": "nope"}, headers=ADMIN
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [
                {"field": "name", "message": "This field is required."},
                {"field": "email", "message": "Invalid field."},
            ],
        },
    )


async def test_the_participants_api_needs_the_admin_token(api: ZoomApi) -> None:
    assert api.tenant is not None
    meeting = await standup(api)
    path = f"/moot/api/meetings/{meeting['id']}/participants"
    for headers in ({}, {"Authorization": f"Bearer {api.tenant.token}"}):
        response = await api.client.post(path, json={"name": "Jill"}, headers=headers)
        assert (response.status_code, response.json()) == (
            401,
            {"code": 124, "message": "Invalid admin token."},
        )


async def test_the_participants_api_is_off_without_admin_settings(
    store: Store, clock: ControllableClock
) -> None:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL)
    plain = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    async with asgi_client(plain) as client:
        response = await client.post(
            "/moot/api/meetings/12345678901/participants", json={"name": "J"}, headers=ADMIN
        )
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "The requested resource was not found."},
    )


# --- Nothing acknowledged is lost; nothing failed is announced ----------------------------------------


class _FailingTx:
    """A transaction whose participant insert fails, after the meeting.started event was written."""

    def __init__(self, tx: WriteTx) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def insert_participant(self, participant: Any) -> None:
        raise StorageError("disk full")


async def test_a_failed_start_writes_no_event_and_starts_nothing(
    api: ZoomApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = await standup(api)
    store = api.deps.store
    real_write = store.write

    @asynccontextmanager
    async def failing_write() -> AsyncIterator[Any]:
        async with real_write() as tx:
            yield _FailingTx(tx)

    monkeypatch.setattr(store, "write", failing_write)
    response = await api.client.get(meeting["start_url"])
    assert (response.status_code, response.json()) == (
        500,
        {"code": 500, "message": "An internal error occurred. Please try again later."},
    )
    monkeypatch.undo()
    assert await live_events(api) == []
    assert (await get(api, meeting["id"]))["status"] == "waiting"
    assert (await api.get(f"/v2/past_meetings/{meeting['id']}/instances")).json() == {"meetings": []}
    await start(api, meeting["id"])  # and the meeting starts once the store works again
    assert [e["event"] for e in await live_events(api)] == ["meeting.started", "meeting.participant_joined"]
