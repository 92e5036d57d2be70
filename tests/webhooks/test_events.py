"""Every meeting event moot sends, delivered to a real receiver, verified as Zoom's sample verifies, and
compared whole with the payload Zoom's contract (contract.md §8, Rivet's types) gives it."""

from __future__ import annotations

from typing import Any

import orjson

from moot.webhooks.dispatcher import Dispatcher
from moot.webhooks.signing import serialize
from tests.conftest import NOW
from tests.support.api import ZoomApi
from tests.support.receiver import Delivery, Receiver

EVENT_TS = int(NOW.timestamp() * 1000)


async def _deliveries(dispatcher: Dispatcher, receiver: Receiver, count: int) -> list[Delivery]:
    await dispatcher.drain()
    got = receiver.wait_for(count, timeout=5)
    assert all(d.verified for d in got)
    return got


def _operator(api: ZoomApi) -> dict[str, str]:
    assert api.tenant is not None
    return {"operator": api.tenant.owner.email, "operator_id": api.tenant.owner.id}


async def test_meeting_created(api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher) -> None:
    assert api.tenant is not None
    created = (
        await api.post(
            "/v2/users/me/meetings",
            json={"topic": "Plan ☃ ünïcode", "start_time": "2026-02-01T10:00:00Z", "duration": 45},
        )
    ).json()
    (delivery,) = await _deliveries(dispatcher, receiver, 1)
    expected = {
        "event": "meeting.created",
        "payload": {
            "account_id": api.tenant.account.id,
            **_operator(api),
            "creation_source": "open_api",
            "object": {
                "uuid": created["uuid"],
                "id": created["id"],
                "host_id": api.tenant.owner.id,
                "topic": "Plan ☃ ünïcode",
                "type": 2,
                "start_time": "2026-02-01T10:00:00Z",
                "duration": 45,
                "timezone": "UTC",
                "join_url": created["join_url"],
                "password": created["password"],
                "settings": {
                    "use_pmi": False,
                    "alternative_hosts": "",
                    "join_before_host": False,
                    "jbh_time": 0,
                },
            },
        },
        "event_ts": EVENT_TS,
    }
    assert delivery.json == expected
    # The exact bytes JavaScript's JSON.stringify gives, non-ASCII unescaped.
    assert delivery.body == serialize(expected)
    assert "☃".encode() in delivery.body
    assert delivery.headers["content-type"] == "application/json; charset=utf-8"
    assert delivery.headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert delivery.headers["x-zm-request-timestamp"] == str(int(NOW.timestamp()))
    assert delivery.headers["x-zm-signature"].startswith("v0=")
    assert delivery.headers["x-zm-trackingid"].startswith("v=2.0;clid=moot;rid=WEBHOOK_")
    assert delivery.headers["clientid"] == api.tenant.app.client_id


async def _series(api: ZoomApi) -> dict[str, Any]:
    response = await api.post(
        "/v2/users/me/meetings",
        json={
            "topic": "Weekly",
            "type": 8,
            "start_time": "2026-02-02T09:00:00Z",
            "duration": 30,
            "timezone": "UTC",
            "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "2", "end_times": 3},
        },
    )
    assert response.status_code == 201
    return dict(response.json())


async def test_meeting_created_for_a_series_carries_recurrence_and_occurrences(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    series = await _series(api)
    (delivery,) = await _deliveries(dispatcher, receiver, 1)
    obj = delivery.json["payload"]["object"]
    assert obj["recurrence"] == {"type": 2, "repeat_interval": 1, "weekly_days": "2", "end_times": 3}
    assert obj["occurrences"] == series["occurrences"]
    assert [o["start_time"] for o in obj["occurrences"]] == [
        "2026-02-02T09:00:00Z",
        "2026-02-09T09:00:00Z",
        "2026-02-16T09:00:00Z",
    ]


async def test_meeting_updated_reports_new_and_old_values(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    created = (
        await api.post(
            "/v2/users/me/meetings", json={"topic": "Before", "start_time": "2026-02-01T10:00:00Z"}
        )
    ).json()
    patched = await api.patch(
        f"/v2/meetings/{created['id']}",
        json={"topic": "After", "duration": 90, "settings": {"waiting_room": True}},
    )
    assert patched.status_code == 204
    _, delivery = await _deliveries(dispatcher, receiver, 2)
    assert delivery.json == {
        "event": "meeting.updated",
        "payload": {
            "account_id": api.tenant.account.id,
            **_operator(api),
            "scope": "all",
            "object": {
                "id": created["id"],
                "topic": "After",
                "duration": 90,
                "settings": {"waiting_room": True},
            },
            "old_object": {
                "id": created["id"],
                "topic": "Before",
                "duration": 0,
                "settings": {"waiting_room": False},
            },
            "time_stamp": EVENT_TS,
        },
        "event_ts": EVENT_TS,
    }


async def test_an_update_that_changes_nothing_sends_nothing(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    created = (await api.post("/v2/users/me/meetings", json={"topic": "Same"})).json()
    assert (await api.patch(f"/v2/meetings/{created['id']}", json={"topic": "Same"})).status_code == 204
    await _deliveries(dispatcher, receiver, 1)
    await dispatcher.drain()
    assert [d.event for d in receiver.deliveries] == ["meeting.created"]


async def test_occurrence_update_and_delete_are_single(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    series = await _series(api)
    second = series["occurrences"][1]
    path = f"/v2/meetings/{series['id']}"
    moved = await api.patch(
        path, params={"occurrence_id": second["occurrence_id"]}, json={"start_time": "2026-02-10T11:00:00Z"}
    )
    assert moved.status_code == 204
    deleted = await api.delete(path, params={"occurrence_id": second["occurrence_id"]})
    assert deleted.status_code == 204
    _, updated, removed = await _deliveries(dispatcher, receiver, 3)
    assert updated.json["payload"]["scope"] == "single"
    assert updated.json["payload"]["object"] == {
        "id": series["id"],
        "occurrences": [
            {
                "occurrence_id": second["occurrence_id"],
                "start_time": "2026-02-10T11:00:00Z",
                "duration": 30,
                "status": "available",
            }
        ],
    }
    assert updated.json["payload"]["old_object"] == {"id": series["id"], "occurrences": [second]}
    assert removed.json["event"] == "meeting.deleted"
    assert removed.json["payload"] == {
        "account_id": api.tenant.account.id,
        **_operator(api),
        "operation": "single",
        "object": {
            "uuid": series["uuid"],
            "id": series["id"],
            "host_id": api.tenant.owner.id,
            "topic": "Weekly",
            "type": 8,
            "start_time": "2026-02-02T09:00:00Z",
            "duration": 30,
            "timezone": "UTC",
            "occurrences": [{"occurrence_id": second["occurrence_id"], "start_time": "2026-02-10T11:00:00Z"}],
        },
    }


async def test_meeting_deleted_and_recovered(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    created = (
        await api.post("/v2/users/me/meetings", json={"topic": "Gone", "start_time": "2026-02-01T10:00:00Z"})
    ).json()
    assert (await api.delete(f"/v2/meetings/{created['id']}")).status_code == 204
    recovered = await api.put(f"/v2/meetings/{created['id']}/status", json={"action": "recover"})
    assert recovered.status_code == 204
    _, deleted, back = await _deliveries(dispatcher, receiver, 3)
    head = {
        "uuid": created["uuid"],
        "id": created["id"],
        "host_id": api.tenant.owner.id,
        "topic": "Gone",
        "type": 2,
        "start_time": "2026-02-01T10:00:00Z",
        "duration": 0,
        "timezone": "UTC",
    }
    account = {"account_id": api.tenant.account.id, **_operator(api)}
    assert deleted.json["payload"] == {**account, "operation": "all", "object": head}
    assert back.json == {
        "event": "meeting.recovered",
        "payload": {**account, "operation": "all", "object": head},
        "event_ts": EVENT_TS,
    }


async def test_registration_events(api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher) -> None:
    assert api.tenant is not None
    meeting = (
        await api.post(
            "/v2/users/me/meetings",
            json={
                "topic": "Webinar-ish",
                "start_time": "2026-02-01T10:00:00Z",
                "settings": {"approval_type": 1},
            },
        )
    ).json()
    path = f"/v2/meetings/{meeting['id']}/registrants"
    ada = (
        await api.post(path, json={"email": "ada@example.com", "first_name": "Ada", "last_name": "L"})
    ).json()
    bob = (
        await api.post(path, json={"email": "bob@example.com", "first_name": "Bob", "city": "Oslo"})
    ).json()
    approve = {"action": "approve", "registrants": [{"id": ada["registrant_id"]}]}
    assert (await api.put(f"{path}/status", json=approve)).status_code == 204
    deny = {"action": "deny", "registrants": [{"id": bob["registrant_id"]}]}
    assert (await api.put(f"{path}/status", json=deny)).status_code == 204
    cancel = {"action": "cancel", "registrants": [{"id": ada["registrant_id"]}]}
    assert (await api.put(f"{path}/status", json=cancel)).status_code == 204
    got = await _deliveries(dispatcher, receiver, 6)
    assert [d.event for d in got] == [
        "meeting.created",
        "meeting.registration_created",
        "meeting.registration_created",
        "meeting.registration_approved",
        "meeting.registration_denied",
        "meeting.registration_cancelled",
    ]
    head = {
        "uuid": meeting["uuid"],
        "id": meeting["id"],
        "host_id": api.tenant.owner.id,
        "topic": "Webinar-ish",
        "type": 2,
        "start_time": "2026-02-01T10:00:00Z",
        "duration": 0,
        "timezone": "UTC",
    }
    first = got[1].json["payload"]
    link = first["object"]["registrant"]["join_url"]
    assert link.startswith(f"http://moot.test/w/{meeting['id']}?tk=")
    assert first == {
        "account_id": api.tenant.account.id,
        "object": {
            **head,
            "registrant": {
                "id": ada["registrant_id"],
                "first_name": "Ada",
                "last_name": "L",
                "email": "ada@example.com",
                "status": "pending",
                "join_url": link,
                "participant_pin_code": first["object"]["registrant"]["participant_pin_code"],
            },
        },
    }
    assert got[2].json["payload"]["object"]["registrant"]["city"] == "Oslo"
    approved = got[3].json["payload"]
    assert approved == {
        "account_id": api.tenant.account.id,
        **_operator(api),
        "object": {
            **head,
            "registrant": {
                "id": ada["registrant_id"],
                "first_name": "Ada",
                "last_name": "L",
                "email": "ada@example.com",
                "join_url": link,
                "participant_pin_code": first["object"]["registrant"]["participant_pin_code"],
            },
        },
    }
    bob_person = {"id": bob["registrant_id"], "first_name": "Bob", "email": "bob@example.com"}
    assert got[4].json["payload"]["object"] == {**head, "registrant": bob_person}
    ada_person = {
        "id": ada["registrant_id"],
        "first_name": "Ada",
        "last_name": "L",
        "email": "ada@example.com",
    }
    assert got[5].json["payload"]["object"] == {**head, "registrant": ada_person}


async def test_bodies_are_what_json_stringify_gives(
    api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    """orjson writes moot's bodies; the receiver hashes JSON.stringify of the parsed body: the same bytes."""
    await api.post("/v2/users/me/meetings", json={"topic": 'quote " back \\ tab \t 中文 \u2028 😀'})
    (delivery,) = await _deliveries(dispatcher, receiver, 1)
    assert delivery.body == serialize(orjson.loads(delivery.body))


async def test_subscriptions_filter_events(api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher) -> None:
    from dataclasses import replace

    from moot.webhooks import endpoints

    assert api.tenant is not None
    app = await api.deps.store.get_app(api.tenant.app.client_id)
    assert app is not None and app.webhook is not None
    await endpoints.save_endpoint(api.deps, app.client_id, replace(app.webhook, events=("meeting.deleted",)))
    created = (await api.post("/v2/users/me/meetings", json={"topic": "Quiet"})).json()
    await api.delete(f"/v2/meetings/{created['id']}")
    (delivery,) = await _deliveries(dispatcher, receiver, 1)
    assert delivery.event == "meeting.deleted"
    await dispatcher.drain()
    assert len(receiver.deliveries) == 1
