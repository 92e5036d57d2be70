"""Deliveries signed by moot.webhooks, checked by two independent receivers: a port of Zoom's sample
(tests/support/receiver.py) and @zoom/rivet's own HttpReceiver (tests/support/rivet_receiver.py)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from moot.webhooks import headers, serialize
from tests.support.receiver import Delivery, Receiver
from tests.support.rivet_receiver import RivetReceiver

SECRET = "mootWebhookSecretToken0123456789"
CLIENT_ID = "mootConformanceClient1"
PLAIN_TOKEN = "qgg8vlvZRS6UYooatFL8Aw"
EVENT: dict[str, Any] = {
    "event": "meeting.created",
    "payload": {
        "account_id": "mootConformanceAcct01A",
        "operator": "owner@example.com",
        "operator_id": "z8yCxjabcdEFGHfp8uQ",
        "object": {
            "uuid": "4444AAAiAAAAAiAiAiiAii==",
            "id": 85746065432,
            "host_id": "z8yCxjabcdEFGHfp8uQ",
            "topic": 'Café ☕ 会議 😀 "quoted" \\ \u2028 \x00 \ud800',
            "type": 2,
            "start_time": "2031-07-08T09:10:11Z",
            "duration": 30,
            "timezone": "America/New_York",
            "settings": {"use_pmi": False, "alternative_hosts": "", "jbh_time": 0},
            "tracking_fields": [{"field": "10", "value": "1.5"}],
            "extras": {"b": 1, "10": 2, "2": 3, "ratio": 1.5, "tiny": 1e-7, "big": 1e21, "empty": {}},
        },
    },
    "event_ts": 1768478400123,
}
VALIDATION: dict[str, Any] = {
    "event": "endpoint.url_validation",
    "payload": {"plainToken": PLAIN_TOKEN},
    "event_ts": 1768478400456,
}
ENCRYPTED_TOKEN = hmac.new(SECRET.encode(), PLAIN_TOKEN.encode(), hashlib.sha256).hexdigest()


def post(url: str, body: bytes, sent_headers: dict[str, str], timeout: float = 10.0) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=timeout) as client:
        return client.post(url, content=body, headers=sent_headers)


def deliver(url: str, event: dict[str, Any], secret: str = SECRET, timeout: float = 10.0) -> httpx.Response:
    body = serialize(event)
    return post(url, body, headers(secret, body, int(time.time()), "trk-1", CLIENT_ID), timeout)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
def rivet() -> Iterator[RivetReceiver]:
    with RivetReceiver(SECRET) as running:
        yield running


# --- Zoom's sample, in Python ----------------------------------------------------------------------------


def test_the_sample_receiver_accepts_a_signed_delivery(receiver: Receiver) -> None:
    before = time.time()
    response = deliver(receiver.url, EVENT)
    assert (response.status_code, response.json()) == (
        200,
        {"message": "Authorized request to Webhook Sample Node.js.", "status": "200"},
    )
    [delivery] = receiver.wait_for(1)
    body = serialize(EVENT)
    sent = headers(SECRET, body, delivery.headers["x-zm-request-timestamp"], "trk-1", CLIENT_ID)
    assert {name: delivery.headers[name] for name in sent} == sent
    assert before - 1 <= int(delivery.headers["x-zm-request-timestamp"]) <= time.time()
    assert delivery == Delivery(
        method="POST",
        path="/webhook",
        headers=delivery.headers,
        body=body,
        json=EVENT,
        verified=True,
        answered=200,
        received_at=delivery.received_at,
        monotonic=delivery.monotonic,
    )
    assert before <= delivery.received_at <= time.time()
    assert receiver.wait_for_event("meeting.created") is delivery


def test_the_sample_receiver_rejects_a_wrong_signature(receiver: Receiver) -> None:
    response = deliver(receiver.url, EVENT, secret="wrong-secret")
    assert (response.status_code, response.json()) == (
        401,
        {"message": "Unauthorized request to Webhook Sample Node.js."},
    )
    [delivery] = receiver.deliveries
    assert (delivery.verified, delivery.answered, delivery.json) == (False, 401, EVENT)


def test_the_sample_receiver_rejects_a_tampered_body(receiver: Receiver) -> None:
    body = serialize(EVENT)
    tampered = body.replace(b"85746065432", b"85746065433")
    response = post(receiver.url, tampered, headers(SECRET, body, int(time.time()), "trk-1"))
    assert response.status_code == 401
    assert [d.verified for d in receiver.deliveries] == [False]


def test_the_sample_receiver_answers_url_validation(receiver: Receiver) -> None:
    response = deliver(receiver.url, VALIDATION)
    assert (response.status_code, response.json()) == (
        200,
        {"plainToken": PLAIN_TOKEN, "encryptedToken": ENCRYPTED_TOKEN},
    )
    receiver.wrong_validation = True
    wrong = deliver(receiver.url, VALIDATION)
    assert wrong.status_code == 200
    assert wrong.json()["plainToken"] == PLAIN_TOKEN
    assert wrong.json()["encryptedToken"] not in (ENCRYPTED_TOKEN, PLAIN_TOKEN)


def test_the_sample_receiver_answers_as_told(receiver: Receiver) -> None:
    receiver.respond_with(500, times=2)
    receiver.respond_with(204)
    statuses = [deliver(receiver.url, EVENT).status_code for _ in range(3)]
    assert statuses == [500, 500, 204]
    assert [d.answered for d in receiver.wait_for(3)] == [500, 500, 204]


def test_the_sample_receiver_can_be_slow(receiver: Receiver) -> None:
    receiver.delay(1.0)
    with pytest.raises(httpx.ReadTimeout):
        deliver(receiver.url, EVENT, timeout=0.3)
    assert len(receiver.wait_for(1, timeout=1)) == 1  # recorded on arrival, before the late answer


def test_the_sample_receiver_goes_down_and_comes_back_on_the_same_port(receiver: Receiver) -> None:
    url = receiver.url
    receiver.stop()
    with pytest.raises(httpx.ConnectError):
        deliver(url, EVENT)
    receiver.start()
    assert receiver.url == url
    assert deliver(url, EVENT).status_code == 200
    assert [d.verified for d in receiver.deliveries] == [True]


def test_wait_for_event_names_what_did_arrive(receiver: Receiver) -> None:
    deliver(receiver.url, EVENT)
    with pytest.raises(
        AssertionError, match=r"no 'meeting.deleted' delivery in 0.1 s; arrived: \['meeting.created'\]"
    ):
        receiver.wait_for_event("meeting.deleted", timeout=0.1)


# --- @zoom/rivet -----------------------------------------------------------------------------------------


def test_rivet_accepts_a_signed_delivery(rivet: RivetReceiver) -> None:
    response = deliver(rivet.url, EVENT)
    assert (response.status_code, response.json()) == (200, {"message": "Zoom event processed successfully."})
    assert rivet.wait_for(1) == [EVENT]
    assert rivet.wait_for_event("meeting.created") == EVENT
    assert rivet.rejections == []


def test_rivet_rejects_a_wrong_signature(rivet: RivetReceiver) -> None:
    response = deliver(rivet.url, EVENT, secret="wrong-secret")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Failed to verify event originated from Zoom."},
    )
    assert rivet.wait_for_rejection() == {
        "rejected": 400,
        "error": "Failed to verify event originated from Zoom.",
    }
    assert rivet.accepted == []


def test_rivet_rejects_a_tampered_body(rivet: RivetReceiver) -> None:
    body = serialize(EVENT)
    tampered = body.replace(b"85746065432", b"85746065433")
    response = post(rivet.url, tampered, headers(SECRET, body, int(time.time()), "trk-1"))
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Failed to verify event originated from Zoom."},
    )
    assert rivet.wait_for_rejection() == {
        "rejected": 400,
        "error": "Failed to verify event originated from Zoom.",
    }
    assert rivet.accepted == []


def test_rivet_answers_url_validation(rivet: RivetReceiver) -> None:
    response = deliver(rivet.url, VALIDATION)
    assert (response.status_code, response.json()) == (
        200,
        {"encryptedToken": ENCRYPTED_TOKEN, "plainToken": PLAIN_TOKEN},
    )
    assert rivet.wait_for_validation() == {"encryptedToken": ENCRYPTED_TOKEN, "plainToken": PLAIN_TOKEN}
    assert (rivet.accepted, rivet.rejections) == ([], [])
