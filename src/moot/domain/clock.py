"""The one source of time. Nothing else calls ``datetime.now()``.

The system clock serves ``moot serve``; a controllable clock lets the emulator and the tests freeze and
advance time for tokens, quotas, meeting status and webhook retries alike.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC, whole seconds."""
        ...

    def timestamp(self) -> float:
        """The current instant as POSIX seconds."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.fromtimestamp(int(time.time()), UTC)

    def timestamp(self) -> float:
        return time.time()


class ControllableClock:
    """Starts at ``start`` (or the system time) and runs, or stands still once frozen."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None
        if frozen:
            self._frozen_at = start.timestamp() if start is not None else time.time()
        elif start is not None:
            self._offset = start.timestamp() - time.time()

    def timestamp(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(int(self.timestamp()), UTC)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self) -> None:
        self._frozen_at = self.timestamp()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def set(self, instant: datetime) -> None:
        if self._frozen_at is not None:
            self._frozen_at = instant.timestamp()
        else:
            self._offset = instant.timestamp() - time.time()

    def advance(self, delta: timedelta | float) -> None:
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds
