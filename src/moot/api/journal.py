"""The request journal's recorder: a pure-ASGI layer, outermost, that notes every call to ``/v2`` and
``/oauth`` (bodies capped at ``journal_body_bytes``) once it is answered. Installed only while the
admin API is on."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moot.api.caller import bearer_account
from moot.api.faults import FAULTS_SCOPE_KEY
from moot.domain.journal import Journal, JournalEntry
from moot.domain.times import format_zoom
from moot.services.context import Deps

RECORDED_PREFIXES = ("/v2/", "/oauth/")


class JournalRecorder:
    def __init__(self, app: ASGIApp, journal: Journal, routed: Starlette, *, body_bytes: int) -> None:
        self.app = app
        self.journal = journal
        self._routed = routed  # its state holds the deps (the Clock, the token keys)
        self._body_bytes = body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(RECORDED_PREFIXES) or path == "/v2"):
            await self.app(scope, receive, send)
            return
        deps: Deps = self._routed.state.deps
        at = format_zoom(deps.clock.now())
        started = time.perf_counter()
        request = _Request(receive, self._body_bytes)
        await request.read()
        answer = _Answer(send, self._body_bytes)
        try:
            await self.app(scope, request, answer)
        finally:
            if len(path) > 1 and path.endswith("/"):
                path = path[:-1]
            entry = JournalEntry(
                id=self.journal.next_id(),
                at=at,
                method=scope["method"],
                path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                account_id=_account(deps, scope, request),
                status=answer.status,
                duration_ms=(time.perf_counter() - started) * 1000,
                tracking_id=answer.tracking_id,
                request_body=request.body.decode("utf-8", "replace"),
                request_body_truncated=request.truncated,
                response_body=answer.body.decode("utf-8", "replace"),
                response_body_truncated=answer.truncated,
                faults=tuple(scope.get(FAULTS_SCOPE_KEY, ())),
            )
            self.journal.add(entry)


class _Request:
    """The ``receive`` moot sees: the body is read up front (so it is known even when a fault answers
    before moot reads it), kept up to the cap, and replayed."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.__wrapped__ = receive  # the server's own, for a fault that drops the connection
        self._limit = limit
        self._buffered: list[Message] = []
        self.body = b""
        self.truncated = False

    async def read(self) -> None:
        """Read until the body ends or passes the cap (the rest streams through untouched)."""
        size = 0
        while True:
            message = await self.__wrapped__()
            self._buffered.append(message)
            if message["type"] != "http.request":
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            self.body, self.truncated = _capped(self.body, chunk, self._limit)
            if not message.get("more_body", False) or size > self._limit:
                return

    async def __call__(self) -> Message:
        if self._buffered:
            return self._buffered.pop(0)
        return await self.__wrapped__()


class _Answer:
    """The ``send`` moot sees: the answer goes out as it is, and is copied up to the cap."""

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._limit = limit
        self.status: int | None = None
        self.tracking_id: str | None = None
        self.body = b""
        self.truncated = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            for name, value in message.get("headers", []):
                if name.lower() == b"x-zm-trackingid":
                    self.tracking_id = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.body, truncated = _capped(self.body, message.get("body", b""), self._limit)
            self.truncated = self.truncated or truncated
        await self._send(message)


def _capped(kept: bytes, chunk: bytes, limit: int) -> tuple[bytes, bool]:
    room = limit - len(kept)
    if len(chunk) <= room:
        return kept + chunk, False
    return kept + chunk[: max(0, room)], True


def _account(deps: Deps, scope: Scope, request: _Request) -> str | None:
    """The bearer token's account; for the token endpoint, the ``account_id`` it was asked for."""
    found = bearer_account(deps, scope.get("headers", []))
    if found is not None or not scope["path"].startswith("/oauth/"):
        return found
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "account_id" not in params and not request.truncated:
        params = parse_qs(request.body.decode("utf-8", "replace"))
    values = params.get("account_id")
    return values[0] if values else None
