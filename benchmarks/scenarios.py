"""The loads, in the order they run: the baseline first, moot's reads, then moot's creates (last, so
the rows they insert do not change what the list reads; with webhooks on a second moot right after the
first), then the 60-occurrence series. The reference stack's GET and create (no targets: they show what
the ratio targets mean on this machine) each run right before moot's, so that drift hardly separates them."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from benchmarks.fixtures import MEETING_BODY, SERIES_BODY
from benchmarks.loadspec import RequestSpec

JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    # "baseline", "reference", "moot" or "webhooks" (moot+webhooks: moot delivering every event)
    server: str
    method: str
    path: str
    body: bytes = b""
    min_ratio: float | None = None  # target: this scenario's req/s >= min_ratio x the baseline's
    # target: req/s >= min_relative x the req/s of scenario ``relative_to`` (same run)
    relative_to: str | None = None
    min_relative: float | None = None
    rate_limited: bool = False  # on the account whose rate limits are counted (scaled out of reach)

    def request(self, base_url: str, token: str | None) -> RequestSpec:
        headers = dict(JSON_HEADERS) if self.body else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return RequestSpec(self.method, base_url + self.path, headers, self.body)


def scenarios(
    meeting_id: int, series_id: int, *, reference_id: int | None = None, redis: bool = False
) -> list[Scenario]:
    """The loads; the reference stack's only with ``reference_id`` (a meeting created on it)."""
    reference_get = [
        Scenario(
            "reference_get",
            "reference GET /v2/meetings/{id} (Starlette + pydantic + sqlite3)",
            "reference",
            "GET",
            f"/v2/meetings/{reference_id}",
        )
    ]
    reference_create = [
        Scenario(
            "reference_create",
            "reference POST /v2/users/me/meetings (Starlette + pydantic + sqlite3)",
            "reference",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(MEETING_BODY),
        )
    ]
    if reference_id is None:
        reference_get, reference_create = [], []
    return [
        Scenario("baseline", "baseline GET (raw ASGI)", "baseline", "GET", "/v2/meetings/1"),
        *reference_get,
        Scenario(
            "get", "moot GET /v2/meetings/{id}", "moot", "GET", f"/v2/meetings/{meeting_id}", min_ratio=0.30
        ),
        Scenario(
            "list", "moot GET /v2/users/me/meetings", "moot", "GET", "/v2/users/me/meetings?page_size=30"
        ),
        *reference_create,
        Scenario(
            "create",
            "moot POST /v2/users/me/meetings",
            "moot",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(MEETING_BODY),
            min_ratio=0.20,
        ),
        # The same creates on a second moot whose app has a webhook endpoint (the benchmark's receiver):
        # each create also writes a meeting.created event that the same process then delivers. Costs at
        # most 25 %. Right after the create, so that machine drift hardly enters the ratio.
        Scenario(
            "create_webhooks",
            "moot+webhooks POST /v2/users/me/meetings",
            "webhooks",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(MEETING_BODY),
            relative_to="create",
            min_relative=0.75,
        ),
        # Counting every create against the account's and the host's limits costs at most 10 % in
        # memory, 25 % with the counters in Redis.
        Scenario(
            "create_limited",
            f"moot POST /v2/users/me/meetings (rate limits on{', Redis' if redis else ''})",
            "moot",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(MEETING_BODY),
            relative_to="create",
            min_relative=0.75 if redis else 0.90,
            rate_limited=True,
        ),
        # A 60-occurrence series costs at most twice a single meeting, to read and to create.
        Scenario(
            "series_get",
            "moot GET /v2/meetings/{id} (60 occurrences)",
            "moot",
            "GET",
            f"/v2/meetings/{series_id}",
            relative_to="get",
            min_relative=0.5,
        ),
        Scenario(
            "series_create",
            "moot POST /v2/users/me/meetings (60 occurrences)",
            "moot",
            "POST",
            "/v2/users/me/meetings",
            orjson.dumps(SERIES_BODY),
            relative_to="create",
            min_relative=0.5,
        ),
        # By now the creates above have added thousands of meetings (a third of them series) to the same
        # host. For information: a first page also counts the host's meetings (from a covering index,
        # so it grows with their number); later pages come from the page token without that count.
        Scenario(
            "list_large",
            "moot GET /v2/users/me/meetings (after the creates)",
            "moot",
            "GET",
            "/v2/users/me/meetings?page_size=30",
        ),
    ]
