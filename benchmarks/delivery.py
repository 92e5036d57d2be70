"""Webhook delivery: waiting for the receiver to validate moot+webhooks' endpoint, then, once the create
load on moot+webhooks has stopped, for every event it caused to arrive; and the figures from that.

Every meeting created on moot+webhooks (warm-up and measured load alike: it has no other meetings) is one
``meeting.created`` event, so the meeting count is the number of events the receiver must get.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from benchmarks import fixtures
from benchmarks.servers import Server

VALIDATION_TIMEOUT = 30.0  # the dispatcher challenges on its first cycle (and every 10 s while it fails)
SETTLE = 0.3  # seconds between seeing the challenge and loading: the dispatcher stores the endpoint active
POLL = 0.05
STALL = 15.0  # seconds without a new arrival after which the wait gives up
MAX_WAIT = 600.0  # seconds after the load at most (while events keep arriving)


class DeliveryError(RuntimeError):
    pass


@dataclass(slots=True)
class DeliveryResult:
    events: int  # events the run caused (= meetings created on moot+webhooks)
    delivered: int  # deliveries that reached the receiver, duplicates included
    unique: int  # distinct x-zm-trackingid among them
    load_seconds: float  # from the start of the warm-up to the end of the measured load
    delivered_by_load_end: int  # arrived before the load stopped
    span_seconds: float  # first arrival to last arrival
    drain_seconds: float  # end of the load to the last arrival
    latency_ms: dict[str, float]  # arrival - event_ts over every event: p50, p90, p99, max, mean
    complete: bool  # every event arrived before the wait gave up
    # CPU as a share of one core: moot+webhooks from the end of the load to the end of the wait, and the
    # receiver from the start of the warm-up to the end of the wait (None where not measurable)
    server_cpu_after_load: float | None = None
    receiver_cpu: float | None = None

    @property
    def throughput(self) -> float:
        """Events per second from the first arrival to the last (the target's figure)."""
        return self.unique / self.span_seconds if self.span_seconds > 0 else 0.0

    @property
    def backlog_at_load_end(self) -> int:
        return max(0, self.events - self.delivered_by_load_end)

    @property
    def drain_rate(self) -> float:
        """Events per second delivered after the load stopped: delivery with no request to serve."""
        return self.backlog_at_load_end / self.drain_seconds if self.drain_seconds > 0 else 0.0

    @property
    def rate_during_load(self) -> float:
        """Events per second that arrived while the creates were still coming in."""
        return self.delivered_by_load_end / self.load_seconds if self.load_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data |= {
            "throughput": self.throughput,
            "backlog_at_load_end": self.backlog_at_load_end,
            "drain_rate": self.drain_rate,
            "rate_during_load": self.rate_during_load,
        }
        return data


def _get(client: httpx.Client, path: str) -> dict[str, Any]:
    try:
        response = client.get(path)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise DeliveryError(f"the receiver's GET {path} failed: {exc}") from None
    return dict(response.json())


def wait_validated(receiver: Server, moot: Server, timeout: float = VALIDATION_TIMEOUT) -> None:
    """Until the receiver has answered the URL-validation challenge of moot+webhooks."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=receiver.base_url, timeout=5.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if not moot.process.running():
                raise DeliveryError(f"{moot.name} exited:\n{moot.process.log_tail()}")
            if _get(client, "/stats")["validations"] > 0:
                time.sleep(SETTLE)
                return
            time.sleep(POLL)
    raise DeliveryError(
        f"the receiver got no URL-validation challenge from {moot.name} in {timeout:.0f} s:\n"
        f"{moot.process.log_tail()}"
    )


def _share(before: float | None, after: float | None, seconds: float) -> float | None:
    return (after - before) / seconds if before is not None and after is not None and seconds > 0 else None


def wait_delivered(
    receiver: Server,
    moot: Server,
    token: str,
    *,
    load_started: float,
    load_ended: float,
    receiver_cpu_at_start: float | None,
) -> DeliveryResult:
    """Wait until every event the load caused has reached the receiver (or no new one arrives for
    ``STALL`` seconds), then measure. ``load_started`` / ``load_ended`` are ``time.time()`` values;
    ``receiver_cpu_at_start`` the receiver's CPU seconds at ``load_started``."""
    moot_cpu_at_end = moot.process.cpu_seconds()
    events = fixtures.count_meetings(moot.base_url, token)
    deadline = time.monotonic() + MAX_WAIT
    with httpx.Client(base_url=receiver.base_url, timeout=30.0, trust_env=False) as client:
        last_count, last_progress = -1, time.monotonic()
        while True:
            stats = _get(client, "/stats")
            now = time.monotonic()
            if stats["unique"] != last_count:
                last_count, last_progress = stats["unique"], now
            if stats["unique"] >= events:
                events = fixtures.count_meetings(moot.base_url, token)  # a late create is one more
                if stats["unique"] >= events:
                    break
            if now - last_progress > STALL or now > deadline:
                break
            time.sleep(POLL)
        waited = time.time()
        moot_cpu = _share(moot_cpu_at_end, moot.process.cpu_seconds(), waited - load_ended)
        receiver_cpu = _share(receiver_cpu_at_start, receiver.process.cpu_seconds(), waited - load_started)
        data = _get(client, "/arrivals")
    arrivals: list[float] = data["arrival"]
    stamps: list[int] = data["event_ts"]
    if not arrivals:
        raise DeliveryError(f"the receiver got no event at all:\n{moot.process.log_tail()}")
    latencies = sorted((a - ts / 1000) * 1000 for a, ts in zip(arrivals, stamps, strict=True))
    return DeliveryResult(
        events=events,
        delivered=int(stats["events"]),
        unique=int(stats["unique"]),
        load_seconds=load_ended - load_started,
        delivered_by_load_end=sum(1 for a in arrivals if a <= load_ended),
        span_seconds=max(arrivals) - min(arrivals),
        drain_seconds=max(0.0, max(arrivals) - load_ended),
        latency_ms={
            "p50": _percentile(latencies, 50),
            "p90": _percentile(latencies, 90),
            "p99": _percentile(latencies, 99),
            "max": latencies[-1],
            "mean": sum(latencies) / len(latencies),
        },
        complete=int(stats["unique"]) >= events,
        server_cpu_after_load=moot_cpu,
        receiver_cpu=receiver_cpu,
    )


def _percentile(ordered: list[float], pct: float) -> float:
    """Nearest rank."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(len(ordered), rank) - 1]
