"""GET /v2/meetings/{meetingId}/invitation (Zoom's meetingInvitation) and moot's own
GET /v2/meetings/{meetingId}/ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from moot.domain.meetings import DEFAULT_SETTINGS
from tests.support.api import ZoomApi
from tests.support.ical import expand_ics


async def create(api: ZoomApi, **body: Any) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def get_ics(api: ZoomApi, meeting_id: object, token: str | None = None) -> httpx.Response:
    """The .ics is not JSON, so it is fetched past ZoomApi's JSON checks."""
    assert api.tenant is not None
    headers = {"Authorization": f"Bearer {token or api.tenant.token}"}
    return await api.client.get(f"/v2/meetings/{meeting_id}/ics", headers=headers)


def not_found(meeting_id: object) -> tuple[int, dict[str, Any]]:
    return 404, {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


def meeting_id_line(meeting_id: int) -> str:
    digits = str(meeting_id)
    middle = (len(digits) - 3) // 2
    return f"Meeting ID: {digits[:3]} {digits[3 : 3 + middle]} {digits[3 + middle :]}\r\n"


WEEKLY = {"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 6}


async def weekly_series(api: ZoomApi) -> dict[str, Any]:
    """Mon/Wed 09:00 Paris from Jan 7, 2030; the second occurrence deleted, the third moved to 11:00."""
    created = await create(
        api,
        topic="Standup",
        type=8,
        start_time="2030-01-07T09:00:00",
        timezone="Europe/Paris",
        duration=30,
        recurrence=WEEKLY,
    )
    occurrences = created["occurrences"]
    path = f"/v2/meetings/{created['id']}"
    response = await api.delete(f"{path}?occurrence_id={occurrences[1]['occurrence_id']}")
    assert response.status_code == 204
    response = await api.patch(
        f"{path}?occurrence_id={occurrences[2]['occurrence_id']}",
        json={"start_time": "2030-01-14T11:00:00", "duration": 45},
    )
    assert response.status_code == 204
    return created


async def test_the_invitation_of_a_scheduled_meeting(api: ZoomApi) -> None:
    created = await create(
        api, topic="My Meeting", start_time="2030-03-25T22:32:00Z", timezone="America/Los_Angeles"
    )
    response = await api.get(f"/v2/meetings/{created['id']}/invitation")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json;charset=UTF-8")
    assert response.json() == {
        "invitation": "Account Owner is inviting you to a scheduled Zoom meeting.\r\n\r\n"
        "Topic: My Meeting\r\n"
        "Time: Mar 25, 2030 03:32 PM Pacific Time (US and Canada)\r\n"
        "\r\n"
        "Join Zoom Meeting\r\n"
        f"{created['join_url']}\r\n"
        "\r\n" + meeting_id_line(created["id"]) + f"Passcode: {created['password']}\r\n",
        "sip_links": [],
    }


async def test_the_invitation_of_a_series_lists_what_is_left_of_it(api: ZoomApi) -> None:
    created = await weekly_series(api)
    response = await api.get(f"/v2/meetings/{created['id']}/invitation")
    assert response.status_code == 200
    assert response.json()["invitation"].split("\r\n\r\n")[1] == (
        "Topic: Standup\r\n"
        "Time: Jan 7, 2030 09:00 AM Paris\r\n"
        "        Every week on Mon, Wed, until Jan 23, 2030, 5 occurrence(s)\r\n"
        "        Jan 7, 2030 09:00 AM\r\n"
        "        Jan 14, 2030 11:00 AM\r\n"
        "        Jan 16, 2030 09:00 AM\r\n"
        "        Jan 21, 2030 09:00 AM\r\n"
        "        Jan 23, 2030 09:00 AM"
    )


async def test_telephone_audio_adds_the_dial_in_numbers(api: ZoomApi) -> None:
    created = await create(
        api, topic="Call", start_time="2030-03-25T22:32:00Z", timezone="UTC", settings={"audio": "both"}
    )
    body = (await api.get(f"/v2/meetings/{created['id']}/invitation")).json()
    number, pstn = created["id"], created["pstn_password"]
    assert body["invitation"].split(f"Passcode: {created['password']}\r\n", 1)[1] == (
        "One tap mobile\r\n"
        f"+16699006833,,{number}#,,,,*{pstn}# US (San Jose)\r\n"
        f"+16465588656,,{number}#,,,,*{pstn}# US (New York)\r\n"
        "\r\n"
        "Dial by your location\r\n"
        "        +1 669 900 6833 US (San Jose)\r\n"
        "        +1 646 558 8656 US (New York)\r\n" + meeting_id_line(number) + f"Passcode: {pstn}\r\n\r\n"
    )
    assert created["settings"]["global_dial_in_numbers"] == DEFAULT_SETTINGS["global_dial_in_numbers"]


async def test_a_recurring_meeting_without_fixed_time_meets_anytime(api: ZoomApi) -> None:
    created = await create(api, topic="Office hours", type=3, password="")
    body = (await api.get(f"/v2/meetings/{created['id']}/invitation")).json()
    assert body["invitation"] == (
        "Account Owner is inviting you to a scheduled Zoom meeting.\r\n\r\n"
        "Topic: Office hours\r\n"
        "Time: This is a recurring meeting Meet anytime\r\n"
        "\r\n"
        "Join Zoom Meeting\r\n"
        f"{created['join_url']}\r\n"
        "\r\n" + meeting_id_line(created["id"])
    )


async def test_unknown_and_foreign_meetings_have_no_invitation(api: ZoomApi) -> None:
    created = await create(api, topic="private")
    stranger = await api.new_tenant("stranger@example.com")
    for path in (f"/v2/meetings/{created['id']}/invitation", f"/v2/meetings/{created['id']}/ics"):
        response = await api.get(path, tenant=stranger)
        assert (response.status_code, response.json()) == not_found(created["id"])
    response = await api.get("/v2/meetings/12345678901/invitation")
    assert (response.status_code, response.json()) == not_found(12345678901)
    await api.delete(f"/v2/meetings/{created['id']}")
    response = await api.get(f"/v2/meetings/{created['id']}/invitation")
    assert (response.status_code, response.json()) == not_found(created["id"])


@pytest.mark.parametrize("suffix", ["invitation", "ics"])
async def test_both_need_an_access_token(api: ZoomApi, suffix: str) -> None:
    created = await create(api)
    response = await api.get(f"/v2/meetings/{created['id']}/{suffix}", auth=False)
    assert (response.status_code, response.json()) == (401, {"code": 124, "message": "Invalid access token."})


async def test_the_ics_of_a_scheduled_meeting(api: ZoomApi) -> None:
    created = await create(
        api, topic="Review", start_time="2030-03-25T22:30:00Z", timezone="Asia/Tokyo", duration=90
    )
    response = await get_ics(api, created["id"])
    assert response.status_code == 200
    assert (response.headers["content-type"], response.headers["content-disposition"]) == (
        "text/calendar; charset=utf-8",
        f'attachment; filename="meeting-{created["id"]}.ics"',
    )
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    invitation = (await api.get(f"/v2/meetings/{created['id']}/invitation")).json()["invitation"]
    assert {k: str(event[k]) for k in ("UID", "SUMMARY", "DESCRIPTION", "LOCATION", "URL")} == {
        "UID": f"{created['id']}@moot",
        "SUMMARY": "Review",
        "DESCRIPTION": invitation.replace("\r\n", "\n"),
        "LOCATION": created["join_url"],
        "URL": created["join_url"],
    }
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert expand_ics(response.content) == [
        (datetime(2030, 3, 25, 22, 30, tzinfo=UTC), timedelta(minutes=90))
    ]


async def test_the_ics_of_a_series_gives_back_its_occurrences(api: ZoomApi) -> None:
    created = await weekly_series(api)
    response = await api.get(f"/v2/meetings/{created['id']}?show_previous_occurrences=true")
    occurrences = response.json()["occurrences"]
    assert [o["status"] for o in occurrences] == ["available", "deleted", *["available"] * 4]
    response = await get_ics(api, created["id"])
    assert response.status_code == 200
    assert expand_ics(response.content) == sorted(
        (datetime.fromisoformat(o["start_time"]), timedelta(minutes=o["duration"]))
        for o in occurrences
        if o["status"] == "available"
    )
    master, override = Calendar.from_ical(response.content).walk("VEVENT")
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6;INTERVAL=1;BYDAY=MO,WE;WKST=MO"
    assert master["EXDATE"].to_ical() == b"20300109T090000"
    assert override["RECURRENCE-ID"].to_ical() == b"20300114T090000"


async def test_a_series_bounded_by_a_date_in_a_gmt_offset_zone_round_trips(api: ZoomApi) -> None:
    created = await create(
        api,
        type=8,
        start_time="2030-01-06T23:30:00Z",
        timezone="GMT+8",
        duration=60,
        recurrence={"type": 2, "weekly_days": "2", "end_date_time": "2030-03-01T00:00:00Z"},
    )
    response = await get_ics(api, created["id"])
    assert expand_ics(response.content) == [
        (datetime.fromisoformat(o["start_time"]), timedelta(minutes=60)) for o in created["occurrences"]
    ]
    assert len(created["occurrences"]) == 8


@pytest.mark.parametrize("meeting_type", [1, 3])
async def test_meetings_without_a_fixed_time_have_no_ics(api: ZoomApi, meeting_type: int) -> None:
    created = await create(api, type=meeting_type)
    response = await get_ics(api, created["id"])
    assert (response.status_code, response.json()) == (
        400,
        {"code": 3000, "message": f"Meeting {created['id']} has no fixed time, so it has no calendar file."},
    )
