"""The webhook receiver: a raw ASGI app (no framework, no moot import) that moot+webhooks delivers to.

- ``POST`` (any path): an ``endpoint.url_validation`` challenge is answered with ``{"plainToken",
  "encryptedToken": hex HMAC-SHA256(secret, plainToken)}``; any other event is answered 200 with an empty
  body, after noting when it arrived (``time.time()``), its ``event_ts`` and its ``x-zm-trackingid``.
- ``GET /stats``: counts, and the first and last arrival.
- ``GET /arrivals``: every event's arrival time and ``event_ts`` (two lists, in arrival order).

Signatures are not checked: the receiver has to stay cheap next to the dispatcher it measures.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import time
from array import array
from typing import Any

import orjson
import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]

URL_VALIDATION = "endpoint.url_validation"
TRACKING_ID = b"x-zm-trackingid"
_JSON = [(b"content-type", b"application/json")]


class Recorder:
    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.validations = 0
        self.arrivals = array("d")
        self.event_ts = array("q")
        self.tracking_ids: set[bytes] = set()
        self.by_event: dict[str, int] = {}
        self.unparsable = 0

    def challenge_answer(self, plain_token: str) -> bytes:
        self.validations += 1
        encrypted = hmac.new(self.secret, plain_token.encode(), hashlib.sha256).hexdigest()
        return orjson.dumps({"plainToken": plain_token, "encryptedToken": encrypted})

    def record(self, arrived: float, event: str, event_ts: int, tracking_id: bytes | None) -> None:
        self.arrivals.append(arrived)
        self.event_ts.append(event_ts)
        if tracking_id is not None:
            self.tracking_ids.add(tracking_id)
        self.by_event[event] = self.by_event.get(event, 0) + 1

    def stats(self) -> dict[str, Any]:
        return {
            "validations": self.validations,
            "events": len(self.arrivals),
            "unique": len(self.tracking_ids),
            "unparsable": self.unparsable,
            "by_event": self.by_event,
            "first_arrival": self.arrivals[0] if self.arrivals else None,
            "last_arrival": self.arrivals[-1] if self.arrivals else None,
        }

    def arrival_lists(self) -> dict[str, Any]:
        return {"arrival": self.arrivals.tolist(), "event_ts": self.event_ts.tolist()}


def make_app(recorder: Recorder) -> Any:
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
        if scope["method"] == "GET":
            data = recorder.arrival_lists() if scope["path"] == "/arrivals" else recorder.stats()
            await _answer(send, 200, orjson.dumps(data), _JSON)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        arrived = time.time()
        try:
            body = orjson.loads(b"".join(chunks))
            event, event_ts = str(body["event"]), int(body["event_ts"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            recorder.unparsable += 1
            await _answer(send, 400, b"", [])
            return
        if event == URL_VALIDATION:
            answer = recorder.challenge_answer(str(body["payload"]["plainToken"]))
            await _answer(send, 200, answer, _JSON)
            return
        tracking_id = next((v for k, v in scope["headers"] if k == TRACKING_ID), None)
        recorder.record(arrived, event, event_ts, tracking_id)
        await _answer(send, 200, b"", [])

    return app


async def _answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    length = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + length})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the benchmark's webhook receiver with uvicorn.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="the endpoint's secret token")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    app = make_app(Recorder(args.secret))
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
