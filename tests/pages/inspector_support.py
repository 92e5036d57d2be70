"""An in-process moot with the admin API on, seeded for the inspector's tests: a recurring meeting with
registrants and a deleted occurrence, a meeting in progress, an ended one, a topic that is markup, and
delivered webhooks on a real receiver."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx

from moot.api.app import create_app
from moot.domain.events import EVENT_TYPES
from moot.services.context import Deps
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.support.admin_layers import client_of
from tests.support.api import ZoomApi
from tests.support.receiver import Receiver

SECRET = "w3bh00k-secret-t0ken"
XSS_TOPIC = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
PASSCODE = "Zq7pass"

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "content-type": "text/html; charset=utf-8",
}


@dataclass
class World:
    api: ZoomApi
    series: dict[str, Any]
    live: dict[str, Any]
    ended: dict[str, Any]
    xss: dict[str, Any]
    registrants: list[dict[str, Any]]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client


def app_client(deps: Deps) -> httpx.AsyncClient:
    return client_of(create_app(deps.settings, deps=deps))


async def _created(api: ZoomApi, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def build_world(deps: Deps, client: httpx.AsyncClient, receiver: Receiver) -> World:
    api = ZoomApi(deps, client)
    api.tenant = await api.new_tenant()
    endpoint = await endpoints.set_endpoint(
        deps, api.tenant.app.client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
    )
    assert endpoint.active, endpoint.last_error
    series = await _created(
        api,
        {
            "topic": "Weekly planning",
            "type": 8,
            "start_time": "2026-01-20T10:00:00Z",
            "duration": 30,
            "password": PASSCODE,
            "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "3", "end_times": 3},
            "settings": {"approval_type": 1},
        },
    )
    registrants = []
    for email, name in (("grace@example.com", "Grace"), ("alan@example.com", "Alan")):
        added = await api.post(
            f"/v2/meetings/{series['id']}/registrants", json={"email": email, "first_name": name}
        )
        assert added.status_code == 201, added.text
        registrants.append(added.json() | {"email": email})
    approved = await api.put(
        f"/v2/meetings/{series['id']}/registrants/status",
        json={"action": "approve", "registrants": [{"id": registrants[0]["registrant_id"]}]},
    )
    assert approved.status_code == 204, approved.text
    dropped = series["occurrences"][1]["occurrence_id"]
    deleted = await api.delete(f"/v2/meetings/{series['id']}", params={"occurrence_id": dropped})
    assert deleted.status_code == 204, deleted.text

    live = await _created(api, {"topic": "Stand-up", "settings": {"join_before_host": True}})
    joined = await client.post(f"/moot/api/meetings/{live['id']}/participants", json={"name": "Jill"})
    assert joined.status_code == 201, joined.text

    ended = await _created(api, {"topic": "Retro", "settings": {"join_before_host": True}})
    joined = await client.post(f"/moot/api/meetings/{ended['id']}/participants", json={"name": "Ken"})
    assert joined.status_code == 201, joined.text
    over = await api.put(f"/v2/meetings/{ended['id']}/status", json={"action": "end"})
    assert over.status_code == 204, over.text

    xss = await _created(api, {"topic": XSS_TOPIC, "agenda": XSS_TOPIC})

    dispatcher = Dispatcher(deps)
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.stop()
    return World(api, series, live, ended, xss, registrants)


def assert_page(response: httpx.Response, status: int = 200) -> str:
    """A page answered with ``status`` and every security header; its HTML."""
    assert response.status_code == status, response.text
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    return response.text


def csrf_of(html: str, action: str) -> str:
    """The CSRF token of the form posting to ``action``."""
    form = re.search(
        rf'<form[^>]*action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"',
        html,
    )
    assert form is not None, f"no form to {action}"
    return unescape(form.group(1))
