"""What an emulator keeps beside its server: the state to reset to, and how its clock started.

The baseline is taken once seeding is done (``moot emulate`` start-up, and again after each
``POST /moot/api/seed``); ``reset`` puts back that state, the id generator's position and the clock,
and forgets what this process cached about the state it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moot.domain import ids
from moot.domain.clock import ControllableClock, SystemClock
from moot.services.context import Deps
from moot.storage.snapshot import Restore, Snapshots, snapshots


@dataclass(frozen=True, slots=True)
class ClockStart:
    """How the clock started: frozen at ``at``, or running (from ``at``, or with the system time)."""

    frozen: bool = False
    at: datetime | None = None

    def apply(self, clock: ControllableClock) -> None:
        clock.unfreeze()
        clock.advance((self.at.timestamp() if self.at else SystemClock().timestamp()) - clock.timestamp())
        if self.frozen:
            clock.freeze()


async def forget_caches(deps: Deps) -> None:
    """Drop what this process remembers about the stored state: verified tokens, grant liveness, the
    accounts the rate limiter read and its counts."""
    deps.keys.verified.clear()
    deps.keys.grants.clear()
    if deps.limiter is not None:
        await deps.limiter.reset()


class Emulator:
    def __init__(self, deps: Deps, clock_start: ClockStart) -> None:
        self.deps = deps
        self.clock_start = clock_start
        self.snapshots: Snapshots = snapshots(deps.store)
        self._restore: Restore | None = None
        self._ids_state: Any = None

    async def take_baseline(self) -> None:
        """What ``reset`` returns to from now on: the state as it is now."""
        self._restore = await self.snapshots.capture()
        self._ids_state = ids.seed_state()

    async def reset(self) -> None:
        assert self._restore is not None, "take_baseline() first"
        await self._restore()
        ids.restore_seed_state(self._ids_state)
        if isinstance(self.deps.clock, ControllableClock):
            self.clock_start.apply(self.deps.clock)
        await forget_caches(self.deps)
