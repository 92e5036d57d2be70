"""Zoom's own Node SDK (@zoom/rivet) as the receiver: it validates the endpoint and accepts every event
moot sends, with Rivet's own signature check."""

from __future__ import annotations

from moot.domain.events import EVENT_TYPES
from moot.services.context import Deps
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.support.api import ZoomApi
from tests.support.rivet_receiver import RivetReceiver
from tests.webhooks.conftest import SECRET


async def test_rivet_validates_the_endpoint_and_accepts_every_meeting_event(
    deps: Deps, api: ZoomApi, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    with RivetReceiver(SECRET) as rivet:
        endpoint = await endpoints.set_endpoint(
            deps, api.tenant.app.client_id, url=rivet.url, secret_token=SECRET, events=EVENT_TYPES
        )
        assert endpoint.active, endpoint.last_error
        meeting = (
            await api.post(
                "/v2/users/me/meetings",
                json={
                    "topic": "Rivet ✓ 日本",
                    "start_time": "2026-02-01T10:00:00Z",
                    "settings": {"approval_type": 0},
                },
            )
        ).json()
        await api.patch(f"/v2/meetings/{meeting['id']}", json={"agenda": "ünïcode agenda"})
        await api.post(
            f"/v2/meetings/{meeting['id']}/registrants", json={"email": "r@example.com", "first_name": "R"}
        )
        await api.delete(f"/v2/meetings/{meeting['id']}")
        await api.put(f"/v2/meetings/{meeting['id']}/status", json={"action": "recover"})
        await dispatcher.drain()
        names = [
            "meeting.created",
            "meeting.updated",
            "meeting.registration_created",
            "meeting.deleted",
            "meeting.recovered",
        ]
        accepted = [rivet.wait_for_event(name) for name in names]
        assert [e["event"] for e in accepted] == names
        assert accepted[0]["payload"]["object"]["topic"] == "Rivet ✓ 日本"
        delivered = await deps.store.outbox.list_deliveries(state="delivered")
        assert len(delivered) == 5
