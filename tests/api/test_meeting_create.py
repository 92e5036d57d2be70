"""POST /v2/users/{userId}/meetings (meetingCreate)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from moot.domain.meetings import DEFAULT_SETTINGS
from tests.support.api import ZoomApi
from tests.support.expected import meeting_body

CREATED_AT = "2026-01-15T12:00:00Z"  # the frozen clock
WEEKLY_MON_WED = ["01-07", "01-09", "01-14", "01-16", "01-21", "01-23", "01-28", "01-30", "02-04", "02-06"]


def occurrence(start: str, duration: int, status: str = "available") -> dict[str, Any]:
    ms = int(datetime.fromisoformat(start).timestamp()) * 1000
    return {"occurrence_id": str(ms), "start_time": start, "duration": duration, "status": status}


def owner(api: ZoomApi) -> dict[str, str]:
    assert api.tenant is not None
    return {"host_id": api.tenant.owner.id, "host_email": api.tenant.owner.email}


async def create(api: ZoomApi, body: Any, user: str = "me") -> dict[str, Any]:
    response = await api.post(f"/v2/users/{user}/meetings", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.headers["x-zm-trackingid"].startswith("v=2.0;clid=")
    return response.json()  # type: ignore[no-any-return]


async def test_the_tutorial_call_with_strings_everywhere(api: ZoomApi) -> None:
    body = await create(
        api,
        {
            "topic": "Zoom Meeting Topic",
            "type": "2",
            "start_time": "2021-06-09T17:00:00Z",
            "duration": "30",
            "timezone": "GMT+8",
            "agenda": "Zoom Meeting Agenda",
            "settings": {"join_before_host": "true", "mute_upon_entry": "true", "approval_type": "2"},
        },
    )
    assert body == meeting_body(
        body,
        **owner(api),
        topic="Zoom Meeting Topic",
        start_time="2021-06-09T17:00:00Z",
        duration=30,
        timezone="GMT+8",
        agenda="Zoom Meeting Agenda",
        created_at=CREATED_AT,
        settings={"join_before_host": True, "mute_upon_entry": True, "approval_type": 2},
    )
    assert list(body)[:8] == ["uuid", "id", "host_id", "host_email", "topic", "type", "status", "start_time"]


async def test_an_empty_body_creates_a_scheduled_meeting_starting_now(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings", headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    body = response.json()
    assert body == meeting_body(
        body,
        **owner(api),
        topic="Zoom Meeting",
        start_time=CREATED_AT,
        duration=0,
        timezone="UTC",
        created_at=CREATED_AT,
    )


async def test_the_meeting_is_committed_when_201_is_answered(api: ZoomApi) -> None:
    body = await create(api, {"topic": "durable"})
    assert api.tenant is not None
    stored = await api.deps.store.get_meeting(api.tenant.account.id, body["id"])
    assert stored is not None and stored.topic == "durable" and stored.uuid == body["uuid"]


async def test_an_instant_meeting_has_no_start_time_and_no_duration(api: ZoomApi) -> None:
    body = await create(
        api, {"topic": "now", "type": 1, "start_time": "2030-01-01T00:00:00Z", "duration": 40}
    )
    assert body == meeting_body(
        body, **owner(api), topic="now", type=1, timezone="UTC", created_at=CREATED_AT
    )


async def test_a_recurring_meeting_without_fixed_time_echoes_its_recurrence(api: ZoomApi) -> None:
    body = await create(api, {"topic": "open", "type": 3, "recurrence": {"type": 1}})
    assert body == meeting_body(
        body,
        **owner(api),
        topic="open",
        type=3,
        duration=0,
        timezone="UTC",
        created_at=CREATED_AT,
        recurrence={"type": 1, "repeat_interval": 1, "end_times": 1},
    )


async def test_a_recurring_meeting_with_fixed_time_needs_a_recurrence(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings", json={"type": 8, "start_time": "2030-01-01T09:00:00Z"})
    assert response.status_code == 400
    assert response.json() == {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [
            {
                "field": "recurrence",
                "message": "Recurrence is required for a recurring meeting with a fixed time.",
            }
        ],
    }


async def test_a_recurring_meeting_with_fixed_time_stores_the_recurrence_as_zoom_shapes_it(
    api: ZoomApi,
) -> None:
    body = await create(
        api,
        {
            "topic": "weekly",
            "type": "8",
            "start_time": "2030-01-07T09:00:00",
            "timezone": "America/New_York",
            "duration": 45,
            "recurrence": {"type": "2", "weekly_days": "2, 4", "repeat_interval": "1", "end_times": "10"},
        },
    )
    assert body == meeting_body(
        body,
        **owner(api),
        topic="weekly",
        type=8,
        start_time="2030-01-07T14:00:00Z",
        duration=45,
        timezone="America/New_York",
        created_at=CREATED_AT,
        recurrence={"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 10},
        occurrences=[occurrence(f"2030-{day}T14:00:00Z", 45) for day in WEEKLY_MON_WED],
    )


@pytest.mark.parametrize(
    ("start_time", "timezone", "expected"),
    [
        ("2030-03-01T10:00:00Z", "Asia/Seoul", "2030-03-01T10:00:00Z"),
        ("2030-03-01T10:00:00", "Asia/Seoul", "2030-03-01T01:00:00Z"),
        ("2030-07-01T10:00:00", "America/Los_Angeles", "2030-07-01T17:00:00Z"),
        ("2030-03-01T10:00:00", "GMT-05:00", "2030-03-01T15:00:00Z"),
        ("2030-03-01T10:00:00", "UTC+8", "2030-03-01T02:00:00Z"),
        ("2030-03-01T10:00:00+08:00", "UTC", "2030-03-01T02:00:00Z"),
        ("2030-03-01T10:00:00.789Z", "UTC", "2030-03-01T10:00:00Z"),
        ("2030-03-01 10:00:00", "Europe/Berlin", "2030-03-01T09:00:00Z"),
    ],
)
async def test_start_time_is_read_as_zoom_reads_it(
    api: ZoomApi, start_time: str, timezone: str, expected: str
) -> None:
    body = await create(api, {"start_time": start_time, "timezone": timezone, "duration": 30})
    assert (body["start_time"], body["timezone"]) == (expected, timezone)


async def test_start_time_without_zone_uses_the_hosts_timezone(api: ZoomApi) -> None:
    body = await create(api, {"start_time": "2030-03-01T10:00:00"})
    assert (body["start_time"], body["timezone"]) == ("2030-03-01T10:00:00Z", "UTC")


@pytest.mark.parametrize(("password", "numeric"), [("abc123", None), ("123456", "123456"), ("A@-_*z", None)])
async def test_a_chosen_passcode_is_kept(api: ZoomApi, password: str, numeric: str | None) -> None:
    body = await create(api, {"password": password})
    assert body["password"] == password
    if numeric is not None:
        assert body["h323_password"] == body["pstn_password"] == numeric
    assert body == meeting_body(
        body,
        **owner(api),
        passcode=password,
        topic="Zoom Meeting",
        start_time=CREATED_AT,
        duration=0,
        timezone="UTC",
        created_at=CREATED_AT,
    )


async def test_an_empty_passcode_means_no_passcode(api: ZoomApi) -> None:
    body = await create(api, {"password": ""})
    assert {k: body[k] for k in ("password", "h323_password", "pstn_password", "encrypted_password")} == {
        "password": "",
        "h323_password": "",
        "pstn_password": "",
        "encrypted_password": "",
    }
    assert body["join_url"] == f"http://moot.test/j/{body['id']}"


async def test_unknown_fields_and_null_settings_are_ignored(api: ZoomApi) -> None:
    body = await create(
        api,
        {
            "user_id": "me",
            "id": 123,
            "topic": "loose",
            "settings": {
                "host_video": None,
                "cn_meeting": None,
                "in_meeting": False,
                "enforce_login": None,
                "registration_type": 1,
                "made_up": {"x": 1},
            },
        },
    )
    assert body["topic"] == "loose"
    assert body["settings"] == DEFAULT_SETTINGS
    assert body["id"] != 123


async def test_settings_follow_zoom_coupling_rules(api: ZoomApi) -> None:
    body = await create(
        api,
        {
            "settings": {
                "waiting_room": True,
                "alternative_hosts": "a@example.com, b@example.com;;",
                "jbh_time": "5",
            }
        },
    )
    assert body["settings"] == {
        **DEFAULT_SETTINGS,
        "waiting_room": True,
        "join_before_host": False,
        "alternative_hosts": "a@example.com;b@example.com",
        "jbh_time": 5,
    }


async def test_every_documented_setting_is_stored_and_echoed(api: ZoomApi) -> None:
    sent = {
        "host_video": True,
        "participant_video": True,
        "audio": "both",
        "auto_recording": "cloud",
        "approval_type": 0,
        "registration_type": 3,
        "encryption_type": "e2ee",
        "contact_name": "Jill",
        "contact_email": "jill@example.com",
        "global_dial_in_countries": ["US", "DE"],
        "authentication_exception": [{"email": "x@example.com", "name": "X"}],
        "breakout_room": {"enable": True, "rooms": [{"name": "r1", "participants": ["p@example.com"]}]},
        "language_interpretation": {
            "enable": True,
            "interpreters": [{"email": "i@example.com", "languages": "US,CN"}],
        },
        "meeting_invitees": [{"email": "guest@example.com"}],
        "approved_or_denied_countries_or_regions": {"enable": True, "method": "deny", "denied_list": ["CA"]},
        "continuous_meeting_chat": {"enable": True, "auto_add_invited_external_users": True},
        "resources": [{"resource_type": "whiteboard", "resource_id": "X4Hy02w3QUOdskKofgb9Jg"}],
        "calendar_type": 2,
        "focus_mode": True,
    }
    body = await create(api, {"settings": sent})
    expected = {**DEFAULT_SETTINGS, **sent}
    expected["resources"] = [{**sent["resources"][0], "permission_level": "editor"}]
    assert body["settings"] == expected


async def test_tracking_fields_are_echoed_visible(api: ZoomApi) -> None:
    body = await create(api, {"tracking_fields": [{"field": "crm", "value": "42"}, {"field": "team"}]})
    assert body["tracking_fields"] == [
        {"field": "crm", "value": "42", "visible": True},
        {"field": "team", "value": "", "visible": True},
    ]


async def test_use_pmi_hosts_on_the_personal_meeting_id(api: ZoomApi) -> None:
    body = await create(api, {"settings": {"use_pmi": "true"}})
    assert api.tenant is not None
    pmi = api.tenant.owner.pmi
    assert body["pmi"] == str(pmi)
    assert body["join_url"] == f"http://moot.test/j/{pmi}?pwd={body['encrypted_password']}"


async def test_the_host_can_be_named_by_id_or_by_email(api: ZoomApi) -> None:
    assert api.tenant is not None
    for ref in (api.tenant.owner.id, api.tenant.owner.email.upper()):
        body = await create(api, {"topic": "by ref"}, user=ref)
        assert body["host_id"] == api.tenant.owner.id


async def test_schedule_for_makes_another_user_the_host(api: ZoomApi) -> None:
    created = await api.post(
        "/v2/users", json={"action": "custCreate", "user_info": {"email": "b@example.com", "type": 2}}
    )
    other = created.json()["id"]
    body = await create(api, {"topic": "for b", "schedule_for": "b@example.com"})
    assert api.tenant is not None
    assert (body["host_id"], body["host_email"], body["assistant_id"]) == (
        other,
        "b@example.com",
        api.tenant.owner.id,
    )


async def test_schedule_for_an_unknown_user_is_invalid(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings", json={"schedule_for": "nobody@example.com"})
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "The value that you entered for the schedule_for field is invalid. "
            "Enter a valid value and try again.",
        },
    )


async def test_an_instant_meeting_cannot_be_scheduled_for_someone(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings", json={"type": 1, "schedule_for": "me@example.com"})
    assert (response.status_code, response.json()) == (
        400,
        {"code": 3000, "message": "Instant meetings do not support the schedule_for parameter."},
    )


async def test_an_unknown_user_is_zoom_1001(api: ZoomApi) -> None:
    response = await api.post("/v2/users/nobody@example.com/meetings", json={})
    assert (response.status_code, response.json()) == (
        404,
        {"code": 1001, "message": "User does not exist: nobody@example.com."},
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"topic": "x" * 201}, [("topic", "Length must be less than or equal to 200.")]),
        ({"agenda": "x" * 2001}, [("agenda", "Length must be less than or equal to 2000.")]),
        (
            {"password": "abc 12"},
            [("password", "Passcode may only contain the following characters: [a-z A-Z 0-9 @ - _ *].")],
        ),
        ({"password": "12345678901"}, [("password", "Length must be less than or equal to 10.")]),
        ({"type": 5}, [("type", "Invalid field.")]),
        ({"type": "two"}, [("type", "Invalid field.")]),
        ({"duration": "abc"}, [("duration", "Invalid field.")]),
        ({"duration": 30.5}, [("duration", "Invalid field.")]),
        ({"timezone": "Mars/Olympus_Mons"}, [("timezone", "Invalid timezone.")]),
        ({"start_time": "tomorrow"}, [("start_time", "Invalid field.")]),
        ({"start_time": "2030-02-30T10:00:00Z"}, [("start_time", "Invalid field.")]),
        ({"settings": {"audio": "pigeon"}}, [("settings.audio", "Invalid field.")]),
        ({"settings": {"approval_type": 3}}, [("settings.approval_type", "Invalid field.")]),
        ({"settings": {"mute_upon_entry": "perhaps"}}, [("settings.mute_upon_entry", "Invalid field.")]),
        ({"settings": {"contact_email": "not-an-email"}}, [("settings.contact_email", "Invalid field.")]),
        ({"settings": "yes"}, [("settings", "Invalid field.")]),
        (
            {"recurrence": {"type": 1, "repeat_interval": 91}, "type": 8},
            [("recurrence", "repeat_interval must be less than or equal to 90 for this recurrence type.")],
        ),
        (
            {"recurrence": {"type": 2, "weekly_days": "8"}, "type": 8},
            [("recurrence.weekly_days", "Invalid field.")],
        ),
        (
            {"recurrence": {"type": 1, "end_times": 61}, "type": 8},
            [("recurrence.end_times", "Invalid field.")],
        ),
        (
            {"recurrence": {"type": 1, "end_times": 2, "end_date_time": "2030-01-01T00:00:00Z"}, "type": 8},
            [("recurrence", "end_times and end_date_time cannot be used together.")],
        ),
        ({"recurrence": {"repeat_interval": 1}, "type": 8}, [("recurrence.type", "This field is required.")]),
        ({"tracking_fields": [{"value": "x"}]}, [("tracking_fields[0].field", "This field is required.")]),
        (
            {"topic": "x" * 201, "type": 9},
            [("topic", "Length must be less than or equal to 200."), ("type", "Invalid field.")],
        ),
    ],
)
async def test_invalid_input_is_zoom_300_with_errors(
    api: ZoomApi, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [{"field": field, "message": message} for field, message in errors],
    }


@pytest.mark.parametrize("raw", [b"{bad json", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_a_body_that_is_not_a_json_object_is_rejected(api: ZoomApi, raw: bytes) -> None:
    response = await api.post(
        "/v2/users/me/meetings", content=raw, headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Request Body should be a valid JSON object."},
    )


async def test_a_chunked_body_is_read(api: ZoomApi) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"topic": "chun'
        yield b'ked"}'

    response = await api.post(
        "/v2/users/me/meetings", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201
    assert response.json()["topic"] == "chunked"


async def test_a_trailing_slash_and_a_stray_ampersand_are_fine(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings/?&", json={"topic": "slash"})
    assert response.status_code == 201
    assert response.json()["topic"] == "slash"
