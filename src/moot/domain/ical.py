"""A meeting as an iCalendar file (RFC 5545), built with ``icalendar``.

A scheduled meeting is one VEVENT. A series (type 8) is one VEVENT whose RRULE is the Zoom recurrence
object, with an EXDATE for each occurrence deleted on its own and one more VEVENT per occurrence moved
or resized on its own (RECURRENCE-ID = where the series put it). Times carry the meeting's zone as a
TZID with its VTIMEZONE, so a weekly 09:00 stays at 09:00 across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as fixed_offset
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from moot.domain import timezones
from moot.domain.errors import NoFixedTime
from moot.domain.meetings import Meeting, MeetingType
from moot.domain.recurrence import MAX_OCCURRENCES, Occurrence, OccurrenceStatus

if TYPE_CHECKING:  # imported where used: icalendar costs ~30 ms of every server start
    from icalendar import Calendar, Event, Timezone

PRODID = "-//moot//Zoom-compatible meetings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"

_FREQUENCIES = {1: "DAILY", 2: "WEEKLY", 3: "MONTHLY"}
# Zoom numbers days 1 = Sunday ... 7 = Saturday.
_DAYS = {1: "SU", 2: "MO", 3: "TU", 4: "WE", 5: "TH", 6: "FR", 7: "SA"}


def uid(meeting: Meeting) -> str:
    return f"{meeting.id}@moot"


def filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}.ics"


def calendar_zone(timezone: str) -> tzinfo:
    """The zone the file writes times in: an IANA zone by its name; ``GMT+8`` as ``Etc/GMT-8`` (the IANA
    name of that offset; note the inverted sign); other offsets under their own ``GMT+05:30`` name; UTC."""
    zone = timezones.resolve(timezone) or UTC
    if isinstance(zone, ZoneInfo):
        return zone
    minutes = int((zone.utcoffset(None) or timedelta(0)).total_seconds()) // 60
    if minutes == 0:
        return UTC
    if minutes % 60 == 0:
        try:
            return ZoneInfo(f"Etc/GMT{-minutes // 60:+d}")
        except ZoneInfoNotFoundError:  # Etc/ stops at GMT-14 / GMT+12
            pass
    hours, rest = divmod(abs(minutes), 60)
    return fixed_offset(timedelta(minutes=minutes), f"GMT{'+' if minutes > 0 else '-'}{hours:02d}:{rest:02d}")


def recurrence_rule(recurrence: Mapping[str, Any], occurrences: list[Occurrence]) -> dict[str, Any]:
    """The RRULE of a Zoom recurrence object; its bound is ``end_date_time`` (UNTIL) or the number of
    occurrences moot computed (COUNT: ``end_times``, or MAX_OCCURRENCES where that cut the series)."""
    kind = int(recurrence["type"])
    rule: dict[str, Any] = {
        "freq": _FREQUENCIES[kind],
        "interval": int(recurrence.get("repeat_interval") or 1),
    }
    if kind == 2:
        days = sorted({int(day) for day in str(recurrence.get("weekly_days") or "1").split(",")})
        rule["byday"] = [_DAYS[day] for day in days]
        rule["wkst"] = "MO"  # as moot computes the series (dateutil's default)
    elif kind == 3:
        if recurrence.get("monthly_week") is not None:
            rule["byday"] = [f"{int(recurrence['monthly_week'])}{_DAYS[int(recurrence['monthly_week_day'])]}"]
        else:
            rule["bymonthday"] = [int(recurrence.get("monthly_day") or 1)]
    end = recurrence.get("end_date_time")
    if end and len(occurrences) < MAX_OCCURRENCES:
        until = datetime.fromisoformat(str(end))
        rule["until"] = (until if until.tzinfo else until.replace(tzinfo=UTC)).astimezone(UTC)
    else:
        rule["count"] = len(occurrences)
    return rule


class _Builder:
    """The events of one meeting, all in one zone, with the fields every one of them carries."""

    def __init__(self, meeting: Meeting, zone: tzinfo, *, description: str, join_url: str, now: datetime):
        self.meeting, self.zone = meeting, zone
        self.description, self.join_url, self.now = description, join_url, now
        self.instants: list[datetime] = []

    def local(self, instant: datetime) -> datetime:
        local = instant.astimezone(self.zone)
        self.instants.append(local)
        return local

    def event(self, start: datetime, minutes: int) -> Event:
        from icalendar import Event

        event = Event()
        event.add("uid", uid(self.meeting))
        event.add("dtstamp", self.now.astimezone(UTC))
        event.add("created", self.meeting.created_at.astimezone(UTC))
        event.add("dtstart", self.local(start))
        event.add("dtend", self.local(start + timedelta(minutes=minutes)))
        event.add("summary", self.meeting.topic)
        event.add("description", self.description)
        event.add("location", self.join_url)
        event.add("url", self.join_url)
        return event

    def series(self, recurrence: Mapping[str, Any], occurrences: list[Occurrence]) -> list[Event]:
        master = self.event(occurrences[0].scheduled_start, self.meeting.duration)
        master.add("rrule", recurrence_rule(recurrence, occurrences))
        deleted = [o for o in occurrences if o.status is OccurrenceStatus.DELETED]
        if deleted:
            master.add("exdate", [self.local(o.scheduled_start) for o in deleted])
        events = [master]
        for o in occurrences:
            if o.status is OccurrenceStatus.AVAILABLE and (
                o.start_time != o.scheduled_start or o.duration != self.meeting.duration
            ):
                override = self.event(o.start_time, o.duration)
                override.add("recurrence-id", self.local(o.scheduled_start))
                events.append(override)
        return events

    def timezone(self) -> Timezone | None:
        from icalendar import Timezone

        if self.zone is UTC:
            return None
        tzid = self.zone.key if isinstance(self.zone, ZoneInfo) else str(self.zone.tzname(None))
        first, last = min(self.instants), max(self.instants)
        return Timezone.from_tzinfo(
            self.zone, tzid=tzid, first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
        )


def meeting_calendar(meeting: Meeting, *, description: str, join_url: str, now: datetime) -> Calendar:
    """The VCALENDAR of a meeting with a fixed time (types 2 and 8); types 1 and 3 have none."""
    if not meeting.type.has_start_time or meeting.start_time is None:
        raise NoFixedTime(meeting_id=meeting.id)
    builder = _Builder(
        meeting, calendar_zone(meeting.timezone), description=description, join_url=join_url, now=now
    )
    if meeting.type is MeetingType.RECURRING_FIXED_TIME and meeting.recurrence and meeting.occurrences:
        events = builder.series(meeting.recurrence, meeting.occurrences)
    else:
        events = [builder.event(meeting.start_time, meeting.duration)]
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    vtimezone = builder.timezone()
    if vtimezone is not None:
        calendar.add_component(vtimezone)
    for event in events:
        calendar.add_component(event)
    return calendar
