"""``moot emulate`` in a process of its own, for a whole test session, and the view one test has of it.

A separate process keeps the server out of the way of the tests: it has its own interpreter lock (the
second core serves while the test runs), and nothing a test patches (``mock_zoom``, freezegun, respx,
environment variables) reaches it. Between tests it is reset over HTTP (``POST /moot/api/reset``,
about a millisecond), or each test gets an account of its own instead.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import httpx

from moot.testing.admin import Admin
from moot.testing.credentials import Credentials
from moot.testing.handle import MootHandle

Isolation = Literal["reset", "account"]
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# The emulator's own command line, without the `moot` script (which may not be on PATH) or Typer.
_EMULATE = "import sys; from moot.emulator.command import main; main(sys.argv[1:])"


class StartFailed(Exception):
    """``moot emulate`` did not start; the message carries what it printed."""


class EmulatorProcess:
    """A running ``moot emulate`` (started here, or one already running at ``base_url``)."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        process: subprocess.Popen[bytes] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.process = process
        self.log_path = log_path
        self._http = httpx.Client(base_url=self.base_url, timeout=30, trust_env=False)
        self.admin = Admin(self._http)

    @classmethod
    def attach(cls, base_url: str) -> EmulatorProcess:
        """One started elsewhere (``moot emulate``), with the emulator's fixed credentials."""
        return cls(base_url, Credentials.at(base_url))

    def wait_ready(self) -> None:
        # The socket listens before the credentials are printed: this waits for the server to answer,
        # it does not retry.
        self._http.get("/healthz").raise_for_status()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self) -> None:
        self._http.close()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    def for_test(
        self,
        isolation: Isolation = "reset",
        *,
        now: datetime | str | None = None,
        frozen: bool = False,
    ) -> MootServer:
        """Ready the server for one test: reset to its seed, or a new account (with its own app) and
        no reset. ``now`` / ``frozen`` then set the clock (shared by every account)."""
        if self.process is not None and self.process.poll() is not None:
            raise StartFailed(f"moot emulate exited with status {self.process.returncode}:\n{self.log()}")
        credentials, account = self.credentials, None
        if isolation == "reset":
            self.admin.reset()
        else:
            credentials = self._new_account()
            account = credentials.account_id
        if now is not None:
            self.admin.clock.freeze(now)
        elif frozen:
            self.admin.clock.freeze()
        return MootServer(self, credentials, admin_account=account)

    def _new_account(self) -> Credentials:
        tag = secrets.token_hex(6)
        account_id, client_id, secret = f"test-{tag}", f"test-{tag}-app", secrets.token_hex(16)
        app = {"client_id": client_id, "client_secret": secret}
        self.admin.seed({"accounts": [{"id": account_id, "rate_limits": "zoom", "apps": [app]}]})
        return self.credentials.with_app(account_id, client_id, secret)


class MootServer(MootHandle):
    """One test's view of the session's server: ``base_url``, ``credentials`` (the test's app),
    ``admin`` (with ``clock`` and ``faults``), ``client`` (a :class:`moot.client.Client`), and
    ``http()`` / ``async_http()`` / ``make_client()`` / ``make_async_client()`` for more."""

    def __init__(
        self, process: EmulatorProcess, credentials: Credentials, *, admin_account: str | None
    ) -> None:
        super().__init__(process.base_url, credentials, admin_account=admin_account)
        self.process = process

    @property
    def api_url(self) -> str:
        return self.credentials.api_url

    @property
    def token_url(self) -> str:
        return self.credentials.token_url


def _read_first_line(path: Path, process: subprocess.Popen[bytes], deadline: float) -> str:
    while True:
        text = path.read_bytes()
        if b"\n" in text:
            return text.split(b"\n", 1)[0].decode()
        if process.poll() is not None:
            raise StartFailed(f"moot emulate exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise StartFailed(f"moot emulate printed nothing within {STARTUP_TIMEOUT:.0f} s")
        time.sleep(0.005)


def start_emulator(
    args: Sequence[str] = (),
    *,
    workdir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> EmulatorProcess:
    """Start ``moot emulate --port 0 --json ARGS`` with this interpreter and wait until it answers."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="moot-emulate-"))
    stdout_path = workdir / f"emulate-{os.getpid()}-{time.monotonic_ns()}.json"
    log_path = stdout_path.with_suffix(".log")
    command = [sys.executable, "-c", _EMULATE, "--port", "0", "--json", *args]
    with stdout_path.open("wb") as stdout, log_path.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, the caller's arguments)
            command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, env=env
        )
    try:
        try:
            info = json.loads(_read_first_line(stdout_path, process, time.monotonic() + STARTUP_TIMEOUT))
        except (StartFailed, ValueError) as exc:
            raise StartFailed(f"{exc}:\n{log_path.read_text(errors='replace')}") from None
        credentials = Credentials.at(
            info["base_url"],
            account_id=info["account_id"],
            client_id=info["client_id"],
            client_secret=info["client_secret"],
            user_email=info["user_email"],
        )
        running = EmulatorProcess(info["base_url"], credentials, process=process, log_path=log_path)
        running.wait_ready()
    except BaseException:
        process.kill()
        process.wait()
        raise
    return running
