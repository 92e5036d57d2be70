"""When to retry, and how long to wait.

Only idempotent calls are retried (GET, DELETE, PUT status): Zoom has no idempotency key, so a POST
that timed out or answered 5xx may have created the meeting, and PATCH counts against the host's
100 create+update requests per day. ``Retry-After`` comes as seconds (per-second limits) or as an
instant (daily limits, ISO-8601 such as ``2020-05-31T00:00:00Z``, or an HTTP date).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` extra attempts after the first, capped exponential backoff with full jitter.

    A ``Retry-After`` longer than ``max_retry_after`` seconds (a daily limit resetting at midnight) is not
    waited for: the :class:`~moot.client.errors.RateLimited` error is raised at once, carrying it.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based) when the server named none."""
        return self.jitter() * min(self.backoff_cap, self.backoff_base * 2.0**attempt)


NO_RETRIES = RetryPolicy(max_retries=0)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (``now`` is POSIX seconds); ``None`` if unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    instant = _parse_instant(text)
    if instant is None:
        return None
    return max(0.0, instant.timestamp() - now)


def _parse_instant(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
