"""Occurrences of a recurring meeting with a fixed time (type 8), from its ``recurrence`` object.

Occurrences are computed in the meeting's own time zone, so a 09:00 weekly meeting stays at 09:00 local
time across a daylight-saving change: the days come from ``recurrence_days`` (RFC 5545's reading, the same
occurrences as ``python-dateutil``'s rrule, which the tests hold it to), each at the start's local time of
day. An occurrence's id is the epoch milliseconds of its scheduled start, as a string, as Zoom's are; it
keeps that id if the occurrence alone is moved later.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from moot.domain.recurrence_days import LAST_DAY, local_days

# Zoom's limit: end_times is at most 60, and a series ends after 60 occurrences however it is bounded.
MAX_OCCURRENCES = 60
_DAY = 86_400
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_new = tuple.__new__
# The gaps between a series' days, up to a quarter's, as timedeltas made once.
_SPANS = tuple(timedelta(days) for days in range(100))


class OccurrenceStatus(StrEnum):
    AVAILABLE = "available"
    DELETED = "deleted"


class Occurrence(NamedTuple):
    """One occurrence; its start is kept in epoch seconds (a series has up to 60 of them, read and
    written with every request on it, so they stay plain ints until a response formats them, and a
    tuple: it builds in a fifth of a frozen dataclass's time)."""

    occurrence_id: str
    start: int
    duration: int
    status: OccurrenceStatus = OccurrenceStatus.AVAILABLE

    @classmethod
    def at(cls, start: datetime, duration: int) -> Occurrence:
        epoch = int(start.timestamp())
        return cls(str(epoch * 1000), epoch, duration)

    @property
    def start_time(self) -> datetime:
        return datetime.fromtimestamp(self.start, UTC)

    @property
    def end(self) -> int:
        return self.start + 60 * self.duration

    @property
    def end_time(self) -> datetime:
        return datetime.fromtimestamp(self.end, UTC)

    @property
    def scheduled_start(self) -> datetime:
        """Where the series put this occurrence, before any edit of it alone."""
        return datetime.fromtimestamp(int(self.occurrence_id) // 1000, UTC)

    @property
    def is_edited(self) -> bool:
        """Moved away from where the series put it."""
        return self.start * 1000 != int(self.occurrence_id)

    def to_wire(self) -> dict[str, Any]:
        return {
            "occurrence_id": self.occurrence_id,
            "start_time": zoom_time(self.start),
            "duration": self.duration,
            "status": self.status,  # a StrEnum member: a str, which orjson writes as is
        }


def occurrences_to_wire(occurrences: Iterable[Occurrence]) -> list[dict[str, Any]]:
    """``[o.to_wire() for o in occurrences]``, without a method call per occurrence (a series has 60)."""
    return [
        {"occurrence_id": oid, "start_time": zoom_time(start), "duration": duration, "status": status}
        for oid, start, duration, status in occurrences
    ]


@lru_cache(maxsize=65_536)
def zoom_time(epoch: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of an epoch second (a series' starts repeat on every read of it)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def scheduled_starts(recurrence: dict[str, Any], start: datetime, zone: tzinfo) -> list[int]:
    """The start (epoch seconds) of every occurrence the rule produces from ``start``, at most
    MAX_OCCURRENCES of them: the days of ``local_days`` at the start's local time of day."""
    local = start.astimezone(zone)
    time_of_day = local.hour * 3600 + local.minute * 60 + local.second
    last = LAST_DAY
    if recurrence.get("end_date_time"):
        until = datetime.fromisoformat(str(recurrence["end_date_time"]))
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        until = until.astimezone(zone).replace(tzinfo=None)
        same_day = until.replace(hour=local.hour, minute=local.minute, second=local.second, microsecond=0)
        last = until.toordinal() - (same_day > until)  # the last day whose occurrence is not after it
        limit = MAX_OCCURRENCES
    else:
        limit = min(int(recurrence.get("end_times") or 1), MAX_OCCURRENCES)
    days = local_days(recurrence, local.date(), last, limit)
    return _epochs(days, time_of_day, zone)


def _epochs(days: list[int], time_of_day: int, zone: tzinfo) -> list[int]:
    """Each day's local ``time_of_day`` in epoch seconds, by the zone's offset at that wall time (as
    ``datetime.replace(tzinfo=zone).timestamp()``: a time that a DST change skips or repeats takes the
    offset in force before the change)."""
    since_epoch = time_of_day - _EPOCH_DAY * _DAY
    if isinstance(zone, timezone):  # a fixed offset
        since_epoch -= _OFFSET_SECONDS[zone.utcoffset(None)]
        return [day * _DAY + since_epoch for day in days]
    starts = []
    previous = days[0] if days else _EPOCH_DAY
    local = datetime.fromordinal(previous) + timedelta(seconds=time_of_day)
    for day in days:
        if day != previous:
            local += _SPANS[day - previous] if day - previous < len(_SPANS) else timedelta(day - previous)
            previous = day
        starts.append(day * _DAY + since_epoch - _OFFSET_SECONDS[zone.utcoffset(local)])
    return starts


class _Seconds(dict[timedelta | None, int]):
    """Whole seconds of a UTC offset (``offset // timedelta(seconds=1)``), each worked out once: the
    zones have a few hundred distinct offsets."""

    def __missing__(self, offset: timedelta | None) -> int:
        self[offset] = seconds = offset.days * _DAY + offset.seconds if offset is not None else 0
        return seconds


_OFFSET_SECONDS = _Seconds()


def expand(
    recurrence: dict[str, Any],
    start: datetime,
    zone: tzinfo,
    duration: int,
    previous: Sequence[Occurrence] = (),
) -> list[Occurrence]:
    """The series' occurrences; an occurrence edited or deleted on its own keeps that edit while the
    recomputed series still has an occurrence with its id."""
    deleted, available = OccurrenceStatus.DELETED, OccurrenceStatus.AVAILABLE
    kept = {o.occurrence_id: o for o in previous if o.status is deleted or o.is_edited}
    # tuple.__new__ builds each Occurrence without the Python-level NamedTuple constructor (half the cost).
    fresh = [
        _new(Occurrence, (str(epoch * 1000), epoch, duration, available))
        for epoch in scheduled_starts(recurrence, start, zone)
    ]
    if not kept:
        return fresh
    return [kept.get(o.occurrence_id) or o for o in fresh]


def with_duration(occurrences: list[Occurrence], old: int, new: int) -> list[Occurrence]:
    """A new series duration applies to every occurrence that had the series' duration."""
    return [o._replace(duration=new) if o.duration == old else o for o in occurrences]
