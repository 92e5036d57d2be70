"""The four loads, in the order they run: the baseline first, moot's reads, then moot's create (last, so
the rows it inserts do not change what the list reads)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from benchmarks.fixtures import MEETING_BODY
from benchmarks.loadspec import RequestSpec

JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    server: str  # "baseline" or "moot"
    method: str
    path: str
    body: bytes = b""
    min_ratio: float | None = None  # target: this scenario's req/s >= min_ratio x the baseline's

    def request(self, base_url: str, token: str | None) -> RequestSpec:
        headers = dict(JSON_HEADERS) if self.body else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return RequestSpec(self.method, base_url + self.path, headers, self.body)


def scenarios(meeting_id: int) -> list[Scenario]:
    return [
        Scenario("baseline", "baseline GET (raw ASGI)", "baseline", "GET", "/v2/meetings/1"),
        Scenario(
            "get", "moot GET /v2/meetings/{id}", "moot", "GET", f"/v2/meetings/{meeting_id}", min_ratio=0.30
        ),
        Scenario(
            "list", "moot GET /v2/users/me/meetings", "moot", "GET", "/v2/users/me/meetings?page_size=30"
        ),
        Scenario(
            "create",
            "moot POST /v2/users/me/meetings",
            "moot",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(MEETING_BODY),
            min_ratio=0.20,
        ),
    ]
