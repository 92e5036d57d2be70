"""GET /v2/users/{userId}, GET /v2/users, POST /v2/users."""

from __future__ import annotations

from typing import Any

import pytest

from moot.domain.accounts import account_number
from moot.domain.clock import ControllableClock
from tests.support.api import ZoomApi
from tests.support.expected import USER_ID


async def test_get_me_is_the_apps_user(api: ZoomApi) -> None:
    assert api.tenant is not None
    owner = api.tenant.owner
    response = await api.get("/v2/users/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": owner.id,
        "first_name": "Account",
        "last_name": "Owner",
        "display_name": "Account Owner",
        "email": "owner@example.com",
        "type": 2,
        "role_name": "Owner",
        "pmi": owner.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"http://moot.test/j/{owner.pmi}",
        "timezone": "UTC",
        "verified": 1,
        "dept": "",
        "created_at": "2026-01-15T12:00:00Z",
        "user_created_at": "2026-01-15T12:00:00Z",
        "last_login_time": "2026-01-15T12:00:00Z",
        "last_client_version": "",
        "pic_url": "",
        "language": "en-US",
        "phone_number": "",
        "status": "active",
        "role_id": "0",
        "account_id": api.tenant.account.id,
        "account_number": account_number(api.tenant.account.id),
        "cluster": "us06",
        "jid": f"{owner.id.lower()}@xmpp.zoom.us",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
        "employee_unique_id": "",
    }
    by_id = await api.get(f"/v2/users/{owner.id}")
    by_email = await api.get("/v2/users/OWNER@example.com")
    assert by_id.json() == by_email.json() == response.json()


async def test_an_unknown_user_is_1001(api: ZoomApi) -> None:
    response = await api.get("/v2/users/ghost@example.com")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 1001, "message": "User does not exist: ghost@example.com."},
    )


@pytest.mark.parametrize("action", ["create", "autoCreate", "custCreate", "ssoCreate"])
async def test_create_a_user(api: ZoomApi, action: str) -> None:
    body: dict[str, Any] = {
        "action": action,
        "user_info": {"email": "new@example.com", "type": "1", "first_name": "Ada", "last_name": "Lovelace"},
    }
    if action == "autoCreate":
        body["user_info"]["password"] = "s3cretpassword"
    response = await api.post("/v2/users", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert USER_ID.match(created["id"])
    assert created == {
        "id": created["id"],
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "new@example.com",
        "type": 1,
    }
    fetched = (await api.get(f"/v2/users/{created['id']}")).json()
    assert (fetched["status"], fetched["display_name"]) == (
        "pending" if action == "create" else "active",
        "Ada Lovelace",
    )


async def test_a_used_email_is_409_1005(api: ZoomApi) -> None:
    body = {"action": "custCreate", "user_info": {"email": "dup@example.com", "type": 1}}
    assert (await api.post("/v2/users", json=body)).status_code == 201
    body["user_info"]["email"] = "DUP@example.com"
    response = await api.post("/v2/users", json=body)
    assert (response.status_code, response.json()) == (
        409,
        {"code": 1005, "message": 'Email "DUP@example.com" has already been used.'},
    )


async def test_the_same_email_may_live_in_another_account(api: ZoomApi) -> None:
    other = await api.new_tenant("other-owner@example.com")
    body = {"action": "custCreate", "user_info": {"email": "shared@example.com", "type": 1}}
    assert (await api.post("/v2/users", json=body)).status_code == 201
    assert (await api.post("/v2/users", json=body, tenant=other)).status_code == 201


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("action", "This field is required."), ("user_info", "This field is required.")]),
        (
            {"action": "invite", "user_info": {"email": "a@example.com", "type": 1}},
            [("action", "Invalid field.")],
        ),
        ({"action": "create", "user_info": {"type": 1}}, [("user_info.email", "This field is required.")]),
        (
            {"action": "create", "user_info": {"email": "nope", "type": 1}},
            [("user_info.email", "Invalid field.")],
        ),
        (
            {"action": "create", "user_info": {"email": "a@example.com", "type": 7}},
            [("user_info.type", "Invalid field.")],
        ),
        (
            {"action": "autoCreate", "user_info": {"email": "a@example.com", "type": 1, "password": "short"}},
            [
                (
                    "user_info.password",
                    "Password must be 8 to 32 characters with at least one letter and one number.",
                )
            ],
        ),
        (
            {"action": "create", "user_info": {"email": "a@example.com", "type": 1, "first_name": "x" * 65}},
            [("user_info.first_name", "Length must be less than or equal to 64.")],
        ),
    ],
)
async def test_invalid_user_input_is_300(
    api: ZoomApi, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await api.post("/v2/users", json=body)
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": f, "message": m} for f, m in errors],
        },
    )


async def test_list_users_by_status_with_paging(api: ZoomApi, clock: ControllableClock) -> None:
    for i in range(3):
        clock.advance(1)
        await api.post(
            "/v2/users", json={"action": "custCreate", "user_info": {"email": f"u{i}@example.com", "type": 1}}
        )
    await api.post(
        "/v2/users", json={"action": "create", "user_info": {"email": "pending@example.com", "type": 1}}
    )
    first = (await api.get("/v2/users?page_size=2")).json()
    assert {k: first[k] for k in ("page_count", "page_number", "page_size", "total_records")} == {
        "page_count": 2,
        "page_number": 1,
        "page_size": 2,
        "total_records": 4,
    }
    assert [u["email"] for u in first["users"]] == ["owner@example.com", "u0@example.com"]
    second = (await api.get(f"/v2/users?next_page_token={first['next_page_token']}")).json()
    assert [u["email"] for u in second["users"]] == ["u1@example.com", "u2@example.com"]
    assert second["next_page_token"] == ""
    pending = (await api.get("/v2/users?status=pending")).json()
    assert [u["email"] for u in pending["users"]] == ["pending@example.com"]
    assert "id" not in pending["users"][0]
    listed = first["users"][1]
    fetched = (await api.get(f"/v2/users/{listed['id']}")).json()
    assert {k: fetched[k] for k in listed} == listed


async def test_list_users_rejects_an_unknown_status(api: ZoomApi) -> None:
    response = await api.get("/v2/users?status=sleeping")
    assert response.status_code == 400 and response.json()["errors"] == [
        {"field": "status", "message": "Invalid field."}
    ]
