"""Occurrences of a recurring meeting with a fixed time (type 8), from its ``recurrence`` object.

Occurrences are computed in the meeting's own time zone, so a 09:00 weekly meeting stays at 09:00 local
time across a daylight-saving change, with ``python-dateutil``'s rrule. An occurrence's id is the epoch
milliseconds of its scheduled start, as a string, as Zoom's are; it keeps that id if the occurrence alone
is moved later.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

# Zoom's limit: end_times is at most 60, and a series ends after 60 occurrences however it is bounded.
MAX_OCCURRENCES = 60

_FREQUENCIES: dict[int, Any] = {1: DAILY, 2: WEEKLY, 3: MONTHLY}
# Zoom numbers days 1 = Sunday ... 7 = Saturday; dateutil 0 = Monday ... 6 = Sunday.
_WEEKDAYS = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}


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


@lru_cache(maxsize=65_536)
def zoom_time(epoch: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of an epoch second (a series' starts repeat on every read of it)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _rule(recurrence: dict[str, Any], local_start: datetime, zone: tzinfo) -> rrule:
    kind = int(recurrence["type"])
    options: dict[str, Any] = {
        "dtstart": local_start,
        "interval": int(recurrence.get("repeat_interval") or 1),
    }
    if kind == 2:
        days = str(recurrence.get("weekly_days") or "1").split(",")
        options["byweekday"] = sorted({_WEEKDAYS[int(day)] for day in days})
    elif kind == 3:
        if recurrence.get("monthly_week") is not None:
            day = _WEEKDAYS[int(recurrence["monthly_week_day"])]
            options["byweekday"] = weekday(day, int(recurrence["monthly_week"]))
        else:
            options["bymonthday"] = int(recurrence.get("monthly_day") or 1)
    if recurrence.get("end_date_time"):
        until = datetime.fromisoformat(str(recurrence["end_date_time"]))
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        options["until"] = until.astimezone(zone).replace(tzinfo=None)
    else:
        options["count"] = min(int(recurrence.get("end_times") or 1), MAX_OCCURRENCES)
    return rrule(_FREQUENCIES[kind], **options)


_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def scheduled_starts(recurrence: dict[str, Any], start: datetime, zone: tzinfo) -> list[int]:
    """The start (epoch seconds) of every occurrence the rule produces from ``start``, at most
    MAX_OCCURRENCES of them."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    rule = _rule(recurrence, local_start, zone)
    # Local wall time to epoch seconds by the zone's offset at that time (what replace(tzinfo=zone)
    # .timestamp() computes, at a sixth of its cost).
    return [
        (local - _EPOCH) // _SECOND - (zone.utcoffset(local) or timedelta()) // _SECOND
        for local in islice(rule, MAX_OCCURRENCES)
    ]


def expand(
    recurrence: dict[str, Any],
    start: datetime,
    zone: tzinfo,
    duration: int,
    previous: Sequence[Occurrence] = (),
) -> list[Occurrence]:
    """The series' occurrences; an occurrence edited or deleted on its own keeps that edit while the
    recomputed series still has an occurrence with its id."""
    deleted = OccurrenceStatus.DELETED
    kept = {o.occurrence_id: o for o in previous if o.status is deleted or o.is_edited}
    starts = scheduled_starts(recurrence, start, zone)
    if not kept:
        return [Occurrence(str(epoch * 1000), epoch, duration) for epoch in starts]
    return [kept.get(str(epoch * 1000)) or Occurrence(str(epoch * 1000), epoch, duration) for epoch in starts]


def with_duration(occurrences: list[Occurrence], old: int, new: int) -> list[Occurrence]:
    """A new series duration applies to every occurrence that had the series' duration."""
    return [o._replace(duration=new) if o.duration == old else o for o in occurrences]
