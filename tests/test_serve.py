"""``moot serve`` as a user runs it: first start, known credentials, restarts, admin commands alongside."""

from __future__ import annotations

import base64
import json
import os
import signal
import stat
import subprocess
import time
import uuid
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_base_url,
    requires_postgres,
    run_outside_loop,
)
from tests.support.live_server import MOOT, Running, serve, server_env
from tests.support.metrics import samples

BOOTSTRAP = {
    "MOOT_BOOTSTRAP_ACCOUNT_ID": "ciAccount0000000000001",
    "MOOT_BOOTSTRAP_CLIENT_ID": "ciClient00000000000001",
    "MOOT_BOOTSTRAP_CLIENT_SECRET": "ciSecret000000000000000000000001",
    "MOOT_BOOTSTRAP_USER_EMAIL": "ci@example.com",
}


def token(server: Running, account_id: str, client_id: str, secret: str) -> httpx.Response:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return httpx.post(
        f"{server.base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": account_id},
        headers={"Authorization": f"Basic {basic}"},
    )


def create_meeting(server: Running, access_token: str) -> dict[str, object]:
    response = httpx.post(
        f"{server.base_url}/v2/users/me/meetings",
        headers={"Authorization": f"Bearer {access_token}"},
        json={
            "topic": "Zoom Meeting Topic",
            "type": "2",
            "start_time": "2031-06-09T17:00:00Z",
            "duration": "30",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def moot(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [str(MOOT), *args], cwd=cwd, env=server_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_first_start_creates_a_demo_account_and_prints_it(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        printed = server.log()
        credentials_file = tmp_path / "moot.credentials.json"
        saved = json.loads(credentials_file.read_text())
        assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
        for value in (saved["account_id"], saved["client_id"], saved["client_secret"]):
            assert value in printed
        assert json.loads(moot("credentials", "--json", cwd=tmp_path)) == saved
        response = token(server, saved["account_id"], saved["client_id"], saved["client_secret"])
        assert response.status_code == 200
        assert response.json()["api_url"] == server.base_url
        meeting = create_meeting(server, response.json()["access_token"])
        assert str(meeting["start_url"]).startswith(f"{server.base_url}/s/{meeting['id']}?zak=")
    stored = (tmp_path / "moot.db").read_bytes()
    assert saved["client_secret"].encode() not in stored


def test_known_credentials_survive_restarts_and_admin_commands_work_alongside(tmp_path: Path) -> None:
    env = server_env(**BOOTSTRAP)
    with serve(tmp_path, env=env) as server:
        first = token(
            server, *[BOOTSTRAP[f"MOOT_BOOTSTRAP_{k}"] for k in ("ACCOUNT_ID", "CLIENT_ID", "CLIENT_SECRET")]
        )
        assert first.status_code == 200
        meeting = create_meeting(server, first.json()["access_token"])
        # An admin command on the database the server is using, while it runs.
        db = f"sqlite:///{tmp_path / 'moot.db'}"
        created = json.loads(
            moot(
                "apps",
                "create",
                "--account",
                BOOTSTRAP["MOOT_BOOTSTRAP_ACCOUNT_ID"],
                "--json",
                "--db-url",
                db,
                cwd=tmp_path,
            )
        )
        second = token(server, created["account_id"], created["client_id"], created["client_secret"])
        assert second.status_code == 200
    assert not (tmp_path / "moot.credentials.json").exists()
    with serve(tmp_path, env=env) as server:
        again = token(
            server, *[BOOTSTRAP[f"MOOT_BOOTSTRAP_{k}"] for k in ("ACCOUNT_ID", "CLIENT_ID", "CLIENT_SECRET")]
        )
        assert again.status_code == 200
        response = httpx.get(
            f"{server.base_url}/v2/meetings/{meeting['id']}",
            headers={"Authorization": f"Bearer {again.json()['access_token']}"},
        )
        assert response.status_code == 200 and response.json()["topic"] == "Zoom Meeting Topic"
        users = httpx.get(
            f"{server.base_url}/v2/users", headers={"Authorization": f"Bearer {again.json()['access_token']}"}
        )
        assert [u["email"] for u in users.json()["users"]] == ["ci@example.com"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=requires_postgres)])
def test_serve_on_postgresql(tmp_path: Path, backend: str) -> None:
    url: str = run_outside_loop(partial(create_postgres_database, migrate=False), postgres_base_url())
    try:
        with serve(tmp_path, db_url=url, env=server_env(**BOOTSTRAP)) as server:
            response = token(
                server,
                *[BOOTSTRAP[f"MOOT_BOOTSTRAP_{k}"] for k in ("ACCOUNT_ID", "CLIENT_ID", "CLIENT_SECRET")],
            )
            assert response.status_code == 200
            meeting = create_meeting(server, response.json()["access_token"])
            fetched = httpx.get(
                f"{server.base_url}/v2/meetings/{meeting['id']}",
                headers={"Authorization": f"Bearer {response.json()['access_token']}"},
            )
            assert fetched.json()["uuid"] == meeting["uuid"]
    finally:
        run_outside_loop(drop_postgres_database, url)


REDIS_URL = os.environ.get("MOOT_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")
def test_two_processes_on_one_redis_enforce_one_host_quota(tmp_path: Path) -> None:
    """Two `moot serve` processes on one database and one Redis: a host's 100 creates a day, together."""
    assert REDIS_URL is not None
    account = f"two{uuid.uuid4().hex[:19]}"
    env = server_env(
        MOOT_REDIS_URL=REDIS_URL,
        MOOT_BOOTSTRAP_ACCOUNT_ID=account,
        MOOT_BOOTSTRAP_CLIENT_ID=f"cli{uuid.uuid4().hex[:19]}",
        MOOT_BOOTSTRAP_CLIENT_SECRET="twoProcessSecret0000000000000001",
        MOOT_BOOTSTRAP_RATE_LIMITS="x1",
    )
    with serve(tmp_path, env=env) as first, serve(tmp_path, env=env) as second:
        access = token(first, account, env["MOOT_BOOTSTRAP_CLIENT_ID"], env["MOOT_BOOTSTRAP_CLIENT_SECRET"])
        headers = {"Authorization": f"Bearer {access.json()['access_token']}"}
        statuses = []
        with httpx.Client(timeout=10) as client:
            for n in range(101):
                server = first if n % 2 == 0 else second
                if n % 40 == 0:
                    time.sleep(1.1)  # stay under the per-second limit (60 creates a second)
                response = client.post(f"{server.base_url}/v2/users/me/meetings", headers=headers, json={})
                statuses.append(response.status_code)
        assert statuses[:100] == [201] * 100
        assert statuses[100] == 429 and response.json()["code"] == 429


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _worker_pids(pid: int) -> set[int]:
    """uvicorn's worker processes under ``pid`` (not multiprocessing's resource tracker)."""
    return {child for child in _children(pid) if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()}


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=requires_postgres)])
def test_serve_with_two_workers_shares_metrics_and_stops_on_sigterm(tmp_path: Path, backend: str) -> None:
    url: str = run_outside_loop(partial(create_postgres_database, migrate=False), postgres_base_url())
    metrics_dir = tmp_path / "metrics"
    env = server_env(**BOOTSTRAP, MOOT_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    try:
        with serve(tmp_path, db_url=url, env=env) as server:
            deadline = time.monotonic() + 20
            while (
                len(_worker_pids(server.process.pid)) < 2
                or not httpx.get(f"{server.base_url}/readyz").is_success
            ):
                assert time.monotonic() < deadline, server.log()
                time.sleep(0.1)
            workers = _worker_pids(server.process.pid)
            access = token(
                server,
                *[BOOTSTRAP[f"MOOT_BOOTSTRAP_{k}"] for k in ("ACCOUNT_ID", "CLIENT_ID", "CLIENT_SECRET")],
            ).json()["access_token"]
            meeting = create_meeting(server, access)
            statuses = [
                httpx.get(
                    f"{server.base_url}/v2/meetings/{meeting['id']}",
                    headers={"Authorization": f"Bearer {access}", "Connection": "close"},
                ).status_code
                for _ in range(40)
            ]
            assert statuses == [200] * 40
            # Each worker writes its own metric files; any worker's /metrics adds them all up.
            written = {int(p.stem.rpartition("_")[2]) for p in metrics_dir.glob("*.db")}
            assert written == workers
            text = httpx.get(f"{server.base_url}/metrics").text
            assert (
                samples(text, "moot_requests_total", "operation", "method", "status")[
                    ("meeting", "GET", "200")
                ]
                == 40.0
            )

            server.process.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            assert server.process.wait(timeout=15) == 0
            assert time.monotonic() - stopping < 15
            assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        run_outside_loop(drop_postgres_database, url)


def test_workers_cannot_share_an_in_memory_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(MOOT), "serve", "--workers", "2", "--db-url", "sqlite:///:memory:"],
        cwd=tmp_path,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Several workers cannot share an in-memory database: use a file or PostgreSQL.\n"
    )
