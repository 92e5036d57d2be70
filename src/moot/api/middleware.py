"""One pure-ASGI layer around the app: trailing slashes, tracking ids, metrics, request logs, and the last
line of defence."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moot.api.errors import nul_rejected_response, too_large_response, unexpected_error_response
from moot.api.responses import BODY_LIMITED, MAX_BODY_BYTES
from moot.domain import ids
from moot.domain.errors import RequestTooLarge

if TYPE_CHECKING:
    from moot.api.metrics import Metrics

log = logging.getLogger("moot.api")
access = logging.getLogger("moot.access")


class ZoomEdge:
    """Strips a trailing slash (``/v2/users/me/meetings/`` is the same resource), stamps every response
    with ``x-zm-trackingid`` and answers any unhandled exception with a JSON 500, logging the traceback.
    With ``metrics`` it counts and times every answer; with ``access_log`` it logs each on ``moot.access``.
    A body over ``max_body_bytes`` is a 413: at once when its Content-Length says so, otherwise as soon as
    that many bytes have streamed in (the rest is never read); the admin API's routes set their own."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics | None = None,
        access_log: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            await nul_rejected_response()(scope, receive, send)
            return
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path[:-1]}
        arrived = time.perf_counter()
        tracking = ids.tracking_id().encode()
        status = 0  # until the answer starts

        async def send_tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-zm-trackingid", tracking)]
                usage = scope.get("state", {}).get("rate_usage")
                if usage is not None and usage.headers:
                    headers += _rate_headers(usage.headers, headers)
                message["headers"] = headers
            await send(message)

        try:
            if path.startswith(ADMIN_PREFIX):  # the operator's: routes set their own limits (state restore)
                await self.app(scope, receive, send_tracked)
            elif _declared_length(scope) > self.max_body_bytes:
                await too_large_response()(scope, receive, send_tracked)
            else:
                scope[BODY_LIMITED] = True
                await self.app(scope, _limited(receive, self.max_body_bytes), send_tracked)
        except Exception:
            # Starlette has usually answered already (JSON 500, see errors.py) and re-raised.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not status:
                await unexpected_error_response()(scope, receive, send_tracked)
        if self.metrics is not None:
            self.metrics.observe(scope.get("route"), scope["method"], status, time.perf_counter() - arrived)
        if self.access_log:
            _log_request(scope, status, time.perf_counter() - arrived, tracking)


ADMIN_PREFIX = "/moot/api/"


def _declared_length(scope: Scope) -> int:
    """The request's Content-Length, 0 when it has none (or one that is not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive``, raising RequestTooLarge (a 413) once more than ``limit`` body bytes have come."""
    size = 0

    async def receive_limited() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise RequestTooLarge()
        return message

    return receive_limited


def _rate_headers(rate: dict[str, str], present: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The X-RateLimit-* headers of the call, except those its answer already has (a 429 sets its own)."""
    names = {name.lower() for name, _ in present}
    encoded = ((name.lower().encode(), value.encode()) for name, value in rate.items())
    return [(name, value) for name, value in encoded if name not in names]


def _log_request(scope: Scope, status: int, seconds: float, tracking: bytes) -> None:
    method, path, ms = scope["method"], scope["path"], round(seconds * 1000, 3)
    route = scope.get("route")
    fields = {
        "method": method,
        "path": path,
        "query": redacted_query(scope.get("query_string", b"")),
        "status": status,
        "duration_ms": ms,
        "tracking_id": tracking.decode(),
        "operation": getattr(route, "name", None) or "unknown",
    }
    access.info("%s %s %d %.1fms", method, path, status, ms, extra=fields)


# Query values that are secrets of a meeting or its host: the join link's passcode, the start link's
# ZAK and a registrant's token. The access log shows that they were there, never what they were.
SECRET_QUERY_KEYS = frozenset({"pwd", "zak", "tk"})


def redacted_query(raw: bytes) -> str:
    """The query string as logged: ``pwd``, ``zak`` and ``tk`` values replaced by ``[redacted]``."""
    pairs = raw.decode("latin-1").split("&") if raw else []
    return "&".join(
        f"{key}=[redacted]" if unquote_plus(key).lower() in SECRET_QUERY_KEYS else f"{key}{sep}{value}"
        for key, sep, value in (pair.partition("=") for pair in pairs)
    )
