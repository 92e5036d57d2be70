"""Request bodies of the meeting operations, with Zoom's limits (contract.md §2).

Every field is optional: Zoom requires none on create, and PATCH changes only what is sent.
"""

from __future__ import annotations

import re
from datetime import UTC, date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from moot.domain import timezones
from moot.domain.listing import MAX_PAGE_NUMBER, ListType
from moot.domain.times import EARLIEST_YEAR, LATEST_YEAR, format_zoom, parse_start_time
from moot.domain.validation import ZoomInput

_PASSCODE = re.compile(r"^[A-Za-z0-9@\-_*]*$")
_WEEKLY_DAYS = re.compile(r"^[1-7](,[1-7])*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _passcode(value: str) -> str:
    if not _PASSCODE.match(value):
        raise ValueError("Passcode may only contain the following characters: [a-z A-Z 0-9 @ - _ *].")
    return value


def _timezone(value: str) -> str:
    if not timezones.is_valid(value):
        raise ValueError("Invalid timezone.")
    return value


def _weekly_days(value: str) -> str:
    compact = value.replace(" ", "")
    if not _WEEKLY_DAYS.match(compact):
        raise ValueError("Invalid field.")
    return compact


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("Invalid field.")
    return value


def _one_of(*allowed: int) -> AfterValidator:
    """An int (``"2"`` accepted, as Zoom does) that must be one of ``allowed``."""

    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError("Invalid field.")
        return value

    return AfterValidator(check)


MeetingType = Annotated[int, _one_of(1, 2, 3, 8)]
JbhTime = Annotated[int, _one_of(0, 5, 10, 15)]
ApprovalType = Annotated[int, _one_of(0, 1, 2)]
RegistrationType = Annotated[int, _one_of(1, 2, 3)]
CalendarType = Annotated[int, _one_of(1, 2)]
RecurrenceType = Annotated[int, _one_of(1, 2, 3)]
MonthlyWeek = Annotated[int, _one_of(-1, 1, 2, 3, 4)]


Email = Annotated[str, StringConstraints(max_length=128), AfterValidator(_email)]
Passcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_passcode)]
TimezoneId = Annotated[str, AfterValidator(_timezone)]
ShortText = Annotated[str, StringConstraints(max_length=256)]


class _Nested(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class CountriesOrRegions(_Nested):
    enable: bool | None = None
    method: Literal["approve", "deny"] | None = None
    approved_list: list[ShortText] | None = None
    denied_list: list[ShortText] | None = None


class AuthenticationException(_Nested):
    email: Email
    name: ShortText | None = None


class BreakoutRoom(_Nested):
    name: ShortText | None = None
    participants: list[Email] | None = None


class BreakoutRooms(_Nested):
    enable: bool | None = None
    rooms: list[BreakoutRoom] | None = Field(default=None, max_length=100)


class Interpreter(_Nested):
    email: Email | None = None
    languages: ShortText | None = None


class LanguageInterpretation(_Nested):
    enable: bool | None = None
    interpreters: list[Interpreter] | None = Field(default=None, max_length=50)


class SignLanguageInterpreter(_Nested):
    email: Email | None = None
    sign_language: ShortText | None = None


class SignLanguageInterpretation(_Nested):
    enable: bool | None = None
    interpreters: list[SignLanguageInterpreter] | None = Field(default=None, max_length=20)


class Invitee(_Nested):
    email: Email


class ContinuousMeetingChat(_Nested):
    enable: bool | None = None
    auto_add_invited_external_users: bool | None = None
    auto_add_meeting_participants: bool | None = None


class Resource(_Nested):
    resource_type: Literal["whiteboard"]
    resource_id: ShortText
    permission_level: Literal["editor", "commenter", "viewer"] = "editor"


class MeetingSettingsInput(ZoomInput):
    host_video: bool | None = None
    participant_video: bool | None = None
    cn_meeting: bool | None = None
    in_meeting: bool | None = None
    join_before_host: bool | None = None
    jbh_time: JbhTime | None = None
    mute_upon_entry: bool | None = None
    watermark: bool | None = None
    use_pmi: bool | None = None
    approval_type: ApprovalType | None = None
    registration_type: RegistrationType | None = None
    audio: Literal["both", "telephony", "voip", "thirdParty"] | None = None
    audio_conference_info: Annotated[str, StringConstraints(max_length=2048)] | None = None
    auto_recording: Literal["local", "cloud", "none"] | None = None
    enforce_login: bool | None = None
    enforce_login_domains: ShortText | None = None
    alternative_hosts: Annotated[str, StringConstraints(max_length=1024)] | None = None
    alternative_hosts_email_notification: bool | None = None
    alternative_host_update_polls: bool | None = None
    close_registration: bool | None = None
    show_share_button: bool | None = None
    allow_multiple_devices: bool | None = None
    registrants_confirmation_email: bool | None = None
    waiting_room: bool | None = None
    request_permission_to_unmute_participants: bool | None = None
    global_dial_in_countries: list[Annotated[str, StringConstraints(max_length=8)]] | None = None
    contact_name: ShortText | None = None
    contact_email: Email | None = None
    registrants_email_notification: bool | None = None
    meeting_authentication: bool | None = None
    authentication_option: ShortText | None = None
    authentication_domains: Annotated[str, StringConstraints(max_length=1024)] | None = None
    authentication_exception: list[AuthenticationException] | None = None
    additional_data_center_regions: list[Annotated[str, StringConstraints(max_length=8)]] | None = None
    breakout_room: BreakoutRooms | None = None
    language_interpretation: LanguageInterpretation | None = None
    sign_language_interpretation: SignLanguageInterpretation | None = None
    meeting_invitees: list[Invitee] | None = Field(default=None, max_length=500)
    email_notification: bool | None = None
    encryption_type: Literal["enhanced_encryption", "e2ee"] | None = None
    focus_mode: bool | None = None
    private_meeting: bool | None = None
    calendar_type: CalendarType | None = None
    approved_or_denied_countries_or_regions: CountriesOrRegions | None = None
    host_save_video_order: bool | None = None
    internal_meeting: bool | None = None
    participant_focused_meeting: bool | None = None
    push_change_to_calendar: bool | None = None
    continuous_meeting_chat: ContinuousMeetingChat | None = None
    resources: list[Resource] | None = Field(default=None, max_length=20)
    auto_start_meeting_summary: bool | None = None
    auto_start_ai_companion_questions: bool | None = None
    device_testing: bool | None = None
    show_join_info: bool | None = None
    email_in_attendee_report: bool | None = None

    def changes(self) -> dict[str, object]:
        """The settings the client sent, as plain JSON values."""
        return self.model_dump(include=self.sent(), exclude_none=True, mode="json")


_MAX_INTERVAL = {1: 90, 2: 12, 3: 3}


def _end_date_time(value: str) -> str:
    """A UTC instant (``…Z``; a time without zone is read as UTC, as Zoom documents), echoed as ``…Z``."""
    parsed = parse_start_time(value, UTC)
    if parsed is None:
        raise ValueError("Invalid field.")
    return format_zoom(parsed)


class RecurrenceInput(ZoomInput):
    type: RecurrenceType
    repeat_interval: int | None = Field(default=None, ge=1)
    weekly_days: Annotated[str, AfterValidator(_weekly_days)] | None = None
    monthly_day: int | None = Field(default=None, ge=1, le=31)
    monthly_week: MonthlyWeek | None = None
    monthly_week_day: int | None = Field(default=None, ge=1, le=7)
    end_times: int | None = Field(default=None, ge=1, le=60)
    end_date_time: Annotated[str, AfterValidator(_end_date_time)] | None = None

    @model_validator(mode="after")
    def _combinations(self) -> RecurrenceInput:
        limit = _MAX_INTERVAL[self.type]
        if self.repeat_interval is not None and self.repeat_interval > limit:
            raise ValueError(
                f"repeat_interval must be less than or equal to {limit} for this recurrence type."
            )
        if self.end_times is not None and self.end_date_time is not None:
            raise ValueError("end_times and end_date_time cannot be used together.")
        if (self.monthly_week is None) != (self.monthly_week_day is None) and self.type == 3:
            raise ValueError("monthly_week and monthly_week_day must be used together.")
        return self

    def to_stored(self) -> dict[str, object]:
        stored: dict[str, object] = {"type": self.type, "repeat_interval": self.repeat_interval or 1}
        if self.type == 2:
            stored["weekly_days"] = self.weekly_days or "1"
        if self.type == 3:
            if self.monthly_week is not None:
                stored["monthly_week"] = self.monthly_week
                stored["monthly_week_day"] = self.monthly_week_day
            else:
                stored["monthly_day"] = self.monthly_day or 1
        if self.end_date_time is not None:
            stored["end_date_time"] = self.end_date_time  # already normalised to …Z
        else:
            stored["end_times"] = self.end_times or 1
        return stored


class TrackingField(_Nested):
    field: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    value: Annotated[str, StringConstraints(max_length=256)] | None = None


class MeetingInput(ZoomInput):
    """The body of ``POST /users/{userId}/meetings`` and ``PATCH /meetings/{meetingId}``."""

    topic: Annotated[str, StringConstraints(max_length=200)] | None = None
    type: MeetingType | None = None
    start_time: Annotated[str, StringConstraints(max_length=40)] | None = None
    duration: int | None = Field(default=None, ge=0, le=1_000_000)
    timezone: TimezoneId | None = None
    password: Passcode | None = None
    default_password: bool | None = None
    agenda: Annotated[str, StringConstraints(max_length=2000)] | None = None
    pre_schedule: bool | None = None
    schedule_for: Annotated[str, StringConstraints(max_length=128)] | None = None
    template_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    tracking_fields: list[TrackingField] | None = Field(default=None, max_length=50)
    recurrence: RecurrenceInput | None = None
    settings: MeetingSettingsInput | None = None


class MeetingStatusInput(ZoomInput):
    action: Literal["end", "recover"]


def _list_type(value: str) -> str:
    if value not in set(ListType):
        raise ValueError("Invalid field.")
    return value


def _listable_day(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError("Invalid field.")
    return value


ListableDay = Annotated[date, AfterValidator(_listable_day)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE_NUMBER)]


class ListMeetingsQuery(ZoomInput):
    """Query of ``GET /users/{userId}/meetings``."""

    type: Annotated[str, AfterValidator(_list_type)] | None = None
    page_size: int | None = Field(default=None, ge=1)
    page_number: PageNumber | None = None
    next_page_token: Annotated[str, StringConstraints(max_length=2048)] | None = None
    from_: ListableDay | None = Field(default=None, alias="from")
    to: ListableDay | None = None
    timezone: TimezoneId | None = None


class MeetingGetQuery(ZoomInput):
    """Query of ``GET /meetings/{meetingId}``."""

    occurrence_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    show_previous_occurrences: bool | None = None
