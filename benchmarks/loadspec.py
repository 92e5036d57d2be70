"""What a load generator is asked to send, and what it reports back (the same for wrk and Python)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestSpec:
    method: str
    url: str  # http://127.0.0.1:PORT/path?query
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class LoadSettings:
    connections: int
    duration: float  # seconds
    timeout: float = 5.0  # a response slower than this counts as a socket error


@dataclass(slots=True)
class LoadResult:
    requests: int  # responses received (any status)
    duration: float  # seconds the load ran
    non_2xx: int
    socket_errors: int  # connect / read / write errors and timeouts
    latency_ms: dict[str, float]  # "p50", "p75", "p90", "p99", "max", "mean"
    # CPU used over the generator process's lifetime, as a fraction of one core (1.0 = one core busy)
    generator_cpu: float | None = None
    server_cpu: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration if self.duration > 0 else 0.0

    @property
    def error_rate(self) -> float:
        attempts = self.requests + self.socket_errors
        return (self.non_2xx + self.socket_errors) / attempts if attempts else 1.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rps"] = self.rps
        data["error_rate"] = self.error_rate
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadResult:
        return cls(
            requests=int(data["requests"]),
            duration=float(data["duration"]),
            non_2xx=int(data["non_2xx"]),
            socket_errors=int(data["socket_errors"]),
            latency_ms={str(k): float(v) for k, v in data["latency_ms"].items()},
        )
