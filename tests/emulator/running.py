"""A real ``moot emulate`` process on a free port, started as a user starts it, timed to its first 200."""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.live_server import MOOT, server_env

STARTUP_TIMEOUT = 20.0
CLIENT_ID = "moot-emulator-client"
CLIENT_SECRET = "moot-emulator-secret"
ACCOUNT_ID = "moot-emulator"


class StartFailed(Exception):
    pass


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    info: dict[str, Any]
    ready_seconds: float  # from just before the process was started to the first 200 on /healthz
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10, **kwargs)

    def token(
        self, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET, account_id: str = ACCOUNT_ID
    ) -> str:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        with self.client() as client:
            response = client.post(
                "/oauth/token",
                params={"grant_type": "account_credentials", "account_id": account_id},
                headers={"authorization": f"Basic {basic}"},
            )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def api(self, token: str | None = None) -> httpx.Client:
        """A client of the Zoom API as the bootstrap app (or with ``token``)."""
        return self.client(headers={"authorization": f"Bearer {token or self.token()}"})

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


def _read_line(process: subprocess.Popen[bytes], deadline: float) -> bytes:
    assert process.stdout is not None
    fd = process.stdout.fileno()
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise StartFailed("no credentials line within the start-up timeout")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise StartFailed(f"the emulator exited with status {process.wait()}")
        line += chunk
    return line


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def emulate(workdir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Running]:
    """``moot emulate --port 0 --json ARGS``, stopped at the end."""
    command = [str(MOOT), "emulate", "--port", "0", "--json", *args]
    stderr_path = workdir / f"emulator-{time.monotonic_ns()}.log"
    with stderr_path.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, env=env or server_env(), cwd=workdir
        )
    try:
        try:
            info = json.loads(_read_line(process, time.monotonic() + STARTUP_TIMEOUT))
        except StartFailed as failure:
            raise StartFailed(f"{failure}:\n{stderr_path.read_text(errors='replace')}") from None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(info["base_url"]):
            if time.monotonic() > deadline or process.poll() is not None:
                raise StartFailed(f"never healthy:\n{stderr_path.read_text(errors='replace')}")
            time.sleep(0.002)
        yield Running(process, info, time.perf_counter() - started, stderr_path)
    finally:
        stop(process)
