"""Occurrences of a recurring meeting with a fixed time (type 8), from its ``recurrence`` object.

Occurrences are computed in the meeting's own time zone, so a 09:00 weekly meeting stays at 09:00 local
time across a daylight-saving change, with ``python-dateutil``'s rrule. An occurrence's id is the epoch
milliseconds of its scheduled start, as a string, as Zoom's are; it keeps that id if the occurrence alone
is moved later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

from moot.domain.times import format_zoom

# Zoom's limit: end_times is at most 60, and a series ends after 60 occurrences however it is bounded.
MAX_OCCURRENCES = 60

_FREQUENCIES: dict[int, Any] = {1: DAILY, 2: WEEKLY, 3: MONTHLY}
# Zoom numbers days 1 = Sunday ... 7 = Saturday; dateutil 0 = Monday ... 6 = Sunday.
_WEEKDAYS = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}


class OccurrenceStatus(StrEnum):
    AVAILABLE = "available"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Occurrence:
    occurrence_id: str
    start_time: datetime
    duration: int
    status: OccurrenceStatus = OccurrenceStatus.AVAILABLE

    @property
    def end_time(self) -> datetime:
        return self.start_time + timedelta(minutes=self.duration)

    @property
    def scheduled_start(self) -> datetime:
        """When the series put this occurrence, before any edit of it alone."""
        return datetime.fromtimestamp(int(self.occurrence_id) / 1000, UTC)

    @property
    def is_edited(self) -> bool:
        return self.start_time != self.scheduled_start

    def to_wire(self) -> dict[str, Any]:
        return {
            "occurrence_id": self.occurrence_id,
            "start_time": format_zoom(self.start_time),
            "duration": self.duration,
            "status": self.status.value,
        }


def occurrence_id(start: datetime) -> str:
    return str(int(start.timestamp()) * 1000)


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


def scheduled_starts(recurrence: dict[str, Any], start: datetime, zone: tzinfo) -> list[datetime]:
    """The UTC start of every occurrence the rule produces from ``start`` (at most MAX_OCCURRENCES)."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    starts: list[datetime] = []
    for local in _rule(recurrence, local_start, zone):
        starts.append(local.replace(tzinfo=zone).astimezone(UTC))
        if len(starts) == MAX_OCCURRENCES:
            break
    return starts


def expand(
    recurrence: dict[str, Any],
    start: datetime,
    zone: tzinfo,
    duration: int,
    previous: Sequence[Occurrence] = (),
) -> list[Occurrence]:
    """The series' occurrences; an occurrence edited or deleted on its own keeps that edit while the
    recomputed series still has an occurrence with its id."""
    kept = {o.occurrence_id: o for o in previous if o.is_edited or o.status is OccurrenceStatus.DELETED}
    occurrences = []
    for begin in scheduled_starts(recurrence, start, zone):
        oid = occurrence_id(begin)
        edited = kept.get(oid)
        occurrences.append(edited if edited is not None else Occurrence(oid, begin, duration))
    return occurrences


def with_duration(occurrences: list[Occurrence], old: int, new: int) -> list[Occurrence]:
    """A new series duration applies to every occurrence that had the series' duration."""
    return [replace(o, duration=new) if o.duration == old else o for o in occurrences]
