"""Counting requests against Zoom's limits, in memory (one process) or in Redis (shared by every moot
process on it): see services.counters.

Windows are keyed by the Clock (the second, the minute or the UTC day a request falls in), so freezing
or advancing the Clock moves quotas too: a daily quota resets when the Clock passes 00:00 UTC.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from moot.domain.accounts import Account
from moot.domain.clock import Clock
from moot.domain.errors import RateLimited
from moot.domain.ratelimits import (
    DAILY_MESSAGE,
    HOST_DAILY_QUOTA,
    HOST_QUOTA_MESSAGE,
    OPERATION_LABELS,
    PER_SECOND_MESSAGE,
    PLAN_LIMITS,
    next_midnight,
    scale_of,
    scaled,
)
from moot.domain.times import format_zoom
from moot.services.counters import MemoryCounters, RedisCounters, Step
from moot.storage.base import Store

ACCOUNT_CACHE_SECONDS = 5.0  # an account's plan or mode changed by the CLI applies within this


@dataclass(slots=True)
class RateUsage:
    """What the limits say about one call: the X-RateLimit-* headers its answer carries."""

    headers: dict[str, str] = field(default_factory=dict)
    scale: float | None = None
    account_id: str = ""


class Limiter:
    def __init__(self, counters: MemoryCounters | RedisCounters, clock: Clock, store: Store) -> None:
        self._memory = counters if isinstance(counters, MemoryCounters) else None
        self._redis = counters if isinstance(counters, RedisCounters) else None
        self._clock = clock
        self._store = store
        self._accounts: dict[str, tuple[Account, float | None, float]] = {}  # (account, scale, read at)

    @classmethod
    def from_url(cls, redis_url: str | None, clock: Clock, store: Store) -> Limiter:
        counters = RedisCounters.from_url(redis_url) if redis_url else MemoryCounters()
        return cls(counters, clock, store)

    async def reset(self) -> None:
        """Forget every account read and, when counting in memory, every count (the emulator's reset;
        counters in Redis are shared with other processes and stay)."""
        self._accounts.clear()
        if self._memory is not None:
            self._memory.clear()

    async def close(self) -> None:
        """Close the connection to Redis, if any (counting again opens it again)."""
        if self._redis is not None:
            await self._redis.close()

    async def _account(self, account_id: str) -> tuple[Account | None, float | None]:
        """The account and how its mode scales the limits (None: not counted)."""
        now = time.monotonic()
        cached = self._accounts.get(account_id)
        if cached is not None and now - cached[2] < ACCOUNT_CACHE_SECONDS:
            return cached[0], cached[1]
        account = await self._store.get_account(account_id)
        scale = scale_of(account.rate_limits) if account is not None else None
        if account is not None:
            self._accounts[account_id] = (account, scale, now)
        return account, scale

    async def _count(self, steps: list[Step]) -> list[int] | None:
        """The counts after this request, one per step counted (see services.counters), or None when
        the counters are unreachable (moot then serves the request rather than failing it, and says so
        in its log)."""
        if self._memory is not None:
            return self._memory.incr(steps)
        assert self._redis is not None
        return await self._redis.incr(steps)

    async def count(self, steps: list[Step]) -> list[int] | None:
        """Count (or, with expiry ``PEEK``, read) one chain of ``steps`` in the limiter's counters, for
        throttles of their own (failed client authentications); None when the counters are unreachable."""
        return await self._count(steps)

    async def charge(self, account_id: str, operation: str) -> RateUsage:
        """Count one call of ``operation``; raise RateLimited past the plan's per-second or daily limit."""
        account, scale = await self._account(account_id)
        usage = RateUsage(scale=scale, account_id=account_id)
        if account is None or scale is None:
            return usage
        label = OPERATION_LABELS[operation]
        limit = PLAN_LIMITS[account.plan][label]
        now = self._clock.timestamp()
        window = int(now // limit.window)
        allowed = scaled(limit.per_window, scale)
        daily = None if limit.per_day is None else scaled(limit.per_day, scale)
        steps = [(f"moot:w:{account_id}:{label.value}:{limit.window}:{window}", 2 * limit.window, allowed)]
        if daily is not None:
            day = int(now // 86_400)  # the UTC day, as days since the epoch
            steps.append((f"moot:d:{account_id}:{limit.day_pool}:{day}", 2 * 86_400, daily))
        counts = await self._count(steps)  # one round trip; the day is not counted past the second's limit
        count = counts[0] if counts else None
        usage.headers["X-RateLimit-Category"] = label.value
        if count is not None and count > allowed:  # a 429 answers below; nothing else is counted
            retry = max(1, math.ceil((window + 1) * limit.window - now))
            raise RateLimited(
                PER_SECOND_MESSAGE,
                {
                    **usage.headers,
                    "X-RateLimit-Type": "QPS",
                    "X-RateLimit-Limit": str(allowed),
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": str(retry),
                },
            )
        if daily is None:
            usage.headers["X-RateLimit-Limit"] = str(allowed)
            usage.headers["X-RateLimit-Remaining"] = str(max(0, allowed - (count or 0)))
            return usage
        used = counts[1] if counts else None
        usage.headers["X-RateLimit-Limit"] = str(daily)
        usage.headers["X-RateLimit-Remaining"] = str(max(0, daily - (used or 0)))
        if used is not None and used > daily:
            raise RateLimited(
                DAILY_MESSAGE,
                {
                    **usage.headers,
                    "X-RateLimit-Type": "Daily-limit",
                    "Retry-After": format_zoom(next_midnight(self._clock.now())),
                },
            )
        return usage

    async def charge_host(self, usage: RateUsage, host_id: str) -> None:
        """Count a meeting create or update against its host's 100 a day."""
        if usage.scale is None:
            return
        quota = scaled(HOST_DAILY_QUOTA, usage.scale)
        day = int(self._clock.timestamp() // 86_400)  # the UTC day, as days since the epoch
        counts = await self._count([(f"moot:h:{host_id}:{day}", 2 * 86_400, quota)])
        if not counts:
            return
        used = counts[0]
        usage.headers["X-RateLimit-Limit"] = str(quota)
        usage.headers["X-RateLimit-Remaining"] = str(max(0, quota - used))
        if used > quota:
            raise RateLimited(
                HOST_QUOTA_MESSAGE.format(limit=quota),
                {**usage.headers, "Retry-After": format_zoom(next_midnight(self._clock.now()))},
            )
