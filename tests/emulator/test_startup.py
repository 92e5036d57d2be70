"""``moot emulate`` as a user starts it: fast, with fixed credentials, seed data and repeatable ids."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.emulator.running import Running, emulate
from tests.support.live_server import MOOT, server_env

READY_LIMIT = 1.5  # loose: the target is 0.5 s on an idle machine (see docs/emulator.md)

SEED_YAML = """\
accounts:
  - id: acme
    plan: pro
    rate_limits: off
    owner_email: boss@acme.test
    users:
      - {email: ada@acme.test, first_name: Ada, last_name: Lovelace}
    apps:
      - {name: Acme, client_id: acme-client, client_secret: acme-secret}
    meetings:
      - topic: Planning
        type: 2
        start_time: "2030-06-09T17:00:00Z"
        duration: 45
        timezone: Europe/Berlin
        host: ada@acme.test
"""


def test_it_is_ready_fast_and_says_how_to_reach_it(tmp_path: Path) -> None:
    timings = []
    for _ in range(3):  # the best of up to three starts: a busy machine can stall any one of them
        with emulate(tmp_path) as running:
            timings.append(running.ready_seconds)
            base = running.base_url
            assert running.info == {
                "base_url": base,
                "account_id": "moot-emulator",
                "client_id": "moot-emulator-client",
                "client_secret": "moot-emulator-secret",
                "user_email": "owner@moot.local",
                "token_url": f"{base}/oauth/token",
                "api_url": f"{base}/v2",
                "admin_url": f"{base}/moot/api",
            }
            assert running.stderr() == ""
        if min(timings) < READY_LIMIT:
            break
    print(f"\nmoot emulate: first 200 on /healthz {min(timings) * 1000:.0f} ms after start")
    assert min(timings) < READY_LIMIT


def test_the_fixed_credentials_get_a_token_that_works(tmp_path: Path) -> None:
    with emulate(tmp_path) as running, running.client() as client:
        response = client.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "moot-emulator"},
            auth=("moot-emulator-client", "moot-emulator-secret"),
        )
        assert response.status_code == 200
        body = response.json()
        assert body == {
            "access_token": body["access_token"],
            "token_type": "bearer",
            "expires_in": 3600,
            "scope": body["scope"],
            "api_url": running.base_url,
        }
        me = client.get("/v2/users/me", headers={"authorization": f"Bearer {body['access_token']}"})
        assert (me.status_code, me.json()["email"], me.json()["role_name"]) == (
            200,
            "owner@moot.local",
            "Owner",
        )


def test_the_bootstrap_credentials_follow_the_environment(tmp_path: Path) -> None:
    env = server_env(
        MOOT_BOOTSTRAP_ACCOUNT_ID="ciAccount",
        MOOT_BOOTSTRAP_CLIENT_ID="ciClient",
        MOOT_BOOTSTRAP_CLIENT_SECRET="ciSecret",
    )
    with emulate(tmp_path, env=env) as running:
        assert {k: running.info[k] for k in ("account_id", "client_id", "client_secret", "user_email")} == {
            "account_id": "ciAccount",
            "client_id": "ciClient",
            "client_secret": "ciSecret",
            "user_email": "owner@moot.local",
        }
        running.token("ciClient", "ciSecret", "ciAccount")


def test_a_seed_file_is_loaded(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_YAML)
    with emulate(tmp_path, "--data", str(seed)) as running:
        token = running.token("acme-client", "acme-secret", "acme")
        with running.api(token) as api:
            listed = api.get("/v2/users/ada@acme.test/meetings").json()
            (meeting,) = listed["meetings"]
            assert listed == {
                "page_count": 1,
                "page_number": 1,
                "page_size": 30,
                "total_records": 1,
                "next_page_token": "",
                "meetings": [
                    {
                        "uuid": meeting["uuid"],
                        "id": meeting["id"],
                        "host_id": meeting["host_id"],
                        "topic": "Planning",
                        "type": 2,
                        "start_time": "2030-06-09T17:00:00Z",
                        "duration": 45,
                        "timezone": "Europe/Berlin",
                        "created_at": meeting["created_at"],
                        "join_url": meeting["join_url"],
                    }
                ],
            }
            ada = api.get("/v2/users/ada@acme.test").json()
            assert (ada["id"], ada["first_name"], ada["last_name"]) == (meeting["host_id"], "Ada", "Lovelace")
        # Zoom's limits are off for the account: no rate-limit headers.
        with running.api(token) as api:
            assert "x-ratelimit-limit" not in api.get("/v2/users/me").headers
        running.token()  # the bootstrap account is there too


def test_an_invalid_seed_file_stops_it_with_the_reasons(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("accounts:\n  - plan: gold\n    apps: [{webhook: {url: ftp://x}}]\n")
    done = subprocess.run(
        [str(MOOT), "emulate", "--port", "0", "--data", str(seed)],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"moot emulate: --data {seed} is not valid seed data:\n"
        "  accounts[0].plan: Invalid field.\n"
        "  accounts[0].apps[0].webhook.url: Must be an http:// or https:// URL.\n"
    )


def _first_meeting(running: Running) -> dict[str, object]:
    with running.api() as api:
        created = api.post("/v2/users/me/meetings", json={"topic": "Repeatable"}).json()
    repeatable = {k: created[k] for k in ("id", "uuid", "host_id", "password", "encrypted_password")}
    return {**repeatable, "join_path": created["join_url"].split("/j/")[1]}  # the port differs


def test_a_seed_number_makes_ids_repeat(tmp_path: Path) -> None:
    with emulate(tmp_path, "--seed", "42") as running:
        first = _first_meeting(running)
    with emulate(tmp_path, "--seed", "42") as running:
        assert _first_meeting(running) == first
    with emulate(tmp_path, "--seed", "43") as running:
        assert _first_meeting(running)["id"] != first["id"]


def test_now_starts_the_clock_frozen_there(tmp_path: Path) -> None:
    with emulate(tmp_path, "--now", "2030-01-01T09:00:00Z") as running, running.client() as client:
        assert client.get("/moot/api/clock").json() == {"frozen": True, "now": "2030-01-01T09:00:00Z"}
        with running.api() as api:
            created = api.post("/v2/users/me/meetings", json={"topic": "t"}).json()
        assert created["created_at"] == "2030-01-01T09:00:00Z"


def test_a_database_file_keeps_the_state(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with emulate(tmp_path, "--db", str(db)) as running, running.api() as api:
        meeting_id = api.post("/v2/users/me/meetings", json={"topic": "Kept"}).json()["id"]
    with emulate(tmp_path, "--db", str(db)) as running, running.api() as api:
        kept = api.get(f"/v2/meetings/{meeting_id}")
        assert (kept.status_code, kept.json()["topic"]) == (200, "Kept")


def test_an_unusable_port_is_reported(tmp_path: Path) -> None:
    with emulate(tmp_path) as running:
        port = httpx.URL(running.base_url).port
        done = subprocess.run(
            [str(MOOT), "emulate", "--port", str(port)],
            capture_output=True,
            text=True,
            env=server_env(),
            timeout=30,
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"moot emulate: cannot listen on 127.0.0.1:{port}: ")
