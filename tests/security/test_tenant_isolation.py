"""Tenant isolation: an account's token reaches nothing of another account. Every implemented operation,
given another account's meeting, registrant or user, answers exactly as if it did not exist, and lists
never show another account's rows. (Meetings: tests/api/test_meetings.py::
test_accounts_never_see_each_others_meetings; past meetings: tests/api/test_past_meetings.py::
test_another_accounts_past_meeting_is_3001.)"""

from __future__ import annotations

from typing import Any

from tests.support.api import Tenant, ZoomApi


def missing_meeting(meeting_id: int) -> tuple[int, dict[str, Any]]:
    return 404, {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


def missing_user(user: str) -> tuple[int, dict[str, Any]]:
    return 404, {"code": 1001, "message": f"User does not exist: {user}."}


async def owned(api: ZoomApi) -> tuple[dict[str, Any], dict[str, Any]]:
    """A meeting with registration and a registrant, of the api's own tenant."""
    body = {"topic": "private", "start_time": "2026-02-01T10:00:00Z", "settings": {"approval_type": 0}}
    meeting = (await api.post("/v2/users/me/meetings", json=body)).json()
    registrant = await api.post(
        f"/v2/meetings/{meeting['id']}/registrants", json={"email": "r@example.com", "first_name": "R"}
    )
    return meeting, registrant.json()


async def test_another_accounts_registrants_invitation_and_ics_do_not_exist(api: ZoomApi) -> None:
    meeting, registrant = await owned(api)
    stranger: Tenant = await api.new_tenant("stranger@example.com")
    mid, rid = meeting["id"], registrant["registrant_id"]
    calls: list[tuple[str, str, Any]] = [
        ("GET", f"/v2/meetings/{mid}/registrants", None),
        ("POST", f"/v2/meetings/{mid}/registrants", {"email": "x@example.com", "first_name": "X"}),
        ("GET", f"/v2/meetings/{mid}/registrants/{rid}", None),
        ("DELETE", f"/v2/meetings/{mid}/registrants/{rid}", None),
        ("PUT", f"/v2/meetings/{mid}/registrants/status", {"action": "deny", "registrants": [{"id": rid}]}),
        ("GET", f"/v2/meetings/{mid}/invitation", None),
        ("GET", f"/v2/meetings/{mid}/ics", None),
        ("PUT", f"/v2/meetings/{mid}/status", {"action": "end"}),
        ("GET", f"/v2/past_meetings/{mid}/instances", None),
    ]
    for method, path, body in calls:
        response = await api.call(method, path, tenant=stranger, json=body)
        assert (response.status_code, response.json()) == missing_meeting(mid), (method, path)
    still = await api.get(f"/v2/meetings/{mid}/registrants/{rid}")
    assert (still.status_code, still.json()["status"]) == (200, "approved")


async def test_another_accounts_users_do_not_exist(api: ZoomApi) -> None:
    assert api.tenant is not None
    owner = api.tenant.owner
    stranger = await api.new_tenant("stranger@example.com")
    for user in (owner.id, owner.email):
        response = await api.get(f"/v2/users/{user}", tenant=stranger)
        assert (response.status_code, response.json()) == missing_user(user)
        response = await api.post(f"/v2/users/{user}/meetings", tenant=stranger, json={})
        assert (response.status_code, response.json()) == missing_user(user)
    response = await api.post("/v2/users/me/meetings", tenant=stranger, json={"schedule_for": owner.email})
    assert response.status_code == 400
    assert response.json()["code"] == 300


async def test_lists_show_only_the_accounts_own_rows(api: ZoomApi) -> None:
    await owned(api)
    stranger = await api.new_tenant("stranger@example.com")
    users = (await api.get("/v2/users", tenant=stranger)).json()
    assert [u["email"] for u in users["users"]] == ["stranger@example.com"]
    meetings = (await api.get("/v2/users/me/meetings", tenant=stranger)).json()
    assert (meetings["total_records"], meetings["meetings"]) == (0, [])


async def test_a_page_token_of_another_account_is_invalid(api: ZoomApi) -> None:
    """Found by this test: a meetings page token was not bound to its host, and another account presenting
    it was shown the first account's total_records."""
    for n in range(3):
        await api.post("/v2/users/me/meetings", json={"topic": f"m{n}"})
    page = (await api.get("/v2/users/me/meetings?page_size=1")).json()
    assert page["next_page_token"]
    stranger = await api.new_tenant("stranger@example.com")
    token = page["next_page_token"]
    response = await api.get(f"/v2/users/me/meetings?next_page_token={token}", tenant=stranger)
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "next_page_token", "message": "The next page token is invalid or expired."}],
        },
    )
    # Nor another host's of the same account (it carried that host's total and position).
    assert api.tenant is not None
    user = {"action": "custCreate", "user_info": {"email": "second@example.com", "type": 1}}
    second = (await api.post("/v2/users", json=user)).json()["id"]
    response = await api.get(f"/v2/users/{second}/meetings?next_page_token={token}")
    assert response.json()["errors"][0]["field"] == "next_page_token"
