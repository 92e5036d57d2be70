"""The Python load generator, used where wrk is not installed; run as its own process.

Keep-alive HTTP/1.1 over N connections, each sending its next request as soon as the previous response
is complete (as wrk does). Built on asyncio protocols and httptools (both come with ``uvicorn[standard]``,
uvloop when present): against the raw ASGI baseline it needs about half the CPU per request that
the server does, so it is not what limits the figures (the report shows both CPU shares).

    python -m benchmarks.pyload SPEC.json   ->   prints ``BENCH_RESULT {...}`` on stdout
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import sys
import time
from array import array
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import httptools

from benchmarks.loadspec import LoadResult, LoadSettings, RequestSpec

RESULT_MARK = "BENCH_RESULT "


def encode_request(spec: RequestSpec) -> tuple[str, int, bytes]:
    """Host, port and the raw bytes of the request, sent unchanged on every round trip."""
    url = urlsplit(spec.url)
    target = url.path + (f"?{url.query}" if url.query else "")
    headers = {"Host": url.netloc, **spec.headers}
    if spec.body or spec.method not in ("GET", "HEAD"):
        headers["Content-Length"] = str(len(spec.body))
    head = f"{spec.method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return url.hostname or "127.0.0.1", url.port or 80, (head + "\r\n").encode() + spec.body


class Tally:
    def __init__(self) -> None:
        self.latencies_ns = array("q")
        self.non_2xx = 0
        self.socket_errors = 0


class Connection(asyncio.Protocol):
    """One keep-alive connection sending ``request`` back to back until ``deadline``."""

    def __init__(self, request: bytes, tally: Tally, deadline: float, closed: asyncio.Future[None]) -> None:
        self.request = request
        self.tally = tally
        self.deadline = deadline
        self.closed = closed
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0
        self.in_flight = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        if time.monotonic() >= self.deadline:
            self.transport.close()
            return
        self.in_flight = True
        self.sent_at = time.perf_counter_ns()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.tally.socket_errors += 1
            self.in_flight = False
            if self.transport is not None:
                self.transport.close()

    def on_message_complete(self) -> None:
        self.tally.latencies_ns.append(time.perf_counter_ns() - self.sent_at)
        status = self.parser.get_status_code()
        if not 200 <= status < 300:
            self.tally.non_2xx += 1
        self.in_flight = False
        if not self.parser.should_keep_alive():
            assert self.transport is not None
            self.transport.close()
            return
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.in_flight and time.monotonic() < self.deadline:
            self.tally.socket_errors += 1
        if not self.closed.done():
            self.closed.set_result(None)


async def _connection_loop(
    host: str, port: int, request: bytes, tally: Tally, deadline: float, limit: float
) -> None:
    """Keep one connection busy until the deadline, reconnecting if the server closes it."""
    loop = asyncio.get_running_loop()
    while time.monotonic() < deadline:
        closed: asyncio.Future[None] = loop.create_future()
        try:
            async with asyncio.timeout(limit):
                factory = functools.partial(Connection, request, tally, deadline, closed)
                _, connection = await loop.create_connection(factory, host, port)
        except (OSError, TimeoutError):
            tally.socket_errors += 1
            await asyncio.sleep(0.05)
            continue
        await _watch(connection, closed, deadline, limit)


async def _watch(connection: Connection, closed: asyncio.Future[None], deadline: float, limit: float) -> None:
    """Wait for the connection to close; abort it if one response takes longer than ``limit`` seconds,
    or if it is still open ``limit`` seconds after the deadline."""
    while not closed.done():
        remaining = deadline - time.monotonic()
        await asyncio.wait({closed}, timeout=max(0.0, min(remaining, limit)) + 0.01)
        if closed.done():
            return
        overdue = connection.in_flight and time.perf_counter_ns() - connection.sent_at > limit * 1e9
        if overdue:
            connection.tally.socket_errors += 1
            connection.in_flight = False
        if overdue or time.monotonic() >= deadline + limit:
            if connection.transport is not None:
                connection.transport.abort()
            return


def _percentiles(latencies_ns: array[int]) -> dict[str, float]:
    if not latencies_ns:
        return {"p50": 0.0, "p75": 0.0, "p90": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0}
    ordered = sorted(latencies_ns)
    n = len(ordered)

    def at(pct: float) -> float:
        return ordered[min(n - 1, int(pct / 100 * n))] / 1e6

    result = {f"p{p}": at(p) for p in (50, 75, 90, 99)}
    result["mean"] = sum(ordered) / n / 1e6
    result["max"] = ordered[-1] / 1e6
    return result


async def generate(spec: RequestSpec, settings: LoadSettings) -> LoadResult:
    host, port, request = encode_request(spec)
    tally = Tally()
    started = time.monotonic()
    deadline = started + settings.duration
    loops = [
        _connection_loop(host, port, request, tally, deadline, settings.timeout)
        for _ in range(settings.connections)
    ]
    await asyncio.gather(*loops)
    return LoadResult(
        requests=len(tally.latencies_ns),
        duration=time.monotonic() - started,
        non_2xx=tally.non_2xx,
        socket_errors=tally.socket_errors,
        latency_ms=_percentiles(tally.latencies_ns),
    )


def write_spec(path: Path, spec: RequestSpec, settings: LoadSettings) -> None:
    data = {
        "method": spec.method,
        "url": spec.url,
        "headers": spec.headers,
        "body": base64.b64encode(spec.body).decode(),
        "connections": settings.connections,
        "duration": settings.duration,
        "timeout": settings.timeout,
    }
    path.write_text(json.dumps(data))


def read_spec(path: Path) -> tuple[RequestSpec, LoadSettings]:
    data = json.loads(path.read_text())
    spec = RequestSpec(data["method"], data["url"], dict(data["headers"]), base64.b64decode(data["body"]))
    return spec, LoadSettings(int(data["connections"]), float(data["duration"]), float(data["timeout"]))


def parse(output: str) -> LoadResult:
    marked = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not marked:
        raise ValueError(f"no result line in the generator's output:\n{output[-2000:]}")
    return LoadResult.from_dict(json.loads(marked[-1].removeprefix(RESULT_MARK)))


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main() -> None:
    spec, settings = read_spec(Path(sys.argv[1]))
    with asyncio.Runner(loop_factory=_new_loop) as runner:
        result = runner.run(generate(spec, settings))
    print(RESULT_MARK + json.dumps(result.to_dict()), flush=True)


if __name__ == "__main__":
    main()
