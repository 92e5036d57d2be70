"""GET /v2/users/{userId}/meetings (meetings)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from moot.domain.clock import ControllableClock
from tests.support.api import ZoomApi


async def create(api: ZoomApi, **body: Any) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def item(created: dict[str, Any]) -> dict[str, Any]:
    """The list item Zoom shows for a created meeting."""
    keys = [
        "uuid",
        "id",
        "host_id",
        "topic",
        "type",
        "start_time",
        "duration",
        "timezone",
        "agenda",
        "created_at",
        "join_url",
    ]
    listed = {k: created[k] for k in keys if k in created}
    if not listed.get("agenda"):
        listed.pop("agenda", None)
    else:
        listed["agenda"] = listed["agenda"][:250]
    return listed


async def listing(api: ZoomApi, query: str = "") -> dict[str, Any]:
    response = await api.get(f"/v2/users/me/meetings{query}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_page_lists_meetings_by_start_time(api: ZoomApi) -> None:
    later = await create(api, topic="later", start_time="2026-03-01T10:00:00Z", duration=30, agenda="a" * 300)
    sooner = await create(api, topic="sooner", start_time="2026-02-01T10:00:00Z", duration=30)
    assert await listing(api) == {
        "page_count": 1,
        "page_number": 1,
        "page_size": 30,
        "total_records": 2,
        "next_page_token": "",
        "meetings": [item(sooner), item(later)],
    }


async def test_instant_deleted_and_expired_meetings_are_not_listed(api: ZoomApi) -> None:
    await create(api, type=1)
    deleted = await create(api, start_time="2026-02-01T10:00:00Z")
    await api.delete(f"/v2/meetings/{deleted['id']}")
    await create(api, start_time="2025-11-01T10:00:00Z")  # more than 30 days ago: expired
    kept = await create(api, start_time="2026-01-01T10:00:00Z")  # 14 days ago: not yet expired
    assert (await listing(api))["meetings"] == [item(kept)]


@pytest.mark.parametrize(
    ("list_type", "expected"),
    [
        ("scheduled", ["recent", "open", "soon", "series"]),
        ("upcoming", ["open", "soon", "series"]),
        ("upcoming_meetings", ["open", "soon", "series"]),
        ("previous_meetings", ["recent"]),
        ("live", []),
    ],
)
async def test_each_list_type(api: ZoomApi, list_type: str, expected: list[str]) -> None:
    await create(api, topic="recent", start_time="2026-01-10T10:00:00Z", duration=60)
    await create(api, topic="soon", start_time="2026-01-20T10:00:00Z", duration=60)
    await create(
        api, topic="series", type=8, start_time="2026-01-25T10:00:00Z", recurrence={"type": 1, "end_times": 3}
    )
    await create(api, topic="open", type=3)  # no fixed time: sorts by its creation (the clock's now)
    body = await listing(api, f"?type={list_type}")
    assert [m["topic"] for m in body["meetings"]] == expected


async def test_an_unknown_list_type_is_a_validation_error(api: ZoomApi) -> None:
    response = await api.get("/v2/users/me/meetings?type=someday")
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "type", "message": "Invalid field."}],
        },
    )


async def test_next_page_token_carries_the_whole_query(api: ZoomApi) -> None:
    created = [
        await create(api, topic=f"m{i}", start_time=f"2026-02-{i + 1:02d}T10:00:00Z") for i in range(7)
    ]
    first = await listing(api, "?type=upcoming&page_size=3")
    assert (first["page_count"], first["page_number"], first["total_records"]) == (3, 1, 7)
    assert first["meetings"] == [item(m) for m in created[:3]]
    second = await listing(api, f"?next_page_token={first['next_page_token']}")
    assert (second["page_size"], second["page_number"]) == (3, 2)
    assert second["meetings"] == [item(m) for m in created[3:6]]
    third = await listing(api, f"?next_page_token={second['next_page_token']}&page_size=30&type=scheduled")
    assert third["meetings"] == [item(created[6])] and third["next_page_token"] == ""


async def test_page_number_pages_too(api: ZoomApi) -> None:
    created = [
        await create(api, topic=f"m{i}", start_time=f"2026-02-{i + 1:02d}T10:00:00Z") for i in range(5)
    ]
    body = await listing(api, "?page_size=2&page_number=3")
    assert (body["page_count"], body["page_number"], body["meetings"]) == (3, 3, [item(created[4])])
    beyond = await listing(api, "?page_size=2&page_number=9")
    assert (beyond["page_number"], beyond["meetings"], beyond["next_page_token"]) == (9, [], "")


async def test_page_size_is_capped_at_300(api: ZoomApi) -> None:
    assert (await listing(api, "?page_size=1000"))["page_size"] == 300


@pytest.mark.parametrize("query", ["?page_size=0", "?page_size=abc", "?page_number=0", "?from=yesterday"])
async def test_bad_paging_values_are_validation_errors(api: ZoomApi, query: str) -> None:
    response = await api.get(f"/v2/users/me/meetings{query}")
    assert response.status_code == 400 and response.json()["code"] == 300


async def test_a_forged_or_stale_page_token_is_rejected(api: ZoomApi, clock: ControllableClock) -> None:
    for i in range(3):
        await create(api, start_time=f"2026-02-0{i + 1}T10:00:00Z")
    token = (await listing(api, "?page_size=1"))["next_page_token"]
    expected = (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "next_page_token", "message": "The next page token is invalid or expired."}],
        },
    )
    body, mac = token.split(".")
    forged = body + "." + ("A" if mac[0] != "A" else "B") + mac[1:]  # the first character: all its bits count
    for bad in ("garbage", forged, token + "x"):
        response = await api.get(f"/v2/users/me/meetings?next_page_token={bad}")
        assert (response.status_code, response.json()) == expected
    clock.advance(timedelta(minutes=16))
    response = await api.get(f"/v2/users/me/meetings?next_page_token={token}")
    assert (response.status_code, response.json()) == expected


async def test_from_and_to_select_a_date_range(api: ZoomApi) -> None:
    await create(api, topic="jan", start_time="2026-01-31T23:59:59Z")
    feb = await create(api, topic="feb", start_time="2026-02-01T00:00:00Z")
    feb_end = await create(api, topic="feb end", start_time="2026-02-28T23:00:00Z")
    await create(api, topic="mar", start_time="2026-03-01T00:00:00Z")
    body = await listing(api, "?from=2026-02-01&to=2026-02-28")
    assert body["meetings"] == [item(feb), item(feb_end)]


async def test_a_user_sees_only_their_own_meetings(api: ZoomApi) -> None:
    other = await api.post(
        "/v2/users", json={"action": "custCreate", "user_info": {"email": "b@example.com", "type": 2}}
    )
    theirs = await create(api, topic="b's", schedule_for="b@example.com", start_time="2026-02-01T10:00:00Z")
    await create(api, topic="mine", start_time="2026-02-01T10:00:00Z")
    body = (await api.get(f"/v2/users/{other.json()['id']}/meetings")).json()
    assert body["meetings"] == [item(theirs)]
    assert (await api.get("/v2/users/b@example.com/meetings")).json()["meetings"] == [item(theirs)]


async def test_from_and_to_name_days_in_the_timezone_given(api: ZoomApi) -> None:
    await create(api, topic="before", start_time="2026-02-01T04:59:59Z")
    first = await create(api, topic="first", start_time="2026-02-01T05:00:00Z")
    last = await create(api, topic="last", start_time="2026-02-02T04:59:59Z")
    await create(api, topic="after", start_time="2026-02-02T05:00:00Z")
    body = await listing(api, "?from=2026-02-01&to=2026-02-01&timezone=America/New_York&page_size=1")
    assert body["meetings"] == [item(first)]
    body = await listing(api, f"?next_page_token={body['next_page_token']}")
    assert body["meetings"] == [item(last)]


async def test_from_and_to_find_a_series_by_any_of_its_occurrences(api: ZoomApi) -> None:
    series = await create(
        api,
        topic="weekly",
        type=8,
        start_time="2026-01-05T10:00:00Z",
        recurrence={"type": 2, "weekly_days": "2", "end_times": 10},
    )
    await create(api, topic="january only", start_time="2026-01-06T10:00:00Z")
    body = await listing(api, "?from=2026-02-01&to=2026-02-28")
    assert [m["id"] for m in body["meetings"]] == [series["id"]]
    assert (await listing(api, "?from=2026-04-01"))["meetings"] == []
