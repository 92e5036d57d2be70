"""A meeting's calendar file: parsed back with ``icalendar`` and expanded with ``dateutil``, it gives the
meeting's own occurrences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from moot.domain import timezones
from moot.domain.errors import NoFixedTime
from moot.domain.ical import calendar_zone, meeting_calendar, recurrence_rule
from moot.domain.meetings import DEFAULT_SETTINGS, Meeting, MeetingStatus, MeetingType, Passcodes
from moot.domain.recurrence import MAX_OCCURRENCES, Occurrence, OccurrenceStatus, expand
from tests.support.ical import expand_ics

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
JOIN_URL = "https://moot.test/j/83394258138?pwd=abc"


def expected(occurrences: list[Occurrence]) -> list[tuple[datetime, timedelta]]:
    return sorted(
        (o.start_time, timedelta(minutes=o.duration))
        for o in occurrences
        if o.status is OccurrenceStatus.AVAILABLE
    )


def meeting(meeting_type: MeetingType = MeetingType.SCHEDULED, **changes: Any) -> Meeting:
    values: dict[str, Any] = {
        "id": 83394258138,
        "uuid": "AipegThUNJK9+ZEJAJhRjA==",
        "account_id": "acc",
        "host_id": "host",
        "host_email": "jill@example.com",
        "topic": "Planning, weekly; with commas",
        "type": meeting_type,
        "status": MeetingStatus.WAITING,
        "start_time": datetime(2030, 3, 25, 22, 30, tzinfo=UTC),
        "duration": 45,
        "timezone": "UTC",
        "agenda": "",
        "created_at": NOW - timedelta(days=1),
        "passcodes": Passcodes("abc123", "123456", "123456", "x" * 30 + ".1"),
        "settings": dict(DEFAULT_SETTINGS),
    }
    values.update(changes)
    return Meeting(**values)


def series(recurrence: dict[str, Any], start: datetime, timezone_name: str, **changes: Any) -> Meeting:
    zone = timezones.resolve(timezone_name)
    assert zone is not None
    occurrences = expand(recurrence, start, zone, 45)
    return meeting(
        MeetingType.RECURRING_FIXED_TIME,
        start_time=start,
        timezone=timezone_name,
        recurrence=recurrence,
        occurrences=occurrences,
        **changes,
    )


def ics(m: Meeting, description: str = "Join\r\nhere") -> bytes:
    return bytes(meeting_calendar(m, description=description, join_url=JOIN_URL, now=NOW).to_ical())


def test_a_scheduled_meeting_in_utc_is_one_event() -> None:
    assert ics(meeting()).decode().split("\r\n") == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//moot//Zoom-compatible meetings//EN",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        "SUMMARY:Planning\\, weekly\\; with commas",
        "DTSTART:20300325T223000Z",
        "DTEND:20300325T231500Z",
        "DTSTAMP:20260115T120000Z",
        "UID:83394258138@moot",
        "CREATED:20260114T120000Z",
        "DESCRIPTION:Join\\nhere",
        f"LOCATION:{JOIN_URL}",
        f"URL:{JOIN_URL}",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]


def test_the_event_reads_back_with_its_fields() -> None:
    event = next(iter(Calendar.from_ical(ics(meeting(timezone="Asia/Tokyo"))).walk("VEVENT")))
    assert {k: str(event[k]) for k in ("UID", "SUMMARY", "DESCRIPTION", "LOCATION", "URL")} == {
        "UID": "83394258138@moot",
        "SUMMARY": "Planning, weekly; with commas",
        "DESCRIPTION": "Join\nhere",
        "LOCATION": JOIN_URL,
        "URL": JOIN_URL,
    }
    start = event.decoded("DTSTART")
    assert (start, start.tzinfo) == (
        datetime(2030, 3, 26, 7, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        ZoneInfo("Asia/Tokyo"),
    )
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"


def test_a_named_zone_comes_with_its_vtimezone() -> None:
    calendar = Calendar.from_ical(ics(meeting(timezone="Europe/Paris")))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/Paris", ZoneInfo("Europe/Paris")),
        ("GMT+8", ZoneInfo("Etc/GMT-8")),
        ("UTC-3", ZoneInfo("Etc/GMT+3")),
        ("GMT+05:30", timezone(timedelta(hours=5, minutes=30), "GMT+05:30")),
        ("GMT-14", timezone(timedelta(hours=-14), "GMT-14:00")),
        ("UTC", UTC),
        ("GMT+0", UTC),
    ],
)
def test_calendar_zones(name: str, zone: tzinfo) -> None:
    found = calendar_zone(name)
    assert (found, found.tzname(None)) == (zone, zone.tzname(None))


@pytest.mark.parametrize(
    ("recurrence", "rule"),
    [
        (
            {"type": 1, "repeat_interval": 3, "end_times": 4},
            {"freq": "DAILY", "interval": 3, "count": 4},
        ),
        (
            {"type": 2, "repeat_interval": 2, "weekly_days": "4,2", "end_times": 4},
            {"freq": "WEEKLY", "interval": 2, "byday": ["MO", "WE"], "wkst": "MO", "count": 4},
        ),
        (
            {"type": 3, "repeat_interval": 1, "monthly_day": 31, "end_date_time": "2030-12-31T00:00:00Z"},
            {
                "freq": "MONTHLY",
                "interval": 1,
                "bymonthday": [31],
                "until": datetime(2030, 12, 31, tzinfo=UTC),
            },
        ),
        (
            {"type": 3, "repeat_interval": 1, "monthly_week": -1, "monthly_week_day": 6, "end_times": 4},
            {"freq": "MONTHLY", "interval": 1, "byday": ["-1FR"], "count": 4},
        ),
    ],
)
def test_recurrence_rules(recurrence: dict[str, Any], rule: dict[str, Any]) -> None:
    occurrences = expand(recurrence, datetime(2030, 1, 6, 9, tzinfo=UTC), UTC, 30)
    assert recurrence_rule(recurrence, occurrences) == rule


def test_a_series_cut_at_sixty_occurrences_is_bounded_by_count() -> None:
    recurrence = {"type": 1, "repeat_interval": 1, "end_date_time": "2031-01-01T00:00:00Z"}
    occurrences = expand(recurrence, datetime(2030, 1, 6, 9, tzinfo=UTC), UTC, 30)
    assert len(occurrences) == MAX_OCCURRENCES
    assert recurrence_rule(recurrence, occurrences)["count"] == MAX_OCCURRENCES


WEEKLY: dict[str, Any] = {"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 12}
ROUND_TRIPS: list[tuple[dict[str, Any], str]] = [
    (WEEKLY, "Europe/Paris"),
    ({"type": 2, "repeat_interval": 3, "weekly_days": "1,7", "end_times": 9}, "America/New_York"),
    ({"type": 1, "repeat_interval": 2, "end_date_time": "2030-04-10T00:00:00Z"}, "Australia/Sydney"),
    ({"type": 3, "repeat_interval": 1, "monthly_day": 31, "end_times": 8}, "Asia/Tokyo"),
    ({"type": 3, "repeat_interval": 1, "monthly_week": -1, "monthly_week_day": 6, "end_times": 6}, "GMT+8"),
    ({"type": 2, "repeat_interval": 1, "weekly_days": "2", "end_times": 5}, "GMT-03:30"),
    ({"type": 1, "repeat_interval": 1, "end_times": 60}, "UTC"),
]


@pytest.mark.parametrize(("recurrence", "timezone_name"), ROUND_TRIPS)
def test_a_series_round_trips_to_its_occurrences(recurrence: dict[str, Any], timezone_name: str) -> None:
    m = series(recurrence, datetime(2030, 1, 6, 23, 30, tzinfo=UTC), timezone_name)
    occurrences = m.occurrences
    occurrences[1] = occurrences[1]._replace(status=OccurrenceStatus.DELETED)
    moved = Occurrence.at(occurrences[2].start_time + timedelta(hours=26), 90)
    occurrences[2] = moved._replace(occurrence_id=occurrences[2].occurrence_id)
    occurrences[3] = occurrences[3]._replace(duration=10)
    assert expand_ics(ics(m)) == expected(occurrences)


def test_a_series_round_trips_without_edits() -> None:
    m = series(WEEKLY, datetime(2030, 3, 25, 8, tzinfo=UTC), "Europe/Paris")
    assert expand_ics(ics(m)) == expected(m.occurrences)
    assert len(list(Calendar.from_ical(ics(m)).walk("VEVENT"))) == 1


def test_an_edited_occurrence_is_an_override_of_the_same_event() -> None:
    m = series(WEEKLY, datetime(2030, 1, 7, 8, tzinfo=UTC), "Europe/Paris")
    first = m.occurrences[0]
    moved = Occurrence.at(first.start_time + timedelta(hours=1), 45)
    m.occurrences[0] = moved._replace(occurrence_id=first.occurrence_id)
    master, override = Calendar.from_ical(ics(m)).walk("VEVENT")
    assert (str(master["UID"]), str(override["UID"])) == ("83394258138@moot", "83394258138@moot")
    assert override.decoded("RECURRENCE-ID") == datetime(2030, 1, 7, 9, tzinfo=ZoneInfo("Europe/Paris"))
    assert override.decoded("DTSTART") == datetime(2030, 1, 7, 10, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("meeting_type", [MeetingType.INSTANT, MeetingType.RECURRING_NO_FIXED_TIME])
def test_meetings_without_a_fixed_time_have_no_calendar(meeting_type: MeetingType) -> None:
    with pytest.raises(NoFixedTime) as raised:
        ics(meeting(meeting_type, start_time=None))
    assert raised.value.body() == {
        "code": 3000,
        "message": "Meeting 83394258138 has no fixed time, so it has no calendar file.",
    }
