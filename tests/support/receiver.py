"""A real webhook receiver for tests: an HTTP server on 127.0.0.1, in a background thread.

It checks every delivery the way Zoom's published sample does (github zoom/webhook-sample ``index.js``):
``"v0=" + HMAC-SHA256(secret, "v0:{x-zm-request-timestamp}:{JSON.stringify(req.body)}")`` compared with
``x-zm-signature``, where ``req.body`` is the parsed JSON. ``JSON.stringify`` is re-implemented here on
purpose instead of calling ``moot.webhooks``, so a mistake there cannot hide itself. Unlike the sample,
which answers 200 either way, an unverified delivery is answered 401 so the sender can see it.

    with Receiver(SECRET) as receiver:             # listening on receiver.url
        ...                                         # point moot at receiver.url, cause an event
        delivery = receiver.wait_for_event("meeting.created")
        assert delivery.verified

Controls: ``respond_with(500, times=2)`` (then back to 200), ``respond_with(204)`` (from now on),
``delay(4.0)`` (answer late), ``stop()`` / ``start()`` (go down, come back on the same port),
``wrong_validation = True`` (answer ``endpoint.url_validation`` with a wrong ``encryptedToken``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

URL_VALIDATION = "endpoint.url_validation"


@dataclass(frozen=True)
class Delivery:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: Any  # None when the body is not JSON
    verified: bool
    answered: int  # the status the receiver answered with
    received_at: float  # time.time() on arrival
    monotonic: float  # time.monotonic() on arrival

    @property
    def event(self) -> str | None:
        return self.json.get("event") if isinstance(self.json, dict) else None


# --- Zoom's sample, in Python --------------------------------------------------------------------------


def js_stringify(value: Any) -> str:
    """``JSON.stringify`` of a value as ``JSON.parse`` would have built it (numbers are doubles)."""
    if isinstance(value, dict):
        indices = sorted((k for k in value if re.fullmatch(r"0|[1-9]\d*", k) and int(k) < 2**32 - 1), key=int)
        keys = indices + [k for k in value if k not in indices]
        return "{" + ",".join(f"{js_string(k)}:{js_stringify(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(js_stringify(item) for item in value) + "]"
    if isinstance(value, str):
        return js_string(value)
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    return js_number(float(value))


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_string(text: str) -> str:
    units = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")  # join pairs
    out = []
    for char in units:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif char < " " or "\ud800" <= char <= "\udfff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def js_number(number: float) -> str:
    """ECMA-262 Number::toString: the shortest round-trip digits (as in ``repr``), JS's layout."""
    if not math.isfinite(number):
        return "null"
    if number == 0:
        return "0"
    if number < 0:
        return "-" + js_number(-number)
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:e([+-]\d+))?", repr(number))
    assert match is not None, repr(number)
    whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3) or 0)
    # repr(number) == int(whole + fraction) * 10**(exponent - len(fraction))
    significant = (whole + fraction).lstrip("0")
    digits = significant.rstrip("0")
    n = exponent - len(fraction) + len(significant)  # number == 0.digits * 10**n
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mantissa}e{'+' if n > 1 else '-'}{abs(n - 1)}"


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def zoom_sample_verifies(secret: str, headers: dict[str, str], parsed: Any) -> bool:
    message = f"v0:{headers.get('x-zm-request-timestamp')}:{js_stringify(parsed)}"
    return headers.get("x-zm-signature") == f"v0={hmac_hex(secret, message)}"


# --- the server ----------------------------------------------------------------------------------------


class Receiver:
    """Records every request; answers like Zoom's sample, or as the test asks."""

    def __init__(self, secret: str, *, path: str = "/webhook") -> None:
        self.secret = secret
        self.path = path
        self.port = 0  # chosen on the first start, kept across stop()/start()
        self.status = 200
        self.delay_seconds = 0.0
        self.wrong_validation = False
        self._scripted: deque[int] = deque()
        self._deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    # -- lifecycle
    def start(self) -> Receiver:
        server = _Server(("127.0.0.1", self.port), _handler_for(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: new connections are refused until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- controls
    def respond_with(self, status: int, *, times: int | None = None) -> None:
        """Answer verified events with ``status``: the next ``times`` ones, or all from now on."""
        if times is None:
            self.status = status
        else:
            self._scripted.extend([status] * times)

    def delay(self, seconds: float) -> None:
        """Wait ``seconds`` before answering each request (the delivery is recorded on arrival)."""
        self.delay_seconds = seconds

    # -- what arrived
    @property
    def deliveries(self) -> list[Delivery]:
        with self._arrived:
            return list(self._deliveries)

    def events(self, name: str | None = None) -> list[Delivery]:
        return [d for d in self.deliveries if name is None or d.event == name]

    def clear(self) -> None:
        with self._arrived:
            self._deliveries.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        """Block until at least ``count`` requests arrived; all of them, or AssertionError on timeout."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._deliveries) >= count, timeout):
                raise AssertionError(
                    f"{len(self._deliveries)} deliveries arrived in {timeout} s, wanted {count}"
                )
            return list(self._deliveries)

    def wait_for_event(self, name: str, timeout: float = 10.0) -> Delivery:
        """Block until a delivery of event ``name`` arrived; the first one."""
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: next((d for d in self._deliveries if d.event == name), None), timeout
            )
            if found is None:
                seen = [d.event for d in self._deliveries]
                raise AssertionError(f"no {name!r} delivery in {timeout} s; arrived: {seen}")
            return found

    # -- called by the handler
    def _record(self, delivery: Delivery) -> None:
        with self._arrived:
            self._deliveries.append(delivery)
            self._arrived.notify_all()

    def _answer(self, verified: bool, parsed: Any) -> tuple[int, dict[str, str]]:
        if not verified:
            return 401, {"message": "Unauthorized request to Webhook Sample Node.js."}
        if isinstance(parsed, dict) and parsed.get("event") == URL_VALIDATION:
            plain = str(parsed["payload"]["plainToken"])
            encrypted = hmac_hex(self.secret, plain)
            if self.wrong_validation:
                encrypted = hmac_hex(self.secret + "-wrong", plain)
            return 200, {"plainToken": plain, "encryptedToken": encrypted}
        status = self._scripted.popleft() if self._scripted else self.status
        return status, {"message": "Authorized request to Webhook Sample Node.js.", "status": str(status)}


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) refuses connections when moot sends dozens of deliveries at once.
    request_queue_size = 128


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: stop() really cuts the sender off

        def do_POST(self) -> None:
            arrived, monotonic = time.time(), time.monotonic()
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                parsed = json.loads(body.decode("utf-8", "replace"))
            except ValueError:
                parsed = None
            verified = parsed is not None and zoom_sample_verifies(receiver.secret, headers, parsed)
            status, answer = receiver._answer(verified, parsed)
            receiver._record(
                Delivery(self.command, self.path, headers, body, parsed, verified, status, arrived, monotonic)
            )
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            self._send(status, json.dumps(answer).encode())

        do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

        def _send(self, status: int, body: bytes) -> None:
            if status in (204, 304):
                body = b""
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the sender gave up (a timeout) before the late answer
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
