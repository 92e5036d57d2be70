"""@zoom/rivet's own webhook receiver (tests/conformance/node/rivet_receiver.cjs) as a Node subprocess.

    with RivetReceiver(SECRET) as rivet:           # skips the test if node or @zoom/rivet is missing
        ...                                         # deliver to rivet.url
        event = rivet.wait_for_event("meeting.created")
        assert rivet.rejections == []

``accepted`` holds each event rivet verified (its parsed body), ``validations`` rivet's answers to
``endpoint.url_validation``, ``rejections`` ``{"rejected": status, "error": message}`` for the rest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "conformance" / "node"
SCRIPT = NODE_DIR / "rivet_receiver.cjs"
RIVET_PACKAGE = NODE_DIR / "node_modules" / "@zoom" / "rivet" / "package.json"
START_TIMEOUT = 15.0


def skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed, so @zoom/rivet's webhook receiver cannot run"
    if not RIVET_PACKAGE.exists():
        return f"@zoom/rivet is not installed in {NODE_DIR}/node_modules: run `make node-deps`"
    return None


class RivetReceiver:
    def __init__(self, secret: str, *, port: int = 0, path: str = "/zoom/events") -> None:
        self.secret = secret
        self.port = port
        self.path = path
        self.accepted: list[dict[str, Any]] = []
        self.validations: list[dict[str, str]] = []
        self.rejections: list[dict[str, Any]] = []
        self.other_output: list[str] = []
        self._listening = False
        self._changed = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._readers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> RivetReceiver:
        reason = skip_reason()
        if reason is not None:
            pytest.skip(reason)
        node = shutil.which("node")
        assert node is not None
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(self.port), self.secret, self.path],
            cwd=NODE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self._process.stdout, self._process.stderr)
        ]
        for reader in self._readers:
            reader.start()
        with self._changed:
            started = self._changed.wait_for(lambda: self._listening or self._exited(), START_TIMEOUT)
        if not started or self._exited():
            self.stop()
            raise RuntimeError(f"rivet receiver did not start: {self.other_output}")
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
            self._listening = False
        for reader in self._readers:
            reader.join(timeout=5)
        self._readers = []

    def __enter__(self) -> RivetReceiver:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until rivet accepted at least ``count`` events; all of them, or AssertionError."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.accepted) >= count, timeout):
                raise AssertionError(
                    f"rivet accepted {len(self.accepted)} events in {timeout} s, wanted {count}; "
                    f"rejected: {self.rejections}"
                )
            return list(self.accepted)

    def wait_for_event(self, name: str, timeout: float = 10.0) -> dict[str, Any]:
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((e for e in self.accepted if e.get("event") == name), None), timeout
            )
            if found is None:
                raise AssertionError(
                    f"rivet accepted no {name!r} in {timeout} s; rejected: {self.rejections}"
                )
            return found

    def wait_for_rejection(self, timeout: float = 10.0) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: self.rejections, timeout):
                raise AssertionError(f"rivet rejected nothing in {timeout} s")
            return self.rejections[0]

    def wait_for_validation(self, timeout: float = 10.0) -> dict[str, str]:
        """Rivet's first answer to an ``endpoint.url_validation`` challenge."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.validations, timeout):
                raise AssertionError(
                    f"rivet answered no URL validation in {timeout} s; rejected: {self.rejections}"
                )
            return self.validations[0]

    def _exited(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def _read(self, stream: IO[str]) -> None:
        for raw in stream:
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            with self._changed:
                if isinstance(message, dict) and "listening" in message:
                    self.port = int(message["listening"])
                    self._listening = True
                elif isinstance(message, dict) and "accepted" in message:
                    self.accepted.append(message["accepted"])
                elif isinstance(message, dict) and "url_validation" in message:
                    self.validations.append(message["url_validation"])
                elif isinstance(message, dict) and "rejected" in message:
                    self.rejections.append(message)
                else:
                    self.other_output.append(raw.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()  # the process ended
