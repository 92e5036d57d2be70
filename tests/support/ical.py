"""Reading an .ics back: every instance a calendar program would show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrule, rruleset, rrulestr
from icalendar import Calendar


def expand_ics(ics: bytes) -> list[tuple[datetime, timedelta]]:
    """Every instance the file describes, as (UTC start, length), in order: the RRULE with its EXDATEs,
    each RECURRENCE-ID override replacing the instance it names."""
    events = list(Calendar.from_ical(ics).walk("VEVENT"))
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    start: datetime = master.decoded("DTSTART")
    length: timedelta = master.decoded("DTEND") - start
    instances = rruleset()
    if "RRULE" in master:
        text = master["RRULE"].to_ical()
        rule = rrulestr(text.decode() if isinstance(text, bytes) else str(text), dtstart=start)
        assert isinstance(rule, rrule)
        instances.rrule(rule)
        exdates = master.get("EXDATE", [])
        for exdate in exdates if isinstance(exdates, list) else [exdates]:
            for value in exdate.dts:
                instances.exdate(value.dt)
    else:
        instances.rdate(start)
    overrides = {
        e.decoded("RECURRENCE-ID").astimezone(UTC): (e.decoded("DTSTART"), e.decoded("DTEND"))
        for e in events
        if "RECURRENCE-ID" in e
    }
    found = []
    for instance in instances:
        begin, end = overrides.get(instance.astimezone(UTC), (instance, instance + length))
        found.append((begin.astimezone(UTC), end - begin))
    return sorted(found)
