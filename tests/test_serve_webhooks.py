"""Webhooks from live ``moot serve`` processes to a real receiver: the bootstrap endpoint's validation,
at-least-once delivery across SIGKILL, the admin API, and two processes sharing one PostgreSQL outbox."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from moot.domain.events import EVENT_TYPES
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_base_url,
    requires_postgres,
    run_outside_loop,
)
from tests.support.live_server import Running, serve, server_env
from tests.support.receiver import URL_VALIDATION, Delivery, Receiver
from tests.support.stored import stored_app, wait_until

ACCOUNT_ID = "whAccount0000000000001"
CLIENT_ID = "whClient00000000000001"
CLIENT_SECRET = "whSecret000000000000000000000001"
EMAIL = "hooks@example.com"
SECRET = "serve-w3bh00k-secret"
ADMIN_TOKEN = "admin-t0ken-for-tests"
DELIVERIES = "/moot/api/webhooks/deliveries"
ZOOM_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TRACKING_ID = re.compile(r"^v=2\.0;clid=moot;rid=WEBHOOK_[0-9a-f]{32}$")
RECEIVER_ANSWER = '{"message": "Authorized request to Webhook Sample Node.js.", "status": "200"}'


def webhook_env(url: str, **overrides: str) -> dict[str, str]:
    """A bootstrap account whose app sends every event to ``url``."""
    return server_env(
        MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
        MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
        MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
        MOOT_BOOTSTRAP_USER_EMAIL=EMAIL,
        MOOT_BOOTSTRAP_RATE_LIMITS="off",
        MOOT_BOOTSTRAP_WEBHOOK_URL=url,
        MOOT_BOOTSTRAP_WEBHOOK_SECRET=SECRET,
        **overrides,
    )


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'moot.db'}"  # where `serve` puts the database by default


def access_token(server: Running) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = httpx.post(
        f"{server.base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def create_meeting(server: Running, token: str, topic: str = "Webhook Meeting") -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}/v2/users/me/meetings",
        headers={"Authorization": f"Bearer {token}"},
        json={"topic": topic, "type": 2, "start_time": "2031-06-09T17:00:00Z", "duration": 30},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def endpoint_active(db_url: str) -> bool:
    found = stored_app(db_url, CLIENT_ID)
    return found is not None and found.webhook is not None and found.webhook.active


def wait_for_active_endpoint(db_url: str, timeout: float = 10.0) -> None:
    """The server stores the endpoint active after the receiver answered its challenge; events committed
    before that have no endpoint to go to, as on Zoom."""
    wait_until(lambda: endpoint_active(db_url), timeout=timeout, what="the bootstrap endpoint is active")


def created_event(meeting: dict[str, Any], received: Delivery) -> dict[str, Any]:
    """The whole ``meeting.created`` body expected for ``meeting`` (the API's create response)."""
    event_ts = received.json["event_ts"]
    assert isinstance(event_ts, int) and abs(event_ts / 1000 - received.received_at) < 60, event_ts
    settings = meeting["settings"]
    return {
        "event": "meeting.created",
        "payload": {
            "account_id": ACCOUNT_ID,
            "operator": EMAIL,
            "operator_id": meeting["host_id"],
            "creation_source": "open_api",
            "object": {
                **{
                    k: meeting[k]
                    for k in (
                        "uuid",
                        "id",
                        "host_id",
                        "topic",
                        "type",
                        "start_time",
                        "duration",
                        "timezone",
                        "join_url",
                        "password",
                    )
                },
                "settings": {
                    k: settings[k] for k in ("use_pmi", "alternative_hosts", "join_before_host", "jbh_time")
                },
            },
        },
        "event_ts": event_ts,
    }


def assert_delivered(received: Delivery, meeting: dict[str, Any]) -> None:
    """A verified, answered ``meeting.created`` for ``meeting``, with Zoom's headers."""
    assert (received.path, received.verified, received.answered) == ("/webhook", True, 200)
    assert received.json == created_event(meeting, received)
    assert TRACKING_ID.match(received.headers["x-zm-trackingid"]), received.headers
    assert (received.headers["user-agent"], received.headers["clientid"]) == (
        "Zoom Marketplace/1.0a",
        CLIENT_ID,
    )


def kill(server: Running) -> None:
    server.process.kill()  # SIGKILL: no shutdown, no finished delivery recorded
    server.process.wait(timeout=10)


def created_ids(receiver: Receiver) -> list[int]:
    return [d.json["payload"]["object"]["id"] for d in receiver.events("meeting.created")]


def test_a_bootstrap_endpoint_down_at_start_is_validated_once_it_answers(tmp_path: Path) -> None:
    receiver = Receiver(SECRET)
    receiver.start()
    receiver.stop()  # its port is chosen; nothing listens there yet
    db = sqlite_url(tmp_path)
    try:
        with serve(tmp_path, env=webhook_env(receiver.url)) as server:

            def first_failure() -> str | None:
                found = stored_app(db, CLIENT_ID)
                return found.webhook.last_error if found and found.webhook else None

            error = wait_until(first_failure, timeout=10, what="the challenge at start-up failed")
            assert error.startswith("request failed: "), error
            receiver.start()
            challenge = receiver.wait_for_event(URL_VALIDATION, timeout=15)
            assert (challenge.verified, challenge.answered) == (True, 200)
            wait_for_active_endpoint(db)

            meeting = create_meeting(server, access_token(server))
            received = receiver.wait_for_event("meeting.created", timeout=10)
            assert_delivered(received, meeting)
            assert [d.event for d in receiver.deliveries] == [URL_VALIDATION, "meeting.created"]
            stored = stored_app(db, CLIENT_ID)
            assert stored is not None and stored.webhook is not None
            assert (stored.webhook.events, stored.webhook.last_error) == (EVENT_TYPES, "")
    finally:
        receiver.stop()


def test_a_delivery_cut_off_by_sigkill_is_sent_again_after_a_restart(tmp_path: Path) -> None:
    with Receiver(SECRET) as receiver:
        env = webhook_env(receiver.url, MOOT_WEBHOOK_LEASE_SECONDS="4", MOOT_ADMIN_TOKEN=ADMIN_TOKEN)
        with serve(tmp_path, env=env) as server:
            wait_for_active_endpoint(sqlite_url(tmp_path))
            receiver.delay(2.5)  # the answer is still on its way when the server dies
            meeting = create_meeting(server, access_token(server))
            first = receiver.wait_for_event("meeting.created", timeout=5)
            kill(server)
        receiver.delay(0)
        with serve(tmp_path, env=env) as restarted:
            wait_until(
                lambda: len(receiver.events("meeting.created")) >= 2, timeout=10, what="the event sent again"
            )
            again = receiver.events("meeting.created")[1]
            assert_delivered(again, meeting)
            assert again.body == first.body
            assert again.headers["x-zm-trackingid"] == first.headers["x-zm-trackingid"]
            assert again.monotonic - first.monotonic > 3.0  # not before the dead process's lease ran out
            [delivery] = wait_until(
                lambda: delivered(restarted, "meeting.created"), timeout=5, what="the delivery recorded"
            )
            # The cut-off attempt was never recorded: the one that got through is the first on file.
            assert (delivery["attempts"], delivery["last_status"]) == (1, 200)
        assert len(receiver.events("meeting.created")) == 2


def delivered(server: Running, event: str) -> list[dict[str, Any]] | None:
    """The server's deliveries of ``event``, once every one of them is delivered."""
    response = httpx.get(
        f"{server.base_url}{DELIVERIES}",
        params={"event": event, "limit": "300"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 200, response.text
    deliveries: list[dict[str, Any]] = response.json()["deliveries"]
    return deliveries if deliveries and all(d["state"] == "delivered" for d in deliveries) else None


def test_events_committed_while_the_receiver_is_down_survive_a_sigkill(tmp_path: Path) -> None:
    with Receiver(SECRET) as receiver:
        env = webhook_env(receiver.url, MOOT_WEBHOOK_LEASE_SECONDS="4", MOOT_WEBHOOK_RETRY_SCALE="0.01")
        with serve(tmp_path, env=env) as server:
            wait_for_active_endpoint(sqlite_url(tmp_path))
            token = access_token(server)
            receiver.stop()
            meetings = [create_meeting(server, token, f"While down {n}") for n in range(3)]
            kill(server)
        receiver.start()
        with serve(tmp_path, env=env):
            wait_until(lambda: len(created_ids(receiver)) >= 3, timeout=15, what="3 meeting.created events")
        by_id = {d.json["payload"]["object"]["id"]: d for d in receiver.events("meeting.created")}
        assert sorted(created_ids(receiver)) == sorted(m["id"] for m in meetings)
        for meeting in meetings:
            assert_delivered(by_id[meeting["id"]], meeting)


def test_the_admin_api_lists_shows_and_replays_deliveries(tmp_path: Path) -> None:
    with Receiver(SECRET) as receiver:
        env = webhook_env(receiver.url, MOOT_ADMIN_TOKEN=ADMIN_TOKEN)
        with (
            serve(tmp_path, env=env) as server,
            httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            ) as admin,
        ):
            wait_for_active_endpoint(sqlite_url(tmp_path))
            meeting = create_meeting(server, access_token(server))
            received = receiver.wait_for_event("meeting.created")
            assert_delivered(received, meeting)

            for headers in ({}, {"Authorization": "Bearer not-the-token"}):
                refused = httpx.get(f"{server.base_url}{DELIVERIES}", headers=headers)
                assert (refused.status_code, refused.json()) == (
                    401,
                    {"code": 124, "message": "Invalid admin token."},
                )

            [listed] = wait_until(lambda: delivered(server, "meeting.created"), timeout=5, what="delivered")
            assert isinstance(listed["id"], int) and isinstance(listed["event_id"], int)
            assert ZOOM_TIME.match(listed["created_at"]) and ZOOM_TIME.match(listed["delivered_at"]), listed
            expected = {
                "id": listed["id"],
                "event_id": listed["event_id"],
                "event": "meeting.created",
                "account_id": ACCOUNT_ID,
                "client_id": CLIENT_ID,
                "state": "delivered",
                "attempts": 1,
                "tracking_id": received.headers["x-zm-trackingid"],
                "created_at": listed["created_at"],
                "delivered_at": listed["delivered_at"],
                "last_status": 200,
                "last_error": None,
            }
            everything = admin.get(DELIVERIES)
            assert (everything.status_code, everything.json()) == (
                200,
                {"deliveries": [expected], "next_before_id": None},
            )

            one = admin.get(f"{DELIVERIES}/{listed['id']}")
            assert one.status_code == 200
            [attempt] = one.json()["attempt_log"]
            assert one.json() == {
                **expected,
                "attempt_log": [attempt_entry(attempt, 1, receiver.url, at=listed["delivered_at"])],
                "body": received.body.decode(),
            }

            replayed = admin.post(f"{DELIVERIES}/{listed['id']}/replay")
            assert replayed.status_code == 200
            assert replayed.json() == attempt_entry(replayed.json(), 2, receiver.url)
            again = receiver.wait_for(3)[-1]  # the challenge, the delivery, the replay
            assert again.body == received.body and again.verified
            assert again.headers["x-zm-trackingid"] == received.headers["x-zm-trackingid"]

            after = admin.get(f"{DELIVERIES}/{listed['id']}").json()
            assert after["attempts"] == 2
            assert after["attempt_log"] == [attempt, replayed.json()]

            missing = admin.get(f"{DELIVERIES}/999999")
            assert (missing.status_code, missing.json()) == (
                404,
                {"code": 404, "message": "The requested resource was not found."},
            )


def attempt_entry(actual: dict[str, Any], number: int, url: str, *, at: str | None = None) -> dict[str, Any]:
    """The whole attempt expected: a 200 from the receiver (``at`` and latency checked by shape)."""
    assert ZOOM_TIME.match(actual["at"]) and (at is None or actual["at"] == at), actual
    assert isinstance(actual["latency_ms"], float) and 0 <= actual["latency_ms"] < 3000, actual
    return {
        "number": number,
        "at": actual["at"],
        "url": url,
        "status_code": 200,
        "latency_ms": actual["latency_ms"],
        "error": None,
        "response": RECEIVER_ANSWER,
    }


def test_the_admin_api_is_not_there_without_an_admin_token(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        for headers in ({}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}):
            response = httpx.get(f"{server.base_url}{DELIVERIES}", headers=headers)
            assert (response.status_code, response.json()) == (
                404,
                {"code": 404, "message": "The requested resource was not found."},
            )


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=requires_postgres)])
def test_two_processes_on_one_postgresql_deliver_each_event_once(tmp_path: Path, backend: str) -> None:
    url: str = run_outside_loop(create_postgres_database, postgres_base_url())
    try:
        with Receiver(SECRET) as receiver:
            env = webhook_env(receiver.url, MOOT_ADMIN_TOKEN=ADMIN_TOKEN)
            with (
                serve(tmp_path, db_url=url, env=env) as first,
                serve(tmp_path, db_url=url, env=env) as second,
            ):
                wait_for_active_endpoint(url)
                token = access_token(first)
                meetings = [create_meeting((first, second)[n % 2], token, f"Meeting {n}") for n in range(50)]
                wait_until(lambda: len(created_ids(receiver)) >= 50, timeout=15, what="50 meeting.created")
                records = wait_until(
                    lambda: delivered(second, "meeting.created"), timeout=5, what="all deliveries recorded"
                )
                assert sorted((d["attempts"], d["last_status"]) for d in records) == [(1, 200)] * 50
            # Both processes have stopped, so nothing is still on its way.
            assert sorted(created_ids(receiver)) == sorted(m["id"] for m in meetings)
            by_id = {d.json["payload"]["object"]["id"]: d for d in receiver.events("meeting.created")}
            for meeting in meetings:
                assert_delivered(by_id[meeting["id"]], meeting)
    finally:
        run_outside_loop(drop_postgres_database, url)
