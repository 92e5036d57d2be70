"""The invitation note: Zoom's English template, CRLF line endings, times in the meeting's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from moot.domain.invitation import (
    format_time,
    invitation_text,
    recurrence_summary,
    spaced_number,
    zone_name,
)
from moot.domain.meetings import DEFAULT_SETTINGS, Meeting, MeetingStatus, MeetingType, Passcodes
from moot.domain.recurrence import Occurrence, OccurrenceStatus, expand

JOIN_URL = "https://moot.test/j/83394258138?pwd=" + "x" * 30 + ".1"
HEADER = "Jill Chill is inviting you to a scheduled Zoom meeting.\r\n\r\n"
JOIN = f"\r\nJoin Zoom Meeting\r\n{JOIN_URL}\r\n\r\nMeeting ID: 833 9425 8138\r\n"


def meeting(meeting_type: MeetingType = MeetingType.SCHEDULED, **changes: Any) -> Meeting:
    values: dict[str, Any] = {
        "id": 83394258138,
        "uuid": "AipegThUNJK9+ZEJAJhRjA==",
        "account_id": "acc",
        "host_id": "host",
        "host_email": "jill@example.com",
        "topic": "My Meeting",
        "type": meeting_type,
        "status": MeetingStatus.WAITING,
        "start_time": datetime(2030, 3, 25, 22, 32, tzinfo=UTC),
        "duration": 30,
        "timezone": "America/Los_Angeles",
        "agenda": "not part of the invitation",
        "created_at": datetime(2026, 1, 15, 12, tzinfo=UTC),
        "passcodes": Passcodes("abc123", "123456", "123456", "x" * 30 + ".1"),
        "settings": dict(DEFAULT_SETTINGS),
    }
    values.update(changes)
    return Meeting(**values)


def text(m: Meeting) -> str:
    return invitation_text(m, host_name="Jill Chill", join_url=JOIN_URL)


def test_a_scheduled_meeting_in_its_own_zone() -> None:
    assert text(meeting()) == (
        HEADER + "Topic: My Meeting\r\n"
        "Time: Mar 25, 2030 03:32 PM Pacific Time (US and Canada)\r\n" + JOIN + "Passcode: abc123\r\n"
    )


def test_a_meeting_without_passcode_has_no_passcode_line() -> None:
    m = meeting(passcodes=Passcodes("", "", "", ""), timezone="UTC")
    assert text(m) == (
        HEADER + "Topic: My Meeting\r\nTime: Mar 25, 2030 10:32 PM Universal Time UTC\r\n" + JOIN
    )


def test_meetings_without_a_fixed_time() -> None:
    assert text(meeting(MeetingType.RECURRING_NO_FIXED_TIME, start_time=None)) == (
        HEADER
        + "Topic: My Meeting\r\nTime: This is a recurring meeting Meet anytime\r\n"
        + JOIN
        + "Passcode: abc123\r\n"
    )
    assert text(meeting(MeetingType.INSTANT, start_time=None)) == (
        HEADER + "Topic: My Meeting\r\n" + JOIN + "Passcode: abc123\r\n"
    )


def test_a_series_lists_its_rule_and_every_occurrence_not_deleted() -> None:
    recurrence = {"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 5}
    start = datetime(2030, 1, 7, 8, tzinfo=UTC)  # Monday 09:00 in Paris
    occurrences = expand(recurrence, start, ZoneInfo("Europe/Paris"), 30)
    moved = Occurrence.at(occurrences[2].start_time + timedelta(hours=2), 30)
    occurrences[2] = moved._replace(occurrence_id=occurrences[2].occurrence_id)
    occurrences[1] = occurrences[1]._replace(status=OccurrenceStatus.DELETED)
    series = meeting(
        MeetingType.RECURRING_FIXED_TIME,
        start_time=start,
        timezone="Europe/Paris",
        recurrence=recurrence,
        occurrences=occurrences,
    )
    assert text(series) == (
        HEADER + "Topic: My Meeting\r\n"
        "Time: Jan 7, 2030 09:00 AM Paris\r\n"
        "        Every week on Mon, Wed, until Jan 21, 2030, 4 occurrence(s)\r\n"
        "        Jan 7, 2030 09:00 AM\r\n"
        "        Jan 14, 2030 11:00 AM\r\n"
        "        Jan 16, 2030 09:00 AM\r\n"
        "        Jan 21, 2030 09:00 AM\r\n" + JOIN + "Passcode: abc123\r\n"
    )


def test_dial_in_numbers_follow_when_the_meeting_has_telephone_audio() -> None:
    m = meeting(settings={**DEFAULT_SETTINGS, "audio": "both"})
    assert text(m).split(JOIN, 1)[1] == (
        "Passcode: abc123\r\n"
        "One tap mobile\r\n"
        "+16699006833,,83394258138#,,,,*123456# US (San Jose)\r\n"
        "+16465588656,,83394258138#,,,,*123456# US (New York)\r\n"
        "\r\n"
        "Dial by your location\r\n"
        "        +1 669 900 6833 US (San Jose)\r\n"
        "        +1 646 558 8656 US (New York)\r\n"
        "Meeting ID: 833 9425 8138\r\n"
        "Passcode: 123456\r\n"
        "\r\n"
    )


def test_dial_in_without_passcode_and_with_a_toll_free_number() -> None:
    numbers = [{"country": "GB", "city": "", "number": "+44 800 031 5717", "type": "tollfree"}]
    m = meeting(
        passcodes=Passcodes("", "", "", ""),
        settings={**DEFAULT_SETTINGS, "audio": "telephony", "global_dial_in_numbers": numbers},
    )
    assert text(m).split(JOIN, 1)[1] == (
        "One tap mobile\r\n"
        "+448000315717,,83394258138# GB Toll-free\r\n"
        "\r\n"
        "Dial by your location\r\n"
        "        +44 800 031 5717 GB Toll-free\r\n"
        "Meeting ID: 833 9425 8138\r\n"
        "\r\n"
    )


def test_third_party_audio_shows_its_conference_info() -> None:
    settings = {**DEFAULT_SETTINGS, "audio": "thirdParty", "audio_conference_info": "Dial 555-0100\nPIN 42"}
    assert text(meeting(settings=settings)).split(JOIN, 1)[1] == (
        "Passcode: abc123\r\nJoin by phone\r\nDial 555-0100\r\nPIN 42\r\n\r\n"
    )


def test_a_meeting_on_the_hosts_pmi_shows_the_pmi() -> None:
    m = meeting(pmi=5725504765)
    assert "\r\nMeeting ID: 572 550 4765\r\n" in text(m)


@pytest.mark.parametrize(
    ("timezone", "name"),
    [
        ("America/Los_Angeles", "Pacific Time (US and Canada)"),
        ("Europe/London", "London"),
        ("Asia/Jakarta", "Jakarta"),
        ("Asia/Kolkata", "Mumbai, Kolkata, New Delhi"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("UTC", "Universal Time UTC"),
        ("GMT+8", "GMT+8"),
    ],
)
def test_zone_names(timezone: str, name: str) -> None:
    assert zone_name(timezone) == name


def test_a_gmt_offset_zone_shifts_the_time() -> None:
    assert "\r\nTime: Mar 26, 2030 06:32 AM GMT+8\r\n" in text(meeting(timezone="GMT+8"))


@pytest.mark.parametrize(
    ("number", "spaced"),
    [(83394258138, "833 9425 8138"), (5725504765, "572 550 4765"), (931530074, "931 530 074")],
)
def test_meeting_numbers_are_grouped_as_zoom_groups_them(number: int, spaced: str) -> None:
    assert spaced_number(number) == spaced


def test_twelve_hour_clock() -> None:
    assert format_time(datetime(2030, 1, 1, 0, 5)) == "Jan 1, 2030 12:05 AM"
    assert format_time(datetime(2030, 12, 31, 12, 0)) == "Dec 31, 2030 12:00 PM"


@pytest.mark.parametrize(
    ("recurrence", "summary"),
    [
        ({"type": 1, "repeat_interval": 1}, "Every day"),
        ({"type": 1, "repeat_interval": 3}, "Every 3 days"),
        ({"type": 2, "repeat_interval": 1}, "Every week on Sun"),
        ({"type": 2, "repeat_interval": 5, "weekly_days": "7,1"}, "Every 5 weeks on Sun, Sat"),
        ({"type": 3, "repeat_interval": 1, "monthly_day": 15}, "Every month on the 15"),
        (
            {"type": 3, "repeat_interval": 2, "monthly_week": -1, "monthly_week_day": 6},
            "Every 2 months on the Last Fri",
        ),
        ({"type": 3, "monthly_week": 2, "monthly_week_day": 3}, "Every month on the Second Tue"),
    ],
)
def test_recurrence_summaries(recurrence: dict[str, Any], summary: str) -> None:
    assert recurrence_summary(recurrence, date(2030, 2, 6), 10) == (
        f"{summary}, until Feb 6, 2030, 10 occurrence(s)"
    )
