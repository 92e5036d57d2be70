"""The baseline: a raw ASGI app (no framework) answering every request with the same ~1.5 KB JSON body.

Served the way ``moot serve`` serves moot (one uvicorn process, ``uvicorn[standard]`` loop and parser,
access log off), so the ratio moot / baseline measures what moot's own request path costs.
"""

from __future__ import annotations

import argparse
from typing import Any

import orjson
import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]


def _fixed_body() -> bytes:
    item = {
        "uuid": "4444AAAiAAAAAiAiAiiAii==",
        "id": 85746065432,
        "host_id": "KDcuGIm1QgePTO8WbOqwIQ",
        "topic": "baseline",
        "type": 2,
        "start_time": "2030-01-01T10:00:00Z",
        "duration": 30,
        "timezone": "UTC",
        "join_url": "http://127.0.0.1/j/85746065432?pwd=baseline",
    }
    return orjson.dumps({"page_size": 30, "total_records": 6, "next_page_token": "", "meetings": [item] * 6})


BODY = _fixed_body()
HEADERS = [(b"content-type", b"application/json;charset=UTF-8"), (b"content-length", str(len(BODY)).encode())]
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["method"] not in _BODYLESS:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the raw ASGI baseline app with uvicorn.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    # The same uvicorn settings as ``moot serve`` (src/moot/cli.py).
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=False, proxy_headers=True
    )


if __name__ == "__main__":
    main()
