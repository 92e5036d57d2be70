"""Request and response shapes of Zoom's meetings API (contract.md §1-§3), as TypedDicts.

Responses are ``total=False``: Zoom omits keys by meeting type and state (an instant meeting has no
``start_time``; ``registration_url`` appears only with registration on). Times in responses are strings
``YYYY-MM-DDTHH:MM:SSZ`` in UTC; :func:`parse_time` turns one into an aware ``datetime``. In requests a
``start_time`` may be a ``datetime`` (aware: sent in UTC; naive: local time in ``timezone``) or a string.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypedDict

MeetingType = Literal[1, 2, 3, 4, 8]
"""1 instant, 2 scheduled, 3 recurring without fixed time, 8 recurring with fixed time (4: PMI, GET only)."""

ListType = Literal["scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"]
"""``scheduled`` (default): unexpired previous plus live and upcoming; ``live``; ``upcoming``
(incl. live); ``upcoming_meetings`` (same); ``previous_meetings``."""


def parse_time(value: str) -> datetime:
    """An aware UTC ``datetime`` from Zoom's ``YYYY-MM-DDTHH:MM:SSZ``."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Recurrence(TypedDict, total=False):
    """``type`` 1 daily, 2 weekly, 3 monthly. ``repeat_interval`` ≤ 90 days / 12 weeks / 3 months.
    ``weekly_days`` is a **string** of "1".."7" (1 = Sunday), comma-separated: ``"1,3"``.
    ``end_times`` (≤ 60) and ``end_date_time`` (UTC) cannot be combined."""

    type: Literal[1, 2, 3]
    repeat_interval: int
    weekly_days: str
    monthly_day: int
    monthly_week: Literal[-1, 1, 2, 3, 4]
    monthly_week_day: int
    end_times: int
    end_date_time: datetime | str


class MeetingSettings(TypedDict, total=False):
    """Meeting settings (the common ones; Zoom accepts many more, which pass through unchanged).

    ``approval_type``: 0 auto-approve, 1 manual, 2 no registration (default). ``alternative_hosts`` is
    **semicolon**-separated. ``audio``: both, telephony, voip, thirdParty."""

    host_video: bool
    participant_video: bool
    join_before_host: bool
    jbh_time: Literal[0, 5, 10, 15]
    mute_upon_entry: bool
    waiting_room: bool
    watermark: bool
    use_pmi: bool
    approval_type: Literal[0, 1, 2]
    registration_type: Literal[1, 2, 3]
    audio: Literal["both", "telephony", "voip", "thirdParty"]
    auto_recording: Literal["local", "cloud", "none"]
    alternative_hosts: str
    close_registration: bool
    email_notification: bool
    meeting_authentication: bool
    registrants_email_notification: bool
    registrants_confirmation_email: bool
    encryption_type: Literal["enhanced_encryption", "e2ee"]
    contact_name: str
    contact_email: str
    meeting_invitees: list[dict[str, str]]
    global_dial_in_countries: list[str]


class TrackingField(TypedDict, total=False):
    field: str
    value: str
    visible: bool


class MeetingCreate(TypedDict, total=False):
    """Body of ``POST /users/{userId}/meetings`` (no field is required).

    ``topic`` ≤ 200 chars; ``agenda`` ≤ 2000; ``password`` ≤ 10 chars of ``[a-zA-Z0-9@-_*]``.
    ``start_time`` and ``timezone`` apply to types 2 and 8 only; ``duration`` is in minutes.
    ``schedule_for`` (an email or user id) is not allowed with type 1."""

    topic: str
    type: MeetingType
    start_time: datetime | str
    duration: int
    timezone: str
    password: str
    default_password: bool
    agenda: str
    pre_schedule: bool
    schedule_for: str
    template_id: str
    tracking_fields: list[TrackingField]
    recurrence: Recurrence
    settings: MeetingSettings


class MeetingUpdate(MeetingCreate, total=False):
    """Body of ``PATCH /meetings/{meetingId}``: only the fields sent change. With ``occurrence_id`` only
    ``start_time`` and ``duration`` of that occurrence change."""


class Occurrence(TypedDict, total=False):
    """One occurrence of a type 8 series. ``occurrence_id`` is the epoch-ms start as a string."""

    occurrence_id: str
    start_time: str
    duration: int
    status: str


class Meeting(TypedDict, total=False):
    """A meeting (create 201 / GET 200). ``id`` is the int64 meeting number; ``uuid`` identifies one
    instance. ``status`` is ``waiting`` or ``started``. ``start_url`` carries a 2-hour ZAK and must not be
    shared; ``join_url`` embeds ``pwd``."""

    uuid: str
    id: int
    host_id: str
    host_email: str
    assistant_id: str
    topic: str
    type: int
    status: str
    start_time: str
    duration: int
    timezone: str
    agenda: str
    created_at: str
    start_url: str
    join_url: str
    registration_url: str
    password: str
    h323_password: str
    pstn_password: str
    encrypted_password: str
    pmi: str
    pre_schedule: bool
    occurrences: list[Occurrence]
    recurrence: Recurrence
    settings: MeetingSettings
    tracking_fields: list[TrackingField]


class MeetingListItem(TypedDict, total=False):
    """An item of ``GET /users/{userId}/meetings``: no start_url, password or settings, and ``agenda``
    cut to 250 characters. Instant and expired meetings are not listed."""

    uuid: str
    id: int
    host_id: str
    topic: str
    type: int
    start_time: str
    duration: int
    timezone: str
    agenda: str
    created_at: str
    join_url: str
    pmi: str


class Invitation(TypedDict, total=False):
    """``GET /meetings/{meetingId}/invitation``: the invitation text and SIP links."""

    invitation: str
    sip_links: list[str]


class CustomQuestion(TypedDict):
    title: str
    value: str


class RegistrantCreate(TypedDict, total=False):
    """Body of ``POST /meetings/{meetingId}/registrants``. ``first_name`` (≤ 64) and ``email`` (≤ 128) are
    required by Zoom; ``country`` is a 2-letter code; ``auto_approve`` skips manual approval."""

    first_name: str
    last_name: str
    email: str
    address: str
    city: str
    state: str
    zip: str
    country: str
    phone: str
    comments: str
    industry: str
    org: str
    job_title: str
    no_of_employees: str
    purchasing_time_frame: str
    role_in_purchase_process: str
    language: str
    custom_questions: list[CustomQuestion]
    auto_approve: bool


class RegistrantCreated(TypedDict, total=False):
    """``POST .../registrants`` 201. ``id`` is the meeting id; ``join_url`` is omitted while approval is
    manual (``approval_type`` 1) and pending."""

    id: int
    registrant_id: str
    join_url: str
    start_time: str
    topic: str
    occurrences: list[Occurrence]
    participant_pin_code: int


class Registrant(TypedDict, total=False):
    """A registrant; ``status`` is ``approved``, ``denied`` or ``pending``."""

    id: str
    email: str
    first_name: str
    last_name: str
    address: str
    city: str
    country: str
    zip: str
    state: str
    phone: str
    industry: str
    org: str
    job_title: str
    comments: str
    custom_questions: list[CustomQuestion]
    status: Literal["approved", "denied", "pending"]
    create_time: str
    join_url: str
    participant_pin_code: int


class RegistrantRef(TypedDict, total=False):
    """A registrant named in a status change: by ``id`` or by ``email``."""

    id: str
    email: str


RegistrantAction = Literal["approve", "cancel", "deny"]


class User(TypedDict, total=False):
    """``GET /users/{userId}``. ``type``: 1 Basic, 2 Licensed, 99 None; ``status``: pending, active,
    inactive; ``pmi`` is the personal meeting id."""

    id: str
    first_name: str
    last_name: str
    display_name: str
    email: str
    type: int
    role_name: str
    pmi: int
    use_pmi: bool
    personal_meeting_url: str
    timezone: str
    verified: int
    dept: str
    created_at: str
    user_created_at: str
    last_login_time: str
    language: str
    phone_number: str
    status: str
    role_id: str
    account_id: str
    account_number: int
    group_ids: list[str]
    login_types: list[int]


class UserListItem(TypedDict, total=False):
    """An item of ``GET /users`` (``id`` is not returned for pending users)."""

    id: str
    email: str
    first_name: str
    last_name: str
    display_name: str
    type: int
    pmi: int
    timezone: str
    verified: int
    dept: str
    user_created_at: str
    created_at: str
    last_login_time: str
    language: str
    status: str
    role_id: str


class UserInfo(TypedDict, total=False):
    """``user_info`` of ``POST /users``: ``email`` and ``type`` are required."""

    email: str
    type: int
    first_name: str
    last_name: str
    display_name: str
    password: str


class UserCreated(TypedDict, total=False):
    """``POST /users`` 201."""

    id: str
    first_name: str
    last_name: str
    email: str
    type: int


UserCreateAction = Literal["create", "autoCreate", "custCreate", "ssoCreate"]


class PastMeeting(TypedDict, total=False):
    """``GET /past_meetings/{meetingId}`` (id or UUID): one ended instance."""

    uuid: str
    id: int
    host_id: str
    type: int
    topic: str
    user_name: str
    user_email: str
    start_time: str
    end_time: str
    duration: int
    total_minutes: int
    participants_count: int


class PastMeetingInstance(TypedDict, total=False):
    """An item of ``GET /past_meetings/{meetingId}/instances``."""

    uuid: str
    start_time: str


class Participant(TypedDict, total=False):
    """An item of ``GET /past_meetings/{meetingId}/participants``: one stay (``duration`` in seconds)."""

    id: str
    name: str
    user_id: str
    registrant_id: str
    user_email: str
    join_time: str
    leave_time: str
    duration: int
    failover: bool
    status: str
