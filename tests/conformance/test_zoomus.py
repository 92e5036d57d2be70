"""zoomus (the most used Python Zoom client) against a live moot, pointed at it only by its two URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from zoomus import ZoomClient

from tests.conformance import expect
from tests.conformance.server import LiveServer

SENT_SETTINGS = {"host_video": True, "mute_upon_entry": True, "waiting_room": True, "audio": "both"}


@pytest.fixture(scope="module")
def zoom(live_server: LiveServer) -> ZoomClient:
    B = live_server.base_url
    return ZoomClient(
        live_server.client_id,
        live_server.client_secret,
        live_server.account_id,
        base_uri=f"{B}/v2",
        oauth_uri=f"{B}/oauth/token",
    )


@pytest.fixture(scope="module")
def owner(zoom: ZoomClient) -> dict[str, Any]:
    response = zoom.user.me()
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _json(response: requests.Response, status: int) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def _no_content(response: requests.Response) -> None:
    assert response.status_code == 204, f"{response.request.method} {response.url}: {response.text}"
    assert response.content == b""


def _not_found(response: requests.Response, meeting_id: int | str) -> None:
    assert _json(response, 404) == expect.meeting_not_found(meeting_id)


def test_constructor_fetches_a_token(zoom: ZoomClient) -> None:
    # zoomus posts grant_type=account_credentials&account_id=... as a form and keeps only access_token.
    assert zoom.config["token"] == expect.matches(expect.JWT, "JWT access token")


def test_tokens_of_several_clients_are_valid_at_once(live_server: LiveServer, zoom: ZoomClient) -> None:
    # Many programs build a ZoomClient per job or per request: every token issued stays valid.
    B = live_server.base_url
    clients = [
        ZoomClient(
            live_server.client_id,
            live_server.client_secret,
            live_server.account_id,
            base_uri=f"{B}/v2",
            oauth_uri=f"{B}/oauth/token",
        )
        for _ in range(3)
    ]
    for client in [zoom, *clients]:
        assert _json(client.user.me(), 200)["email"] == live_server.owner_email


def test_wrong_secret_surfaces_as_zoom_401(live_server: LiveServer) -> None:
    # zoomus does not check the token response: it keeps None, sends "Bearer None" and shows the 401.
    B = live_server.base_url
    client = ZoomClient(
        live_server.client_id,
        "not-the-secret",
        live_server.account_id,
        base_uri=f"{B}/v2",
        oauth_uri=f"{B}/oauth/token",
    )
    assert client.config["token"] is None
    assert _json(client.user.me(), 401) == {"code": 124, "message": "Invalid access token."}


def test_user_me(zoom: ZoomClient, live_server: LiveServer, owner: dict[str, Any]) -> None:
    expected = expect.owner_user(
        live_server.base_url, account_id=live_server.account_id, email=live_server.owner_email
    )
    assert expect.picked(owner, expected) == expected
    assert sorted(set(owner) - expect.USER_KEYS) == [], "keys Zoom's user object does not have"
    assert owner["personal_meeting_url"] == f"{live_server.base_url}/j/{owner['pmi']}"
    # The same user by id and by email.
    assert _json(zoom.user.get(id=owner["id"]), 200) == owner
    assert _json(zoom.user.get(id=live_server.owner_email), 200) == owner


def test_users_list_has_the_owner(zoom: ZoomClient, owner: dict[str, Any]) -> None:
    body = _json(zoom.user.list(page_size=300), 200)
    assert expect.without(body, "users") == {
        "page_count": expect.integer(1, 2**31),
        "page_number": 1,
        "page_size": 300,
        "total_records": expect.integer(1, 2**31),
        "next_page_token": "",
    }
    listed = [u for u in body["users"] if u.get("id") == owner["id"]]
    assert len(listed) == 1
    assert listed[0]["email"] == owner["email"]


def test_meeting_lifecycle(zoom: ZoomClient, live_server: LiveServer, owner: dict[str, Any]) -> None:
    B = live_server.base_url

    # Create: zoomus sends start_time as "%Y-%m-%dT%H:%M:%SZ" (a UTC time, whatever the timezone) and
    # leaves "user_id" in the body.
    created = _json(
        zoom.meeting.create(
            user_id="me",
            topic="Conformance (zoomus)",
            type=2,
            start_time=datetime(2031, 5, 6, 7, 8, 9),
            duration=45,
            timezone="Europe/Berlin",
            agenda="Driven by zoomus",
            settings=SENT_SETTINGS,
        ),
        201,
    )
    assert created.get("id") == expect.MEETING_ID
    meeting_id = created["id"]
    fields: dict[str, Any] = {
        "meeting_id": meeting_id,
        "encrypted_password": created.get("encrypted_password"),
        "host_id": owner["id"],
        "host_email": owner["email"],
        "topic": "Conformance (zoomus)",
        "start_time": "2031-05-06T07:08:09Z",
        "duration": 45,
        "timezone": "Europe/Berlin",
        "agenda": "Driven by zoomus",
    }
    assert created == expect.meeting(B, **fields)
    assert expect.picked(created["settings"], expect.settings(**SENT_SETTINGS)) == expect.settings(
        **SENT_SETTINGS
    )

    # Get (zoomus adds ?id=<id>): the same meeting; start_url carries a freshly minted zak.
    got = _json(zoom.meeting.get(id=meeting_id), 200)
    assert got == expect.meeting(B, **fields)
    assert expect.without(got, "start_url") == expect.without(created, "start_url")

    # List (zoomus adds ?user_id=me): the meeting is there, as a list item.
    page = _json(zoom.meeting.list(user_id="me", page_size=300), 200)
    assert expect.without(page, "meetings") == expect.without(expect.meeting_list(page_size=300), "meetings")
    listed = [m for m in page["meetings"] if m["id"] == meeting_id]
    assert listed == [expect.list_item(got)]

    # Update (zoomus leaves "id" in the body): 204, then a GET shows the change; settings are merged.
    _no_content(
        zoom.meeting.update(
            id=meeting_id,
            topic="Conformance (zoomus), moved",
            start_time=datetime(2031, 6, 7, 8, 9, 10),
            duration=90,
            settings={"mute_upon_entry": False},
        )
    )
    updated = _json(zoom.meeting.get(id=meeting_id), 200)
    changed = {"topic": "Conformance (zoomus), moved", "start_time": "2031-06-07T08:09:10Z", "duration": 90}
    assert updated == expect.meeting(B, **{**fields, **changed})
    assert expect.without(updated, "start_url", "settings") == {
        **expect.without(created, "start_url", "settings"),
        **changed,
    }
    assert updated["settings"] == {**created["settings"], "mute_upon_entry": False}

    # Delete: 204 with an empty body; afterwards Zoom's 3001 for GET, DELETE and the list.
    _no_content(zoom.meeting.delete(id=meeting_id))
    _not_found(zoom.meeting.get(id=meeting_id), meeting_id)
    _not_found(zoom.meeting.delete(id=meeting_id), meeting_id)
    page = _json(zoom.meeting.list(user_id="me", page_size=300), 200)
    assert meeting_id not in [m["id"] for m in page["meetings"]]


def test_get_meeting_that_never_existed(zoom: ZoomClient) -> None:
    _not_found(zoom.meeting.get(id=99999999999), 99999999999)


def test_update_status_end_on_a_waiting_meeting(zoom: ZoomClient) -> None:
    created = _json(
        zoom.meeting.create(user_id="me", topic="Status", type=2, start_time=datetime(2031, 1, 1, 9, 0, 0)),
        201,
    )
    _no_content(zoom.meeting.update_status(id=created["id"], action="end"))
    assert _json(zoom.meeting.get(id=created["id"]), 200)["status"] == "waiting"
    _no_content(zoom.meeting.delete(id=created["id"]))


PAGER = {"email": "pager@conformance.moot.test", "type": 1, "first_name": "Page", "last_name": "Turner"}
PAGED_MEETINGS = 5


@pytest.fixture(scope="module")
def paged_meetings(zoom: ZoomClient) -> Iterator[list[dict[str, Any]]]:
    """Five scheduled meetings, one a day, of a user of their own, so no other test changes the list."""
    created_user = _json(zoom.user.create(action="custCreate", user_info=PAGER), 201)
    assert created_user == {
        "id": expect.USER_ID,
        **{key: PAGER[key] for key in ("first_name", "last_name", "email", "type")},
    }
    meetings = [
        _json(
            zoom.meeting.create(
                user_id=PAGER["email"],
                topic=f"Page {day}",
                type=2,
                start_time=datetime(2032, 3, day, 10, 0, 0),
            ),
            201,
        )
        for day in range(1, PAGED_MEETINGS + 1)
    ]
    assert {m["host_id"] for m in meetings} == {created_user["id"]}
    yield meetings
    for m in meetings:
        _no_content(zoom.meeting.delete(id=m["id"]))


def _page(response: requests.Response, *, page_number: int, last: bool) -> list[int]:
    body = _json(response, 200)
    assert expect.without(body, "meetings") == {
        "page_count": 3,
        "page_number": page_number,
        "page_size": 2,
        "total_records": PAGED_MEETINGS,
        "next_page_token": "" if last else expect.matches(r"\S+", "a token"),
    }
    return [m["id"] for m in body["meetings"]]


def test_list_pages_by_next_page_token(zoom: ZoomClient, paged_meetings: list[dict[str, Any]]) -> None:
    ids = [m["id"] for m in paged_meetings]
    first = zoom.meeting.list(user_id=PAGER["email"], page_size=2)
    assert _page(first, page_number=1, last=False) == ids[0:2]
    # Only the token on later pages (as some clients send it): it must carry page_size and the rest.
    second = zoom.meeting.list(user_id=PAGER["email"], next_page_token=first.json()["next_page_token"])
    assert _page(second, page_number=2, last=False) == ids[2:4]
    # page_size repeated alongside the token (as zoomus users usually write it).
    third = zoom.meeting.list(
        user_id=PAGER["email"], page_size=2, next_page_token=second.json()["next_page_token"]
    )
    assert _page(third, page_number=3, last=True) == ids[4:5]


def test_list_pages_by_page_number(zoom: ZoomClient, paged_meetings: list[dict[str, Any]]) -> None:
    ids = [m["id"] for m in paged_meetings]
    seen = [
        _page(
            zoom.meeting.list(user_id=PAGER["email"], page_size=2, page_number=n), page_number=n, last=n == 3
        )
        for n in (1, 2, 3)
    ]
    assert seen == [ids[0:2], ids[2:4], ids[4:5]]


def test_recurring_meeting_with_fixed_time_lists_its_occurrences(zoom: ZoomClient) -> None:
    start = datetime(2031, 1, 1, 10, 0, 0)
    created = _json(
        zoom.meeting.create(
            user_id="me",
            topic="Daily, three times",
            type=8,
            start_time=start,
            duration=30,
            timezone="UTC",
            recurrence={"type": 1, "repeat_interval": 1, "end_times": 3},
        ),
        201,
    )
    try:
        days = [start.replace(tzinfo=UTC) + timedelta(days=n) for n in range(3)]
        occurrences = [
            {
                "occurrence_id": str(int(day.timestamp() * 1000)),
                "start_time": day.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": 30,
                "status": "available",
            }
            for day in days
        ]
        assert created.get("occurrences") == occurrences
        assert _json(zoom.meeting.get(id=created["id"]), 200).get("occurrences") == occurrences
    finally:
        _no_content(zoom.meeting.delete(id=created["id"]))


# --- registration (meeting.add_registrant, list_registrants, update_registrant_status) ---------------

REGISTRANT_TOKEN = r"[A-Za-z0-9_-]{43}"
PIN_CODE = expect.integer(10_000_000, 99_999_999)
EMPTY_PROFILE = dict.fromkeys(
    (
        "address",
        "city",
        "country",
        "zip",
        "state",
        "phone",
        "industry",
        "org",
        "job_title",
        "purchasing_time_frame",
        "role_in_purchase_process",
        "no_of_employees",
        "comments",
    ),
    "",
)


def _personal_link(base_url: str, meeting: dict[str, Any]) -> expect.Shape:
    prefix = re.escape(f"{base_url}/w/{meeting['id']}?tk=")
    return expect.matches(
        rf"{prefix}{REGISTRANT_TOKEN}&pwd={re.escape(meeting['encrypted_password'])}", "personal join link"
    )


def _registrant_page(*registrants: dict[str, Any]) -> dict[str, Any]:
    return {
        "page_count": 1 if registrants else 0,
        "page_number": 1,
        "page_size": 30,
        "total_records": len(registrants),
        "next_page_token": "",
        "registrants": list(registrants),
    }


@pytest.fixture
def registration_meeting(zoom: ZoomClient) -> Iterator[dict[str, Any]]:
    """A scheduled meeting whose registrants the host approves (approval_type 1)."""
    created = _json(
        zoom.meeting.create(
            user_id="me",
            topic="Registration (zoomus)",
            type=2,
            start_time=datetime(2031, 9, 1, 15, 0, 0),
            duration=60,
            settings={"approval_type": 1, "registration_type": 1},
        ),
        201,
    )
    yield created
    _no_content(zoom.meeting.delete(id=created["id"]))


def test_registration_with_manual_approval(
    zoom: ZoomClient, live_server: LiveServer, registration_meeting: dict[str, Any]
) -> None:
    B, meeting_id = live_server.base_url, registration_meeting["id"]

    # add_registrant leaves "id" (the meeting's) in the body. Manual approval: no join_url yet.
    added = _json(
        zoom.meeting.add_registrant(
            id=meeting_id, email="jill@conformance.moot.test", first_name="Jill", last_name="Chill", org="Org"
        ),
        201,
    )
    assert added == {
        "id": meeting_id,
        "registrant_id": expect.USER_ID,
        "start_time": "2031-09-01T15:00:00Z",
        "topic": "Registration (zoomus)",
    }
    pending = {
        "id": added["registrant_id"],
        "email": "jill@conformance.moot.test",
        "first_name": "Jill",
        **EMPTY_PROFILE,
        "last_name": "Chill",
        "org": "Org",
        "custom_questions": [],
        "status": "pending",
        "create_time": expect.ZOOM_TIME,
    }
    # list_registrants sends "id" as a query parameter too; the status filter defaults to approved.
    assert _json(zoom.meeting.list_registrants(id=meeting_id), 200) == _registrant_page()
    assert _json(zoom.meeting.list_registrants(id=meeting_id, status="pending"), 200) == _registrant_page(
        pending
    )

    _no_content(
        zoom.meeting.update_registrant_status(
            id=meeting_id, action="approve", registrants=[{"id": added["registrant_id"]}]
        )
    )
    approved = {
        **pending,
        "status": "approved",
        "join_url": _personal_link(B, registration_meeting),
        "participant_pin_code": PIN_CODE,
    }
    assert _json(zoom.meeting.list_registrants(id=meeting_id), 200) == _registrant_page(approved)

    # auto_approve approves at once, and the answer carries the personal link.
    auto = _json(
        zoom.meeting.add_registrant(
            id=meeting_id, email="jack@conformance.moot.test", first_name="Jack", auto_approve=True
        ),
        201,
    )
    assert auto == {
        "id": meeting_id,
        "join_url": _personal_link(B, registration_meeting),
        "registrant_id": expect.USER_ID,
        "start_time": "2031-09-01T15:00:00Z",
        "topic": "Registration (zoomus)",
        "participant_pin_code": PIN_CODE,
    }

    # Cancel by email: the registrant is listed as denied, without a link.
    _no_content(
        zoom.meeting.update_registrant_status(
            id=meeting_id, action="cancel", registrants=[{"email": "JACK@conformance.moot.test"}]
        )
    )
    cancelled = {
        **pending,
        "id": auto["registrant_id"],
        "email": "jack@conformance.moot.test",
        "first_name": "Jack",
        "last_name": "",
        "org": "",
        "status": "denied",
    }
    denied = _json(zoom.meeting.list_registrants(id=meeting_id, status="denied"), 200)
    assert denied == _registrant_page(cancelled)

    # The same email twice: Zoom-style 400.
    again = zoom.meeting.add_registrant(id=meeting_id, email="jill@conformance.moot.test", first_name="J")
    assert _json(again, 400) == {
        "code": 3000,
        "message": 'Email "jill@conformance.moot.test" has already been registered for this meeting.',
    }


def test_registration_on_a_meeting_without_it(zoom: ZoomClient) -> None:
    created = _json(
        zoom.meeting.create(user_id="me", topic="No registration", type=2, start_time=datetime(2031, 1, 1)),
        201,
    )
    try:
        response = zoom.meeting.add_registrant(
            id=created["id"], email="x@conformance.moot.test", first_name="X"
        )
        assert _json(response, 404) == {
            "code": 404,
            "message": f"Registration has not been enabled for this meeting: {created['id']}.",
        }
    finally:
        _no_content(zoom.meeting.delete(id=created["id"]))
