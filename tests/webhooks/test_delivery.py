"""Delivery: at least once, in order per meeting, on Zoom's retry schedule, every attempt recorded, and a
dispatcher no receiver can break."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from moot.domain.clock import ControllableClock
from moot.domain.deliveries import DeliveryState
from moot.domain.events import EVENT_TYPES, MEETING_CREATED
from moot.services import events
from moot.services.context import Deps
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.conftest import NOW
from tests.support.api import ZoomApi
from tests.support.live_server import free_port
from tests.support.receiver import Receiver
from tests.webhooks.conftest import SECRET


async def _create(api: ZoomApi, topic: str) -> int:
    response = await api.post("/v2/users/me/meetings", json={"topic": topic})
    assert response.status_code == 201
    return int(response.json()["id"])


async def _point_at(api: ZoomApi, url: str) -> None:
    """Send the tenant's events to ``url`` (stored active, without a challenge: it may not answer one)."""
    assert api.tenant is not None
    app = await api.deps.store.get_app(api.tenant.app.client_id)
    assert app is not None and app.webhook is not None
    await endpoints.save_endpoint(api.deps, app.client_id, replace(app.webhook, url=url))


async def test_a_failed_transaction_emits_nothing(deps: Deps, api: ZoomApi, dispatcher: Dispatcher) -> None:
    assert api.tenant is not None
    with pytest.raises(RuntimeError):
        async with events.write(deps) as tx:
            await events.emit(tx, deps, MEETING_CREATED, api.tenant.account.id, "1", {"object": {}})
            raise RuntimeError("the change failed after its event was written")
    assert await deps.store.outbox.backlog() == 0
    # A registration refused by the database (the same email twice) emits nothing either.
    meeting = (
        await api.post("/v2/users/me/meetings", json={"topic": "R", "settings": {"approval_type": 0}})
    ).json()
    path = f"/v2/meetings/{meeting['id']}/registrants"
    assert (await api.post(path, json={"email": "a@example.com", "first_name": "A"})).status_code == 201
    assert (await api.post(path, json={"email": "a@example.com", "first_name": "A"})).status_code == 400
    await dispatcher.drain()
    sent = await deps.store.outbox.list_deliveries()
    assert sorted(d.event for d in sent) == ["meeting.created", "meeting.registration_created"]


async def test_receiver_down_then_up_gets_every_event_in_order_once(
    deps: Deps, clock: ControllableClock, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    receiver.stop()
    ids = [await _create(api, f"m{i}") for i in range(3)]
    for meeting_id in ids:
        for topic in ("second", "third"):
            await api.patch(f"/v2/meetings/{meeting_id}", json={"topic": f"{meeting_id}-{topic}"})
    await dispatcher.drain()
    # Only the first event of each meeting was tried; the others wait behind it.
    pending = await deps.store.outbox.list_deliveries(state="pending")
    assert len(pending) == 9
    assert sorted(d.attempts for d in pending) == [0] * 6 + [1] * 3
    receiver.start()
    await dispatcher.drain()
    assert receiver.deliveries == []  # the retry is due in 5 minutes, not before
    clock.advance(300)
    await dispatcher.drain()
    got = receiver.wait_for(9)
    assert all(d.verified for d in got)
    for meeting_id in ids:
        mine = [d for d in got if d.json["payload"]["object"]["id"] == meeting_id]
        assert [d.event for d in mine] == ["meeting.created", "meeting.updated", "meeting.updated"]
        assert [d.json["payload"]["object"].get("topic") for d in mine] == [
            mine[0].json["payload"]["object"]["topic"],
            f"{meeting_id}-second",
            f"{meeting_id}-third",
        ]
    assert len({d.body for d in got}) == 9  # none twice
    assert await deps.store.outbox.list_deliveries(state="pending") == []


async def test_retry_schedule_follows_zoom_on_the_clock(
    deps: Deps, clock: ControllableClock, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    receiver.respond_with(500)
    await _create(api, "never accepted")
    start = clock.timestamp()
    await dispatcher.drain()
    receiver.wait_for(1)
    seen: list[float] = [0]
    for wait in (300, 1200, 3600):
        clock.advance(wait - 1)
        await dispatcher.drain()
        assert len(receiver.deliveries) == len(seen), "an attempt came before its time"
        clock.advance(1)
        await dispatcher.drain()
        receiver.wait_for(len(seen) + 1)
        seen.append(clock.timestamp() - start)
    assert seen == [0, 300, 1500, 5100]
    clock.advance(24 * 3600)
    await dispatcher.drain()
    assert len(receiver.deliveries) == 4
    (delivery,) = await deps.store.outbox.list_deliveries()
    assert delivery.state is DeliveryState.FAILED
    attempts = await deps.store.outbox.attempts(delivery.id)
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 500), (3, 500), (4, 500)]
    assert attempts[0].error == "answered HTTP 500; Zoom counts only 200 and 204 as delivered"
    assert attempts[0].at == "2026-01-15T12:00:00Z"
    assert attempts[3].url == receiver.url


async def test_200_and_204_deliver_other_2xx_do_not(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    for status in (204, 202, 200):
        receiver.respond_with(status, times=1)
        await _create(api, str(status))
        await dispatcher.drain()
    states = {d.last_status: d.state for d in await deps.store.outbox.list_deliveries()}
    assert states == {204: DeliveryState.DELIVERED, 202: DeliveryState.PENDING, 200: DeliveryState.DELIVERED}


async def test_a_slow_receiver_times_out_after_three_seconds(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    receiver.delay(3.5)
    await _create(api, "slow")
    await dispatcher.drain()
    (delivery,) = await deps.store.outbox.list_deliveries()
    (attempt,) = await deps.store.outbox.attempts(delivery.id)
    assert (delivery.state, attempt.status_code, attempt.error) == (
        DeliveryState.PENDING,
        None,
        "no answer within 3 seconds",
    )
    assert 2900 <= attempt.latency_ms < 3500


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://moot-no-such-host.invalid/hook", "request failed: "),
        ("not a url", "request failed: "),
        ("ftp://127.0.0.1/hook", "request failed: "),
        (f"http://127.0.0.1:{free_port()}/closed", "request failed: "),
    ],
)
async def test_unreachable_endpoints_are_recorded_and_the_dispatcher_carries_on(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher, url: str, expected: str
) -> None:
    good = receiver.url
    await _point_at(api, url)
    await _create(api, "lost for now")
    await dispatcher.drain()
    (delivery,) = await deps.store.outbox.list_deliveries()
    (attempt,) = await deps.store.outbox.attempts(delivery.id)
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith(expected), attempt.error
    assert delivery.state is DeliveryState.PENDING
    # The same dispatcher still delivers to an endpoint that works.
    await _point_at(api, good)
    other = await api.new_tenant("other@example.com")
    await endpoints.set_endpoint(deps, other.app.client_id, url=good, secret_token=SECRET, events=EVENT_TYPES)
    receiver.clear()
    await api.post("/v2/users/me/meetings", json={"topic": "fine"}, tenant=other)
    await dispatcher.drain()
    assert receiver.wait_for_event("meeting.created").verified


async def test_tls_errors_are_recorded(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    # The receiver speaks plain HTTP: a TLS client's handshake with it fails.
    await _point_at(api, receiver.url.replace("http://", "https://"))
    await _create(api, "tls")
    await dispatcher.drain()
    (delivery,) = await deps.store.outbox.list_deliveries()
    (attempt,) = await deps.store.outbox.attempts(delivery.id)
    assert attempt.error is not None and attempt.error.startswith("request failed: ")
    assert "ssl" in attempt.error.lower() or "tls" in attempt.error.lower(), attempt.error


async def test_deliveries_go_out_concurrently(
    deps: Deps, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    receiver.delay(0.5)
    for i in range(20):
        await _create(api, f"c{i}")
    started = asyncio.get_running_loop().time()
    await dispatcher.drain()
    assert len(receiver.wait_for(20)) == 20
    assert asyncio.get_running_loop().time() - started < 5  # 20 x 0.5 s one after another would be 10 s


async def test_endpoint_validation(deps: Deps, api: ZoomApi, receiver: Receiver) -> None:
    assert api.tenant is not None
    client_id = api.tenant.app.client_id
    checked = await endpoints.set_endpoint(
        deps, client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
    )
    assert (checked.active, checked.validated_at, checked.last_error) == (True, NOW, "")
    challenge = receiver.wait_for_event("endpoint.url_validation")
    assert challenge.verified
    assert set(challenge.json) == {"payload", "event_ts", "event"}
    receiver.wrong_validation = True
    refused = await endpoints.set_endpoint(
        deps, client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
    )
    assert (refused.active, refused.last_error) == (
        False,
        "encryptedToken is not HMAC-SHA256(secret token, plainToken)",
    )
    closed = f"http://127.0.0.1:{free_port()}/hook"
    down = await endpoints.set_endpoint(deps, client_id, url=closed, secret_token=SECRET, events=EVENT_TYPES)
    assert not down.active and down.last_error.startswith("request failed: ")
    stored = await deps.store.get_app(client_id)
    assert stored is not None and stored.webhook == down


async def test_endpoints_are_revalidated_every_72_hours(
    deps: Deps, clock: ControllableClock, api: ZoomApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    assert api.tenant is not None
    client_id = api.tenant.app.client_id
    clock.advance(72 * 3600 - 1)
    await dispatcher.cycle()
    assert receiver.deliveries == []
    clock.advance(1)
    dispatcher.nudge()  # look now rather than a second from now
    await dispatcher.cycle()
    assert receiver.wait_for_event("endpoint.url_validation").verified
    app = await deps.store.get_app(client_id)
    assert app is not None and app.webhook is not None
    assert app.webhook.active and app.webhook.validated_at == clock.now()
    # 72 hours on, the receiver answers wrongly: the endpoint is switched off and gets no events.
    receiver.wrong_validation = True
    clock.advance(72 * 3600)
    dispatcher.nudge()
    await dispatcher.cycle()
    app = await deps.store.get_app(client_id)
    assert app is not None and app.webhook is not None and not app.webhook.active
    receiver.clear()
    await api.renew_token()  # the old one expired with the clock
    await _create(api, "nobody listening")
    await dispatcher.drain()
    assert receiver.events("meeting.created") == []
