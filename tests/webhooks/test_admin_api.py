"""``/moot/api/webhooks/deliveries``: listing, one delivery with its attempts, replay; the admin token."""

from __future__ import annotations

from dataclasses import replace

from moot.services.context import Deps
from moot.webhooks.dispatcher import Dispatcher
from tests.support.api import ZoomApi, asgi_client
from tests.support.receiver import Receiver

TOKEN = "admin-t0ken"


async def test_deliveries_list_get_and_replay(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    receiver.respond_with(500, times=1)
    created = (await api.post("/v2/users/me/meetings", json={"topic": "Replayed"})).json()
    await dispatcher.drain()
    admin_deps = replace(deps, settings=deps.settings.model_copy(update={"admin_token": TOKEN}))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with asgi_client(admin_deps) as admin:
        assert (await admin.get("/moot/api/webhooks/deliveries")).json() == {
            "code": 124,
            "message": "Invalid admin token.",
        }
        listed = await admin.get("/moot/api/webhooks/deliveries", headers=auth)
        assert listed.status_code == 200
        (item,) = listed.json()["deliveries"]
        assert listed.json()["next_before_id"] is None
        assert item == {
            "id": item["id"],
            "event_id": item["event_id"],
            "event": "meeting.created",
            "account_id": api.tenant.account.id,
            "client_id": api.tenant.app.client_id,
            "state": "pending",
            "attempts": 1,
            "tracking_id": item["tracking_id"],
            "created_at": "2026-01-15T12:00:00Z",
            "delivered_at": None,
            "last_status": 500,
            "last_error": "answered HTTP 500; Zoom counts only 200 and 204 as delivered",
        }
        one = (await admin.get(f"/moot/api/webhooks/deliveries/{item['id']}", headers=auth)).json()
        assert one["body"] == receiver.deliveries[0].body.decode()
        assert [a["status_code"] for a in one["attempt_log"]] == [500]
        replayed = await admin.post(f"/moot/api/webhooks/deliveries/{item['id']}/replay", headers=auth)
        assert replayed.status_code == 200
        assert replayed.json()["status_code"] == 200 and replayed.json()["number"] == 2
        again = receiver.wait_for(2)[1]
        assert again.verified and again.json["payload"]["object"]["id"] == created["id"]
        after = (await admin.get(f"/moot/api/webhooks/deliveries/{item['id']}", headers=auth)).json()
        assert (after["state"], after["attempts"], after["delivered_at"]) == (
            "delivered",
            2,
            "2026-01-15T12:00:00Z",
        )
        filtered = await admin.get("/moot/api/webhooks/deliveries", params={"state": "failed"}, headers=auth)
        assert filtered.json()["deliveries"] == []
        bad = await admin.get("/moot/api/webhooks/deliveries", params={"state": "lost"}, headers=auth)
        assert bad.status_code == 400
        assert (await admin.get("/moot/api/webhooks/deliveries/999999", headers=auth)).status_code == 404
        assert (await admin.post("/moot/api/webhooks/deliveries/x/replay", headers=auth)).status_code == 404


async def test_admin_api_is_off_without_a_token(deps: Deps) -> None:
    async with asgi_client(deps) as client:
        response = await client.get("/moot/api/webhooks/deliveries")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "The requested resource was not found."},
    )
