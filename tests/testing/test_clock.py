"""The clock in a user's tests: moving it expires access tokens, starts daily quotas again and sends the
webhook retries that fall due, on a ``moot_server``, under ``mock_zoom()`` and in process."""

from __future__ import annotations

import pytest

from tests.testing.conftest import outcomes, ran

USER_CONFTEST = '''
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "hook-secret"
HOOKED = {"account_id": "hooked", "client_id": "hooked-app", "client_secret": "hooked-secret"}


def hooked_seed(url):
    app = {
        "client_id": HOOKED["client_id"],
        "client_secret": HOOKED["client_secret"],
        "webhook": {"url": url, "secret": SECRET, "events": ["meeting.created"]},
    }
    return {"accounts": [{"id": HOOKED["account_id"], "apps": [app]}]}


class Receiver:
    """Answers Zoom's URL-validation challenge; records events with the status it answered them with."""

    def __init__(self):
        self.events, self.failures, self.lock = [], [], threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                answer, status = b"", 200
                if body["event"] == "endpoint.url_validation":
                    plain = body["payload"]["plainToken"]
                    encrypted = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
                    answer = json.dumps({"plainToken": plain, "encryptedToken": encrypted}).encode()
                else:
                    with receiver.lock:
                        status = receiver.failures.pop(0) if receiver.failures else 200
                        receiver.events.append((body["event"], status))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zoom"

    def wait_for(self, count, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"{len(self.events)} events of {count}"
            time.sleep(0.01)
        return list(self.events)


@pytest.fixture(scope="session")
def receiver():
    running = Receiver()
    yield running
    running.server.shutdown()


@pytest.fixture(autouse=True)
def fresh_receiver(receiver):
    receiver.events.clear()
    receiver.failures.clear()


@pytest.fixture(scope="session")
def moot_emulate_args(receiver, tmp_path_factory):
    seed = tmp_path_factory.mktemp("seed") / "seed.json"
    seed.write_text(json.dumps(hooked_seed(receiver.url)))
    return ["--data", str(seed)]
'''

USER_SUITE = '''
import time

import pytest
import requests

from conftest import HOOKED, hooked_seed
from moot.testing import mock_zoom

CREATED = "meeting.created"
EXPIRED = {"code": 124, "message": "Access token is expired."}
HOST_QUOTA = {
    "code": 429,
    "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
    "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
}


def delivery_after(admin, attempts, timeout=10.0):
    """The meeting.created delivery, once it has recorded ``attempts`` attempts."""
    deadline = time.monotonic() + timeout
    while True:
        (delivery,) = admin.deliveries(event="meeting.created")
        if delivery["attempts"] >= attempts or time.monotonic() > deadline:
            return {key: delivery[key] for key in ("event", "state", "attempts")}
        time.sleep(0.01)


@pytest.mark.moot(frozen=True)
def test_an_access_token_expires_an_hour_on_the_clock(moot_server):
    credentials = moot_server.credentials
    http = moot_server.http()
    query = {"grant_type": "account_credentials", "account_id": credentials.account_id}
    token = http.post("/oauth/token", params=query, headers={"Authorization": credentials.basic_auth}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get("/v2/users/me", headers=bearer).status_code == 200
    assert moot_server.client.users.get("me")["email"] == credentials.user_email

    moot_server.clock.advance(hours=1, seconds=1)
    expired = http.get("/v2/users/me", headers=bearer)
    assert (expired.status_code, expired.json()) == (401, EXPIRED)
    # moot's SDK takes the 401 for what it is and fetches a new token once.
    assert moot_server.client.users.get("me")["email"] == credentials.user_email
    assert moot_server.admin.verify(path="/oauth/token", status=200, count=3)["ok"] is True


@pytest.mark.moot(now="2030-01-01T23:00:00Z")
def test_the_host_quota_starts_again_at_midnight(moot_server):
    for second in range(2):
        for number in range(50):
            moot_server.client.meetings.create(topic=f"{second}.{number}")
        moot_server.clock.advance(seconds=1)  # past the per-second limit (60 creates on Business)
    refused = moot_server.http().post(
        "/v2/users/me/meetings",
        json={"topic": "101st"},
        headers={"Authorization": f"Bearer {moot_server.client.access_token()}"},
    )
    assert (refused.status_code, refused.json()) == (429, HOST_QUOTA)
    assert refused.headers["retry-after"] == "2030-01-02T00:00:00Z"
    moot_server.clock.set("2030-01-02T00:00:00Z")
    assert moot_server.client.meetings.create(topic="next day")["topic"] == "next day"


@pytest.mark.moot(frozen=True)
def test_a_failed_webhook_delivery_is_retried_when_the_clock_moves(moot_server, receiver):
    assert moot_server.admin.wait_for_webhooks()["hooked-app"]["active"] is True
    receiver.failures.append(500)
    hooked = moot_server.make_client(**HOOKED)
    hooked.meetings.create(topic="Hooked")
    assert receiver.wait_for(1) == [("meeting.created", 500)]
    time.sleep(0.5)  # Zoom retries 5 minutes on (0.3 s at the emulator's scale): the clock stands still
    assert receiver.events == [("meeting.created", 500)]
    assert delivery_after(moot_server.admin, 1) == {"event": CREATED, "state": "pending", "attempts": 1}

    moot_server.clock.advance(seconds=1)
    assert receiver.wait_for(2) == [("meeting.created", 500), ("meeting.created", 200)]
    assert delivery_after(moot_server.admin, 2) == {"event": CREATED, "state": "delivered", "attempts": 2}


def test_in_process_webhook_retries_follow_the_clock_too(receiver):
    with mock_zoom(frozen=True, data=hooked_seed(receiver.url)) as zoom:
        zoom.admin.wait_for_webhooks()
        receiver.failures.append(503)
        token = requests.post(
            "https://zoom.us/oauth/token",
            params={"grant_type": "account_credentials", "account_id": HOOKED["account_id"]},
            auth=(HOOKED["client_id"], HOOKED["client_secret"]),
        ).json()["access_token"]
        created = requests.post(
            "https://api.zoom.us/v2/users/me/meetings",
            json={"topic": "Hooked"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
        assert receiver.wait_for(1) == [("meeting.created", 503)]
        zoom.clock.advance(minutes=5)
        assert receiver.wait_for(2) == [("meeting.created", 503), ("meeting.created", 200)]
        assert delivery_after(zoom.admin, 2) == {"event": CREATED, "state": "delivered", "attempts": 2}


def test_an_access_token_expires_under_mock_zoom():
    with mock_zoom(now="2030-01-01T09:00:00Z") as zoom:
        credentials = zoom.credentials
        token = requests.post(
            credentials.token_url,
            params={"grant_type": "account_credentials", "account_id": credentials.account_id},
            auth=(credentials.client_id, credentials.client_secret),
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        zoom.clock.advance(minutes=59)
        assert requests.get("https://api.zoom.us/v2/users/me", headers=bearer).status_code == 200
        zoom.clock.advance(minutes=1, seconds=1)
        expired = requests.get("https://api.zoom.us/v2/users/me", headers=bearer)
        assert (expired.status_code, expired.json()) == (401, EXPIRED)
'''


def test_clock_control_drives_token_expiry_quotas_and_webhook_retries(user_suite: pytest.Pytester) -> None:
    user_suite.makeconftest(USER_CONFTEST)
    user_suite.makepyfile(test_clock=USER_SUITE)
    result = user_suite.runpytest_subprocess()
    assert outcomes(result) == {"passed": 5}, ran(result)
