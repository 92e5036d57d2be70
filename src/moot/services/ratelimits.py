"""Counting requests against Zoom's limits, in memory (one process) or in Redis (shared by every moot
process on it), with the ``limits`` library's storage.

Windows are keyed by the Clock (the second, the minute or the UTC day a request falls in), so freezing
or advancing the Clock moves quotas too: a daily quota resets when the Clock passes 00:00 UTC.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from limits.aio.storage import MemoryStorage, Storage
from limits.storage import storage_from_string

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
from moot.storage.base import Store

log = logging.getLogger("moot.ratelimits")

ACCOUNT_CACHE_SECONDS = 5.0  # an account's plan or mode changed by the CLI applies within this


@dataclass(slots=True)
class RateUsage:
    """What the limits say about one call: the X-RateLimit-* headers its answer carries."""

    headers: dict[str, str] = field(default_factory=dict)
    scale: float | None = None
    account_id: str = ""


class Limiter:
    def __init__(self, storage: Storage, clock: Clock, store: Store) -> None:
        self._storage = storage
        self._clock = clock
        self._store = store
        self._accounts: dict[str, tuple[Account, float]] = {}

    @classmethod
    def from_url(cls, redis_url: str | None, clock: Clock, store: Store) -> Limiter:
        if not redis_url:
            return cls(MemoryStorage(), clock, store)
        storage = storage_from_string(f"async+{redis_url}")
        assert isinstance(storage, Storage)
        return cls(storage, clock, store)

    async def reset(self) -> None:
        """Forget every account read and, when counting in memory, every count (the emulator's reset;
        counters in Redis are shared with other processes and stay)."""
        self._accounts.clear()
        if isinstance(self._storage, MemoryStorage):
            await self._storage.reset()

    async def _account(self, account_id: str) -> Account | None:
        cached = self._accounts.get(account_id)
        if cached is not None and time.monotonic() - cached[1] < ACCOUNT_CACHE_SECONDS:
            return cached[0]
        account = await self._store.get_account(account_id)
        if account is not None:
            self._accounts[account_id] = (account, time.monotonic())
        return account

    async def _incr(self, key: str, expiry: int) -> int | None:
        """The count after this request, or None when the counter store is unreachable (moot then
        serves the request rather than failing it, and says so in its log)."""
        try:
            return int(await self._storage.incr(key, expiry))
        except Exception:
            log.warning("rate-limit counters unreachable; request allowed", exc_info=True)
            return None

    async def charge(self, account_id: str, operation: str) -> RateUsage:
        """Count one call of ``operation``; raise RateLimited past the plan's per-second or daily limit."""
        account = await self._account(account_id)
        scale = scale_of(account.rate_limits) if account is not None else None
        usage = RateUsage(scale=scale, account_id=account_id)
        if account is None or scale is None:
            return usage
        label = OPERATION_LABELS[operation]
        limit = PLAN_LIMITS[account.plan][label]
        now = self._clock.timestamp()
        window = int(now // limit.window)
        allowed = scaled(limit.per_window, scale)
        count = await self._incr(
            f"moot:w:{account_id}:{label.value}:{limit.window}:{window}", 2 * limit.window
        )
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
        if limit.per_day is None:
            usage.headers["X-RateLimit-Limit"] = str(allowed)
            usage.headers["X-RateLimit-Remaining"] = str(max(0, allowed - (count or 0)))
            return usage
        daily = scaled(limit.per_day, scale)
        day = int(now // 86_400)  # the UTC day, as days since the epoch
        used = await self._incr(f"moot:d:{account_id}:{limit.day_pool}:{day}", 2 * 86_400)
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
        used = await self._incr(f"moot:h:{host_id}:{day}", 2 * 86_400)
        if used is None:
            return
        usage.headers["X-RateLimit-Limit"] = str(quota)
        usage.headers["X-RateLimit-Remaining"] = str(max(0, quota - used))
        if used > quota:
            raise RateLimited(
                HOST_QUOTA_MESSAGE.format(limit=quota),
                {**usage.headers, "Retry-After": format_zoom(next_midnight(self._clock.now()))},
            )
