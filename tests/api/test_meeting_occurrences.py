"""Occurrences of type 8 series through the meeting operations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from moot.domain.clock import ControllableClock
from tests.support.api import ZoomApi

DAILY_FIVE = {
    "topic": "daily",
    "type": 8,
    "start_time": "2026-02-02T09:00:00Z",
    "duration": 30,
    "timezone": "UTC",
    "recurrence": {"type": 1, "end_times": 5},
}
DAYS = ["2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"]


def occurrence(start: str, duration: int = 30, status: str = "available") -> dict[str, Any]:
    ms = int(datetime.fromisoformat(start).timestamp()) * 1000
    return {"occurrence_id": str(ms), "start_time": start, "duration": duration, "status": status}


def daily(day: str, **changes: Any) -> dict[str, Any]:
    return occurrence(f"{day}T09:00:00Z", **changes)


async def create(api: ZoomApi, **changes: Any) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json={**DAILY_FIVE, **changes})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def get(api: ZoomApi, meeting_id: int, query: str = "") -> dict[str, Any]:
    response = await api.get(f"/v2/meetings/{meeting_id}{query}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_series_lists_its_occurrences(api: ZoomApi) -> None:
    created = await create(api)
    assert created["occurrences"] == [daily(d) for d in DAYS]
    assert (await get(api, created["id"]))["occurrences"] == created["occurrences"]


async def test_get_one_occurrence(api: ZoomApi) -> None:
    created = await create(api)
    second = created["occurrences"][1]
    await api.patch(
        f"/v2/meetings/{created['id']}?occurrence_id={second['occurrence_id']}", json={"duration": 50}
    )
    fetched = await get(api, created["id"], f"?occurrence_id={second['occurrence_id']}")
    expected = {
        **created,
        "start_time": second["start_time"],
        "duration": 50,
        "start_url": fetched["start_url"],
    }
    expected["occurrences"] = [daily(DAYS[0]), daily(DAYS[1], duration=50), *(daily(d) for d in DAYS[2:])]
    assert fetched == expected


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_an_unknown_occurrence_is_3000(api: ZoomApi, method: str) -> None:
    created = await create(api)
    response = await api.call(method, f"/v2/meetings/{created['id']}?occurrence_id=1770022800001", json={})
    assert (response.status_code, response.json()) == (
        400,
        {"code": 3000, "message": "Invalid occurrence_id."},
    )


async def test_patch_one_occurrence_moves_only_it(api: ZoomApi) -> None:
    created = await create(api)
    third = created["occurrences"][2]["occurrence_id"]
    response = await api.patch(
        f"/v2/meetings/{created['id']}?occurrence_id={third}",
        json={"start_time": "2026-02-04T15:30:00Z", "duration": "45", "topic": "ignored for one occurrence"},
    )
    assert response.status_code == 204
    fetched = await get(api, created["id"])
    assert fetched["topic"] == "daily" and fetched["start_time"] == "2026-02-02T09:00:00Z"
    assert fetched["occurrences"] == [
        daily(DAYS[0]),
        daily(DAYS[1]),
        {"occurrence_id": third, "start_time": "2026-02-04T15:30:00Z", "duration": 45, "status": "available"},
        daily(DAYS[3]),
        daily(DAYS[4]),
    ]


async def test_delete_one_occurrence_leaves_the_others(api: ZoomApi) -> None:
    created = await create(api)
    second = created["occurrences"][1]["occurrence_id"]
    response = await api.delete(f"/v2/meetings/{created['id']}?occurrence_id={second}")
    assert (response.status_code, response.content) == (204, b"")
    fetched = await get(api, created["id"])
    assert fetched["occurrences"] == [
        daily(DAYS[0]),
        daily(DAYS[1], status="deleted"),
        *(daily(d) for d in DAYS[2:]),
    ]
    for method, body in (("DELETE", None), ("PATCH", {"duration": 10})):
        again = await api.call(method, f"/v2/meetings/{created['id']}?occurrence_id={second}", json=body)
        assert (again.status_code, again.json()) == (400, {"code": 3000, "message": "Invalid occurrence_id."})


async def test_past_occurrences_show_only_when_asked(api: ZoomApi, clock: ControllableClock) -> None:
    created = await create(api)
    clock.set(datetime.fromisoformat("2026-02-04T10:00:00Z"))
    await api.renew_token()
    assert (await get(api, created["id"]))["occurrences"] == [daily(d) for d in DAYS[3:]]
    everything = await get(api, created["id"], "?show_previous_occurrences=true")
    assert everything["occurrences"] == [daily(d) for d in DAYS]


async def test_a_new_recurrence_keeps_edits_that_still_apply(api: ZoomApi) -> None:
    created = await create(api)
    ids = [o["occurrence_id"] for o in created["occurrences"]]
    await api.patch(
        f"/v2/meetings/{created['id']}?occurrence_id={ids[1]}", json={"start_time": "2026-02-03T12:00:00Z"}
    )
    await api.delete(f"/v2/meetings/{created['id']}?occurrence_id={ids[4]}")
    await api.patch(
        f"/v2/meetings/{created['id']}", json={"recurrence": {"type": 1, "end_times": 3}, "duration": 20}
    )
    fetched = await get(api, created["id"])
    assert fetched["duration"] == 20
    assert fetched["recurrence"] == {"type": 1, "repeat_interval": 1, "end_times": 3}
    assert fetched["occurrences"] == [
        daily(DAYS[0], duration=20),
        {
            "occurrence_id": ids[1],
            "start_time": "2026-02-03T12:00:00Z",
            "duration": 20,
            "status": "available",
        },
        daily(DAYS[2], duration=20),
    ]


async def test_moving_the_series_recomputes_its_occurrences(api: ZoomApi) -> None:
    created = await create(api)
    await api.patch(f"/v2/meetings/{created['id']}", json={"start_time": "2026-03-02T08:00:00Z"})
    fetched = await get(api, created["id"])
    assert [o["start_time"] for o in fetched["occurrences"]] == [
        f"2026-03-0{d}T08:00:00Z" for d in range(2, 7)
    ]


@pytest.mark.parametrize(
    ("recurrence", "field", "message"),
    [
        (
            {"type": 1, "end_date_time": "2026-01-01T00:00:00Z"},
            "recurrence.end_date_time",
            "The recurrence ends before the meeting's start time.",
        ),
        ({"type": 1, "end_date_time": "next week"}, "recurrence.end_date_time", "Invalid field."),
        (
            {"type": 3, "monthly_week": 2},
            "recurrence",
            "monthly_week and monthly_week_day must be used together.",
        ),
        ({"type": 3, "monthly_day": 32}, "recurrence.monthly_day", "Invalid field."),
        (
            {"type": 2, "repeat_interval": 13},
            "recurrence",
            "repeat_interval must be less than or equal to 12 for this recurrence type.",
        ),
        (
            {"type": 3, "repeat_interval": 4},
            "recurrence",
            "repeat_interval must be less than or equal to 3 for this recurrence type.",
        ),
    ],
)
async def test_invalid_recurrences(
    api: ZoomApi, recurrence: dict[str, Any], field: str, message: str
) -> None:
    response = await api.post("/v2/users/me/meetings", json={**DAILY_FIVE, "recurrence": recurrence})
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Validation Failed.", "errors": [{"field": field, "message": message}]},
    )


async def test_end_date_time_is_echoed_in_utc(api: ZoomApi) -> None:
    created = await create(api, recurrence={"type": 1, "end_date_time": "2026-02-04T09:00:00"})
    assert created["recurrence"] == {"type": 1, "repeat_interval": 1, "end_date_time": "2026-02-04T09:00:00Z"}
    assert [o["start_time"][:10] for o in created["occurrences"]] == DAYS[:3]


async def test_lists_show_a_series_by_its_next_occurrence(api: ZoomApi, clock: ControllableClock) -> None:
    created = await create(api)
    clock.set(datetime.fromisoformat("2026-02-03T12:00:00Z"))
    await api.renew_token()
    upcoming = (await api.get("/v2/users/me/meetings?type=upcoming")).json()["meetings"]
    assert [(m["id"], m["start_time"]) for m in upcoming] == [(created["id"], "2026-02-04T09:00:00Z")]
    clock.advance(timedelta(days=5))
    await api.renew_token()
    assert (await api.get("/v2/users/me/meetings?type=upcoming")).json()["meetings"] == []
    previous = (await api.get("/v2/users/me/meetings?type=previous_meetings")).json()["meetings"]
    assert [(m["id"], m["start_time"]) for m in previous] == [(created["id"], "2026-02-06T09:00:00Z")]
