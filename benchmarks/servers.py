"""The servers under load, on free local ports: moot (``moot serve``), moot with a webhook endpoint
(moot+webhooks), the raw ASGI baseline, the reference stack (Starlette + pydantic + sqlite3), and the
webhook receiver that moot+webhooks delivers to."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.processes import ManagedProcess, free_port

LOG_LEVEL = "warning"
START_TIMEOUT = 60.0


class ServerStartError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Credentials:
    account_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    base_url: str
    process: ManagedProcess
    ready_path: str  # answers 200 once the server is up


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _clean_env() -> dict[str, str]:
    """The harness's environment without any MOOT_* setting that would change what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MOOT_")}


def new_credentials() -> Credentials:
    return Credentials(
        account_id="bench" + secrets.token_hex(6),
        client_id="benchclient" + secrets.token_hex(6),
        client_secret=secrets.token_urlsafe(24),
    )


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    secret: str


def launch_moot(
    workdir: Path,
    credentials: Credentials,
    redis_url: str | None = None,
    *,
    name: str = "moot",
    webhook: WebhookTarget | None = None,
) -> Server:
    """Start ``moot serve`` on a fresh SQLite file (``<workdir>/<name>.db``, ``bench.db`` for moot) with
    the bootstrap account ``credentials`` (and its rate-limit counters in Redis when ``redis_url`` is
    given; and ``webhook`` as its app's event-notification endpoint, all events, when given)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _clean_env() | {
        "MOOT_LOG_LEVEL": LOG_LEVEL,
        "MOOT_BOOTSTRAP_ACCOUNT_ID": credentials.account_id,
        "MOOT_BOOTSTRAP_CLIENT_ID": credentials.client_id,
        "MOOT_BOOTSTRAP_CLIENT_SECRET": credentials.client_secret,
        # The throughput scenarios measure the API itself; "create, rate limits on" measures the limiter.
        "MOOT_BOOTSTRAP_RATE_LIMITS": "off",
    }
    if redis_url:
        env["MOOT_REDIS_URL"] = redis_url
    if webhook is not None:
        env["MOOT_BOOTSTRAP_WEBHOOK_URL"] = webhook.url
        env["MOOT_BOOTSTRAP_WEBHOOK_SECRET"] = webhook.secret
    db_file = "bench.db" if name == "moot" else f"{name}.db"
    argv = [
        _bin("moot"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-url",
        f"sqlite:///{workdir / db_file}",
        "--public-url",
        base_url,
    ]
    return Server(name, base_url, ManagedProcess(name, argv, workdir / f"{name}.log", env), "/healthz")


def limited_account(workdir: Path) -> Credentials:
    """A second account whose limits are counted but (scaled a million times) never reached, created
    with the admin CLI on the database the running server uses."""
    db_url = f"sqlite:///{workdir / 'bench.db'}"

    def moot(*args: str) -> dict[str, str]:
        done = subprocess.run(
            [_bin("moot"), *args, "--json", "--db-url", db_url],
            capture_output=True,
            text=True,
            env=_clean_env(),
            check=True,
            timeout=60,
        )
        return dict(json.loads(done.stdout))

    account = moot("accounts", "create", "--owner-email", "limited@bench.moot", "--rate-limits", "x1000000")
    app = moot("apps", "create", "--account", account["account_id"])
    return Credentials(app["account_id"], app["client_id"], app["client_secret"])


def launch_baseline(workdir: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "benchmarks.baseline_app", "--port", str(port), "--log-level", LOG_LEVEL]
    process = ManagedProcess("baseline", argv, workdir / "baseline.log", _clean_env())
    return Server("baseline", f"http://127.0.0.1:{port}", process, "/")


def launch_reference(workdir: Path) -> Server:
    """The reference stack (``benchmarks/reference_app.py``) on its own SQLite file, served like moot."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "benchmarks.reference_app",
        "--port",
        str(port),
        "--db",
        str(workdir / "reference.db"),
        "--log-level",
        LOG_LEVEL,
    ]
    process = ManagedProcess("reference", argv, workdir / "reference.log", _clean_env())
    return Server("reference", f"http://127.0.0.1:{port}", process, "/healthz")


def launch_receiver(workdir: Path, secret: str) -> Server:
    """The webhook receiver (``benchmarks/receiver_app.py``); events go to ``<base_url>/webhook``."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "benchmarks.receiver_app",
        "--port",
        str(port),
        "--secret",
        secret,
        "--log-level",
        LOG_LEVEL,
    ]
    process = ManagedProcess("receiver", argv, workdir / "receiver.log", _clean_env())
    return Server("receiver", f"http://127.0.0.1:{port}", process, "/stats")


def wait_ready(server: Server, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if not server.process.running():
                raise ServerStartError(f"{server.name} exited on start:\n{server.process.log_tail()}")
            try:
                if client.get(server.ready_path).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise ServerStartError(f"{server.name} not ready after {timeout:.0f} s:\n{server.process.log_tail()}")
