"""The invitation note of ``GET /meetings/{meetingId}/invitation``: Zoom's English template, CRLF lines.

The layout follows Zoom's published example (the spec's meetingInvitation 200 example) and invitations
copied from real meetings; docs/invitations.md lists the sources and the choices made where they are silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from moot.domain import timezones
from moot.domain.meetings import Meeting, MeetingType

CRLF = "\r\n"
INDENT = " " * 8
ONE_TAP_NUMBERS = 2

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Zoom numbers days 1 = Sunday ... 7 = Saturday.
_DAYS = {1: "Sun", 2: "Mon", 3: "Tue", 4: "Wed", 5: "Thu", 6: "Fri", 7: "Sat"}
_WEEKS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}
_UNITS = {1: "day", 2: "week", 3: "month"}

# Zoom's display names for its timezone ids, where the name is not simply the id's city
# ("Europe/London" -> "London"); from Zoom's timezone list (developers.zoom.us abbreviation lists).
_ZONE_NAMES = {
    "Pacific/Midway": "Midway Island, Samoa",
    "Pacific/Honolulu": "Hawaii",
    "America/Anchorage": "Alaska",
    "America/Los_Angeles": "Pacific Time (US and Canada)",
    "America/Phoenix": "Arizona",
    "America/Denver": "Mountain Time (US and Canada)",
    "America/Regina": "Saskatchewan",
    "America/Chicago": "Central Time (US and Canada)",
    "America/New_York": "Eastern Time (US and Canada)",
    "America/Indianapolis": "Indiana (East)",
    "America/Araguaina": "Recife",
    "America/Godthab": "Greenland",
    "Canada/Atlantic": "Atlantic Time (Canada)",
    "America/St_Johns": "Newfoundland and Labrador",
    "Atlantic/Cape_Verde": "Cape Verde Islands",
    "UTC": "Universal Time UTC",
    "Etc/Greenwich": "Greenwich Mean Time",
    "Europe/Belgrade": "Belgrade, Bratislava, Ljubljana",
    "CET": "Sarajevo, Skopje, Zagreb",
    "Europe/Berlin": "Amsterdam, Berlin, Rome, Stockholm, Vienna",
    "Africa/Bangui": "West Central Africa",
    "Europe/Prague": "Prague Bratislava",
    "Africa/Harare": "Harare, Pretoria",
    "Asia/Baku": "Baku, Tbilisi, Yerevan",
    "Asia/Tashkent": "Islamabad, Karachi, Tashkent",
    "Asia/Calcutta": "India",
    "Asia/Kolkata": "Mumbai, Kolkata, New Delhi",
    "Asia/Dhaka": "Astana, Dhaka",
    "Asia/Saigon": "Vietnam",
    "Asia/Shanghai": "Beijing",
    "Asia/Hong_Kong": "Hong Kong SAR",
    "Asia/Tokyo": "Osaka, Sapporo, Tokyo",
    "Pacific/Port_Moresby": "Guam, Port Moresby",
    "Australia/Sydney": "Canberra, Melbourne, Sydney",
    "SST": "Solomon Islands",
    "Pacific/Noumea": "New Caledonia",
    "Pacific/Fiji": "Fiji Islands, Marshall Islands",
    "Pacific/Auckland": "Auckland, Wellington",
    "Pacific/Apia": "Independent State of Samoa",
}


def zone_name(timezone: str) -> str:
    """How Zoom names a timezone after the time: "Pacific Time (US and Canada)", "London", "GMT+8"."""
    name = timezone.strip()
    if name in _ZONE_NAMES:
        return _ZONE_NAMES[name]
    return name.rsplit("/", 1)[-1].replace("_", " ")


def format_date(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_time(local: datetime) -> str:
    """``Mar 25, 2022 03:32 PM``."""
    hour = local.hour % 12 or 12
    return f"{format_date(local)} {hour:02d}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def spaced_number(number: int) -> str:
    """A meeting number as Zoom prints it: ``833 9425 8138``, ``572 550 4765``, ``931 530 074``."""
    digits = str(number)
    head, rest = digits[:3], digits[3:]
    middle = len(rest) // 2
    return " ".join(part for part in (head, rest[:middle], rest[middle:]) if part)


def recurrence_summary(recurrence: Mapping[str, Any], last: date, count: int) -> str:
    """``Every week on Mon, Wed, until Feb 6, 2030, 10 occurrence(s)``."""
    kind = int(recurrence["type"])
    interval = int(recurrence.get("repeat_interval") or 1)
    unit = _UNITS[kind]
    every = f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"
    if kind == 2:
        days = sorted({int(day) for day in str(recurrence.get("weekly_days") or "1").split(",")})
        every += " on " + ", ".join(_DAYS[day] for day in days)
    elif kind == 3:
        if recurrence.get("monthly_week") is not None:
            week = _WEEKS[int(recurrence["monthly_week"])]
            every += f" on the {week} {_DAYS[int(recurrence['monthly_week_day'])]}"
        else:
            every += f" on the {int(recurrence.get('monthly_day') or 1)}"
    return f"{every}, until {format_date(last)}, {count} occurrence(s)"


def _time_lines(meeting: Meeting, zone: tzinfo) -> list[str]:
    label = zone_name(meeting.timezone)
    if meeting.type is MeetingType.RECURRING_NO_FIXED_TIME:
        return ["Time: This is a recurring meeting Meet anytime"]
    if meeting.type is MeetingType.RECURRING_FIXED_TIME and meeting.available_occurrences:
        starts = [o.start_time.astimezone(zone) for o in meeting.available_occurrences]
        lines = [f"Time: {format_time(starts[0])} {label}"]
        if meeting.recurrence is not None:
            lines.append(INDENT + recurrence_summary(meeting.recurrence, starts[-1].date(), len(starts)))
        return lines + [INDENT + format_time(start) for start in starts]
    if meeting.type.has_start_time and meeting.start_time is not None:
        return [f"Time: {format_time(meeting.start_time.astimezone(zone))} {label}"]
    return []


def _dial_label(entry: Mapping[str, Any]) -> str:
    label = str(entry.get("country") or entry.get("country_name") or "US")
    if entry.get("type") == "tollfree":
        label += " Toll-free"
    city = str(entry.get("city") or "")
    return f"{label} ({city})" if city else label


def _spaced_phone(number: str) -> str:
    """``+1 6699006833`` -> ``+1 669 900 6833``; other numbers as stored."""
    digits = number.replace(" ", "")
    if digits.startswith("+1") and len(digits) == 12 and digits[1:].isdigit():
        return f"+1 {digits[2:5]} {digits[5:8]} {digits[8:]}"
    return number


def _dial_in_blocks(numbers: Iterable[Mapping[str, Any]], meeting_number: int, pstn: str) -> list[str]:
    entries = [n for n in numbers if n.get("number")]
    if not entries:
        return []
    passcode_keys = f",,,,*{pstn}#" if pstn else ""
    one_tap = [
        f"{str(n['number']).replace(' ', '')},,{meeting_number}#{passcode_keys} {_dial_label(n)}"
        for n in entries[:ONE_TAP_NUMBERS]
    ]
    located = [f"{INDENT}{_spaced_phone(str(n['number']))} {_dial_label(n)}" for n in entries]
    ids = [f"Meeting ID: {spaced_number(meeting_number)}"] + ([f"Passcode: {pstn}"] if pstn else [])
    return ["One tap mobile", *one_tap, "", "Dial by your location", *located, *ids, ""]


def _audio_blocks(meeting: Meeting, meeting_number: int) -> list[str]:
    audio = meeting.settings.get("audio")
    if audio in ("both", "telephony"):
        numbers = meeting.settings.get("global_dial_in_numbers") or []
        return _dial_in_blocks(numbers, meeting_number, meeting.passcodes.pstn_password)
    info = str(meeting.settings.get("audio_conference_info") or "").strip()
    if audio == "thirdParty" and info:
        return ["Join by phone", *info.splitlines(), ""]
    return []


def meeting_number(meeting: Meeting) -> int:
    """The number participants dial: the host's PMI when the meeting uses it (as ``join_url`` does)."""
    return meeting.pmi if meeting.pmi is not None else meeting.id


def invitation_text(meeting: Meeting, *, host_name: str, join_url: str) -> str:
    zone = timezones.resolve(meeting.timezone) or UTC
    number = meeting_number(meeting)
    lines = [
        f"{host_name} is inviting you to a scheduled Zoom meeting.",
        "",
        f"Topic: {meeting.topic}",
        *_time_lines(meeting, zone),
        "",
        "Join Zoom Meeting",
        join_url,
        "",
        f"Meeting ID: {spaced_number(number)}",
    ]
    if meeting.passcodes.password:
        lines.append(f"Passcode: {meeting.passcodes.password}")
    lines.extend(_audio_blocks(meeting, number))
    return CRLF.join(lines) + CRLF
