"""Attempts at secrets typed into pages (meeting passcodes, host passwords), counted per meeting and
client address and per meeting, in the rate limiter's counters: in memory for one process, in Redis
(``MOOT_REDIS_URL``) for every process sharing it.

Every attempt is counted, right or wrong (counting only failures would need a read that the counters do
not offer; a right passcode is typed once, since the visitor's cookie remembers it). Windows are fixed:
they start with the first attempt.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request

from moot.services.counters import MemoryCounters, RedisCounters

WINDOW_SECONDS = 600
PER_CLIENT = 10  # attempts per meeting and client address per window
PER_MEETING = 100  # attempts per meeting from every address per window


class Attempts:
    def __init__(self, redis_url: str | None) -> None:
        self._counters: MemoryCounters | RedisCounters = (
            RedisCounters.from_url(redis_url) if redis_url else MemoryCounters()
        )

    async def allow(self, what: str, meeting_id: int, client: str) -> bool:
        """Count one attempt; False once the client or the meeting is past its limit."""
        steps = [
            (f"moot:page:{what}:{meeting_id}:{client}", WINDOW_SECONDS, PER_CLIENT),
            (f"moot:page:{what}:{meeting_id}", WINDOW_SECONDS, PER_MEETING),
        ]
        if isinstance(self._counters, MemoryCounters):
            counts: list[int] | None = self._counters.incr(steps)
        else:
            counts = await self._counters.incr(steps)
        if counts is None:  # Redis unreachable: refuse rather than let guesses through uncounted
            return False
        return all(count <= limit for count, (_, _, limit) in zip(counts, steps, strict=False))

    async def allow_client(self, what: str, client: str) -> bool:
        """Count one attempt at something that belongs to no meeting (the inspector's sign-in); False
        once the client address is past its limit."""
        step = (f"moot:page:{what}:{client}", WINDOW_SECONDS, PER_CLIENT)
        if isinstance(self._counters, MemoryCounters):
            counts: list[int] | None = self._counters.incr([step])
        else:
            counts = await self._counters.incr([step])
        return counts is not None and counts[0] <= PER_CLIENT

    async def close(self) -> None:
        if isinstance(self._counters, RedisCounters):
            await self._counters.close()


def attempts(request: Request) -> Attempts:
    """The app's counters of attempts (made on first use)."""
    state = request.app.state
    found: Attempts | None = getattr(state, "page_attempts", None)
    if found is None:
        found = Attempts(state.deps.settings.redis_url)
        state.page_attempts = found
    return found


async def close_page_attempts(app: Starlette) -> None:
    """Close the counters' connection, if pages made one (at shutdown)."""
    found: Attempts | None = getattr(app.state, "page_attempts", None)
    if found is not None:
        app.state.page_attempts = None
        await found.close()


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"
