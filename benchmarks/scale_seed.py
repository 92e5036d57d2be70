"""Seed one host with many meetings, fast: rows built by moot's own domain code and written through
the store (``Store.write()`` / ``insert_meeting``), in large transactions, instead of one API call each.

The mix is what a busy scheduling account holds (by count): 84 % one-off scheduled meetings spread from
25 days ago to two years ahead, 10 % weekly or daily series (type 8, 4 to 20 occurrences, their
occurrences expanded by ``moot.domain.recurrence`` as a create does), 4 % recurring meetings with no
fixed time (type 3), 1 % instant meetings (type 1, never listed) and 1 % deleted meetings (recoverable,
never listed). Nothing is expired yet: see ``benchmarks/README.md`` (Scale) for what expired meetings cost.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from moot.domain import ids
from moot.domain.meetings import DEFAULT_SETTINGS, Meeting, MeetingStatus, MeetingType, Passcodes
from moot.domain.recurrence import expand
from moot.storage.base import DuplicateKey, Store

BATCH = 10_000
_WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")


@dataclass(frozen=True, slots=True)
class Host:
    account_id: str
    user_id: str
    email: str


@dataclass(frozen=True, slots=True)
class SeedResult:
    meetings: int
    series: int
    seconds: float
    sample_ids: list[int]  # a few listed (type 2) meetings, for GET


def _recurrence(rng: random.Random) -> dict[str, object]:
    times = rng.randint(4, 20)
    if rng.random() < 0.7:
        return {"type": 2, "repeat_interval": 1, "weekly_days": rng.choice(_WEEKDAYS), "end_times": times}
    return {"type": 1, "repeat_interval": 1, "end_times": times}


def build_meeting(host: Host, rng: random.Random, now: datetime, passcodes: Passcodes) -> Meeting:
    """One meeting of the mix, as ``services.meetings.create_meeting`` would build it."""
    roll = rng.random()
    if roll < 0.84 or roll >= 0.99:
        kind = MeetingType.SCHEDULED
    elif roll < 0.94:
        kind = MeetingType.RECURRING_FIXED_TIME
    elif roll < 0.98:
        kind = MeetingType.RECURRING_NO_FIXED_TIME
    else:
        kind = MeetingType.INSTANT
    created = now - timedelta(seconds=rng.randint(0, 25 * 86_400))
    start = (now + timedelta(minutes=15 * rng.randint(-25 * 96, 730 * 96))).replace(second=0)
    duration = rng.choice((15, 30, 30, 45, 60, 60, 90))
    meeting = Meeting(
        id=ids.meeting_number(),
        uuid=ids.meeting_uuid(),
        account_id=host.account_id,
        host_id=host.user_id,
        host_email=host.email,
        topic=f"Seeded meeting {rng.randint(1, 10**6)}",
        type=kind,
        status=MeetingStatus.WAITING,
        start_time=start if kind.has_start_time else None,
        duration=duration,
        timezone="UTC",
        agenda="",
        created_at=created if kind is not MeetingType.INSTANT else now,
        passcodes=passcodes,
        settings=dict(DEFAULT_SETTINGS),
        recurrence=_recurrence(rng) if kind.is_recurring else None,
    )
    if kind is MeetingType.RECURRING_FIXED_TIME:
        assert meeting.recurrence is not None
        meeting.occurrences = expand(meeting.recurrence, start, UTC, duration)
    if roll >= 0.99:  # deleted yesterday: recoverable, so still stored, never listed
        meeting.deleted_at = now - timedelta(days=1)
    return meeting


async def seed(
    store: Store,
    host: Host,
    count: int,
    *,
    now: datetime,
    seed_value: int = 1,
    after_batch: Callable[[], object] | None = None,
) -> SeedResult:
    """``count`` meetings for ``host``, ``BATCH`` to a write block; ``after_batch`` runs after each commit
    (on SQLite: a WAL checkpoint, which a store outside ``moot serve`` does not run by itself)."""
    rng = random.Random(seed_value)
    # Generating a passcode per meeting is most of a create's randomness cost and changes nothing listed.
    passcodes = [Passcodes.generated() for _ in range(64)]
    started = time.monotonic()
    written = series = 0
    sample: list[int] = []
    while written < count:
        batch = [
            build_meeting(host, rng, now, rng.choice(passcodes)) for _ in range(min(BATCH, count - written))
        ]
        async with store.write() as tx:
            for meeting in batch:
                try:
                    await tx.insert_meeting(meeting)
                except DuplicateKey:  # a meeting number drawn twice: draw again
                    meeting.id = ids.meeting_number()
                    await tx.insert_meeting(meeting)
        if after_batch is not None:
            after_batch()
        written += len(batch)
        series += sum(1 for m in batch if m.type is MeetingType.RECURRING_FIXED_TIME)
        if len(sample) < 16:
            sample.extend(m.id for m in batch if m.type is MeetingType.SCHEDULED and m.deleted_at is None)
        await asyncio.sleep(0)
    return SeedResult(written, series, time.monotonic() - started, sample[:16])
