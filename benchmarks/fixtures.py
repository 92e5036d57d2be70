"""What the moot scenarios need before the load starts: an access token and some meetings."""

from __future__ import annotations

from typing import Any

import httpx

from benchmarks.servers import Credentials

MEETING_BODY: dict[str, Any] = {
    "topic": "bench",
    "type": 2,
    "start_time": "2030-01-01T10:00:00Z",
    "duration": 30,
    "timezone": "UTC",
    "settings": {"join_before_host": True},
}


# A 60-occurrence series (the most Zoom allows), weekly on Monday and Wednesday.
SERIES_BODY: dict[str, Any] = {
    **MEETING_BODY,
    "topic": "bench series",
    "type": 8,
    "timezone": "America/New_York",
    "recurrence": {"type": 2, "weekly_days": "2,4", "end_times": 60},
}


class FixtureError(RuntimeError):
    pass


def access_token(base_url: str, credentials: Credentials) -> str:
    with httpx.Client(base_url=base_url, timeout=10.0, trust_env=False) as client:
        response = client.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": credentials.account_id},
            auth=(credentials.client_id, credentials.client_secret),
        )
    if response.status_code != 200:
        raise FixtureError(f"POST /oauth/token answered {response.status_code}: {response.text[:300]}")
    return str(response.json()["access_token"])


def create_meetings(base_url: str, token: str, count: int, body: dict[str, Any] = MEETING_BODY) -> list[int]:
    """Create ``count`` meetings (``body``) for the token's user and return their ids."""
    headers = {"Authorization": f"Bearer {token}"}
    ids: list[int] = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=10.0, trust_env=False) as client:
        for _ in range(count):
            response = client.post("/v2/users/me/meetings", json=body)
            if response.status_code != 201:
                raise FixtureError(
                    f"creating a meeting answered {response.status_code}: {response.text[:300]}"
                )
            ids.append(int(response.json()["id"]))
    return ids


def count_meetings(base_url: str, token: str) -> int:
    """How many meetings the token's user has (what the list scenarios page through)."""
    with httpx.Client(base_url=base_url, timeout=30.0, trust_env=False) as client:
        response = client.get(
            "/v2/users/me/meetings?page_size=1", headers={"Authorization": f"Bearer {token}"}
        )
    if response.status_code != 200:
        raise FixtureError(f"listing meetings answered {response.status_code}: {response.text[:300]}")
    return int(response.json()["total_records"])
