"""JSON in and out: orjson, Zoom's content type, and bodies that are never parsed when empty."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from moot.domain.errors import InvalidJsonBody, RequestTooLarge

JSON_TYPE = "application/json;charset=UTF-8"
MAX_BODY_BYTES = 2 * 1024 * 1024  # the default of Settings.max_body_bytes, which ZoomEdge enforces
BODY_LIMITED = "moot.body_limited"  # in the scope when ZoomEdge holds the body to Settings.max_body_bytes


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


async def read_body(request: Request, limit: int | None = None) -> bytes:
    """The whole body; over ``limit`` bytes (a route's own) a 413. Without one, the body is held to
    ``Settings.max_body_bytes`` as it streams in (``ZoomEdge``), or where ZoomEdge does not (the admin
    API) to ``MAX_BODY_BYTES``."""
    if limit is None and not request.scope.get(BODY_LIMITED):
        limit = MAX_BODY_BYTES
    declared = request.headers.get("content-length")
    if limit is not None and declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if limit is not None and size > limit:
            raise RequestTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> Any:
    """The decoded JSON body; an empty body (any content type) reads as ``{}``."""
    raw = await read_body(request)
    if not raw.strip():
        return {}
    if b"\\u0000" in raw:  # no database stores NUL in text
        raise InvalidJsonBody()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidJsonBody() from None
