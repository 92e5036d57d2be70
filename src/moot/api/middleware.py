"""One pure-ASGI layer around the app: trailing slashes, tracking ids, and the last line of defence."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moot.api.errors import nul_rejected_response, unexpected_error_response
from moot.domain import ids

log = logging.getLogger("moot.api")


class ZoomEdge:
    """Strips a trailing slash (``/v2/users/me/meetings/`` is the same resource), stamps every response
    with ``x-zm-trackingid`` and answers any unhandled exception with a JSON 500, logging the traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
        tracking = ids.tracking_id().encode()
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), (b"x-zm-trackingid", tracking)]
                usage = scope.get("state", {}).get("rate_usage")
                if usage is not None and usage.headers:
                    headers += _rate_headers(usage.headers, headers)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # Starlette has usually answered already (JSON 500, see errors.py) and re-raised.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await unexpected_error_response()(scope, receive, send_tracked)


def _rate_headers(rate: dict[str, str], present: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The X-RateLimit-* headers of the call, except those its answer already has (a 429 sets its own)."""
    names = {name.lower() for name, _ in present}
    encoded = ((name.lower().encode(), value.encode()) for name, value in rate.items())
    return [(name, value) for name, value in encoded if name not in names]
