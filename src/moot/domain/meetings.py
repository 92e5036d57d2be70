"""Meetings: types 1/2/3/8, settings with Zoom's defaults, create/update rules and the wire shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from moot.domain import ids
from moot.domain.errors import FieldError, ValidationFailed
from moot.domain.recurrence import Occurrence, OccurrenceStatus, occurrences_to_wire, zoom_time
from moot.domain.times import format_zoom


class MeetingType(IntEnum):
    INSTANT = 1
    SCHEDULED = 2
    RECURRING_NO_FIXED_TIME = 3
    RECURRING_FIXED_TIME = 8

    @property
    def has_start_time(self) -> bool:
        return self in (MeetingType.SCHEDULED, MeetingType.RECURRING_FIXED_TIME)

    @property
    def is_recurring(self) -> bool:
        return self in (MeetingType.RECURRING_NO_FIXED_TIME, MeetingType.RECURRING_FIXED_TIME)


class MeetingStatus(StrEnum):
    WAITING = "waiting"
    STARTED = "started"


_AVAILABLE = OccurrenceStatus.AVAILABLE  # bound once: enum member lookups cost in 60-item loops

# How long Zoom keeps a meeting before it expires: a scheduled meeting 30 days after its start,
# a recurring meeting with no fixed time 365 days after it was created (or last started).
SCHEDULED_LIFETIME = timedelta(days=30)
RECURRING_LIFETIME = timedelta(days=365)
# Deleted meetings stay recoverable this long (Zoom's "Recently Deleted").
RECOVERY_WINDOW = timedelta(days=7)

# The settings object as Zoom echoes it, with the values of a new account's default user settings.
DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "voip",
    "auto_recording": "none",
    "enforce_login": False,
    "enforce_login_domains": "",
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "alternative_host_update_polls": False,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "registrants_confirmation_email": True,
    "waiting_room": False,
    "request_permission_to_unmute_participants": False,
    "global_dial_in_countries": ["US"],
    "global_dial_in_numbers": [
        {
            "country_name": "US",
            "city": "San Jose",
            "number": "+1 6699006833",
            "type": "toll",
            "country": "US",
        },
        {
            "country_name": "US",
            "city": "New York",
            "number": "+1 6465588656",
            "type": "toll",
            "country": "US",
        },
    ],
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "encryption_type": "enhanced_encryption",
    "approved_or_denied_countries_or_regions": {"enable": False},
    "breakout_room": {"enable": False},
    "language_interpretation": {"enable": False},
    "sign_language_interpretation": {"enable": False},
    "internal_meeting": False,
    "continuous_meeting_chat": {
        "enable": False,
        "auto_add_invited_external_users": False,
        "auto_add_meeting_participants": False,
    },
    "participant_focused_meeting": False,
    "push_change_to_calendar": False,
    "resources": [],
    "email_notification": True,
    "host_save_video_order": False,
    "focus_mode": False,
    "private_meeting": False,
    "show_join_info": False,
    "device_testing": False,
    "email_in_attendee_report": False,
    "auto_start_meeting_summary": False,
    "auto_start_ai_companion_questions": False,
}

# Settings that Zoom echoes only once they have been set.
OPTIONAL_SETTINGS = frozenset(
    {
        "audio_conference_info",
        "contact_name",
        "contact_email",
        "authentication_option",
        "authentication_domains",
        "authentication_exception",
        "additional_data_center_regions",
        "meeting_invitees",
        "calendar_type",
    }
)


def merged_settings(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply sent settings on top of ``current``, keeping Zoom's coupling rules."""
    settings = {**current, **changes}
    if changes.get("waiting_room") is True and "join_before_host" not in changes:
        settings["join_before_host"] = False
    if "alternative_hosts" in changes:
        settings["alternative_hosts"] = ";".join(
            part.strip()
            for part in str(changes["alternative_hosts"]).replace(",", ";").split(";")
            if part.strip()
        )
    return settings


@dataclass(slots=True)
class Passcodes:
    password: str
    h323_password: str
    pstn_password: str
    encrypted_password: str

    @classmethod
    def from_password(cls, password: str) -> Passcodes:
        if not password:
            return cls("", "", "", "")
        numeric = password if password.isdigit() else ids.numeric_passcode()
        return cls(password, numeric, numeric, ids.encrypted_passcode())

    @classmethod
    def generated(cls) -> Passcodes:
        return cls.from_password(ids.passcode())


@dataclass(slots=True)
class Meeting:
    id: int
    uuid: str
    account_id: str
    host_id: str
    host_email: str
    topic: str
    type: MeetingType
    status: MeetingStatus
    start_time: datetime | None
    duration: int
    timezone: str
    agenda: str
    created_at: datetime
    passcodes: Passcodes
    settings: dict[str, Any]
    pre_schedule: bool = False
    recurrence: dict[str, Any] | None = None
    tracking_fields: list[dict[str, Any]] = field(default_factory=list)
    assistant_id: str | None = None
    pmi: int | None = None
    deleted_at: datetime | None = None
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def sort_time(self) -> datetime:
        """Where the meeting sits in a list ordered by time (a series: where it begins)."""
        return self.start_time if self.type.has_start_time and self.start_time else self.created_at

    @property
    def available_occurrences(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.status is _AVAILABLE]

    @property
    def end_time(self) -> datetime:
        """When the meeting (a series: its last occurrence) is over."""
        if self.type is MeetingType.RECURRING_FIXED_TIME:
            ends = [o.start + 60 * o.duration for o in self.occurrences if o.status is _AVAILABLE]  # o.end
            if ends:
                return datetime.fromtimestamp(max(ends), UTC)
        return self.sort_time + timedelta(minutes=self.duration)

    @property
    def expires_at(self) -> datetime | None:
        if self.type is MeetingType.INSTANT:
            return self.created_at + SCHEDULED_LIFETIME
        if self.type is MeetingType.RECURRING_NO_FIXED_TIME:
            return self.created_at + RECURRING_LIFETIME
        last = next((o for o in reversed(self.occurrences) if o.status is _AVAILABLE), None)
        if last is not None:
            return last.start_time + SCHEDULED_LIFETIME
        return self.sort_time + SCHEDULED_LIFETIME

    def occurrence(self, occurrence_id: str) -> Occurrence | None:
        return next((o for o in self.occurrences if o.occurrence_id == occurrence_id), None)

    def next_occurrence(self, now: datetime) -> Occurrence | None:
        """The first available occurrence not yet over, or the last one when all are."""
        available = self.available_occurrences
        now_epoch = int(now.timestamp())
        return next((o for o in available if o.end >= now_epoch), available[-1] if available else None)

    def is_recoverable(self, now: datetime) -> bool:
        return self.deleted_at is not None and now - self.deleted_at <= RECOVERY_WINDOW


def check_type_rules(meeting_type: MeetingType, recurrence: dict[str, Any] | None) -> None:
    if meeting_type is MeetingType.RECURRING_FIXED_TIME and recurrence is None:
        raise ValidationFailed(
            [FieldError("recurrence", "Recurrence is required for a recurring meeting with a fixed time.")]
        )


def meeting_to_wire(
    meeting: Meeting,
    *,
    start_url: str,
    join_url: str,
    occurrences: list[Occurrence] | None = None,
    occurrence: Occurrence | None = None,
    registration_url: str | None = None,
    occurrences_wire: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The meeting as create (201) and GET (200) answer it, keys in Zoom's order: ``occurrences`` are
    those to show of a series (``occurrences_wire``: the same, already through ``occurrences_to_wire``);
    with ``occurrence`` its start and duration stand for the meeting's."""
    body: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "host_email": meeting.host_email,
    }
    if meeting.assistant_id:
        body["assistant_id"] = meeting.assistant_id
    body["topic"] = meeting.topic
    body["type"] = int(meeting.type)
    body["status"] = meeting.status.value
    if occurrence is not None:
        body["start_time"] = zoom_time(occurrence.start)
    elif meeting.type.has_start_time and meeting.start_time is not None:
        body["start_time"] = format_zoom(meeting.start_time)
    if meeting.type is not MeetingType.INSTANT:
        body["duration"] = occurrence.duration if occurrence is not None else meeting.duration
    body["timezone"] = meeting.timezone
    body["agenda"] = meeting.agenda
    body["created_at"] = format_zoom(meeting.created_at)
    body["start_url"] = start_url
    body["join_url"] = join_url
    if registration_url is not None:
        body["registration_url"] = registration_url
    body["password"] = meeting.passcodes.password
    body["h323_password"] = meeting.passcodes.h323_password
    body["pstn_password"] = meeting.passcodes.pstn_password
    body["encrypted_password"] = meeting.passcodes.encrypted_password
    if meeting.pmi is not None:
        body["pmi"] = str(meeting.pmi)
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        body["occurrences"] = (
            occurrences_wire if occurrences_wire is not None else occurrences_to_wire(occurrences or ())
        )
    body["settings"] = meeting.settings
    body["pre_schedule"] = meeting.pre_schedule
    if meeting.type.is_recurring and meeting.recurrence is not None:
        body["recurrence"] = meeting.recurrence
    if meeting.tracking_fields:
        body["tracking_fields"] = meeting.tracking_fields
    return body


def meeting_list_item(meeting: Meeting, *, join_url: str, now: datetime) -> dict[str, Any]:
    """A meeting as ``GET /users/{userId}/meetings`` lists it (agenda cut to 250 characters; a series
    by its next occurrence)."""
    item: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": int(meeting.type),
    }
    upcoming = meeting.next_occurrence(now) if meeting.occurrences else None
    if upcoming is not None:
        item["start_time"] = zoom_time(upcoming.start)
    elif meeting.type.has_start_time and meeting.start_time is not None:
        item["start_time"] = format_zoom(meeting.start_time)
    item["duration"] = upcoming.duration if upcoming is not None else meeting.duration
    item["timezone"] = meeting.timezone
    if meeting.agenda:
        item["agenda"] = meeting.agenda[:250]
    item["created_at"] = format_zoom(meeting.created_at)
    item["join_url"] = join_url
    if meeting.pmi is not None:
        item["pmi"] = str(meeting.pmi)
    return item
