from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from moot.domain.clock import ControllableClock, SystemClock

START = datetime(2030, 1, 1, tzinfo=UTC)


def test_system_clock_is_utc_whole_seconds() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC and now.microsecond == 0
    assert abs(now.timestamp() - time.time()) < 2


def test_a_frozen_clock_stands_still_until_moved() -> None:
    clock = ControllableClock(START, frozen=True)
    time.sleep(0.01)
    assert clock.now() == START
    clock.advance(timedelta(hours=1))
    assert clock.now() == START + timedelta(hours=1)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_an_unfrozen_clock_runs_from_where_it_was_set() -> None:
    clock = ControllableClock(START)
    assert abs(clock.timestamp() - START.timestamp()) < 1
    clock.freeze()
    frozen = clock.timestamp()
    clock.unfreeze()
    assert clock.timestamp() - frozen < 1
    clock.advance(60)
    assert clock.timestamp() - frozen >= 60
