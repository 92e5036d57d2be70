"""A live ``moot serve`` for browser tests, with a host who can sign in, driven through Zoom's API."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.live_server import MOOT, Running, serve, server_env

ACCOUNT_ID = "pagesAccount0000000001"
CLIENT_ID = "pagesClient00000000001"
CLIENT_SECRET = "pagesSecret0000000000000000000001"
HOST_EMAIL = "host@example.com"
HOST_PASSWORD = "correct horse battery staple"
HOST_NAME = "Hedy Host"


@dataclass
class LiveMoot:
    server: Running
    workdir: Path
    token: str
    host_id: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, f"{self.base_url}/v2{path}", headers=headers, timeout=10, **kwargs)

    def create_meeting(self, **fields: Any) -> dict[str, Any]:
        body = {"topic": "Standup", "type": 2, "start_time": "2031-06-09T17:00:00Z", "duration": 30, **fields}
        response = self.api("POST", f"/users/{self.host_id}/meetings", json=body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def meeting(self, meeting_id: int) -> dict[str, Any]:
        response = self.api("GET", f"/meetings/{meeting_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def start_url(self, meeting_id: int) -> str:
        return str(self.meeting(meeting_id)["start_url"])

    def register(self, meeting_id: int, first_name: str, email: str) -> dict[str, Any]:
        body = {"first_name": first_name, "last_name": "Reg", "email": email}
        response = self.api("POST", f"/meetings/{meeting_id}/registrants", json=body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def set_registrant_status(self, meeting_id: int, registrant_id: str, action: str) -> None:
        body = {"action": action, "registrants": [{"id": registrant_id}]}
        response = self.api("PUT", f"/meetings/{meeting_id}/registrants/status", json=body)
        assert response.status_code == 204, response.text

    def personal_link(self, meeting: dict[str, Any], registrant_id: str) -> str:
        """A registrant's ``/w/`` link, whatever their status (read from the database, as the webhook
        ``meeting.registration_created`` would carry it)."""
        with sqlite3.connect(self.workdir / "moot.db") as db:
            (doc,) = db.execute("SELECT doc FROM registrants WHERE id = ?", (registrant_id,)).fetchone()
        token = json.loads(doc)["token"]
        pwd = meeting["join_url"].split("pwd=", 1)[1]
        return f"{self.base_url}/w/{meeting['id']}?tk={token}&pwd={pwd}"


def _token(base_url: str) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = httpx.post(
        f"{base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _create_host(workdir: Path) -> str:
    command = [
        str(MOOT),
        *("users", "create", "--account", ACCOUNT_ID, "--email", HOST_EMAIL),
        *("--first-name", "Hedy", "--last-name", "Host", "--password", HOST_PASSWORD),
        *("--db-url", f"sqlite:///{workdir / 'moot.db'}", "--json"),
    ]
    result = subprocess.run(
        command, env=server_env(), capture_output=True, text=True, timeout=60, cwd=workdir
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return str(json.loads(result.stdout)["id"])


@contextmanager
def live_moot(workdir: Path, **env: str) -> Iterator[LiveMoot]:
    settings = server_env(
        MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
        MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
        MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
        MOOT_BOOTSTRAP_USER_EMAIL="owner@example.com",
        MOOT_BOOTSTRAP_RATE_LIMITS="off",
        **env,
    )
    with serve(workdir, env=settings) as server:
        host_id = _create_host(workdir)
        yield LiveMoot(server, workdir, _token(server.base_url), host_id)
