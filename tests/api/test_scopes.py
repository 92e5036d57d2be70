"""Every operation x (classic, granular) x (admin, user-level, missing) scope: allowed, or Zoom's 4711."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from moot.domain.scopes import RULES
from tests.support.api import Tenant, ZoomApi


@dataclass(frozen=True)
class Call:
    operation: str
    method: str
    path: str  # {me}: a user id, {meeting}: a meeting id, of the owner or of another user
    body: dict[str, Any] | None = None
    classic: str = ""
    granular: str = ""


CALLS = [
    Call(
        "meetingCreate",
        "POST",
        "/v2/users/{user}/meetings",
        {"topic": "t"},
        "meeting:write",
        "meeting:write:meeting",
    ),
    Call("meeting", "GET", "/v2/meetings/{meeting}", None, "meeting:read", "meeting:read:meeting"),
    Call("meetings", "GET", "/v2/users/{user}/meetings", None, "meeting:read", "meeting:read:list_meetings"),
    Call(
        "meetingUpdate",
        "PATCH",
        "/v2/meetings/{meeting}",
        {"topic": "u"},
        "meeting:write",
        "meeting:update:meeting",
    ),
    Call(
        "meetingStatus",
        "PUT",
        "/v2/meetings/{meeting}/status",
        {"action": "end"},
        "meeting:write",
        "meeting:update:status",
    ),
    Call(
        "meetingInvitation",
        "GET",
        "/v2/meetings/{meeting}/invitation",
        None,
        "meeting:read",
        "meeting:read:invitation",
    ),
    Call(
        "meetingRegistrants",
        "GET",
        "/v2/meetings/{meeting}/registrants",
        None,
        "meeting:read",
        "meeting:read:list_registrants",
    ),
    Call(
        "meetingRegistrantCreate",
        "POST",
        "/v2/meetings/{meeting}/registrants",
        {"email": "r@example.com", "first_name": "R"},
        "meeting:write",
        "meeting:write:registrant",
    ),
    Call("user", "GET", "/v2/users/{user}", None, "user:read", "user:read:user"),
    Call(
        "meetingDelete", "DELETE", "/v2/meetings/{meeting}", None, "meeting:write", "meeting:delete:meeting"
    ),
]
ADMIN_ONLY = [
    Call("users", "GET", "/v2/users", None, "user:read", "user:read:list_users"),
    Call(
        "userCreate",
        "POST",
        "/v2/users",
        {"action": "custCreate", "user_info": {"email": "n@example.com", "type": 1}},
        "user:write",
        "user:write:user",
    ),
]


def missing(*scopes: str) -> tuple[int, dict[str, Any]]:
    return 400, {
        "code": 4711,
        "message": f"Invalid access token, does not contain scopes:[{', '.join(scopes)}].",
    }


@pytest.fixture
async def resources(api: ZoomApi) -> dict[str, str]:
    """A meeting with registration for the owner and one for another user of the account."""
    other = (
        await api.post(
            "/v2/users", json={"action": "custCreate", "user_info": {"email": "o@example.com", "type": 2}}
        )
    ).json()
    body = {"topic": "scoped", "start_time": "2030-01-01T10:00:00Z", "settings": {"approval_type": 0}}
    mine = (await api.post("/v2/users/me/meetings", json=body)).json()
    theirs = (await api.post(f"/v2/users/{other['id']}/meetings", json=body)).json()
    assert api.tenant is not None
    return {
        "my_user": api.tenant.owner.id,
        "other_user": other["id"],
        "my_meeting": str(mine["id"]),
        "other_meeting": str(theirs["id"]),
    }


async def call(
    api: ZoomApi, tenant: Tenant, c: Call, resources: dict[str, str], whose: str
) -> tuple[int, Any]:
    path = c.path.format(user=resources[f"{whose}_user"], meeting=resources[f"{whose}_meeting"])
    response = await api.call(c.method, path, tenant=tenant, json=c.body)
    return response.status_code, response.json() if response.content else None


@pytest.mark.parametrize("c", CALLS, ids=lambda c: c.operation)
@pytest.mark.parametrize("flavour", ["classic", "granular"])
async def test_admin_scopes_reach_every_user(
    api: ZoomApi, resources: dict[str, str], c: Call, flavour: str
) -> None:
    tenant = await api.token_with_scopes((f"{getattr(c, flavour)}:admin",))
    for whose in ("my", "other"):
        status, _ = await call(api, tenant, c, resources, whose)
        assert status < 300, (c.operation, whose)


@pytest.mark.parametrize("c", CALLS, ids=lambda c: c.operation)
@pytest.mark.parametrize("flavour", ["classic", "granular"])
async def test_user_scopes_reach_only_the_tokens_own_user(
    api: ZoomApi, resources: dict[str, str], c: Call, flavour: str
) -> None:
    tenant = await api.token_with_scopes((getattr(c, flavour),))
    status, _ = await call(api, tenant, c, resources, "my")
    assert status < 300, c.operation
    assert await call(api, tenant, c, resources, "other") == missing(f"{c.granular}:admin")


@pytest.mark.parametrize("c", CALLS + ADMIN_ONLY, ids=lambda c: c.operation)
async def test_a_token_without_the_scope_is_4711(api: ZoomApi, resources: dict[str, str], c: Call) -> None:
    unrelated = ("meeting:read:invitation",) if c.operation != "meetingInvitation" else ("user:read:user",)
    tenant = await api.token_with_scopes(unrelated)
    expected = (
        missing(f"{c.granular}:admin") if c in ADMIN_ONLY else missing(f"{c.granular}:admin", c.granular)
    )
    assert await call(api, tenant, c, resources, "my") == expected


@pytest.mark.parametrize("c", ADMIN_ONLY, ids=lambda c: c.operation)
async def test_account_wide_user_operations_need_admin_scopes(
    api: ZoomApi, resources: dict[str, str], c: Call
) -> None:
    for scopes in ((c.classic,), (c.granular,)):
        tenant = await api.token_with_scopes(scopes)
        assert await call(api, tenant, c, resources, "my") == missing(f"{c.granular}:admin")
    for scopes in ((f"{c.classic}:admin",), (f"{c.granular}:admin",)):
        tenant = await api.token_with_scopes(scopes)
        status, body = await call(api, tenant, c, resources, "my")
        assert status < 300 or body["code"] == 1005  # the second create finds the email taken


async def test_user_info_read_reads_only_me(api: ZoomApi, resources: dict[str, str]) -> None:
    tenant = await api.token_with_scopes(("user_info:read",))
    assert (await api.get("/v2/users/me", tenant=tenant)).status_code == 200
    response = await api.get(f"/v2/users/{resources['other_user']}", tenant=tenant)
    assert (response.status_code, response.json()) == missing("user:read:user:admin")


async def test_scheduling_for_another_user_needs_admin_scopes(
    api: ZoomApi, resources: dict[str, str]
) -> None:
    tenant = await api.token_with_scopes(("meeting:write:meeting",))
    response = await api.post(
        "/v2/users/me/meetings", tenant=tenant, json={"schedule_for": resources["other_user"]}
    )
    assert (response.status_code, response.json()) == missing("meeting:write:meeting:admin")


def test_every_operation_has_a_rule() -> None:
    from moot.api.app import routes

    # Zoom's operations are under /v2; moot's own pages and admin API are not scoped.
    named = {getattr(r, "name", None) for r in routes() if getattr(r, "path", "").startswith("/v2/")}
    assert named <= set(RULES)
