"""@zoom/rivet (Zoom's official Node SDK) against a live moot: node/rivet_flow.cjs runs a meeting's whole
life with rivet and prints what rivet returned or raised; these tests assert on that.

Needs ``node`` and ``npm install`` in tests/conformance/node (``make node-deps``); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import expect
from tests.conformance.server import LiveServer

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "rivet_flow.cjs"
RIVET_PACKAGE = NODE_DIR / "node_modules" / "@zoom" / "rivet" / "package.json"
NODE = shutil.which("node")
FLOW_TIMEOUT = 30

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed, so @zoom/rivet cannot be driven"),
    pytest.mark.skipif(
        not RIVET_PACKAGE.exists(),
        reason=f"@zoom/rivet is not installed in {NODE_DIR}/node_modules: run `make node-deps` "
        "(npm install in tests/conformance/node)",
    ),
]

CREATED: dict[str, Any] = {
    "topic": "Conformance (rivet)",
    "start_time": "2031-07-08T09:10:11Z",
    "duration": 30,
    "timezone": "America/New_York",
    "agenda": "Driven by @zoom/rivet",
}
SENT_SETTINGS = {"join_before_host": True, "approval_type": 2, "audio": "voip", "auto_recording": "none"}
UPDATED = {"topic": "Conformance (rivet), renamed", "duration": 50}


@pytest.fixture(scope="module")
def flow(live_server: LiveServer) -> dict[str, Any]:
    assert NODE is not None
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MOOT_")},
        "MOOT_BASE_URL": live_server.base_url,
        "MOOT_ACCOUNT_ID": live_server.account_id,
        "MOOT_CLIENT_ID": live_server.client_id,
        "MOOT_CLIENT_SECRET": live_server.client_secret,
    }
    try:
        done = subprocess.run(
            [NODE, str(SCRIPT)],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=FLOW_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        stderr = (
            timeout.stderr.decode(errors="replace") if isinstance(timeout.stderr, bytes) else timeout.stderr
        )
        pytest.fail(f"{SCRIPT.name} did not finish within {FLOW_TIMEOUT}s; stderr:\n{stderr}")
    report = f"exit status {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    try:
        observed: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{SCRIPT.name} printed no JSON document: {report}\nserver log:\n{live_server.log()}")
    if done.returncode != 0 or "fatal" in observed:
        pytest.fail(f"{SCRIPT.name} failed: {report}\nserver log:\n{live_server.log()}")
    return observed


@pytest.fixture(scope="module")
def meeting_id(flow: dict[str, Any]) -> int:
    assert flow["create"]["ok"], flow["create"]
    assert flow["meeting_id"] == expect.MEETING_ID
    return int(flow["meeting_id"])


def _ok(result: dict[str, Any], status: int) -> Any:
    assert result["ok"], result.get("error")
    assert result["statusCode"] == status
    # rivet hands back Zoom's x-zm-trackingid header as trackingId.
    assert result["trackingId"] == expect.matches(r"\S+", "a tracking id")
    return result["data"]


def _rivet_error(message: str) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {
            "name": "ApiResponseError",
            "errorCode": "zoom_rivet_api_response_error",
            "message": message,
        },
    }


def test_installed_rivet_is_the_pinned_version(flow: dict[str, Any]) -> None:
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["@zoom/rivet"]
    assert flow["rivet_version"] == pinned


def test_oauth_goes_to_moot(flow: dict[str, Any], live_server: LiveServer) -> None:
    B = live_server.base_url
    assert flow["oauth_redirects"] == [{"from": "https://zoom.us/oauth/token", "to": f"{B}/oauth/token"}]
    # rivet's S2SAuth accepted moot's token response (access_token, expires_in number, scope string).
    assert flow["token"]["access_token"] == expect.matches(expect.JWT, "JWT access token")
    assert flow["token"]["scopes"] == expect.Shape(
        "non-empty list of scopes",
        lambda v: bool(v) and all(isinstance(s, str) and s and " " not in s for s in v),
    )
    assert 3500 <= flow["token"]["expires_in"] <= 3600


def test_requests_and_statuses(flow: dict[str, Any], live_server: LiveServer, meeting_id: int) -> None:
    B = live_server.base_url
    meeting = f"{B}/v2/meetings/{meeting_id}"
    mine = f"{B}/v2/users/me/meetings"
    assert [(e["method"], e["url"], e["status"]) for e in flow["exchanges"]] == [
        ("POST", f"{B}/oauth/token", 200),  # once: rivet keeps the token until shortly before it expires
        ("POST", mine, 201),
        ("GET", meeting, 200),
        ("GET", mine, 200),
        ("PATCH", meeting, 204),
        ("GET", meeting, 200),
        ("DELETE", meeting, 204),
        ("GET", meeting, 404),
        ("DELETE", meeting, 404),
        ("GET", mine, 200),
    ]


def test_create(flow: dict[str, Any], live_server: LiveServer, meeting_id: int) -> None:
    created = _ok(flow["create"], 201)
    assert created == {
        **expect.meeting(
            live_server.base_url,
            meeting_id=meeting_id,
            encrypted_password=created.get("encrypted_password"),
            host_id=expect.USER_ID,
            host_email=live_server.owner_email,
            **CREATED,
        ),
        "password": "rivet42",
    }
    assert expect.picked(created["settings"], expect.settings(**SENT_SETTINGS)) == expect.settings(
        **SENT_SETTINGS
    )


def test_get(flow: dict[str, Any], live_server: LiveServer, meeting_id: int) -> None:
    got = _ok(flow["get"], 200)
    # The same meeting as created; start_url carries a freshly minted zak.
    assert expect.without(got, "start_url") == expect.without(flow["create"]["data"], "start_url")
    assert got["start_url"] == expect.start_url(live_server.base_url, meeting_id)


def test_list_has_the_meeting(flow: dict[str, Any], meeting_id: int) -> None:
    page = _ok(flow["list"], 200)
    assert expect.without(page, "meetings") == expect.without(expect.meeting_list(page_size=300), "meetings")
    listed = [m for m in page["meetings"] if m["id"] == meeting_id]
    assert listed == [expect.list_item(flow["get"]["data"])]


def test_update(flow: dict[str, Any]) -> None:
    assert _ok(flow["update"], 204) == ""  # rivet hands back the empty body as ""
    created, updated = flow["create"]["data"], _ok(flow["get_after_update"], 200)
    assert expect.without(updated, "start_url", "settings") == {
        **expect.without(created, "start_url", "settings"),
        **UPDATED,
    }
    assert updated["settings"] == {**created["settings"], "mute_upon_entry": True}


def test_delete_then_the_meeting_is_gone(flow: dict[str, Any], meeting_id: int) -> None:
    assert _ok(flow["delete"], 204) == ""
    # rivet formats an error body with code and message as [<status>/<code>]: "<message>".
    message = f'[404/3001]: "Meeting does not exist: {meeting_id}."'
    assert flow["get_deleted"] == _rivet_error(message)
    assert flow["delete_deleted"] == _rivet_error(message)
    page = _ok(flow["list_after_delete"], 200)
    assert meeting_id not in [m["id"] for m in page["meetings"]]
