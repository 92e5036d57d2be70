"""``moot webhooks tail`` against a live ``moot serve`` delivering to a real receiver."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import serve, server_env
from tests.support.receiver import Receiver

MOOT = Path(sys.executable).parent / "moot"
SECRET = "tail-secret"
ADMIN = "tail-admin-token"
ACCOUNT, CLIENT, CLIENT_SECRET = (
    "tailAccount0000000000a",
    "tailClient0000000000",
    "tailSecret000000000000000000000a",
)


def _token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT},
        auth=(CLIENT, CLIENT_SECRET),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _tail(base_url: str, *args: str, token: str | None = ADMIN) -> subprocess.CompletedProcess[str]:
    env = server_env()
    if token is not None:
        env["MOOT_ADMIN_TOKEN"] = token
    return subprocess.run(
        [str(MOOT), "webhooks", "tail", "--base-url", base_url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def test_tail_prints_delivery_attempts(tmp_path: Path) -> None:
    with Receiver(SECRET) as receiver:
        env = server_env(
            MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT,
            MOOT_BOOTSTRAP_CLIENT_ID=CLIENT,
            MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
            MOOT_BOOTSTRAP_WEBHOOK_URL=receiver.url,
            MOOT_BOOTSTRAP_WEBHOOK_SECRET=SECRET,
            MOOT_ADMIN_TOKEN=ADMIN,
            MOOT_WEBHOOK_POLL_INTERVAL="0.1",
        )
        with serve(tmp_path, env=env) as server:
            receiver.wait_for_event("endpoint.url_validation")
            token = _token(server.base_url)
            headers = {"Authorization": f"Bearer {token}"}
            for topic in ("one", "two"):
                created = httpx.post(
                    f"{server.base_url}/v2/users/me/meetings", json={"topic": topic}, headers=headers
                )
                assert created.status_code == 201
            receiver.wait_for(3)  # the challenge and two events

            tailed = _tail(server.base_url, "--from-start", "--count", "2", "--json")
            assert tailed.returncode == 0, tailed.stderr
            lines = [json.loads(line) for line in tailed.stdout.splitlines()]
            assert [(a["event"], a["status_code"], a["number"], a["url"]) for a in lines] == [
                ("meeting.created", 200, 1, receiver.url),
                ("meeting.created", 200, 1, receiver.url),
            ]
            assert {a["client_id"] for a in lines} == {CLIENT}

            human = _tail(server.base_url, "--from-start", "--count", "1")
            assert human.returncode == 0, human.stderr
            assert "meeting.created" in human.stdout and "200" in human.stdout

            # Without --from-start it follows what happens next only.
            follower = subprocess.Popen(
                [
                    str(MOOT),
                    "webhooks",
                    "tail",
                    "--base-url",
                    server.base_url,
                    "--count",
                    "1",
                    "--json",
                    "--interval",
                    "0.1",
                    "--admin-token",
                    ADMIN,
                ],
                stdout=subprocess.PIPE,
                text=True,
                env=server_env(),
            )
            try:
                time.sleep(1.0)  # let it read where the log ends before the next event
                httpx.post(
                    f"{server.base_url}/v2/users/me/meetings", json={"topic": "three"}, headers=headers
                )
                out, _ = follower.communicate(timeout=20)
            finally:
                follower.kill()
            (followed,) = [json.loads(line) for line in out.splitlines()]
            assert followed["event"] == "meeting.created" and followed["status_code"] == 200
            assert followed["delivery_id"] > max(a["delivery_id"] for a in lines)

            refused = _tail(server.base_url, "--count", "1", token="wrong")
            assert refused.returncode == 2
            assert "admin token refused" in refused.stderr
