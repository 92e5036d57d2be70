"""Driving the meeting lifecycle from API tests: the host's start link, moot's admin participants API
(turned on with an admin token) and meetingStatus ``end``."""

from __future__ import annotations

from typing import Any

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.support.api import BASE_URL, ZoomApi

ADMIN_TOKEN = "admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def admin_deps(store: Store, clock: ControllableClock) -> Deps:
    """The API tests' deps, with moot's admin API on (behind ``ADMIN_TOKEN``)."""
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL, admin_token=ADMIN_TOKEN)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


async def create(api: ZoomApi, **body: Any) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def get(api: ZoomApi, meeting_id: int) -> dict[str, Any]:
    response = await api.get(f"/v2/meetings/{meeting_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def start(api: ZoomApi, meeting_id: int) -> None:
    """Open the meeting's start link (as fresh as GET gives it), as the host's browser would."""
    start_url = (await get(api, meeting_id))["start_url"]
    response = await api.client.get(start_url)
    assert response.status_code == 200, response.text


async def end(api: ZoomApi, meeting_id: int) -> None:
    response = await api.put(f"/v2/meetings/{meeting_id}/status", json={"action": "end"})
    assert (response.status_code, response.content) == (204, b""), response.text


async def join(api: ZoomApi, meeting_id: int, name: str, email: str = "") -> dict[str, Any]:
    body = {"name": name, "email": email} if email else {"name": name}
    response = await api.client.post(
        f"/moot/api/meetings/{meeting_id}/participants", json=body, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def leave(api: ZoomApi, meeting_id: int, user_id: str) -> None:
    response = await api.client.delete(
        f"/moot/api/meetings/{meeting_id}/participants/{user_id}", headers=ADMIN
    )
    assert (response.status_code, response.content) == (204, b""), response.text


async def admit(api: ZoomApi, meeting_id: int, user_id: str) -> dict[str, Any]:
    response = await api.client.post(
        f"/moot/api/meetings/{meeting_id}/participants/{user_id}/admit", headers=ADMIN
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
