"""GET, PATCH and DELETE /v2/meetings/{meetingId} and PUT /v2/meetings/{meetingId}/status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from moot.domain.clock import ControllableClock
from moot.domain.meetings import DEFAULT_SETTINGS
from tests.support.api import ZoomApi
from tests.support.expected import meeting_body

CREATED_AT = "2026-01-15T12:00:00Z"


async def create(api: ZoomApi, **body: Any) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def get(api: ZoomApi, meeting_id: int) -> dict[str, Any]:
    response = await api.get(f"/v2/meetings/{meeting_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def not_found(meeting_id: object) -> tuple[int, dict[str, Any]]:
    return 404, {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


async def test_get_answers_what_create_answered_with_a_fresh_zak(
    api: ZoomApi, clock: ControllableClock
) -> None:
    created = await create(
        api, topic="Standup", start_time="2030-05-01T09:00:00Z", duration=15, timezone="Europe/Paris"
    )
    clock.advance(60)
    fetched = await get(api, created["id"])
    assert fetched["start_url"] != created["start_url"]
    assert {**fetched, "start_url": None} == {**created, "start_url": None}


async def test_get_of_a_missing_meeting_is_3001(api: ZoomApi) -> None:
    response = await api.get("/v2/meetings/12345678901")
    assert (response.status_code, response.json()) == not_found(12345678901)


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999999", "1.5"])
async def test_a_meeting_id_that_is_not_a_number_is_3001(api: ZoomApi, raw: str) -> None:
    response = await api.get(f"/v2/meetings/{raw}")
    assert (response.status_code, response.json()) == not_found(raw)


async def test_unknown_query_parameters_are_ignored(api: ZoomApi) -> None:
    created = await create(api, topic="q")
    response = await api.get(f"/v2/meetings/{created['id']}?id={created['id']}&foo=bar&")
    assert response.status_code == 200


async def test_an_occurrence_id_that_names_no_occurrence_is_3000(api: ZoomApi) -> None:
    created = await create(api, topic="single")
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.call(method, f"/v2/meetings/{created['id']}?occurrence_id=1648194360000")
        assert (response.status_code, response.json()) == (
            400,
            {"code": 3000, "message": "Invalid occurrence_id."},
        )


async def test_patch_changes_only_the_fields_sent(api: ZoomApi) -> None:
    created = await create(
        api,
        topic="before",
        agenda="keep me",
        start_time="2030-05-01T09:00:00Z",
        duration=30,
        timezone="UTC",
        settings={"mute_upon_entry": True},
    )
    response = await api.patch(
        f"/v2/meetings/{created['id']}",
        json={
            "id": 1,
            "topic": "after",
            "duration": "45",
            "agenda": None,
            "settings": {"waiting_room": "true"},
        },
    )
    assert (response.status_code, response.content) == (204, b"")
    fetched = await get(api, created["id"])
    assert fetched == {
        **created,
        "topic": "after",
        "duration": 45,
        "start_url": fetched["start_url"],
        "settings": {**DEFAULT_SETTINGS, "mute_upon_entry": True, "waiting_room": True},
    }


async def test_patch_start_time_reads_the_meetings_timezone(api: ZoomApi) -> None:
    created = await create(api, start_time="2030-05-01T09:00:00Z", timezone="Asia/Tokyo")
    await api.patch(f"/v2/meetings/{created['id']}", json={"start_time": "2030-06-01T09:00:00"})
    assert (await get(api, created["id"]))["start_time"] == "2030-06-01T00:00:00Z"
    await api.patch(
        f"/v2/meetings/{created['id']}", json={"timezone": "UTC", "start_time": "2030-06-01T09:00:00"}
    )
    fetched = await get(api, created["id"])
    assert (fetched["start_time"], fetched["timezone"]) == ("2030-06-01T09:00:00Z", "UTC")


async def test_patch_a_new_passcode_renews_the_join_link(api: ZoomApi) -> None:
    created = await create(api)
    await api.patch(f"/v2/meetings/{created['id']}", json={"password": "654321"})
    fetched = await get(api, created["id"])
    assert (fetched["password"], fetched["h323_password"], fetched["pstn_password"]) == ("654321",) * 3
    assert fetched["encrypted_password"] != created["encrypted_password"]
    assert fetched["join_url"].endswith(f"?pwd={fetched['encrypted_password']}")


async def test_patch_to_a_series_needs_a_recurrence(api: ZoomApi) -> None:
    created = await create(api, topic="one-off")
    response = await api.patch(f"/v2/meetings/{created['id']}", json={"type": 8})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "recurrence"
    response = await api.patch(
        f"/v2/meetings/{created['id']}", json={"type": 8, "recurrence": {"type": 1, "end_times": 3}}
    )
    assert response.status_code == 204
    fetched = await get(api, created["id"])
    assert (fetched["type"], fetched["recurrence"]) == (8, {"type": 1, "repeat_interval": 1, "end_times": 3})


async def test_patch_ignores_a_past_start_time_for_a_series(api: ZoomApi) -> None:
    created = await create(
        api, type=8, start_time="2030-01-01T09:00:00Z", recurrence={"type": 1, "end_times": 5}
    )
    await api.patch(f"/v2/meetings/{created['id']}", json={"start_time": "2020-01-01T09:00:00Z"})
    assert (await get(api, created["id"]))["start_time"] == "2030-01-01T09:00:00Z"


async def test_patch_validates_like_create(api: ZoomApi) -> None:
    created = await create(api)
    response = await api.patch(
        f"/v2/meetings/{created['id']}", json={"topic": "x" * 201, "settings": {"audio": 1}}
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [
                {"field": "topic", "message": "Length must be less than or equal to 200."},
                {"field": "settings.audio", "message": "Invalid field."},
            ],
        },
    )
    response = await api.patch(
        f"/v2/meetings/{created['id']}", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}


async def test_patch_with_an_empty_body_changes_nothing(api: ZoomApi) -> None:
    created = await create(api, topic="same")
    response = await api.patch(f"/v2/meetings/{created['id']}", headers={"Content-Type": "application/json"})
    assert response.status_code == 204
    assert {**(await get(api, created["id"])), "start_url": None} == {**created, "start_url": None}


async def test_patch_of_a_missing_meeting_is_3001(api: ZoomApi) -> None:
    response = await api.patch("/v2/meetings/12345678901", json={"topic": "x"})
    assert (response.status_code, response.json()) == not_found(12345678901)


async def test_delete_then_recover(api: ZoomApi) -> None:
    created = await create(api, topic="phoenix")
    response = await api.delete(f"/v2/meetings/{created['id']}", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.content) == (204, b"")
    response = await api.get(f"/v2/meetings/{created['id']}")
    assert (response.status_code, response.json()) == not_found(created["id"])
    response = await api.delete(f"/v2/meetings/{created['id']}")
    assert (response.status_code, response.json()) == not_found(created["id"])
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "recover"})
    assert (response.status_code, response.content) == (204, b"")
    assert (await get(api, created["id"]))["topic"] == "phoenix"


async def test_a_deleted_meeting_is_recoverable_for_seven_days(
    api: ZoomApi, clock: ControllableClock
) -> None:
    created = await create(api)
    await api.delete(f"/v2/meetings/{created['id']}")
    clock.advance(timedelta(days=7, seconds=1))
    await api.renew_token()
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "recover"})
    assert (response.status_code, response.json()) == not_found(created["id"])


async def test_a_meeting_deleted_six_days_ago_comes_back(api: ZoomApi, clock: ControllableClock) -> None:
    created = await create(api)
    await api.delete(f"/v2/meetings/{created['id']}")
    clock.advance(timedelta(days=6))
    await api.renew_token()
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "recover"})
    assert response.status_code == 204


async def test_recovering_a_meeting_that_is_not_deleted_changes_nothing(api: ZoomApi) -> None:
    created = await create(api)
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "recover"})
    assert response.status_code == 204
    assert (await get(api, created["id"]))["status"] == "waiting"


async def test_ending_a_meeting_that_has_not_started_is_accepted(api: ZoomApi) -> None:
    created = await create(api)
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "end"})
    assert (response.status_code, response.content) == (204, b"")
    assert (await get(api, created["id"]))["status"] == "waiting"


async def test_ending_a_deleted_meeting_is_3001(api: ZoomApi) -> None:
    created = await create(api)
    await api.delete(f"/v2/meetings/{created['id']}")
    response = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "end"})
    assert (response.status_code, response.json()) == not_found(created["id"])


@pytest.mark.parametrize("body", [{"action": "pause"}, {}, {"action": None}])
async def test_status_needs_a_known_action(api: ZoomApi, body: dict[str, Any]) -> None:
    created = await create(api)
    response = await api.put(f"/v2/meetings/{created['id']}/status", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == 300 and response.json()["errors"][0]["field"] == "action"


async def test_accounts_never_see_each_others_meetings(api: ZoomApi) -> None:
    created = await create(api, topic="private")
    stranger = await api.new_tenant("stranger@example.com")
    for method, path in [
        ("GET", f"/v2/meetings/{created['id']}"),
        ("PATCH", f"/v2/meetings/{created['id']}"),
        ("DELETE", f"/v2/meetings/{created['id']}"),
    ]:
        response = await api.call(
            method, path, tenant=stranger, json={"topic": "mine"} if method == "PATCH" else None
        )
        assert (response.status_code, response.json()) == not_found(created["id"])
    response = await api.put(f"/v2/meetings/{created['id']}/status", tenant=stranger, json={"action": "end"})
    assert (response.status_code, response.json()) == not_found(created["id"])
    assert api.tenant is not None
    response = await api.get(f"/v2/users/{api.tenant.owner.id}/meetings", tenant=stranger)
    assert (response.status_code, response.json()) == (
        404,
        {"code": 1001, "message": f"User does not exist: {api.tenant.owner.id}."},
    )
    assert (await get(api, created["id"]))["topic"] == "private"


async def test_a_whole_meeting_body_survives_a_round_trip(api: ZoomApi) -> None:
    created = await create(
        api, topic="rt", start_time="2030-01-02T03:04:05Z", duration=60, timezone="UTC", agenda="a"
    )
    fetched = await get(api, created["id"])
    assert fetched == meeting_body(
        fetched,
        host_id=created["host_id"],
        host_email=created["host_email"],
        topic="rt",
        start_time="2030-01-02T03:04:05Z",
        duration=60,
        timezone="UTC",
        agenda="a",
        created_at=CREATED_AT,
    )
