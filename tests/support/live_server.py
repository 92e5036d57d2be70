"""A real ``moot serve`` on a free port, started as a user starts it, for tests that need a live server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MOOT = Path(sys.executable).parent / "moot"
STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 10.0
START_ATTEMPTS = 3  # a free port can be taken by another process before the server binds it


@dataclass(frozen=True)
class Running:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class StartFailed(Exception):
    def __init__(self, message: str, *, port_taken: bool = False) -> None:
        super().__init__(message)
        self.port_taken = port_taken


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**overrides: str) -> dict[str, str]:
    """The environment minus any MOOT_* configuration of the developer's shell, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOOT_")}
    env["MOOT_LOG_LEVEL"] = "warning"
    env.update(overrides)
    return env


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT)


def _start(workdir: Path, db_url: str, env: dict[str, str], attempt: int) -> Running:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / f"server-{port}-{attempt}.log"
    command = [
        str(MOOT),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-url",
        db_url,
        "--public-url",
        base_url,
    ]
    # Output goes to a file, not a pipe nobody reads (a full pipe would block the server).
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
    running = Running(base_url, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = running.log()
            raise StartFailed(
                f"`{' '.join(command)}` exited with status {process.returncode}:\n{output}",
                port_taken="address already in use" in output.lower(),
            )
        if healthy(base_url):
            return running
        time.sleep(0.05)
    stop(process)
    waited = f"did not answer {base_url}/healthz within {STARTUP_TIMEOUT:.0f}s"
    raise StartFailed(f"`{' '.join(command)}` {waited}:\n{running.log()}")


@contextmanager
def serve(
    workdir: Path, *, db_url: str | None = None, env: dict[str, str] | None = None
) -> Iterator[Running]:
    """``moot serve`` on a free port (default: a SQLite file in ``workdir``), stopped at the end."""
    if not MOOT.exists():
        raise StartFailed(f"the moot script is not installed next to the interpreter: {MOOT}")
    for attempt in range(START_ATTEMPTS):
        try:
            running = _start(
                workdir, db_url or f"sqlite:///{workdir / 'moot.db'}", env or server_env(), attempt
            )
        except StartFailed as failure:
            if failure.port_taken and attempt < START_ATTEMPTS - 1:
                continue
            raise
        try:
            yield running
        finally:
            stop(running.process)
        return
